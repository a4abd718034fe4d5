"""The raw bytes siocli writes: to a real pseudo-terminal (80 columns) while a hostile
server — or, for `serve`, a hostile client — sends control sequences, markup and bidi
controls; and to a pipe whose reader goes away or a full device.

On the terminal, after rich's own SGR colour sequences are taken out, nothing is left
that a terminal would act on: no ESC (no OSC title, no hyperlink, no cursor movement),
no other C0 control but CR and LF, no C1, no bidi control, and the text is valid UTF-8.
"""

import os
import pty
import re
import signal
import subprocess
import threading

import pytest

from hostile_scenarios import SCENARIOS
from hostile_server import running_hostile_server
from siocli_run import ROOT, json_lines, of_type, siocli_command, siocli_env

COLUMNS, ROWS = 80, 24
SGR = re.compile(rb"\x1b\[[0-9;]*m")
UNSAFE = re.compile("[\x00-\x09\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f"
                    "\u202a-\u202e\u2066-\u2069]")
PWNED_TITLE = "\\u001b]0;pwned\\u0007"


class Terminal:
    """A process on a pseudo-terminal of COLUMNS x ROWS; every byte it writes is kept."""

    def __init__(self, tmp_path, *args, stdin=None):
        import fcntl
        import struct
        import termios

        master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLUMNS, 0, 0))
        env = siocli_env(tmp_path, TERM="xterm-256color", COLUMNS=str(COLUMNS),
                         LINES=str(ROWS))
        self.process = subprocess.Popen(
            siocli_command(*args), stdin=subprocess.DEVNULL if stdin is None else stdin,
            stdout=slave, stderr=slave, env=env, cwd=ROOT, start_new_session=True)
        os.close(slave)
        self._master = master
        self._bytes = bytearray()
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        while True:
            try:
                chunk = os.read(self._master, 65536)
            except OSError:  # EIO: the process closed the terminal
                chunk = b""
            with self._changed:
                self._bytes.extend(chunk)
                self._changed.notify_all()
            if not chunk:
                return

    def wait_for(self, pattern, timeout=20):
        """The first match of the bytes ``pattern`` in what was written so far."""
        found = None
        with self._changed:
            self._changed.wait_for(
                lambda: (found := re.search(pattern, bytes(self._bytes))) is not None, timeout)
            found = re.search(pattern, bytes(self._bytes))
        assert found, "never written: %r\nwritten: %r" % (pattern, bytes(self._bytes))
        return found

    def finish(self, timeout=30):
        """The exit status and every byte written, once the process has ended."""
        status = self.process.wait(timeout)
        self._reader.join(10)
        os.close(self._master)
        return status, bytes(self._bytes)


def assert_nothing_unsafe(written):
    """What is left of ``written`` after rich's colours: checked, and returned as text."""
    text = SGR.sub(b"", written).decode("utf-8")  # strict: a lone surrogate fails here
    assert "\x1b" not in text, "an escape sequence reached the terminal: %r" % text
    found = UNSAFE.search(text)
    assert found is None, "%r reached the terminal in %r" % (found.group(), text)
    return text


def run_connect(tmp_path, scenario, *options):
    with running_hostile_server(SCENARIOS[scenario]) as url:
        terminal = Terminal(tmp_path, "connect", url, "-l", "*", "--wait", "1", *options)
        return terminal.finish()


@pytest.mark.parametrize("scenario,shown", [
    ("control-event", ["\\u001b[2Jname", PWNED_TITLE, "\\u009b31m"]),
    ("control-sid", [PWNED_TITLE]),
    ("markup-event", ["[bold red]x[/bold red]", "[link=http://x]y[/link]"]),
    ("markup-sid", ["[link=http://x]y[/link]"]),
    ("lone-surrogate", ['"\\ud83d"', '"a\\ude00b"']),
])
def test_what_a_hostile_server_sends_reaches_the_terminal_only_as_text(tmp_path, scenario,
                                                                        shown):
    status, written = run_connect(tmp_path, scenario)
    assert status == 0
    text = assert_nothing_unsafe(written)
    assert b"\x1b[" in written  # the colours are there: this was rich on a terminal
    for escaped in shown:
        assert escaped in text


def test_a_hostile_connect_error_reaches_the_terminal_only_as_text(tmp_path):
    status, written = run_connect(tmp_path, "connect-error-control")
    assert status == 1
    text = assert_nothing_unsafe(written)
    assert "\\u001b[2J" + PWNED_TITLE + "denied" in text
    assert "[link=http://x]y[/link]" in text


