"""Connection attempts, as the JS Manager's open(): the Engine.IO handshake, each
namespace's CONNECT with its own auth, and an outcome once every namespace has settled
(connected, refused, or lost with the connection); when an attempt fails, one
`connect_error` per namespace that says why, worded for people (connect_errors.py)."""

import asyncio

import socketio

from siocli import records
from siocli.client import connect_errors, hooks, legacy, parser_probe, reasons
from siocli.errors import AuthError


class Attempts:
    """The attempts of one :class:`~siocli.client.session.Session` (``session``), whose
    python-socketio ``handlers`` each new connection gets (Engines.open's arguments)."""

    def __init__(self, session, *handlers):
        self._session = session
        self._handlers = handlers
        settings = session.settings
        self.connecting_engine = False  # python-socketio's connect() (the handshake) runs
        self.engine_error = None  # a connect_error python-socketio had during it
        # a scripted run stops at a handshake refusal no retry can change; the REPL goes
        # on, as the JS client does, until --reconnect-attempts is spent
        self.stop_when_refused = False
        self._settled = {}  # namespace -> future of "connected", "rejected" or "lost"
        self._unanswered = None  # (namespaces, message) of a CONNECT the server closed on
        self._parser_hint = None  # what parser_probe.hint() said
        self._tls_hint = connect_errors.TlsHint(settings.url, settings.proxy)

    async def run(self):
        """One connection attempt: "connected", "rejected" or "failed"."""
        session = self._session
        settings = session.settings
        session.state = "connecting"
        wanted = session.active_namespaces()
        if not wanted:  # every Socket was closed meanwhile: nothing to connect
            session.state = "disconnected"
            return "rejected"
        try:
            auths = await session.auths.resolve(wanted)
        except AuthError as exc:
            for namespace in wanted:
                session.record(records.connect_error(namespace, str(exc), None))
            session.state = "disconnected"
            return "rejected"
        await session.engines.retire()
        client = session.engines.open(*self._handlers)
        loop = asyncio.get_running_loop()
        self._settled = {name: loop.create_future() for name in wanted}
        session.wire.new_connection()
        self.engine_error = None
        self._unanswered = None
        try:
            async with asyncio.timeout(settings.connect_timeout):
                self.connecting_engine = True
                try:
                    # each namespace's CONNECT carries its own auth, as each JS Socket's
                    await client.connect(
                        settings.url, headers=dict(settings.headers),
                        auth=session.connect_payload(wanted[0], auths[wanted[0]]),
                        transports=settings.transports,
                        namespaces=wanted[:1], socketio_path=settings.path, wait=False)
                finally:
                    self.connecting_engine = False
                for namespace in wanted[1:]:
                    await hooks.connect_namespace(
                        client, namespace, session.connect_payload(namespace, auths[namespace]))
                hooks.leave_ping_timeouts_to_the_watchdog(client)
                outcomes = await asyncio.gather(*self._settled.values())
        except socketio.exceptions.ConnectionError as exc:
            if session.wire.socketio_2:
                self._refuse_socketio_2()
                session.state = "disconnected"
                return "rejected"
            return await self._engine_failed(wanted, exc.__cause__ or exc,
                                             self.engine_error or str(exc))
        except TimeoutError as exc:
            await session.engines.drop()
            return await self._engine_failed(wanted, exc, "timeout")
        if "connected" in outcomes:
            return "connected"
        await session.engines.drop()
        if "lost" in outcomes:
            if self._unanswered:
                await self._report_unanswered()
            return "failed"
        session.state = "disconnected"
        return "rejected"

    def settle(self, namespace, outcome):
        """``namespace``'s CONNECT has its answer: "connected" or "rejected"."""
        future = self._settled.get(namespace)
        if future is not None and not future.done():
            future.set_result(outcome)

    def transport_ended(self):
        """The connection ended: namespaces still waiting for their CONNECT answer will
        never get one. Say so now, with the reason, rather than at --connect-timeout."""
        session = self._session
        wire = session.wire
        if wire.socketio_2:
            self._refuse_socketio_2()
            session.connection_broken()
            return
        waiting = [name for name, future in self._settled.items() if not future.done()]
        if not waiting or wire.facts.client_closing or self.connecting_engine:
            return  # the handshake itself failed: connect() raises and says why
        reason = reasons.js_reason(wire.facts, None, None)
        message = ("the server ended the connection before answering the namespace CONNECT "
                   "(%s)" % reason)
        if not wire.facts.socketio_packet_seen:
            # what a server does with a CONNECT its parser cannot decode: the attempt asks
            # the server which parser it uses before it says so
            self._unanswered = (waiting, message)
        else:
            for namespace in waiting:
                session.record(records.connect_error(namespace, message, None))
        for namespace in waiting:
            self.settle(namespace, "lost")

    async def _engine_failed(self, namespaces, exception, library_message):
        """Say why the Engine.IO connection failed; "failed" (to be retried) or, in a
        scripted run, "rejected" when the server refused the handshake for good."""
        session = self._session
        settings = session.settings
        cause = exception
        if not isinstance(exception, (asyncio.TimeoutError, TimeoutError)):
            cause = session.wire.failure_exception or exception
        refused = session.wire.engine.refused
        message, data = connect_errors.describe_failure(
            cause, library_message, settings.url, settings.path, settings.proxy,
            refused, await self._tls_hint.applies(cause))
        by_proxy = connect_errors.proxy_failed(cause, library_message, settings.url,
                                               settings.proxy)
        if by_proxy:
            final = connect_errors.proxy_refused_for_good(cause, library_message,
                                                          settings.proxy)
        else:
            final = connect_errors.not_worth_retrying(refused)
        final = final and self.stop_when_refused
        if final:
            message += "; not retried: the %s gives this answer however often it is asked" % (
                "proxy" if by_proxy else "server")
        for namespace in namespaces:
            session.record(records.connect_error(namespace, message, data))
        if final:
            session.state = "disconnected"
            return "rejected"
        return "failed"

    def _refuse_socketio_2(self):
        """A Socket.IO 2.x server: every namespace waiting for its CONNECT is refused, as
        by a middleware (no retry can help)."""
        for namespace, future in self._settled.items():
            if not future.done():
                state = self._session.namespace_state(namespace)
                state.rejected, state.active = True, False
                self._session.record(records.connect_error(
                    namespace, legacy.SOCKETIO_2_MESSAGE, None))
                self.settle(namespace, "rejected")

    async def _report_unanswered(self):
        session = self._session
        waiting, message = self._unanswered
        self._unanswered = None
        if self._parser_hint is None:  # asked once per session
            self._parser_hint = await parser_probe.hint(session.settings,
                                                        session.engines.ssl_context())
        for namespace in waiting:
            session.record(records.connect_error(namespace, message + self._parser_hint, None))
