"""What socket.io-client's decoder (socket.io-parser 4.2) accepts of a Socket.IO packet.

The JS client closes the connection with `parse error` when its decoder throws; siocli
checks every incoming packet the same way before python-socketio sees it, so that
nothing the JS client would refuse can reach a handler (an event named `disconnect`
must not fake a lifecycle record). Numbers follow JavaScript: any length of digits is a
number (a long one is Infinity), NaN and Infinity are not JSON.
"""

import collections
import json
import math
import re

from siocli.grammar import RESERVED_EVENTS

CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR, BINARY_EVENT, BINARY_ACK = "0123456"
LONGEST_EXACT_INT = 300  # digits; longer integers become floats, as in JavaScript


Checked = collections.namedtuple("Checked", "kind namespace attachments payload")


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
        return json.dumps(value, **options)


def check(body, decoded=None):
    """The :data:`Checked` type digit, namespace, attachment count and decoded payload
    of a Socket.IO packet's text (an Engine.IO MESSAGE's data); Rejected where
    socket.io-parser's decodeString throws. The payload also goes to ``decoded`` (a
    DecodedOnce) for python-socketio."""
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
    data = body[digits:]
    payload = None
    if data:
        try:
            payload = js_loads(data)
        except (ValueError, RecursionError):
            raise Rejected("invalid payload") from None
    _check_payload(kind, payload, bool(data))
    if decoded is not None and data:
        decoded.keep(data, payload)
    return Checked(kind, namespace, attachments, payload)


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