def test_plain_output_on_a_terminal_is_as_safe(tmp_path):
    status, written = run_connect(tmp_path, "control-event", "-o", "plain")
    assert status == 0
    assert b"\x1b" not in written
    assert PWNED_TITLE in assert_nothing_unsafe(written)


def test_serve_shows_a_hostile_client_only_as_text(tmp_path):
    terminal = Terminal(tmp_path, "serve", "--port", "0")
    port = int(terminal.wait_for(rb"listening on http://127\.0\.0\.1:(\d+)").group(1))
    hostile_polling_client("http://127.0.0.1:%d/socket.io/?EIO=4&transport=polling" % port)
    terminal.wait_for(rb"disconnect")
    terminal.process.send_signal(signal.SIGINT)
    status, written = terminal.finish()
    assert status == 130
    text = assert_nothing_unsafe(written)
    for escaped in (PWNED_TITLE + "x", '"\\u001b[2J" "\\u202e"', "\\u202eagent\\udc9b31m",
                    'auth {"name": "'):  # the auth is masked as auth.py decides
        assert escaped in text


def hostile_polling_client(url):
    """A client by hand over HTTP long-polling: a User-Agent with a bidi override and a
    raw C1 byte (HTTP servers refuse C0 controls in headers), auth and an event with
    control sequences; it waits for the ack, then disconnects."""
    import json
    import urllib.request

    headers = {"User-Agent": "\u202eagent".encode("utf-8") + b"\x9b31m"}

    def exchange(target, body=None):
        request = urllib.request.Request(target, headers=headers, method=(
            "GET" if body is None else "POST"), data=None if body is None else body.encode())
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.read().decode()

    session = url + "&sid=" + json.loads(exchange(url)[1:])["sid"]
    exchange(session, "40" + json.dumps({"name": "\x1b[31m"}))
    assert exchange(session).startswith("40")
    exchange(session, "421" + json.dumps(["\x1b]0;pwned\x07x", "\x1b[2J", "\u202e"]))
    assert exchange(session).startswith("431")
    exchange(session, "41")


def records_of(path):
    return json_lines(path.read_text(encoding="utf-8"))


def test_when_the_reader_of_stdout_goes_away_siocli_stops_quietly(tmp_path):
    record = tmp_path / "run.jsonl"
    with running_hostile_server(SCENARIOS["hello"]) as url:
        # only listening: without its reader stdout is all that would end the run
        process = subprocess.Popen(
            siocli_command("connect", url, "-l", "*", "--json", "--record", record),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=siocli_env(tmp_path), cwd=ROOT)
        process.stdout.readline()
        process.stdout.close()  # as `| head -1` does
        try:
            _, stderr = process.communicate(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.communicate()
            pytest.fail("siocli went on without the reader of its stdout")
    assert process.returncode == 0
    assert stderr == b""
    found = records_of(record)
    assert found[-1]["type"] == "disconnect" and found[-1]["reason"] == "io client disconnect"


def test_a_reader_going_away_leaves_no_traceback_and_every_record(tmp_path):
    record = tmp_path / "run.jsonl"
    with running_hostile_server(SCENARIOS["hello"]) as url:
        process = subprocess.Popen(
            siocli_command("connect", url, "-l", "*", "--json", "--wait", "2",
                           "--record", record),
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            env=siocli_env(tmp_path), cwd=ROOT)
        process.stdout.readline()
        process.stdout.close()
        _, stderr = process.communicate(timeout=30)
    assert b"Traceback" not in stderr and b"Error" not in stderr, stderr
    kinds = [found["type"] for found in records_of(record)]
    assert kinds == ["connect", "event", "disconnect"]


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("target", ["stdout", "record"])
def test_a_full_device_is_one_line_on_stderr_and_exit_2(tmp_path, target):
    options = ["--json"] + (["--record", "/dev/full"] if target == "record" else [])
    with running_hostile_server(SCENARIOS["hello"]) as url, open("/dev/full", "w") as full:
        result = subprocess.run(
            siocli_command("connect", url, "-l", "*", "--wait", "1", *options),
            stdin=subprocess.DEVNULL, stdout=full if target == "stdout" else subprocess.PIPE,
            stderr=subprocess.PIPE, env=siocli_env(tmp_path), cwd=ROOT, timeout=30,
            text=True)
    reason = "No space left on device"
    lines = result.stderr.splitlines()
    if target == "stdout":
        assert lines == ["siocli: error: cannot write to stdout: %s" % reason]
    else:
        message = "cannot write the records to /dev/full: %s; recording stopped" % reason
        assert lines == ["siocli: error: %s" % message]
        assert of_type(json_lines(result.stdout), "error")[0]["message"] == message
    assert result.returncode == 2
