"""Running siocli in tests: `python -m siocli` as a subprocess of this checkout, with a
clean environment, and reading what it prints.

    result = run_siocli(tmp_path, "connect", url, "-c", "echo 1", "--json")
    records = json_lines(result.stdout)          # one dict per JSON line
    of_type(records, "ack")[0]["args"]

    run_siocli(tmp_path, "connect", url, "--json", input="emit x\\n")   # piped commands
    process = start_siocli(tmp_path, "connect", url, "-l", "*", "--json")  # Popen
    child = spawn_siocli(tmp_path, "connect", url, "--no-color")         # pexpect, a pty
    server = ServeProcess(tmp_path, "-n", "/chat")   # `siocli serve --port 0 --json ...`

The environment is this process's, minus NO_COLOR, every SIOCLI_* variable and the proxy
variables (HTTP_PROXY, ..., in either case), with
this checkout first on PYTHONPATH and the XDG directories under ``tmp_path`` (the
history file is ``tmp_path / "state" / "siocli" / "history"``).
"""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
XDG_DIRS = {"XDG_STATE_HOME": "state", "XDG_CONFIG_HOME": "config",
            "XDG_DATA_HOME": "data", "XDG_CACHE_HOME": "cache"}
PROXY_VARIABLES = ("http_proxy", "https_proxy", "no_proxy", "all_proxy")  # tests set their own
LISTENING = re.compile(r"listening on http://([^ ]+):(\d+) ")


def siocli_command(*args):
    """The argv of `python -m siocli ARGS`."""
    return [sys.executable, "-m", "siocli", *map(str, args)]


def siocli_env(tmp_path, **extra):
    """Environment for a siocli subprocess: this checkout first, private XDG dirs under
    ``tmp_path``, no NO_COLOR or SIOCLI_* from the caller; ``extra`` set last."""
    env = dict(os.environ)
    env["PYTHONPATH"] = ROOT + os.pathsep + env.get("PYTHONPATH", "")
    for name, folder in XDG_DIRS.items():
        env[name] = os.path.join(str(tmp_path), folder)
    env.pop("NO_COLOR", None)
    for key in list(env):
        if key.startswith("SIOCLI_") or key.lower() in PROXY_VARIABLES:
            del env[key]
    env.update(extra)
    return env


def run_siocli(tmp_path, *args, input=None, timeout=30, env=None):
    """`python -m siocli ARGS` to completion: the subprocess.CompletedProcess (text).
    ``input`` is piped to stdin (else stdin is /dev/null); ``env`` adds variables."""
    return subprocess.run(siocli_command(*args), input=input,
                          stdin=subprocess.DEVNULL if input is None else None,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=siocli_env(tmp_path, **(env or {})))


def start_siocli(tmp_path, *args, env=None, **popen_options):
    """`python -m siocli ARGS` started, not awaited: a subprocess.Popen (text, stdout
    piped, stdin /dev/null unless ``popen_options`` say otherwise)."""
    options = dict(stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, text=True, cwd=ROOT,
                   env=siocli_env(tmp_path, **(env or {})))
    options.update(popen_options)
    return subprocess.Popen(siocli_command(*args), **options)


def spawn_siocli(tmp_path, *args, dimensions=(40, 200), timeout=10, env=None):
    """`python -m siocli ARGS` in a pseudo-terminal (pexpect.spawn, text); prompt_toolkit
    is told not to ask for the cursor position."""
    import pexpect  # only the terminal tests need it

    extra = {"PROMPT_TOOLKIT_NO_CPR": "1", "TERM": "xterm-256color", **(env or {})}
    return pexpect.spawn(sys.executable, siocli_command(*args)[1:],
                         env=siocli_env(tmp_path, **extra), cwd=ROOT, dimensions=dimensions,
                         encoding="utf-8", timeout=timeout)


HEAVY_LIBRARIES = ("socketio", "engineio", "aiohttp", "prompt_toolkit", "rich")
_IMPORTS_PROBE = """\
import os, sys
os.environ.update(%(completing)r)
from siocli.cli import main
try:
    main(%(args)r, prog_name="siocli")
except SystemExit:
    pass
heavy = sorted(m for m in sys.modules if m.split(".")[0] in %(heavy)r)
sys.stderr.write("HEAVY=%%s\\n" %% ",".join(heavy))
"""


def heavy_imports(tmp_path, args=None, completing=None):
    """siocli's ``main(args)`` in a fresh interpreter, or, with ``completing``
    (COMP_WORDS, COMP_CWORD, _SIOCLI_COMPLETE...), the shell's completion request: the
    CompletedProcess and which of HEAVY_LIBRARIES' modules it imported (a list)."""
    program = _IMPORTS_PROBE % {"completing": dict(completing or {}), "args": args,
                                "heavy": HEAVY_LIBRARIES}
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            timeout=20, cwd=ROOT, env=siocli_env(tmp_path))
    found = re.search(r"^HEAVY=(.*)$", result.stderr, re.MULTILINE)
    assert found, result.stderr
    return result, [name for name in found.group(1).split(",") if name]


def processes_with(text):
    """Processes whose command line holds ``text`` (read from /proc: no pgrep needed)."""
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open("/proc/%s/cmdline" % entry, "rb") as handle:
                    if text.encode() in handle.read().replace(b"\0", b" "):
                        found.append(int(entry))
            except OSError:
                continue
    return found


def json_lines(text):
    """The JSON value of every non-blank line of ``text`` (a line that is not JSON fails
    the test, naming it)."""
    found = []
    for line in text.splitlines():
        if line.strip():
            try:
                found.append(json.loads(line))
            except ValueError:
                raise AssertionError("not a JSON line: %r\nin:\n%s" % (line, text)) from None
    return found


def of_type(records, kind):
    """The records of one type, in order."""
    return [record for record in records if record.get("type") == kind]


def first_of(records, kind):
    """The first record of one type, or None."""
    return next(iter(of_type(records, kind)), None)


class ServeProcess:
    """`python -m siocli serve --port 0 --json ARGS`: records from stdout, notices on stderr."""

    def __init__(self, tmp_path, *args):
        self.proc = start_siocli(tmp_path, "serve", "--port", "0", "--json", *args,
                                 stderr=subprocess.PIPE)
        self.records = []
        self.notices = []
        self._cond = threading.Condition()
        self.port = None
        for target in (self._read_stdout, self._read_stderr):
            threading.Thread(target=target, daemon=True).start()
        with self._cond:
            self._cond.wait_for(lambda: self.port or self.proc.poll() is not None, 15)
        if not self.port:
            self.stop()
            raise RuntimeError("siocli serve did not start: %s" % "\n".join(self.notices))

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _read_stdout(self):
        for line in self.proc.stdout:
            if line.strip():
                with self._cond:
                    self.records.append(json.loads(line))
                    self._cond.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            with self._cond:
                self.notices.append(line.rstrip("\n"))
                match = LISTENING.search(line)
                if match and not self.port:
                    self.port = int(match.group(2))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, kind, timeout=10, **fields):
        def find():
            for record in self.records:
                if record["type"] == kind and all(record.get(k) == v for k, v in fields.items()):
                    return record
            return None

        with self._cond:
            found = self._cond.wait_for(find, timeout)
        assert found, "no %s record %s; records: %r; notices: %r" % (
            kind, fields, self.records, self.notices)
        return found

    def stop(self, sig=signal.SIGINT, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.05)
        return self.proc.returncode
