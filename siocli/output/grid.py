"""Rows of columns laid out for the terminal's width as it is when they are shown.

Every column but the last keeps its cells whole: a socket.id, a namespace, a time is
never cut or wrapped. The last column (a reason, a detail, a description) takes the room
that is left and wraps at words: within its column when that is at least DETAIL_MIN
wide and the cell fits in INLINE_LINES lines there; else on the lines below its row,
indented under the second column, across the rest of the width:

    00:37:16.793  connect_error  /private                          no
                  not authorized  data: {"reason": "auth.token is missing", "hint":
                  "type: auth set token=letmein, then: connect"}
"""

GAP = 2  # spaces between columns
DETAIL_MIN = 24  # a last column narrower than this puts its cells below their rows
INLINE_LINES = 3  # a cell that would take more lines in its column goes below its row
BELOW_MIN = 20  # the cells below a row keep at least this much width


def grid_lines(console, width, header, rows, widths):
    """The lines (rich Texts) of ``header`` (Texts, or None) and ``rows`` (lists of
    Texts) for a screen ``width`` cells wide; ``widths``: the least width of each column
    but the last (a wider cell widens its column, unless it is one of the few that would
    leave the last column too little room: that row's last cell then goes below it)."""
    from rich.text import Text

    outliers = _outliers(header, rows, widths, width)
    widths = _widths(header, rows, widths, outliers)
    room = _room(width, widths)
    start = width - room
    indent = widths[0] + GAP if len(widths) > 1 else 4
    indent = max(0, min(indent, width - BELOW_MIN))
    lines = []
    if header:
        last = header[-1] if room >= max(DETAIL_MIN, header[-1].cell_len) else Text()
        lines.append(_joined(header[:-1], widths, last))
    for number, row in enumerate(rows):
        *fixed, detail = row
        inline = None
        if detail.cell_len and room > 0 and number not in outliers:
            inline = wrapped(console, detail, room)
        if not detail.cell_len:
            lines.append(_joined(fixed, widths, detail))
        elif inline is not None and (len(inline) == 1 or (
                room >= DETAIL_MIN and len(inline) <= INLINE_LINES)):
            lines.append(_joined(fixed, widths, inline[0]))
            lines.extend(Text(" " * start) + part for part in inline[1:])
        else:
            lines.append(_joined(fixed, widths, Text()))
            lines.extend(Text(" " * indent) + part
                         for part in wrapped(console, detail, max(1, width - indent)))
    return lines


def wrapped(console, text, width):
    """``text`` wrapped at words in ``width`` cells (a longer word is cut): its lines."""
    lines = list(text.wrap(console, width, overflow="fold"))
    for line in lines:
        line.rstrip()
    return lines


def _widths(header, rows, least, left_out=frozenset()):
    """The width of each column but the last: its widest cell, ``least`` at least, the
    rows numbered in ``left_out`` aside."""
    shown = [row for number, row in enumerate(rows) if number not in left_out]
    if header:
        shown.append(header)
    return [max([at_least] + [row[column].cell_len for row in shown])
            for column, at_least in enumerate(least)]


def _room(width, widths):
    return width - sum(widths) - GAP * len(widths)


def _outliers(header, rows, least, width):
    """The numbers of the few rows (at most a quarter) whose wide cells, left out of the
    columns' widths, give the last column the room it wants (min(40, half the width))."""
    wanted = min(40, width // 2)
    left_out = frozenset()
    while (_room(width, _widths(header, rows, least, left_out)) < wanted
           and len(left_out) < len(rows) // 4):
        best = max((number for number in range(len(rows)) if number not in left_out),
                   key=lambda number: _room(width, _widths(header, rows, least,
                                                           left_out | {number})))
        if _room(width, _widths(header, rows, least, left_out | {best})) <= _room(
                width, _widths(header, rows, least, left_out)):
            break
        left_out |= {best}
    return left_out


def _joined(cells, widths, last):
    from rich.text import Text

    line = Text()
    for cell, width in zip(cells, widths, strict=True):
        line.append_text(cell)
        line.append(" " * (max(width - cell.cell_len, 0) + GAP))
    line.append_text(last)
    line.rstrip()
    return line
