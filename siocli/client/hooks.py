"""Every hook under python-socketio's and python-engineio's public surface, client and
server: no other module names their private attributes (a test enforces it).

python-socketio does not say why a connection ended the way the JS client does, nor
show raw packets. Public hooks are used where they exist: aiohttp's
``ClientSession(ws_response_class=, response_class=, trace_configs=)`` handed to the
Engine.IO client through python-socketio's public ``http_session`` option shows every
frame and how the transport ended. The gaps without a public hook are bridged here,
each checked by tests/unit/test_hooks.py against the versions pinned in pyproject.toml:

Client:
* packets taken before python-socketio sees them (what the JS decoder refuses, packets
  for namespaces nobody asked for, and a websocket's plain events and acks, which
  siocli delivers itself): a websocket message is skipped, a polling packet becomes an
  Engine.IO NOOP;
* every EVENT and ACK python-socketio decodes handed to siocli, not to its handlers;
* polling responses of any number of packets (python-engineio stops at 16);
* python-engineio's own give-up timers pushed back (the JS ping watchdog decides);
* ending the Engine.IO connection at once (``eio.disconnect(abort=True)``), as the JS
  client does on ``ping timeout``, with the CLOSE packet it sends first over polling,
  and reading the engine's state;
* keeping the other namespaces when `/` is rejected (python-socketio drops them all);
* with --parser msgpack, packets without a ``data`` key when there is none, as
  socket.io-msgpack-parser writes them (python-socketio writes nil, and the server's
  decoder refuses a DISCONNECT with nil data);
* connecting one more namespace on a live connection (the REPL's ``ns``), which
  python-socketio only does inside ``connect()``;
* a client disconnect that first lets the packets already queued (the last emits,
  then the Socket.IO DISCONNECT) reach the server: python-socketio closes the
  websocket without waiting for its send queue, and they would be lost;
* leaving one namespace while the others stay (as JS ``socket.disconnect()``):
  python-socketio only disconnects them all;
* the server's ack requests: python-socketio answers each one itself, with whatever the
  event handler returns, the moment it returns (an empty ACK for ``None``); the JS
  client sends nothing until its listener calls back. The events that ask for an ack
  are handed over with their ack id and no ACK is sent until siocli sends one.

Behind a proxy (aiohttp's surface, guarded by the same test):
* the websocket through a CONNECT tunnel even for ``ws://`` (aiohttp would send it to
  the proxy as a plain proxied GET): a connector overriding ``_create_connection`` and
  a request class whose ``update_proxy`` leaves websocket requests unproxied.

Server (``siocli serve``):
* seeing each event with its ack id, and each CONNECT before the handler runs
  (``_handle_event``, ``_handle_connect``);
* the transport of a client, its WSGI-style environ, and closing every engine socket.
"""

import asyncio
import ssl

import aiohttp
import engineio.payload
import socketio
from socketio import packet as sio_packet

from siocli.client import tunnel
from siocli.client.engine_wire import RECORD_SEPARATOR
from siocli.client.packets import ACK, EVENT
from siocli.client.tls import unverified_context

KNOWN_VERSIONS = {"python-socketio": ("5.11", "6"), "python-engineio": ("4.9", "5")}
NOOP = "6"  # an Engine.IO NOOP stands in for what the observer took (see receive, read)
MESSAGES_TAKEN_IN_A_ROW = 32
ERROR_BODY_SECONDS = 2.0  # how long the body of a refused handshake is waited for


class WireObserver:
    """What the hooks report to; the session's observer implements these."""

    def frame_in(self, frame, alone=False):
        """One Engine.IO packet from the server (str, or bytes for binary). Returning
        False takes it from python-engineio: a websocket message is skipped, a polling
        packet becomes a NOOP. ``alone``: the packet
        came in a websocket message of its own, so python-engineio has handed every
        earlier packet to python-socketio before this one is reported (over polling, a
        response's packets are all reported before python-socketio sees the first)."""

    def frame_out(self, frame):
        """One Engine.IO packet to the server."""

    def transport_closed(self, detail):
        """The websocket was closed, cleanly or by the peer going away."""

    def transport_failed(self, detail):
        """The websocket failed with an error."""

    def request_failed(self, exception):
        """An HTTP request (polling, or the websocket handshake) raised ``exception``."""

    def http_exchange(self, method, url, request_headers, status, reason, response_headers):
        """An HTTP request's head as sent and its response's head as received (headers as
        (name, value) pairs, in order)."""

    def http_error_body(self, url, status, reason, body):
        """The body of a response with a status other than 2xx."""


