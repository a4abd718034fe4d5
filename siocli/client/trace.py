"""--trace: every Engine.IO frame as a `packet` record, decoded as the protocols define it.

A record per frame, in wire order, each with SPEC's fields: ``direction``, ``raw`` (the
frame as it was: text, or bytes for a websocket binary frame), ``engine``, ``socketio``,
``namespace``, ``id``, ``data`` and ``attachments`` (an int). A Socket.IO packet reads

    <type>[<attachments>-][<namespace>,][<ack id>][<JSON data>]

A binary packet (BINARY_EVENT, BINARY_ACK) is followed by its attachments, one frame
each (binary on a websocket, ``b<base64>`` in a polling payload). Its record is written
once they are all in, with its placeholders replaced by the bytes, followed by a record
per attachment frame (``socketio`` "ATTACHMENT", the namespace, ack id and attachment
count of the packet it belongs to). The auth payload of an outgoing CONNECT is masked in
both ``data`` and ``raw``.

With --parser msgpack every Socket.IO packet is one binary frame: a msgpack map (type,
nsp, data, id) that the record decodes; ``raw`` is its bytes.
"""

import binascii
import json

from siocli import records
from siocli.auth import masked
from siocli.client import hooks, packets

ENGINE_TYPES = {"0": "OPEN", "1": "CLOSE", "2": "PING", "3": "PONG", "4": "MESSAGE",
                "5": "UPGRADE", "6": "NOOP"}
SOCKETIO_TYPES = {"0": "CONNECT", "1": "DISCONNECT", "2": "EVENT", "3": "ACK",
                  "4": "CONNECT_ERROR", "5": "BINARY_EVENT", "6": "BINARY_ACK"}
BINARY_TYPES = ("5", "6")
UNDECODABLE = "UNDECODABLE"
ATTACHMENT = "ATTACHMENT"


def packet(direction, raw, engine, socketio=None, namespace=None, id=None, data=None,
           attachments=0):
    return records.make("packet", namespace, direction=direction, raw=raw, engine=engine,
                        socketio=socketio, id=id, data=data, attachments=attachments)


def decode_socketio(direction, frame):
    """The `packet` record of an Engine.IO MESSAGE carrying a Socket.IO packet (text)."""
    body = frame[1:]
    kind = body[:1]
    fields = {"socketio": SOCKETIO_TYPES.get(kind, UNDECODABLE), "namespace": "/"}
    rest = body[1:]
    if kind in BINARY_TYPES:
        count, dash, after = rest.partition("-")
        if dash and count.isdigit() and count.isascii():
            fields["attachments"], rest = int(count), after
    if rest.startswith("/"):
        namespace, comma, after = rest.partition(",")
        fields["namespace"], rest = namespace, after if comma else ""
    digits = 0
    while digits < len(rest) and rest[digits].isascii() and rest[digits].isdigit():
        digits += 1
    if digits:
        fields["id"], rest = int(rest[:digits]), rest[digits:]
    if rest:
        try:
            fields["data"] = packets.js_loads(rest)  # the numbers the checks read
        except (ValueError, RecursionError):
            fields["data"] = rest  # the JS client would refuse it: shown as it came
    if fields["socketio"] == "CONNECT" and direction == "out" and "data" in fields:
        fields["data"] = masked(fields["data"])  # the auth payload
        frame = frame[:len(frame) - len(rest)] + json.dumps(
            fields["data"], ensure_ascii=False, separators=(",", ":"))
    return packet(direction, frame, "MESSAGE", **fields)


def decode_frame(direction, frame):
    """The `packet` record of one Engine.IO frame (an attachment is decoded elsewhere)."""
    kind = frame[:1]
    if kind == "4" and len(frame) > 1:
        return decode_socketio(direction, frame)
    engine = ENGINE_TYPES.get(kind, UNDECODABLE)
    data = frame[1:] or None if engine != UNDECODABLE else None
    if kind == "0" and data:
        try:
            data = json.loads(data)
        except ValueError:
            pass
    return packet(direction, frame, engine, data=data)


def attachment_bytes(frame):
    """The bytes of an attachment frame (as siocli reads it: packets.binary_frame), or
    None when its ``b<base64>`` cannot be decoded."""
    try:
        return packets.binary_frame(frame)
    except (binascii.Error, ValueError):
        return None


