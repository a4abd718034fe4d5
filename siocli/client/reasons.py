"""Disconnect reasons as the JS client names them, and how siocli tells them apart.

python-socketio reports only ``client disconnect``, ``server disconnect`` or
``transport error``. What the wire showed during the connection (see
:class:`WireFacts`, filled in by the session's wire observer) decides the JS reason.
"""

import dataclasses

IO_SERVER_DISCONNECT = "io server disconnect"
IO_CLIENT_DISCONNECT = "io client disconnect"
PING_TIMEOUT = "ping timeout"
TRANSPORT_CLOSE = "transport close"
TRANSPORT_ERROR = "transport error"
# Not in the Socket.IO docs' table, but what the JS client reports when the Socket.IO
# decoder rejects a packet that Engine.IO delivered.
PARSE_ERROR = "parse error"

DESCRIPTIONS = {
    IO_SERVER_DISCONNECT: "the server forcefully disconnected the socket with socket.disconnect()",
    IO_CLIENT_DISCONNECT: "the socket was manually disconnected",
    PING_TIMEOUT: "the server did not send a PING within pingInterval + pingTimeout",
    TRANSPORT_CLOSE: "the connection was closed (the server died, or the network changed)",
    TRANSPORT_ERROR: "the connection encountered an error",
    PARSE_ERROR: "the server sent a Socket.IO packet that could not be decoded",
}

# After these, as in JS, there is no automatic reconnection.
DELIBERATE = frozenset({IO_SERVER_DISCONNECT, IO_CLIENT_DISCONNECT})


def describe(reason):
    return DESCRIPTIONS.get(reason, reason)


@dataclasses.dataclass
class WireFacts:
    """What one Engine.IO connection showed before it ended."""

    client_closing: bool = False
    server_disconnected: set = dataclasses.field(default_factory=set)
    ping_timed_out: bool = False
    undecodable_frame: bool = False
    undecodable_packet: bool = False
    transport_failed: bool = False
    engine_close_packet: bool = False
    transport_closed: bool = False
    connect_pids: dict = dataclasses.field(default_factory=dict)  # namespace: CONNECT's pid
    socketio_packet_seen: bool = False


def js_reason(facts, namespace, library_reason):
    """The JS client's reason for ``namespace`` losing its connection."""
    if namespace in facts.server_disconnected:
        return IO_SERVER_DISCONNECT
    if facts.client_closing:
        return IO_CLIENT_DISCONNECT
    if facts.ping_timed_out:
        return PING_TIMEOUT
    if facts.undecodable_packet:
        return PARSE_ERROR
    if facts.undecodable_frame or facts.transport_failed:
        return TRANSPORT_ERROR
    if facts.engine_close_packet or facts.transport_closed:
        return TRANSPORT_CLOSE
    return {
        "client disconnect": IO_CLIENT_DISCONNECT,
        "server disconnect": TRANSPORT_CLOSE,
    }.get(library_reason, TRANSPORT_ERROR)
