"""Tables and panels as data: what a command or a mode hands the output layer to show."""

import dataclasses


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


def plain_table_lines(table):
    rows = [tuple(str(cell) for cell in row) for row in table.rows]
    widths = [max([len(column)] + [len(row[i]) for row in rows])
              for i, column in enumerate(table.columns)]

    def line(cells):
        padded = (cell.ljust(width) for cell, width in zip(cells, widths, strict=True))
        return "  ".join(padded).rstrip()

    lines = [table.title] if table.title else []
    if any(table.columns):
        lines.append(line(table.columns))
    lines.extend(line(row) for row in rows)
    return lines


def plain_panel_lines(panel):
    return [panel.title] + ["".join(text for text, _ in segments) for segments in panel.lines]
