"""Guard the ORACLE: what the official JS client (socket.io-client 4.x) reports
against the npm socket.io 4.x server in each scenario (tests/node/ORACLE.md),
and what goes over the wire meanwhile.

siocli's own tests compare the Python client with run_oracle() output in the
same scenarios; these tests make sure the reference itself is what ORACLE.md
says.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from node_peer import (
    require_node,
    run_oracle,
    run_wire_probe,
    scenario_args,
    start_node_server,
)
from siocli_run import first_of, of_type

PING_INTERVAL_MS, PING_TIMEOUT_MS = 300, 200
TRANSPORTS = ["websocket", "polling"]

# scenario -> transport -> (reason, will_reconnect, description subset)
EXPECTED = {
    "server-disconnect": {
        "websocket": ("io server disconnect", False, None),
        "polling": ("io server disconnect", False, None),
    },
    "namespace-disconnect": {
        "websocket": ("io server disconnect", False, None),
        "polling": ("io server disconnect", False, None),
    },
    "client-disconnect": {
        "websocket": ("io client disconnect", False, None),
        "polling": ("io client disconnect", False, None),
    },
    "conn-close": {
        "websocket": ("transport close", True,
                      {"description": "websocket connection closed", "code": 1005}),
        "polling": ("transport close", True,
                    {"description": "transport closed by the server"}),
    },
    "destroy": {
        "websocket": ("transport close", True,
                      {"description": "websocket connection closed", "code": 1006}),
        "polling": ("transport error", True,
                    {"message": "xhr poll error", "type": "TransportError"}),
    },
    "block 1000": {
        "websocket": ("ping timeout", True, None),
        "polling": ("ping timeout", True, None),
    },
    "garbage": {
        "websocket": ("transport error", True, {"message": "server error", "code": "parser error"}),
        "polling": ("transport error", True, {"message": "server error", "code": "parser error"}),
    },
    "garbage-sio": {
        "websocket": ("parse error", True, {"message": "unknown packet type NaN"}),
        "polling": ("parse error", True, {"message": "unknown packet type NaN"}),
    },
    "kill": {
        "websocket": ("transport close", True,
                      {"description": "websocket connection closed", "code": 1006}),
        "polling": ("transport error", True,
                    {"message": "xhr poll error", "type": "TransportError"}),
    },
}


@pytest.fixture(autouse=True)
def _need_node():
    require_node()


def _ts(s: str) -> datetime:
    return datetime.fromisoformat(s.replace("Z", "+00:00"))


def _ms_between(a: str, b: str) -> float:
    return (_ts(b) - _ts(a)).total_seconds() * 1000


@pytest.fixture
def server():
    with start_node_server(ping_interval_ms=PING_INTERVAL_MS,
                           ping_timeout_ms=PING_TIMEOUT_MS) as srv:
        yield srv


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("scenario", list(EXPECTED))
def test_disconnect_reason(server, scenario, transport):
    reason, will_reconnect, desc = EXPECTED[scenario][transport]
    args = ["--transport", transport, "--wait-ms", "4000", "--grace-ms", "100"]
    recs = run_oracle(server.url, *args, *scenario_args(scenario))

    connect = first_of(recs, "connect")
    assert connect is not None, recs
    assert connect["connected"] is True and connect["transport"] == transport
    assert connect["namespace"] == "/" and connect["attempt"] == 0

    disconnects = of_type(recs, "disconnect")
    assert len(disconnects) == 1, recs
    d = disconnects[0]
    assert d["reason"] == reason, recs
    assert d["will_reconnect"] is will_reconnect, recs
    if desc is None:
        assert d["description"] is None
    else:
        assert {k: d["description"].get(k) for k in desc} == desc, d

    # timing: the disconnect is reported right after the trigger, except a
    # ping timeout: pingInterval + pingTimeout after the last PING (here the
    # handshake, ~100 ms before the trigger)
    if scenario == "client-disconnect":
        trigger = first_of(recs, "client_disconnect_called")["ts"]
    else:
        trigger = server.wait_for("scenario")["ts"]
    delay = _ms_between(trigger, d["ts"])
    if reason == "ping timeout":
        assert 150 <= delay <= PING_INTERVAL_MS + PING_TIMEOUT_MS + 250, delay
    else:
        assert -5 <= delay <= 250, delay


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reconnects_after_transport_close(server, transport):
    recs = run_oracle(server.url, "--transport", transport, "--emit", "scenario conn-close",
                      "--until", "connect:2", "--grace-ms", "100", "--wait-ms", "3000",
                      "--reconnection-delay", "100", "--reconnection-delay-max", "100")
    types = [r["type"] for r in recs if r["type"] in
             ("connect", "disconnect", "reconnect_attempt", "reconnect")]
    assert types == ["connect", "disconnect", "reconnect_attempt", "reconnect", "connect"], recs
    first, second = of_type(recs, "connect")
    assert first["id"] != second["id"]
    assert second["attempt"] == 1
    attempt = first_of(recs, "reconnect_attempt")
    assert attempt["attempt"] == 1 and 50 <= attempt["delay"] <= 150
    assert len(server.lines("connection")) == 2


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_reconnect_failed_after_kill(server, transport):
    recs = run_oracle(server.url, "--transport", transport, "--emit", "scenario kill",
                      "--stay", "--grace-ms", "100", "--wait-ms", "3000",
                      "--reconnection-delay", "100", "--reconnection-delay-max", "100",
                      "--reconnection-attempts", "2")
    attempts = of_type(recs, "reconnect_attempt")
    assert [a["attempt"] for a in attempts] == [1, 2]
    errors = of_type(recs, "connect_error")
    expected_msg = "websocket error" if transport == "websocket" else "xhr poll error"
    assert [e["message"] for e in errors] == [expected_msg] * 2
    assert all(e["data"] is None for e in errors)
    failed = first_of(recs, "reconnect_failed")
    assert failed is not None and failed["attempts"] == 2
    assert not server.alive or server.proc.wait(2) == 0


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_connect_error_from_middleware(server, transport):
    recs = run_oracle(server.url + "/private", "--transport", transport, "--wait-ms", "2000",
                      "--reconnection-delay", "100", "--reconnection-delay-max", "100")
    errors = of_type(recs, "connect_error")
    assert len(errors) == 1, recs  # no automatic retry after a middleware error
    e = errors[0]
    assert e["namespace"] == "/private"
    assert e["message"] == "not authorized"
    assert e["data"] == {"content": "Please retry later"}
    assert e["active"] is False
    assert first_of(recs, "reconnect_attempt") is None
    assert first_of(recs, "connect") is None
    rejected = server.wait_for("rejected")
    assert rejected["auth"] == {}


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_private_namespace_events_acks_binary(server, transport):
    recs = run_oracle(server.url + "/private", "--transport", transport, "--token", "secret",
                      "--call", "whoami", "--call", 'echo 1 "two" {"three":3} [4]',
                      "--emit", "burst 5", "--emit", "scenario emit-binary",
                      "--wait-ms", "600")
    connect = first_of(recs, "connect")
    assert connect["namespace"] == "/private"
    acks = {a["event"]: a for a in of_type(recs, "ack")}
    assert acks["whoami"]["args"] == [connect["id"]]
    assert acks["echo"]["args"] == [1, "two", {"three": 3}, [4]]
    ticks = [e["args"] for e in of_type(recs, "event") if e["event"] == "tick"]
    assert ticks == [[{"i": i}] for i in range(5)]
    binary = [e for e in of_type(recs, "event") if e["event"] == "binary"]
    assert binary[0]["args"] == [{"$binary": "AAECA/8="}, {"nested": {"$binary": "aGk="}}]
    conn = server.wait_for("connection", namespace="/private")
    assert conn["auth"] == {"token": "secret"} and conn["id"] == connect["id"]
    assert conn["transport"] == transport


def test_server_observations(server):
    run_oracle(server.url + "/chat", "--transport", "websocket", "--call", "echo hi",
               "--emit", "scenario server-disconnect", "--wait-ms", "2000")
    conn = server.wait_for("connection", namespace="/chat")
    ev = server.wait_for("event", event="echo")
    assert ev["args"] == ["hi"] and ev["ack"] is True and ev["namespace"] == "/chat"
    sc = server.wait_for("scenario")
    assert sc["name"] == "server-disconnect" and sc["transport"] == "websocket"
    d = server.wait_for("disconnect", id=conn["id"])
    assert d["reason"] == "server namespace disconnect"
    assert server.wait_for("engine_close")["reason"] == "forced close"


def test_custom_path():
    with start_node_server(ping_interval_ms=300, ping_timeout_ms=200, path="/custom") as srv:
        recs = run_oracle(srv.url, "--path", "/custom", "--transport", "polling",
                          "--call", "whoami", "--wait-ms", "400")
        assert first_of(recs, "connect") is not None
        assert first_of(recs, "ack")["args"] == [first_of(recs, "connect")["id"]]
        recs = run_oracle(srv.url, "--transport", "polling", "--wait-ms", "400",
                          "--no-reconnect")
        assert first_of(recs, "connect") is None
        assert first_of(recs, "connect_error")["message"] == "xhr poll error"


def test_restart_on_same_port():
    with start_node_server(ping_interval_ms=300, ping_timeout_ms=200) as srv:
        port = srv.port
        run_oracle(srv.url, "--emit", "scenario kill", "--wait-ms", "1000")
        assert srv.proc.wait(3) == 0
    with start_node_server(ping_interval_ms=300, ping_timeout_ms=200, port=port) as srv2:
        assert srv2.port == port


# ---- wire level: what a client sees on the wire in each scenario ------------

def _probe(srv, transport, *args):
    return run_wire_probe(srv.url, "--transport", transport, *args, "--wait-ms", "900",
                          "--grace-ms", "150")


def _after_trigger(recs):
    """Records after the trigger was sent, PING/PONG left out."""
    out, seen = [], False
    for r in recs:
        texts = (r.get("raw", ""), r.get("body", ""))
        if any(text.startswith('42["scenario"') for text in texts):
            seen = True
            continue
        if not seen or r.get("raw") in ("2", "3") or r.get("body") in ("2", "3", "ok"):
            continue
        if r["ev"] in ("post_response",) and r.get("body") == "ok":
            continue
        out.append(r)
    return out


def _evs(recs):
    return [(r["ev"], r.get("raw", r.get("body", r.get("code")))) for r in recs]


def test_wire_websocket(server):
    w = lambda sc: _evs(_after_trigger(_probe(server, "websocket", "--scenario", sc)))  # noqa: E731
    # socket.disconnect(true): Socket.IO DISCONNECT, then a WS close frame without
    # status code (1005); no Engine.IO CLOSE packet
    assert w("server-disconnect") == [("frame_in", "41"), ("tcp_fin_received", None),
                                      ("ws_close", 1005), ("tcp_close", None), ("exit", None)]
    # socket.conn.close(): just the WS close frame (1005), no "1", no "41"
    assert w("conn-close") == [("tcp_fin_received", None), ("ws_close", 1005),
                               ("tcp_close", None), ("exit", None)]
    # destroy: TCP FIN without any close frame -> 1006
    assert w("destroy") == [("tcp_fin_received", None), ("ws_close", 1006),
                            ("tcp_close", None), ("exit", None)]
    assert w("garbage")[0] == ("frame_in", "9garbage")
    assert w("garbage-sio")[0] == ("frame_in", "4garbage")
    assert w("namespace-disconnect") == [("frame_in", "41"), ("exit", None)]


def test_wire_polling(server):
    w = lambda sc: _evs(_after_trigger(_probe(server, "polling", "--scenario", sc)))  # noqa: E731
    # socket.disconnect(true): "41" answers the pending poll, the next poll gets
    # NOOP + CLOSE ("6\x1e1")
    assert w("server-disconnect")[:2] == [("poll_response", "41"), ("poll_response", "6\x1e1")]
    # socket.conn.close(): the pending poll is answered with an Engine.IO CLOSE
    assert w("conn-close")[:1] == [("poll_response", "1")]
    # destroy: the long-poll's TCP connection ends without an HTTP response
    assert [e for e, _ in w("destroy")][:2] == ["tcp_fin_received", "poll_error"]
    assert w("garbage")[:1] == [("poll_response", "9garbage")]
    assert w("garbage-sio")[:1] == [("poll_response", "4garbage")]


def test_wire_block_is_silence(server):
    recs = run_wire_probe(server.url, "--transport", "websocket", "--scenario", "block 800",
                          "--wait-ms", "1200")
    sent = next(r["t"] for r in recs if r.get("raw", "").startswith('42["scenario"'))
    after = [r for r in recs if r["t"] > sent and r["ev"] == "frame_in"]
    # nothing at all arrives while the server is blocked; it then pings as usual
    assert after and after[0]["raw"] == "2" and after[0]["t"] - sent >= 850
    # ...and neither side closed the connection (the server did not time the
    # client out: the PING timer only restarts once the event loop runs again)
    assert not [r for r in recs if r["ev"] in ("ws_close", "tcp_fin_received", "tcp_close")]
