"""The minimal python-socketio script siocli is measured against: what a developer would
write by hand to do the same work, and nothing more.

    python benchmarks/raw_python.py URL WORK [N] [CONCURRENCY]

WORK:
  calls      N sequential calls of `echo {"i": 1}`, each waiting for its ack
  emits      N emits of `noop {"i": 1}`, then one call of `echo` (its ack proves that the
             server has handled every emit before it: a connection's packets are in order)
  receive    ask the server (`burst N`) for N `tick` events and wait for the N-th
  oneshot    connect, emit `x`, disconnect (the whole run of `siocli connect URL -e x`)
  pipelined  N calls of `echo {"i": 1}` with CONCURRENCY in flight at once

Every work but oneshot uses the websocket transport only; oneshot uses the default
(polling, upgraded to websocket), as `siocli connect URL -e x` does. Prints one JSON
line: the work, N, and `seconds`, the time of the work itself (after connecting,
before disconnecting).
"""

import asyncio
import json
import sys
import time

import socketio

PAYLOAD = {"i": 1}


async def calls(sio, n, concurrency):
    for _ in range(n):
        await sio.call("echo", PAYLOAD)


async def emits(sio, n, concurrency):
    for _ in range(n):
        await sio.emit("noop", PAYLOAD)
    await sio.call("echo", "done")


async def pipelined(sio, n, concurrency):
    left = n

    async def worker():
        nonlocal left
        while left > 0:
            left -= 1
            await sio.call("echo", PAYLOAD)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def oneshot(sio, n, concurrency):
    await sio.emit("x")


async def main(url, work, n, concurrency):
    sio = socketio.AsyncClient(handle_sigint=False)
    transports = None if work == "oneshot" else ["websocket"]
    if work == "receive":
        done = asyncio.Event()
        seen = 0

        @sio.on("tick")
        def tick(data):
            nonlocal seen
            seen += 1
            if seen >= n:
                done.set()

        async def receive(sio, n, concurrency):
            await sio.emit("burst", n)
            await done.wait()

        run = receive
    else:
        run = {"calls": calls, "emits": emits, "pipelined": pipelined, "oneshot": oneshot}[work]
    await sio.connect(url, transports=transports)
    started = time.perf_counter()
    await run(sio, n, concurrency)
    seconds = time.perf_counter() - started
    await sio.disconnect()
    print(json.dumps({"work": work, "n": n, "concurrency": concurrency,
                      "seconds": round(seconds, 6)}))


if __name__ == "__main__":
    arguments = sys.argv[1:]
    if len(arguments) < 2:
        sys.exit(__doc__)
    url, work = arguments[0], arguments[1]
    count = int(arguments[2]) if len(arguments) > 2 else 1
    in_flight = int(arguments[3]) if len(arguments) > 3 else 1
    asyncio.run(main(url, work, count, in_flight))
