"""What the client sends: emits queued while a namespace is disconnected (as the JS
client buffers them), and calls waiting for their acknowledgement.

With ``retries`` (JS ``retries``), calls go one at a time, in order: a try whose ack
times out, or whose namespace disconnects first, is sent again (a new ack id, as JS),
up to ``retries`` more times; only the last failure is reported. At-least-once: the
server may see a call more than once."""

import asyncio
import collections
import dataclasses
import time

from siocli import records


@dataclasses.dataclass(eq=False)
class PendingCall:
    id: int
    namespace: str
    event: str
    args: tuple
    future: object
    sent: bool = False
    sent_at: float = 0.0
    final: bool = True  # the last try: its failure is reported

    def cancel(self):
        if not self.future.done():
            self.future.cancel()


@dataclasses.dataclass(eq=False)
class QueuedEmit:
    namespace: str
    event: str
    args: tuple
    call: PendingCall = None


class Sending:
    """Sends through ``transmit(namespace, event, args, callback)`` when ``is_connected
    (namespace)``, else queues; writes `emit`, `ack`, `ack_timeout` and `error` records."""

    def __init__(self, transmit, is_connected, record, counted, retries=0):
        self._transmit = transmit
        self._is_connected = is_connected
        self._record = record
        self._counted = counted  # called with (namespace, event) for every event sent
        self.outbox = collections.deque()
        self._calls = {}
        self._call_ids = iter(range(1, 1 << 62))
        self._send_lock = asyncio.Lock()
        self._retries = retries
        self._one_at_a_time = asyncio.Lock()  # FIFO: the JS client's queue of retried calls

    async def emit(self, namespace, event, args):
        """Send now, or queue until the namespace connects: "sent" or "queued"."""
        if not self._is_connected(namespace):
            self.outbox.append(QueuedEmit(namespace, event, tuple(args)))
            return "queued"
        await self._send(namespace, event, args)
        return "sent"

    async def call(self, namespace, event, args, timeout):
        """Emit with an ack and wait: the `ack`, `ack_timeout` or `error` record."""
        if not self._retries:
            return await self._try(namespace, event, args, timeout, final=True)
        async with self._one_at_a_time:
            for tries_left in range(self._retries, -1, -1):
                record = await self._try(namespace, event, args, timeout, final=not tries_left)
                if record is not None:
                    return record

    async def _try(self, namespace, event, args, timeout, final):
        """One try of a call: its `ack` record, else (the last try) its `ack_timeout` or
        `error` record, else None."""
        loop = asyncio.get_running_loop()
        call = PendingCall(next(self._call_ids), namespace, event, tuple(args),
                           loop.create_future(), final=final)
        self._calls[call.id] = call
        try:
            if self._is_connected(namespace):
                await self._send(namespace, event, args, call)
            else:
                self.outbox.append(QueuedEmit(namespace, event, tuple(args), call))
            try:
                return await asyncio.wait_for(asyncio.shield(call.future), timeout)
            except asyncio.CancelledError:
                call.cancel()  # given up on (Ctrl-C): a late ack is not shown
                raise
            except TimeoutError:
                call.cancel()  # as JS: a late ack is ignored
                if not final:
                    return None
                record = records.ack_timeout(namespace, event, timeout)
                self._record(record)
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
            await self._transmit(namespace, event, args, callback)
        self._counted(namespace, event)
        self._record(records.emit(namespace, event, args))

    def _ack_callback(self, call):
        def acknowledged(*args):
            if call.future.done():
                return
            rtt_ms = (time.perf_counter() - call.sent_at) * 1000
            record = records.ack(call.namespace, call.event, args, rtt_ms)
            self._record(record)
            call.future.set_result(record)
        return acknowledged

    def fail_calls(self, namespace):
        """The namespace lost its connection: its calls in flight fail at once."""
        for call in list(self._calls.values()):
            if call.namespace == namespace and call.sent and not call.future.done():
                if not call.final:
                    call.future.set_result(None)  # sent again once it is back
                    continue
                record = records.disconnected_call(namespace, call.event)
                self._record(record)
                call.future.set_result(record)

    def cancel_calls(self):
        for call in list(self._calls.values()):
            call.cancel()

    def _drop_queued(self, call):
        for queued in list(self.outbox):
            if queued.call is call:
                self.outbox.remove(queued)

    async def flush(self, namespace):
        """Send what was queued for ``namespace``, in order, while it stays connected."""
        for queued in [q for q in self.outbox if q.namespace == namespace]:
            if not self._is_connected(namespace):
                return
            self.outbox.remove(queued)
            await self._send(namespace, queued.event, queued.args, queued.call)
