"""The one place siocli reaches under python-socketio's public surface.

python-socketio does not say why a connection ended the way the JS client does, nor
show raw packets. Everything here uses public hooks where they exist: aiohttp's
``ClientSession(ws_response_class=, response_class=, trace_configs=)`` handed to the
Engine.IO client through python-socketio's public ``http_session`` option shows every
frame and how the transport ended. Two gaps have no public hook and are bridged here
(and checked by tests/test_transport_watch.py against the versions in pyproject.toml):

* ``client.eio.disconnect(abort=True)`` ends a connection whose pings stopped,
  as the JS client does on ``ping timeout``;
* connecting one more namespace on a live connection (the REPL's ``ns``), which
  python-socketio only does inside ``connect()``;
* a client disconnect that first lets the packets already queued (the last emits,
  then the Socket.IO DISCONNECT) reach the server: python-socketio closes the
  websocket without waiting for its send queue, and they would be lost.
"""

import asyncio

import aiohttp
import socketio
from socketio import packet as sio_packet

KNOWN_VERSIONS = {"python-socketio": ("5.11", "6"), "python-engineio": ("4.9", "5")}
RECORD_SEPARATOR = "\x1e"


class WireObserver:
    """What the hooks report to; the session's observer implements these."""

    def frame_in(self, frame):
        """One Engine.IO packet from the server (str, or bytes for binary)."""

    def frame_out(self, frame):
        """One Engine.IO packet to the server."""

    def transport_opened(self, name):
        """The websocket (or a polling request) started."""

    def transport_closed(self, detail):
        """The websocket was closed, cleanly or by the peer going away."""

    def transport_failed(self, detail):
        """The websocket failed with an error."""

    def request_failed(self, exception):
        """An HTTP request (polling, or the websocket handshake) raised ``exception``."""


def create_http_session(observer, ssl=None):
    """An aiohttp session that reports every frame and transport end to ``observer``."""

    class WatchedWebSocket(aiohttp.ClientWebSocketResponse):
        async def receive(self, timeout=None):
            message = await super().receive(timeout)
            kind = message.type
            if kind is aiohttp.WSMsgType.TEXT or kind is aiohttp.WSMsgType.BINARY:
                observer.frame_in(message.data)
            elif kind is aiohttp.WSMsgType.ERROR:
                observer.transport_failed(str(message.data) or "websocket error")
            elif kind in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSING,
                          aiohttp.WSMsgType.CLOSED):
                observer.transport_closed("websocket closed (code %s)" % self.close_code)
            return message

        async def send_str(self, data, compress=None):
            observer.frame_out(data)
            await super().send_str(data, compress=compress)

        async def send_bytes(self, data, compress=None):
            observer.frame_out(bytes(data))
            await super().send_bytes(data, compress=compress)

    class WatchedResponse(aiohttp.ClientResponse):
        async def read(self):
            body = await super().read()
            if self.method == "GET" and 200 <= self.status < 300 and "transport=polling" in str(self.url):
                for frame in decode_polling_payload(body):
                    observer.frame_in(frame)
            return body

    async def on_chunk_sent(session, context, params):
        if params.method == "POST":
            for frame in decode_polling_payload(params.chunk):
                observer.frame_out(frame)

    async def on_request_exception(session, context, params):
        observer.request_failed(params.exception)

    trace = aiohttp.TraceConfig()
    trace.on_request_chunk_sent.append(on_chunk_sent)
    trace.on_request_exception.append(on_request_exception)
    connector = aiohttp.TCPConnector(ssl=ssl) if ssl is not None else None
    return aiohttp.ClientSession(
        connector=connector,
        ws_response_class=WatchedWebSocket,
        response_class=WatchedResponse,
        trace_configs=[trace],
    )


def decode_polling_payload(body):
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    if not text:
        return []
    return text.split(RECORD_SEPARATOR)


def describe_exception(exc):
    return "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__


async def abort_connection(client):
    """End the Engine.IO connection now, without a Socket.IO goodbye."""
    writer = client.eio.write_loop_task
    await client.eio.disconnect(abort=True)
    if writer is not None and not writer.done():
        # disconnect() emptied the send queue: the write loop would wait out its timeout
        writer.cancel()


async def graceful_disconnect(client, flush_timeout=2.0):
    """Send what is queued, then a Socket.IO DISCONNECT per namespace, then close.

    The close does not wait for a pending long-poll to return (python-engineio would,
    up to pingInterval + 5 s against a python-socketio server)."""
    for namespace in list(client.namespaces):
        await client._send_packet(client.packet_class(sio_packet.DISCONNECT, namespace=namespace))
    await _drain(client, flush_timeout)
    await abort_connection(client)


async def _drain(client, timeout):
    try:
        await asyncio.wait_for(client.eio.queue.join(), timeout)
    except asyncio.TimeoutError:
        pass


async def connect_namespace(client, namespace, auth):
    """Ask the server for one more namespace on the live connection."""
    if namespace not in client.connection_namespaces:
        client.connection_namespaces.append(namespace)
    await client._send_packet(client.packet_class(sio_packet.CONNECT, data=auth or {},
                                                  namespace=namespace))


def engine_transport(client):
    try:
        return client.transport()
    except AttributeError:
        return None


async def close_http_session(session):
    if session is not None and not session.closed:
        await session.close()
        await asyncio.sleep(0)


__all__ = ["create_http_session", "abort_connection", "connect_namespace", "engine_transport",
           "WireObserver", "KNOWN_VERSIONS", "socketio"]
