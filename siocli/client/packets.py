"""What socket.io-client's decoder (socket.io-parser 4.2, or socket.io-msgpack-parser 3
with --parser msgpack) accepts of a Socket.IO packet.

The JS client closes the connection with `parse error` when its decoder throws; siocli
checks every incoming packet the same way before python-socketio sees it, so that
nothing the JS client would refuse can reach a handler (an event named `disconnect`
must not fake a lifecycle record). Numbers follow JavaScript: any length of digits is a
number (a long one is Infinity), NaN and Infinity are not JSON.
"""

import base64
import collections
import datetime
import json
import math
import re

import msgpack

from siocli.grammar import RESERVED_EVENTS

CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK = "0123456"
LONGEST_EXACT_INT = 300  # digits; longer integers become floats, as in JavaScript


# ack: the packet's ack id as it came (its digits in a text packet; None without one);
# text: the payload's JSON as it came (None without one, or for msgpack)
Checked = collections.namedtuple("Checked", "kind namespace attachments payload ack text")


class Rejected(ValueError):
    """The JS decoder would throw; the message says why, as socket.io-parser does."""


def _reject_constant(name):
    raise ValueError("%s is not JSON" % name)


def _javascript_int(digits):
    return int(digits) if len(digits) <= LONGEST_EXACT_INT else float(digits)


_LONG_DIGIT_RUN = re.compile(r"\d{%d}" % (LONGEST_EXACT_INT + 1))
# built once: json.loads with options builds a new decoder at every call
_DECODER = json.JSONDecoder(parse_constant=_reject_constant)
_LONG_NUMBER_DECODER = json.JSONDecoder(parse_constant=_reject_constant,
                                        parse_int=_javascript_int)


_COMPACT_OPTIONS = {"separators": (",", ":")}
# as json.dumps with those options, which builds a new encoder at every call
_COMPACT_ENCODER = json.JSONEncoder(**_COMPACT_OPTIONS)


def js_loads(text):
    """JSON.parse: NaN/Infinity refused, integers of any length accepted (a very long one
    as a float, possibly infinite: JavaScript's Number)."""
    if len(text) > LONGEST_EXACT_INT and _LONG_DIGIT_RUN.search(text):
        return _LONG_NUMBER_DECODER.decode(text)
    # json's own integers are exact at any length siocli keeps; parse_int would cost a
    # Python call per number
    return _DECODER.decode(text)


class DecodedOnce:
    """A json module for python-socketio's packets (its public ``json=`` option) that
    reads numbers as JavaScript does, so a 5,000-digit number does not make it drop a
    packet, and that hands over the payloads ``check`` has already decoded instead of
    decoding them a second time (in arrival order; a payload no one asks for, of a
    packet that was dropped, is passed over)."""

    def __init__(self, keep=256):
        self._decoded = collections.deque(maxlen=keep)

    def keep(self, text, payload):
        self._decoded.append((text, payload))

    def loads(self, text, **options):
        decoded = self._decoded
        for position, (kept_text, payload) in enumerate(decoded):
            if kept_text == text:
                for _ in range(position + 1):
                    decoded.popleft()
                return payload
        return js_loads(text)

    @staticmethod
    def dumps(value, **options):
        if options == _COMPACT_OPTIONS:  # every packet python-socketio encodes
            return _COMPACT_ENCODER.encode(value)
        return json.dumps(value, **options)


def check(body):
    """The :data:`Checked` type digit, namespace, attachment count, decoded payload, ack
    id and payload text of a Socket.IO packet's text (an Engine.IO MESSAGE's data);
    Rejected where socket.io-parser's decodeString throws."""
    kind = body[:1]
    if kind not in "0123456" or not kind:
        raise Rejected("unknown packet type %s" % (kind or "(none)"))
    position = 1
    attachments = 0
    if kind in (BINARY_EVENT, BINARY_ACK):
        dash = body.find("-", position)
        count = body[position:dash] if dash >= 0 else ""
        if dash < 0 or not count.isdigit():
            raise Rejected("Illegal attachments")
        attachments, position = int(count), dash + 1
    namespace = "/"
    if body[position:position + 1] == "/":
        comma = body.find(",", position)
        end = comma if comma >= 0 else len(body)
        namespace, position = body[position:end], (end + 1 if comma >= 0 else end)
    digits = position
    while digits < len(body) and body[digits].isdigit() and body[digits].isascii():
        digits += 1
    ack = body[position:digits] or None
    data = body[digits:]
    payload = None
    if data:
        try:
            payload = js_loads(data)
        except (ValueError, RecursionError):
            raise Rejected("invalid payload") from None
    _check_payload(kind, payload, bool(data))
    return Checked(kind, namespace, attachments, payload, ack, data or None)


