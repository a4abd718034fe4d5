"""The order of what arrives back to back, siocli and the official JS client side by side
on the same Node.js server: a call's ack, then in one turn of the server's event loop
plain events, a binary event, an event asking for an ack, the namespace's DISCONNECT, and
an event written after it (which neither client reports: the Socket is closed).

siocli hands a websocket's plain events to the session itself, not through
python-socketio (client/wire.py); everything else takes python-socketio's path. The two
paths must not reorder what the server sent."""

import pytest

from node_peer import run_oracle, start_node_server
from siocli_run import json_lines, run_siocli

MIX = 'scenario mix {"delay": 0}'


@pytest.fixture(scope="module")
def node():
    with start_node_server() as server:
        yield server


def sequence(records):
    """What must come in the same order: acks, events and the disconnect."""
    kept = []
    for record in records:
        if record["type"] == "ack":
            kept.append(("ack", record["event"], record["args"]))
        elif record["type"] == "event":
            kept.append(("event", record["event"], record["args"]))
        elif record["type"] == "disconnect":
            kept.append(("disconnect", record["reason"]))
    return kept


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_what_arrives_back_to_back_is_reported_in_the_js_clients_order(node, tmp_path,
                                                                       transport):
    result = run_siocli(tmp_path, "connect", node.url, "-t", transport, "-c", MIX,
                        "--wait", "1", "--json")
    assert result.returncode == 4, result.stderr  # the server disconnected the namespace
    ours = sequence(json_lines(result.stdout))

    theirs = sequence(run_oracle(node.url, "--transport", transport, "--never-ack",
                                 "--call", MIX, "--until", "disconnect"))
    expected_events = ([("event", "m", [1]), ("event", "bin", [{"$binary": "Bwg="}]),
                        ("event", "m", [2]), ("event", "q", [3])]
                       + [("event", "m", [i]) for i in range(4, 40)])
    assert ours == theirs == ([("ack", "scenario", ["ok"])] + expected_events
                              + [("disconnect", "io server disconnect")])
