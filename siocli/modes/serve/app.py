"""The REPL of `siocli serve` on a terminal, on prompt_toolkit: the commands of
:mod:`siocli.modes.serve.commands`; history and printing above the prompt are shared
with the client REPL (:mod:`siocli.modes.prompt`). Ctrl-C clears a typed line; on an
empty line it stops the server (exit 130)."""

from prompt_toolkit import PromptSession
from prompt_toolkit.completion import Completer, Completion
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.styles import Style

from siocli.commands.context import run_line
from siocli.modes.prompt import (
    ESSENTIAL,
    EXTRA,
    HELPFUL,
    fitted,
    open_history,
    printing_above_prompt,
    terminal_columns,
)
from siocli.modes.serve.commands import COMMANDS, ServeContext
from siocli.status import ExitStatus

STYLE = Style.from_dict({"prompt": "bold", "bottom-toolbar": "noreverse bg:#303030 #d0d0d0"})


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
            candidates = COMMANDS.names()
        elif before[-1] == "--to" or (before == ["kick"]):
            candidates = sorted(self.server.clients)
        elif before == ["emit"]:
            candidates = ["--to"]
        else:
            candidates = ()
        for candidate in candidates:
            if candidate.startswith(current):
                yield Completion(candidate, start_position=-len(current))


def toolbar(server, width=None):
    """The state in one line, the least useful parts left out when the terminal is narrow."""
    count = len(server.clients)
    parts = [(ESSENTIAL, "", " serve %s" % server.url),
             (ESSENTIAL, "", "  |  %d client%s" % (count, "" if count == 1 else "s")),
             (HELPFUL, "", "  |  events %d in, %d out" % (server.events_in, server.events_out)),
             (EXTRA, "", "  |  `help` for commands ")]
    return fitted(parts, terminal_columns() if width is None else width)


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
    context = ServeContext(server, output)
    prompt = prompt_session or make_prompt_session(server, env)
    with printing_above_prompt(env, output):
        try:
            while True:
                try:
                    line = await prompt.prompt_async(handle_sigint=False)
                except KeyboardInterrupt:
                    if prompt.default_buffer.text.strip():
                        continue
                    return ExitStatus.INTERRUPTED
                except EOFError:
                    return ExitStatus.SUCCESS
                reply = await run_line(context, line)
                if reply.quit:
                    return ExitStatus.SUCCESS
        finally:
            output.flush()
