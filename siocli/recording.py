"""A recording (`--record` JSON Lines) read back for `siocli replay`: what was sent, when,
on which namespace, and which of the sends were calls (no heavy imports).

Every outgoing event is an `emit` record. A call (`--call`, REPL `call`) writes its
`emit` when sent and later one of: its `ack` (with ``rtt_ms``), its `ack_timeout` (with
``timeout``), or an `error` saying the socket was disconnected before the ack came. Such
an ending record belongs to the emit of its namespace and event, still unmatched, that
was sent closest to ``ts - rtt_ms`` (``ts - timeout`` for a timeout): the time its call
started. Other records (events, packets, lifecycle) are not replayed.
"""

import dataclasses
import datetime
import math

from siocli import records
from siocli.errors import UsageError
from siocli.grammar import RESERVED_EVENTS

MAX_RECORDING_BYTES = 256 * 1024 * 1024


@dataclasses.dataclass
class Sent:
    """One emit of the recording, to be sent again."""

    line: int  # in the file, 1-based
    namespace: str
    event: object  # str, or a number (as JS allows)
    args: tuple
    at: float  # seconds since the recording's first emit
    call: bool = False
    ended_line: int = None  # a call: the line of its ack, ack_timeout or error


def read_recording(path):
    """The emits of the recording at ``path``, in order; UsageError (one line) when it
    cannot be read, is not JSON Lines of records, or holds no emit."""
    try:
        with open(path, "rb") as stream:
            data = stream.read(MAX_RECORDING_BYTES + 1)
    except OSError as exc:
        raise UsageError("cannot read the recording %s: %s" % (path, exc.strerror or exc)) from None
    if len(data) > MAX_RECORDING_BYTES:
        raise UsageError("the recording %s is larger than %d MiB" % (
            path, MAX_RECORDING_BYTES >> 20))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise UsageError("%s line %d: not UTF-8 text (is it a --record file?)" % (path, line)) \
            from None
    sent, endings = [], []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        record = _record(path, number, line)
        kind = record.get("type")
        if kind == "emit":
            sent.append(_sent(path, number, record))
        elif kind in ("ack", "ack_timeout") or records.is_disconnected_call(record):
            endings.append((number, record))
    if not sent:
        raise UsageError("%s holds no emit records: nothing to replay (record a session with "
                         "`siocli connect ... --record FILE`)" % path)
    _mark_calls(sent, endings)
    start = sent[0].at
    for item in sent:
        item.at = max(0.0, item.at - start)
    return sent


def _record(path, number, line):
    try:
        record = records.from_json(line)  # bytes, NaN and exact strings as they were
    except (ValueError, RecursionError):
        raise UsageError("%s line %d: not a JSON record (is it a --record file?)"
                         % (path, number)) from None
    if not isinstance(record, dict) or not isinstance(record.get("type"), str):
        raise UsageError("%s line %d: a record is a JSON object with a \"type\"" % (path, number))
    return record


def _sent(path, number, record):
    event, args, namespace = record.get("event"), record.get("args"), record.get("namespace")
    if not isinstance(event, (str, int, float)) or isinstance(event, bool) or event == "":
        raise UsageError("%s line %d: an emit record needs an event name" % (path, number))
    if event in RESERVED_EVENTS:
        raise UsageError("%s line %d: %r is a reserved event name and cannot be emitted"
                         % (path, number, event))
    if not isinstance(args, list):
        raise UsageError("%s line %d: an emit record's args must be a list" % (path, number))
    if not isinstance(namespace, str) or not namespace.startswith("/"):
        raise UsageError("%s line %d: an emit record needs a namespace (\"/...\")"
                         % (path, number))
    if _holds_non_finite([event, args]):
        raise UsageError("%s line %d: an emit record holds NaN or Infinity, which JSON cannot "
                         "carry (a server refuses the packet)" % (path, number))
    return Sent(number, namespace, event, tuple(args),
                _seconds(path, number, record))


def _holds_non_finite(value):
    """Whether NaN or ±Infinity is anywhere inside ``value`` (walked without recursion)."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, float) and not math.isfinite(item):
            return True
        if isinstance(item, list):
            pending.extend(item)
        elif isinstance(item, dict):
            pending.extend(item.values())
    return False


def _seconds(path, number, record):
    stamp = record.get("ts")
    try:
        when = datetime.datetime.fromisoformat(str(stamp).replace("Z", "+00:00"))
    except ValueError:
        raise UsageError("%s line %d: ts %r is not an ISO 8601 time" % (path, number, stamp)) \
            from None
    return when.timestamp()


def _mark_calls(sent, endings):
    """Mark the emits that were calls, each with the line of the record that ended it."""
    for number, record in endings:
        try:
            ended = _seconds("", number, record)
        except UsageError:
            continue
        took = record.get("rtt_ms", 0) / 1000.0 if record["type"] == "ack" else (
            record.get("timeout", 0) if record["type"] == "ack_timeout" else None)
        candidates = [item for item in sent if item.line < number and not item.call
                      and item.namespace == record.get("namespace")
                      and item.event == record.get("event")]
        if not candidates:
            continue
        if isinstance(took, (int, float)) and not isinstance(took, bool):
            started = ended - took
            chosen = min(candidates, key=lambda item: (abs(item.at - started), -item.line))
        else:
            chosen = candidates[-1]  # disconnected: the latest call still waiting
        chosen.call, chosen.ended_line = True, number
