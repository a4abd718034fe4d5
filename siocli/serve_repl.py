"""The REPL of `siocli serve` on a terminal: clients, emit, kick, status, help, quit.

Small and self-contained on prompt_toolkit (the client REPL in siocli/repl/ is built
around a client session). Tables, history and printing above the prompt are the client REPL's.
Ctrl-C clears a typed line; on an empty line it stops the server (exit 130).
"""

import time

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from siocli import grammar
from siocli.repl import context
from siocli.repl.app import printing_above_prompt
from siocli.repl.history import open_history
from siocli.auth import masked
from siocli.serve_view import short_json
from siocli.status import ExitStatus

HELP = [
    ("clients", "the connected clients: id, namespace, transport, auth (masked), since"),
    ("emit [--to ID] EVENT [ARG...]", "emit to one client (ID or its start), else to every client"),
    ("kick ID", "disconnect a client from its namespace (it sees `io server disconnect`)"),
    ("status", "where the server listens, its settings and counters"),
    ("help", "this list"),
    ("quit", "stop the server (also Ctrl-D, or Ctrl-C on an empty line)"),
]
COMMANDS = ("clients", "emit", "kick", "status", "help", "quit", "exit")
STYLE = Style.from_dict({"prompt": "bold", "bottom-toolbar": "noreverse bg:#303030 #d0d0d0"})


class QuitRepl(Exception):
    pass


class ServeCompleter(Completer):
    """Commands, then client ids after `kick` and `--to`."""

    def __init__(self, server):
        self.server = server

    def get_completions(self, document, complete_event):
        text = document.text_before_cursor
        words = text.split()
        current = "" if text.endswith((" ", "\t")) or not words else words[-1]
        before = words[:-1] if current else words
        if not before:
            candidates = COMMANDS
        elif before[-1] == "--to" or (before == ["kick"]):
            candidates = sorted(self.server.clients)
        elif before == ["emit"]:
            candidates = ["--to"]
        else:
            candidates = ()
        for candidate in candidates:
            if candidate.startswith(current):
                yield Completion(candidate, start_position=-len(current))


def since(timestamp):
    seconds = int(time.time() - timestamp)
    clock = time.strftime("%H:%M:%S", time.localtime(timestamp))
    if seconds < 60:
        return "%s (%ds ago)" % (clock, seconds)
    if seconds < 3600:
        return "%s (%dm%02ds ago)" % (clock, seconds // 60, seconds % 60)
    return "%s (%dh%02dm ago)" % (clock, seconds // 3600, seconds // 60 % 60)


def show_table(output, title, columns, rows):
    context.show_table(output, context.TableData(title, tuple(columns), list(rows)))


class ServeCommands:
    def __init__(self, server, output):
        self.server = server
        self.output = output

    async def run(self, line):
        line = line.strip()
        if not line or line.startswith("#"):
            return
        try:
            name, rest = grammar.split_command(line)
        except grammar.GrammarError as exc:
            self.output.problem(str(exc))
            return
        handler = getattr(self, "do_" + name, None) if name in COMMANDS else None
        if handler is None:
            self.output.problem("unknown command %r (type `help`)" % name)
            return
        try:
            await handler(rest)
        except grammar.GrammarError as exc:
            self.output.problem("%s: %s" % (name, exc))
        except KeyError as exc:
            self.output.problem("%s: %s" % (name, exc.args[0]))

    async def do_help(self, rest):
        show_table(self.output, "Commands", ["command", "what it does"], HELP)

    async def do_quit(self, rest):
        raise QuitRepl()

    do_exit = do_quit

    async def do_clients(self, rest):
        server = self.server
        rows = [(c.sid, c.namespace, server.transport_of(c.eio_sid) or "-",
                 short_json(masked(c.auth)) if c.auth is not None else "-",
                 since(c.connected_at), "%d/%d" % (c.events_in, c.events_out))
                for c in sorted(server.clients.values(), key=lambda c: c.connected_at)]
        if not rows:
            self.output.notice("no clients connected; try: siocli connect %s" % server.client_url())
            return
        show_table(self.output, "%d client%s" % (len(rows), "" if len(rows) == 1 else "s"),
                   ["id", "namespace", "transport", "auth", "connected since", "in/out"], rows)

    async def do_emit(self, rest):
        to = None
        word, after = grammar.split_command(rest)
        if word == "--to" or word.startswith("--to="):
            to = word[5:] if word.startswith("--to=") else None
            if to is None:
                to, after = grammar.split_command(after)
            if not to:
                raise grammar.GrammarError("--to needs a client id")
            rest = after
        if not rest.strip():
            raise grammar.GrammarError("usage: emit [--to ID] EVENT [ARG...]")
        command = grammar.parse_emit(rest)
        if to is None and not self.server.clients:
            self.output.notice("no clients connected: nothing was sent", style="yellow")
            return
        await self.server.emit(command.event, command.args, to=to)

    async def do_kick(self, rest):
        words = grammar.split_words(rest)
        if len(words) != 1:
            raise grammar.GrammarError("usage: kick ID")
        await self.server.kick(words[0])

    async def do_status(self, rest):
        server, config = self.server, self.server.config
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
        show_table(self.output, "siocli serve", ["", ""], rows)


def toolbar(server):
    count = len(server.clients)
    return " serve %s  |  %d client%s  |  events %d in, %d out  |  `help` for commands " % (
        server.url, count, "" if count == 1 else "s", server.events_in, server.events_out)


def make_prompt_session(server, env):
    return PromptSession(
        message=[("class:prompt", "serve> ")],
        history=open_history(env.state_dir, "serve_history"),
        completer=ServeCompleter(server),
        complete_while_typing=False,
        bottom_toolbar=lambda: toolbar(server),
        refresh_interval=0.5,
        style=STYLE,
        color_depth=None if env.color else ColorDepth.MONOCHROME,
    )


async def run_serve_repl(server, env, output, prompt_session=None):
    """Read commands until quit (0), Ctrl-D (0) or Ctrl-C on an empty line (130)."""
    commands = ServeCommands(server, output)
    prompt = prompt_session or make_prompt_session(server, env)
    with printing_above_prompt(env, output):
        try:
            while True:
                try:
                    line = await prompt.prompt_async(handle_sigint=False)
                except KeyboardInterrupt:
                    if _last_text(prompt):
                        continue
                    return ExitStatus.INTERRUPTED
                except EOFError:
                    return ExitStatus.SUCCESS
                try:
                    await commands.run(line)
                except QuitRepl:
                    return ExitStatus.SUCCESS
        finally:
            output.flush()


def _last_text(prompt):
    """The text that was on the prompt line when Ctrl-C was pressed."""
    return prompt.default_buffer.text.strip()
