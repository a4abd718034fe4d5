"""Incoming-event throughput: siocli vs the raw python-socketio client vs the Node client.

Starts the Node test peer (tests/node/server.js), asks it for a burst of N `tick`
events, and times, for each client, the wall time from start to the N-th event
(process start-up included: that is what a user waits for). Prints the times and the
ratios to the Node client.

    python benchmarks/throughput.py [--events 20000] [--runs 3]
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from node_peer import start_node_server  # noqa: E402

RAW_PYTHON_CLIENT = """
import asyncio, sys, socketio
async def main(url, n):
    sio = socketio.AsyncClient(handle_sigint=False)
    done = asyncio.Event()
    seen = 0
    @sio.on('tick')
    def tick(data):
        nonlocal seen
        seen += 1
        if seen >= n:
            done.set()
    await sio.connect(url, transports=['websocket'])
    await sio.emit('burst', n)
    await done.wait()
    await sio.disconnect()
asyncio.run(main(sys.argv[1], int(sys.argv[2])))
"""

NODE_CLIENT = """
const { io } = require("socket.io-client");
const [url, n] = [process.argv[2], Number(process.argv[3])];
const socket = io(url, { transports: ["websocket"] });
let seen = 0;
socket.on("tick", () => { if (++seen >= n) { socket.disconnect(); process.exit(0); } });
socket.on("connect", () => socket.emit("burst", n));
"""


def timed(command, cwd=None, stdout=subprocess.DEVNULL):
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, stdout=stdout, stderr=subprocess.PIPE, check=True, timeout=300)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    n = args.events
    with tempfile.TemporaryDirectory() as tmp, start_node_server() as server:
        raw = pathlib.Path(tmp, "raw_client.py")
        raw.write_text(RAW_PYTHON_CLIENT)
        node = ROOT / "tests" / "node" / "bench_client.js"
        node.write_text(NODE_CLIENT)
        record = pathlib.Path(tmp, "records.jsonl")
        clients = {
            "node socket.io-client": ["node", str(node), server.url, str(n)],
            "raw python-socketio": [sys.executable, str(raw), server.url, str(n)],
            "siocli --json": [sys.executable, "-m", "siocli", "connect", server.url, "-t",
                              "websocket", "-e", "burst %d" % n, "--count", str(n), "--json"],
            "siocli plain + --record": [sys.executable, "-m", "siocli", "connect", server.url,
                                        "-t", "websocket", "-e", "burst %d" % n, "--count",
                                        str(n), "-o", "plain", "--record", str(record)],
        }
        try:
            results, startup = {}, {}
            for name, command in clients.items():
                results[name] = statistics.median(timed(command) for _ in range(args.runs))
                one_event = [str(1) if part == str(n) else part.replace("burst %d" % n, "burst 1")
                             for part in command]
                startup[name] = statistics.median(timed(one_event) for _ in range(args.runs))
            if record.exists():
                lines = sum(1 for line in record.open() if '"type":"event"' in line)
                expected = (n + 1) * args.runs
                assert lines == expected, "records lost: %d of %d" % (lines, expected)
        finally:
            node.unlink()
    base = results["node socket.io-client"]
    print("%d incoming events, median of %d runs; steady = after start-up (a 1-event run)"
          % (n, args.runs))
    for name, seconds in results.items():
        steady = n / max(seconds - startup[name], 1e-6)
        print("  %-26s %7.3f s  %8.0f events/s  steady %8.0f events/s  x%.2f of node" % (
            name, seconds, n / seconds, steady, seconds / base))
    print(json.dumps({name: round(s, 4) for name, s in results.items()}))


if __name__ == "__main__":
    main()
