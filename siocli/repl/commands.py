"""The one command registry of the REPL and of piped stdin (SPEC "REPL commands").

Each command has a name, aliases, an argument synopsis, help text and an async
handler ``handler(context, rest) -> Reply``; `help` is built from this registry.
"""

import asyncio
import dataclasses
import difflib
import json

from siocli import auth as auth_module
from siocli import grammar, records
from siocli.repl import tables
from siocli.repl.context import CommandError, Reply, TableData
from siocli.settings import UsageError, json_or_string, key_value, normalise_namespace
from siocli.status import ExitStatus

DEFAULT_LOG_SIZE = 20


@dataclasses.dataclass(frozen=True)
class Command:
    name: str
    synopsis: str
    summary: str
    handler: object
    details: str = ""
    aliases: tuple = ()
    words: tuple = ()  # option / sub-command words offered by completion

    @property
    def usage(self):
        return ("%s %s" % (self.name, self.synopsis)).strip()


class Registry:
    def __init__(self):
        self.commands = []
        self._by_name = {}

    def add(self, command):
        self.commands.append(command)
        for name in (command.name,) + command.aliases:
            self._by_name[name] = command

    def command(self, name, synopsis, summary, details="", aliases=(), words=()):
        def register(handler):
            self.add(Command(name, synopsis, summary, handler, details, tuple(aliases),
                             tuple(words)))
            return handler
        return register

    def find(self, name):
        return self._by_name.get(name)

    def names(self):
        return sorted(self._by_name)

    def suggest(self, name):
        close = difflib.get_close_matches(name, self.names(), n=1, cutoff=0.6)
        return close[0] if close else None


REGISTRY = Registry()
command = REGISTRY.command


def words_of(rest):
    try:
        return grammar.split_words(rest)
    except grammar.GrammarError as exc:
        raise CommandError(str(exc)) from None


def notice(*lines, style="dim"):
    return Reply(lines=lines, style=style)


# -- talking to the server ---------------------------------------------------------------

@command("emit", "EVENT [ARG...]", "send an event to the server (queued while disconnected)",
         details="Arguments: JSON values, words (JSON when they parse, else strings), "
                 "{...}/[...] spanning spaces, b64:DATA, hex:DATA, @FILE.\n"
                 'Example: emit chat "hello world" {"room": 1}')
async def emit_command(context, rest):
    parsed = grammar.parse_emit(rest)
    outcome = await context.session.emit(context.namespace, parsed.event, parsed.args)
    if outcome == "queued":
        waiting = len(context.session.outbox)
        return notice("queued %r on %s: not connected; it is sent on (re)connection "
                      "(%d in queue)" % (parsed.event, context.namespace, waiting),
                      style="yellow")
    return None


def split_timeout(rest, default):
    first, remainder = grammar.split_command(rest)
    if first == "--timeout" or first.startswith("--timeout="):
        if first == "--timeout":
            value, remainder = grammar.split_command(remainder)
        else:
            value = first.partition("=")[2]
        try:
            timeout = float(value)
        except ValueError:
            raise CommandError("call: --timeout expects seconds, got %r" % value) from None
        if timeout <= 0:
            raise CommandError("call: --timeout must be more than 0")
        return timeout, remainder
    return default, rest


@command("call", "[--timeout S] EVENT [ARG...]",
         "emit and wait for the acknowledgement; prints its args and round-trip time",
         details="Ctrl-C while waiting cancels the call. Default timeout: --ack-timeout.",
         words=("--timeout",))
async def call_command(context, rest):
    timeout, rest = split_timeout(rest, context.settings.ack_timeout)
    parsed = grammar.parse_emit(rest)
    if not context.session.namespaces.get(context.namespace) or \
            not context.session.namespaces[context.namespace].connected:
        context.output.notice("queued %r on %s until connected; waiting up to %ss for the ack"
                              % (parsed.event, context.namespace, timeout), "yellow")
    record = await context.session.call(context.namespace, parsed.event, parsed.args, timeout)
    if record["type"] == "ack_timeout":
        return Reply(status=ExitStatus.EXPECTATION_FAILED)
    if record["type"] == "error":
        return Reply(status=ExitStatus.CONNECTION_LOST)
    return None


