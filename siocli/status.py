"""Exit codes of scripted and piped runs (SPEC "Exit codes")."""

import enum


class ExitStatus(enum.IntEnum):
    SUCCESS = 0
    CONNECT_FAILED = 1
    USAGE_ERROR = 2
    EXPECTATION_FAILED = 3
    CONNECTION_LOST = 4
    INTERRUPTED = 130
