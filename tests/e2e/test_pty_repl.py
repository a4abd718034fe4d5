"""End to end in a real pseudo-terminal (pexpect, and tmux for what the screen shows)."""

import shlex
import shutil
import subprocess
import time
import uuid

import pexpect
import pytest

from siocli_run import ROOT, XDG_DIRS, siocli_command, siocli_env, spawn_siocli

TYPED = "emit typed mid line"


def spawn_repl(tmp_path, url, *options):
    return spawn_siocli(tmp_path, "connect", url, "--no-color", *options)


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


def typed_text_intact_below_the_ticks(shown):
    """True when the screen shows the last tick and, below it, the prompt line redrawn
    with the typed text, and that is the last prompt line."""
    lines = [line for line in shown.splitlines() if line.strip()]
    ticks = [row for row, line in enumerate(lines) if 'tick {"i": 2}' in line]
    prompts = [row for row, line in enumerate(lines) if line.startswith("/> ")]
    return bool(ticks and prompts) and prompts[-1] > ticks[-1] and (
        lines[prompts[-1]].rstrip() == "/> " + TYPED)


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_events_arriving_mid_line_leave_the_typed_text_intact(sio_server, tmp_path):
    name = "siocli-test-%s" % uuid.uuid4().hex[:8]
    env = siocli_env(tmp_path)
    command = "cd %s && env %s %s; sleep 5" % (
        shlex.quote(ROOT),
        " ".join("%s=%s" % (key, shlex.quote(env[key])) for key in ("PYTHONPATH", *XDG_DIRS)),
        " ".join(shlex.quote(word) for word in siocli_command(
            "connect", sio_server.url, "--no-color")))

    def tmux(*args):
        return subprocess.run(["tmux", *args], capture_output=True, text=True, check=True).stdout

    def screen():
        return tmux("capture-pane", "-p", "-t", name)

    def wait_screen(condition, what, timeout=10.0):
        """The first screen on which ``condition`` holds; fails with the last screen when
        none does within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            shown = screen()
            if condition(shown):
                return shown
            if time.monotonic() > deadline:
                raise AssertionError("never on screen: %s\nlast screen:\n%s" % (what, shown))
            time.sleep(0.05)

    def showing(text):
        return lambda shown: text in shown

    tmux("new-session", "-d", "-s", name, "-x", "150", "-y", "40", command)
    try:
        wait_screen(showing("● connected"), "the connected toolbar")
        tmux("send-keys", "-t", name, "emit burst 3 0.4", "Enter")
        tmux("send-keys", "-t", name, "-l", TYPED)
        # the ticks arrive while the line is being typed; the prompt is redrawn below them
        # with the typed text intact (the redraw may come a little after the last tick)
        wait_screen(typed_text_intact_below_the_ticks,
                    "the last prompt line, below the ticks, showing %r" % TYPED)
        tmux("send-keys", "-t", name, "Enter")
        wait_screen(showing('-> / typed "mid" "line"'), "the emit of the typed line")
    finally:
        subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def test_a_server_ack_request_awaits_reply_in_a_terminal(sio_server, tmp_path):
    child = spawn_repl(tmp_path, sio_server.url)
    child.expect(r"connect\s+/\s+(\S{20})\s+yes")
    sid = child.match.group(1)
    time.sleep(0.3)
    child.send("emit scenario ask 10 question 1\r")
    child.expect(r"<- / question 1 \[awaits reply, ack (\d+)\]")
    ack = child.match.group(1)
    child.send("status\r")
    child.expect(r"ack requests\s+1 pending: / question \(ack %s\)" % ack)
    child.send("reply %s ok\r" % ack)
    child.expect(r'reply / question "ok" \(ack %s\)' % ack)
    seen = sio_server.wait_for("call_result", timeout=5, id=sid)
    assert seen["result"] == "ok"
    finish(child)
