"""`--parser msgpack` against the Node server using socket.io-msgpack-parser, over
websocket and polling: events and acks with binary, the decoder's refusals compared with
the JS client (with the same parser) on the same packets, and the hint when the parser
option does not match the server's."""

import base64
import concurrent.futures

import msgpack
import pytest

from node_peer import run_oracle, start_node_server
from siocli_run import first_of, json_lines, of_type, run_siocli

TRANSPORTS = ["websocket", "polling"]


def packet_hex(**fields):
    return msgpack.packb(fields).hex()


def run_both(tmp_path, url, transport, *actions, wait="0.6"):
    """siocli (--parser msgpack) and the JS client (its msgpack parser) side by side
    against the same server: (siocli's CompletedProcess, the oracle's records)."""
    ours = ["connect", url, "--parser", "msgpack", "-t", transport, "--json", "--wait", wait,
            "--no-reconnect"]
    theirs = ["--parser", "msgpack", "--transport", transport, "--no-reconnect",
              "--wait-ms", str(int(float(wait) * 1000) + 400)]
    for kind, spec in actions:
        ours += ["-" + kind[0], spec]
        theirs += ["--" + kind, spec]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        siocli = pool.submit(run_siocli, tmp_path, *ours)
        oracle = pool.submit(run_oracle, url, *theirs)
        return siocli.result(), oracle.result()


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_events_acks_and_binary(transport, tmp_path):
    with start_node_server(parser="msgpack") as server:
        with concurrent.futures.ThreadPoolExecutor(2) as pool:
            siocli = pool.submit(
                run_siocli, tmp_path, "connect", server.url, "--parser", "msgpack",
                "-t", transport, "-e", "echo 1 b64:AAEC", "-c", 'echo {"a":[1,2.5,null]} hex:ff00',
                "-e", "scenario emit-binary", "--wait", "0.6", "--json")
            oracle = pool.submit(
                run_oracle, server.url, "--parser", "msgpack", "--transport", transport,
                "--call", 'echo {"a":[1,2.5,null]}', "--emit", "scenario emit-binary",
                "--wait-ms", "1000")
            result, js = siocli.result(), oracle.result()
        records = json_lines(result.stdout)
        ours = first_of(records, "connect")["id"]
        server.wait_for("disconnect", reason="client namespace disconnect", id=ours)
        received = server.wait_for("event", event="echo", id=ours)
    assert result.returncode == 0, (result.stdout, result.stderr)
    assert received["args"] == [1, {"$binary": "AAEC"}], "bytes reach the server as a Buffer"
    assert of_type(records, "ack")[0]["args"] == [{"a": [1, 2.5, None]}, {"$binary": "/wA="}]
    assert of_type(js, "ack")[0]["args"] == [{"a": [1, 2.5, None]}]

    def binary_events(stream):
        return [r["args"] for r in of_type(stream, "event") if r["event"] == "binary"]
    assert binary_events(records) == binary_events(js) == [
        [{"$binary": "AAECA/8="}, {"nested": {"$binary": "aGk="}}]]
    echoed = [r["args"] for r in of_type(records, "event") if r["event"] == "echo"]
    assert echoed == [[1, {"$binary": "AAEC"}]]
    assert first_of(records, "connect")["transport"] == transport


def test_trace_shows_msgpack_packets_decoded_with_auth_masked(tmp_path):
    with start_node_server(parser="msgpack") as server:
        result = run_siocli(tmp_path, "connect", server.url, "--parser", "msgpack",
                            "-t", "polling", "--token", "s3cr3t-value", "-c", "echo 7",
                            "--trace", "--json")
        sent = server.wait_for("connection")["auth"]
    assert result.returncode == 0, result.stderr
    packets = of_type(json_lines(result.stdout), "packet")
    connect_out = next(p for p in packets if p["direction"] == "out"
                       and p.get("socketio") == "CONNECT")
    assert connect_out["data"]["token"] != "s3cr3t-value" and sent["token"] == "s3cr3t-value"
    assert "s3cr3t-value" not in result.stdout
    raw = base64.b64decode(connect_out["raw"]["$binary"])
    assert msgpack.unpackb(raw)["data"] == connect_out["data"], "raw bytes masked too"
    ack_in = next(p for p in packets if p["direction"] == "in" and p.get("socketio") == "ACK")
    assert ack_in["data"] == [7] and ack_in["id"] == 1 and ack_in["namespace"] == "/"


