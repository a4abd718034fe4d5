"""Leaving a namespace and joining it again on a live connection, five times in a row,
siocli (the REPL's `disconnect` and `ns`) beside the JS client (`chat.disconnect()`,
`chat.connect()`, tests/node/ns_rejoin.js) against the same Node server: each rejoin is a
new /chat Socket on the one Engine.IO connection, nothing else is lost.

Between leaving and joining, both make a call on / and wait for its ack. Without it the
Node server may read the CONNECT together with the DISCONNECT, meet the old /chat Socket
it drops only on the next tick, and close the whole connection ("invalid state"): the JS
client back to back loses it as often as siocli does (docs/fidelity.md)."""

import pytest

from node_peer import run_ns_rejoin, start_node_server
from siocli_run import json_lines, of_type, run_siocli

ROUNDS = 5


def rejoin_commands():
    lines = ["ns /chat"]
    for round_ in range(ROUNDS):
        lines += ["disconnect", "ns /", "call echo sync-%d" % round_, "ns /chat",
                  "emit echo round-%d" % round_]
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_rejoining_a_namespace_keeps_the_connection_as_in_js(transport, tmp_path):
    with start_node_server() as server:
        result = run_siocli(tmp_path, "connect", server.url, "-n", "/chat", "-t", transport,
                            "--json", input=rejoin_commands(), timeout=60)
        oracle = run_ns_rejoin(server.url, "--times", ROUNDS, "--sync",
                               "--transport", transport)
        records = json_lines(result.stdout)
        assert result.returncode == 0, result.stderr
        connects = of_type(records, "connect")
        chats = [r["id"] for r in connects if r["namespace"] == "/chat"]
        assert [r["namespace"] for r in connects] == ["/"] + ["/chat"] * (ROUNDS + 1), records
        engines = {server.wait_for("connection", id=sid)["engine_id"]
                   for sid in [connects[0]["id"], *chats]}
        assert len(engines) == 1, records
        for left, joined in zip(chats, chats[1:], strict=False):
            assert server.wait_for("disconnect", id=left)["reason"] == (
                "client namespace disconnect")
            assert server.wait_for("event", id=joined, event="echo")["args"][0].startswith(
                "round-")
        assert [(r["namespace"], r["reason"]) for r in of_type(records, "disconnect")][
            :ROUNDS] == [("/chat", "io client disconnect")] * ROUNDS
        assert not [r for r in records if r.get("reason") == "transport close"], records
        # the JS client, the same rounds: one connection, a new /chat Socket each time
        assert oracle["lost"] == [], oracle
        assert len(oracle["rounds"]) == ROUNDS, oracle
        assert len(oracle["engine_ids"]) == 1, oracle
        assert len({r["chat_id"] for r in oracle["rounds"]}) == ROUNDS, oracle
