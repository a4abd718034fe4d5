"""Records: everything siocli observes, as plain dicts (SPEC "Records").

A record is a dict with ``type``, ``ts`` and ``namespace`` first, then the fields its
type carries. Bytes anywhere inside are encoded as ``{"$binary": "<base64>"}`` in JSON.

Every record line is strict JSON (RFC 8259, valid UTF-8), even when the server sent
what only a lenient decoder accepts. python-socketio's decoder takes ``NaN``,
``Infinity`` and ``-Infinity`` and strings holding half a surrogate pair (a JS string
cut in the middle of an emoji, ``"\\ud83d"``); neither can be written as strict JSON,
so they are written as tagged objects that keep what the server sent:

- ``NaN``, ``Infinity``, ``-Infinity`` become ``{"$number": "NaN"}``,
  ``{"$number": "Infinity"}``, ``{"$number": "-Infinity"}``.
- A string holding lone surrogates becomes ``{"$utf16": TEXT, "replaced": UNITS}``:
  TEXT is the string with each lone surrogate replaced by U+FFFD, and UNITS lists, for
  each U+FFFD in TEXT in order, the UTF-16 code unit it stands for (an int, 55357 for
  ``\\ud83d``), or null where the server sent U+FFFD itself. Putting each code unit
  back in place of its U+FFFD gives the exact string; this needs no offsets (which
  JS and Python count differently) and stays small for a long string with one bad
  character. A surrogate pair written as two code points is one character in UTF-16
  and is joined, not tagged. Event names, namespaces and messages follow the same
  rule, so such a field holds an object instead of a string.
- Dict keys must stay strings: a key's lone surrogates are replaced by U+FFFD, without
  a record of the units (that is lossy, and the only lossy case).
- Something that cannot be encoded at all becomes ``{"$unencodable": "<reason>"}`` in
  its place, and the rest of the record is kept: a value nested deeper than
  MAX_DEPTH levels, a circular reference, an integer too long for ``int`` to text
  conversion, an object of a type JSON has no form for. A record is never lost.

The ordinary record costs one C-speed ``json`` encoding and a UTF-8 check of the line
when it is not ASCII; only a record that fails those takes the converting walk, which
is iterative (no recursion) so that deep nesting cannot make it fail.

A server could send an object that already looks like one of these tags
(``{"$number": "NaN"}``); such an object is written as it is, as with ``$binary``.

:func:`from_json` reads a record line back, each tag turned into the value it stands
for (bytes, the float, the exact string): the inverse of :func:`to_json`.
"""

import base64
import functools
import json
import re
import time

LIFECYCLE_TYPES = frozenset(
    {"connect", "connect_error", "disconnect", "reconnect_attempt", "reconnect_failed"}
)
RECORD_TYPES = LIFECYCLE_TYPES | {"event", "emit", "ack", "ack_timeout", "reply", "packet",
                                  "handshake",
                                  "error", "bench", "doctor"}


def timestamp(now=None):
    """ISO 8601 in UTC with milliseconds: ``2026-11-25T20:16:49.123Z``."""
    now = time.time() if now is None else now
    whole = int(now)
    return "%s.%03dZ" % (_utc_second(whole), int((now - whole) * 1000))


@functools.lru_cache(maxsize=4)
def _utc_second(whole):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole))


def make(record_type, namespace, **fields):
    if record_type not in RECORD_TYPES:
        raise ValueError("unknown record type: %s" % record_type)
    record = {"type": record_type, "ts": timestamp(), "namespace": namespace}
    record.update(fields)
    return record


def connect(namespace, sid, transport, attempt, recovered=False):
    return make("connect", namespace, id=sid, connected=True, transport=transport, attempt=attempt,
                recovered=recovered)


def connect_error(namespace, message, data=None):
    return make("connect_error", namespace, message=message, data=data)


def disconnect(namespace, reason, description, will_reconnect):
    return make("disconnect", namespace, reason=reason, description=description,
                will_reconnect=will_reconnect)


def reconnect_attempt(namespace, attempt, delay):
    return make("reconnect_attempt", namespace, attempt=attempt, delay=round(delay, 3))


def reconnect_failed(namespace, attempts):
    return make("reconnect_failed", namespace, attempts=attempts)


def event(namespace, name, args, ack=None):
    """An incoming event; ``ack``: the server's ack id when it asked for an answer."""
    return make("event", namespace, event=name, args=list(args), ack=ack)


def reply(namespace, name, ack, args):
    """The client's answer to the server's ack request ``ack`` (for event ``name``)."""
    return make("reply", namespace, event=name, ack=ack, args=list(args))


def emit(namespace, name, args):
    return make("emit", namespace, event=name, args=list(args))


def ack(namespace, name, args, rtt_ms):
    return make("ack", namespace, event=name, args=list(args), rtt_ms=round(rtt_ms, 1))


def ack_timeout(namespace, name, timeout):
    return make("ack_timeout", namespace, event=name, timeout=timeout)


def error(namespace, message, **fields):
    return make("error", namespace, message=message, **fields)


DISCONNECTED_CALL = "socket has been disconnected before %r was acknowledged"


