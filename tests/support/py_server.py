"""The python-socketio test server, and the pytest fixture that runs it.

As a script: ``python tests/support/py_server.py [--port N] [--path P] [--ping-interval S]
[--ping-timeout S] [--certfile F --keyfile F]`` prints ``{"port": N}`` once listening,
then one JSON line per observation (``connection``, ``disconnect``, ``scenario``, and
``event`` for events without a handler of their own).

Namespaces `/` and `/chat` are open; `/private` rejects unless auth.token == "secret"
(ConnectionRefusedError("not authorized", {"content": "Please retry later"})).
Events, in every namespace:

- ``echo ARGS...`` acks its arguments; ``whoami`` acks the socket id;
- ``burst [N [GAP]]`` emits N (default 3) ``tick {"i": i}`` events, GAP seconds apart;
- ``slow [S]`` acks "slow done" after S seconds (default 1);
- ``kick`` disconnects the client 50 ms later (``io server disconnect``);
- ``scenario NAME [ARG]``: ``server-disconnect``, ``kill`` (the process exits),
  ``block SECONDS`` (the event loop stops for that long), ``ask [TIMEOUT [EVENT
  [ARG...]]]`` (``sio.call(EVENT, ARGS, to=sid, timeout=TIMEOUT)`` in the background,
  then ``{"type": "call_result", "result": ..., "error": null or "timeout"}``);
- any other event is observed and not acknowledged.

From tests: ``start_py_server(...)`` (a context manager yielding a node_peer.PeerServer:
``.url``, ``.port``, ``.wait_for(...)``), or the session fixture ``sio_server`` (one
server with the default settings for the whole run; registered by tests/conftest.py).
"""

import argparse
import asyncio
import base64
import contextlib
import json
import os
import ssl
import subprocess
import sys
import time

import pytest
import socketio
from aiohttp import web

from node_peer import PeerServer

NAMESPACES = ("/", "/chat", "/private")


def jsonable(value):
    if isinstance(value, bytes):
        return {"$binary": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    return value


def say(**fields):
    sys.stdout.write(json.dumps(jsonable(fields)) + "\n")
    sys.stdout.flush()


def build_app(ping_interval=25, ping_timeout=20, path="/socket.io"):
    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*",
                               ping_interval=ping_interval, ping_timeout=ping_timeout)

    def install(namespace):
        async def connect(sid, environ, auth=None):
            if namespace == "/private" and (auth or {}).get("token") != "secret":
                raise socketio.exceptions.ConnectionRefusedError(
                    "not authorized", {"content": "Please retry later"})
            say(type="connection", namespace=namespace, id=sid, auth=auth)

        async def disconnect(sid, reason=None):
            say(type="disconnect", namespace=namespace, id=sid, reason=str(reason))

        async def echo(sid, *args):
            return args

        async def whoami(sid, *args):
            return sid

        async def burst(sid, count=3, gap=0, *rest):
            for number in range(int(count)):
                if gap:
                    await asyncio.sleep(float(gap))
                await sio.emit("tick", {"i": number}, to=sid, namespace=namespace)

        async def slow(sid, seconds=1, *rest):
            await asyncio.sleep(float(seconds))
            return "slow done"

        async def kick(sid, *rest):
            async def later():
                await asyncio.sleep(0.05)
                await sio.disconnect(sid, namespace=namespace)
            asyncio.ensure_future(later())

        async def scenario(sid, name, *args):
            say(type="scenario", name=name, id=sid)
            await asyncio.sleep(0.1)
            if name == "server-disconnect":
                await sio.disconnect(sid, namespace=namespace)
            elif name == "kill":
                os._exit(0)
            elif name == "block":
                time.sleep(float(args[0]) if args else 2.0)
            elif name == "ask":
                asyncio.ensure_future(ask(sid, *args))

        async def ask(sid, timeout=2, event="question", *data):
            try:
                result = await sio.call(event, data, to=sid, namespace=namespace,
                                        timeout=float(timeout))
            except socketio.exceptions.TimeoutError:
                say(type="call_result", namespace=namespace, id=sid, event=event,
                    result=None, error="timeout")
            else:
                say(type="call_result", namespace=namespace, id=sid, event=event,
                    result=result, error=None)

        async def anything(event, sid, *args):
            say(type="event", namespace=namespace, event=event, args=list(args))
            return sio.not_handled  # no ack: as a server without a handler for it

        for name, handler in (("connect", connect), ("disconnect", disconnect),
                              ("echo", echo), ("whoami", whoami), ("burst", burst),
                              ("slow", slow), ("kick", kick), ("scenario", scenario),
                              ("*", anything)):
            sio.on(name, handler, namespace=namespace)

    for namespace in NAMESPACES:
        install(namespace)
    app = web.Application()
    sio.attach(app, socketio_path=path.strip("/"))
    return app


async def serve_forever(args):
    runner = web.AppRunner(build_app(args.ping_interval, args.ping_timeout, args.path))
    await runner.setup()
    context = None
    if args.certfile:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.certfile, args.keyfile)
    site = web.TCPSite(runner, "127.0.0.1", args.port, ssl_context=context)
    await site.start()
    say(port=site._server.sockets[0].getsockname()[1])
    await asyncio.Event().wait()


@contextlib.contextmanager
def start_py_server(ping_interval=25, ping_timeout=20, path="/socket.io", port=0, tls=None):
    """This server as a subprocess on loopback, stopped on exit. Ping values in whole
    seconds (python-engineio truncates fractions); ``tls``: (certfile, keyfile) to serve
    https."""
    args = [sys.executable, os.path.abspath(__file__), "--port", str(port), "--path", path,
            "--ping-interval", str(ping_interval), "--ping-timeout", str(ping_timeout)]
    if tls:
        args += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    server = PeerServer(proc, "127.0.0.1", path, args)
    try:
        server.wait_port(15)
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def sio_server():
    """This server with the default settings, one for the whole test run."""
    with start_py_server() as server:
        yield server


@pytest.fixture(scope="module")
def tls_server(tmp_path_factory):
    """This server over TLS with a self-signed certificate for 127.0.0.1: (server, the
    certificate's PEM file, to trust with --cacert)."""
    from doctor_peers import self_signed_certificate

    cert, key = self_signed_certificate(tmp_path_factory.mktemp("tls"))
    with start_py_server(tls=(cert, key)) as server:
        yield server, cert


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--path", default="/socket.io")
    parser.add_argument("--ping-interval", type=float, default=25)
    parser.add_argument("--ping-timeout", type=float, default=20)
    parser.add_argument("--certfile")
    parser.add_argument("--keyfile")
    try:
        asyncio.run(serve_forever(parser.parse_args()))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
