"""client/sending.py: a call's ack, and one that comes too late (as JS, ignored)."""

import asyncio

from siocli.client.sending import Sending


def sending_with(records, callbacks):
    async def transmit(namespace, event, args, callback):
        callbacks.append(callback)

    return Sending(transmit, lambda namespace: True, records.append, lambda *_: None)


def test_an_ack_in_time_is_the_calls_record():
    records, callbacks = [], []

    async def scenario():
        sending = sending_with(records, callbacks)
        call = asyncio.ensure_future(sending.call("/", "echo", (1,), 5))
        while not callbacks:
            await asyncio.sleep(0)
        callbacks[0](1)
        return await call

    record = asyncio.run(scenario())
    assert record["type"] == "ack" and list(record["args"]) == [1]
    assert [r["type"] for r in records] == ["emit", "ack"]


def test_an_ack_after_the_timeout_is_ignored():
    records, callbacks = [], []

    async def scenario():
        sending = sending_with(records, callbacks)
        record = await sending.call("/", "echo", (1,), 0.01)
        callbacks[0](1)  # the server answers after all
        return record

    assert asyncio.run(scenario())["type"] == "ack_timeout"
    assert [r["type"] for r in records] == ["emit", "ack_timeout"]
