"""The server's ack requests (--ack-reply, `reply`) and --retries, against the Node
server (socket.timeout(ms).emitWithAck) and python-socketio's (sio.call). Side by side
with the JS client: tests/oracle/test_acks_vs_js.py."""

import pytest

from node_peer import ask, flaky_run, server_outcome, start_node_server
from siocli_run import json_lines, of_type, run_siocli


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def test_an_ack_reply_for_another_event_does_not_answer(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", ask(300, "question"),
                        "--ack-reply", "other=1", "--wait", "1", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0 and of_type(records, "reply") == []
    assert server_outcome(node, of_type(records, "connect")[0]["id"])["error"]


def test_ack_reply_for_an_event_wins_over_the_one_for_any_event(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", ask(3000, "question"),
                        "--ack-reply", "any", "--ack-reply", "question=named", "--wait", "0.5",
                        "--json")
    records = json_lines(result.stdout)
    assert [r["args"] for r in of_type(records, "reply")] == [["named"]]


def test_events_without_an_ack_request_carry_ack_null(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-e", "echo 1", "-x", "echo", "--json")
    event = of_type(json_lines(result.stdout), "event")[0]
    assert result.returncode == 0 and event["ack"] is None


def test_python_socketio_call_gets_the_reply_with_bytes(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "-c", "scenario ask 3 question x",
                        "--ack-reply", "42 hex:ff00", "--wait", "0.5", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    assert of_type(records, "reply")[0]["args"] == [42, {"$binary": "/wA="}]
    sid = of_type(records, "connect")[0]["id"]
    seen = sio_server.wait_for("call_result", timeout=10, id=sid)
    assert seen["result"] == [42, {"$binary": "/wA="}] and seen["error"] is None


def test_python_socketio_call_times_out_without_an_answer(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "-c", "scenario ask 1 question",
                        "--wait", "1.5", "--json")
    records = json_lines(result.stdout)
    assert of_type(records, "event")[0]["ack"] is not None and of_type(records, "reply") == []
    sid = of_type(records, "connect")[0]["id"]
    assert sio_server.wait_for("call_result", timeout=10, id=sid)["error"] == "timeout"


def test_piped_reply_answers_the_latest_request_and_names_an_unknown_one(node, tmp_path):
    commands = "call %s\nreply yes\nreply 12345 x\nemit never-sent\n" % ask(5000)
    result = run_siocli(tmp_path, "connect", node.url, "--json", input=commands)
    records = json_lines(result.stdout)
    assert result.returncode == 3
    reply = of_type(records, "reply")[0]
    assert reply["args"] == ["yes"] and reply["ack"] == of_type(records, "event")[0]["ack"]
    errors = of_type(records, "error")
    assert len(errors) == 1 and errors[0]["message"] == (
        "reply: no pending ack request 12345 on / (none pending: answered already, never "
        "asked, or dropped when the namespace disconnected)")
    assert [r["event"] for r in of_type(records, "emit")] == ["scenario"]
    sid = of_type(records, "connect")[0]["id"]
    assert server_outcome(node, sid)["args"] == ["yes"]


def test_ack_reply_usage_errors(tmp_path):
    for args, message in (
            (["--ack-reply", "disconnect=1"], "--ack-reply disconnect=1: 'disconnect' is a "
                                              "lifecycle name, never an incoming event"),
            (["--ack-reply", "a=1", "--ack-reply", "a=2"], "--ack-reply given twice for "
                                                           "event 'a'"),
            (["--ack-reply", "{"], "--ack-reply {: "),
            (["--retries", "-1"], "--retries must be 0 or more, got -1")):
        result = run_siocli(tmp_path, "connect", "http://127.0.0.1:9", *args)
        assert result.returncode == 2 and result.stdout == ""
        assert result.stderr.startswith("siocli: error: " + message), result.stderr
        assert len(result.stderr.splitlines()) == 1


# -- --retries ----------------------------------------------------------------------------


def test_retries_send_a_call_again_until_the_server_answers(node, tmp_path):
    result, records, tries = flaky_run(node, tmp_path, ignored=2, retries=2)
    assert result.returncode == 0, result.stderr
    flaky = [r["type"] for r in records if r.get("event") == "flaky"]
    assert flaky == ["emit", "emit", "emit", "ack"]
    assert of_type(records, "ack_timeout") == []
    assert len(tries) == 3 and all(t["args"] == [1] for t in tries)


def test_retries_exhausted_give_one_ack_timeout_and_exit_3(node, tmp_path):
    result, records, tries = flaky_run(node, tmp_path, ignored=3, retries=1)
    assert result.returncode == 3
    flaky = [r["type"] for r in records if r.get("event") == "flaky"]
    assert flaky == ["emit", "emit", "ack_timeout"]
    assert len(tries) == 2


def test_a_binary_ack_request_is_answered_too(sio_server, tmp_path):
    # bytes in the request: python-socketio sends a BINARY_EVENT with its ack id
    result = run_siocli(tmp_path, "connect", sio_server.url, "-c",
                        "scenario ask 3 question hex:ff00", "--ack-reply", "question=b64:AAE=",
                        "--wait", "0.5", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    event = of_type(records, "event")[0]
    assert event["args"] == [{"$binary": "/wA="}] and event["ack"] is not None
    assert of_type(records, "reply")[0]["args"] == [{"$binary": "AAE="}]
    sid = of_type(records, "connect")[0]["id"]
    assert sio_server.wait_for("call_result", timeout=10, id=sid)["result"] == {
        "$binary": "AAE="}