def accept_any_polling_batch():
    """python-engineio refuses a polling response of more than 16 packets ("Too many
    packets in payload"); Socket.IO servers send every packet that is waiting in one
    response, so a busy server breaks the connection. The JS client has no such limit.
    The knob is a class attribute: this sets it for the whole process."""
    engineio.payload.Payload.max_decode_packets = 1 << 62


def create_http_session(observer, ssl=None, proxy=None):
    """An aiohttp session that reports every frame and transport end to ``observer``;
    with ``proxy`` (http://[user:password@]host:port) its polling requests go through
    the proxy and its websocket through a CONNECT tunnel (see client/tunnel.py)."""

    class WatchedWebSocket(aiohttp.ClientWebSocketResponse):
        async def receive(self, timeout=None):
            # a message the observer takes (an event it delivers) or drops never reaches
            # python-engineio: the next one is read in its place, up to a bound (the
            # NOOP then lets python-engineio's read loop, and on Python 3.11 its
            # wait_for, give the event loop a turn)
            for _ in range(MESSAGES_TAKEN_IN_A_ROW):
                message = await super().receive(timeout)
                kind = message.type
                if kind is not aiohttp.WSMsgType.TEXT and kind is not aiohttp.WSMsgType.BINARY:
                    break
                if observer.frame_in(message.data, True) is not False:
                    return message
            else:
                return aiohttp.WSMessage(aiohttp.WSMsgType.TEXT, NOOP, None)
            if kind is aiohttp.WSMsgType.ERROR:
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
            polling = "transport=polling" in str(self.url)
            if not 200 <= self.status < 300:
                observer.http_error_body(str(self.url), self.status, self.reason, body)
            if self.method == "GET" and 200 <= self.status < 300 and polling:
                frames = decode_polling_payload(body)
                kept = [frame if observer.frame_in(frame) is not False else NOOP
                        for frame in frames]
                if kept != frames:
                    body = RECORD_SEPARATOR.join(kept).encode("utf-8")
            return body

    async def on_chunk_sent(session, context, params):
        if params.method == "POST":
            for frame in decode_polling_payload(params.chunk):
                observer.frame_out(frame)

    async def on_request_exception(session, context, params):
        observer.request_failed(params.exception)

    async def on_headers_sent(session, context, params):
        context.sent_headers = list(params.headers.items())

    async def on_request_end(session, context, params):
        query = params.url.query
        status = params.response.status
        polling = query.get("transport") == "polling"
        if not (polling and "sid" in query):  # a running session's polling is no handshake
            sent = getattr(context, "sent_headers", None) or list(params.headers.items())
            observer.http_exchange(params.method, str(params.url), sent, status,
                                   params.response.reason or "",
                                   list(params.response.headers.items()))
        if status >= 400 and "sid" not in query:
            # a refused handshake: its body says why (python-engineio reads it only on
            # polling, and aiohttp's ws_connect not at all); read() reports it
            try:
                await asyncio.wait_for(params.response.read(), ERROR_BODY_SECONDS)
            except Exception:
                pass
        if polling and not 200 <= status < 300:
            observer.transport_failed("HTTP %s on a polling request" % status)

    trace = aiohttp.TraceConfig()
    trace.on_request_chunk_sent.append(on_chunk_sent)
    trace.on_request_exception.append(on_request_exception)
    trace.on_request_headers_sent.append(on_headers_sent)
    trace.on_request_end.append(on_request_end)
    return aiohttp.ClientSession(
        ws_response_class=WatchedWebSocket,
        response_class=WatchedResponse,
        trace_configs=[trace],
        **route_options(ssl, proxy),
    )


