"""siocli.client.packets.check_msgpack: what socket.io-msgpack-parser 3 (notepack.io)
accepts, and notepack.io's extension types."""

import msgpack
import pytest

from siocli.client import packets


def pack(**fields):
    return msgpack.packb(fields)


UNDEFINED = msgpack.ExtType(0, b"\x00")  # notepack.io's undefined


@pytest.mark.parametrize("fields", [
    dict(type=2, data=["x", float("nan"), b"\x01"], nsp="/"),
    dict(type=2, data=[7], nsp="/chat", id=2.0),  # Number.isInteger(2.0)
    dict(type=3, data=[], nsp="/", id=1),
    dict(type=0, data={"sid": "a", "pid": UNDEFINED}, nsp="/"),
    dict(type=0, nsp="/"),
    dict(type=1, nsp="/"),
    dict(type=1, data=UNDEFINED, nsp="/"),
    dict(type=4, data="refused", nsp="/"),
    dict(type=2, data=["x"], nsp="/", id=UNDEFINED),
])
def test_accepted(fields):
    checked = packets.check_msgpack(pack(**fields))
    assert checked.namespace == fields["nsp"] and checked.kind == str(fields["type"])


@pytest.mark.parametrize("data", [
    b"\xc1",  # not msgpack
    b"\x01\x02",  # trailing bytes
    msgpack.packb([2, "/"]),  # not a map
    pack(type=5, data=["x"], nsp="/"),  # no binary types in this parser
    pack(type=2.5, data=["x"], nsp="/"),
    pack(type=True, data=["x"], nsp="/"),
    pack(type=2, data=["x"], nsp=None),
    pack(type=2, data={"x": 1}, nsp="/"),
    pack(type=1, data=None, nsp="/"),  # null is not undefined
    pack(type=0, data="x", nsp="/"),
    pack(type=4, data=[1], nsp="/"),
    pack(type=2, data=["x"], nsp="/", id="1"),
    # beyond the msgpack parser, as socket.io-parser: nothing may fake a lifecycle event
    pack(type=2, data=["disconnect"], nsp="/"),
    pack(type=2, data=[], nsp="/"),
    pack(type=2, data=[{"a": 1}], nsp="/"),
])
def test_refused(data):
    with pytest.raises(packets.Rejected):
        packets.check_msgpack(data)


def test_the_pid_undefined_is_told_from_a_value():
    checked = packets.check_msgpack(pack(type=0, data={"sid": "a", "pid": UNDEFINED}, nsp="/"))
    assert checked.payload["pid"] is packets.UNDEFINED


def test_notepack_extensions():
    assert packets.msgpack_loads(msgpack.packb([UNDEFINED])) == [None]
    epoch_plus = (1_700_000_000_123).to_bytes(8, "big")
    date = msgpack.ExtType(0, epoch_plus)
    assert packets.msgpack_loads(msgpack.packb([date])) == ["2023-11-14T22:13:20.123Z"]
    assert packets.msgpack_loads(msgpack.packb([msgpack.ExtType(0, b"abc")])) == [b"abc"]
    assert packets.msgpack_loads(msgpack.packb([msgpack.ExtType(5, b"z")])) == [[5, b"z"]]


def test_the_parser_probe_reads_answers_of_either_parser():
    from siocli.client import engine_wire, probe_parser

    msgpack_answer = "b" + __import__("base64").b64encode(
        pack(type=0, data={"sid": "x"}, nsp="/chat")).decode()

    def answered(parser, namespace, body):
        return any(probe_parser.namespace_answer(parser, packet, namespace)
                   for packet in engine_wire.packets_of(body))

    assert answered("msgpack", "/chat", "2\x1e" + msgpack_answer)
    assert not answered("msgpack", "/", msgpack_answer)
    assert answered("default", "/", '44{"message":"no"}')
    assert not answered("default", "/", "1")
    assert probe_parser.connect_message("default", "/chat", {}) == "40/chat,"
    assert probe_parser.other_parser_fix("default", "connect") == (
        "the server seems to use socket.io-msgpack-parser: try --parser msgpack")
    assert probe_parser.other_parser_fix("msgpack", "doctor") == (
        "the server seems to use the default parser, not socket.io-msgpack-parser: "
        "leave out --parser msgpack")
