"""`siocli replay`: a session recorded against python-socketio, sent again to the Node.js
socket.io server, which says what it received and in what order."""

import json

import pytest

from node_peer import start_node_server
from siocli_run import heavy_imports, json_lines, of_type, run_siocli


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def received(server, engine_ids):
    """(namespace, event, args, asked for an ack) of the events ``server`` received from
    the sockets of ``engine_ids``, in arrival order."""
    sockets = {line["id"] for line in server.lines("connection")
               if line["engine_id"] in engine_ids}
    return [(line["namespace"], line["event"], line["args"], line["ack"])
            for line in server.lines("event") if line["id"] in sockets]


def engines_of(server, before):
    return {line["engine_id"] for line in server.lines("engine_connection")} - before


def replayed(node, tmp_path, recording, *options):
    before = engines_of(node, set())
    result = run_siocli(tmp_path, "replay", str(recording), node.url, *options, "--json")
    node.wait_for("engine_close", engine_id=next(iter(engines_of(node, before)), None))
    return result, received(node, engines_of(node, before))


def test_a_recorded_session_is_replayed_against_another_server(sio_server, node, tmp_path):
    recording = tmp_path / "session.jsonl"
    first = run_siocli(tmp_path, "connect", sio_server.url, "-n", "/chat", "-e", "first 1",
                       "-c", 'echo {"a": 1} hex:00ff', "-e", 'second "two"',
                       "--record", str(recording), "--json")
    assert first.returncode == 0, first.stderr
    piped = run_siocli(tmp_path, "connect", sio_server.url, "--record", str(recording),
                       input="emit third 3\nns /chat\ncall echo in-chat\nemit last\n")
    assert piped.returncode == 0, piped.stderr

    result, events = replayed(node, tmp_path, recording, "--speed", "0")
    assert result.returncode == 0, result.stderr
    assert events == [
        ("/", "first", [1], False),
        ("/", "echo", [{"a": 1}, {"$binary": "AP8="}], True),
        ("/", "second", ["two"], False),
        ("/", "third", [3], False),
        ("/chat", "echo", ["in-chat"], True),
        ("/chat", "last", [], False),
    ]
    records = json_lines(result.stdout)
    assert [(r["namespace"], r["event"], r["args"]) for r in of_type(records, "ack")] == [
        ("/", "echo", [{"a": 1}, {"$binary": "AP8="}]), ("/chat", "echo", ["in-chat"])]
    assert [r["namespace"] for r in of_type(records, "connect")] == ["/", "/chat"]


def test_the_recorded_pauses_are_kept_divided_by_the_speed(node, tmp_path):
    recording = tmp_path / "paced.jsonl"
    lines = [{"type": "emit", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/",
              "event": "one", "args": []},
             {"type": "emit", "ts": "2026-01-01T00:00:00.800Z", "namespace": "/",
              "event": "two", "args": []}]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result, events = replayed(node, tmp_path, recording, "--speed", "2")
    assert result.returncode == 0, result.stderr
    assert [event for _, event, _, _ in events] == ["one", "two"]
    sent = of_type(json_lines(result.stdout), "emit")
    gap = (int(sent[1]["ts"][20:23]) - int(sent[0]["ts"][20:23])) % 1000  # ms
    assert gap >= 399  # 800 ms / 2: a pause never ends early


def test_a_call_that_gets_no_ack_exits_3(node, tmp_path):
    recording = tmp_path / "call.jsonl"
    lines = [{"type": "emit", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/",
              "event": "no-such-handler", "args": [1]},
             {"type": "ack_timeout", "ts": "2026-01-01T00:00:05.000Z", "namespace": "/",
              "event": "no-such-handler", "timeout": 5.0}]
    recording.write_text("".join(json.dumps(line) + "\n" for line in lines))
    result, events = replayed(node, tmp_path, recording, "--ack-timeout", "0.5")
    assert result.returncode == 3, result.stderr
    assert events == [("/", "no-such-handler", [1], True)]
    assert of_type(json_lines(result.stdout), "ack_timeout")[0]["timeout"] == 0.5


