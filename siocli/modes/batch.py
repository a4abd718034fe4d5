"""Piped stdin: the REPL's commands, one per line, without prompt or toolbar.

`#` starts a comment line; a JSON value (or a quote that opens a word) left open
continues on the next line. --listen filters what is shown; --count N and --wait S keep
listening after the last command (until N events were shown, or S seconds).
The run connects first (a transport failure is retried until --connect-timeout, a
middleware connect_error exits 1 at once), stops at the first failing command with its
exit status (--keep-going runs on and exits with the first failure's status), then
disconnects cleanly. A connection lost and not recovered by the end exits 4.
"""

import asyncio
import collections
import threading

from siocli import grammar
from siocli.client.session import Session
from siocli.commands import REGISTRY
from siocli.commands.context import CommandContext, run_line
from siocli.modes.runner import run_connected
from siocli.status import ExitStatus

END_OF_INPUT = None
LINES_IN_A_ROW = 64


class LineFeed:
    """Lines a thread reads, handed to the event loop: ``await get()`` gives the next one,
    then END_OF_INPUT. The thread wakes the loop only when it is waiting for a line (a
    wake-up per line would cost a write to the loop's self-pipe, and a turn, for each)."""

    def __init__(self, loop):
        self._loop = loop
        self._lines = collections.deque()
        self._lock = threading.Lock()
        self._waiting = None  # the future get() awaits while there is no line
        self._in_a_row = 0  # lines given without the event loop getting a turn

    def put(self, line):
        """From the reading thread."""
        with self._lock:
            self._lines.append(line)
            waiting, self._waiting = self._waiting, None
        if waiting is not None:
            try:
                self._loop.call_soon_threadsafe(_wake, waiting)
            except RuntimeError:  # the loop has closed already
                pass

    async def get(self):
        if self._in_a_row >= LINES_IN_A_ROW:
            # the thread may stay ahead of commands that never wait (emits): the loop
            # must still send, answer PINGs and receive
            self._in_a_row = 0
            await asyncio.sleep(0)
        while True:
            with self._lock:
                if self._lines:
                    self._in_a_row += 1
                    return self._lines.popleft()
                self._waiting = waiting = self._loop.create_future()
            self._in_a_row = 0
            await waiting


def _wake(future):
    if not future.done():
        future.set_result(None)


def start_line_reader(stream):
    """Read ``stream`` in a daemon thread (it never holds up the exit); a LineFeed of its
    lines, then END_OF_INPUT."""
    feed = LineFeed(asyncio.get_running_loop())

    def read():
        try:
            for line in stream or ():  # no stdin at all (closed with <&-): no commands
                feed.put(line)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        finally:
            feed.put(END_OF_INPUT)

    threading.Thread(target=read, name="siocli-stdin", daemon=True).start()
    return feed


async def commands_from(feed):
    """(line number, command): comments and blank lines skipped, open JSON joined with
    "\\n" (numbered by its first line)."""
    pending = []
    number = first = 0
    while True:
        line = await feed.get()
        if line is END_OF_INPUT:
            if pending:
                yield first, "\n".join(pending)  # let the parser report what is unbalanced
            return
        number += 1
        line = line.rstrip("\r\n")
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if not pending:
            first = number
        pending.append(line)
        text = "\n".join(pending)
        if grammar.needs_more_input(text):
            continue
        pending = []
        yield first, text


async def run_commands(context, feed, shown=None):
    status = ExitStatus.SUCCESS
    async for number, text in commands_from(feed):
        if shown is not None:
            shown.commands += 1
        reply = await run_line(context, text)
        if reply.status:
            status = status or reply.status
            if not context.settings.keep_going:
                context.output.notice(
                    "stopped at line %d (exit %d): the commands after it were not run; "
                    "--keep-going runs them" % (number, reply.status), "yellow")
                return status
        if reply.quit:
            break
    return status


class ShownEvents:
    """Counts the incoming events the filter shows, for --count."""

    def __init__(self, context):
        self.context = context
        self.count = 0
        self.commands = 0
        self.reached = asyncio.Event()

    def __call__(self, record):
        if record["type"] == "event" and self.context.filter.shows(record["event"]):
            self.count += 1
            limit = self.context.settings.count
            if limit and self.count >= limit:
                self.reached.set()


async def keep_listening(settings, shown):
    """After the last command: until --count events were shown, or --wait seconds; with
    no command at all and --listen or --count, as a listen-only scripted run (unbounded)."""
    wait = settings.wait
    if wait is None and settings.count is None:
        if shown.commands or not settings.listen:
            return
    try:
        await asyncio.wait_for(shown.reached.wait(), wait)
    except TimeoutError:
        pass


async def run_batch(settings, env, output, signals=None):
    session = Session(settings, output.emit)
    context = CommandContext(session, output, settings, interactive=False, registry=REGISTRY)
    shown = ShownEvents(context)
    session.add_listener(shown)

    async def body():
        status = await run_commands(context, start_line_reader(env.stdin), shown)
        if status == ExitStatus.SUCCESS:
            await keep_listening(settings, shown)
        return status

    return await run_connected(session, body, env)
