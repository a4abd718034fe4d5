"""What a command handler works with, what it returns, and how a line is run.

Handlers return a :class:`Reply` (data); :func:`show_reply` hands it to the output
layer. A :class:`~siocli.errors.CommandError` becomes one `error` record and an exit status.
"""

import asyncio
import dataclasses
import fnmatch

from siocli import grammar
from siocli.errors import CommandError
from siocli.status import ExitStatus


@dataclasses.dataclass
class Reply:
    lines: tuple = ()
    tables: tuple = ()
    status: int = ExitStatus.SUCCESS
    quit: bool = False
    clear_screen: bool = False
    style: str = "dim"


def notice(*lines, style="dim"):
    return Reply(lines=lines, style=style)


class EventFilter:
    """`listen` and `mute`: which incoming events are shown (records are all kept)."""

    def __init__(self, listen=()):
        self.listen = list(listen)
        self.mute = []

    def shows(self, event):
        event = str(event)  # a server may name an event with a number, as JS allows
        if self.listen and not any(fnmatch.fnmatchcase(event, p) for p in self.listen):
            return False
        return not any(fnmatch.fnmatchcase(event, p) for p in self.mute)

    def __call__(self, record):
        return record["type"] != "event" or self.shows(record["event"])

    def describe(self):
        shown = ", ".join(self.listen) if self.listen else "all events"
        muted = ", ".join(self.mute) if self.mute else "none"
        return "showing: %s; muted: %s" % (shown, muted)


class CommandContext:
    """The session, the output and the REPL/batch state the client commands share."""

    def __init__(self, session, output, settings, interactive, registry):
        self.session = session
        self.output = output
        self.settings = settings
        self.interactive = interactive
        self.registry = registry
        self.namespace = settings.namespace
        self.filter = EventFilter(settings.listen)
        self._waiters = []
        output.show = self.filter
        session.add_listener(self._on_record)

    def _on_record(self, record):
        for predicate, future in list(self._waiters):
            if not future.done() and predicate(record):
                future.set_result(record)

    async def wait_for_record(self, predicate, timeout):
        """The first record for which ``predicate`` is true, or None after ``timeout``."""
        future = asyncio.get_running_loop().create_future()
        entry = (predicate, future)
        self._waiters.append(entry)
        try:
            return await asyncio.wait_for(future, timeout)
        except TimeoutError:
            return None
        finally:
            self._waiters.remove(entry)

    async def wait_namespace_outcome(self, namespace, timeout=None):
        """Wait for `connect` / `connect_error` of ``namespace``; the record or None."""
        def settles(record):
            return record["namespace"] == namespace and record["type"] in (
                "connect", "connect_error", "reconnect_failed")
        return await self.wait_for_record(settles, timeout or self.settings.connect_timeout)


def parse_line(text):
    """(command word, rest) of a line; comments and blank lines give ("", "")."""
    stripped = text.strip()
    if not stripped or stripped.startswith("#"):
        return "", ""
    return grammar.split_command(stripped)


async def run_line(context, text):
    """Run one command line of ``context.registry``; show its reply; return the Reply.

    ``context`` needs ``registry``, ``output`` and ``namespace`` (None where there is none).
    """
    try:
        name, rest = parse_line(text)
    except grammar.GrammarError as exc:
        return fail(context, str(exc), ExitStatus.USAGE_ERROR)
    if not name:
        return Reply()
    command = context.registry.find(name)
    if command is None:
        hint = context.registry.suggest(name)
        message = "unknown command %r%s; type `help` for the list" % (
            name, " (did you mean `%s`?)" % hint if hint else "")
        return fail(context, message, ExitStatus.USAGE_ERROR)
    try:
        reply = await command.handler(context, rest)
    except CommandError as exc:
        return fail(context, str(exc), exc.status)
    except grammar.GrammarError as exc:
        return fail(context, "%s: %s" % (command.name, exc), ExitStatus.USAGE_ERROR)
    reply = reply or Reply()
    show_reply(context.output, reply)
    return reply


def fail(context, message, status):
    context.output.problem(message, context.namespace)
    return Reply(status=status)


def show_reply(output, reply):
    for table in reply.tables:
        output.table(table)
    for line in reply.lines:
        output.notice(line, reply.style)