def is_attachment(frame):
    return isinstance(frame, (bytes, bytearray, memoryview)) or frame[:1] == "b"


def fill_placeholders(value, attachments):
    """``value`` with each ``{"_placeholder": true, "num": N}`` replaced by attachment N."""
    if isinstance(value, list):
        return [fill_placeholders(item, attachments) for item in value]
    if isinstance(value, dict):
        number = value.get("num")
        if value.get("_placeholder") is True and type(number) is int \
                and 0 <= number < len(attachments) and attachments[number] is not None:
            return attachments[number]
        return {key: fill_placeholders(item, attachments) for key, item in value.items()}
    return value


def decode_msgpack(direction, frame):
    """The `packet` record of a socket.io-msgpack-parser packet (a binary frame)."""
    raw = attachment_bytes(frame)
    try:
        decoded = packets.msgpack_loads(raw) if raw is not None else None
    except Exception:  # any malformed msgpack
        decoded = None
    if not isinstance(decoded, dict):
        return packet(direction, raw if raw is not None else frame, "MESSAGE", UNDECODABLE)
    fields = {"socketio": SOCKETIO_TYPES.get(str(decoded.get("type")), UNDECODABLE),
              "namespace": decoded["nsp"] if isinstance(decoded.get("nsp"), str) else None,
              "data": decoded.get("data")}
    if type(decoded.get("id")) is int:
        fields["id"] = decoded["id"]
    if fields["socketio"] == "CONNECT" and direction == "out" and "data" in decoded:
        fields["data"] = masked(decoded["data"])  # the auth payload
        raw = masked_msgpack_connect(decoded, fields["data"])
    return packet(direction, raw, "MESSAGE", **fields)


def masked_msgpack_connect(decoded, data):
    """The bytes of an outgoing msgpack CONNECT with its auth ``data`` masked, written by
    the encoder that sent it (python-socketio's packet, as hooks configures it)."""
    packet_class = hooks.msgpack_packet_class(packets.msgpack_ext)
    namespace = decoded["nsp"] if isinstance(decoded.get("nsp"), str) else None
    return packet_class(int(packets.CONNECT), data=data, namespace=namespace).encode()


class PacketTrace:
    """Writes a `packet` record per frame, each direction's binary packets put together
    (``msgpack``: each binary frame is a whole socket.io-msgpack-parser packet)."""

    def __init__(self, emit_record, msgpack=False):
        self._msgpack = msgpack
        self._emit_record = emit_record
        self._pending = {"in": None, "out": None}  # (header record, [attachment records])

    def reset(self, show=True):
        """A new connection: a binary packet left incomplete is shown as it came (or
        forgotten, when ``show`` is false: the trace was turned off meanwhile)."""
        for direction in self._pending:
            if show:
                self._flush(direction)
            self._pending[direction] = None

    def frame(self, direction, frame):
        if self._msgpack and is_attachment(frame):
            self._emit_record(decode_msgpack(direction, frame))
            return
        if is_attachment(frame):
            self._attachment(direction, frame)
            return
        self._flush(direction)  # a text frame ends any packet still waiting (broken)
        record = decode_frame(direction, frame)
        if record["socketio"] in ("BINARY_EVENT", "BINARY_ACK") and record["attachments"]:
            self._pending[direction] = (record, [])
        else:
            self._emit_record(record)

    def _attachment(self, direction, frame):
        raw = bytes(frame) if not isinstance(frame, str) else frame
        pending = self._pending[direction]
        if pending is None:  # an attachment nobody announced: the JS client refuses it
            self._emit_record(packet(direction, raw, "MESSAGE", ATTACHMENT))
            return
        header, parts = pending
        parts.append(packet(direction, raw, "MESSAGE", ATTACHMENT, header["namespace"],
                            header["id"], None, header["attachments"]))
        if len(parts) == header["attachments"]:
            self._flush(direction)

    def _flush(self, direction):
        pending = self._pending[direction]
        if pending is None:
            return
        self._pending[direction] = None
        header, parts = pending
        if len(parts) == header["attachments"]:
            header["data"] = fill_placeholders(
                header["data"], [attachment_bytes(part["raw"]) for part in parts])
        self._emit_record(header)
        for part in parts:
            self._emit_record(part)