def route_options(ssl=None, proxy=None, force_close=False):
    """The ``aiohttp.ClientSession`` options that send its requests as `connect` sends
    them: with ``proxy``, polling through the proxy and the websocket through a CONNECT
    tunnel; ``ssl``: aiohttp's ``ssl=`` (None: verify with the system's CAs);
    ``force_close``: a connection per request (none kept for the next)."""
    if proxy is not None:
        return {"proxy": proxy, "request_class": WebSocketUnproxiedRequest,
                "connector": TunnellingConnector(proxy, ssl, force_close=force_close)}
    if ssl is not None or force_close:
        return {"connector": aiohttp.TCPConnector(ssl=True if ssl is None else ssl,
                                                  force_close=force_close)}
    return {}


WEBSOCKET_SCHEMES = ("ws", "wss")


class WebSocketUnproxiedRequest(aiohttp.ClientRequest):
    """A request that leaves the session's proxy to polling: a websocket request is
    sent as to the server itself, over the tunnel TunnellingConnector opens for it."""

    def update_proxy(self, proxy, proxy_auth, proxy_headers):
        if self.url.scheme in WEBSOCKET_SCHEMES:
            proxy = proxy_auth = proxy_headers = None
        super().update_proxy(proxy, proxy_auth, proxy_headers)


class TunnellingConnector(aiohttp.TCPConnector):
    """aiohttp's connector, but a websocket (ws or wss) connects through a CONNECT
    tunnel of the proxy; aiohttp itself would send a ws:// request to the proxy as a
    plain proxied GET, which proxies refuse. The override is of aiohttp's
    ``_create_connection(req, traces, timeout)``, stable across aiohttp 3.x."""

    def __init__(self, proxy, ssl_setting, force_close=False):
        super().__init__(ssl=ssl_setting if ssl_setting is not None else True,
                         force_close=force_close)
        from siocli.proxy import endpoint

        self._proxy = endpoint(proxy)
        self._tunnel_ssl = ssl_setting

    async def _create_connection(self, req, traces, timeout):
        if req.url.scheme not in WEBSOCKET_SCHEMES:
            return await super()._create_connection(req, traces, timeout)
        sock = await tunnel.open_tunnel(self._proxy, req.url.raw_host, req.url.port)
        secure = req.url.scheme == "wss"
        try:
            _, protocol = await asyncio.get_running_loop().create_connection(
                self._factory, sock=sock, ssl=self._ssl_for(req) if secure else None,
                server_hostname=req.url.raw_host if secure else None)
        except ssl.SSLCertVerificationError as exc:
            sock.close()
            raise aiohttp.ClientConnectorCertificateError(req.connection_key, exc) from exc
        except ssl.SSLError as exc:
            sock.close()
            raise aiohttp.ClientConnectorSSLError(req.connection_key, exc) from exc
        except OSError as exc:
            sock.close()
            raise aiohttp.ClientConnectorError(req.connection_key, exc) from exc
        return protocol

    def _ssl_for(self, req):
        if isinstance(req.ssl, ssl.SSLContext):
            return req.ssl
        if self._tunnel_ssl is False or req.ssl is False:
            return unverified_context()
        return self._tunnel_ssl or ssl.create_default_context()


def decode_polling_payload(body):
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    if not text:
        return []
    return text.split(RECORD_SEPARATOR)


def describe_exception(exc):
    return "%s: %s" % (type(exc).__name__, exc) if str(exc) else type(exc).__name__


async def abort_connection(client, tell_server=True):
    """End the Engine.IO connection now, without a Socket.IO goodbye.

    Over polling the server is also sent an Engine.IO CLOSE, as the JS client does when it
    drops a polling connection (python-engineio's abort sends nothing, and the server
    keeps the session until its ping timeout); as in JS that request does not hold up
    the disconnect. Returns its task (None when nothing is sent): await it before the
    HTTP session is closed. ``tell_server=False`` when the server closed it itself."""
    closing = close_polling_session(client) if tell_server else None
    writer = client.eio.write_loop_task
    await client.eio.disconnect(abort=True)
    if writer is not None and not writer.done():
        # disconnect() emptied the send queue: the write loop would wait out its timeout
        writer.cancel()
    return closing


