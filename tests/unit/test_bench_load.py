"""siocli.modes.bench.Load and RecordGate, with a client standing in for python-socketio:
counts, pipelining (-c in flight, acks matched to their calls), timeouts, stopping."""

import asyncio

import pytest

from siocli.modes.bench import Load, RecordGate
from siocli.settings import BenchSettings


class FakeClient:
    """python-socketio's ``emit(event, data, namespace, callback)``: acks ``echo`` after
    ``delay`` seconds with its own data (out of order when ``shuffle``), never ``noack``."""

    def __init__(self, delay=0.001, shuffle=False):
        self.delay = delay
        self.shuffle = shuffle
        self.sent = []
        self.in_flight = 0
        self.most_in_flight = 0
        self._turn = 0

    async def emit(self, event, data=None, namespace=None, callback=None):
        self.sent.append((event, data, namespace))
        if callback is None or event == "noack":
            return
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        self._turn += 1
        delay = self.delay * (1 + self._turn % 3) if self.shuffle else self.delay

        def ack():
            self.in_flight -= 1
            callback(*data)

        asyncio.get_running_loop().call_later(delay, ack)


class FakeSession:
    def __init__(self, client):
        self.client = client


def settings(**options):
    return BenchSettings.from_options({"url": "http://127.0.0.1:1/chat", **options})


def run(load):
    return asyncio.run(load.run())


def test_calls_are_pipelined_with_concurrency_in_flight():
    client = FakeClient(shuffle=True)
    tally = run(Load(settings(call='echo {"a": 1}', number=40, concurrency=8),
                     FakeSession(client)))
    assert (tally.sent, tally.completed, tally.timeouts, tally.errors) == (40, 40, 0, 0)
    assert client.most_in_flight == 8
    assert len(tally.latencies) == 40 and min(tally.latencies) > 0
    assert client.sent[0] == ("echo", ({"a": 1},), "/chat")


def test_fewer_calls_than_concurrency_use_fewer_workers():
    client = FakeClient()
    tally = run(Load(settings(call="echo", number=3, concurrency=64), FakeSession(client)))
    assert (tally.sent, tally.completed) == (3, 3)
    assert client.most_in_flight == 3


def test_calls_without_ack_time_out():
    load = Load(settings(call="noack", number=3, concurrency=2, ack_timeout=0.05),
                FakeSession(FakeClient()))
    tally = run(load)
    assert (tally.sent, tally.completed, tally.timeouts, tally.errors) == (3, 0, 3, 0)
    assert len(tally.latencies) == 0


def test_emits_are_counted_as_handed_over():
    client = FakeClient()
    tally = run(Load(settings(emit="chat hi 2", number=25, concurrency=4), FakeSession(client)))
    assert (tally.sent, tally.completed, tally.errors) == (25, 25, 0)
    assert client.sent == [("chat", ("hi", 2), "/chat")] * 25


def test_a_duration_sends_until_it_has_passed():
    tally = run(Load(settings(call="echo", duration=0.2, concurrency=2),
                     FakeSession(FakeClient())))
    assert tally.sent >= 2 and tally.completed == tally.sent
    assert tally.elapsed() >= 0.2


def test_stopping_gives_up_the_calls_in_flight():
    async def scenario():
        load = Load(settings(call="noack", duration=30.0, concurrency=4, ack_timeout=30.0),
                    FakeSession(FakeClient()))
        asyncio.get_running_loop().call_later(0.05, load.stop, "interrupted")
        return load, await load.run()

    load, tally = asyncio.run(scenario())
    assert load.stopped == "interrupted"
    assert (tally.sent, tally.completed, tally.timeouts, tally.errors) == (4, 0, 0, 4)


def test_a_namespace_gone_from_the_client_ends_the_run():
    class Gone(FakeClient):
        async def emit(self, *args, **kwargs):
            raise RuntimeError("/chat is not a connected namespace.")

    load = Load(settings(emit="x", number=5, concurrency=2), FakeSession(Gone()))
    tally = run(load)
    assert load.stopped == "connection lost"
    assert tally.completed == 0 and tally.errors == tally.sent == 2


class Shown:
    def __init__(self, fmt="plain"):
        self.format = fmt
        self.records = []

    def emit(self, record):
        self.records.append(record)


class View:
    live = False


def record(kind, **fields):
    return {"type": kind, "ts": "2026-01-01T00:00:00.000Z", "namespace": "/", **fields}


@pytest.mark.parametrize("fmt,shown", [("plain", ["connect", "error"]), ("json", ["error"])])
def test_the_gate_hides_per_call_records(fmt, shown):
    output, view = Shown(fmt), View()
    gate = RecordGate(output, view)
    for item in (record("connect", id="x"), record("emit", event="e", args=[]),
                 record("ack", event="e", args=[], rtt_ms=1.0),
                 record("ack_timeout", event="e", timeout=1),
                 record("error", message="socket has been disconnected", event="e"),
                 record("error", message="internal error")):
        gate(item)
    assert [item["type"] for item in output.records] == shown


def test_the_gate_holds_records_while_the_progress_is_shown_and_stops_on_a_loss():
    output, view = Shown(), View()
    gate = RecordGate(output, view)
    stopped = []

    class FakeLoad:
        def stop(self, reason):
            stopped.append(reason)

    gate.load = FakeLoad()
    view.live = True
    gate(record("disconnect", reason="transport close", description="d", will_reconnect=True))
    assert output.records == [] and stopped == ["connection lost (transport close)"]
    view.live = False
    gate.release()
    assert [item["type"] for item in output.records] == ["disconnect"]
    gate.finishing = True
    gate(record("disconnect", reason="io client disconnect", description="d",
                will_reconnect=False))
    assert len(output.records) == 1  # the run's own goodbye is not shown
