"""Guards the hooks siocli/client/hooks.py takes into python-socketio / engineio.

If python-socketio or python-engineio change what these tests touch, they fail here
first, naming the hook, instead of siocli silently reporting wrong reasons.
"""

import asyncio
import importlib.metadata
import inspect
import json

import aiohttp
import engineio
import socketio

from siocli.client import hooks


def _version_tuple(text):
    return tuple(int(part) for part in text.split(".")[:2] if part.isdigit())


def test_installed_versions_are_the_known_ones():
    for package, (low, high) in hooks.KNOWN_VERSIONS.items():
        installed = _version_tuple(importlib.metadata.version(package))
        assert _version_tuple(low) <= installed < _version_tuple(high), package


def test_http_session_reaches_the_engineio_client():
    async def scenario():
        session = hooks.create_http_session(hooks.WireObserver())
        try:
            client = socketio.AsyncClient(http_session=session, handle_sigint=False)
            assert client.eio.http is session
            assert client.eio.external_http is True
        finally:
            await session.close()
    asyncio.run(scenario())


def test_private_surface_used_by_the_hooks_is_there():
    assert "abort" in inspect.signature(engineio.AsyncClient.disconnect).parameters
    client = socketio.AsyncClient(handle_sigint=False)
    assert isinstance(client.connection_namespaces, list)
    assert inspect.iscoroutinefunction(client._send_packet)
    assert client.packet_class is socketio.packet.Packet
    assert socketio.packet.CONNECT == 0 and socketio.packet.DISCONNECT == 1
    assert isinstance(client.namespaces, dict)
    assert isinstance(client.eio.queue, asyncio.Queue)
    assert client.eio.write_loop_task is None  # a task while connected
    # the write loop marks each sent packet done: graceful_disconnect waits on that
    assert "self.queue.task_done()" in inspect.getsource(engineio.AsyncClient._write_loop)


def test_engineio_reads_websocket_frames_through_receive():
    # the read loop must call ws.receive(): that is where WatchedWebSocket observes frames
    source = inspect.getsource(engineio.AsyncClient._read_loop_websocket)
    assert "self.ws.receive(" in source
    source = inspect.getsource(engineio.AsyncClient._connect_websocket)
    assert "self.http.ws_connect(" in source


def test_watched_classes_subclass_aiohttp():
    session_kwargs = inspect.signature(aiohttp.ClientSession).parameters
    for name in ("ws_response_class", "response_class", "trace_configs"):
        assert name in session_kwargs
    assert "on_request_chunk_sent" in dir(aiohttp.TraceConfig())
    # the handshake records: the headers really sent, then the response's head
    for signal in ("on_request_headers_sent", "on_request_end", "on_request_exception"):
        assert signal in dir(aiohttp.TraceConfig())


def test_engineio_reads_the_body_of_a_refused_polling_handshake():
    # python-engineio reads it (r.json()) through WatchedResponse.read: the server's message
    source = inspect.getsource(engineio.AsyncClient._connect_polling)
    assert "await r.json()" in source


def test_aiohttp_surface_the_proxy_tunnel_overrides_is_there():
    # TunnellingConnector overrides _create_connection(req, traces, timeout), which
    # connect() calls for every new connection, and builds on the connector's _factory
    assert list(inspect.signature(aiohttp.TCPConnector._create_connection).parameters) == [
        "self", "req", "traces", "timeout"]
    assert "self._create_connection(" in inspect.getsource(aiohttp.BaseConnector.connect)
    # WebSocketUnproxiedRequest overrides update_proxy, which the request's __init__ calls
    assert list(inspect.signature(aiohttp.ClientRequest.update_proxy).parameters) == [
        "self", "proxy", "proxy_auth", "proxy_headers"]
    assert "self.update_proxy(" in inspect.getsource(aiohttp.ClientRequest.__init__)
    assert "proxy" in inspect.signature(aiohttp.ClientSession).parameters

    async def scenario():
        session = hooks.create_http_session(hooks.WireObserver(), proxy="http://127.0.0.1:9")
        try:
            assert callable(session.connector._factory)
            assert isinstance(session.connector, hooks.TunnellingConnector)
        finally:
            await session.close()
    asyncio.run(scenario())


def test_events_and_acks_hooks_fit_python_socketio():
    # take_over_events_and_acks replaces the instance's _handle_event and _handle_ack,
    # which python-socketio calls for each (binary or not) EVENT and ACK it decodes
    for name in ("_handle_event", "_handle_ack"):
        parameters = list(inspect.signature(getattr(socketio.AsyncClient, name)).parameters)
        assert parameters == ["self", "namespace", "id", "data"]
    dispatch = inspect.getsource(socketio.AsyncClient._handle_eio_message)
    assert dispatch.count("self._handle_event(") == 2  # text and binary events
    assert dispatch.count("self._handle_ack(") == 2
    # send_ack: python-socketio's packet class turns an ACK with bytes into a BINARY_ACK
    ack = socketio.packet.Packet(socketio.packet.ACK, namespace="/", id=3, data=[b"\x00"])
    assert ack.packet_type == socketio.packet.BINARY_ACK and ack.id == 3