def _check_payload(kind, payload, present):
    if kind == CONNECT:
        valid = not present or isinstance(payload, dict)
    elif kind == DISCONNECT:
        valid = not present
    elif kind == CONNECT_ERROR:
        valid = isinstance(payload, (str, dict))
    elif kind in (EVENT, BINARY_EVENT):
        valid = (isinstance(payload, list) and len(payload) > 0
                 and (isinstance(payload[0], str) or _is_number(payload[0])))
        if valid and payload[0] in RESERVED_EVENTS:
            raise Rejected("reserved event name %r" % payload[0])
    else:  # ACK, BINARY_ACK
        valid = isinstance(payload, list)
    if not valid:
        raise Rejected("invalid payload")


def _is_number(value):
    return isinstance(value, (int, float)) and not isinstance(value, bool) and (
        not isinstance(value, float) or not math.isnan(value))


# -- socket.io-msgpack-parser ------------------------------------------------------------

UNDEFINED = object()  # JavaScript's undefined, where it differs from null for the checks


def msgpack_ext(code, data, undefined=None):
    """An extension type as notepack.io (socket.io-msgpack-parser's msgpack) decodes it:
    type 0 is undefined (1 byte), a Date (8 bytes: milliseconds, shown as JSON.stringify
    shows it) or an ArrayBuffer (bytes); any other type is [type, bytes]."""
    if code != 0:
        return [code, bytes(data)]
    if len(data) == 1:
        return undefined
    if len(data) == 8:
        millis = int.from_bytes(data[:4], "big", signed=True) * 2 ** 32 + int.from_bytes(
            data[4:], "big")
        try:
            moment = datetime.datetime.fromtimestamp(millis / 1000, datetime.UTC)
        except (OverflowError, OSError, ValueError):
            return millis
        return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (millis % 1000)
    return bytes(data)


def msgpack_loads(data, undefined=None):
    return msgpack.unpackb(data, raw=False, strict_map_key=False, unicode_errors="replace",
                           ext_hook=lambda code, ext: msgpack_ext(code, ext, undefined))


def binary_frame(frame):
    """The bytes of a binary Engine.IO message: a websocket binary frame, or a polling
    payload's ``b<base64>`` packet."""
    if isinstance(frame, (bytes, bytearray, memoryview)):
        return bytes(frame)
    return base64.b64decode(frame[1:])


def check_msgpack(data):
    """As :func:`check`, for a socket.io-msgpack-parser packet (a msgpack map: type, nsp,
    data, id): Rejected where its decoder throws. Beyond it, an event whose name is
    reserved, or that has no string or number for a name, is refused as socket.io-parser
    refuses it: the msgpack parser would hand it to the client's listeners, where an event
    named `disconnect` would fake a lifecycle change."""
    try:
        packet = msgpack_loads(data, undefined=UNDEFINED)
    except Exception:  # msgpack raises several kinds; notepack.io throws on all of them
        raise Rejected("invalid msgpack") from None
    if not isinstance(packet, dict):
        raise Rejected("invalid packet type")
    kind = packet.get("type", UNDEFINED)
    if not _is_integer(kind) or not 0 <= kind <= 4:
        raise Rejected("invalid packet type")
    if not isinstance(packet.get("nsp"), str):
        raise Rejected("invalid namespace")
    payload = packet.get("data", UNDEFINED)
    kind = str(int(kind))
    if kind == CONNECT:
        valid = payload is UNDEFINED or isinstance(payload, dict)
    elif kind == DISCONNECT:
        valid = payload is UNDEFINED
    elif kind == CONNECT_ERROR:
        valid = isinstance(payload, (str, dict))
    else:
        valid = isinstance(payload, list)
    if not valid:
        raise Rejected("invalid payload")
    ack_id = packet.get("id", UNDEFINED)
    if ack_id is not UNDEFINED and not _is_integer(ack_id):
        raise Rejected("invalid packet id")
    if kind == EVENT:
        _check_payload(kind, payload, True)
    return Checked(kind, packet["nsp"], 0, None if payload is UNDEFINED else payload,
                   None if ack_id is UNDEFINED else ack_id, None)


def _is_integer(value):
    """JavaScript's Number.isInteger."""
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())