def close_polling_session(client, timeout=1.0):
    """Start POSTing an Engine.IO CLOSE on a polling connection python-engineio counts as
    open: the request's task, or None."""
    eio = client.eio
    if eio.state != "connected" or eio.current_transport != "polling":
        return None
    url = eio.base_url  # the session's: gone from eio once it is aborted

    async def post():
        response = await eio._send_request("POST", url, body="1", timeout=timeout,
                                           headers={"Content-Type": "text/plain"})
        if isinstance(response, aiohttp.ClientResponse):
            response.release()

    return asyncio.ensure_future(post())


async def graceful_disconnect(client, flush_timeout=2.0):
    """Send what is queued, then a Socket.IO DISCONNECT per namespace, then close.

    The close does not wait for a pending long-poll to return (python-engineio would,
    up to pingInterval + 5 s against a python-socketio server). Returns the task of the
    polling CLOSE, as :func:`abort_connection`."""
    for namespace in list(client.namespaces):
        await client._send_packet(client.packet_class(sio_packet.DISCONNECT, namespace=namespace))
    await _drain(client, flush_timeout)
    return await abort_connection(client)


async def _drain(client, timeout):
    try:
        await asyncio.wait_for(client.eio.queue.join(), timeout)
    except TimeoutError:
        pass


def msgpack_packet_class(ext_hook):
    """python-socketio's MsgPackPacket (its public ``serializer=`` option takes a class)
    reading extension types with ``ext_hook`` and leaving out a ``data`` of None."""
    from socketio.msgpack_packet import MsgPackPacket

    class JavaScriptMsgPackPacket(MsgPackPacket.configure(ext_hook=ext_hook)):
        def _to_dict(self):
            fields = super()._to_dict()
            if fields.get("data") is None:
                del fields["data"]
            return fields

    return JavaScriptMsgPackPacket


async def connect_namespace(client, namespace, auth):
    """Ask the server for one more namespace on the live connection."""
    if namespace not in client.connection_namespaces:
        client.connection_namespaces.append(namespace)
    await client._send_packet(client.packet_class(sio_packet.CONNECT, data=auth or {},
                                                  namespace=namespace))


async def leave_namespace(client, namespace):
    """Send the Socket.IO DISCONNECT of ``namespace`` and forget it; the connection and
    the other namespaces stay. python-socketio reports no disconnect for it: the
    caller does (`io client disconnect`)."""
    if namespace in client.namespaces:
        await client._send_packet(client.packet_class(sio_packet.DISCONNECT,
                                                      namespace=namespace))
    client.namespaces.pop(namespace, None)
    if namespace in client.connection_namespaces:
        client.connection_namespaces.remove(namespace)


def take_over_events_and_acks(client, on_packet, on_request):
    """Every EVENT and ACK python-socketio decodes goes to siocli instead of its handlers
    and callbacks: an event without ack id and an ACK to ``on_packet(kind, namespace,
    ack_id, payload)`` (as client/wire.py delivers them: kind "2" or "3", the ack id as
    its digits), an event that asks for an ack to ``on_request(namespace, ack_id, event,
    args)``, for which python-socketio sends no ACK (see :func:`send_ack`).

    python-socketio's dispatch would take an event named ``*`` for its catch-all and
    drop one named ``__disconnect_final``; its ACK handling takes the id counter it keeps
    under 0 for a callback. The JS client does neither."""

    async def handle_event(namespace, id, data):
        namespace = namespace or "/"
        if id is None:
            on_packet(EVENT, namespace, None, data)
        else:
            on_request(namespace, id, data[0], tuple(data[1:]))

    async def handle_ack(namespace, id, data):
        if isinstance(id, float) and id.is_integer():  # msgpack may carry 3.0: JS reads 3
            id = int(id)
        if id is not None:  # as JS, an ACK without an id is ignored
            on_packet(ACK, namespace or "/", str(id), data)

    client._handle_event = handle_event
    client._handle_ack = handle_ack


def take_ack_callback(client, namespace, ack_id):
    """The callback python-socketio keeps for its call ``ack_id`` (digits, as the packet
    had them) of ``namespace``, taken out; None when there is none."""
    digits = ack_id.lstrip("0") if isinstance(ack_id, str) and ack_id.isdigit() else ""
    number = int(digits) if 0 < len(digits) <= 18 else 0  # longer: not an id it gave
    if number < 1:  # python-socketio's ids start at 1; it keeps its counter under 0
        return None
    return client.callbacks.get(namespace, {}).pop(number, None)


