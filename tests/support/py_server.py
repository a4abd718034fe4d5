"""A python-socketio test server: `python py_server.py [--port N] [--ping-interval S] ...`.

Prints `{"port": N}` once listening, then one JSON line per observation. Namespaces
`/` and `/chat` are open; `/private` rejects unless auth.token == "secret".
Events: `echo` acks its arguments; `burst N` emits N `tick` events; `whoami` acks the
socket id; `scenario NAME`: server-disconnect, kill, block SECONDS.
"""

import argparse
import asyncio
import json
import os
import ssl
import sys
import time

import socketio
from aiohttp import web


def say(**fields):
    sys.stdout.write(json.dumps(fields) + "\n")
    sys.stdout.flush()


def build(args):
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                               ping_interval=args.ping_interval, ping_timeout=args.ping_timeout)

    def connect_handler(namespace):
        async def handler(sid, environ, auth=None):
            if namespace == "/private" and (auth or {}).get("token") != "secret":
                raise socketio.exceptions.ConnectionRefusedError(
                    "not authorized", {"content": "Please retry later"})
            say(type="connection", namespace=namespace, id=sid, auth=auth)
        return handler

    def handlers(namespace):
        sio.on("connect", connect_handler(namespace), namespace=namespace)

        async def disconnect(sid, reason=None):
            say(type="disconnect", namespace=namespace, id=sid, reason=str(reason))
        sio.on("disconnect", disconnect, namespace=namespace)

        async def echo(sid, *args):
            return args
        sio.on("echo", echo, namespace=namespace)

        async def whoami(sid, *args):
            return sid
        sio.on("whoami", whoami, namespace=namespace)

        async def burst(sid, count=10, *rest):
            for i in range(int(count)):
                await sio.emit("tick", {"i": i}, to=sid, namespace=namespace)

        sio.on("burst", burst, namespace=namespace)

        async def scenario(sid, name, *args):
            say(type="scenario", name=name, id=sid)
            await asyncio.sleep(0.1)
            if name == "server-disconnect":
                await sio.disconnect(sid, namespace=namespace)
            elif name == "kill":
                os._exit(0)
            elif name == "block":
                time.sleep(float(args[0]) if args else 2.0)
        sio.on("scenario", scenario, namespace=namespace)

        async def anything(event, sid, *args):
            say(type="event", namespace=namespace, event=event, args=list(args))
        sio.on("*", anything, namespace=namespace)

    for namespace in ("/", "/chat", "/private"):
        handlers(namespace)
    app = web.Application()
    sio.attach(app, socketio_path=args.path.strip("/"))
    return app


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/socket.io")
    parser.add_argument("--ping-interval", type=float, default=25)
    parser.add_argument("--ping-timeout", type=float, default=20)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    args = parser.parse_args()
    runner = web.AppRunner(build(args))
    await runner.setup()
    context = None
    if args.certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.certfile, args.keyfile)
    site = web.TCPSite(runner, "127.0.0.1", args.port, ssl_context=context)
    await site.start()
    say(port=site._server.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        pass
