"""`siocli connect` against a Socket.IO 2.x server (npm socket.io@2, Engine.IO 3): one
`connect_error` that names it, exit 1 at once, no retry, over every transport.

The JS client (socket.io-client 4.8) says so over websocket ("It seems you are trying
to reach a Socket.IO server in v2.x with a v3.x client, but they are not compatible")
and retries on "server error" over polling; siocli names the server on both, and does
not retry what no retry can fix."""

import pytest

from doctor_peers import start_doctor_server
from node_peer import run_oracle
from siocli_run import json_lines, run_siocli

MESSAGE = ("this is a Socket.IO 2.x server (Engine.IO 3); siocli speaks Socket.IO 3/4 "
           "(protocol v5), as socket.io-client 3 and later do: upgrade the server, or use a "
           "2.x client")


@pytest.fixture(scope="module")
def v2_server():
    with start_doctor_server("--v2") as server:
        yield server


@pytest.mark.parametrize("transports", [("websocket",), ("polling",), ()])
def test_a_socketio_2_server_is_named_and_not_retried(v2_server, transports, tmp_path):
    options = [option for transport in transports for option in ("-t", transport)]
    result = run_siocli(tmp_path, "connect", v2_server.url, *options, "-e", "hello", "--json",
                        "--connect-timeout", "20", timeout=15)
    assert result.returncode == 1, result.stderr
    records = json_lines(result.stdout)
    assert records == [{"type": "connect_error", "ts": records[0]["ts"], "namespace": "/",
                        "message": MESSAGE, "data": None}]


def test_every_namespace_is_refused_with_the_same_words(v2_server, tmp_path):
    result = run_siocli(tmp_path, "connect", v2_server.url, "-n", "/chat", "-t", "websocket",
                        "-e", "hello", "--json", timeout=15)
    assert result.returncode == 1
    records = json_lines(result.stdout)
    assert [(r["type"], r["namespace"], r["message"]) for r in records] == [
        ("connect_error", "/", MESSAGE), ("connect_error", "/chat", MESSAGE)]


def test_the_js_client_also_names_it_over_websocket(v2_server):
    records = run_oracle(v2_server.url, "--transport", "websocket", "--wait-ms", "500")
    errors = [record for record in records if record["type"] == "connect_error"]
    assert errors[0]["message"].startswith(
        "It seems you are trying to reach a Socket.IO server in v2.x with a v3.x client")
