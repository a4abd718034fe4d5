"""The interactive REPL of `siocli connect` on a terminal.

Records print above the prompt through ``patch_stdout`` (the typed line survives), a
bottom toolbar shows the live state, and SIGINT is ours: Ctrl-C at the prompt clears
the line, Ctrl-C while a command runs (a pending `call`) cancels that command.
"""

import asyncio
import contextlib
import signal

from prompt_toolkit import PromptSession
from prompt_toolkit.enums import DEFAULT_BUFFER
from prompt_toolkit.filters import has_focus
from prompt_toolkit.key_binding import KeyBindings
from prompt_toolkit.output import ColorDepth
from prompt_toolkit.shortcuts import clear as clear_screen
from prompt_toolkit.styles import Style

from siocli import __version__, grammar
from siocli.client.session import Session
from siocli.commands import REGISTRY
from siocli.commands.context import CommandContext, Reply, run_line
from siocli.modes.prompt import open_history, printing_above_prompt
from siocli.modes.repl.completer import CommandCompleter
from siocli.modes.repl.toolbar import TOOLBAR_STYLE, toolbar_fragments
from siocli.status import ExitStatus

TOOLBAR_REFRESH_SECONDS = 0.25


def make_key_bindings():
    bindings = KeyBindings()

    @bindings.add("enter", filter=has_focus(DEFAULT_BUFFER))
    def accept_or_continue(event):
        """Enter runs the line, unless a JSON value or a quote is still open."""
        buffer = event.current_buffer
        if grammar.needs_more_input(buffer.text):
            buffer.newline(copy_margin=False)
        else:
            buffer.validate_and_handle()

    return bindings


def make_prompt_session(context, history=None, color=True):
    """The one PromptSession of the REPL (tests build theirs with this too)."""
    style = Style.from_dict(dict(TOOLBAR_STYLE, prompt="bold", continuation="#888888"))
    return PromptSession(
        message=lambda: [("class:prompt", "%s> " % context.namespace)],
        multiline=True,
        prompt_continuation=lambda width, line, wrap: [("class:continuation",
                                                        "... ".rjust(width))],
        key_bindings=make_key_bindings(),
        history=history,
        completer=CommandCompleter(context.registry, context),
        complete_while_typing=False,
        bottom_toolbar=lambda: toolbar_fragments(context),
        refresh_interval=TOOLBAR_REFRESH_SECONDS,
        style=style,
        color_depth=None if color else ColorDepth.MONOCHROME,
        enable_history_search=False,
        erase_when_done=False,
    )


class Repl:
    def __init__(self, context, prompt_session):
        self.context = context
        self.prompt = prompt_session
        self._running = None
        self._interrupted = False

    def on_sigint(self):
        """SIGINT arrives only while a command runs (the prompt reads Ctrl-C as a key)."""
        if self._running is not None and not self._running.done():
            self._interrupted = True
            self._running.cancel()

    async def read_line(self):
        """The next command line; None at Ctrl-D. Ctrl-C clears the line and asks again."""
        while True:
            try:
                return await self.prompt.prompt_async(handle_sigint=False)
            except KeyboardInterrupt:
                continue
            except EOFError:
                return None

    async def run_command(self, text):
        self._interrupted = False
        self._running = asyncio.ensure_future(run_line(self.context, text))
        try:
            return await self._running
        except asyncio.CancelledError:
            if not self._interrupted:
                raise
            self.context.output.notice("cancelled (Ctrl-C)", "yellow")
            return Reply(status=ExitStatus.INTERRUPTED)
        finally:
            self._running = None

    async def loop(self):
        while True:
            text = await self.read_line()
            if text is None:
                return
            reply = await self.run_command(text)
            if reply.quit:
                return
            if reply.clear_screen:
                clear_screen()


async def run_repl(settings, env, output, signals=None, prompt_session=None):
    """The REPL; returns 0 after Ctrl-D, `quit` or `exit` (with a clean disconnect).

    SIGINT (which arrives only while a command runs) cancels that command."""
    session = Session(settings, output.emit)
    context = CommandContext(session, output, settings, interactive=True, registry=REGISTRY)
    if prompt_session is None:
        prompt_session = make_prompt_session(context, open_history(env.state_dir), env.color)
    repl = Repl(context, prompt_session)
    sigint = (signals.handling(signal.SIGINT, repl.on_sigint) if signals is not None
              else contextlib.nullcontext())
    with printing_above_prompt(env, output), sigint:
        try:
            via = " via proxy %s" % settings.display_proxy if settings.proxy else ""
            output.notice("siocli %s: connecting to %s%s. Type `help` for commands, "
                          "Ctrl-D to quit." % (__version__, settings.display_url or settings.url,
                                               via))
            session.start()
            await repl.loop()
        finally:
            if session.outbox:
                output.notice("%d queued emit(s) never sent: not connected" % len(session.outbox),
                              "yellow")
            await session.close()
            output.flush()
    return ExitStatus.SUCCESS
