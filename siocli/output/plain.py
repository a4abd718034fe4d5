"""Plain output: one readable line per record, tables as aligned text."""

from siocli import records
from siocli.output.cells import clock, compact_args, lifecycle_cells, skipped_text
from siocli.output.tables import plain_panel_lines, plain_table_lines


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

    def table(self, table):
        self._lines(plain_table_lines(table))

    def panel(self, panel):
        self._lines(plain_panel_lines(panel))

    def _lines(self, lines):
        self._stream().write("".join(line + "\n" for line in lines))
