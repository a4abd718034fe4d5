"""Rich output: lifecycle records as table rows, events with highlighted JSON, tables
and panels. Only the output layer imports rich.

Every piece of data becomes a rich ``Text`` (never markup), already made safe by
cells/safe_text. Rendering returns the text to write; the writer writes it, so a
failure to write never leaves rich with a half-written buffer.
"""

import io

from siocli import records
from siocli.output.ansi import AnsiLines, highlight_json
from siocli.output.cells import (
    LIFECYCLE_COLUMNS,
    PacketGaps,
    ack_request_of,
    clock,
    compact_args,
    event_of,
    handshake_header_lines,
    handshake_summary,
    lifecycle_cells,
    message_of,
    namespace_of,
    other_fields,
    packet_arrow,
    packet_decoded,
    raw_of,
    skipped_text,
)
from siocli.output.display import shown_name
from siocli.output.grid import BELOW_MIN, grid_lines, wrapped
from siocli.output.safe_text import visible
from siocli.output.tables import cell_text

PANEL_FRAME = 4  # a panel's borders and padding, in cells
PANEL_ROLES = {"": "", "heading": "bold", "command": "bold cyan"}
LIFECYCLE_STYLES = {"connect": "bold green", "connect_error": "bold red",
                    "disconnect": "bold yellow", "reconnect_attempt": "cyan",
                    "reconnect_failed": "bold red"}
LIFECYCLE_WIDTHS = (12, 17, 10, 20, 9)
NAMES_KEPT = 256  # message names (kind, namespace, event) kept as written
MESSAGE_ARROWS = {"event": ("<- ", "bold cyan"), "emit": ("-> ", "bold magenta"),
                  "ack": ("ack ", "bold green"), "reply": ("reply ", "bold green")}


class RichConsole:
    """A rich Console that renders to text instead of writing to a stream, at the width
    ``width_of()`` gives when each piece is rendered (the terminal may have been resized)."""

    def __init__(self, color, width_of):
        from rich.console import Console

        self.width_of = width_of
        self.console = Console(file=io.StringIO(), force_terminal=color, no_color=not color,
                               width=width_of(), highlight=False, soft_wrap=False, emoji=False,
                               markup=False)
        self.lines = AnsiLines(self.console)

    @property
    def width(self):
        return self.console.width

    def render(self, *renderables, **options):
        self.console.width = self.width_of()
        with self.console.capture() as capture:
            self.console.print(*renderables, **options)
        return capture.get()

    def line(self, text):
        """``render(text, soft_wrap=True)``: one line, as long as it is (the terminal
        wraps it), without a Console print for the common line."""
        shown = self.lines.line(text)
        return shown if shown is not None else self.render(text, soft_wrap=True)

    def message(self, head, args, tail=()):
        """``line`` of ``head`` ((text, style) pairs), ``args`` (display JSON) highlighted,
        then ``tail``, without building a Text for the common line."""
        shown = self.lines.message(head, args, tail)
        if shown is not None:
            return shown
        from rich.text import Text

        text = Text.assemble(*head)
        text.append_text(highlight_json(Text(args)))
        text.append(Text.assemble(*tail))
        return self.render(text, soft_wrap=True)


PIPED_WIDTH = 200
NARROWEST = 20  # below this, lay out as if this wide (the terminal wraps the rest)


def terminal_width_of(stream, is_terminal):
    """A function giving the width of the terminal ``stream`` writes to, as it is now."""
    import os
    import shutil

    if not is_terminal:
        # piped rich output (-o rich) has no screen to fit: keep each row on one line
        return lambda: PIPED_WIDTH

    def width_of():
        try:
            columns = os.get_terminal_size(stream.fileno()).columns
        except (AttributeError, OSError, ValueError):
            columns = shutil.get_terminal_size((PIPED_WIDTH, 24)).columns
        return max(columns, NARROWEST)

    return width_of


