"""The session core: owns the python-socketio client and turns everything into records.

Reconnection is done here (with :class:`Reconnection`), not by python-socketio, so that
it follows the JS client: no reconnection after `io server disconnect` / `io client
disconnect` or a middleware `connect_error`, a `reconnect_attempt` record per attempt,
the JS backoff, and the auth (with --auth-cmd) resolved again before every attempt
(each attempt: client/attempt.py).
"""

import asyncio
import collections
import dataclasses

from siocli import records
from siocli.client import hooks, packets, reasons, recovery
from siocli.client.ack_requests import AckRequests
from siocli.client.attempt import Attempts
from siocli.client.auth_source import AuthSource, NamespaceAuths
from siocli.client.engine import Engines
from siocli.client.reconnection import Reconnection, ReconnectPolicy
from siocli.client.sending import Sending
from siocli.client.wire import Wire

LIFECYCLE_LOG_SIZE = 500


@dataclasses.dataclass
class NamespaceState:
    name: str
    sid: str = None
    connected: bool = False
    active: bool = True  # as JS socket.active: to be (re)connected by the Manager
    rejected: bool = False
    pid: str = None  # connection state recovery (recovery.py): as JS _pid,
    offset: str = None  # _lastOffset
    recovered: bool = False  # and recovered
    events_in: int = 0
    events_out: int = 0