async def send_ack(client, namespace, ack_id, args):
    """Answer the server's ack request ``ack_id`` of ``namespace`` with ``args`` (an ACK,
    or a BINARY_ACK when the args hold bytes: python-socketio's packet class decides)."""
    await client._send_packet(client.packet_class(sio_packet.ACK, namespace=namespace,
                                                  id=ack_id, data=list(args)))


def engine_transport(client):
    try:
        return client.transport()
    except AttributeError:
        return None


def keep_namespaces_after_root_rejection(client, connected):
    """python-socketio forgets every namespace (and stops reporting their disconnects)
    when `/` is rejected; the JS client keeps the others. ``connected``: {namespace: sid}
    of those still connected, put back once python-socketio has cleared them."""
    if not connected:
        return

    def restore():
        client.namespaces.update(connected)
        client.connected = True

    asyncio.get_running_loop().call_soon(restore)


ENGINE_GIVE_UP_SECONDS = 86400.0


def leave_ping_timeouts_to_the_watchdog(client):
    """python-engineio gives up on a connection when its write loop has sent nothing, or
    its websocket received nothing, for about pingInterval + pingTimeout: in a flood the
    server's PING waits behind thousands of events and a healthy connection is dropped
    (`transport error` at 30 s). The JS client has only its ping watchdog, which
    siocli runs itself (wire.py): those give-up timers are pushed out of the way."""
    if client.eio.ping_interval is not None:
        client.eio.ping_interval = ENGINE_GIVE_UP_SECONDS


def note_namespace_connected(client):
    """A namespace connected: python-socketio must count the client as connected even
    when `/` was rejected before (it then stays "not connected" and never reports the
    other namespaces' disconnects)."""
    client.connected = True


async def end_client_tasks(client):
    """Cancel what python-engineio may still run for a connection that was aborted: a
    read loop waiting on a long-poll or a websocket, a write loop waiting on its queue."""
    tasks = [task for task in (client.eio.read_loop_task, client.eio.write_loop_task)
             if task is not None and not task.done()]
    for task in tasks:
        task.cancel()
    if tasks:
        await asyncio.wait(tasks, timeout=1.0)


async def close_http_session(session):
    if session is not None and not session.closed:
        await session.close()
        await asyncio.sleep(0)


# -- server ---------------------------------------------------------------------------------


class ObservedServer(socketio.AsyncServer):
    """An AsyncServer that tells ``observer`` of each event with whether it asks for an
    ack (the handlers do not see that), and of each CONNECT, in arrival order."""

    def __init__(self, observer, **options):
        super().__init__(**options)
        self._observer = observer

    async def _handle_event(self, eio_sid, namespace, id, data):
        self._observer.incoming(eio_sid, namespace or "/", data, id is not None)
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_connect(self, eio_sid, namespace, data):
        self._observer.connecting(eio_sid, namespace or "/", data)
        await super()._handle_connect(eio_sid, namespace, data)


def server_transport(server, eio_sid):
    """"websocket" or "polling" for an Engine.IO session of ``server``, or None."""
    socket = server.eio.sockets.get(eio_sid)
    if socket is None:
        return None
    return "websocket" if socket.upgraded else "polling"


def server_environ(server, eio_sid):
    return server.environ.get(eio_sid, {})


def eio_sid_of(server, sid, namespace):
    return server.manager.eio_sid_from_sid(sid, namespace)


def sid_of(server, eio_sid, namespace):
    return server.manager.sid_from_eio_sid(eio_sid, namespace)


async def close_all_clients(server, timeout=1.0):
    """Disconnect every Engine.IO session of ``server`` and end their websocket writers."""
    sockets = list(server.eio.sockets.values())
    try:
        if sockets:
            await asyncio.wait_for(server.eio.disconnect(), timeout)
    except (TimeoutError, OSError, ValueError):
        pass
    for socket in sockets:
        if socket.upgraded:  # end the websocket writer: it closes the connection
            socket.queue.put_nowait(None)
