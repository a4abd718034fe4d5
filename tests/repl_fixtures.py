"""Fixtures of the REPL and batch tests: a real python-socketio server on loopback.

Run as a script it is the server: ``python tests/repl_fixtures.py`` prints
``{"port": N}`` once listening. Namespaces `/` and `/chat` are open; `/private` rejects
unless auth.token == "secret" (ConnectionRefusedError("not authorized", {"content":
"Please retry later"})). Events: `echo` acks its args; `burst N [GAP]` emits N `tick`
events GAP seconds apart; `slow S` acks after S seconds; `kick` disconnects the client
(`io server disconnect`); any other event is not acknowledged.
"""

import asyncio
import json
import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)


def build_app():
    import socketio
    from aiohttp import web

    sio = socketio.AsyncServer(async_mode="aiohttp", cors_allowed_origins="*")

    def install(namespace):
        async def connect(sid, environ, auth=None):
            if namespace == "/private" and (auth or {}).get("token") != "secret":
                raise socketio.exceptions.ConnectionRefusedError(
                    "not authorized", {"content": "Please retry later"})

        async def echo(sid, *args):
            return args

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

        for name, handler in (("connect", connect), ("echo", echo), ("burst", burst),
                              ("slow", slow), ("kick", kick)):
            sio.on(name, handler, namespace=namespace)

    for namespace in ("/", "/chat", "/private"):
        install(namespace)
    app = web.Application()
    sio.attach(app)
    return app


async def serve_forever():
    from aiohttp import web

    runner = web.AppRunner(build_app())
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    print(json.dumps({"port": site._server.sockets[0].getsockname()[1]}), flush=True)
    await asyncio.Event().wait()


class ServerProcess:
    def __init__(self):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__)],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True)
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError("the test server did not start")
        self.port = json.loads(line)["port"]
        self.url = "http://127.0.0.1:%d" % self.port

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def sio_server():
    """A running fixture server (one for the whole test run): ``.url``, ``.port``."""
    server = ServerProcess()
    yield server
    server.stop()


def siocli_env(tmp_path, **extra):
    """Environment for a siocli subprocess: this checkout first, a private state dir."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    env["XDG_STATE_HOME"] = str(tmp_path / "state")
    env.pop("NO_COLOR", None)
    for key in list(env):
        if key.startswith("SIOCLI_"):
            del env[key]
    env.update(extra)
    return env


if __name__ == "__main__":
    try:
        asyncio.run(serve_forever())
    except KeyboardInterrupt:
        pass
