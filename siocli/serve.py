"""`siocli serve`: an embedded Socket.IO server that shows everything its clients do.

A python-socketio AsyncServer on aiohttp (AppRunner/TCPSite inside the running loop).
Every client's lifecycle and every event become records; every event that asks for an
acknowledgement is acknowledged with its own arguments; with a token, connections whose
``auth.token`` differs are refused with a ``connect_error`` carrying a message and data.
"""

import asyncio
import dataclasses
import errno
import logging
import signal
import sys
import time

import socketio
from aiohttp import web

from siocli import records
from siocli.auth import masked, masked_headers
from siocli.status import ExitStatus

# Disconnect reasons as python-socketio gives them on the server side.
SERVER_REASONS = {
    "client disconnect": "the client disconnected the socket (socket.disconnect() or it closed)",
    "server disconnect": "this server disconnected the socket",
    "ping timeout": "the client did not answer a PING within pingInterval + pingTimeout",
    "transport close": "the client's connection was closed (it exited, or the network changed)",
    "transport error": "the client's connection encountered an error",
}
HIDDEN_QUERY = ("EIO", "transport", "t", "sid", "j", "b64")


@dataclasses.dataclass
class ServeConfig:
    host: str = "127.0.0.1"
    port: int = 5000
    path: str = "/socket.io"
    namespaces: tuple = ("/",)
    token: str = None
    protected: frozenset = None  # namespaces that need the token; None: all of them
    token_hint: str = None  # added to the connect_error data when set (the demo)
    cors: tuple = ()
    ping_interval: float = 25.0
    ping_timeout: float = 20.0

    @classmethod
    def from_options(cls, options):
        namespaces = ["/"]
        for name in options.get("namespaces") or ():
            name = "/" + name.strip().strip("/") if name.strip() not in ("", "/") else "/"
            if name not in namespaces:
                namespaces.append(name)
        return cls(host=options.get("host") or "127.0.0.1", port=options.get("port", 5000),
                   path="/" + (options.get("path") or "/socket.io").strip("/"),
                   namespaces=tuple(namespaces), token=options.get("token"),
                   cors=tuple(options.get("cors") or ()),
                   ping_interval=options.get("ping_interval", 25.0),
                   ping_timeout=options.get("ping_timeout", 20.0))

    def needs_token(self, namespace):
        return self.token is not None and (self.protected is None or namespace in self.protected)


@dataclasses.dataclass
class Client:
    sid: str
    namespace: str
    eio_sid: str
    auth: object
    headers: dict
    remote: str
    connected_at: float
    events_in: int = 0
    events_out: int = 0


class _ProblemsAsRecords(logging.Handler):
    """python-socketio's warnings and errors (a refused origin, a bad session id) as
    `error` records: a debugging server should say why it turned a request down."""

    def __init__(self, server):
        super().__init__(logging.WARNING)
        self.server = server

    def emit(self, log_record):
        try:
            message = log_record.getMessage().split(" (further occurrences")[0]
        except Exception:  # a malformed log call must not break the server
            return
        self.server.record(records.error(None, message, source=log_record.name))


def server_logger(name, server):
    logger = logging.getLogger(name)
    logger.handlers[:] = [_ProblemsAsRecords(server)]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    return logger


class _SocketIOServer(socketio.AsyncServer):
    """Sees each event with its ack id (the handlers do not), in arrival order."""

    def __init__(self, observer, **options):
        super().__init__(**options)
        self._observer = observer

    async def _handle_event(self, eio_sid, namespace, id, data):
        self._observer.incoming(eio_sid, namespace or "/", data, id is not None)
        await super()._handle_event(eio_sid, namespace, id, data)

    async def _handle_connect(self, eio_sid, namespace, data):
        self._observer.connecting(eio_sid, namespace or "/", data)
        await super()._handle_connect(eio_sid, namespace, data)


