"""One Engine.IO connection at a time, as the JS Manager's engine.

Each connection gets a fresh python-socketio client with its own aiohttp session: the
loops, queue and requests of an old connection can never touch the new one. An old one is
retired — told it is over (unless the server closed it), its tasks and HTTP session
ended — before the next one opens. Handlers and wire reports of any but the current
client are ignored.
"""

import asyncio
import logging

import socketio

from siocli.client import hooks, packets


def quiet_logger(name):
    logger = logging.getLogger(name)
    logger.addHandler(logging.NullHandler())
    logger.propagate = False
    return logger


def while_current(is_current, function, otherwise=None):
    """``function``, called only while ``is_current()``; else ``otherwise`` is returned."""
    def guarded(*args):
        if is_current():
            return function(*args)
        return otherwise
    return guarded


class CurrentOnly:
    """A connection's view of the wire: its reports are passed on while it is the current
    connection; nothing of an old one reaches the wire (or, returning False, python-socketio)."""

    def __init__(self, observer, is_current):
        self._observer = observer
        self._is_current = is_current

    def __getattr__(self, name):  # once per name: every frame calls frame_in
        guarded = while_current(self._is_current, getattr(self._observer, name), False)
        setattr(self, name, guarded)
        return guarded


class Engines:
    def __init__(self, settings, wire):
        self.settings = settings
        self.wire = wire
        self.client = None  # the current python-socketio client
        self._http = None
        self._closing = set()  # tasks telling a server its polling session is over

    def open(self, handlers, on_packet, on_ack_request):
        """A new current client; ``handlers`` (lifecycle name → function, for every
        namespace), ``on_packet`` and ``on_ack_request`` (see
        hooks.take_over_events_and_acks) run only while it is the current one."""
        hooks.accept_any_polling_batch()

        def is_current():
            return self.client is client

        observer = CurrentOnly(self.wire, is_current)
        http = hooks.create_http_session(observer, ssl=self.ssl_context(),
                                         proxy=self.settings.proxy)
        if self.settings.parser == "msgpack":
            serializer = {"serializer": hooks.msgpack_packet_class(packets.msgpack_ext)}
        else:
            serializer = {"json": self.wire.decoded}
        client = socketio.AsyncClient(
            reconnection=False, handle_sigint=False, logger=quiet_logger("siocli.socketio"),
            engineio_logger=quiet_logger("siocli.engineio"), http_session=http, **serializer,
            ssl_verify=not self.settings.insecure,
            # as the JS client: a websocket message of any size is received (aiohttp
            # refuses more than 4 MiB by default; maxPayload bounds what the server takes)
            websocket_extra_options={"max_msg_size": 0})

        for name, handler in handlers.items():
            client.on(name, while_current(is_current, handler), namespace="*")
        hooks.take_over_events_and_acks(client, while_current(is_current, on_packet),
                                        while_current(is_current, on_ack_request))
        self.client, self._http = client, http
        return client

    def ssl_context(self):
        from siocli.client import tls

        return tls.ssl_option(self.settings)

    async def drop(self):
        """Drop the current connection at once (the server is told, unless it closed the
        session itself)."""
        if self.client is None:
            return
        try:
            self._keep_closing(await hooks.abort_connection(
                self.client, tell_server=not self.wire.facts.engine_close_packet))
        except Exception:  # the connection is being dropped anyway
            pass

    async def disconnect(self):
        """The client's own disconnect: each namespace's DISCONNECT, then the CLOSE."""
        self._keep_closing(await hooks.graceful_disconnect(self.client))

    async def retire(self):
        """End the current client's connection, its tasks and its HTTP session."""
        client, http = self.client, self._http
        if client is None:
            return
        await self.drop()
        self.client = self._http = None
        if self._closing:  # the polling CLOSE still on its way (bounded by its timeout)
            await asyncio.wait(self._closing)
            self._closing.clear()
        await hooks.end_client_tasks(client)
        await hooks.close_http_session(http)

    def _keep_closing(self, task):
        if task is not None:
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)