class Session:
    def __init__(self, settings, emit_record):
        self.settings = settings
        self._emit_record = emit_record
        self.auths = NamespaceAuths(AuthSource(settings.auth, settings.auth_cmd,
                                               settings.connect_timeout))
        self.namespaces = {name: NamespaceState(name) for name in settings.namespaces}
        self.state = "idle"  # idle, connecting, connected, reconnecting, disconnected
        self.last_reason = None
        self.events_in = self.events_out = 0
        self.event_names = set()
        self.lifecycle = collections.deque(maxlen=LIFECYCLE_LOG_SIZE)
        self.trace = settings.trace
        self._listeners = []
        self._closed = False
        self.attempts = Attempts(
            self, {"connect": self._on_connect, "connect_error": self._on_connect_error,
                   "disconnect": self._on_disconnect},
            self._receive, self._on_ack_request)
        self.reconnection = Reconnection(ReconnectPolicy.from_settings(settings),
                                         self.attempts.run, self.record, settings.namespace,
                                         self._set_state)
        self.sending = Sending(self._transmit, self._is_connected, self.record, self._count_out,
                               settings.retries)
        self.ack_requests = AckRequests(self._send_ack, self.record, settings.ack_replies)
        loop = asyncio.get_running_loop()
        self._loop = loop
        self.wire = Wire(loop, self.record, self.connection_broken, lambda: self.trace,
                         self.attempts.transport_ended, self._listening,
                         msgpack=settings.parser == "msgpack", deliver=self._arrived)
        self.engines = Engines(settings, self.wire)
        loop.set_exception_handler(self._unhandled_exception)

    # -- records ---------------------------------------------------------------------

    def record(self, record):
        if record["type"] in records.LIFECYCLE_TYPES:
            self.lifecycle.append(record)
        for listener in self._listeners:
            listener(record)
        self._emit_record(record)

    def add_listener(self, listener):
        """Call ``listener(record)`` for every record, before it is output."""
        self._listeners.append(listener)

    def _set_state(self, state):
        self.state = state

    # -- what the modes read ----------------------------------------------------------

    @property
    def attempt(self):
        return self.reconnection.attempt

    @property
    def next_attempt_at(self):
        return self.reconnection.next_attempt_at

    @property
    def outbox(self):
        return self.sending.outbox

    @property
    def client(self):
        """The current python-socketio client (None between connections)."""
        return self.engines.client

    @property
    def transport(self):
        return hooks.engine_transport(self.client) if self.client else None

    @property
    def engine(self):
        """The Engine.IO session's :class:`~siocli.client.engine_session.EngineWatch`."""
        return self.wire.engine

    @property
    def connected(self):
        return any(state.connected for state in self.namespaces.values())

    def active_namespaces(self):
        return [name for name, state in self.namespaces.items() if state.active]

    def auth_of(self, namespace):
        """The AuthSource of ``namespace``'s Socket."""
        return self.auths.of(namespace)

    def activate(self, namespace):
        """The user asks for ``namespace`` again (`connect`, `ns`): as JS socket.connect()."""
        self.namespace_state(namespace).active = True

    # -- python-socketio handlers (synchronous, so arrival order is kept) ---------------

    def _on_connect(self, namespace):
        hooks.note_namespace_connected(self.client)
        state = self.namespace_state(namespace)
        state.sid = self.client.get_sid(namespace)
        state.connected = True
        state.rejected = False
        recovered = recovery.connected(state, self.wire.facts.connect_pids.get(namespace))
        self.state = "connected"
        self.record(records.connect(namespace, state.sid, self.transport, self.attempt,
                                    recovered))
        self.attempts.settle(namespace, "connected")
        asyncio.get_running_loop().create_task(self.sending.flush(namespace))

    def _on_connect_error(self, namespace, data=None, *rest):
        if self.attempts.connecting_engine:
            self.attempts.engine_error = data
            return
        message, detail = data, None
        if isinstance(data, dict):
            message, detail = data.get("message"), data.get("data")
        state = self.namespace_state(namespace)
        state.rejected = True
        state.active = False  # as JS: a rejected socket is not retried by the Manager
        if namespace == "/":
            connected = {name: s.sid for name, s in self.namespaces.items() if s.connected}
            hooks.keep_namespaces_after_root_rejection(self.client, connected)
        self.record(records.connect_error(namespace, str(message), detail))
        self.attempts.settle(namespace, "rejected")

    def _on_disconnect(self, namespace, library_reason=None):
        state = self.namespace_state(namespace)
        if not state.connected:
            return
        reason = reasons.js_reason(self.wire.facts, namespace, library_reason)
        self.wire.facts.server_disconnected.discard(namespace)
        self._lost(namespace, reason)

    def _lost(self, namespace, reason):
        """``namespace``'s Socket is disconnected for ``reason``: its record, its calls
        and the server's ack requests it had, and reconnection when JS would."""
        state = self.namespace_state(namespace)
        state.connected = False
        state.sid = None
        if reason == reasons.IO_SERVER_DISCONNECT:
            state.active = False  # as JS: not reconnected with the others
        self.last_reason = reason
        will_reconnect = (reason not in reasons.DELIBERATE and self.settings.reconnect
                          and not self._closed)
        if not self.connected:
            self.state = "reconnecting" if will_reconnect else "disconnected"
            self.wire.stop_watchdog()
        self.record(records.disconnect(namespace, reason, reasons.describe(reason), will_reconnect))
        self.sending.fail_calls(namespace)
        self.ack_requests.forget(namespace)
        if will_reconnect and self.state == "reconnecting":
            self.reconnection.start(first_attempt=1)

    def _on_event(self, event, namespace, args, ack=None):
        self.events_in += 1
        self.event_names.add(str(event))
        state = self.namespaces.get(namespace)
        if state is not None:
            state.events_in += 1
            if ack is None:  # an ack request's last argument is its callback, in JS
                recovery.event_arrived(state, args)
        self.record(records.event(namespace, event, args, ack))

    def _arrived(self, kind, namespace, ack, payload):
        """An event or ack the wire delivers itself: handled in a callback scheduled now,
        where python-socketio would have scheduled its handler (so it keeps its place
        among the packets python-socketio handles), if its connection is still current."""
        self._loop.call_soon(self._deliver, self.engines.client, kind, namespace, ack, payload)

    def _deliver(self, client, kind, namespace, ack, payload):
        if client is self.engines.client:
            self._receive(kind, namespace, ack, payload)

    def _receive(self, kind, namespace, ack, payload):
        """An EVENT without ack id or an ACK, from the wire or from python-socketio. As
        JS, nothing reaches a Socket that was closed meanwhile (by a DISCONNECT earlier
        in the same burst, say), and an ack nobody waits for is ignored."""
        if not self._listening(namespace):
            return
        if kind == packets.EVENT:
            self._on_event(payload[0], namespace, tuple(payload[1:]))
            return
        callback = hooks.take_ack_callback(self.client, namespace, ack)
        if callback is not None:
            callback(*payload)

    def _on_ack_request(self, namespace, ack, event, args):
        if not self._listening(namespace):
            return
        self._on_event(event, namespace, args, ack=ack)
        self.ack_requests.arrived(namespace, ack, event)

    async def _send_ack(self, namespace, ack, args):
        await hooks.send_ack(self.client, namespace, ack, args)

    async def reply(self, namespace, ack, args):
        """Answer the server's pending ack request ``ack`` of ``namespace``: the `reply`
        record; UnknownAckRequest when there is no such pending request."""
        return await self.ack_requests.answer(namespace, ack, args)

    def connect_payload(self, namespace, auth):
        """A namespace's CONNECT payload: its auth, with the session to recover."""
        return recovery.connect_payload(self.namespaces.get(namespace), auth)

    def namespace_state(self, namespace):
        """``namespace``'s Socket, made on first use."""
        if namespace not in self.namespaces:
            self.namespaces[namespace] = NamespaceState(namespace)
        return self.namespaces[namespace]

    # -- sending ---------------------------------------------------------------------

    def _listening(self, namespace):
        """As a JS Socket subscribes to its Manager's packets: while active or connected."""
        state = self.namespaces.get(namespace)
        return state is not None and (state.active or state.connected)

    def _is_connected(self, namespace):
        return self.namespace_state(namespace).connected

    async def _transmit(self, namespace, event, args, callback):
        await self.client.emit(event, data=tuple(args), namespace=namespace, callback=callback)

    def _count_out(self, namespace, event):
        self.events_out += 1
        self.event_names.add(str(event))
        self.namespace_state(namespace).events_out += 1

    async def emit(self, namespace, event, args):
        """Send now, or queue until the namespace connects: "sent" or "queued"."""
        return await self.sending.emit(namespace, event, args)

    async def call(self, namespace, event, args, timeout):
        """Emit with an ack and wait: the `ack`, `ack_timeout` or `error` record."""
        return await self.sending.call(namespace, event, args, timeout)

    # -- connecting ------------------------------------------------------------------

    async def connect(self, give_up_after=None):
        """Connect (retrying as configured); True once a namespace is connected.

        ``give_up_after``: seconds after which a first connection that keeps failing for
        a transport reason stops being retried (scripted runs).
        """
        self.start(give_up_after)
        await asyncio.shield(self.reconnection.task)
        # connected, even if the connection was lost again at once (that is exit 4)
        return self.connected or self.reconnection.outcome == "connected"

    def start(self, give_up_after=None):
        """Start connecting in the background (the REPL)."""
        self.attempts.stop_when_refused = give_up_after is not None
        self.reconnection.start(first_attempt=0, give_up_after=give_up_after)

    def _unhandled_exception(self, loop, context):
        """python-socketio runs handlers as tasks whose exceptions would go to stderr."""
        exception = context.get("exception")
        if self.wire.facts.undecodable_packet or self.wire.facts.undecodable_frame:
            return  # already reported as the reason the connection is being closed
        detail = "%s: %s" % (type(exception).__name__, exception) if exception else context.get(
            "message", "unknown error")
        self.record(records.error(None, "internal error: %s" % detail))

    def connection_broken(self):
        """The JS client would close the connection here: drop it, once the packets that
        came before are handled. Over polling the wire looks at a whole response before
        python-socketio schedules a task for each of its packets: a drop scheduled at
        once would run first, and a namespace connected by that response would never be
        reported disconnected."""
        self._loop.call_soon(self._drop_after_what_came_before)

    def _drop_after_what_came_before(self):
        self._loop.create_task(self.engines.drop())

    async def connect_namespace(self, namespace):
        """Connect one more namespace (the REPL's `ns`)."""
        state = self.namespace_state(namespace)
        state.active = True
        if state.connected:
            return
        if self.connected:
            auth = await self.auth_of(namespace).resolve()
            await hooks.connect_namespace(self.client, namespace,
                                          self.connect_payload(namespace, auth))
        else:
            self.reconnection.start(first_attempt=0)

    async def disconnect_namespace(self, namespace):
        """As JS ``socket.disconnect()``: ``namespace`` only (`io client disconnect`), not
        reconnected; as the JS Manager, the connection is closed once no namespace is
        left connected or waiting to be."""
        state = self.namespace_state(namespace)
        state.active = False
        others = [name for name, other in self.namespaces.items()
                  if name != namespace and (other.active or other.connected)]
        if not others:
            await self.disconnect()
        elif state.connected:
            await hooks.leave_namespace(self.client, namespace)
            self._lost(namespace, reasons.IO_CLIENT_DISCONNECT)

    async def disconnect(self):
        """Disconnect as the user asked (`io client disconnect`); no reconnection."""
        if await self.reconnection.stop() and not self.connected:
            await self.engines.drop()
        if self.client is not None and self.connected:
            self.wire.facts.client_closing = True
            await self.engines.disconnect()
        self.state = "disconnected"

    async def close(self):
        """End the session: a client disconnect if connected, then release resources."""
        await self.disconnect()
        self._closed = True
        self.reconnection.closed = True
        self.wire.stop_watchdog()
        self.sending.cancel_calls()
        await self.engines.retire()
        asyncio.get_running_loop().set_exception_handler(None)
