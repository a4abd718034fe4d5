"""How `siocli serve` shows its records on a screen (rich or plain; json is the Output's).

Like the client's view, but every row names the client's socket.id, a connect shows the
auth (masked) and where it came from, and an event says whether it was acknowledged.
"""

import json

from siocli import records
from siocli.output.cells import clock, compact_args

LIFECYCLE_STYLES = {"connect": "bold green", "connect_error": "bold red",
                    "disconnect": "bold yellow"}


def short_json(value):
    return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))


def lifecycle_detail(record):
    kind = record["type"]
    parts = []
    if kind == "connect":
        parts.append("via %s" % record.get("transport"))
    elif kind == "connect_error":
        text = record["message"]
        if record.get("data") is not None:
            text += "  data: " + records.json_value(record["data"])
        parts.append(text)
        if record.get("hint"):
            parts.append(record["hint"])
    elif kind == "disconnect":
        parts.append("%s: %s" % (record["reason"], record["description"]))
    if kind in ("connect", "connect_error"):
        if record.get("auth") is not None:
            parts.append("auth " + short_json(record["auth"]))
        if record.get("query"):
            parts.append("query " + short_json(record["query"]))
        if record.get("remote"):
            parts.append("from " + record["remote"])
        agent = (record.get("headers") or {}).get("User-Agent")
        if agent:
            parts.append(agent)
    return ", ".join(parts)


def message_parts(record):
    """(arrow, who, suffix) of an event or emit record."""
    if record["type"] == "event":
        return "<-", record.get("id", ""), "(acked)" if record.get("ack") else ""
    to = record.get("to")
    if to == "*":
        count = record.get("clients", 0)
        who = "all (%d client%s)" % (count, "" if count == 1 else "s")
    else:
        who = "to " + str(to)
    return "->", who, ""


def plain_line(record):
    kind = record["type"]
    namespace = record.get("namespace") or "/"
    if kind in LIFECYCLE_STYLES:
        parts = [clock(record), kind, namespace]
        if record.get("id"):
            parts.append("id=" + record["id"])
        parts.append(lifecycle_detail(record))
        return "  ".join(parts)
    if kind in ("event", "emit"):
        arrow, who, suffix = message_parts(record)
        return "  ".join(filter(None, [clock(record), arrow, namespace, who, record["event"],
                                       compact_args(record["args"]), suffix]))
    return None


class ServeView:
    """Wraps the Output's renderer; what serve does not render itself goes to it."""

    def __init__(self, output):
        self.inner = output.renderer
        self._stream = output.stream_getter
        self.rich = output.format == "rich"
        self._header_shown = False
        if self.rich:
            from rich.highlighter import JSONHighlighter

            self._json = JSONHighlighter()

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def record(self, record):
        kind = record["type"]
        if kind not in LIFECYCLE_STYLES and kind not in ("event", "emit"):
            self.inner.record(record)
        elif not self.rich:
            self._stream().write(plain_line(record) + "\n")
        elif kind in LIFECYCLE_STYLES:
            self._lifecycle(record)
        else:
            self._message(record)

    def _lifecycle(self, record):
        from rich.markup import escape
        from rich.table import Table

        table = Table(box=None, show_header=not self._header_shown, padding=(0, 1),
                      header_style="bold", expand=False)
        for name, width in (("time", 12), ("event", 13), ("namespace", 10), ("socket.id", 20),
                            ("detail", None)):
            table.add_column(name, min_width=width, no_wrap=width is not None)
        kind = record["type"]
        table.add_row(clock(record), "[%s]%s[/]" % (LIFECYCLE_STYLES[kind], kind),
                      escape(record.get("namespace") or "/"), escape(record.get("id") or ""),
                      escape(lifecycle_detail(record)))
        self._header_shown = True
        self.inner.console.print(table)

    def _message(self, record):
        from rich.text import Text

        arrow, who, suffix = message_parts(record)
        style = "bold cyan" if arrow == "<-" else "bold magenta"
        text = Text.assemble((clock(record) + " ", "dim"), (arrow + " ", style),
                             (record.get("namespace") or "/", "blue"), " ", (who, "dim"), " ",
                             (record["event"], "bold"), " ")
        text.append_text(self._json(Text(compact_args(record["args"]))))
        if suffix:
            text.append(" " + suffix, "green")
        self.inner.console.print(text, soft_wrap=True)
