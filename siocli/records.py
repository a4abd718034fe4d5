"""Records: everything siocli observes, as plain dicts (SPEC "Records").

A record is a dict with ``type``, ``ts`` and ``namespace`` first, then the fields its
type carries. Bytes anywhere inside are encoded as ``{"$binary": "<base64>"}`` in JSON.
"""

import base64
import json
import time

LIFECYCLE_TYPES = frozenset(
    {"connect", "connect_error", "disconnect", "reconnect_attempt", "reconnect_failed"}
)
RECORD_TYPES = LIFECYCLE_TYPES | {"event", "emit", "ack", "ack_timeout", "packet", "error"}


def timestamp(now=None):
    """ISO 8601 in UTC with milliseconds: ``2026-11-25T20:16:49.123Z``."""
    now = time.time() if now is None else now
    whole = int(now)
    millis = int((now - whole) * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)) + ".%03dZ" % millis


def make(record_type, namespace, **fields):
    if record_type not in RECORD_TYPES:
        raise ValueError("unknown record type: %s" % record_type)
    record = {"type": record_type, "ts": timestamp(), "namespace": namespace}
    record.update(fields)
    return record


def connect(namespace, sid, transport, attempt):
    return make("connect", namespace, id=sid, connected=True, transport=transport, attempt=attempt)


def connect_error(namespace, message, data=None):
    return make("connect_error", namespace, message=message, data=data)


def disconnect(namespace, reason, description, will_reconnect):
    return make("disconnect", namespace, reason=reason, description=description,
                will_reconnect=will_reconnect)


def reconnect_attempt(namespace, attempt, delay):
    return make("reconnect_attempt", namespace, attempt=attempt, delay=round(delay, 3))


def reconnect_failed(namespace, attempts):
    return make("reconnect_failed", namespace, attempts=attempts)


def event(namespace, name, args):
    return make("event", namespace, event=name, args=list(args))


def emit(namespace, name, args):
    return make("emit", namespace, event=name, args=list(args))


def ack(namespace, name, args, rtt_ms):
    return make("ack", namespace, event=name, args=list(args), rtt_ms=round(rtt_ms, 1))


def ack_timeout(namespace, name, timeout):
    return make("ack_timeout", namespace, event=name, timeout=timeout)


def error(namespace, message, **fields):
    return make("error", namespace, message=message, **fields)


def _encode_binary(value):
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$binary": base64.b64encode(bytes(value)).decode("ascii")}
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def to_json(record):
    """One JSON Lines line (without the newline)."""
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=_encode_binary)


def json_value(value):
    """A value as JSON text, bytes as ``{"$binary": ...}`` (for display)."""
    return json.dumps(value, ensure_ascii=False, default=_encode_binary)
