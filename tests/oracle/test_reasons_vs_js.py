"""Every disconnect scenario, over websocket and polling: siocli reports what the
official JS client (socket.io-client, the oracle) reports against the same Node server."""

import concurrent.futures

import pytest

from node_peer import run_oracle, start_node_server
from siocli_run import first_of, json_lines, of_type, run_siocli

SCENARIOS = ["server-disconnect", "namespace-disconnect", "conn-close", "destroy",
             "block 1500", "garbage", "garbage-sio", "kill"]


def run_both(tmp_path, url, oracle_url, transport, scenario):
    """siocli against ``url`` and the JS client against ``oracle_url``, side by side:
    (siocli's CompletedProcess, the oracle's records)."""
    siocli_args = ["connect", url, "-t", transport, "-e", "scenario " + scenario, "--wait", "1.2",
                   "--reconnect-attempts", "1", "--reconnect-delay", "5", "--json"]
    oracle_args = ["--transport", transport, "--emit", "scenario " + scenario,
                   "--reconnection-attempts", "1", "--reconnection-delay", "5000",
                   "--wait-ms", "1200"]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        ours = pool.submit(run_siocli, tmp_path, *siocli_args)
        theirs = pool.submit(run_oracle, oracle_url, *oracle_args)
        return ours.result(), theirs.result()


def servers_for(scenario):
    """One server for both clients; `kill` ends its server, so each client gets one."""
    first = start_node_server(ping_interval_ms=300, ping_timeout_ms=200)
    if scenario != "kill":
        with first as server:
            yield server, server
        return
    with first as server, start_node_server(ping_interval_ms=300, ping_timeout_ms=200) as other:
        yield server, other


@pytest.mark.parametrize("transport", ["websocket", "polling"])
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_reason_matches_the_js_client(scenario, transport, tmp_path):
    for ours, theirs in servers_for(scenario):
        result, oracle = run_both(tmp_path, ours.url, theirs.url, transport, scenario)
    records = json_lines(result.stdout)
    expected = first_of(oracle, "disconnect")
    assert expected is not None, oracle
    disconnects = of_type(records, "disconnect")
    assert disconnects, (records, result.stderr)
    assert disconnects[0]["reason"] == expected["reason"], (records, oracle)
    assert disconnects[0]["will_reconnect"] == expected["will_reconnect"]
    assert result.returncode == 4, "a lost connection ends the run with exit code 4"
    assert result.stderr.splitlines() == [
        "siocli: warning: exit 4: / lost its connection at %s (%s) and it was not back "
        "before the run ended" % (disconnects[0]["ts"][11:23], disconnects[0]["reason"])]


@pytest.mark.parametrize("transport", ["websocket", "polling"])
def test_client_disconnect_matches(transport, tmp_path):
    with start_node_server() as server:
        result = run_siocli(tmp_path, "connect", server.url, "-t", transport, "-c", "echo 1",
                            "--json")
        oracle = run_oracle(server.url, "--transport", transport, "--disconnect-after", "100")
    assert result.returncode == 0, result.stderr
    records = json_lines(result.stdout)
    assert of_type(records, "disconnect")[-1]["reason"] == first_of(oracle, "disconnect")["reason"]
    assert of_type(records, "disconnect")[-1]["will_reconnect"] is False