def test_every_event_and_ack_python_socketio_decodes_reaches_siocli():
    client = socketio.AsyncClient(handle_sigint=False)
    packets, requests = [], []
    hooks.take_over_events_and_acks(client, lambda *p: packets.append(p),
                                    lambda *r: requests.append(r))

    async def scenario():
        # python-socketio's own dispatch would take "*" for its catch-all, drop
        # "__disconnect_final", and call its id counter for ack 0
        for data in (["*", 1], ["__disconnect_final"], ["tick", {"i": 1}]):
            await client._handle_eio_message("2" + json.dumps(data))
        await client._handle_eio_message('2/chat,7["question",2]')
        await client._handle_eio_message('3/chat,0["ok"]')
        await client._handle_eio_message('3["no id"]')
    asyncio.run(scenario())
    assert packets == [("2", "/", None, ["*", 1]), ("2", "/", None, ["__disconnect_final"]),
                       ("2", "/", None, ["tick", {"i": 1}]), ("3", "/chat", "0", ["ok"])]
    assert requests == [("/chat", 7, "question", (2,))]


def test_acks_delivered_by_the_wire_take_python_socketios_callbacks_as_it_does():
    # take_ack_callback reads the callbacks python-socketio keeps per namespace, by id
    # (its counter under 0), and takes one out as its own ACK handling does
    client = socketio.AsyncClient(handle_sigint=False)

    def callback(*args):
        pass

    ack_id = client._generate_ack_id("/chat", callback)
    assert ack_id == 1
    assert hooks.take_ack_callback(client, "/chat", "1") is callback
    assert hooks.take_ack_callback(client, "/chat", "1") is None  # taken once
    assert hooks.take_ack_callback(client, "/chat", "0") is None  # the counter stays
    assert hooks.take_ack_callback(client, "/", "1") is None
    assert hooks.take_ack_callback(client, "/chat", "9" * 5000) is None
    assert hooks.take_ack_callback(client, "/chat", None) is None
    ack_id = client._generate_ack_id("/chat", callback)
    assert hooks.take_ack_callback(client, "/chat", "0" * 30 + str(ack_id)) is callback
    assert next(client.callbacks["/chat"][0]) == 3
    source = inspect.getsource(socketio.AsyncClient._handle_ack)
    assert "callback = self.callbacks[namespace][id]" in source
    assert "del self.callbacks[namespace][id]" in source


def test_msgpack_packets_leave_out_a_missing_data():
    import msgpack
    from socketio import packet as sio_packet

    packet_class = hooks.msgpack_packet_class(msgpack.ExtType)
    disconnect = packet_class(sio_packet.DISCONNECT, namespace="/chat")
    assert msgpack.unpackb(disconnect.encode()) == {"type": 1, "nsp": "/chat"}
    event = packet_class(sio_packet.EVENT, data=["x", b"\x00"], namespace="/", id=4)
    assert msgpack.unpackb(event.encode()) == {"type": 2, "data": ["x", b"\x00"], "nsp": "/",
                                               "id": 4}
    decoded = packet_class(encoded_packet=msgpack.packb(
        {"type": 2, "data": ["y", msgpack.ExtType(0, b"\x00")], "nsp": "/"}))
    assert decoded.data == ["y", msgpack.ExtType(0, b"\x00")]  # ext_hook as configured
    client = socketio.AsyncClient(handle_sigint=False, serializer=packet_class)
    assert client.packet_class is packet_class


def test_engineio_polling_requests_used_to_close_a_session():
    client = engineio.AsyncClient()
    parameters = inspect.signature(client._send_request).parameters
    assert list(parameters)[:5] == ["method", "url", "headers", "body", "timeout"]
    assert client.state == "disconnected" and client.current_transport is None
    assert hooks.close_polling_session(socketio.AsyncClient(handle_sigint=False)) is None
    # the write loop POSTs a polling payload to base_url, as close_polling_session does
    assert "'POST', self.base_url" in inspect.getsource(engineio.AsyncClient._write_loop)


def test_the_handlers_that_keep_the_order_never_wait():
    # the wire's deliveries and the deferred drop keep the server's order only while
    # every handler python-socketio runs finishes in its task's first step
    from siocli.client.session import Session

    for name in ("_on_connect", "_on_connect_error", "_on_disconnect", "_receive",
                 "_on_ack_request", "_deliver"):
        assert not inspect.iscoroutinefunction(getattr(Session, name)), name


def test_a_msgpack_ack_id_written_as_a_float_is_its_integer():
    client = socketio.AsyncClient(handle_sigint=False)
    packets = []
    hooks.take_over_events_and_acks(client, lambda *p: packets.append(p), lambda *r: None)
    asyncio.run(client._handle_ack("/", 3.0, ["ok"]))
    assert packets == [("3", "/", "3", ["ok"])]
