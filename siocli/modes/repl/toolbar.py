"""The bottom toolbar: the live connection state, refreshed while the prompt waits.

It fits the terminal's width as it is at each refresh: when the whole does not fit, the
least useful parts are left out first (the transport, the last reason, the hints, the
counters), never the state and the namespace.
"""

from siocli.commands.tables import seconds_until
from siocli.modes.prompt import ESSENTIAL, EXTRA, HELPFUL, USEFUL, fitted, terminal_columns
from siocli.output.safe_text import visible


def toolbar_fragments(context, width=None):
    """prompt_toolkit formatted text, [(style, text), ...], at most ``width`` cells wide
    (default: the terminal's width now)."""
    return fitted(toolbar_parts(context), terminal_columns() if width is None else width)


def toolbar_parts(context):
    """[(priority, style, text), ...] in the order shown."""
    session = context.session
    namespace = visible(context.namespace)
    state = session.namespaces.get(context.namespace)
    parts = []
    if state is not None and state.connected:
        parts.append((ESSENTIAL, "class:toolbar.ok", " ● connected "))
        parts.append((ESSENTIAL, "", " %s" % namespace))
        parts.append((USEFUL, "", "  id %s" % visible(state.sid)))
        parts.append((EXTRA, "", "  %s" % (session.transport or "?")))
    elif session.state in ("connecting", "reconnecting"):
        parts.append((ESSENTIAL, "class:toolbar.wait", " ◌ %s " % session.state))
        parts.append((ESSENTIAL, "", " %s" % namespace))
        wait = seconds_until(session.next_attempt_at)
        if session.state == "reconnecting" and wait is not None:
            parts.append((USEFUL, "", "  attempt %d in %.1fs" % (session.attempt + 1, wait)))
        elif session.attempt:
            parts.append((USEFUL, "", "  attempt %d" % session.attempt))
        if session.last_reason:
            parts.append((EXTRA, "", "  (last: %s)" % session.last_reason))
    else:
        parts.append((ESSENTIAL, "class:toolbar.bad", " ○ disconnected "))
        parts.append((ESSENTIAL, "", " %s" % namespace))
        if state is not None and state.rejected:
            parts.append((USEFUL, "", " rejected (connect_error)"))
            parts.append((HELPFUL, "", ": `auth set ...` then `connect`"))
        elif session.connected:
            parts.append((USEFUL, "", " not connected"))
            parts.append((HELPFUL, "", " (`ns %s` connects it)" % namespace))
        else:
            if session.last_reason:
                parts.append((EXTRA, "", "  (%s)" % session.last_reason))
            parts.append((USEFUL, "", "  `connect` to retry"))
    parts.append((HELPFUL, "", " │ in %d out %d" % (session.events_in, session.events_out)))
    if session.outbox:
        parts.append((USEFUL, "class:toolbar.wait", " %d queued " % len(session.outbox)))
    requests = len(session.ack_requests.pending())
    if requests:
        parts.append((USEFUL, "class:toolbar.wait", " %d awaiting `reply` " % requests))
    if context.output.recording:
        parts.append((USEFUL, "", " │ rec"))
    return parts


TOOLBAR_STYLE = {
    "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
    "toolbar.ok": "bold bg:#005f00 #ffffff",
    "toolbar.wait": "bold bg:#875f00 #ffffff",
    "toolbar.bad": "bold bg:#870000 #ffffff",
}
