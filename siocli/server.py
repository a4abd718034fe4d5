"""The serve core: an embedded Socket.IO server whose clients' doings become records.

A python-socketio AsyncServer on aiohttp (AppRunner/TCPSite inside the running loop).
Every client's lifecycle and every event become records; every event that asks for an
acknowledgement is acknowledged with its own arguments; with a token, connections whose
``auth.token`` differs are refused with a ``connect_error`` carrying a message and data.
"""

import asyncio
import dataclasses
import logging
import time

import socketio
from aiohttp import web

from siocli import records
from siocli.auth import is_secret, mask_value, masked, masked_headers
from siocli.client import hooks

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
            if log_record.exc_info and log_record.exc_info[1] is not None:
                error = log_record.exc_info[1]
                message += ": %s: %s" % (type(error).__name__, error)
        except Exception:  # a malformed log call must not break the server
            return
        self.server.record(records.error(None, message, source=log_record.name))


def server_logger(name, server):
    logger = logging.getLogger(name)
    logger.handlers[:] = [_ProblemsAsRecords(server)]
    logger.setLevel(logging.WARNING)
    logger.propagate = False
    return logger


class DebugServer:
    """The serve machinery, usable in-process (serve, demo, tests)."""

    def __init__(self, config, emit_record):
        self.config = config  # ServeSettings
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
        self.sio = hooks.ObservedServer(
            self, async_mode="aiohttp", cors_allowed_origins=cors,
            ping_interval=config.ping_interval, ping_timeout=config.ping_timeout,
            logger=server_logger("siocli.serve.socketio", self),
            engineio_logger=server_logger("siocli.serve.engineio", self))
        # aiohttp's own complaints about a client's request (a control character in a
        # header, say) are error records too, not a traceback on stderr
        server_logger("aiohttp.server", self)
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
        environ = hooks.server_environ(self.sio, eio_sid)
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
        eio_sid = hooks.eio_sid_of(self.sio, sid, namespace)
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
        sid = hooks.sid_of(self.sio, eio_sid, namespace)
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
            query = {k: mask_value(v) if is_secret(k) else v
                     for k, v in request.query.items() if k not in HIDDEN_QUERY}
        else:
            headers, remote, query = {}, environ.get("REMOTE_ADDR", ""), {}
        return {"headers": masked_headers(headers), "query": query, "remote": remote}

    def record(self, record, **extra):
        record.update(extra)
        self._emit_record(record)

    # -- what the REPL and the demo do -------------------------------------------------

    def transport_of(self, eio_sid):
        return hooks.server_transport(self.sio, eio_sid)

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
        for sid in list(self.clients):
            self._ending[sid] = "this server is stopping"
        await hooks.close_all_clients(self.sio)
        try:
            await asyncio.wait_for(self.sio.shutdown(), 2)
        except (TimeoutError, OSError):
            pass
        await runner.cleanup()
