"""Unit tests of siocli.client.wire: packet namespaces and the packet trace."""

from siocli.client.wire import packet_namespace, packet_record


def test_packet_namespace_and_trace_decoding():
    assert packet_namespace("/chat,") == "/chat"
    assert packet_namespace("") == "/"
    record = packet_record("in", '42/chat,7["hi",{"a":1}]')
    assert (record["namespace"], record["engine"], record["socketio"], record["id"],
            record["data"]) == ("/chat", "MESSAGE", "EVENT", 7, ["hi", {"a": 1}])
    assert packet_record("in", "2")["engine"] == "PING"
    assert packet_record("in", "zzz")["engine"] == "UNDECODABLE"
