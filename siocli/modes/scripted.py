"""Scripted runs: connect, the actions in command-line order, --wait, then disconnect."""

import asyncio
import collections
import fnmatch

from siocli import records
from siocli.client.session import Session
from siocli.modes.runner import run_connected
from siocli.status import ExitStatus


class RunWatch:
    """Follows the records of a scripted run: expected events and --count."""

    def __init__(self, settings, output):
        self.settings = settings
        self.expected = {action.event for action in settings.actions if action.kind == "expect"}
        self.arrived = collections.Counter()
        self.arrival = asyncio.Event()
        self.shown = 0
        self.count_reached = asyncio.Event()
        output.show = self.show

    def matches(self, event):
        patterns = self.settings.listen
        name = str(event)  # a server may name an event with a number, as JS allows
        return not patterns or any(fnmatch.fnmatchcase(name, p) for p in patterns)

    def show(self, record):
        return record["type"] != "event" or self.matches(record["event"])

    def __call__(self, record):
        kind = record["type"]
        if kind == "event":
            name = str(record["event"])
            if name in self.expected:
                self.arrived[name] += 1
                self.arrival.set()
            if self.matches(record["event"]):
                self.shown += 1
                if self.settings.count and self.shown >= self.settings.count:
                    self.count_reached.set()

    async def expect(self, event, timeout):
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.arrived[event] == 0:
            self.arrival.clear()
            remaining = deadline - loop.time()
            if remaining <= 0:
                return False
            try:
                await asyncio.wait_for(self.arrival.wait(), remaining)
            except TimeoutError:
                return False
        self.arrived[event] -= 1
        return True


async def run_scripted(settings, env, output, signals=None):
    session = Session(settings, output.emit)
    watch = RunWatch(settings, output)
    session.add_listener(watch)

    if settings.listen and settings.actions and settings.wait is None and not settings.count:
        env.warning("-l shows only what arrives before the last action ends: "
                    "--wait S or --count N keeps listening")

    async def body():
        status = await run_actions(settings, session, watch, output)
        if status == ExitStatus.SUCCESS:
            await listen(settings, watch)
        return status

    return await run_connected(session, body, env)


async def run_actions(settings, session, watch, output):
    namespace = settings.namespace
    for action in settings.actions:
        if action.kind == "emit":
            await session.emit(namespace, action.event, action.args)
        elif action.kind == "call":
            record = await session.call(namespace, action.event, action.args, settings.ack_timeout)
            if record["type"] == "ack_timeout":
                return ExitStatus.EXPECTATION_FAILED
            if record["type"] == "error":
                return ExitStatus.CONNECTION_LOST
        elif not await watch.expect(action.event, settings.expect_timeout):
            output.emit(records.error(namespace, "expected event %r did not arrive within %ss" % (
                action.event, settings.expect_timeout), event=action.event))
            return ExitStatus.EXPECTATION_FAILED
    return ExitStatus.SUCCESS


async def listen(settings, watch):
    """--wait after the actions; unbounded when the run only listens."""
    wait = settings.wait
    if wait is None and settings.actions and not settings.count:
        wait = 0
    if wait == 0:
        return
    try:
        await asyncio.wait_for(watch.count_reached.wait(), wait)
    except TimeoutError:
        pass
