"""`siocli demo` in a real pseudo-terminal, and with commands piped in."""

import pexpect

from siocli_run import run_siocli, spawn_siocli


def test_demo_connects_in_a_terminal_and_quits(tmp_path):
    child = spawn_siocli(tmp_path, "demo", dimensions=(40, 160), env={"NO_COLOR": "1"})
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
