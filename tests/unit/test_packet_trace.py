"""Unit tests of siocli.client.trace (packet records) and siocli.client.engine_session
(headers and messages of the handshake)."""

from siocli.client.engine_session import cookie_masked, shown_headers
from siocli.client.engine_wire import said_in
from siocli.client.trace import PacketTrace, decode_frame

PACKET_FIELDS = ["type", "ts", "namespace", "direction", "raw", "engine", "socketio", "id",
                 "data", "attachments"]


def traced(*frames, direction="in"):
    written = []
    trace = PacketTrace(written.append)
    for frame in frames:
        trace.frame(direction, frame)
    return written


def test_a_packet_record_has_exactly_the_spec_fields():
    record = decode_frame("in", '42/chat,7["hi",{"a":1}]')
    assert list(record) == PACKET_FIELDS
    assert (record["namespace"], record["engine"], record["socketio"], record["id"],
            record["data"], record["attachments"]) == ("/chat", "MESSAGE", "EVENT", 7,
                                                       ["hi", {"a": 1}], 0)
    assert decode_frame("in", "2")["engine"] == "PING"
    assert decode_frame("out", "2probe")["data"] == "probe"
    assert decode_frame("in", "zzz")["engine"] == "UNDECODABLE"
    assert decode_frame("in", "41/chat,")["namespace"] == "/chat"
    assert decode_frame("in", "40")["namespace"] == "/"


def test_a_binary_packet_is_written_with_its_attachments_in_place():
    header = '452-/private,3["file",{"_placeholder":true,"num":1},{"_placeholder":true,"num":0}]'
    written = traced(header, b"\x00\x01", "b/w==")
    assert [record["socketio"] for record in written] == ["BINARY_EVENT", "ATTACHMENT",
                                                         "ATTACHMENT"]
    packet = written[0]
    assert (packet["namespace"], packet["id"], packet["attachments"]) == ("/private", 3, 2)
    assert packet["data"] == ["file", b"\xff", b"\x00\x01"]
    assert packet["raw"] == header
    assert [(r["namespace"], r["id"], r["raw"]) for r in written[1:]] == [
        ("/private", 3, b"\x00\x01"), ("/private", 3, "b/w==")]


def test_a_binary_packet_cut_short_is_shown_as_it_came():
    written = traced('451-["x",{"_placeholder":true,"num":0}]', "2")
    assert [record["engine"] for record in written] == ["MESSAGE", "PING"]
    assert written[0]["data"] == ["x", {"_placeholder": True, "num": 0}]


def test_the_auth_of_an_outgoing_connect_is_masked_in_data_and_raw():
    record = decode_frame("out", '40/admin,{"token":"s3cret-value","user":"ann"}')
    assert record["data"] == {"token": "s3********", "user": "ann"}
    assert "s3cret-value" not in record["raw"] and '"user":"ann"' in record["raw"]


def test_handshake_headers_mask_secrets_but_not_protocol_headers():
    headers = shown_headers([("Set-Cookie", "io=abcdef123; Path=/; HttpOnly"),
                             ("Set-Cookie", "AWSALB=zzzzzzzz; Path=/"),
                             ("Authorization", "Bearer abcdefgh"),
                             ("Sec-WebSocket-Key", "A+CFzfPx/kDQ3TivDTi3kA=="),
                             ("Access-Control-Allow-Credentials", "true")])
    assert headers["Set-Cookie"] == ["io=ab*******; Path=/; HttpOnly", "AWSALB=zz******; Path=/"]
    assert headers["Authorization"] == "Be********"
    assert headers["Sec-WebSocket-Key"] == "A+CFzfPx/kDQ3TivDTi3kA=="
    assert headers["Access-Control-Allow-Credentials"] == "true"
    assert cookie_masked("a=12345; b=1") == "a=12***; b=1"


def test_the_server_message_of_a_refused_handshake():
    assert said_in(b'{"code":4,"message":"not today"}') == "not today"
    assert said_in(b"<html><head><title>400 The plain HTTP request was sent to HTTPS "
                   b"port</title></head></html>") == (
        "400 The plain HTTP request was sent to HTTPS port")
    assert said_in(b"Not Found\n") == "Not Found"
    assert said_in('"Unsupported transport"') == "Unsupported transport"


def test_msgpack_packets_are_shown_decoded():
    import base64

    import msgpack

    def msgpack_traced(frame, direction="in"):
        written = []
        PacketTrace(written.append, msgpack=True).frame(direction, frame)
        return written

    raw = msgpack.packb({"type": 2, "data": ["hi", b"\x01"], "nsp": "/chat", "id": 3})
    [record] = msgpack_traced(raw)
    assert list(record) == PACKET_FIELDS
    assert (record["raw"], record["namespace"], record["socketio"], record["id"],
            record["data"]) == (raw, "/chat", "EVENT", 3, ["hi", b"\x01"])
    [polled] = msgpack_traced("b" + base64.b64encode(raw).decode())  # a polling packet
    assert polled["raw"] == raw and polled["data"] == ["hi", b"\x01"]
    assert msgpack_traced(b"\xc1")[0]["socketio"] == "UNDECODABLE"
    connect = msgpack.packb({"type": 0, "data": {"token": "s3cr3t", "pid": "p"}, "nsp": "/"})
    [shown] = msgpack_traced(connect, "out")
    assert shown["data"] == {"token": "s3****", "pid": "p"}
    assert b"s3cr3t" not in shown["raw"]
    assert msgpack_traced("2")[0]["engine"] == "PING"  # text frames as ever


def test_payloads_are_read_as_the_checks_read_them_and_records_stay_strict_json():
    import json

    from siocli import records

    refused = decode_frame("in", '42["x",NaN]')  # the JS client refuses it: shown as it came
    assert refused["data"] == '["x",NaN]'
    long_number = "9" * 5000  # beyond Python's 4,300 digits: a JavaScript Number
    record = decode_frame("in", '42["x",%s,1e999999]' % long_number)
    assert record["data"] == ["x", float("inf"), float("inf")]
    line = records.to_json(record)
    assert json.loads(line, parse_constant=lambda name: 1 / 0)["data"] == [
        "x", {"$number": "Infinity"}, {"$number": "Infinity"}]


def test_a_masked_msgpack_connect_is_written_by_the_encoder_that_sent_it():
    from siocli.client import hooks, packets

    packet_class = hooks.msgpack_packet_class(packets.msgpack_ext)
    sent = packet_class(0, data={"token": "s3cr3t-value", "pid": "p"}, namespace="/").encode()
    written = []
    PacketTrace(written.append, msgpack=True).frame("out", sent)
    assert written[0]["raw"] == packet_class(
        0, data={"token": "s3********", "pid": "p"}, namespace="/").encode()
    assert packets.check_msgpack(written[0]["raw"]).payload == written[0]["data"]
