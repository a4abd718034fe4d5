"""End to end in a real pseudo-terminal (pexpect, and tmux for what the screen shows)."""

import shlex
import shutil
import subprocess
import sys
import time
import uuid

import pexpect
import pytest

from repl_fixtures import ROOT, siocli_env


def spawn_repl(tmp_path, url, *options):
    env = siocli_env(tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color")
    return pexpect.spawn(sys.executable, ["-m", "siocli", "connect", url, "--no-color", *options],
                         env=env, cwd=ROOT, dimensions=(40, 200), encoding="utf-8", timeout=10)


def finish(child):
    time.sleep(0.3)  # back at the prompt
    child.sendcontrol("d")
    child.expect("io client disconnect")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_auth_retry_flow_in_a_terminal(sio_server, tmp_path):
    child = spawn_repl(tmp_path, sio_server.url + "/private")
    child.expect("connect_error")
    child.expect("not authorized")
    child.expect("Please retry later")
    time.sleep(0.3)  # the prompt is up (its redraws are cursor moves, not text to expect)
    child.send("auth set token=secret\r")
    child.expect(r'\{"token": "se\*\*\*\*"\}')
    child.send("connect\r")
    child.expect(r"connect\s+/private\s+(\S{20})\s+yes")
    sid = child.match.group(1)
    child.send("status\r")
    child.expect(r"\*\s+/private\s+" + sid + r"\s+yes")
    finish(child)
    history = (tmp_path / "state" / "siocli" / "history").read_text()
    assert "connect" in history and "secret" not in history


def test_ctrl_c_cancels_a_pending_call(sio_server, tmp_path):
    child = spawn_repl(tmp_path, sio_server.url)
    child.expect(r"connect\s+/\s+\S{20}\s+yes")
    time.sleep(0.3)
    child.send("call slow 5\r")
    child.expect(r"-> / slow 5")
    started = time.monotonic()
    time.sleep(0.2)
    child.sendcontrol("c")
    child.expect("cancelled")
    child.send("call echo alive\r")
    child.expect(r'ack / echo "alive"')
    assert time.monotonic() - started < 3
    assert child.isalive()
    finish(child)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_events_arriving_mid_line_leave_the_typed_text_intact(sio_server, tmp_path):
    name = "siocli-test-%s" % uuid.uuid4().hex[:8]
    env = siocli_env(tmp_path)
    command = "cd %s && env %s %s -m siocli connect %s --no-color; sleep 5" % (
        shlex.quote(ROOT),
        " ".join("%s=%s" % (k, shlex.quote(env[k])) for k in ("PYTHONPATH", "XDG_STATE_HOME")),
        shlex.quote(sys.executable), shlex.quote(sio_server.url))

    def tmux(*args):
        return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout

    def screen():
        return tmux("capture-pane", "-p", "-t", name)

    def wait_screen(text, timeout=8.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.05)
        raise AssertionError("%r not on screen:\n%s" % (text, screen()))

    tmux("new-session", "-d", "-s", name, "-x", "150", "-y", "40", command)
    try:
        wait_screen("● connected")
        tmux("send-keys", "-t", name, "emit burst 3 0.4", "Enter")
        tmux("send-keys", "-t", name, "-l", "emit typed mid line")
        shown = wait_screen('tick {"i": 2}')
        lines = [line for line in shown.splitlines() if line.strip()]
        prompt_lines = [line for line in lines if line.startswith("/> ")]
        assert prompt_lines[-1].rstrip() == "/> emit typed mid line", shown
        below_ticks = lines.index(next(l for l in lines if 'tick {"i": 2}' in l))
        assert any(line.startswith("/> emit typed mid line") for line in lines[below_ticks:])
        tmux("send-keys", "-t", name, "Enter")
        wait_screen('-> / typed "mid" "line"')
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)
