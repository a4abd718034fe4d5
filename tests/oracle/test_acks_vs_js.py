"""The server's ack requests and --retries, siocli and the official JS client side by side
on the same Node.js server: what the server gets back (or its timeout), and how many
tries it sees."""

import pytest

from node_peer import ask, flaky_run, run_oracle, server_outcome, start_node_server
from siocli_run import json_lines, of_type, run_siocli


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def test_no_answer_by_default_the_server_times_out_as_with_the_js_client(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", ask(300, "question", "1"),
                        "--wait", "1", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    event = of_type(records, "event")[0]
    assert event["event"] == "question" and event["args"] == [1]
    assert isinstance(event["ack"], int)
    assert of_type(records, "reply") == []
    sid = of_type(records, "connect")[0]["id"]
    assert server_outcome(node, sid)["error"] == "operation has timed out"

    js = run_oracle(node.url, "--never-ack", "--call", "scenario ask-with-ack 300 question 1",
                    "--until", "event", "--grace-ms", "1000")
    js_sid = of_type(js, "connect")[0]["id"]
    assert server_outcome(node, js_sid)["error"] == "operation has timed out"


def test_ack_reply_answers_and_the_server_gets_what_the_js_client_would_send(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-c", ask(3000),
                        "--ack-reply", 'question={"ok": true} 2', "--wait", "0.5", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    event, reply = of_type(records, "event")[0], of_type(records, "reply")[0]
    assert reply["ack"] == event["ack"] and reply["event"] == "question"
    assert reply["args"] == [{"ok": True}, 2] and reply["namespace"] == "/"
    assert records.index(reply) == records.index(event) + 1
    sid = of_type(records, "connect")[0]["id"]
    ours = server_outcome(node, sid)

    js = run_oracle(node.url, "--ack-reply", '{"ok":true} 2',
                    "--call", "scenario ask-with-ack 3000 question", "--until", "reply")
    theirs = server_outcome(node, of_type(js, "connect")[0]["id"])
    assert ours["args"] == theirs["args"] == [{"ok": True}]  # emitWithAck: the first arg
    assert ours["error"] is theirs["error"] is None


def test_retries_match_the_js_client_on_the_same_server(node, tmp_path):
    _, records, our_tries = flaky_run(node, tmp_path, ignored=1, retries=3)
    js = run_oracle(node.url, "--retries", "3", "--ack-timeout", "400",
                    "--call", "ignore-next 1", "--call", "flaky 1", "--until", "ack:2")
    js_sid = of_type(js, "connect")[0]["id"]
    js_tries = [r for r in node.lines("event") if r["id"] == js_sid and r["event"] == "flaky"]
    assert len(our_tries) == len(js_tries) == 2
    ours = [r["args"] for r in of_type(records, "ack")]
    theirs = [r["args"] for r in of_type(js, "ack")]
    assert ours == theirs == [["ok"], [1]]


def test_a_disconnect_fails_a_try_and_the_call_is_sent_again_after_reconnecting(
        node, tmp_path):
    # the server ignores `flaky` on the first socket and closes the connection: the try is
    # lost, and, as with the JS client's retries, the call goes again on the new socket
    actions = ["-c", "ignore-next 5", "-e", 'scenario conn-close {"delay":300}', "-c", "flaky 1"]
    result = run_siocli(tmp_path, "connect", node.url, *actions, "--retries", "2",
                        "--ack-timeout", "3", "--reconnect-delay", "0.1", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    assert [r["type"] for r in records if r.get("event") == "flaky"] == ["emit", "emit", "ack"]
    assert of_type(records, "error") == []
    ours = [r["id"] for r in of_type(records, "connect")]

    js_actions = [{"-c": "--call", "-e": "--emit"}.get(word, word) for word in actions]
    js = run_oracle(node.url, "--retries", "2", "--ack-timeout", "3000",
                    "--reconnection-delay", "100", *js_actions, "--until", "ack:2")
    theirs = [r["id"] for r in of_type(js, "connect")]
    assert [r["args"] for r in of_type(js, "ack") if r["event"] == "flaky"] == [[1]]
    for sids in (ours, theirs):
        assert len(sids) == 2
        tries = [r["id"] for r in node.lines("event") if r["id"] in sids
                 and r["event"] == "flaky"]
        assert tries == sids  # one try on each socket

    without = run_siocli(tmp_path, "connect", node.url, *actions, "--ack-timeout", "3",
                         "--reconnect-delay", "0.1", "--json")
    assert without.returncode == 4
    assert of_type(json_lines(without.stdout), "error")[0]["message"] == (
        "socket has been disconnected before 'flaky' was acknowledged")
