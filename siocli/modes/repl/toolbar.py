"""The bottom toolbar: the live connection state, refreshed while the prompt waits."""

from siocli.commands.tables import seconds_until
from siocli.output.safe_text import visible


def toolbar_fragments(context):
    """prompt_toolkit formatted text: [(style, text), ...]."""
    session = context.session
    namespace = context.namespace
    state = session.namespaces.get(namespace)
    parts = []
    if state is not None and state.connected:
        parts.append(("class:toolbar.ok", " ● connected "))
        parts.append(("", " %s  id %s  %s " % (visible(namespace), visible(state.sid),
                                                 session.transport or "?")))
    elif session.state in ("connecting", "reconnecting"):
        parts.append(("class:toolbar.wait", " ◌ %s " % session.state))
        wait = seconds_until(session.next_attempt_at)
        detail = " %s" % visible(namespace)
        if session.state == "reconnecting" and wait is not None:
            detail += "  attempt %d in %.1fs" % (session.attempt + 1, wait)
        elif session.attempt:
            detail += "  attempt %d" % session.attempt
        if session.last_reason:
            detail += "  (last: %s)" % session.last_reason
        parts.append(("", detail + " "))
    else:
        parts.append(("class:toolbar.bad", " ○ disconnected "))
        if state is not None and state.rejected:
            detail = " %s rejected (connect_error): `auth set ...` then `connect`" % namespace
        elif session.connected:
            detail = " %s not connected (`ns %s` connects it)" % (namespace, namespace)
        else:
            detail = " %s%s  `connect` to retry" % (
                namespace, "  (%s)" % session.last_reason if session.last_reason else "")
        parts.append(("", detail + " "))
    parts.append(("", "│ in %d out %d " % (session.events_in, session.events_out)))
    if session.outbox:
        parts.append(("class:toolbar.wait", " %d queued " % len(session.outbox)))
    if context.output.recording:
        parts.append(("", "│ rec "))
    return parts


TOOLBAR_STYLE = {
    "bottom-toolbar": "noreverse bg:#303030 #d0d0d0",
    "toolbar.ok": "bold bg:#005f00 #ffffff",
    "toolbar.wait": "bold bg:#875f00 #ffffff",
    "toolbar.bad": "bold bg:#870000 #ffffff",
}
