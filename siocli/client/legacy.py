"""Servers siocli cannot speak to, recognised at the handshake and named.

A Socket.IO 2.x server (Engine.IO 3) answers the Engine.IO 4 handshake in its own way:
over polling the body is in Engine.IO 3's framing, ``<length>:<packet>``
(``97:0{"sid":...}2:40``), which python-engineio reads as "OPEN packet not returned";
over websocket the OPEN packet looks the same, but the server then sends the Socket.IO
CONNECT of `/` unasked and without the ``sid`` every Socket.IO 3/4 server puts in it
(socket.io-client 4 says "It seems you are trying to reach a Socket.IO server in v2.x
with a v3.x client, but they are not compatible"). Either sign ends the attempt with a
`connect_error` that says so; no retry can help.
"""

import json

from siocli.client.engine_wire import is_engine_io_3

SOCKETIO_2 = "a Socket.IO 2.x server (Engine.IO 3)"
_SPEAKS = "siocli speaks Socket.IO 3/4 (protocol v5), as socket.io-client 3 and later do"
_MIGRATION = "https://socket.io/docs/v4/migrating-from-2-x-to-3-0/"
# connect's connect_error, and doctor's fix (which points to the migration guide)
SOCKETIO_2_MESSAGE = "this is %s; %s: upgrade the server, or use a 2.x client" % (SOCKETIO_2,
                                                                                  _SPEAKS)
SOCKETIO_2_FIX = "%s: upgrade the server to Socket.IO 4 (%s), or use a 2.x client" % (
    _SPEAKS, _MIGRATION)


def connect_without_sid(data):
    """Whether the data of the server's namespace CONNECT is a Socket.IO 2.x server's:
    every Socket.IO 3/4 server puts a ``sid`` in it."""
    return not (isinstance(data, dict) and "sid" in data)


def from_socketio_2(frame, opened):
    """Whether one Engine.IO frame from the server shows a Socket.IO 2.x server.
    ``opened``: whether this connection's OPEN packet was already seen."""
    if not isinstance(frame, str):
        return False
    if not opened:
        return is_engine_io_3(frame)
    if not frame.startswith("40"):
        return False
    body = frame[2:]
    if body.startswith("/"):
        body = body.partition(",")[2]
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return False
    return connect_without_sid(data)
