"""What every screen format shows of a record: its clock, its args, its lifecycle cells."""

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


def skipped_text(counts):
    total = sum(counts.values())
    top = ", ".join("%s x%d" % item for item in counts.most_common(3))
    return "... %d more records not shown on screen (%s); --json and --record keep them all" % (
        total, top)
