"""`siocli serve` against the official JS client (tests/node) and against `siocli connect`.

Real processes throughout: the server is `python -m siocli serve --port 0 --json`, the
clients are `node tests/node/oracle.js` (socket.io-client 4.x) and `python -m siocli
connect`. The REPL's kick and emit are driven in a pseudo-terminal (pexpect).
"""

import re
import signal
import subprocess
import time
import urllib.error
import urllib.request

import pexpect
import pytest

from node_peer import NODE_DIR, node_binary, require_node, run_oracle
from siocli_run import ServeProcess, json_lines, of_type, run_siocli, spawn_siocli


@pytest.fixture
def serve(tmp_path):
    processes = []

    def start(*args):
        process = ServeProcess(tmp_path, *args)
        processes.append(process)
        return process

    yield start
    for process in processes:
        process.stop()


# -- the official JS client ---------------------------------------------------------------

def test_js_client_connects_and_every_call_is_acked_with_its_own_args(serve):
    require_node()
    server = serve("-n", "/chat")
    found = run_oracle(server.url + "/chat", "--auth", '{"token": "abcdef", "user": "ann"}',
                       "--call", 'echo {"a":[1,2]} hi', "--emit", "note 42",
                       "--disconnect-after", "300", "--wait-ms", "3000")
    connect = of_type(found, "connect")[0]
    assert of_type(found, "ack")[0]["args"] == [{"a": [1, 2]}, "hi"]

    record = server.wait_for("connect", namespace="/chat")
    assert record["id"] == connect["id"]
    assert record["connected"] is True and record["attempt"] == 0
    assert record["transport"] in ("polling", "websocket")
    assert record["auth"] == {"token": "ab****", "user": "ann"}  # only secrets masked
    assert "User-Agent" in record["headers"] and record["remote"] == "127.0.0.1"
    echo = server.wait_for("event", event="echo")
    assert echo["args"] == [{"a": [1, 2]}, "hi"] and echo["ack"] is True
    assert echo["id"] == connect["id"] and echo["namespace"] == "/chat"
    assert server.wait_for("event", event="note")["ack"] is False
    gone = server.wait_for("disconnect", id=connect["id"])
    assert gone["reason"] == "client disconnect" and gone["will_reconnect"] is False
    assert "abcdef" not in str(server.records)


def test_token_rejection_reaches_the_js_client_with_message_and_data(serve):
    require_node()
    server = serve("--token", "s3cret")
    found = run_oracle(server.url, "--token", "wrong", "--wait-ms", "3000")
    error = of_type(found, "connect_error")[0]
    assert error["message"] == "not authorized"
    assert error["data"] == {"reason": "auth.token does not match"}
    assert not of_type(found, "connect")
    record = server.wait_for("connect_error")
    assert record["message"] == "not authorized" and record["data"] == error["data"]
    assert record["auth"] == {"token": "wr***"}  # masked

    found = run_oracle(server.url, "--wait-ms", "3000")
    assert of_type(found, "connect_error")[0]["data"] == {"reason": "auth.token is missing"}

    found = run_oracle(server.url, "--token", "s3cret", "--call", "echo ok",
                       "--disconnect-after", "200", "--wait-ms", "3000")
    assert of_type(found, "ack")[0]["args"] == ["ok"]


def test_a_namespace_not_served_is_refused_and_recorded(serve):
    require_node()
    server = serve()
    found = run_oracle(server.url + "/nope", "--wait-ms", "3000")
    assert of_type(found, "connect_error")
    record = server.wait_for("connect_error", namespace="/nope")
    assert "-n /nope" in record["hint"]


