"""Pure unit tests: records, reasons, settings, connect-error wording, backoff."""

import asyncio
import errno
import json
import re

import aiohttp
import pytest

from siocli import records
from siocli.auth import masked, masked_headers
from siocli.client import reasons
from siocli.client.connect_errors import describe_failure
from siocli.client.wire import packet_namespace, packet_record
from siocli.errors import UsageError
from siocli.settings import build_auth, parse_headers, split_url


def test_record_has_type_ts_namespace_first():
    record = records.connect("/chat", "abc", "websocket", 0)
    assert list(record)[:3] == ["type", "ts", "namespace"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["ts"])
    assert record == {**record, "id": "abc", "connected": True, "transport": "websocket",
                      "attempt": 0}


def test_unknown_record_type_is_refused():
    with pytest.raises(ValueError):
        records.make("made_up", "/")


def test_bytes_anywhere_are_binary_objects():
    line = records.to_json(records.event("/", "file", [b"\x00\x01", {"nested": [b"hi"]}]))
    assert json.loads(line)["args"] == [{"$binary": "AAE="}, {"nested": [{"$binary": "aGk="}]}]


def test_every_reason_has_the_docs_description():
    assert set(reasons.DESCRIPTIONS) == {
        "io server disconnect", "io client disconnect", "ping timeout", "transport close",
        "transport error", "parse error"}
    assert reasons.DELIBERATE == {"io server disconnect", "io client disconnect"}


@pytest.mark.parametrize("facts, library, expected", [
    (dict(server_disconnected={"/"}), "server disconnect", "io server disconnect"),
    (dict(client_closing=True), "client disconnect", "io client disconnect"),
    (dict(ping_timed_out=True), "client disconnect", "ping timeout"),
    (dict(undecodable_frame=True), "transport error", "transport error"),
    (dict(transport_failed=True), "transport error", "transport error"),
    (dict(undecodable_packet=True), "client disconnect", "parse error"),
    (dict(transport_closed=True), "transport error", "transport close"),
    (dict(engine_close_packet=True), "server disconnect", "transport close"),
    (dict(), "server disconnect", "transport close"),
    (dict(), "transport error", "transport error"),
])
def test_js_reason_from_wire_facts(facts, library, expected):
    assert reasons.js_reason(reasons.WireFacts(**facts), "/", library) == expected


def test_server_disconnect_of_another_namespace_is_not_ours():
    facts = reasons.WireFacts(server_disconnected={"/chat"}, transport_closed=True)
    assert reasons.js_reason(facts, "/", "transport error") == "transport close"
    assert reasons.js_reason(facts, "/chat", "server disconnect") == "io server disconnect"


@pytest.mark.parametrize("url, server, namespace", [
    ("http://localhost:3000", "http://localhost:3000", "/"),
    ("ws://localhost:3000/chat", "http://localhost:3000", "/chat"),
    ("wss://example.com/admin/?a=1", "https://example.com?a=1", "/admin"),
    ("localhost:3000", "http://localhost:3000", "/"),
])
def test_url_path_is_the_namespace(url, server, namespace):
    assert split_url(url) == (server, namespace)


def test_query_is_merged():
    assert split_url("http://h:1/?a=1", [("b", "2")]) == ("http://h:1?a=1&b=2", "/")


@pytest.mark.parametrize("url", ["ftp://host", "http://", "http://host:notaport"])
def test_bad_urls_are_usage_errors(url):
    with pytest.raises(UsageError):
        split_url(url)


def test_auth_is_built_from_json_pairs_and_token(tmp_path):
    path = tmp_path / "auth.json"
    path.write_text('{"user": "ann"}')
    assert build_auth(["n=42", "name=bob", 'o={"a":1}'], "@" + str(path), "t0k") == {
        "user": "ann", "n": 42, "name": "bob", "o": {"a": 1}, "token": "t0k"}
    assert build_auth() is None
    with pytest.raises(UsageError, match="KEY=VALUE"):
        build_auth(["novalue"])
    with pytest.raises(UsageError, match="JSON object"):
        build_auth(auth_json="[1]")


def test_headers():
    assert parse_headers(["X-A: 1", "Authorization:Bearer x"]) == {
        "X-A": "1", "Authorization": "Bearer x"}
    with pytest.raises(UsageError):
        parse_headers(["nocolon"])


def test_masking_hides_every_auth_value():
    shown = masked({"token": "supersecret", "user": {"name": "ann"}, "n": 12345})
    assert "supersecret" not in json.dumps(shown)
    assert shown["token"].startswith("su") and "*" in shown["token"]
    assert masked_headers({"Authorization": "Bearer abcdef", "X-Trace": "1"}) == {
        "Authorization": "Be********", "X-Trace": "1"}


def test_refused_connection_is_worded_for_people():
    exc = aiohttp.ClientConnectorError(
        connection_key=None, os_error=ConnectionRefusedError(errno.ECONNREFUSED, "refused"))
    message, data = describe_failure(exc, "Cannot connect", "http://127.0.0.1:9", "/socket.io")
    assert message == "connection refused by 127.0.0.1:9 (is the server running?)"
    assert data is None


def test_http_status_and_timeout_wording():
    message, _ = describe_failure(None, "Unexpected status code 404 in server response",
                                  "http://h:80", "/socket.io")
    assert message == "HTTP 404 from h:80/socket.io/ (is --path right?)"
    message, _ = describe_failure(asyncio.TimeoutError(), "timeout", "https://h", "/socket.io")
    assert message == "timeout while connecting to h:443"


def test_packet_namespace_and_trace_decoding():
    assert packet_namespace("/chat,") == "/chat"
    assert packet_namespace("") == "/"
    record = packet_record("in", '42/chat,7["hi",{"a":1}]')
    assert (record["namespace"], record["engine"], record["socketio"], record["id"],
            record["data"]) == ("/chat", "MESSAGE", "EVENT", 7, ["hi", {"a": 1}])
    assert packet_record("in", "2")["engine"] == "PING"
    assert packet_record("in", "zzz")["engine"] == "UNDECODABLE"