@pytest.mark.parametrize("content, message", [
    (None, "cannot read the recording"),
    ('{"type": "emit"\n', "line 1: not a JSON record"),
    ('{"type":"connect","ts":"2026-01-01T00:00:00.000Z","namespace":"/"}\n',
     "holds no emit records"),
    ('\n{"type":"emit","ts":"2026-01-01T00:00:00.000Z","namespace":"/","event":"disconnect",'
     '"args":[]}\n', "line 2: 'disconnect' is a reserved event name"),
])
def test_a_bad_recording_is_one_line_and_exit_2(content, message, tmp_path):
    recording = tmp_path / "bad.jsonl"
    if content is not None:
        recording.write_text(content)
    result = run_siocli(tmp_path, "replay", str(recording), "http://127.0.0.1:9", "--json")
    assert result.returncode == 2
    assert result.stdout == "" and len(result.stderr.splitlines()) == 1
    assert message in result.stderr and "Traceback" not in result.stderr


def test_replay_help_imports_no_heavy_library(tmp_path):
    result, heavy = heavy_imports(tmp_path, ["replay", "--help"])
    assert "--speed" in result.stdout
    assert heavy == [], result.stderr


def test_replay_and_bench_speak_the_msgpack_parser(tmp_path):
    """--parser reaches replay and bench as it reaches connect (a msgpack server closes
    the connection on a CONNECT in the default parser)."""
    with start_node_server(parser="msgpack") as server:
        recording = tmp_path / "msgpack.jsonl"
        first = run_siocli(tmp_path, "connect", server.url, "--parser", "msgpack",
                           "-e", "first 1", "-c", "echo hex:00ff", "--record", str(recording),
                           "--json")
        assert first.returncode == 0, first.stderr
        result = run_siocli(tmp_path, "replay", str(recording), server.url, "--parser",
                            "msgpack", "--speed", "0", "--json")
        assert result.returncode == 0, result.stderr
        acks = of_type(json_lines(result.stdout), "ack")
        assert [(r["event"], r["args"]) for r in acks] == [("echo", [{"$binary": "AP8="}])]
        bench = run_siocli(tmp_path, "bench", server.url, "--parser", "msgpack", "--call",
                           "echo 1", "-n", "20", "--json")
        assert bench.returncode == 0, bench.stderr
        summary = of_type(json_lines(bench.stdout), "bench")[0]
        assert summary["completed"] == 20, summary


def test_retries_send_a_replayed_call_again(node, tmp_path):
    """replay takes connect's --retries: a call the server leaves unanswered once is sent
    again and acked (without --retries, the same replay ends in ack_timeout, exit 3)."""
    recording = tmp_path / "flaky.jsonl"
    recorded = run_siocli(tmp_path, "connect", node.url, "-c", "ignore-next 1", "-c", "flaky 1",
                          "--ack-timeout", "0.4", "--json", "--record", str(recording))
    assert recorded.returncode == 3, recorded.stderr  # the recorded flaky call timed out

    result, events = replayed(node, tmp_path, recording, "--speed", "0", "--retries", "1",
                              "--ack-timeout", "0.4")
    assert result.returncode == 0, result.stdout + result.stderr
    flaky = [r["type"] for r in json_lines(result.stdout) if r.get("event") == "flaky"]
    assert flaky == ["emit", "emit", "ack"]
    assert [event for _, event, _, _ in events] == ["ignore-next", "flaky", "flaky"]

    result, events = replayed(node, tmp_path, recording, "--speed", "0", "--ack-timeout", "0.4")
    assert result.returncode == 3, result.stdout + result.stderr
    assert [event for _, event, _, _ in events] == ["ignore-next", "flaky"]
