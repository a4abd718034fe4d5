"""Piped stdin: the REPL's commands, one per line, without prompt or toolbar.

`#` starts a comment line; a JSON value or quote left open continues on the next line.
The run connects first (a transport failure is retried until --connect-timeout, a
middleware connect_error exits 1 at once), stops at the first failing command with its
exit status (--keep-going runs on and exits with the first failure's status), then
disconnects cleanly. A connection lost and not recovered by the end exits 4.
"""

import asyncio
import threading

from siocli import grammar
from siocli.client.session import Session
from siocli.commands import REGISTRY
from siocli.commands.context import CommandContext, run_line
from siocli.modes.runner import run_connected
from siocli.status import ExitStatus

END_OF_INPUT = None


def start_line_reader(stream):
    """Read ``stream`` in a daemon thread (it never holds up the exit); an asyncio.Queue
    of lines, then END_OF_INPUT."""
    loop = asyncio.get_running_loop()
    queue = asyncio.Queue()

    def read():
        try:
            for line in stream or ():  # no stdin at all (closed with <&-): no commands
                loop.call_soon_threadsafe(queue.put_nowait, line)
        except (OSError, ValueError, UnicodeDecodeError):
            pass
        finally:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, END_OF_INPUT)
            except RuntimeError:  # the loop has closed already
                pass

    threading.Thread(target=read, name="siocli-stdin", daemon=True).start()
    return queue


async def commands_from(queue):
    """Whole commands: comments and blank lines skipped, open JSON joined with "\\n"."""
    pending = []
    while True:
        line = await queue.get()
        if line is END_OF_INPUT:
            if pending:
                yield "\n".join(pending)  # let the parser report what is unbalanced
            return
        line = line.rstrip("\r\n")
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending.append(line)
        text = "\n".join(pending)
        if grammar.needs_more_input(text):
            continue
        pending = []
        yield text


async def run_commands(context, queue):
    status = ExitStatus.SUCCESS
    async for text in commands_from(queue):
        reply = await run_line(context, text)
        if reply.status:
            status = status or reply.status
            if not context.settings.keep_going:
                return status
        if reply.quit:
            break
    return status


async def run_batch(settings, env, output, signals=None):
    session = Session(settings, output.emit)
    context = CommandContext(session, output, settings, interactive=False, registry=REGISTRY)
    return await run_connected(
        session, lambda: run_commands(context, start_line_reader(env.stdin)))
