"""The exceptions that carry one line for the person at the terminal."""

from siocli.status import ExitStatus


class UsageError(ValueError):
    """Bad input from the command line or the environment: one line, exit 2."""


class GrammarError(ValueError):
    """Bad emit or command syntax; the message is one line. ``column`` is 1-based or None."""

    def __init__(self, message, column=None):
        super().__init__(message)
        self.column = column


class AuthError(Exception):
    """The auth command failed or printed something that is not a JSON object."""


class CommandError(Exception):
    """A REPL or piped command failed: one line, and the exit status of piped runs."""

    def __init__(self, message, status=ExitStatus.USAGE_ERROR):
        super().__init__(message)
        self.status = status