@command("listen", "[PATTERN...]", "show only incoming events matching these globs",
         details="Without patterns: show every incoming event again (mutes are cleared).")
async def listen_command(context, rest):
    patterns = words_of(rest)
    context.filter.listen = patterns
    if not patterns:
        context.filter.mute = []
    return notice(context.filter.describe())


@command("mute", "PATTERN...", "hide incoming events matching these globs")
async def mute_command(context, rest):
    patterns = words_of(rest)
    if not patterns:
        raise CommandError("mute: give at least one PATTERN (e.g. mute 'tick*')")
    context.filter.mute.extend(p for p in patterns if p not in context.filter.mute)
    return notice(context.filter.describe())


# -- connection --------------------------------------------------------------------------

@command("ns", "[NAME]", "show or switch the active namespace (connecting it if needed)",
         aliases=("namespace",))
async def ns_command(context, rest):
    words = words_of(rest)
    session = context.session
    if not words:
        listed = ", ".join("%s (%s)" % (name, "connected" if state.connected else "not connected")
                           for name, state in session.namespaces.items())
        return notice("active namespace: %s; namespaces: %s" % (context.namespace, listed),
                      style="")
    if len(words) > 1:
        raise CommandError("ns: one namespace at a time")
    name = normalise_namespace(words[0])
    context.namespace = name
    state = session.namespaces.get(name)
    if state is not None and state.connected:
        return notice("active namespace: %s (id %s)" % (name, state.sid), style="")
    context.output.notice("active namespace: %s; connecting it..." % name)
    waiting = asyncio.ensure_future(context.wait_namespace_outcome(name))
    await session.connect_namespace(name)
    outcome = await waiting
    return outcome_reply(outcome)


def outcome_reply(outcome):
    if outcome is None:
        return Reply(lines=("no answer yet; the toolbar and `status` show the state",),
                     status=ExitStatus.CONNECT_FAILED)
    if outcome["type"] != "connect":
        return Reply(status=ExitStatus.CONNECT_FAILED)
    return None


@command("connect", "", "connect (again) now, with the current auth",
         details="After a connect_error from a server middleware, fix the auth "
                 "(`auth set token=...`) and `connect` again.")
async def connect_command(context, rest):
    session = context.session
    wanted = [name for name, state in session.namespaces.items() if state.wanted]
    missing = [name for name in wanted if not session.namespaces[name].connected]
    if not missing:
        return notice("already connected (%s); `reconnect` starts a new connection"
                      % ", ".join(wanted))
    if session.connected:
        status = ExitStatus.SUCCESS
        for name in missing:
            waiting = asyncio.ensure_future(context.wait_namespace_outcome(name))
            await session.connect_namespace(name)
            reply = outcome_reply(await waiting)
            status = reply.status if reply else status
        return Reply(status=status)
    return await start_connection(context, missing)


async def start_connection(context, namespaces):
    session = context.session
    if not context.interactive:
        connected = await session.connect(give_up_after=context.settings.connect_timeout)
        return None if connected else Reply(status=ExitStatus.CONNECT_FAILED)
    waiting = asyncio.ensure_future(context.wait_namespace_outcome(namespaces[0]))
    session.start()
    return outcome_reply(await waiting)


@command("disconnect", "", "disconnect (io client disconnect); no automatic reconnection")
async def disconnect_command(context, rest):
    session = context.session
    if not session.connected and session.state not in ("connecting", "reconnecting"):
        return notice("not connected; `connect` connects")
    await session.disconnect()
    return None


