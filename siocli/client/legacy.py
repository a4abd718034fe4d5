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
import re

SOCKETIO_2_MESSAGE = ("this is a Socket.IO 2.x server (Engine.IO 3); siocli speaks Socket.IO "
                      "3/4 (protocol v5), as socket.io-client 3 and later do: upgrade the "
                      "server, or use a 2.x client")
ENGINE_IO_3_PAYLOAD = re.compile(r"^\d+:[0-6]")


def from_socketio_2(frame, opened):
    """Whether one Engine.IO frame from the server shows a Socket.IO 2.x server.
    ``opened``: whether this connection's OPEN packet was already seen."""
    if not isinstance(frame, str):
        return False
    if not opened:
        return bool(ENGINE_IO_3_PAYLOAD.match(frame))
    if not frame.startswith("40"):
        return False
    body = frame[2:]
    if body.startswith("/"):
        body = body.partition(",")[2]
    try:
        data = json.loads(body) if body else None
    except ValueError:
        return False
    return not (isinstance(data, dict) and "sid" in data)