def disconnected_call(namespace, name):
    """The `error` ending a call whose socket was disconnected before its ack came."""
    return error(namespace, DISCONNECTED_CALL % (name,), event=name)


def is_disconnected_call(record):
    """Whether ``record`` (as read back) is the `error` of :func:`disconnected_call`."""
    message = record.get("message")
    return (record.get("type") == "error" and "event" in record and isinstance(message, str)
            and message.startswith(DISCONNECTED_CALL.partition("%r")[0]))


def bench(namespace, **fields):
    """The summary of a `siocli bench` run; its fields are listed in docs/reference.md
    (built by siocli/modes/bench.py)."""
    return make("bench", namespace, **fields)


def doctor(namespace, step, status, value, fix=None, ms=None, data=None):
    """One step of `siocli doctor`: ``status`` "pass", "fail" or "skipped", the value
    measured, on a failure the fix, and the step's facts (docs/reference.md)."""
    return make("doctor", namespace, step=step, status=status, value=value, fix=fix, ms=ms,
                data=data)


MAX_DEPTH = 500  # levels below the record; Python's own json reads up to about 990

RECORD_SEPARATORS = (",", ":")
DISPLAY_SEPARATORS = (", ", ": ")

_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SURROGATE_OR_REPLACEMENT = re.compile(r"[\ud800-\udfff\ufffd]")
_write_string = json.encoder.encode_basestring  # escapes quotes, backslashes, controls only