REFUSED = {
    "not msgpack": "c1",
    "unknown packet type": packet_hex(type=5, data=["x"], nsp="/"),
    "ack id not an integer": packet_hex(type=2, data=["x"], nsp="/", id="a"),
    "namespace not a string": packet_hex(type=2, data=["x"], nsp=1),
    "event payload not an array": packet_hex(type=2, data={"x": 1}, nsp="/"),
}


@pytest.mark.parametrize("transport", TRANSPORTS)
@pytest.mark.parametrize("case", sorted(REFUSED))
def test_what_the_msgpack_decoder_refuses_is_a_parse_error(case, transport, tmp_path):
    with start_node_server(parser="msgpack") as server:
        result, js = run_both(tmp_path, server.url, transport,
                              ("emit", "scenario raw-binary " + REFUSED[case]))
    assert first_of(js, "disconnect")["reason"] == "parse error", js
    disconnect = first_of(json_lines(result.stdout), "disconnect")
    assert disconnect["reason"] == "parse error", result.stdout
    assert result.returncode == 4


def test_what_the_msgpack_decoder_accepts_arrives(tmp_path):
    nan_and_bytes = packet_hex(type=2, data=["odd", float("nan"), b"\x01", 2.0], nsp="/")
    with start_node_server(parser="msgpack") as server:
        result, js = run_both(tmp_path, server.url, "websocket",
                              ("emit", "scenario raw-binary " + nan_and_bytes))
    assert result.returncode == 0, result.stdout
    assert first_of(js, "event")["event"] == "odd"  # JSON shows JS's NaN as null
    assert first_of(json_lines(result.stdout), "event")["args"] == [
        {"$number": "NaN"}, {"$binary": "AQ=="}, 2.0]


def test_a_reserved_event_name_cannot_fake_a_disconnect(tmp_path):
    # the msgpack parser checks no event names: the JS client hands this to its own
    # `disconnect` listeners (a fake disconnect, reason "x"); siocli refuses it as
    # socket.io-parser does
    forged = packet_hex(type=2, data=["disconnect", "x"], nsp="/")
    with start_node_server(parser="msgpack") as server:
        result, js = run_both(tmp_path, server.url, "websocket",
                              ("emit", "scenario raw-binary " + forged))
    assert first_of(js, "disconnect")["reason"] == "x", js
    disconnects = of_type(json_lines(result.stdout), "disconnect")
    assert [d["reason"] for d in disconnects] == ["parse error"], result.stdout


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_default_parser_against_a_msgpack_server_says_so(transport, tmp_path):
    with start_node_server(parser="msgpack") as server:
        result = run_siocli(tmp_path, "connect", server.url, "-t", transport, "-e", "x",
                            "--connect-timeout", "3", "--json")
    assert result.returncode == 1
    message = first_of(json_lines(result.stdout), "connect_error")["message"]
    assert message.endswith("the server seems to use socket.io-msgpack-parser: "
                            "try --parser msgpack"), message


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_msgpack_parser_against_a_default_server_says_so(transport, tmp_path):
    with start_node_server() as server:
        result = run_siocli(tmp_path, "connect", server.url, "--parser", "msgpack",
                            "-t", transport, "-e", "x", "--connect-timeout", "3", "--json")
    assert result.returncode == 1
    message = first_of(json_lines(result.stdout), "connect_error")["message"]
    assert message.endswith("try without --parser msgpack"), message


def test_a_server_that_answers_gets_no_parser_hint(tmp_path):
    with start_node_server() as server:
        result = run_siocli(tmp_path, "connect", server.url + "/private", "-e", "x", "--json")
    assert result.returncode == 1
    assert "parser" not in first_of(json_lines(result.stdout), "connect_error")["message"]


@pytest.mark.parametrize("transport", TRANSPORTS)
def test_the_server_ack_request_is_answered_with_bytes(transport, tmp_path):
    with start_node_server(parser="msgpack") as server:
        result = run_siocli(tmp_path, "connect", server.url, "--parser", "msgpack",
                            "-t", transport, "-e", "scenario ask question 1",
                            "--ack-reply", "question=42 b64:AAE=", "--wait", "0.5", "--json")
        answered = server.wait_for("ack", event="question")
    assert result.returncode == 0, result.stderr
    request = first_of(json_lines(result.stdout), "event")
    assert (request["event"], request["args"], request["ack"]) == ("question", [1], 0)
    assert answered["args"] == [42, {"$binary": "AAE="}] and answered["error"] is None
