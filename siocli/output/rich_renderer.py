"""Rich output: lifecycle records as table rows, events with highlighted JSON, tables
and panels. Only the output layer imports rich."""

from siocli import records
from siocli.output.cells import (
    LIFECYCLE_COLUMNS,
    clock,
    compact_args,
    lifecycle_cells,
    skipped_text,
)

PANEL_ROLES = {"": "", "heading": "bold", "command": "bold cyan"}


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
            self._console.print(
                "[dim]%s[/dim] [yellow]ack_timeout[/yellow] %s no ack within %ss" % (
                    clock(record), _escape(record["event"]), record["timeout"]))
        else:
            self._console.print("[dim]%s[/dim] [bold red]error[/bold red] %s" % (
                clock(record), _escape(record["message"])), soft_wrap=True)

    def _lifecycle(self, record):
        from rich.table import Table

        table = Table(box=None, show_header=not self._header_shown, padding=(0, 1),
                      header_style="bold", expand=False)
        widths = (12, 17, 10, 20, 9)
        for name, width in zip(LIFECYCLE_COLUMNS, widths + (None,), strict=True):
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

    def table(self, table):
        from rich.table import Table

        rich_table = Table(title=_escape(table.title) if table.title else None,
                           title_justify="left", title_style="bold", header_style="bold",
                           box=None, padding=(0, 2, 0, 0), show_header=any(table.columns))
        for column in table.columns:
            rich_table.add_column(_escape(column))
        for row in table.rows:
            rich_table.add_row(*(_escape(cell) for cell in row))
        self._console.print(rich_table)

    def panel(self, panel):
        from rich.panel import Panel
        from rich.text import Text

        body = Text("\n").join(
            Text.assemble(*((text, PANEL_ROLES.get(role, "")) for text, role in segments))
            for segments in panel.lines)
        self._console.print(Panel(body, title=Text(panel.title), title_align="left",
                                  border_style="dim", expand=False))


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
