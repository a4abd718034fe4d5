"""client/wire.py: which packets the wire delivers itself (a websocket's plain events and
acks) and which it leaves to python-socketio, with their payloads decoded once."""

import asyncio

import pytest

from siocli.client import packets
from siocli.client.wire import Wire


@pytest.fixture
def loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


def wire_for(loop, listening=("/",), msgpack=False):
    delivered = []
    wire = Wire(loop, lambda record: None, lambda: None, lambda: False,
                listening=lambda namespace: namespace in listening, msgpack=msgpack,
                deliver=lambda *packet: delivered.append(packet))
    wire.frame_in('0{"sid":"s","pingInterval":25000,"pingTimeout":20000}', True)
    if msgpack:
        wire.frame_in(packets.msgpack.packb({"type": 0, "nsp": "/", "data": {"sid": "a"}}), True)
    else:
        wire.frame_in('40{"sid":"a"}', True)
    return wire, delivered


def test_a_websocket_event_without_ack_id_is_delivered_and_hidden_from_python_socketio(loop):
    wire, delivered = wire_for(loop)
    assert wire.frame_in('42["tick",{"i":1}]', True) is False
    assert delivered == [(packets.EVENT, "/", None, ["tick", {"i": 1}])]


def test_a_websocket_ack_is_delivered_with_its_id_as_it_came(loop):
    wire, delivered = wire_for(loop, listening=("/", "/chat"))
    assert wire.frame_in('43/chat,17["ok"]', True) is False
    assert delivered == [(packets.ACK, "/chat", "17", ["ok"])]


@pytest.mark.parametrize("frame", [
    '4212["question"]',  # an ack request: python-socketio's path (take_over_events_and_acks)
    '43["no id"]',  # an ACK without id: python-socketio's path, where siocli ignores it
    '451-["bin",{"_placeholder":true,"num":0}]',  # a binary event, with its attachment
    '41',  # DISCONNECT
    '44{"message":"no"}',  # CONNECT_ERROR
])
def test_other_packets_go_to_python_socketio(loop, frame):
    wire, delivered = wire_for(loop)
    assert wire.frame_in(frame, True) is True
    assert delivered == []


def test_over_polling_every_packet_goes_to_python_socketio_decoded_once(loop):
    wire, delivered = wire_for(loop)
    assert wire.frame_in('42["tick",{"i":1}]') is True
    assert wire.frame_in('43["ok"]') is True
    assert delivered == []
    first = wire.decoded.loads('["tick",{"i":1}]')
    assert first == ["tick", {"i": 1}]
    assert wire.decoded.loads('["ok"]') == ["ok"]


def test_a_namespace_nobody_listens_to_gets_nothing_delivered(loop):
    wire, delivered = wire_for(loop)
    assert wire.frame_in('42/other,["tick"]', True) is False
    assert wire.frame_in('43/other,1["ok"]', True) is False
    assert delivered == []


def test_a_refused_packet_is_not_delivered(loop):
    wire, delivered = wire_for(loop)
    assert wire.frame_in('42["disconnect"]', True) is False  # a reserved name: parse error
    assert wire.parse_error and delivered == []
    assert wire.frame_in('42["tick"]', True) is False  # nothing after it, as in JS
    assert delivered == []


def test_with_msgpack_nothing_is_delivered_by_the_wire(loop):
    wire, delivered = wire_for(loop, msgpack=True)
    frame = packets.msgpack.packb({"type": 2, "nsp": "/", "data": ["tick"]})
    assert wire.frame_in(frame, True) is True
    assert delivered == []
