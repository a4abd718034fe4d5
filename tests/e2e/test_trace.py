"""--trace, `handshake` records and the Engine.IO rows of `status`, against python-socketio
and the Node.js socket.io server, over websocket, polling and polling upgraded to
websocket; and connection failures worded for people (a refused handshake, a TLS port
addressed with http://, a plain port addressed with https://)."""

import contextlib
import json
import subprocess

import pytest

from node_peer import NODE_DIR, PeerServer, node_binary, require_node, start_node_server
from py_server import start_py_server
from siocli_run import json_lines, of_type, run_siocli

PACKET_FIELDS = ["type", "ts", "namespace", "direction", "raw", "engine", "socketio", "id",
                 "data", "attachments"]
HANDSHAKE_FIELDS = ["type", "ts", "namespace", "sid", "upgrades", "ping_interval",
                    "ping_timeout", "max_payload", "status", "headers"]
TRANSPORTS = {"websocket": ["-t", "websocket"], "polling": ["-t", "polling"], "upgrade": []}
SECRET = "s3cr3t-c00kie-value"


@pytest.fixture(scope="module", params=["python", "node"])
def server(request):
    if request.param == "node":
        with start_node_server() as running:
            yield running
    else:
        with start_py_server() as running:
            yield running


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_packets_have_the_spec_fields_and_binary_packets_are_decoded(server, transport,
                                                                       tmp_path):
    result = run_siocli(tmp_path, "connect", server.url + "/private", "--token", "secret",
                        *TRANSPORTS[transport], "-c", 'echo hex:0102 b64:/w== {"a": 1}',
                        "--trace", "--json")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    packets = of_type(records, "packet")
    assert packets and all(list(packet) == PACKET_FIELDS for packet in packets)
    assert all(type(packet["attachments"]) is int for packet in packets)
    for direction, kind in (("out", "BINARY_EVENT"), ("in", "BINARY_ACK")):
        position = next(n for n, p in enumerate(packets)
                        if p["direction"] == direction and p["socketio"] == kind)
        packet, attachments = packets[position], packets[position + 1:position + 3]
        assert (packet["namespace"], packet["attachments"], packet["engine"]) == (
            "/private", 2, "MESSAGE")
        expected = [{"$binary": "AQI="}, {"$binary": "/w=="}, {"a": 1}]
        assert packet["data"] == (["echo"] + expected if kind == "BINARY_EVENT" else expected)
        assert [(a["socketio"], a["namespace"], a["id"], a["direction"]) for a in attachments] \
            == [("ATTACHMENT", "/private", packet["id"], direction)] * 2
    connect_out = next(p for p in packets if p["socketio"] == "CONNECT" and p["direction"] == "out")
    assert connect_out["namespace"] == "/private" and "secret" not in json.dumps(connect_out)


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_handshake_and_the_upgrade_are_handshake_records(server, transport, tmp_path):
    result = run_siocli(tmp_path, "connect", server.url + "/?token=" + SECRET,
                        *TRANSPORTS[transport], "-e", "x", "-H", "Cookie: session=" + SECRET,
                        "--trace", "--json")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    handshakes = of_type(records, "handshake")
    assert all(list(record) == HANDSHAKE_FIELDS for record in handshakes)
    opened = next(p for p in of_type(records, "packet") if p["engine"] == "OPEN")
    assert records.index(handshakes[0]) < records.index(opened)
    expected = {"websocket": [101], "polling": [200], "upgrade": [200, 101]}[transport]
    assert [record["status"] for record in handshakes] == expected
    for record in handshakes:
        assert record["sid"] == opened["data"]["sid"]
        assert (record["ping_interval"], record["ping_timeout"], record["max_payload"]) == (
            opened["data"]["pingInterval"], opened["data"]["pingTimeout"],
            opened["data"]["maxPayload"])
        request = record["headers"]["request"]
        assert request[":method"] == "GET" and request[":path"].startswith("/socket.io/?")
        assert "token=****" in request[":path"]
        assert "transport=%s" % ("polling" if record["status"] == 200 else "websocket") \
            in request[":path"]
        assert request["Cookie"].startswith("session=") and isinstance(
            record["headers"]["response"], dict)
    assert SECRET not in result.stdout