def _encode_binary(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$binary": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def _strict_encoder(separators):
    return json.JSONEncoder(ensure_ascii=False, allow_nan=False, separators=separators,
                            default=_encode_binary)


_RECORD_ENCODER = _strict_encoder(RECORD_SEPARATORS)
_DISPLAY_ENCODER = _strict_encoder(DISPLAY_SEPARATORS)


def to_json(record):
    """One JSON Lines line (without the newline): strict JSON, never raises."""
    return _strict_json(record, _RECORD_ENCODER)


def json_value(value):
    """A value as strict JSON text for display (as in records), never raises."""
    return _strict_json(value, _DISPLAY_ENCODER)


def from_json(line):
    """A record line read back: ``$binary``, ``$number`` and ``$utf16`` objects become
    the bytes, float and string they stand for (anything else is left as it is)."""
    return json.loads(line, object_hook=_untagged)


_NON_FINITE = {"NaN": float("nan"), "Infinity": float("inf"), "-Infinity": float("-inf")}


def _untagged(value):
    """The value a tagged object stands for; any other object unchanged."""
    if len(value) == 1:
        if isinstance(value.get("$binary"), str):
            try:
                return base64.b64decode(value["$binary"], validate=True)
            except ValueError:  # binascii.Error is one
                return value
        number = value.get("$number")
        if isinstance(number, str) and number in _NON_FINITE:
            return _NON_FINITE[number]
    elif len(value) == 2 and isinstance(value.get("$utf16"), str) and isinstance(
            value.get("replaced"), list):
        return _with_code_units(value)
    return value


def _with_code_units(tagged):
    """The exact string of a ``$utf16`` object: each U+FFFD of its text given back the
    code unit ``replaced`` lists for it (null: a U+FFFD the server sent)."""
    pieces = tagged["$utf16"].split("\ufffd")
    units = tagged["replaced"]
    if len(units) != len(pieces) - 1 or not all(
            unit is None or (type(unit) is int and 0xD800 <= unit <= 0xDFFF) for unit in units):
        return tagged
    out = [pieces[0]]
    for unit, piece in zip(units, pieces[1:], strict=True):
        out.append("\ufffd" if unit is None else chr(unit))
        out.append(piece)
    return "".join(out)


def _strict_json(value, encoder):
    try:
        text = encoder.encode(value)
        if not text.isascii():
            text.encode("utf-8")  # raises on a lone surrogate
        if not _deeper_than_allowed(text):
            return text
    except Exception:  # NaN, lone surrogate, deep nesting, unknown type: convert instead
        pass
    separators = (encoder.item_separator, encoder.key_separator)
    try:
        return _StrictWriter(*separators).write(value)
    except Exception as error:
        return _last_resort(value, error, separators)


# unrolled: a regex step per run of plain characters, not one per character
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_BRACKETS = re.compile(r"[\[\]{}]")


def _deeper_than_allowed(text):
    """Whether encoded ``text`` nests more than MAX_DEPTH levels, the record's own
    included, as _StrictWriter counts them (how deep json's encoder goes depends on the
    Python version: 3.12's goes much deeper than 3.11's)."""
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return False
    depth = 0
    for bracket in _BRACKETS.findall(_JSON_STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > MAX_DEPTH:
            return True
    return False


def _last_resort(value, error, separators):
    """The record's identity and why it could not be written, rather than nothing."""
    kept = {}
    try:
        for field in ("type", "ts", "namespace"):
            if isinstance(value.get(field), str):
                kept[field] = _without_lone_surrogates(value[field])
    except Exception:
        pass
    kept["$unencodable"] = _reason(error)
    return json.dumps(kept, ensure_ascii=False, separators=separators)


def _reason(error):
    try:
        reason = "%s: %s" % (type(error).__name__, error)
    except Exception:  # an exception whose text cannot be made
        reason = type(error).__name__
    return _without_lone_surrogates(reason)[:200]


def _without_lone_surrogates(text):
    if _LONE_SURROGATE.search(text) is None:
        return text
    return _LONE_SURROGATE.sub("\ufffd", _join_surrogate_pairs(text))


def _join_surrogate_pairs(text):
    """Two surrogate code points forming a pair are one character in UTF-16: join them."""
    return text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")


def _non_finite_name(number):
    if number != number:
        return "NaN"
    if number in (_INFINITY, -_INFINITY):
        return "Infinity" if number > 0 else "-Infinity"
    return None


_INFINITY = float("inf")
_WRITE_TEXT, _WRITE_VALUE, _LEAVE_CONTAINER = range(3)


class _StrictWriter:
    """Strict JSON text for any value, with an explicit stack instead of recursion."""

    def __init__(self, item_separator, key_separator):
        self.item_separator = item_separator
        self.key_separator = key_separator

    def write(self, value):
        out = []
        pending = [(_WRITE_VALUE, value, 0)]
        open_containers = set()  # ids of the containers on the path: a repeat is a cycle
        while pending:
            step, item, depth = pending.pop()
            if step == _WRITE_TEXT:
                out.append(item)
            elif step == _LEAVE_CONTAINER:
                open_containers.discard(item)
            elif isinstance(item, (dict, list, tuple)):
                out.append(self._open(item, depth, pending, open_containers))
            else:
                try:
                    out.append(self._leaf(item))
                except Exception as error:
                    out.append(self._unencodable(_reason(error)))
        return "".join(out)

    def _open(self, container, depth, pending, open_containers):
        """The opening text; the members and the closing text are pushed on ``pending``."""
        if depth >= MAX_DEPTH:
            return self._unencodable("nested deeper than %d levels" % MAX_DEPTH)
        if id(container) in open_containers:
            return self._unencodable("circular reference")
        is_dict = isinstance(container, dict)
        try:
            members = list(container.items()) if is_dict else list(container)
        except Exception as error:
            return self._unencodable(_reason(error))
        open_containers.add(id(container))
        pending.append((_LEAVE_CONTAINER, id(container), depth))
        pending.append((_WRITE_TEXT, "}" if is_dict else "]", depth))
        for position in range(len(members) - 1, -1, -1):
            separator = self.item_separator if position else ""
            if is_dict:
                key, member = members[position]
                pending.append((_WRITE_VALUE, member, depth + 1))
                pending.append((_WRITE_TEXT, separator + self._key(key) + self.key_separator,
                                depth))
            else:
                pending.append((_WRITE_VALUE, members[position], depth + 1))
                if separator:
                    pending.append((_WRITE_TEXT, separator, depth))
        return "{" if is_dict else "["

    def _leaf(self, value):
        if isinstance(value, str):
            return self._string(value)
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int):
            try:
                return int.__repr__(value)
            except ValueError:  # beyond sys.get_int_max_str_digits()
                return self._unencodable("integer of %d bits, too long to write"
                                         % value.bit_length())
        if isinstance(value, float):
            name = _non_finite_name(value)
            return float.__repr__(value) if name is None else self._tagged(
                ("$number", '"%s"' % name))
        if isinstance(value, (bytes, bytearray, memoryview)):
            return self._tagged(("$binary", '"%s"' % _encode_binary(value)["$binary"]))
        return self._unencodable("%s has no JSON form" % type(value).__name__)

    def _string(self, text):
        if _LONE_SURROGATE.search(text) is None:
            return _write_string(text)
        text = _join_surrogate_pairs(text)
        if _LONE_SURROGATE.search(text) is None:
            return _write_string(text)
        units = [None if found.group() == "\ufffd" else ord(found.group())
                 for found in _SURROGATE_OR_REPLACEMENT.finditer(text)]
        replaced = "[%s]" % self.item_separator.join(
            "null" if unit is None else str(unit) for unit in units)
        return self._tagged(("$utf16", _write_string(_LONE_SURROGATE.sub("\ufffd", text))),
                            ("replaced", replaced))

    def _key(self, key):
        if isinstance(key, str):
            text = _without_lone_surrogates(key)
        elif key is None or key is True or key is False:
            text = {None: "null", True: "true", False: "false"}[key]
        elif isinstance(key, float):
            text = _non_finite_name(key) or float.__repr__(key)
        elif isinstance(key, int):
            try:
                text = int.__repr__(key)
            except ValueError:
                text = "$unencodable: integer key of %d bits" % key.bit_length()
        else:
            text = "$unencodable: key of type %s" % _without_lone_surrogates(type(key).__name__)
        return _write_string(text)

    def _unencodable(self, reason):
        return self._tagged(("$unencodable", _write_string(_without_lone_surrogates(reason))))

    def _tagged(self, *fields):
        """A small object from (key, JSON text of the value) pairs."""
        return "{%s}" % self.item_separator.join(
            _write_string(key) + self.key_separator + value_text for key, value_text in fields)
