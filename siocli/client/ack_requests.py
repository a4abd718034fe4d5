"""The server's ack requests (an event it sent with a callback, as
``socket.timeout(ms).emitWithAck(...)``): as in the JS client, nothing is sent until the
listener calls back. Here that is --ack-reply (automatic) or the REPL's `reply`; until
then a request is pending. Each answer is a `reply` record."""

import asyncio
import dataclasses

from siocli import records
from siocli.settings import ack_reply_for


@dataclasses.dataclass(frozen=True)
class AckRequest:
    namespace: str
    ack: int
    event: object


class UnknownAckRequest(LookupError):
    """No pending request with this ack id (never asked, answered already, or its
    namespace disconnected since)."""


class AckRequests:
    """Pending requests by (namespace, ack id), oldest first.

    ``send(namespace, ack, args)`` sends the ACK (a coroutine); ``record`` receives the
    `reply` records; ``rules``: the --ack-reply AckReply list."""

    def __init__(self, send, record, rules=()):
        self._send = send
        self._record = record
        self._rules = tuple(rules)
        self._pending = {}
        self._tasks = set()

    def arrived(self, namespace, ack, event):
        """A request arrived (its `event` record is out): answered at once when an
        --ack-reply covers ``event``, else pending."""
        self._pending[(namespace, ack)] = AckRequest(namespace, ack, event)
        rule = ack_reply_for(self._rules, event)
        if rule is not None:
            task = asyncio.get_running_loop().create_task(self.answer(namespace, ack, rule.args))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    def pending(self, namespace=None):
        """The pending requests (of ``namespace``, or all), oldest first."""
        return [request for request in self._pending.values()
                if namespace is None or request.namespace == namespace]

    def latest(self, namespace):
        found = self.pending(namespace)
        return found[-1] if found else None

    async def answer(self, namespace, ack, args):
        """Send the ACK of a pending request; its `reply` record. UnknownAckRequest when
        there is no such pending request."""
        request = self._pending.pop((namespace, ack), None)
        if request is None:
            raise UnknownAckRequest(ack)
        await self._send(namespace, ack, tuple(args))
        record = records.reply(namespace, request.event, ack, args)
        self._record(record)
        return record

    def forget(self, namespace):
        """``namespace`` disconnected: its requests belonged to a socket that is gone."""
        for key in [key for key in self._pending if key[0] == namespace]:
            del self._pending[key]