class RichRenderer:
    def __init__(self, color, is_terminal=True, stream=None, width_of=None):
        """``width_of``: the screen's width now (default: ``stream``'s terminal's)."""
        self.rich = RichConsole(color, width_of or terminal_width_of(stream, is_terminal))
        # on a terminal, sentences wrap at words; piped, each stays on one line
        self.is_terminal = is_terminal
        self._header_shown = False
        self._gaps = PacketGaps()
        self._names = {}  # (kind, namespace, event) -> the middle of its message lines

    def record(self, record):
        from rich.text import Text

        kind = record["type"]
        if kind in records.LIFECYCLE_TYPES:
            return self._lifecycle(record)
        if kind in MESSAGE_ARROWS:
            return self._message(record)
        if kind == "packet":
            incoming = record.get("direction") == "in"
            text = Text.assemble((clock(record), "dim"), " ",
                                 (packet_arrow(record), "cyan" if incoming else "magenta"),
                                 " ", (self._gaps(record), "dim"), " ", raw_of(record), "  ",
                                 (packet_decoded(record), "dim italic"))
        elif kind == "handshake":
            text = Text.assemble((clock(record), "dim"), " ", ("handshake", "bold"), " ",
                                 handshake_summary(record))
            for line in handshake_header_lines(record):
                text.append("\n    " + line, style="dim")
        elif kind == "ack_timeout":
            text = Text.assemble((clock(record), "dim"), " ", ("ack_timeout", "yellow"), " ",
                                 (namespace_of(record), "blue"), " ", event_of(record),
                                 " no ack within %ss" % shown_name(record.get("timeout")))
            return self.rich.render(text, soft_wrap=not self.is_terminal)
        elif kind == "error":
            text = Text.assemble((clock(record), "dim"), " ", ("error", "bold red"), " ",
                                 message_of(record))
            return self.rich.render(text, soft_wrap=not self.is_terminal)
        else:
            text = Text.assemble((clock(record), "dim"), " ", (shown_name(kind), "bold"), " ",
                                 (namespace_of(record), "blue"), " ", other_fields(record))
        return self.rich.line(text)

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
        ``columns`` of at least ``widths`` (the detail's last), laid out by
        :func:`~siocli.output.grid.grid_lines` for the width of the screen now."""
        from rich.text import Text

        *fixed, detail = cells
        header = [Text(name, style="bold") for name in columns] if show_header else None
        return self._grid(header, [[*fixed, Text(detail)]], widths)

    def _grid(self, header, rows, widths, title=None):
        from rich.text import Text

        lines = grid_lines(self.rich.console, self.rich.width_of(), header, rows, widths)
        if title is not None:
            lines.insert(0, title)
        return self.rich.render(Text("\n").join(lines))

    def _message(self, record):
        """An event, emit, ack or reply: its time, arrow, namespace, name and args, its
        JSON highlighted, on one line (the terminal wraps it)."""
        kind = record["type"]
        lines = self.rich.lines
        stamp = lines.pieces(((clock(record) + " ", "dim"),))
        name = self._message_name(record)
        args = lines.json(compact_args(record.get("args", ())))
        tail = []
        if kind == "ack":
            tail.append((" (%s ms)" % shown_name(record.get("rtt_ms")), "dim"))
        request = ack_request_of(record)
        if request:
            tail.append((" " + request, "yellow" if kind == "event" else "dim"))
        tail = lines.pieces(tail)
        if stamp is None or name is None or args is None or tail is None:
            return self.rich.render(self._message_text(record), soft_wrap=True)
        return stamp + name + args + tail + "\n"

    def _message_name(self, record):
        """The arrow, namespace and name of a message, as written; the same for every
        message of one kind, namespace and name, so kept for the next one."""
        kind, namespace, event = record["type"], record.get("namespace"), record.get("event", "")
        # only plain strings: a Visible is shown as it is, an equal str escaped
        key = None
        if (namespace is None or type(namespace) is str) and type(event) is str:
            key = (kind, namespace, event)
            name = self._names.get(key)
            if name is not None:
                return name
        name = self.rich.lines.pieces((MESSAGE_ARROWS[kind], (namespace_of(record), "blue"),
                                       (" ", None), (event_of(record), "bold"), (" ", None)))
        if key is not None and name is not None:
            if len(self._names) >= NAMES_KEPT:
                self._names.clear()
            self._names[key] = name
        return name

    def _message_text(self, record):
        from rich.text import Text

        kind = record["type"]
        text = Text.assemble((clock(record) + " ", "dim"), MESSAGE_ARROWS[kind],
                             (namespace_of(record), "blue"), " ", (event_of(record), "bold"), " ")
        text.append_text(highlight_json(Text(compact_args(record.get("args", ())))))
        if kind == "ack":
            text.append(" (%s ms)" % shown_name(record.get("rtt_ms")), "dim")
        request = ack_request_of(record)
        if request:
            text.append(" " + request, "yellow" if kind == "event" else "dim")
        return text

    def notice(self, text, style="dim"):
        from rich.text import Text

        return self.rich.render(Text(visible(text), style=style or ""),
                                soft_wrap=not self.is_terminal)

    def skipped(self, counts):
        from rich.text import Text

        return self.rich.render(Text(skipped_text(counts), style="dim italic"))

    def table(self, table):
        from rich.text import Text

        header = None
        if any(table.columns):
            header = [Text(cell_text(column), style="bold") for column in table.columns]
        rows = [[Text(cell_text(cell)) for cell in row] for row in table.rows]
        title = Text(cell_text(table.title), style="bold") if table.title else None
        return self._grid(header, rows, (0,) * (len(table.columns) - 1), title)

    def panel(self, panel):
        """A framed block as wide as its longest line, each line wrapped at words to fit
        the screen, under the start of its last segment (a command's description)."""
        from rich.panel import Panel
        from rich.text import Text

        room = max(self.rich.width_of() - PANEL_FRAME, 1)
        lines = []
        for segments in panel.lines:
            parts = [Text(visible(text), style=PANEL_ROLES.get(role, ""))
                     for text, role in segments]
            lines.extend(hanging_lines(self.rich.console, parts, room))
        return self.rich.render(Panel(Text("\n").join(lines), title=Text(visible(panel.title)),
                                      title_align="left", border_style="dim", expand=False))


def hanging_lines(console, parts, room):
    """``parts`` (Texts) as one line, or wrapped at words in ``room`` cells with the
    lines after the first starting where the last part's words start."""
    from rich.text import Text

    line = Text.assemble(*parts)
    if line.cell_len <= room:
        return [line]
    *head, last = parts
    spaces = len(last.plain) - len(last.plain.lstrip(" "))
    indent = sum(part.cell_len for part in head) + spaces
    if room - indent < BELOW_MIN:  # too narrow to hang: the last part goes below
        head = Text.assemble(*head)
        head.rstrip()
        below = min(4, max(room - BELOW_MIN, 0))
        return [head] + [Text(" " * below) + more
                         for more in wrapped(console, last[spaces:], room - below)]
    first, *rest = wrapped(console, last[spaces:], room - indent)
    return [line[:len(line) - len(last) + spaces] + first] + [Text(" " * indent) + more
                                                                 for more in rest]
