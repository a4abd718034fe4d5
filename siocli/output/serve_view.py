"""How `siocli serve` shows its records on a screen (rich or plain; json is the Output's).

Like the client's view, but every row names the client's socket.id, a connect shows the
auth (masked) and where it came from, and an event says whether it was acknowledged.
Everything here but the clock and the arrows was chosen by a client (its event names,
auth, headers, query, address): all of it is made safe to show.
"""

from siocli.output.cells import clock, compact_args, event_of, namespace_of
from siocli.output.display import NAME_LIMIT, SCREEN_LINE_BUDGET, display_value, shown_name
from siocli.output.safe_text import Visible, counted, visible_within

LIFECYCLE_STYLES = {"connect": "bold green", "connect_error": "bold red",
                    "disconnect": "bold yellow"}
SERVE_COLUMNS = ("time", "event", "namespace", "socket.id", "detail")
SERVE_WIDTHS = (12, 13, 10, 20)
DETAIL_PART_LIMIT = SCREEN_LINE_BUDGET // 4


def short_json(value, budget=DETAIL_PART_LIMIT):
    """A value as display JSON, safe to show, summarised past ``budget`` characters."""
    return display_value(value, budget)


def lifecycle_detail(record):
    kind = record["type"]
    parts = []
    if kind == "connect":
        parts.append("via %s" % shown_name(record.get("transport")))
    elif kind == "connect_error":
        text = visible_within(record.get("message", ""), DETAIL_PART_LIMIT)
        if record.get("data") is not None:
            text += "  data: " + short_json(record["data"])
        parts.append(text)
        if record.get("hint"):
            parts.append(visible_within(record["hint"], DETAIL_PART_LIMIT))
    elif kind == "disconnect":
        parts.append("%s: %s" % (shown_name(record.get("reason")),
                                 shown_name(record.get("description"), DETAIL_PART_LIMIT)))
    if kind in ("connect", "connect_error"):
        if record.get("auth") is not None:
            parts.append("auth " + short_json(record["auth"]))
        if record.get("query"):
            parts.append("query " + short_json(record["query"]))
        if record.get("remote"):
            parts.append("from " + shown_name(record["remote"]))
        headers = record.get("headers")
        agent = headers.get("User-Agent") if isinstance(headers, dict) else None
        if agent:
            parts.append(shown_name(agent, DETAIL_PART_LIMIT))
    return Visible(", ".join(parts))


def message_parts(record):
    """(arrow, who, suffix) of an event or emit record."""
    if record["type"] == "event":
        return "<-", shown_name(record.get("id", "")), "(acked)" if record.get("ack") else ""
    to = record.get("to")
    if to == "*":
        who = "all (%s)" % counted(record.get("clients", 0), "client")
    else:
        who = "to " + shown_name(to)
    return "->", who, ""


def plain_line(record):
    kind = record["type"]
    namespace = namespace_of(record)
    if kind in LIFECYCLE_STYLES:
        parts = [clock(record), kind, namespace]
        if record.get("id"):
            parts.append("id=" + shown_name(record["id"]))
        parts.append(lifecycle_detail(record))
        return "  ".join(parts)
    if kind in ("event", "emit"):
        arrow, who, suffix = message_parts(record)
        return "  ".join(filter(None, [clock(record), arrow, namespace, who, event_of(record),
                                       compact_args(record.get("args", ())), suffix]))
    return None


class ServeView:
    """Wraps the Output's renderer; what serve does not render itself goes to it."""

    def __init__(self, output):
        self.inner = output.renderer
        self.is_rich = output.format == "rich"
        self._header_shown = False

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def record(self, record):
        kind = record["type"]
        if kind not in LIFECYCLE_STYLES and kind not in ("event", "emit"):
            return self.inner.record(record)
        if not self.is_rich:
            return plain_line(record) + "\n"
        if kind in LIFECYCLE_STYLES:
            return self._lifecycle(record)
        return self._message(record)

    def _lifecycle(self, record):
        from rich.text import Text

        kind = record["type"]
        cells = (Text(clock(record)), Text(kind, style=LIFECYCLE_STYLES[kind]),
                 Text(namespace_of(record)), Text(shown_name(record.get("id") or "", NAME_LIMIT)),
                 lifecycle_detail(record))
        text = self.inner.row(SERVE_COLUMNS, SERVE_WIDTHS, cells, not self._header_shown)
        self._header_shown = True
        return text

    def _message(self, record):
        arrow, who, suffix = message_parts(record)
        style = "bold cyan" if arrow == "<-" else "bold magenta"
        head = ((clock(record) + " ", "dim"), (arrow + " ", style), (namespace_of(record), "blue"),
                (" ", None), (who, "dim"), (" ", None), (event_of(record), "bold"), (" ", None))
        tail = ((" " + suffix, "green"),) if suffix else ()
        return self.inner.rich.message(head, compact_args(record.get("args", ())), tail)
