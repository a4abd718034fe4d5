"""The commands of serve's REPL, on a registry of their own: clients, emit, kick,
status, help, quit. Handlers return data (a Reply), as the client's commands do."""

import dataclasses
import time

from siocli import grammar
from siocli.auth import masked
from siocli.commands.context import Reply, notice
from siocli.commands.registry import Registry, words_of
from siocli.errors import CommandError
from siocli.output.serve_view import short_json
from siocli.output.tables import TableData

COMMANDS = Registry()


@dataclasses.dataclass
class ServeContext:
    server: object
    output: object
    registry: Registry = COMMANDS
    namespace: str = None


def since(timestamp):
    seconds = int(time.time() - timestamp)
    clock = time.strftime("%H:%M:%S", time.localtime(timestamp))
    if seconds < 60:
        return "%s (%ds ago)" % (clock, seconds)
    if seconds < 3600:
        return "%s (%dm%02ds ago)" % (clock, seconds // 60, seconds % 60)
    return "%s (%dh%02dm ago)" % (clock, seconds // 3600, seconds // 60 % 60)


def find_client(server, text):
    try:
        return server.find(text)
    except KeyError as exc:
        raise CommandError(exc.args[0]) from None


@COMMANDS.command("clients", "",
                  "the connected clients: id, namespace, transport, since, auth (masked)")
async def clients_command(context, rest):
    server = context.server
    # the auth last: the one cell that may be long wraps, the ids stay whole
    rows = [(c.sid, c.namespace, server.transport_of(c.eio_sid) or "-",
             since(c.connected_at), "%d/%d" % (c.events_in, c.events_out),
             short_json(masked(c.auth)) if c.auth is not None else "-")
            for c in sorted(server.clients.values(), key=lambda c: c.connected_at)]
    if not rows:
        return notice("no clients connected; try: siocli connect %s" % server.client_url())
    title = "%d client%s" % (len(rows), "" if len(rows) == 1 else "s")
    return Reply(tables=(TableData(title, ("id", "namespace", "transport", "connected since",
                                           "in/out", "auth"), rows),))


def split_target(rest):
    """(the --to client id or None, the rest of the line)."""
    word, after = grammar.split_command(rest)
    if not (word == "--to" or word.startswith("--to=")):
        return None, rest
    to = word[5:] if word.startswith("--to=") else None
    if to is None:
        to, after = grammar.split_command(after)
    if not to:
        raise CommandError("emit: --to needs a client id")
    return to, after


@COMMANDS.command("emit", "[--to ID] EVENT [ARG...]",
                  "emit to one client (ID or its start), else to every client", words=("--to",))
async def emit_command(context, rest):
    to, rest = split_target(rest)
    if not rest.strip():
        raise CommandError("usage: emit [--to ID] EVENT [ARG...]")
    command = grammar.parse_emit(rest)
    server = context.server
    if to is None and not server.clients:
        return notice("no clients connected: nothing was sent", style="yellow")
    if to is not None:
        find_client(server, to)
    await server.emit(command.event, command.args, to=to)
    return None


@COMMANDS.command("kick", "ID",
                  "disconnect a client from its namespace (it sees `io server disconnect`)")
async def kick_command(context, rest):
    words = words_of(rest)
    if len(words) != 1:
        raise CommandError("usage: kick ID")
    client = find_client(context.server, words[0])
    await context.server.kick(client.sid)
    return None


@COMMANDS.command("status", "", "where the server listens, its settings and counters")
async def status_command(context, rest):
    server, config = context.server, context.server.config
    per_namespace = {}
    for client in server.clients.values():
        per_namespace[client.namespace] = per_namespace.get(client.namespace, 0) + 1
    rows = [
        ("listening", server.url),
        ("path", config.path),
        ("namespaces", ", ".join("%s (%d)" % (ns, per_namespace.get(ns, 0))
                                 for ns in config.namespaces)),
        ("auth", "auth.token required" if config.token is not None else "none required"),
        ("cors", ", ".join(config.cors) if config.cors else "any origin"),
        ("ping", "every %gs, timeout %gs" % (config.ping_interval, config.ping_timeout)),
        ("clients", len(server.clients)),
        ("events", "%d in, %d out" % (server.events_in, server.events_out)),
        ("up since", since(server.started_at)),
    ]
    return Reply(tables=(TableData("siocli serve", ("", ""), rows),))


@COMMANDS.command("help", "", "this list")
async def help_command(context, rest):
    rows = [(" | ".join((c.usage,) + c.aliases), c.summary) for c in context.registry.commands]
    return Reply(tables=(TableData("Commands", ("command", "what it does"), rows),))


@COMMANDS.command("quit", "", "stop the server (also Ctrl-D, or Ctrl-C on an empty line)",
                  aliases=("exit",))
async def quit_command(context, rest):
    return Reply(quit=True)
