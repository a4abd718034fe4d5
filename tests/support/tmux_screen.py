"""A terminal of a chosen size, for tests that look at what a user sees: siocli runs in a
detached tmux session; ``lines()`` is the screen (and its scrollback) as tmux shows it.

    with TmuxScreen(tmp_path, ["demo"], width=80) as term:
        shown = term.wait_for(lambda text: "● connected" in text, "the toolbar")
        term.type("log")
        term.resize(120, 40)

Waiting polls the screen until a condition holds (failing with the last screen after
``timeout``); nothing is asserted after a fixed sleep.
"""

import shlex
import shutil
import subprocess
import time
import uuid

from siocli_run import ROOT, siocli_command, siocli_env

HISTORY = 500  # lines of scrollback captured with the screen


def tmux_available():
    return shutil.which("tmux") is not None


class TmuxScreen:
    def __init__(self, tmp_path, args, width=80, height=40, env=None):
        self.name = "siocli-test-%s" % uuid.uuid4().hex[:8]
        environment = siocli_env(tmp_path, TERM="xterm-256color", **(env or {}))
        variables = " ".join("%s=%s" % (key, shlex.quote(value))
                             for key, value in environment.items()
                             if key in ("PATH", "HOME", "PYTHONPATH", "NO_COLOR", "LANG")
                             or key.startswith("XDG_"))
        command = "cd %s && env -i %s %s; sleep 30" % (
            shlex.quote(ROOT), variables,
            " ".join(shlex.quote(word) for word in siocli_command(*args)))
        self._tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                   command)
        self.width = width

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def close(self):
        subprocess.run(["tmux", "kill-session", "-t", self.name], capture_output=True)

    @staticmethod
    def _tmux(*args):
        return subprocess.run(["tmux", *args], capture_output=True, text=True,
                              check=True).stdout

    def text(self):
        """The scrollback and the screen, one line per terminal row."""
        return self._tmux("capture-pane", "-p", "-t", self.name, "-S", "-%d" % HISTORY)

    def lines(self):
        return self.text().rstrip("\n").split("\n")

    def wait_for(self, condition, what, timeout=10.0):
        """The first screen text on which ``condition(text)`` is true."""
        deadline = time.monotonic() + timeout
        while True:
            shown = self.text()
            if condition(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError("never on screen: %s\nlast screen:\n%s" % (what, shown))
            time.sleep(0.05)

    def wait_text(self, text, timeout=10.0):
        return self.wait_for(lambda shown: text in shown, repr(text), timeout)

    def type(self, line):
        """Type ``line`` and Enter."""
        self._tmux("send-keys", "-t", self.name, "-l", line)
        self._tmux("send-keys", "-t", self.name, "Enter")

    def resize(self, width, height=40):
        """Resize the terminal; returns once its tty has the new size (tmux may apply it
        a little after it reports it), which is when the program is told (SIGWINCH)."""
        self._tmux("resize-window", "-t", self.name, "-x", str(width), "-y", str(height))
        self.width = width
        tty = self._tmux("display-message", "-p", "-t", self.name, "#{pane_tty}").strip()

        def tty_size():
            return subprocess.run(["stty", "-F", tty, "size"], capture_output=True,
                                  text=True).stdout.split()

        self.wait_for(lambda shown: tty_size() == [str(height), str(width)],
                      "a terminal of %d columns and %d rows" % (width, height))

    def toolbar(self):
        """The bottom toolbar: the last line of the screen that is not blank."""
        shown = [line for line in self.lines() if line.strip()]
        return shown[-1] if shown else ""