class DebugServer:
    """The serve machinery, usable in-process (serve, demo, tests)."""

    def __init__(self, config, emit_record):
        self.config = config
        self._emit_record = emit_record
        self.clients = {}  # sid -> Client
        self.events_in = self.events_out = 0
        self.started_at = None
        self.port = None
        self._runner = None
        self._ending = {}  # sid -> why this server is disconnecting it
        cors = list(config.cors) if config.cors else "*"
        if cors != "*" and "*" in cors:
            cors = "*"
        self.sio = _SocketIOServer(
            self, async_mode="aiohttp", cors_allowed_origins=cors,
            ping_interval=config.ping_interval, ping_timeout=config.ping_timeout,
            logger=server_logger("siocli.serve.socketio", self),
            engineio_logger=server_logger("siocli.serve.engineio", self))
        for namespace in config.namespaces:
            self._handlers(namespace)

    # -- the handlers ------------------------------------------------------------------

    def _handlers(self, namespace):
        async def on_connect(sid, environ, auth=None):
            await self._on_connect(namespace, sid, environ, auth)

        async def on_disconnect(sid, reason=None):
            self._on_disconnect(namespace, sid, reason)

        async def on_any(event, sid, *args):
            return args  # the acknowledgement, when asked for: the event's own arguments

        self.sio.on("connect", on_connect, namespace=namespace)
        self.sio.on("disconnect", on_disconnect, namespace=namespace)
        self.sio.on("*", on_any, namespace=namespace)

    def connecting(self, eio_sid, namespace, auth):
        """A CONNECT packet; records the refusal of a namespace that is not served."""
        if namespace in self.config.namespaces:
            return
        environ = self.sio.environ.get(eio_sid, {})
        served = ", ".join(self.config.namespaces)
        self.record(records.connect_error(namespace, "Unable to connect", None),
                    auth=masked(auth), **self._client_facts(environ),
                    hint="namespace %s is not served (serving %s; add it with -n %s)" % (
                        namespace, served, namespace))

    async def _on_connect(self, namespace, sid, environ, auth):
        facts = self._client_facts(environ)
        if self.config.needs_token(namespace):
            given = auth.get("token") if isinstance(auth, dict) else None
            if given != self.config.token:
                data = {"reason": "auth.token is missing" if given is None
                        else "auth.token does not match"}
                if self.config.token_hint:
                    data["hint"] = self.config.token_hint
                self.record(records.connect_error(namespace, "not authorized", data),
                            id=sid, auth=masked(auth), **facts)
                raise socketio.exceptions.ConnectionRefusedError("not authorized", data)
        eio_sid = self.sio.manager.eio_sid_from_sid(sid, namespace)
        self.clients[sid] = Client(sid, namespace, eio_sid, auth, facts["headers"],
                                   facts["remote"], time.time())
        self.record(records.connect(namespace, sid, self.transport_of(eio_sid), 0),
                    auth=masked(auth), **facts)

    def _on_disconnect(self, namespace, sid, reason):
        client = self.clients.pop(sid, None)
        if client is None:
            return  # a refused connection
        reason = str(reason or "client disconnect")
        description = SERVER_REASONS.get(reason, reason)
        if sid in self._ending:
            description = self._ending.pop(sid)
        self.record(records.disconnect(namespace, reason, description, False),
                    id=sid, transport=self.transport_of(client.eio_sid))

    def incoming(self, eio_sid, namespace, data, wants_ack):
        sid = self.sio.manager.sid_from_eio_sid(eio_sid, namespace)
        client = self.clients.get(sid)
        if client is None or not data:
            return
        client.events_in += 1
        self.events_in += 1
        self.record(records.event(namespace, data[0], data[1:]), id=sid, ack=wants_ack)

    def _client_facts(self, environ):
        request = environ.get("aiohttp.request")
        if request is not None:
            headers = dict(request.headers)
            remote = request.remote or ""
            query = {k: v for k, v in request.query.items() if k not in HIDDEN_QUERY}
        else:
            headers, remote, query = {}, environ.get("REMOTE_ADDR", ""), {}
        return {"headers": masked_headers(headers), "query": query, "remote": remote}

    def record(self, record, **extra):
        record.update(extra)
        self._emit_record(record)

    # -- what the REPL and the demo do -------------------------------------------------

    def transport_of(self, eio_sid):
        socket = self.sio.eio.sockets.get(eio_sid)
        if socket is None:
            return None
        return "websocket" if socket.upgraded else "polling"

    def find(self, text):
        """The client whose socket.id is ``text`` or starts with it; KeyError otherwise."""
        if text in self.clients:
            return self.clients[text]
        found = [c for sid, c in self.clients.items() if sid.startswith(text)]
        if len(found) == 1:
            return found[0]
        if not found:
            raise KeyError("no client with id %s (type `clients` to see them)" % text)
        raise KeyError("%d clients have an id starting with %s" % (len(found), text))

    async def emit(self, event, args, to=None):
        """Emit to one client (``to``: a socket.id or its start) or to every client.
        Returns how many sockets it was sent to."""
        if to is not None:
            client = self.find(to)
            targets = {client.namespace: [client]}
        else:
            targets = {}
            for client in self.clients.values():
                targets.setdefault(client.namespace, []).append(client)
        for namespace, clients in targets.items():
            if to is not None:
                await self.sio.emit(event, tuple(args), to=clients[0].sid, namespace=namespace)
            else:
                await self.sio.emit(event, tuple(args), namespace=namespace)
            for client in clients:
                client.events_out += 1
            self.events_out += len(clients)
            self.record(records.emit(namespace, event, args),
                        to=clients[0].sid if to is not None else "*", clients=len(clients))
        return sum(len(clients) for clients in targets.values())

    async def kick(self, text):
        """Disconnect a client from its namespace: it sees `io server disconnect`."""
        client = self.find(text)
        self._ending[client.sid] = "kicked (the client sees `io server disconnect`)"
        await self.sio.disconnect(client.sid, namespace=client.namespace)
        return client

    @property
    def url(self):
        host = self.config.host
        if ":" in host:
            host = "[%s]" % host
        return "http://%s:%s" % (host, self.port)

    def client_url(self):
        host = {"0.0.0.0": "127.0.0.1", "::": "[::1]", "": "127.0.0.1"}.get(self.config.host)
        return "http://%s:%s" % (host, self.port) if host else self.url

    # -- starting and stopping ---------------------------------------------------------

    async def start(self):
        app = web.Application()
        self.sio.attach(app, socketio_path=self.config.path.strip("/"))
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None,
                                    shutdown_timeout=1.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.config.host or None, self.config.port)
        try:
            await site.start()
        except BaseException:
            await self._runner.cleanup()
            self._runner = None
            raise
        self.port = self._runner.addresses[0][1]
        self.started_at = time.time()
        return self.port

    async def stop(self):
        """Close every client's connection (they see a disconnect), then stop listening."""
        if self._runner is None:
            return
        runner, self._runner = self._runner, None
        sockets = list(self.sio.eio.sockets.values())
        for sid in list(self.clients):
            self._ending[sid] = "this server is stopping"
        try:
            if sockets:
                await asyncio.wait_for(self.sio.eio.disconnect(), 1.0)
        except (asyncio.TimeoutError, OSError, ValueError):
            pass
        for socket in sockets:
            if socket.upgraded:  # end the websocket writer: it closes the connection
                socket.queue.put_nowait(None)
        try:
            await asyncio.wait_for(self.sio.shutdown(), 2)
        except (asyncio.TimeoutError, OSError):
            pass
        await runner.cleanup()


