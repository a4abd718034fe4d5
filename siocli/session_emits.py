"""Emitting from the session core: sending, queueing while disconnected, and calls."""

import asyncio
import time

from siocli import records
from siocli.session_state import PendingCall, QueuedEmit


class Emitting:
    """The emit half of :class:`siocli.session.Session` (which provides the state)."""

    async def emit(self, namespace, event, args):
        """Send now, or queue until the namespace connects (as JS buffers): "sent"/"queued"."""
        state = self._state(namespace)
        if not state.connected:
            self.outbox.append(QueuedEmit(namespace, event, tuple(args)))
            return "queued"
        await self._send(namespace, event, args)
        return "sent"

    async def call(self, namespace, event, args, timeout):
        """Emit with an ack and wait: the `ack`, `ack_timeout` or `error` record."""
        loop = asyncio.get_running_loop()
        call = PendingCall(next(self._call_ids), namespace, event, tuple(args), loop.create_future())
        self._calls[call.id] = call
        try:
            if self._state(namespace).connected:
                await self._send(namespace, event, args, call)
            else:
                self.outbox.append(QueuedEmit(namespace, event, tuple(args), call))
            try:
                return await asyncio.wait_for(asyncio.shield(call.future), timeout)
            except asyncio.CancelledError:
                call.cancel()  # given up on (Ctrl-C): a late ack is not shown
                raise
            except asyncio.TimeoutError:
                record = records.ack_timeout(namespace, event, timeout)
                self.record(record)
                return record
        finally:
            self._calls.pop(call.id, None)
            self._drop_queued(call)

    async def _send(self, namespace, event, args, call=None):
        callback = None
        if call is not None:
            call.sent_at = time.perf_counter()
            call.sent = True
            callback = self._ack_callback(call)
        async with self._send_lock:
            await self.client.emit(event, data=tuple(args), namespace=namespace, callback=callback)
        self.events_out += 1
        self.event_names.add(event)
        self._state(namespace).events_out += 1
        self.record(records.emit(namespace, event, args))

    def _ack_callback(self, call):
        def acknowledged(*args):
            if call.future.done():
                return
            rtt_ms = (time.perf_counter() - call.sent_at) * 1000
            record = records.ack(call.namespace, call.event, args, rtt_ms)
            self.record(record)
            call.future.set_result(record)
        return acknowledged

    def _fail_calls(self, namespace):
        for call in list(self._calls.values()):
            if call.namespace == namespace and call.sent and not call.future.done():
                record = records.error(namespace, "socket has been disconnected before %r was "
                                       "acknowledged" % call.event, event=call.event)
                self.record(record)
                call.future.set_result(record)

    def _drop_queued(self, call):
        for queued in list(self.outbox):
            if queued.call is call:
                self.outbox.remove(queued)

    async def _flush_outbox(self, namespace):
        for queued in [q for q in self.outbox if q.namespace == namespace]:
            if not self._state(namespace).connected:
                return
            self.outbox.remove(queued)
            await self._send(namespace, queued.event, queued.args, queued.call)
