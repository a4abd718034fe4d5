"""`siocli replay FILE URL`: the emits and calls of a recording, sent again.

Each emit goes to the namespace it was recorded on, after the same pause since the one
before it as in the recording, divided by --speed (0: no pause). A call is sent as a
call and waits for its ack (--ack-timeout) without holding up what follows, unless in
the recording what follows was sent after that call had ended: then it waits for the
ack first, so that a script's order (a call, then what it allowed) is kept. Records are
shown as `connect` shows them; the exit codes are `connect`'s.
"""

import asyncio

from siocli.client.session import Session
from siocli.modes.runner import run_connected
from siocli.status import ExitStatus


async def run_replay(settings, env, output, signals=None):
    session = Session(settings.connection, output.emit)

    async def body():
        return await replay(settings, session)

    return await run_connected(session, body, env)


async def replay(settings, session):
    if any(not session.namespaces[name].connected for name in settings.connection.namespaces):
        return ExitStatus.CONNECT_FAILED  # its connect_error said why; nothing half-replayed
    loop = asyncio.get_running_loop()
    timeout = settings.connection.ack_timeout
    calls = []  # (sent item, task)
    previous = None  # (sent item, loop time it was sent)
    for item in settings.sent:
        for call, task in calls:
            if call.ended_line is not None and call.ended_line < item.line:
                await asyncio.shield(task)
        if previous is not None and settings.speed:
            gap = (item.at - previous[0].at) / settings.speed
            delay = previous[1] + gap - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
        if item.call:
            calls.append((item, asyncio.ensure_future(
                session.call(item.namespace, item.event, item.args, timeout))))
        else:
            await session.emit(item.namespace, item.event, item.args)
        previous = (item, loop.time())
    outcomes = [await task for _, task in calls]
    if any(record["type"] == "error" for record in outcomes):
        return ExitStatus.CONNECTION_LOST
    if any(record["type"] == "ack_timeout" for record in outcomes):
        return ExitStatus.EXPECTATION_FAILED
    return ExitStatus.SUCCESS
