"""Each namespace is its own Socket, as in the JS client: its own auth (`auth set` in the
active namespace only; the command line's for every namespace on it) and its own
`disconnect` (the connection closes once no namespace is left; `disconnect --all`).
Piped stdin against the Node server and python-socketio's, which say what they saw."""

import pytest

from node_peer import start_node_server
from siocli_run import json_lines, of_type, run_siocli


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def connections(server, sids):
    return {sid: server.wait_for("connection", id=sid) for sid in sids}


def test_auth_set_changes_the_active_namespace_only(node, tmp_path):
    # The call on / between leaving /chat and joining it again: the Node server handles a
    # namespace's DISCONNECT one tick late, so a CONNECT read with it meets the old Socket
    # and the server closes the connection ("invalid state"), to the JS client as well
    # (docs/fidelity.md). The ack on / comes after the server has dropped the old /chat.
    commands = "\n".join(["ns /chat", "auth set token=B", "disconnect", "ns /",
                          "call echo synced", "ns /chat", "ns /", "emit echo still-here",
                          "auth --show", "ns /chat", "auth --show"])
    result = run_siocli(tmp_path, "connect", node.url, "-n", "/chat", "--token", "A", "--json",
                        input=commands + "\n")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    first_root, first_chat, second_chat = of_type(records, "connect")
    assert [r["namespace"] for r in (first_root, first_chat, second_chat)] == [
        "/", "/chat", "/chat"]
    seen = connections(node, [first_root["id"], first_chat["id"], second_chat["id"]])
    assert seen[first_root["id"]]["auth"] == {"token": "A"}
    assert seen[first_chat["id"]]["auth"] == {"token": "A"}
    assert seen[second_chat["id"]]["auth"] == {"token": "B"}
    # one Engine.IO connection throughout: only /chat was closed and opened again
    assert len({seen[sid]["engine_id"] for sid in seen}) == 1
    assert node.wait_for("disconnect", id=first_chat["id"])["reason"] == (
        "client namespace disconnect")
    assert node.wait_for("event", id=first_root["id"], event="echo", args=["still-here"])
    assert 'auth of /: {"token": "A"}' in result.stderr
    assert 'auth of /chat: {"token": "B"}' in result.stderr
    first_disconnect = of_type(records, "disconnect")[0]
    assert first_disconnect["namespace"] == "/chat"
    assert first_disconnect["reason"] == "io client disconnect"
    assert first_disconnect["will_reconnect"] is False


def test_disconnect_keeps_the_others_and_the_last_one_closes_the_connection(node, tmp_path):
    commands = "disconnect\nns /chat\nemit echo on-chat\ndisconnect\nstatus\n"
    result = run_siocli(tmp_path, "connect", node.url, "-n", "/chat", "--json", input=commands)
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    root, chat = of_type(records, "connect")
    assert [(r["namespace"], r["reason"]) for r in of_type(records, "disconnect")] == [
        ("/", "io client disconnect"), ("/chat", "io client disconnect")]
    engine = node.wait_for("connection", id=root["id"])["engine_id"]
    assert node.wait_for("event", id=chat["id"], event="echo")["args"] == ["on-chat"]
    assert node.wait_for("disconnect", id=root["id"])["reason"] == "client namespace disconnect"
    assert node.wait_for("engine_close", engine_id=engine)
    # / went first, alone: the connection stayed open for /chat until its disconnect
    lines = node.lines()
    closed = lines.index(node.wait_for("engine_close", engine_id=engine))
    chat_event = lines.index(node.wait_for("event", id=chat["id"], event="echo"))
    assert chat_event < closed


def test_disconnect_all_closes_every_namespace(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "-n", "/chat", "--json",
                        input="disconnect --all\nstatus\n")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    assert sorted(r["namespace"] for r in of_type(records, "disconnect")) == ["/", "/chat"]
    assert all(r["reason"] == "io client disconnect" for r in of_type(records, "disconnect"))
    engine = node.wait_for("connection", id=of_type(records, "connect")[0]["id"])["engine_id"]
    assert node.wait_for("engine_close", engine_id=engine)


def test_disconnect_takes_only_all(node, tmp_path):
    result = run_siocli(tmp_path, "connect", node.url, "--json", input="disconnect now\n")
    errors = of_type(json_lines(result.stdout), "error")
    assert result.returncode == 2
    assert errors[0]["message"] == "disconnect: only --all may follow, got 'now'"


def test_command_line_auth_goes_to_every_namespace(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "-n", "/private", "-n", "/chat",
                        "--token", "secret", "-a", "user=ann", "-c", "whoami", "--json")
    records = json_lines(result.stdout)
    assert result.returncode == 0, result.stderr
    connects = of_type(records, "connect")
    assert [r["namespace"] for r in connects] == ["/", "/private", "/chat"]
    for record in connects:
        seen = sio_server.wait_for("connection", id=record["id"])
        assert seen["auth"] == {"user": "ann", "token": "secret"}


def test_auth_cmd_runs_once_per_attempt_for_all_namespaces(sio_server, tmp_path):
    counter = tmp_path / "runs"
    command = "echo x >> %s; echo '{\"token\": \"secret\"}'" % counter
    result = run_siocli(tmp_path, "connect", sio_server.url, "-n", "/private", "-n", "/chat",
                        "--auth-cmd", command, "-c", "whoami", "--json")
    assert result.returncode == 0, result.stderr
    assert len(of_type(json_lines(result.stdout), "connect")) == 3
    assert counter.read_text().count("x") == 1