@command("reconnect", "", "disconnect, then connect again (a new socket.id)")
async def reconnect_command(context, rest):
    wanted = [name for name, state in context.session.namespaces.items() if state.wanted]
    await context.session.disconnect()
    return await start_connection(context, wanted)


# -- auth ----------------------------------------------------------------------------------

@command("auth", "[set KEY=VALUE... | json JSON | clear]",
         "show the auth payload (masked), or change it for the next connection attempt",
         details="auth set token=abc      one field; VALUE is JSON when it parses\n"
                 'auth json {"token": "abc"}  the whole payload\n'
                 "auth clear              no auth\n"
                 "Then `connect` (or `reconnect`) to use it. Never saved in the history.",
         words=("set", "json", "clear"))
async def auth_command(context, rest):
    source = context.session.auth
    action, remainder = grammar.split_command(rest)
    if action == "set":
        pairs = words_of(remainder)
        if not pairs:
            raise CommandError("auth set: give KEY=VALUE (e.g. auth set token=abc)")
        try:
            fields = dict(key_value(pair, "auth set") for pair in pairs)
        except UsageError as exc:
            raise CommandError(str(exc)) from None
        source.set_fields({key: json_or_string(value) for key, value in fields.items()})
    elif action == "json":
        try:
            payload = json.loads(remainder) if remainder.strip() else None
        except ValueError as exc:
            raise CommandError("auth json: not valid JSON: %s" % exc) from None
        if not isinstance(payload, dict):
            raise CommandError('auth json: expects a JSON object, e.g. auth json {"token": "abc"}')
        source.replace(payload)
    elif action == "clear":
        source.clear()
    elif action:
        raise CommandError("auth: unknown action %r; use set, json or clear" % action)
    shown = "auth: %s" % records.json_value(auth_module.masked(source.payload))
    if source.command:
        shown += " + output of --auth-cmd %r" % source.command
    if action:
        shown += " (used at the next connection attempt: `connect` or `reconnect`)"
    return notice(shown, style="")


# -- the screen and the session -----------------------------------------------------------

@command("status", "", "table: URL, namespaces with socket.id, transport, reconnection, counts")
async def status_command(context, rest):
    return Reply(tables=tables.status_tables(context))


@command("log", "[N]", "the last N lifecycle records as a table (default %d)" % DEFAULT_LOG_SIZE)
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


@command("record", "FILE|off", "append every record to FILE (JSON Lines), or stop",
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
    return notice("recording every record to %s" % path)


@command("trace", "on|off", "also show Engine.IO / Socket.IO packets", words=("on", "off"))
async def trace_command(context, rest):
    words = words_of(rest)
    if words and words[0] in ("on", "off"):
        context.session.trace = words[0] == "on"
    elif words:
        raise CommandError("trace: on or off, got %r" % words[0])
    return notice("packet trace is %s" % ("on" if context.session.trace else "off"))


@command("clear", "", "clear the screen")
async def clear_command(context, rest):
    return Reply(clear_screen=True)


@command("help", "[COMMAND]", "this list, or the details of one command", aliases=("?",))
async def help_command(context, rest):
    words = words_of(rest)
    if words:
        found = REGISTRY.find(words[0])
        if found is None:
            raise CommandError("help: no command %r; type `help` for the list" % words[0])
        lines = ["usage: %s" % found.usage, found.summary]
        if found.aliases:
            lines.append("aliases: %s" % ", ".join(found.aliases))
        lines.extend(found.details.splitlines())
        return notice(*lines, style="")
    rows = [(" | ".join((c.usage,) + c.aliases), c.summary) for c in REGISTRY.commands]
    footer = ("Ctrl-C clears the line or cancels a pending call; Ctrl-D quits; "
              "Ctrl-R searches the history; `help COMMAND` for details.")
    return Reply(tables=(TableData("commands", ("command", "what it does"), rows),),
                 lines=(footer,))


@command("quit", "", "disconnect (io client disconnect) and exit", aliases=("exit",))
async def quit_command(context, rest):
    return Reply(quit=True)
