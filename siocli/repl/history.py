"""The REPL history file: $XDG_STATE_HOME/siocli/history, never holding auth values."""

import os

from prompt_toolkit.history import FileHistory

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
    from prompt_toolkit.history import InMemoryHistory

    try:
        os.makedirs(state_dir, mode=0o700, exist_ok=True)
        path = os.path.join(state_dir, filename)
        if not os.path.exists(path):
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        return SafeHistory(path)
    except OSError:
        return InMemoryHistory()
