"""The Environment: where siocli reads and writes, and how output should look."""

import dataclasses
import os
import pathlib
import sys


@dataclasses.dataclass
class Environment:
    stdin: object = None
    stdout: object = None
    stderr: object = None
    stdin_isatty: bool = False
    stdout_isatty: bool = False
    color: bool = True
    output: str = "auto"  # auto, rich, plain or json
    record_path: str = None
    environ: dict = None

    @classmethod
    def from_process(cls, output="auto", no_color=False, record_path=None):
        environ = dict(os.environ)
        return cls(
            stdin=sys.stdin,
            stdout=sys.stdout,
            stderr=sys.stderr,
            stdin_isatty=_isatty(sys.stdin),
            stdout_isatty=_isatty(sys.stdout),
            color=not no_color and "NO_COLOR" not in environ,
            output=output,
            record_path=record_path,
            environ=environ,
        )

    def error(self, message):
        """The one way siocli says on stderr why it cannot go on: one line."""
        self._stderr_line("siocli: error: %s" % message)

    def warning(self, message):
        """A line on stderr the user should see before anything else happens."""
        self._stderr_line("siocli: warning: %s" % message)

    def _stderr_line(self, text):
        stream = self.stderr or sys.stderr
        try:
            stream.write(text + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # no stderr to say it on: the exit status still says it

    @property
    def output_format(self):
        """rich, plain or json: what `auto` means here."""
        if self.output != "auto":
            return self.output
        return "rich" if self.stdout_isatty else "plain"

    @property
    def variables(self):
        """The process's environment variables (a copy taken at start)."""
        return self.environ or {}

    @property
    def interactive(self):
        return self.stdin_isatty and self.stdout_isatty

    @property
    def state_dir(self):
        base = (self.environ or {}).get("XDG_STATE_HOME") or os.path.join(
            os.path.expanduser("~"), ".local", "state")
        return pathlib.Path(base) / "siocli"


def _isatty(stream):
    try:
        return stream is not None and stream.isatty()
    except (AttributeError, ValueError):
        return False
