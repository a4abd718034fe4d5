"""A load balancer without sticky sessions: each HTTP request (and each websocket) goes
to the next backend in turn, whatever session it belongs to.

As a script: ``python tests/support/round_robin_proxy.py BACKEND_URL...`` prints
``{"port": N}`` once listening on 127.0.0.1, then one JSON line per request
(``{"type": "request", "method", "backend", "status"}``).

From tests: ``start_round_robin_proxy(url_a, url_b)`` (a context manager yielding a
node_peer.PeerServer: ``.url``, ``.port``, ``.lines("request")``).
"""

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import subprocess
import sys

import aiohttp
from aiohttp import web

from node_peer import PeerServer

HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "host", "content-length"}


def say(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def build_app(backends):
    turns = itertools.cycle(backends)
    client = {}

    async def on_startup(app):
        client["session"] = aiohttp.ClientSession(auto_decompress=False)

    async def on_cleanup(app):
        await client["session"].close()

    async def forward(request):
        backend = next(turns)
        target = backend + request.rel_url.path_qs
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await forward_websocket(request, backend, target, headers)
        async with client["session"].request(request.method, target, headers=headers,
                                             data=await request.read(),
                                             allow_redirects=False) as answer:
            body = await answer.read()
            say(type="request", method=request.method, backend=backend, status=answer.status)
            kept = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_BY_HOP}
            return web.Response(status=answer.status, headers=kept, body=body)

    async def forward_websocket(request, backend, target, headers):
        headers.pop("Sec-WebSocket-Key", None)
        headers.pop("Sec-WebSocket-Version", None)
        try:
            upstream = await client["session"].ws_connect(target.replace("http", "ws", 1),
                                                          headers=headers, autoping=False)
        except aiohttp.WSServerHandshakeError as exc:
            say(type="request", method="WEBSOCKET", backend=backend, status=exc.status)
            return web.Response(status=exc.status)
        say(type="request", method="WEBSOCKET", backend=backend, status=101)
        downstream = web.WebSocketResponse(autoping=False)
        await downstream.prepare(request)

        async def pipe(source, sink):
            async for message in source:
                if message.type is aiohttp.WSMsgType.TEXT:
                    await sink.send_str(message.data)
                elif message.type is aiohttp.WSMsgType.BINARY:
                    await sink.send_bytes(message.data)
            await sink.close()

        await asyncio.gather(pipe(upstream, downstream), pipe(downstream, upstream),
                             return_exceptions=True)
        return downstream

    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_route("*", "/{tail:.*}", forward)
    return app


async def serve_forever(backends):
    runner = web.AppRunner(build_app(backends))
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    say(port=site._server.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


@contextlib.contextmanager
def start_round_robin_proxy(*backends):
    args = [sys.executable, os.path.abspath(__file__), *backends]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    proxy = PeerServer(proc, "127.0.0.1", "/socket.io", args)
    try:
        proxy.wait_port(15)
        yield proxy
    finally:
        proxy.stop()


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("backends", nargs="+")
    asyncio.run(serve_forever(parser.parse_args().backends))
