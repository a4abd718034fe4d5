"""What both REPLs (the client's and serve's) share: a history file that never holds
auth values ($XDG_STATE_HOME/siocli/history), and records printed above the prompt."""

import contextlib
import os
import sys

from prompt_toolkit.history import FileHistory, InMemoryHistory
from prompt_toolkit.patch_stdout import patch_stdout

from siocli import grammar


def holds_secret(line):
    """`auth set ...` and `auth json ...` lines carry credentials: they are not saved."""
    try:
        name, rest = grammar.split_command(line.strip())
        action, _ = grammar.split_command(rest)
    except grammar.GrammarError:
        return line.lstrip().startswith("auth")
    return name == "auth" and action in ("set", "json")


class SafeHistory(FileHistory):
    """A FileHistory that keeps auth lines in memory for this session only."""

    def store_string(self, string):
        if holds_secret(string):
            return
        super().store_string(string)


def open_history(state_dir, filename="history"):
    """The history file ``state_dir``/``filename`` (mode 0600, auth lines never written),
    or an in-memory one if it cannot be created."""
    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        path = os.path.join(state_dir, filename)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return SafeHistory(path)
    except OSError:
        return InMemoryHistory()


@contextlib.contextmanager
def printing_above_prompt(env, output):
    """Route the output through patch_stdout when it goes to this process's stdout."""
    if env.stdout is not None and env.stdout not in (sys.stdout, sys.__stdout__):
        yield  # an embedding (tests) gave its own stream
        return
    with patch_stdout(raw=True):
        previous = output.use_stream(sys.stdout)
        try:
            yield
        finally:
            output.use_stream(previous)


# what a bottom toolbar leaves out first when it is too wide: the higher, the sooner
ESSENTIAL, USEFUL, HELPFUL, EXTRA = 0, 1, 2, 3


def terminal_columns():
    """The width of the running prompt's terminal now (it may have been resized)."""
    from prompt_toolkit.application import get_app

    return get_app().output.get_size().columns


def fitted(parts, width):
    """The (style, text) of ``parts``, [(priority, style, text), ...], with the least
    useful left out (the last of them first) until the rest fits in ``width`` cells, one
    to spare; ESSENTIAL parts are always kept."""
    from prompt_toolkit.utils import get_cwidth

    kept = list(parts)
    while sum(get_cwidth(text) for _, _, text in kept) > width - 1:
        priority = max(priority for priority, _, _ in kept)
        if priority == ESSENTIAL:
            break
        del kept[max(number for number, part in enumerate(kept) if part[0] == priority)]
    return [(style, text) for _, style, text in kept]
