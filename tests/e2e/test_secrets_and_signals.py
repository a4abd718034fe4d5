"""Secrets never reach the screen, the trace or a record file unmasked; --auth-cmd is
bounded and never left running; signals end a run cleanly (docs/reliability.md)."""

import json
import os
import signal
import stat
import time

import pytest

from siocli_run import json_lines, of_type, processes_with, run_siocli, start_siocli

SECRET = "s3cr3t-T0KEN-value"


def test_trace_masks_the_auth_of_the_connect_packet(sio_server, tmp_path):
    record_file = tmp_path / "run.jsonl"
    result = run_siocli(tmp_path, "connect", sio_server.url, "--token", SECRET, "-a",
                        "password=" + SECRET, "--trace", "--json", "-e", "x",
                        "--record", str(record_file))
    assert result.returncode == 0, result.stderr
    connects = [r for r in of_type(json_lines(result.stdout), "packet")
                if r.get("socketio") == "CONNECT" and r["direction"] == "out"]
    assert connects and all(SECRET not in json.dumps(r) for r in connects)
    assert SECRET not in result.stdout + result.stderr
    assert SECRET not in record_file.read_text()


def test_record_files_are_created_private(sio_server, tmp_path):
    record_file = tmp_path / "run.jsonl"
    result = run_siocli(tmp_path, "connect", sio_server.url, "-e", "x",
                        "--record", str(record_file))
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(record_file).st_mode) == 0o600


def test_url_secrets_are_masked_in_status_and_errors(sio_server, tmp_path):
    url = sio_server.url.replace("http://", "http://ann:%s@") % SECRET + "?token=" + SECRET
    result = run_siocli(tmp_path, "connect", url, input="status\n")
    assert result.returncode == 0, result.stderr
    assert "ann:****@" in result.stdout and "token=****" in result.stdout
    assert SECRET not in result.stdout + result.stderr
    refused = run_siocli(tmp_path, "connect", "http://127.0.0.1:9/?token=" + SECRET,
                         "-e", "x", "--connect-timeout", "0.3")
    assert refused.returncode == 1 and SECRET not in refused.stdout + refused.stderr


def test_auth_set_without_equals_does_not_echo_the_secret(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--keep-going",
                        input="auth set %s\nauth\n" % SECRET)
    assert result.returncode == 2
    assert SECRET not in result.stdout + result.stderr


def test_auth_cmd_failure_shows_its_status_and_stderr(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "-e", "x", "--auth-cmd",
                        "echo 'token server unreachable' >&2; exit 7", "--json")
    assert result.returncode == 1
    errors = of_type(json_lines(result.stdout), "connect_error")
    assert "exited with status 7: token server unreachable" in errors[0]["message"]


def test_auth_cmd_is_bounded_by_the_connect_timeout(sio_server, tmp_path):
    marker = tmp_path / "still-running"
    command = "sleep 30; touch %s" % marker
    result = run_siocli(tmp_path, "connect", sio_server.url, "-e", "x", "--auth-cmd",
                        command, "--connect-timeout", "0.5", "--json")
    assert result.returncode == 1
    errors = of_type(json_lines(result.stdout), "connect_error")
    assert "did not finish within 0.5s" in errors[0]["message"]
    assert not processes_with(command)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_auth_cmd_is_killed_with_the_run(sio_server, tmp_path, signum):
    started = tmp_path / "started"
    command = "touch %s; sleep 30" % started
    process = start_siocli(tmp_path, "connect", sio_server.url, "-e", "x", "--auth-cmd",
                           command, "--connect-timeout", "20", "--json")
    wait_for(started.exists)
    process.send_signal(signum)
    assert process.wait(10) == 130
    assert not processes_with(command)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
def test_sigterm_and_sighup_disconnect_cleanly(sio_server, tmp_path, signum):
    process = start_siocli(tmp_path, "connect", sio_server.url, "-l", "*", "--json")
    assert json.loads(process.stdout.readline())["type"] == "connect"
    process.send_signal(signum)
    assert process.wait(10) == 130
    rest = json_lines(process.stdout.read())
    assert rest[-1]["type"] == "disconnect" and rest[-1]["reason"] == "io client disconnect"


def test_closed_stdin_in_batch_mode_is_no_commands(sio_server, tmp_path):
    process = start_siocli(tmp_path, "connect", sio_server.url, "--json", stdin=None,
                           stderr=-1, preexec_fn=lambda: os.close(0))
    out, err = process.communicate(timeout=20)
    assert process.returncode == 0, err
    assert "Traceback" not in err and "Exception" not in err
    assert [r["type"] for r in json_lines(out)] == ["connect", "disconnect"]


def wait_for(condition, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_serve_masks_secret_query_values(tmp_path):
    from siocli_run import ServeProcess

    server = ServeProcess(tmp_path)
    try:
        run_siocli(tmp_path, "connect", server.url + "?token=" + SECRET + "&room=1", "-e", "x")
        record = server.wait_for("connect")
    finally:
        server.stop()
    assert SECRET not in json.dumps(record) and record["query"]["room"] == "1"


def test_closed_stdout_is_one_line_and_exit_2(tmp_path):
    process = start_siocli(tmp_path, "connect", "http://127.0.0.1:9", "-e", "x", stdout=None,
                           stderr=-1, preexec_fn=lambda: os.close(1))
    _, err = process.communicate(timeout=20)
    assert process.returncode == 2
    assert err.count("\n") == 1 and "stdout is closed" in err