def test_stopping_the_server_disconnects_its_clients(serve):
    require_node()
    for transport in ("websocket", "polling"):
        server = serve()
        client = subprocess.Popen(
            [node_binary(), str(NODE_DIR / "oracle.js"), server.url, "--transport", transport,
             "--no-reconnect", "--wait-ms", "8000"],
            cwd=str(NODE_DIR), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        server.wait_for("connect")
        time.sleep(0.5)  # a person does not press Ctrl-C within milliseconds of a connect
        assert server.stop(signal.SIGTERM) == 0
        out, err = client.communicate(timeout=10)
        gone = of_type(json_lines(out), "disconnect")
        assert gone and gone[0]["reason"] == "transport close", (transport, out, err)
        assert server.wait_for("disconnect")["description"] == "this server is stopping"
        assert any("stopped (1 client disconnected)" in n for n in server.notices)


def test_sigint_exits_130(serve):
    server = serve()
    assert server.stop(signal.SIGINT) == 130


# -- siocli connect -----------------------------------------------------------------------

def test_siocli_connect_calls_and_is_refused_without_the_token(serve, tmp_path):
    server = serve("--token", "s3cret", "-n", "chat")
    result = run_siocli(tmp_path, "connect", server.url + "/chat", "--token", "s3cret",
                        "--call", 'echo {"a": 1} "two words"', "--wait", "0.2", "--json")
    assert result.returncode == 0, result.stderr
    acks = [r for r in json_lines(result.stdout) if r["type"] == "ack"]
    assert acks[0]["args"] == [{"a": 1}, "two words"]
    event = server.wait_for("event", event="echo", namespace="/chat")
    assert event["args"] == [{"a": 1}, "two words"] and event["ack"] is True

    result = run_siocli(tmp_path, "connect", server.url, "--token", "nope", "--call", "echo 1",
                        "--json")
    assert result.returncode == 1
    error = json_lines(result.stdout)[0]
    assert error["type"] == "connect_error" and error["message"] == "not authorized"
    assert error["data"] == {"reason": "auth.token does not match"}


def test_serve_rejects_a_port_in_use(serve, tmp_path):
    server = serve()
    result = run_siocli(tmp_path, "serve", "--port", str(server.port))
    assert result.returncode == 1
    assert "address already in use" in result.stderr


# -- the REPL in a pseudo-terminal -------------------------------------------------------

def spawn_serve(tmp_path, *args):
    child = spawn_siocli(tmp_path, "serve", "--port", "0", "--no-color", *args)
    child.expect(r"listening on http://127\.0\.0\.1:(\d+) ")
    return child, "http://127.0.0.1:%s" % child.match.group(1)


def test_repl_lists_clients_emits_to_one_and_kicks_it(tmp_path):
    require_node()
    child, url = spawn_serve(tmp_path)
    client = subprocess.Popen(
        [node_binary(), str(NODE_DIR / "oracle.js"), url, "--token", "abcdef",
         "--wait-ms", "15000"],
        cwd=str(NODE_DIR), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        child.expect(r"connect\s+/\s+(\S{20})\s+via")
        sid = child.match.group(1)
        child.expect("serve>")
        child.send("clients\r")
        child.expect(re.escape(sid))
        child.expect(r'"ab\*\*\*\*"')
        child.send('emit --to %s hello {"x": 1} world\r' % sid[:6])
        child.expect(r"->\s+/\s+to %s\s+hello" % re.escape(sid))
        child.send("emit --to nobody x\r")
        child.expect("no client with id nobody")
        child.send("kick %s\r" % sid)
        child.expect(r"disconnect\s+/\s+%s\s+server disconnect: kicked" % re.escape(sid))
        out, err = client.communicate(timeout=10)
        found = json_lines(out)
        assert [r["args"] for r in of_type(found, "event")] == [[{"x": 1}, "world"]]
        gone = of_type(found, "disconnect")[0]
        assert gone["reason"] == "io server disconnect" and gone["will_reconnect"] is False
        child.send("status\r")
        child.expect(r"events\W+0 in, 1 out")
        child.send("quit\r")
        child.expect("stopped")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        if client.poll() is None:
            client.kill()
        child.close(force=True)


def test_repl_ctrl_c_clears_a_line_then_stops_the_server(tmp_path):
    child, url = spawn_serve(tmp_path)
    try:
        child.expect("serve>")
        child.send("emit half-typed")
        child.sendcontrol("c")
        child.expect("serve>")
        child.send("help\r")
        child.expect("kick ID")
        child.sendcontrol("c")
        child.expect("stopped")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 130
    finally:
        child.close(force=True)


def test_cors_refuses_other_origins_and_says_so(serve):
    server = serve("--cors", "http://app.example")
    handshake = server.url + "/socket.io/?EIO=4&transport=polling"

    def get(origin):
        request = urllib.request.Request(handshake, headers={"Origin": origin})
        try:
            with urllib.request.urlopen(request, timeout=5) as response:
                return response.status, response.headers.get("Access-Control-Allow-Origin")
        except urllib.error.HTTPError as exc:
            return exc.code, None

    assert get("http://app.example") == (200, "http://app.example")
    assert get("http://evil.example")[0] == 400
    error = server.wait_for("error")
    assert error["message"] == "http://evil.example is not an accepted origin."