def listening_notice(server):
    config = server.config
    text = "siocli serve: listening on %s (path %s, namespaces %s" % (
        server.url, config.path, ", ".join(config.namespaces))
    if config.token is not None:
        text += ", auth.token required"
    return text + ")"


async def run_serve(options, env, output):
    """The `serve` mode; an exit status."""
    from siocli.serve_view import ServeView

    config = ServeConfig.from_options(options)
    if output.format != "json":
        output.renderer = ServeView(output)
    server = DebugServer(config, output.emit)
    try:
        await server.start()
    except OSError as exc:
        reason = str(exc.strerror or exc).rpartition("): ")[2]
        if exc.errno == errno.EADDRINUSE or "in use" in reason:
            reason += " (--port 0 picks a free port)"
        (env.stderr or sys.stderr).write("siocli: error: cannot listen on %s:%s: %s\n" % (
            config.host, config.port, reason))
        return ExitStatus.CONNECT_FAILED
    output.notice(listening_notice(server), style="bold")
    hint = "try: siocli connect %s" % server.client_url()
    if env.interactive:
        output.notice(hint + "    (type `help` here; Ctrl-C or `quit` stops)")
    else:
        output.notice(hint + "    (Ctrl-C stops)")
    try:
        if env.interactive:
            from siocli.serve_repl import run_serve_repl

            return await run_serve_repl(server, env, output)
        return await _serve_until_signal()
    finally:
        await asyncio.shield(_stop(server, output))


async def _stop(server, output):
    count = len(server.clients)
    await server.stop()
    output.notice("siocli serve: stopped%s" % (
        " (%d client%s disconnected)" % (count, "" if count == 1 else "s") if count else ""))


async def _serve_until_signal():
    """Serve until SIGTERM (exit 0) or SIGINT (the dispatcher cancels us: 130)."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    try:
        loop.add_signal_handler(signal.SIGTERM, stop.set)
    except (NotImplementedError, RuntimeError, ValueError):
        pass
    try:
        await stop.wait()
    finally:
        try:
            loop.remove_signal_handler(signal.SIGTERM)
        except (NotImplementedError, RuntimeError, ValueError):
            pass
    return ExitStatus.SUCCESS
