"""The data of the `status` and `log` tables."""

import time

from siocli import auth as auth_module
from siocli import grammar, records
from siocli.output.cells import LIFECYCLE_COLUMNS, lifecycle_cells
from siocli.output.tables import TableData


def seconds_until(deadline):
    if deadline is None:
        return None
    return max(0.0, deadline - time.monotonic())


def reconnection_text(session, settings):
    if not settings.reconnect:
        return "off (--no-reconnect)"
    limit = settings.reconnect_attempts or "unlimited"
    if session.state == "reconnecting":
        wait = seconds_until(session.next_attempt_at)
        when = "now" if wait is None else "in %.1fs" % wait
        return "attempt %s of %s %s" % (session.attempt + 1, limit, when)
    return "on (attempts: %s, delay %ss..%ss)" % (
        limit, settings.reconnect_delay, settings.reconnect_delay_max)


def status_tables(context):
    session, settings = context.session, context.settings
    auth = session.auth_of(context.namespace)
    rows = [
        ("URL", settings.display_url or settings.url),
        ("Engine.IO path", settings.path),
        ("TLS", tls_text(settings)),
        ("proxy", settings.display_proxy or "none (direct)"),
        ("state", session.state + (" (last reason: %s)" % session.last_reason
                                   if session.last_reason and not session.connected else "")),
        ("transport", (session.transport if session.connected else None) or "-"),
        ("Engine.IO session", engine_text(session)),
        ("ping", ping_text(session)),
        ("maxPayload", payload_text(session)),
        ("reconnection", reconnection_text(session, settings)),
        ("auth (%s)" % context.namespace, records.json_value(auth_module.masked(auth.payload))
         + (" + output of --auth-cmd" if auth.command else "")),
        ("events", "%d in, %d out" % (session.events_in, session.events_out)),
        ("queued emits", queue_text(session)),
        ("ack requests", ack_requests_text(session)),
        ("filters", context.filter.describe()),
        ("recording", context.output.recording or "off"),
        ("trace", "on" if session.trace else "off"),
    ]
    namespace_rows = []
    for name, state in session.namespaces.items():
        if state.connected:
            connected = "yes"
        else:
            connected = "rejected" if state.rejected else "no"
        namespace_rows.append(("*" if name == context.namespace else "", name, state.sid or "-",
                               connected, state.events_in, state.events_out))
    return (TableData("siocli status", ("", ""), rows),
            TableData("namespaces", ("active", "namespace", "socket.id", "connected", "in", "out"),
                      namespace_rows))


def engine_text(session):
    """``sid X; websocket, upgraded from polling``."""
    info = session.engine.info
    transport = session.transport if session.connected else None
    if not transport or info.sid is None:
        return "-"
    if transport == "websocket":
        how = "upgraded from polling" if info.upgraded else "websocket from the start"
    elif tuple(session.settings.transports or ()) == ("polling",):
        how = "polling only (-t polling)"
    elif "websocket" in (info.upgrades or ()):
        how = "not upgraded (the server offers websocket)"
    else:
        how = "not upgraded (the server offers no upgrade)"
    return "sid %s; %s, %s" % (info.sid, transport, how)


def ping_text(session):
    info = session.engine.info
    if not session.connected or info.ping_interval is None:
        return "-"
    since = session.engine.seconds_since_ping()
    last = "no PING yet (%.1fs since the handshake)" if info.last_ping_at == info.opened_at \
        else "last PING %.1fs ago"
    return "pingInterval %s ms, pingTimeout %s ms; %s" % (
        info.ping_interval, info.ping_timeout, last % since)


def payload_text(session):
    info = session.engine.info
    if not session.connected or info.max_payload is None:
        return "-"
    return "%s bytes" % format(info.max_payload, ",") if isinstance(
        info.max_payload, int) else str(info.max_payload)


def tls_text(settings):
    if not settings.url.startswith("https:"):
        return "none (http://)"
    if settings.insecure:
        return "NOT VERIFIED (-k/--insecure)"
    if settings.cacert:
        return "verified with --cacert %s" % settings.cacert
    return "verified with the system's CAs"


def queue_text(session):
    queued = list(session.outbox)
    if not queued:
        return "none"
    shown = ", ".join("%s %s" % (q.namespace, grammar.quote_word(q.event)) for q in queued[:5])
    more = " (+%d more)" % (len(queued) - 5) if len(queued) > 5 else ""
    return "%d: %s%s (sent on connection)" % (len(queued), shown, more)


def ack_requests_text(session):
    """The server's ack requests waiting for a `reply`."""
    pending = session.ack_requests.pending()
    if not pending:
        return "none pending"
    shown = ", ".join("%s %s (ack %s)" % (r.namespace, r.event, r.ack) for r in pending[-5:])
    more = " (+%d more)" % (len(pending) - 5) if len(pending) > 5 else ""
    return "%d pending: %s%s (`reply [ACK] [ARG...]` answers)" % (len(pending), shown, more)


def log_table(session, count):
    entries = list(session.lifecycle)[-count:] if count else []
    rows = [lifecycle_cells(record) for record in entries]
    title = "last %d lifecycle records" % len(rows) if rows else "no lifecycle records yet"
    return TableData(title, LIFECYCLE_COLUMNS, rows)
