"""What every screen format shows of a record: its clock, its names, its args, its
lifecycle cells — each already safe to show (:class:`~siocli.output.safe_text.Visible`)
and summarised when large."""

from siocli.output.display import (
    NAME_LIMIT,
    SCREEN_LINE_BUDGET,
    display_args,
    display_value,
    shown_event,
    shown_name,
)
from siocli.output.safe_text import Visible, visible_frame, visible_within

LIFECYCLE_COLUMNS = ("time", "event", "namespace", "socket.id", "connected", "reason / detail")
# what a record type carries besides type, ts and namespace is shown by the renderers;
# a type they do not know is shown with these left out
COMMON_FIELDS = ("type", "ts", "namespace")


def clock(record):
    stamp = record.get("ts")
    return stamp[11:23] if isinstance(stamp, str) else ""


def namespace_of(record, default="/"):
    return shown_name(record.get("namespace") or default)


def event_of(record):
    return shown_event(record.get("event", ""))


def compact_args(args):
    return display_args(args)


def ack_request_of(record):
    """What an incoming event shows when the server asked for an ack ("" otherwise); a
    `reply` record's ack id."""
    ack = record.get("ack")
    if ack is None or ack is False or ack is True:  # `serve` says only whether one was asked
        return ""
    if record["type"] == "reply":
        return "(ack %s)" % shown_name(ack)
    return "[awaits reply, ack %s]" % shown_name(ack)


def message_of(record):
    return visible_within(record.get("message", ""), SCREEN_LINE_BUDGET)


def raw_of(record):
    """A packet's raw frame as it was on the wire (controls escaped), summarised; bytes
    as their size and first bytes."""
    raw = record.get("raw")
    if isinstance(raw, str):
        return visible_frame(raw, SCREEN_LINE_BUDGET)
    if isinstance(raw, dict) and isinstance(raw.get("$binary"), str):  # read from a file
        return Visible("<binary: %s>" % visible_within(raw["$binary"], 60))
    return display_value(raw)


def seconds_of_day(record):
    """The record's time of day in seconds (from its ``ts``), or None."""
    stamp = record.get("ts")
    try:
        return (int(stamp[11:13]) * 3600 + int(stamp[14:16]) * 60 + int(stamp[17:19])
                + int(stamp[20:23]) / 1000.0)
    except (TypeError, ValueError, IndexError):
        return None


class PacketGaps:
    """The time since the previous packet, for each packet shown (a renderer's state)."""

    def __init__(self):
        self._previous = None

    def __call__(self, record):
        now = seconds_of_day(record)
        previous, self._previous = self._previous, now
        if now is None or previous is None:
            return Visible("      -")
        gap = now - previous
        if gap < 0:
            gap += 86400  # past midnight
        if gap < 1:
            return Visible("%5dms" % round(gap * 1000))
        return Visible("%6.2fs" % gap if gap < 1000 else "%6.0fs" % gap)


def packet_arrow(record):
    return "<<" if record.get("direction") == "in" else ">>"


def packet_decoded(record):
    """``MESSAGE BINARY_EVENT /chat id=1 attachments=2``: what the frame means."""
    parts = [shown_name(record.get("engine") or "?")]
    if record.get("socketio"):
        parts.append(shown_name(record["socketio"]))
        parts.append(namespace_of(record))
    if record.get("id") is not None:
        parts.append("id=%s" % shown_name(record["id"]))
    if record.get("attachments"):
        parts.append("attachments=%s" % shown_name(record["attachments"]))
    return Visible(" ".join(parts))


