"""Plain output: one readable line per record, tables as aligned text."""

from siocli import records
from siocli.output.cells import (
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
from siocli.output.safe_text import visible
from siocli.output.tables import plain_panel_lines, plain_table_lines


def plain_line(record, gaps=None):
    kind = record["type"]
    namespace = namespace_of(record, "-")
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
        return "  ".join(filter(None, [clock(record), arrow, namespace, event_of(record),
                                       compact_args(record.get("args", ())),
                                       ack_request_of(record)]))
    if kind in ("ack", "reply"):
        parts = [clock(record), kind, namespace, event_of(record),
                 compact_args(record.get("args", ())), ack_request_of(record)]
        if kind == "ack":
            parts.append("(%s ms)" % shown_name(record.get("rtt_ms")))
        return "  ".join(filter(None, parts))
    if kind == "ack_timeout":
        return "%s  ack_timeout  %s  %s  no ack within %ss" % (
            clock(record), namespace, event_of(record), shown_name(record.get("timeout")))
    if kind == "packet":
        gap = (gaps or PacketGaps())(record)
        return "  ".join((clock(record), packet_arrow(record), gap, raw_of(record),
                          packet_decoded(record)))
    if kind == "handshake":
        lines = ["%s  handshake  %s" % (clock(record), handshake_summary(record))]
        lines += ["    " + line for line in handshake_header_lines(record)]
        return "\n".join(lines)
    if kind == "error":
        return "%s  error  %s" % (clock(record), message_of(record))
    return "%s  %s  %s  %s" % (clock(record), shown_name(kind), namespace, other_fields(record))


class PlainRenderer:
    """Plain text of records, notices, tables and panels (each ending with a newline)."""

    def __init__(self):
        self._gaps = PacketGaps()

    def record(self, record):
        return plain_line(record, self._gaps) + "\n"

    def notice(self, text, style=None):
        return visible(text) + "\n"

    def skipped(self, counts):
        return skipped_text(counts) + "\n"

    def table(self, table):
        return "".join(line + "\n" for line in plain_table_lines(table))

    def panel(self, panel):
        return "".join(line + "\n" for line in plain_panel_lines(panel))
