"""The hostile test server speaks Engine.IO / Socket.IO well enough for real clients."""

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import socketio

SUPPORT = Path(__file__).resolve().parents[1] / "support"
ROOT = SUPPORT.parents[1]
sys.path.insert(0, str(SUPPORT))

from hostile_scenarios import CONNECT_ERROR, SCENARIOS, Scenario  # noqa: E402
from hostile_server import HostileServer, large_message, running_hostile_server  # noqa: E402


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


async def connected_client(url, transports, namespace="/"):
    """A python-socketio client connected to ``namespace``, and the events it receives."""
    # python-socketio keeps its json= option on its packet classes for the whole process:
    # a siocli session run earlier in this worker would leave siocli's decoder there
    client = socketio.AsyncClient(reconnection=False, json=json)
    events = asyncio.Queue()

    async def on_any(event, *args):
        events.put_nowait([event, *args])
    client.on("*", on_any, namespace=namespace)
    await client.connect(url, transports=transports, namespaces=[namespace], wait_timeout=5)
    return client, events


@pytest.mark.parametrize("transports", [["websocket"], ["polling"]])
def test_raw_event_and_namespace_sid_reach_a_real_client(transports):
    scenario = Scenario(namespace_sid="\x1b]0;pwned\x07",
                        packets=('42["x",NaN,"\\ud83d"]', '42/chat,["y",1]'))

    async def scenario_run():
        async with HostileServer(scenario) as server:
            client, events = await connected_client(server.url, transports)
            assert client.transport() == transports[0]
            assert client.get_sid("/") == "\x1b]0;pwned\x07"
            event = await events.get()
            await client.disconnect()
            return event

    name, number, text = run(scenario_run())
    assert name == "x" and number != number and text == "\ud83d"


def test_polling_upgrades_to_websocket_and_pings_are_answered():
    scenario = Scenario(ping_interval_ms=50, packets=('42/chat,["hello","world"]',))

    async def scenario_run():
        async with HostileServer(scenario) as server:
            client, events = await connected_client(server.url, ["polling", "websocket"],
                                                    namespace="/chat")
            assert await events.get() == ["hello", "world"]
            await server.wait_received("3")
            assert client.transport() == "websocket"
            await client.disconnect()
            return server.received

    received = run(scenario_run())
    assert {"2probe", "5", "40/chat,{}"} <= set(received)


def test_connect_error_reaches_the_client():
    scenario = Scenario(connect_answer=CONNECT_ERROR, connect_error_message="\x1b[2Jno",
                        connect_error_data={"why": "[b]x[/b]"})

    async def scenario_run():
        client = socketio.AsyncClient(reconnection=False, json=json)  # see connected_client
        errors = asyncio.Queue()
        client.on("connect_error", errors.put_nowait)
        async with HostileServer(scenario) as server:
            with pytest.raises(socketio.exceptions.ConnectionError):
                await client.connect(server.url, transports=["websocket"], wait_timeout=5)
            return await errors.get()

    assert run(scenario_run()) == {"message": "\x1b[2Jno", "data": {"why": "[b]x[/b]"}}


def test_large_message_has_the_exact_size():
    for namespace in ("/", "/chat"):
        assert len(large_message(namespace, 5 * 2 ** 20).encode()) == 5 * 2 ** 20


def test_a_websocket_client_drops_a_message_over_4_mib():
    async def scenario_run():
        async with HostileServer(SCENARIOS["large-message"]) as server:
            client, events = await connected_client(server.url, ["websocket"])
            await client.wait()  # returns once the connection is gone
            return events.empty()

    assert run(scenario_run())


def test_threaded_server_for_synchronous_code():
    async def first_event(url):
        client, events = await connected_client(url, ["websocket"])
        event = await events.get()
        await client.disconnect()
        return event

    with running_hostile_server(SCENARIOS["hello"]) as url:
        assert run(first_event(url)) == ["hello", "world"]


def strict_json(line):
    line.encode("utf-8", errors="strict")
    return json.loads(line, parse_constant=lambda name: pytest.fail("not strict JSON: " + name))


def test_siocli_against_the_server_subprocess(tmp_path):
    server = subprocess.Popen(
        [sys.executable, str(SUPPORT / "hostile_server.py"), "--scenario", "lone-surrogate"],
        stdout=subprocess.PIPE, text=True)
    try:
        url = server.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        env = {key: value for key, value in os.environ.items() if not key.startswith("SIOCLI_")}
        env["XDG_STATE_HOME"] = str(tmp_path)
        client = subprocess.run(
            [sys.executable, "-m", "siocli", "connect", url, "-e", "x", "--expect", "x",
             "--json", "--no-reconnect"],
            capture_output=True, env=env, cwd=ROOT, timeout=60)
    finally:
        server.terminate()
        server.wait(10)
    assert client.returncode == 0, client.stderr
    lines = client.stdout.decode("utf-8", errors="strict").splitlines()
    records = [strict_json(line) for line in lines]
    events = [record for record in records if record["type"] == "event"]
    assert events[0]["event"] == "x"
    assert events[0]["args"] == [{"$utf16": "\ufffd", "replaced": [0xD83D]}]