def handshake_summary(record):
    """``GET /socket.io/?EIO=4&transport=polling -> 200  sid=...  pingInterval=25000``."""
    headers = record.get("headers") if isinstance(record.get("headers"), dict) else {}
    request = headers.get("request") if isinstance(headers.get("request"), dict) else {}
    parts = ["%s %s -> %s" % (shown_name(request.get(":method", "?")),
                              shown_name(request.get(":path", "?"), SCREEN_LINE_BUDGET // 4),
                              shown_name(record.get("status")))]
    for field, label in (("sid", "sid"), ("upgrades", "upgrades"),
                         ("ping_interval", "pingInterval"), ("ping_timeout", "pingTimeout"),
                         ("max_payload", "maxPayload")):
        if record.get(field) is not None:
            parts.append("%s=%s" % (label, display_value(record[field], NAME_LIMIT)
                                    if field == "upgrades" else shown_name(record[field])))
    return Visible("  ".join(parts))


def handshake_header_lines(record):
    """``> Name: value`` for each request header, then ``< Name: value`` for the response."""
    headers = record.get("headers") if isinstance(record.get("headers"), dict) else {}
    lines = []
    for side, mark in (("request", ">"), ("response", "<")):
        fields = headers.get(side) if isinstance(headers.get(side), dict) else {}
        for name, value in fields.items():
            if str(name).startswith(":"):
                continue
            for one in value if isinstance(value, list) else [value]:
                lines.append(Visible("%s %s: %s" % (mark, shown_name(name), visible_within(
                    one if isinstance(one, str) else display_value(one), SCREEN_LINE_BUDGET))))
    return lines


def lifecycle_detail(record):
    kind = record["type"]
    if kind == "connect":
        detail = "via %s" % shown_name(record.get("transport"))
        if record.get("attempt"):
            detail += ", reconnection attempt %s" % shown_name(record["attempt"])
        if record.get("recovered") is True:
            detail += ", state recovered"
    elif kind == "connect_error":
        detail = visible_within(record.get("message", ""), SCREEN_LINE_BUDGET // 2)
        if record.get("data") is not None:
            detail += "  data: " + display_value(record["data"], SCREEN_LINE_BUDGET // 2)
    elif kind == "disconnect":
        detail = "%s: %s" % (shown_name(record.get("reason")),
                             shown_name(record.get("description"), SCREEN_LINE_BUDGET))
        # will_reconnect is the JS Manager's: whether it reconnects on its own
        detail += (" (reconnecting automatically)" if record.get("will_reconnect")
                   else " (no automatic reconnection)")
    elif kind == "reconnect_attempt":
        detail = "attempt %s in %ss" % (shown_name(record.get("attempt")),
                                        _seconds(record.get("delay")))
    elif kind == "reconnect_failed":
        attempts = record.get("attempts")
        detail = "gave up after %s attempt%s" % (shown_name(attempts),
                                                 "" if attempts == 1 else "s")
    else:
        detail = other_fields(record)
    return Visible(detail)


def lifecycle_cells(record):
    """(time, event, namespace, socket.id, connected, detail) of a lifecycle record."""
    kind = record["type"]
    sid, connected = "", "no"
    if kind == "connect":
        sid, connected = shown_name(record.get("id")), "yes"
    return (Visible(clock(record)), shown_name(kind), namespace_of(record, ""),
            Visible(sid), Visible(connected), lifecycle_detail(record))


def other_fields(record):
    """``key=value`` for each field of a record beyond type, ts and namespace."""
    parts = []
    budget = SCREEN_LINE_BUDGET
    for key, value in record.items():
        if key in COMMON_FIELDS:
            continue
        if budget <= 0:
            parts.append("\u2026")
            break
        text = "%s=%s" % (shown_name(key, NAME_LIMIT), display_value(value, budget))
        budget -= len(text)
        parts.append(text)
    return Visible("  ".join(parts))


def skipped_text(counts):
    total = sum(counts.values())
    top = ", ".join("%s x%s" % (shown_name(name, 40), format(count, ","))
                    for name, count in counts.most_common(3))
    return Visible("... %s more record%s not shown on screen (%s); --record/`record FILE` "
                   "and --json keep every one" % (format(total, ","), "" if total == 1 else "s",
                                                  top))


def _seconds(value):
    try:
        return "%.1f" % value
    except (TypeError, ValueError):
        return shown_name(value)
