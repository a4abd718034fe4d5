"""Commands about the screen and the session: status, log, record, trace, clear, help, quit."""

from siocli.commands import tables
from siocli.commands.context import Reply, notice
from siocli.commands.registry import Registry, words_of
from siocli.errors import CommandError
from siocli.output.tables import TableData

COMMANDS = Registry()
DEFAULT_LOG_SIZE = 20


@COMMANDS.command("status", "",
                  "table: URL, namespaces with socket.id, transport, reconnection, counts")
async def status_command(context, rest):
    return Reply(tables=tables.status_tables(context))


@COMMANDS.command("log", "[N]",
                  "the last N lifecycle records as a table (default %d)" % DEFAULT_LOG_SIZE)
async def log_command(context, rest):
    words = words_of(rest)
    count = DEFAULT_LOG_SIZE
    if words:
        try:
            count = int(words[0])
        except ValueError:
            raise CommandError("log: N must be a whole number, got %r" % words[0]) from None
        if count < 0:
            raise CommandError("log: N must be 0 or more")
    return Reply(tables=(tables.log_table(context.session, count),))


@COMMANDS.command("record", "FILE|off", "append every record to FILE (JSON Lines), or stop",
         words=("off",))
async def record_command(context, rest):
    words = words_of(rest)
    output = context.output
    if not words:
        return notice("recording to %s" % output.recording if output.recording
                      else "not recording; `record FILE` starts")
    if words[0] == "off":
        was = output.recording
        output.close_record()
        return notice("stopped recording to %s" % was if was else "not recording")
    try:
        path = output.open_record(words[0])
    except OSError as exc:
        raise CommandError("record: cannot open %s: %s" % (words[0], exc.strerror)) from None
    except ValueError:  # a name the file system cannot take (invalid UTF-8, a NUL)
        raise CommandError("record: %r is not a usable file name" % words[0]) from None
    return notice("recording every record to %s" % path)


@COMMANDS.command("trace", "on|off", "also show Engine.IO / Socket.IO packets", words=("on", "off"))
async def trace_command(context, rest):
    words = words_of(rest)
    if words and words[0] in ("on", "off"):
        context.session.trace = words[0] == "on"
    elif words:
        raise CommandError("trace: on or off, got %r" % words[0])
    return notice("packet trace is %s" % ("on" if context.session.trace else "off"))


@COMMANDS.command("clear", "", "clear the screen")
async def clear_command(context, rest):
    return Reply(clear_screen=True)


@COMMANDS.command("help", "[COMMAND]", "this list, or the details of one command", aliases=("?",))
async def help_command(context, rest):
    words = words_of(rest)
    if words:
        found = context.registry.find(words[0])
        if found is None:
            raise CommandError("help: no command %r; type `help` for the list" % words[0])
        lines = ["usage: %s" % found.usage, found.summary]
        if found.aliases:
            lines.append("aliases: %s" % ", ".join(found.aliases))
        lines.extend(found.details.splitlines())
        return notice(*lines, style="")
    rows = [(" | ".join((c.usage,) + c.aliases), c.summary) for c in context.registry.commands]
    footer = ("Ctrl-C clears the line or cancels a pending call; Ctrl-D quits; "
              "Ctrl-R searches the history; `help COMMAND` for details.")
    return Reply(tables=(TableData("commands", ("command", "what it does"), rows),),
                 lines=(footer,))


@COMMANDS.command("quit", "", "disconnect (io client disconnect) and exit", aliases=("exit",))
async def quit_command(context, rest):
    return Reply(quit=True)