def test_trace_lines_show_the_raw_frame_and_what_it_means(server, tmp_path):
    result = run_siocli(tmp_path, "connect", server.url + "/chat", "-c", "echo hex:00 a\x1bb",
                        "--trace", "-o", "plain")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    event = next(line for line in lines if "BINARY_EVENT" in line)
    assert ' >>  ' in event and '451-/chat,1["echo",{"_placeholder":true,"num":0},"a\\u001bb"]' \
        in event and event.endswith("MESSAGE BINARY_EVENT /chat id=1 attachments=1")
    attachment = lines[lines.index(event) + 1]
    assert "<1 byte: 00>" in attachment and attachment.endswith("MESSAGE ATTACHMENT /chat id=1 "
                                                                "attachments=1")
    assert any(line.split("  ")[1] == "handshake" for line in lines)
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize("transport, shown", [
    ("websocket", "websocket, websocket from the start"),
    ("polling", "polling, polling only (-t polling)"),
    ("upgrade", "websocket, upgraded from polling"),
])
def test_status_shows_the_engine_io_session(transport, shown, tmp_path):
    with start_py_server(ping_interval=1, ping_timeout=5) as server:
        # the call lasts over a ping interval: a PING has come by the time of `status`
        result = run_siocli(tmp_path, "connect", server.url, *TRANSPORTS[transport],
                            "--json", input="call slow 1.5\nstatus\n")
    assert result.returncode == 0, result.stderr
    sid = json.loads(result.stdout.splitlines()[0])["id"]
    rows = status_rows(result.stderr)
    engine_sid = rows["Engine.IO session"].split(";")[0].split()[1]
    assert engine_sid and engine_sid != sid  # the Engine.IO sid, not the socket.id
    assert rows["Engine.IO session"].endswith(shown)
    assert rows["ping"].startswith("pingInterval 1000 ms, pingTimeout 5000 ms; last PING ")
    assert rows["maxPayload"] == "1,000,000 bytes"


def status_rows(text):
    """{name: value} of the `status` table's rows (names may hold one space)."""
    rows = {}
    for line in text.splitlines():
        name, _, value = line.partition("  ")
        if value.strip():
            rows[name.strip()] = value.strip()
    return rows


@contextlib.contextmanager
def refusing_server(message):
    """A socket.io server whose allowRequest refuses every handshake with ``message``."""
    require_node()
    args = [node_binary() or "node", str(NODE_DIR / "refusing_server.js"), message]
    process = subprocess.Popen(args, cwd=str(NODE_DIR), stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    server = PeerServer(process, "127.0.0.1", "/socket.io", args)
    try:
        server.wait_port(15)
        yield server
    finally:
        server.stop()


@pytest.mark.parametrize("transport, status", [("polling", "403 Forbidden"),
                                               ("websocket", "400 Bad Request")])
def test_a_refused_handshake_says_what_the_server_said_and_is_not_retried(transport, status,
                                                                        tmp_path):
    with refusing_server("origin not on the list") as server:
        result = run_siocli(tmp_path, "connect", server.url, "-t", transport, "-e", "x",
                            "--connect-timeout", "60", "--json")
    assert result.returncode == 1, result.stderr
    records = json_lines(result.stdout)
    assert [record["type"] for record in records] == ["connect_error"]
    assert records[0]["message"] == (
        "HTTP %s from 127.0.0.1:%d/socket.io/: origin not on the list; not retried: the server "
        "gives this answer however often it is asked" % (status, server.port))


@pytest.mark.parametrize("transport", ["polling", "websocket"])
def test_http_to_a_tls_port_says_use_https(tls_server, transport, tmp_path):
    server, _ = tls_server
    result = run_siocli(tmp_path, "connect", "http://127.0.0.1:%d" % server.port,
                        "-t", transport, "-e", "x", "--no-reconnect", "--json")
    assert result.returncode == 1, result.stderr
    assert json_lines(result.stdout)[0]["message"] == (
        "the server at 127.0.0.1:%d speaks TLS: use https:// (or wss://)" % server.port)


def test_https_to_a_plain_port_says_use_http(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", "https://127.0.0.1:%d" % sio_server.port, "-e", "x",
                        "--no-reconnect", "--json")
    assert result.returncode == 1, result.stderr
    assert json_lines(result.stdout)[0]["message"] == (
        "the server at 127.0.0.1:%d does not speak TLS: use http:// (or ws://)" % sio_server.port)
