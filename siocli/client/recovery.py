"""Connection state recovery, as socket.io-client 4.8's Socket does it (``_pid``,
``_lastOffset``, ``recovered``), on a namespace's state (session.NamespaceState: its
``pid``, ``offset`` and ``recovered``).

The server's answer to a namespace CONNECT carries a session id (``pid``) when recovery
is on; the server appends an offset to every broadcast it stores, which the client
takes from the last argument of each event. The next CONNECT of that namespace carries
both, and a server that restored the session answers with the same pid.
"""


def connect_payload(state, auth):
    """The CONNECT payload of a namespace (``state`` may be None): its ``auth``, with the
    session to recover, as JS ``Object.assign({pid, offset}, auth)``."""
    auth = auth or {}
    if state is None or not state.pid or not isinstance(auth, dict):
        return auth
    recovery = {"pid": state.pid}
    if state.offset is not None:
        recovery["offset"] = state.offset
    return {**recovery, **auth}


def connected(state, pid):
    """The namespace connected with ``pid`` in the server's answer (None without
    recovery): whether its session was recovered, as JS ``socket.onconnect()``."""
    state.recovered = bool(pid) and state.pid == pid
    state.pid = pid
    return state.recovered


def event_arrived(state, args):
    """An event's arguments: the last one is the offset when it is a string (JS
    ``emitEvent``; an event asking for an ack ends with its callback there instead)."""
    if state.pid and args and isinstance(args[-1], str):
        state.offset = args[-1]
