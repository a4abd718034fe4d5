"""`siocli demo` in a real pseudo-terminal, and with commands piped in."""

import sys

import pexpect

from serve_fixtures import ROOT, clean_env, run_siocli
from siocli.modes.demo import TOUR, tour_text


def test_demo_connects_in_a_terminal_and_quits(tmp_path):
    env = clean_env(tmp_path, PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm-256color", NO_COLOR="1")
    child = pexpect.spawn(sys.executable, ["-m", "siocli", "demo"], env=env, cwd=ROOT,
                          dimensions=(40, 160), encoding="utf-8", timeout=10)
    try:
        child.expect(r"http://127\.0\.0\.1:\d+")
        child.expect("auth set token=letmein")  # the tour
        child.expect(r"connect\S*\s+/\s+\S{20}\s")
        child.send('call echo {"a": 1}\r')
        child.expect(r"ack\W.*echo.*\(\d+\.\d ms\)")
        child.send("ns /private\r")
        child.expect("connect_error")
        child.expect("not authorized")
        child.send("auth set token=letmein\r")
        child.send("connect\r")
        child.expect(r"connect\S*\s+/private\s+\S{20}\s")
        child.send("quit\r")
        child.expect("io client disconnect")
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0
    finally:
        child.close(force=True)


def test_demo_runs_piped_commands(tmp_path):
    result = run_siocli(tmp_path, "demo", input='call echo {"a": 1} two\n')
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("siocli demo: a Socket.IO server runs in this process at http://")
    assert any(line.endswith('ack  /  echo  {"a": 1} "two"  (%s' % line.rpartition("(")[2])
               for line in lines)


def test_the_tour_names_what_to_type():
    text = "\n".join(tour_text("http://127.0.0.1:1"))
    for command, _ in TOUR:
        assert command in text
    assert "siocli connect http://127.0.0.1:1" in text
