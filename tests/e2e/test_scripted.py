"""`siocli connect` scripted runs, as real subprocesses against real servers."""

import json
import signal
import socket
import time

import pytest

from node_peer import start_node_server
from siocli_run import json_lines, of_type, run_siocli, start_siocli


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def test_call_gives_connect_emit_ack_disconnect(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "--call", 'echo {"a":1}', "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    assert [r["type"] for r in records] == ["connect", "emit", "ack", "disconnect"]
    connect, emit, ack, disconnect = records
    server_side = node.wait_for("connection", id=connect["id"])
    assert server_side["namespace"] == "/" and connect["connected"] is True
    assert connect["attempt"] == 0 and connect["transport"] in ("websocket", "polling")
    assert emit["args"] == [{"a": 1}] and ack["args"] == [{"a": 1}] and ack["rtt_ms"] >= 0
    assert disconnect["reason"] == "io client disconnect"
    for record in records:
        assert set(record) >= {"type", "ts", "namespace"}


@pytest.mark.parametrize("server_name", ["node", "sio_server"])
def test_socket_id_is_the_servers_for_each_namespace(server_name, request, tmp_path):
    server = request.getfixturevalue(server_name)
    result = run_siocli(tmp_path, "connect", server.url + "/chat", "-n", "/", "-c", "whoami",
                        "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0
    connects = {r["namespace"]: r["id"] for r in of_type(records, "connect")}
    assert set(connects) == {"/", "/chat"}
    assert of_type(records, "ack")[0]["args"] == [connects["/chat"]]
    for namespace, sid in connects.items():
        server.wait_for("connection", id=sid, namespace=namespace)


def test_actions_run_in_command_line_order(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-e", "first 1", "-c", "echo 2",
                        "-e", "third", "-e", "echo 4", "-x", "echo", "-e", "last",
                        "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0
    assert [(r["type"], r["event"]) for r in records if r["type"] in ("emit", "ack", "event")] == [
        ("emit", "first"), ("emit", "echo"), ("ack", "echo"), ("emit", "third"),
        ("emit", "echo"), ("event", "echo"), ("emit", "last")]


def test_argument_grammar_reaches_the_server(node, tmp_path):
    (tmp_path / "payload.json").write_text('{"from": "file"}')
    (tmp_path / "blob.bin").write_bytes(b"\x00\xffraw")
    command = ('echo {"x": 1, "y": [2, 3]} "hello world" 42 true null \'"@home"\' '
               "b64:AAE= hex:ff00 @%s @%s" % (tmp_path / "payload.json", tmp_path / "blob.bin"))
    result = run_siocli(tmp_path, "connect", node.url, "-c", command, "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0
    assert of_type(records, "ack")[0]["args"] == [
        {"x": 1, "y": [2, 3]}, "hello world", 42, True, None, "@home",
        {"$binary": "AAE="}, {"$binary": "/wA="}, {"from": "file"}, {"$binary": "AP9yYXc="}]
    seen = node.wait_for(lambda r: r.get("event") == "echo" and len(r["args"]) == 10)
    assert seen["args"][:6] == [{"x": 1, "y": [2, 3]}, "hello world", 42, True, None, "@home"]


def test_reserved_event_is_refused_and_nothing_is_sent(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-e", "disconnect now", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 2 and records == []
    assert result.stderr.strip() == (
        'siocli: error: --emit disconnect now: "disconnect" is a reserved event name and '
        "cannot be emitted")


@pytest.mark.parametrize("args, message", [
    (["-c", 'echo {"a": '], "unterminated JSON value"),
    (["--count", "0"], "--count must be more than 0"),
    (["-a", "novalue"], "--auth expects KEY=VALUE"),
    (["-H", "bad header"], '--header expects "Name: value"'),
])
def test_bad_input_is_one_line_and_exit_2(node, args, message, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, *args, "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 2 and records == []
    assert len(result.stderr.strip().splitlines()) == 1 and message in result.stderr
    assert "Traceback" not in result.stderr


def test_middleware_connect_error_exits_1_at_once_with_message_and_data(node, tmp_path):
    started = time.monotonic()
    result = run_siocli(tmp_path, "connect", node.url + "/private", "-c", "echo 1", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 1 and time.monotonic() - started < 5
    assert [r["type"] for r in records] == ["connect_error"]
    assert records[0]["message"] == "not authorized"
    assert records[0]["data"] == {"content": "Please retry later"}


def test_token_from_environment(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url + "/private", "-c", "whoami", "--json",
                        env={"SIOCLI_TOKEN": "secret"})
    records = json_lines(result.stdout)
    assert result.returncode == 0
    assert node.wait_for("connection", id=records[0]["id"])["auth"] == {"token": "secret"}


def test_auth_cmd_runs_before_every_attempt_reconnections_included(node, tmp_path):
    counter = tmp_path / "count"
    command = ('n=$(cat %s 2>/dev/null || echo 0); n=$((n+1)); echo $n > %s; '
               'printf \'{"token": "secret", "n": %%s}\' $n' % (counter, counter))
    result = run_siocli(
        tmp_path, "connect", node.url + "/private", "--auth-cmd", command,
        "-e", "scenario conn-close", "--wait", "2.5", "--reconnect-delay", "0.2", "--json")
    records = json_lines(result.stdout)
    connects = of_type(records, "connect")
    assert [c["attempt"] for c in connects] == [0, 1]
    auths = [node.wait_for("connection", id=c["id"])["auth"] for c in connects]
    assert auths == [{"token": "secret", "n": 1}, {"token": "secret", "n": 2}]
    assert result.returncode == 0, "the connection was lost and recovered before the run ended"


def test_reconnection_records_and_give_up(node, tmp_path):
    result = run_siocli(
        tmp_path, "connect", node.url, "-e", "scenario conn-close",
        "-e", 'scenario conn-close {"delay": 1500}', "--wait", "1", "--reconnect-delay", "0.1",
        "--reconnect-delay-max", "0.2", "--json")
    records = json_lines(result.stdout)
    kinds = [r["type"] for r in records if r["type"] != "emit"]
    assert kinds[:4] == ["connect", "disconnect", "reconnect_attempt", "connect"]
    attempt = of_type(records, "reconnect_attempt")[0]
    assert attempt["attempt"] == 1 and 0 <= attempt["delay"] <= 0.2
    assert of_type(records, "disconnect")[0]["will_reconnect"] is True


def test_unreachable_server_retries_until_connect_timeout_then_exits_1(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = run_siocli(tmp_path, "connect", "http://127.0.0.1:%d" % port, "-c", "echo 1",
                        "--connect-timeout", "2", "--reconnect-delay", "0.3", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 1 and time.monotonic() - started < 8
    errors = of_type(records, "connect_error")
    assert len(errors) >= 2
    assert errors[0]["message"] == (
        "connection refused by 127.0.0.1:%d (is the server running?)" % port)
    assert of_type(records, "reconnect_attempt")[0]["attempt"] == 1
    assert records[-1]["type"] == "reconnect_failed"


def test_silent_server_times_out(tmp_path):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    try:
        result = run_siocli(tmp_path,
            "connect", "http://127.0.0.1:%d" % listener.getsockname()[1], "-e", "x",
            "--connect-timeout", "1", "--no-reconnect", "--json")
        records = json_lines(result.stdout)
    finally:
        listener.close()
    assert result.returncode == 1
    assert records[0]["type"] == "connect_error" and "timeout" in records[0]["message"]


@pytest.mark.parametrize("args, message", [
    (["--path", "/nowhere"], "HTTP 404"),
    (["/unknown"], "Invalid namespace"),
])
def test_connect_errors_are_worded(node, args, message, tmp_path):
    url = node.url + (args[0] if args[0].startswith("/") and args[0] != "/nowhere" else "")
    extra = [] if args[0] == "/unknown" else args
    result = run_siocli(tmp_path, "connect", url, *extra, "-e", "x", "--no-reconnect",
                        "--connect-timeout", "2", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 1 and message in records[0]["message"]


def test_dns_failure_is_worded(tmp_path):
    result = run_siocli(tmp_path, "connect", "http://no-such-host.invalid:80", "-e", "x",
                        "--no-reconnect", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 1
    assert records[0]["message"] == "cannot resolve host no-such-host.invalid"


def test_pending_call_fails_at_once_when_the_connection_drops(node, tmp_path):
    started = time.monotonic()
    result = run_siocli(tmp_path, "connect", node.url, "-e", "scenario conn-close",
                        "-c", "never-acked", "--ack-timeout", "20", "--no-reconnect",
                        "--json")
    records = json_lines(result.stdout)
    assert time.monotonic() - started < 5
    assert result.returncode == 4
    error = of_type(records, "error")[0]
    assert error["event"] == "never-acked" and "disconnected" in error["message"]


def test_ack_timeout_exits_3(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", "never-acked", "--ack-timeout", "0.5",
                        "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 3
    assert of_type(records, "ack_timeout")[0] == {**of_type(records, "ack_timeout")[0],
                                                   "event": "never-acked", "timeout": 0.5}


def test_expect_timeout_exits_3(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-x", "never", "--expect-timeout", "0.5",
                        "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 3 and of_type(records, "error")[0]["event"] == "never"


def test_incoming_events_keep_their_order(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-e", "burst 3000", "--count", "3000",
                        "--json", timeout=60)
    records = json_lines(result.stdout)
    assert result.returncode == 0
    ticks = [r["args"][0]["i"] for r in of_type(records, "event")]
    assert ticks == list(range(3000))


def test_listen_filters_shown_events_but_record_keeps_all(node, tmp_path):
    record_file = tmp_path / "run.jsonl"
    result = run_siocli(tmp_path, "connect", node.url, "-e", "burst 5", "-e", "whoami",
                        "-l", "who*", "--count", "1", "--record", str(record_file),
                        "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0
    assert [r["event"] for r in of_type(records, "event")] == ["whoami"]
    kept = [json.loads(line) for line in record_file.read_text().splitlines()]
    assert [r["event"] for r in of_type(kept, "event")][:5] == ["tick"] * 5


def test_record_appends(node, tmp_path):
    record_file = tmp_path / "run.jsonl"
    for _ in range(2):
        run_siocli(tmp_path, "connect", node.url, "-e", "x", "--record", str(record_file),
                   "-o", "plain")
    kinds = [json.loads(line)["type"] for line in record_file.read_text().splitlines()]
    assert kinds == ["connect", "emit", "disconnect"] * 2


def test_plain_output_and_no_color(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", "echo hi", "-o", "rich",
                        "--no-color")
    text = result.stdout
    assert result.returncode == 0 and "\x1b[" not in text
    assert "connect" in text and "echo" in text and "io client disconnect" in text
    result = run_siocli(tmp_path, "connect", node.url, "-c", "echo hi")
    lines = result.stdout.splitlines()
    assert result.returncode == 0 and lines[1].split()[1:] == ["->", "/", "echo", '"hi"']


def test_listen_only_runs_until_count(node, tmp_path):
    proc = start_siocli(tmp_path, "connect", node.url, "-l", "tick", "--count", "2", "--json")
    try:
        connect = json.loads(proc.stdout.readline())
        assert connect["type"] == "connect"
        for number in (1, 2):
            sender = run_siocli(tmp_path, "connect", node.url, "-e",
                                "scenario broadcast tick %d" % number, "--wait", "0.5")
            assert sender.returncode == 0, sender.stderr
        assert proc.wait(10) == 0
    finally:
        proc.kill()
    lines = json_lines(proc.stdout.read())
    assert [r["args"] for r in of_type(lines, "event")] == [[1], [2]]


def test_interrupt_exits_130_after_a_clean_disconnect(node, tmp_path):
    proc = start_siocli(tmp_path, "connect", node.url, "-l", "*", "--json")
    assert json.loads(proc.stdout.readline())["type"] == "connect"
    proc.send_signal(signal.SIGINT)
    assert proc.wait(10) == 130
    rest = json_lines(proc.stdout.read())
    assert rest[-1]["type"] == "disconnect" and rest[-1]["reason"] == "io client disconnect"


def test_listen_with_actions_and_no_wait_says_so(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-e", "x", "-l", "tick")
    assert result.returncode == 0
    assert "--wait S or --count N keeps listening" in result.stderr
