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
from siocli.output.safe_text import Visible, visible_within

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


def message_of(record):
    return visible_within(record.get("message", ""), SCREEN_LINE_BUDGET)


def raw_of(record):
    """A packet's raw text (or bytes), summarised."""
    return display_value(record.get("raw"))


def lifecycle_detail(record):
    kind = record["type"]
    if kind == "connect":
        detail = "via %s" % shown_name(record.get("transport"))
        if record.get("attempt"):
            detail += ", reconnection attempt %s" % shown_name(record["attempt"])
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
