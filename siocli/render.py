"""How a record looks on a screen: plain lines, or rich table rows and highlighted JSON."""

from siocli import records

LIFECYCLE_COLUMNS = ("time", "event", "namespace", "socket.id", "connected", "reason / detail")


def clock(record):
    return record["ts"][11:23]


def compact_args(args):
    return " ".join(records.json_value(arg) for arg in args)


def lifecycle_cells(record):
    """(time, event, namespace, socket.id, connected, detail) of a lifecycle record."""
    kind = record["type"]
    sid, connected, detail = "", "no", ""
    if kind == "connect":
        sid, connected = record["id"], "yes"
        detail = "via %s" % record.get("transport")
        if record.get("attempt"):
            detail += ", reconnection attempt %s" % record["attempt"]
    elif kind == "connect_error":
        detail = record["message"]
        if record.get("data") is not None:
            detail += "  data: " + records.json_value(record["data"])
    elif kind == "disconnect":
        detail = "%s: %s" % (record["reason"], record["description"])
        detail += " (reconnecting)" if record["will_reconnect"] else " (not reconnecting)"
    elif kind == "reconnect_attempt":
        detail = "attempt %s in %.1fs" % (record["attempt"], record["delay"])
    elif kind == "reconnect_failed":
        detail = "gave up after %s attempts" % record["attempts"]
    return clock(record), kind, record.get("namespace") or "", sid, connected, detail


def plain_line(record):
    kind = record["type"]
    namespace = record.get("namespace") or "-"
    if kind in records.LIFECYCLE_TYPES:
        time_, event, _, sid, connected, detail = lifecycle_cells(record)
        parts = [time_, event, namespace]
        if sid:
            parts.append("id=" + sid)
        parts.append("connected=" + ("true" if connected == "yes" else "false"))
        if detail:
            parts.append(detail)
        return "  ".join(parts)
    if kind in ("event", "emit"):
        arrow = "<-" if kind == "event" else "->"
        return "  ".join(filter(None, [clock(record), arrow, namespace, record["event"],
                                       compact_args(record["args"])]))
    if kind == "ack":
        return "  ".join(filter(None, [clock(record), "ack", namespace, record["event"],
                                       compact_args(record["args"]),
                                       "(%s ms)" % record["rtt_ms"]]))
    if kind == "ack_timeout":
        return "%s  ack_timeout  %s  %s  no ack within %ss" % (
            clock(record), namespace, record["event"], record["timeout"])
    if kind == "packet":
        arrow = "<<" if record["direction"] == "in" else ">>"
        return "%s  %s  %s" % (clock(record), arrow, records.json_value(record["raw"]))
    return "%s  error  %s" % (clock(record), record["message"])


class PlainRenderer:
    def __init__(self, stream):
        self._stream = stream

    def record(self, record):
        self._stream().write(plain_line(record) + "\n")

    def notice(self, text, style=None):
        self._stream().write(text + "\n")

    def skipped(self, counts):
        self._stream().write(skipped_text(counts) + "\n")

    def renderable(self, renderable):
        self._stream().write(str(renderable) + "\n")


def skipped_text(counts):
    total = sum(counts.values())
    top = ", ".join("%s x%d" % item for item in counts.most_common(3))
    return "... %d more records not shown on screen (%s); --json and --record keep them all" % (
        total, top)


class RichRenderer:
    """Rich output; the console writes to whatever ``stream()`` is at print time."""

    def __init__(self, stream, color, is_terminal=True):
        import shutil

        from rich.console import Console
        from rich.highlighter import JSONHighlighter

        self._stream = stream
        # piped rich output (-o rich) has no screen to fit: keep each row on one line
        self._width = shutil.get_terminal_size((200, 24)).columns if is_terminal else 200
        self._console = Console(file=_StreamProxy(stream), force_terminal=color, no_color=not color,
                                width=self._width, highlight=False, soft_wrap=False)
        self._json = JSONHighlighter()
        self._header_shown = False

    @property
    def console(self):
        return self._console

    def record(self, record):
        kind = record["type"]
        if kind in records.LIFECYCLE_TYPES:
            self._lifecycle(record)
        elif kind in ("event", "emit", "ack"):
            self._message(record)
        elif kind == "packet":
            self._console.print("[dim]%s %s %s[/dim]" % (
                clock(record), "<<" if record["direction"] == "in" else ">>",
                _escape(records.json_value(record["raw"]))), soft_wrap=True)
        elif kind == "ack_timeout":
            self._console.print("[dim]%s[/dim] [yellow]ack_timeout[/yellow] %s no ack within %ss" % (
                clock(record), _escape(record["event"]), record["timeout"]))
        else:
            self._console.print("[dim]%s[/dim] [bold red]error[/bold red] %s" % (
                clock(record), _escape(record["message"])), soft_wrap=True)

    def _lifecycle(self, record):
        from rich.table import Table

        table = Table(box=None, show_header=not self._header_shown, padding=(0, 1),
                      header_style="bold", expand=False)
        widths = (12, 17, 10, 20, 9)
        for name, width in zip(LIFECYCLE_COLUMNS, widths + (None,)):
            table.add_column(name, min_width=width, no_wrap=width is not None)
        cells = list(lifecycle_cells(record))
        style = {"connect": "bold green", "connect_error": "bold red", "disconnect": "bold yellow",
                 "reconnect_attempt": "cyan", "reconnect_failed": "bold red"}[record["type"]]
        cells[1] = "[%s]%s[/]" % (style, cells[1])
        cells[4] = "[green]yes[/]" if cells[4] == "yes" else "[red]no[/]"
        overflow = None
        if len(cells[5]) > self._width - sum(widths) - 2 * len(widths) - 1:
            overflow, cells[5] = cells[5], "(below)"  # a narrow column would wrap it word by word
        cells[5] = _escape(cells[5])
        table.add_row(*cells)
        self._header_shown = True
        self._console.print(table)
        if overflow:
            self._console.print("   " + _escape(overflow), soft_wrap=True, highlight=False)

    def _message(self, record):
        from rich.text import Text

        kind = record["type"]
        arrow = {"event": ("<- ", "bold cyan"), "emit": ("-> ", "bold magenta"),
                 "ack": ("ack ", "bold green")}[kind]
        text = Text.assemble((clock(record) + " ", "dim"), arrow,
                             (record.get("namespace") or "/", "blue"), " ",
                             (record["event"], "bold"), " ")
        text.append_text(self._json(Text(compact_args(record["args"]))))
        if kind == "ack":
            text.append(" (%s ms)" % record["rtt_ms"], "dim")
        self._console.print(text, soft_wrap=True)

    def notice(self, text, style="dim"):
        self._console.print(_escape(text), style=style, soft_wrap=True)

    def skipped(self, counts):
        self._console.print(skipped_text(counts), style="dim italic")

    def renderable(self, renderable):
        self._console.print(renderable)


def _escape(text):
    from rich.markup import escape

    return escape(str(text))


class _StreamProxy:
    """Lets rich write to the current stdout (patch_stdout swaps it in the REPL)."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text):
        return self._stream().write(text)

    def flush(self):
        self._stream().flush()

    def isatty(self):
        return True

    def fileno(self):
        raise OSError("not a real file")
