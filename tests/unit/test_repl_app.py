"""The REPL driven through prompt_toolkit's pipe input against the real fixture server."""

import asyncio
import contextlib
import io
import json
import time

from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.output import DummyOutput

from siocli.environment import Environment
from siocli.modes.repl.app import run_repl
from siocli.output.writer import Output
from siocli.settings import ConnectSettings, split_url


class ReplHarness:
    """Runs run_repl in the running loop; keys go in through a pipe, records come out as JSON."""

    def __init__(self, url, tmp_path, **settings):
        server, namespace = split_url(url)
        self.settings = ConnectSettings(url=server, namespaces=[namespace], display_url=url,
                                        reconnect_delay=0.2, reconnect_delay_max=0.5,
                                        connect_timeout=3, **settings)
        self.stdout, self.stderr = io.StringIO(), io.StringIO()
        self.env = Environment(stdout=self.stdout, stderr=self.stderr, output="json",
                               environ={"XDG_STATE_HOME": str(tmp_path / "state")})
        self.output = Output(self.env)

    @contextlib.asynccontextmanager
    async def running(self):
        with create_pipe_input() as pipe, create_app_session(input=pipe, output=DummyOutput()):
            self.pipe = pipe
            self.task = asyncio.ensure_future(run_repl(self.settings, self.env, self.output))
            try:
                yield self
            finally:
                if not self.task.done():
                    pipe.send_text("quit\r")
                    await asyncio.wait_for(self.task, 5)

    def type(self, text):
        self.pipe.send_text(text)

    def records(self, kind=None):
        found = [json.loads(line) for line in self.stdout.getvalue().splitlines() if line]
        return [r for r in found if kind is None or r["type"] == kind]

    async def wait_for(self, kind, timeout=3.0, **fields):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for record in self.records(kind):
                if all(record.get(k) == v for k, v in fields.items()):
                    return record
            await asyncio.sleep(0.02)
        raise AssertionError("no %s record with %s; got %s\nnotices: %s" % (
            kind, fields, self.records(), self.stderr.getvalue()))

    async def wait_notice(self, text, timeout=3.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if text in self.stderr.getvalue():
                return
            await asyncio.sleep(0.02)
        raise AssertionError("no notice %r in %r" % (text, self.stderr.getvalue()))


def run(coroutine):
    return asyncio.run(asyncio.wait_for(coroutine, 20))


def test_emit_call_and_quit_disconnects_cleanly(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type('call echo {"a": [1, 2]} hi\r')
            ack = await harness.wait_for("ack")
            assert ack["args"] == [{"a": [1, 2]}, "hi"] and ack["rtt_ms"] >= 0
            harness.type("emit burst 2\r")
            await harness.wait_for("event", event="tick", args=[{"i": 1}])
            harness.type("quit\r")
            assert await asyncio.wait_for(harness.task, 5) == 0
        disconnect = harness.records("disconnect")[-1]
        assert disconnect["reason"] == "io client disconnect"
        assert not disconnect["will_reconnect"]
    run(scenario())


def test_ctrl_d_exits_zero(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("\x04")
            assert await asyncio.wait_for(harness.task, 5) == 0
        assert harness.records("disconnect")[-1]["reason"] == "io client disconnect"
    run(scenario())


def test_auth_retry_flow_on_a_rejecting_namespace(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url + "/private", tmp_path)
        async with harness.running():
            rejected = await harness.wait_for("connect_error")
            assert rejected["message"] == "not authorized"
            assert rejected["data"] == {"content": "Please retry later"}
            harness.type("auth set token=secret\r")
            await harness.wait_notice('"token": "se****"')
            assert "secret" not in harness.stderr.getvalue()
            harness.type("connect\r")
            connected = await harness.wait_for("connect", namespace="/private")
            assert len(connected["id"]) == 20
        history = (tmp_path / "state" / "siocli" / "history").read_text()
        assert "connect" in history and "secret" not in history
    run(scenario())


def test_unknown_command_and_bad_input_do_not_end_the_repl(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("frobnicate\r")
            await harness.wait_for("error")
            harness.type("emit disconnect\r")
            await harness.wait_for("error", message='emit: "disconnect" is a reserved event '
                                                    "name and cannot be emitted")
            harness.type("call echo still-here\r")
            await harness.wait_for("ack", args=["still-here"])
        errors = harness.records("error")
        assert "unknown command 'frobnicate'" in errors[0]["message"]
        assert not harness.records("emit") or all(
            r["event"] != "disconnect" for r in harness.records("emit"))
    run(scenario())


def test_unbalanced_json_continues_on_the_next_line(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type('call echo {"a":\r 1,\r "b": [2]}\r')
            ack = await harness.wait_for("ack")
            assert ack["args"] == [{"a": 1, "b": [2]}]
    run(scenario())


def test_ctrl_c_at_the_prompt_clears_the_line(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("emit never-sent")
            await asyncio.sleep(0.1)
            harness.type("\x03")
            await asyncio.sleep(0.1)
            harness.type("call echo after\r")
            await harness.wait_for("ack", args=["after"])
        assert [r["event"] for r in harness.records("emit")] == ["echo"]
    run(scenario())


def test_emits_while_disconnected_are_queued_then_sent(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("emit kick\r")
            await harness.wait_for("disconnect", reason="io server disconnect")
            harness.type("emit chat queued\r")
            await harness.wait_notice("queued chat on")
            harness.type("status\r")
            await harness.wait_notice("1: / chat (sent on connection)")
            assert not [r for r in harness.records("emit") if r["event"] == "chat"]
            harness.type("connect\r")
            await harness.wait_for("emit", event="chat", args=["queued"])
            connects = harness.records("connect")
            assert len(connects) == 2 and connects[0]["id"] != connects[1]["id"]
    run(scenario())


def test_ns_switches_and_connects_the_namespace(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("ns chat\r")
            await harness.wait_for("connect", namespace="/chat")
            harness.type("call echo here\r")
            ack = await harness.wait_for("ack")
            assert ack["namespace"] == "/chat"
            harness.type("ns /private\r")
            await harness.wait_for("connect_error", namespace="/private")
            harness.type('auth json {"token": "secret"}\r')
            await harness.wait_notice("used at the next connection attempt")
            harness.type("connect\r")
            await harness.wait_for("connect", namespace="/private")
    run(scenario())


def test_listen_mute_log_record_trace(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        record_file = tmp_path / "run.jsonl"
        async with harness.running():
            await harness.wait_for("connect")
            harness.type("record %s\r" % record_file)
            await harness.wait_notice("recording every record")
            harness.type("mute tick\r")
            harness.type("emit burst 2\r")
            harness.type("call echo sync\r")
            await harness.wait_for("ack", args=["sync"])
            await asyncio.sleep(0.1)
            assert not harness.records("event")
            harness.type("listen\r")
            harness.type("emit burst 1\r")
            await harness.wait_for("event", event="tick")
            harness.type("log 5\r")
            await harness.wait_notice("last 1 lifecycle records")
            harness.type("trace on\r")
            await harness.wait_notice("packet trace is on")
            harness.type("record off\r")
            await harness.wait_notice("stopped recording")
        recorded = [json.loads(line) for line in record_file.read_text().splitlines()]
        assert [r["args"] for r in recorded if r["type"] == "event"] == [
            [{"i": 0}], [{"i": 1}], [{"i": 0}]]
    run(scenario())


def test_listeners_are_registered_once_across_ten_reconnections(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            await harness.wait_for("connect")
            for number in range(1, 11):
                harness.type("emit kick\r")
                while len(harness.records("disconnect")) < number:
                    await asyncio.sleep(0.01)
                harness.type("connect\r")
                while len(harness.records("connect")) < number + 1:
                    await asyncio.sleep(0.01)
            harness.type("emit burst 1\r")
            harness.type("call echo sync\r")
            await harness.wait_for("ack", args=["sync"])
            await asyncio.sleep(0.1)
        assert len(harness.records("event")) == 1
        assert len({r["id"] for r in harness.records("connect")}) == 11
    run(scenario())


def test_a_server_ack_request_is_pending_until_reply(sio_server, tmp_path):
    async def scenario():
        harness = ReplHarness(sio_server.url, tmp_path)
        async with harness.running():
            connected = await harness.wait_for("connect")
            harness.type("emit scenario ask 5 question 1\r")
            event = await harness.wait_for("event", event="question")
            assert event["args"] == [1] and isinstance(event["ack"], int)
            harness.type("status\r")
            await harness.wait_notice("1 pending: / question (ack %d)" % event["ack"])
            harness.type("reply %d\r" % (event["ack"] + 1))
            unknown = await harness.wait_for("error")
            assert unknown["message"] == "reply: no pending ack request %d on / (pending: %d)" % (
                event["ack"] + 1, event["ack"])
            harness.type('reply {"answer": 42}\r')
            reply = await harness.wait_for("reply")
            assert reply["ack"] == event["ack"] and reply["args"] == [{"answer": 42}]
            seen = sio_server.wait_for("call_result", timeout=5, id=connected["id"])
            assert seen["result"] == {"answer": 42} and seen["error"] is None
            harness.type("reply\r")
            await harness.wait_for("error", message="reply: no pending ack request on /")
    run(scenario())
