"""What a command handler works with, what it returns, and how a line is run.

Handlers return a :class:`Reply` (data); :func:`show_reply` hands it to the output
layer. A :class:`CommandError` becomes one `error` record and an exit status.
"""

import asyncio
import dataclasses
import fnmatch

from siocli import grammar
from siocli.status import ExitStatus


class CommandError(Exception):
    """A command failed: one line for the person, and the exit status of piped runs."""

    def __init__(self, message, status=ExitStatus.USAGE_ERROR):
        super().__init__(message)
        self.status = status


@dataclasses.dataclass
class TableData:
    title: str
    columns: tuple
    rows: list


@dataclasses.dataclass
class Reply:
    lines: tuple = ()
    tables: tuple = ()
    status: int = ExitStatus.SUCCESS
    quit: bool = False
    clear_screen: bool = False
    style: str = "dim"


class EventFilter:
    """`listen` and `mute`: which incoming events are shown (records are all kept)."""

    def __init__(self, listen=()):
        self.listen = list(listen)
        self.mute = []

    def shows(self, event):
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
    """The session, the output and the REPL/batch state the commands share."""

    def __init__(self, session, output, settings, interactive):
        self.session = session
        self.output = output
        self.settings = settings
        self.interactive = interactive
        self.namespace = settings.namespace
        self.filter = EventFilter(settings.listen)
        self.lost = False
        self.finishing = False
        self._waiters = []
        output.show = self.filter
        session.add_listener(self._on_record)

    # -- watching records ------------------------------------------------------------

    def _on_record(self, record):
        kind = record["type"]
        if kind == "disconnect" and record["reason"] != "io client disconnect" \
                and not self.finishing:
            self.lost = True
        elif kind == "connect":
            self.lost = False
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
        except asyncio.TimeoutError:
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


async def run_line(context, registry, text):
    """Run one command line; show its reply; return the Reply (status set)."""
    try:
        name, rest = parse_line(text)
    except grammar.GrammarError as exc:
        return fail(context, str(exc), ExitStatus.USAGE_ERROR)
    if not name:
        return Reply()
    command = registry.find(name)
    if command is None:
        hint = registry.suggest(name)
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
        show_table(output, table)
    for line in reply.lines:
        output.notice(line, reply.style)


def show_table(output, table):
    if output.format == "rich":
        from rich.markup import escape
        from rich.table import Table

        rich_table = Table(title=table.title, title_justify="left", title_style="bold",
                           header_style="bold", box=None, padding=(0, 2, 0, 0),
                           show_header=any(table.columns))
        for column in table.columns:
            rich_table.add_column(column)
        for row in table.rows:
            rich_table.add_row(*(escape(str(cell)) for cell in row))
        output.print_renderable(rich_table)
        return
    for line in plain_table_lines(table):
        output.notice(line)


def plain_table_lines(table):
    rows = [tuple(str(cell) for cell in row) for row in table.rows]
    widths = [max([len(column)] + [len(row[i]) for row in rows])
              for i, column in enumerate(table.columns)]

    def line(cells):
        return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths)).rstrip()

    lines = [table.title] if table.title else []
    if any(table.columns):
        lines.append(line(table.columns))
    lines.extend(line(row) for row in rows)
    return lines
