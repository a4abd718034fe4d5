"""Tables and panels as data: what a command or a mode hands the output layer to show.

Cells, titles and panel text may hold what the other side sent: the output layer
makes every one of them safe to show (plain here, rich in rich_renderer)."""

import dataclasses

from siocli.output.safe_text import visible, visible_within

CELL_LIMIT = 500  # characters of one table cell on screen


@dataclasses.dataclass(frozen=True)
class TableData:
    title: str
    columns: tuple
    rows: list


@dataclasses.dataclass(frozen=True)
class PanelData:
    """A framed block on a rich screen; plain lines elsewhere.

    ``lines``: each a tuple of (text, role) segments, role one of "", "heading", "command".
    """

    title: str
    lines: tuple


def cell_text(cell):
    """A table cell or title as it is shown: safe, and cut when very long."""
    return visible_within(cell, CELL_LIMIT)


def plain_table_lines(table):
    rows = [tuple(cell_text(cell) for cell in row) for row in table.rows]
    columns = [cell_text(column) for column in table.columns]
    widths = [max([len(column)] + [len(row[i]) for row in rows])
              for i, column in enumerate(columns)]

    def line(cells):
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    lines = [cell_text(table.title)] if table.title else []
    if any(table.columns):
        lines.append(line(columns))
    lines.extend(line(row) for row in rows)
    return lines


def plain_panel_lines(panel):
    return [visible(panel.title)] + ["".join(visible(text) for text, _ in segments)
                                     for segments in panel.lines]
