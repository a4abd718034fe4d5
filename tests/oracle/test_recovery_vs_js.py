"""Connection state recovery against the Node server with `connectionStateRecovery` on:
siocli sends the session's pid and offset when it reconnects, as socket.io-client 4.8
does, keeps its socket id, gets the events it missed and says `recovered: true` on the
`connect` record; the JS client (the oracle) reports the same in the same scenario.

The scenario (tests/node/server.js `recovery-drill`): a broadcast `before` (the offset),
the TCP connection destroyed, two broadcasts `missed` while the client is away."""

import concurrent.futures

import pytest

from node_peer import run_oracle, start_node_server
from siocli_run import json_lines, of_type, run_siocli

TRANSPORTS = ["websocket", "polling"]
RECOVERY_MS = 5000
LIFECYCLE = ("connect", "disconnect", "event")


def offsetless(args):
    """An event's arguments without the offset the server appends to a stored broadcast
    (it differs from one server to the other)."""
    return args[:-1] if args and isinstance(args[-1], str) and args[-1] not in ("/", "/chat") \
        else args


def story(records, namespace="/"):
    """What a client saw on one namespace, in order, without ids and times."""
    seen = []
    for record in records:
        if record.get("namespace") != namespace or record["type"] not in LIFECYCLE:
            continue
        if record["type"] == "connect":
            seen.append(("connect", record["attempt"], record["recovered"]))
        elif record["type"] == "disconnect":
            seen.append(("disconnect", record["reason"], record["will_reconnect"]))
        else:
            seen.append(("event", record["event"], offsetless(record["args"])))
    return seen


def run_both(tmp_path, transport, *extra):
    """siocli and the JS client each against its own recovery-enabled server (the
    drill's broadcasts reach every client of a server)."""
    with start_node_server(recovery_ms=RECOVERY_MS) as ours, \
            start_node_server(recovery_ms=RECOVERY_MS) as theirs:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            siocli = pool.submit(
                run_siocli, tmp_path, "connect", ours.url, "-t", transport, *extra,
                "-e", "scenario recovery-drill", "--wait", "2.5", "--reconnect-delay", "0.3",
                "--json")
            oracle = pool.submit(
                run_oracle, theirs.url, "--transport", transport,
                "--emit", "scenario recovery-drill",
                "--until", "connect:2", "--reconnection-delay", "300", "--wait-ms", "6000")
            result, js = siocli.result(), oracle.result()
        server_records = ours.lines()
    return result, js, server_records


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_recovered_session_as_the_js_client_reports_it(transport, tmp_path):
    result, js, server = run_both(tmp_path, transport)
    assert result.returncode == 0, (result.stdout, result.stderr)
    records = json_lines(result.stdout)
    expected = story(js)
    assert expected[-1] == ("connect", 1, True), js  # the oracle itself recovered
    assert story(records)[:len(expected)] == expected, (records, js)
    connects = of_type(records, "connect")
    assert connects[0]["id"] == connects[1]["id"], "a recovered socket keeps its id"
    # on the wire: the CONNECT of the reconnection carried the pid and the last offset
    reconnection = [r for r in server if r["type"] == "connection"][1]
    before = next(r for r in records if r.get("event") == "before")
    assert reconnection["auth"]["offset"] == before["args"][-1]
    assert isinstance(reconnection["auth"]["pid"], str)


def test_each_namespace_recovers_its_own_session(tmp_path):
    with start_node_server(recovery_ms=RECOVERY_MS) as server:
        result = run_siocli(tmp_path, "connect", server.url, "-n", "/chat", "-t", "websocket",
                            "-e", "scenario recovery-drill", "--wait", "2.5",
                            "--reconnect-delay", "0.3", "--json")
        auths = {r["namespace"]: r["auth"] for r in server.lines("connection")[2:]}
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    for namespace in ("/", "/chat"):
        connects = [r for r in of_type(records, "connect") if r["namespace"] == namespace]
        assert [c["recovered"] for c in connects] == [False, True], records
        assert connects[0]["id"] == connects[1]["id"]
        missed = [r["args"][:2] for r in of_type(records, "event")
                  if r["namespace"] == namespace and r["event"] == "missed"]
        assert missed == [[namespace, 1], [namespace, 2]], records
    assert auths["/"]["pid"] != auths["/chat"]["pid"], "one session per namespace"


def test_without_recovery_on_the_server_nothing_is_claimed(tmp_path):
    with start_node_server() as server:
        result = run_siocli(tmp_path, "connect", server.url, "-t", "websocket",
                            "-e", "scenario recovery-drill", "--wait", "2.5",
                            "--reconnect-delay", "0.3", "--json")
        auths = [r["auth"] for r in server.lines("connection")]
    records = json_lines(result.stdout)
    connects = [r for r in of_type(records, "connect") if r["namespace"] == "/"]
    assert [c["recovered"] for c in connects] == [False, False], records
    assert connects[0]["id"] != connects[1]["id"]
    assert not [r for r in of_type(records, "event") if r["event"] == "missed"]
    assert auths == [{}, {}], "no pid is sent when the server gave none"


def test_trace_shows_pid_and_offset_while_masking_the_token(tmp_path):
    with start_node_server(recovery_ms=RECOVERY_MS) as server:
        result = run_siocli(tmp_path, "connect", server.url, "-t", "websocket",
                            "--token", "s3cr3t-value", "-e", "scenario recovery-drill",
                            "--wait", "2.5", "--reconnect-delay", "0.3", "--trace", "--json")
        sent = server.lines("connection")[1]["auth"]
    assert "s3cr3t-value" not in result.stdout
    connects_out = [r for r in of_type(json_lines(result.stdout), "packet")
                    if r["direction"] == "out" and r.get("socketio") == "CONNECT"]
    shown = connects_out[1]["data"]
    assert shown["pid"] == sent["pid"] and shown["offset"] == sent["offset"]
    assert shown["token"] != "s3cr3t-value" and sent["token"] == "s3cr3t-value"
    assert sent["pid"] in connects_out[1]["raw"]
