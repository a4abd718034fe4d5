"""Rich output: lifecycle records as table rows, events with highlighted JSON, tables
and panels. Only the output layer imports rich.

Every piece of data becomes a rich ``Text`` (never markup), already made safe by
cells/safe_text. Rendering returns the text to write; the writer writes it, so a
failure to write never leaves rich with a half-written buffer.
"""

import io

from siocli import records
from siocli.output.cells import (
    LIFECYCLE_COLUMNS,
    clock,
    compact_args,
    event_of,
    lifecycle_cells,
    message_of,
    namespace_of,
    other_fields,
    raw_of,
    skipped_text,
)
from siocli.output.display import shown_name
from siocli.output.safe_text import visible
from siocli.output.tables import cell_text

PANEL_ROLES = {"": "", "heading": "bold", "command": "bold cyan"}
LIFECYCLE_STYLES = {"connect": "bold green", "connect_error": "bold red",
                    "disconnect": "bold yellow", "reconnect_attempt": "cyan",
                    "reconnect_failed": "bold red"}
LIFECYCLE_WIDTHS = (12, 17, 10, 20, 9)
MESSAGE_ARROWS = {"event": ("<- ", "bold cyan"), "emit": ("-> ", "bold magenta"),
                  "ack": ("ack ", "bold green"), "reply": ("reply ", "bold green")}


class RichConsole:
    """A rich Console that renders to text instead of writing to a stream."""

    def __init__(self, color, width):
        from rich.console import Console

        self.width = width
        self.console = Console(file=io.StringIO(), force_terminal=color, no_color=not color,
                               width=width, highlight=False, soft_wrap=False, emoji=False,
                               markup=False)

    def render(self, *renderables, **options):
        with self.console.capture() as capture:
            self.console.print(*renderables, **options)
        return capture.get()


def terminal_width(is_terminal):
    import shutil

    # piped rich output (-o rich) has no screen to fit: keep each row on one line
    return shutil.get_terminal_size((200, 24)).columns if is_terminal else 200


class RichRenderer:
    def __init__(self, color, is_terminal=True):
        from rich.highlighter import JSONHighlighter

        self.rich = RichConsole(color, terminal_width(is_terminal))
        self._json = JSONHighlighter()
        self._header_shown = False

    def record(self, record):
        from rich.text import Text

        kind = record["type"]
        if kind in records.LIFECYCLE_TYPES:
            return self._lifecycle(record)
        if kind in MESSAGE_ARROWS:
            return self._message(record)
        if kind == "packet":
            arrow = "<<" if record.get("direction") == "in" else ">>"
            text = Text("%s %s %s" % (clock(record), arrow, raw_of(record)), style="dim")
        elif kind == "ack_timeout":
            text = Text.assemble((clock(record), "dim"), " ", ("ack_timeout", "yellow"), " ",
                                 event_of(record), " no ack within %ss" % shown_name(
                                     record.get("timeout")))
        elif kind == "error":
            text = Text.assemble((clock(record), "dim"), " ", ("error", "bold red"), " ",
                                 message_of(record))
        else:
            text = Text.assemble((clock(record), "dim"), " ", (shown_name(kind), "bold"), " ",
                                 (namespace_of(record), "blue"), " ", other_fields(record))
        return self.rich.render(text, soft_wrap=True)

    def _lifecycle(self, record):
        from rich.text import Text

        time_, kind, namespace, sid, connected, detail = lifecycle_cells(record)
        cells = (Text(time_), Text(kind, style=LIFECYCLE_STYLES.get(record["type"], "")),
                 Text(namespace), Text(sid),
                 Text(connected, style="green" if connected == "yes" else "red"), detail)
        text = self.row(LIFECYCLE_COLUMNS, LIFECYCLE_WIDTHS, cells, not self._header_shown)
        self._header_shown = True
        return text

    def row(self, columns, widths, cells, show_header):
        """One table row of ``cells`` (rich Texts, then the detail: a plain string) under
        ``columns`` of ``widths`` (the detail's last, unbounded). A detail too long for
        its column goes on the line below, whole: the column would wrap it word by word."""
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=show_header, padding=(0, 1),
                      header_style="bold", expand=False)
        for name, width in zip(columns, widths + (None,), strict=True):
            table.add_column(name, min_width=width, no_wrap=width is not None)
        *fixed, detail = cells
        room = self.rich.width - sum(widths) - 2 * len(widths) - 1
        below = None
        if len(detail) > room:
            below, detail = detail, "(below)"
        table.add_row(*fixed, Text(detail))
        text = self.rich.render(table)
        if below:
            text += self.rich.render(Text("   " + below), soft_wrap=True)
        return text

    def _message(self, record):
        from rich.text import Text

        kind = record["type"]
        text = Text.assemble((clock(record) + " ", "dim"), MESSAGE_ARROWS[kind],
                             (namespace_of(record), "blue"), " ", (event_of(record), "bold"), " ")
        text.append_text(self._json(Text(compact_args(record.get("args", ())))))
        if kind == "ack":
            text.append(" (%s ms)" % shown_name(record.get("rtt_ms")), "dim")
        return self.rich.render(text, soft_wrap=True)

    def notice(self, text, style="dim"):
        from rich.text import Text

        return self.rich.render(Text(visible(text), style=style or ""), soft_wrap=True)

    def skipped(self, counts):
        from rich.text import Text

        return self.rich.render(Text(skipped_text(counts), style="dim italic"))

    def table(self, table):
        from rich.table import Table
        from rich.text import Text

        rich_table = Table(title=Text(cell_text(table.title)) if table.title else None,
                           title_justify="left", title_style="bold", header_style="bold",
                           box=None, padding=(0, 2, 0, 0), show_header=any(table.columns))
        for column in table.columns:
            rich_table.add_column(Text(cell_text(column)))
        for row in table.rows:
            rich_table.add_row(*(Text(cell_text(cell)) for cell in row))
        return self.rich.render(rich_table)

    def panel(self, panel):
        from rich.panel import Panel
        from rich.text import Text

        body = Text("\n").join(
            Text.assemble(*((visible(text), PANEL_ROLES.get(role, "")) for text, role in segments))
            for segments in panel.lines)
        return self.rich.render(Panel(body, title=Text(visible(panel.title)), title_align="left",
                                      border_style="dim", expand=False))
