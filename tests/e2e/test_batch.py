"""Piped stdin: `python -m siocli connect URL` with commands on stdin, real subprocesses."""

import socket
import time

from siocli_run import json_lines, run_siocli


def test_commands_comments_and_continuation_lines(sio_server, tmp_path):
    script = ('# a comment\n'
              '\n'
              'emit chat "hello world"\n'
              'call echo {"a":\n'
              '   [1, 2]} b64:AAE=\n'
              'call --timeout 2 echo x\n')
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json", input=script)
    assert result.returncode == 0, result.stderr
    found = json_lines(result.stdout)
    kinds = [r["type"] for r in found]
    assert kinds == ["connect", "emit", "emit", "ack", "emit", "ack", "disconnect"]
    assert found[1]["args"] == ["hello world"]
    assert found[3]["args"] == [{"a": [1, 2]}, {"$binary": "AAE="}]
    assert found[-1]["reason"] == "io client disconnect"


def test_stops_at_the_first_bad_command_with_exit_2(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json",
                        input="emit one\nbogus\nemit two\n")
    assert result.returncode == 2
    found = json_lines(result.stdout)
    assert [r.get("event") for r in found if r["type"] == "emit"] == ["one"]
    assert "unknown command 'bogus'" in [r for r in found if r["type"] == "error"][0]["message"]
    assert found[-1]["type"] == "disconnect"


def test_keep_going_runs_on_and_keeps_the_first_failure(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json", "--keep-going",
                        input="emit one\nbogus\nemit two\n")
    assert result.returncode == 2
    found = json_lines(result.stdout)
    assert [r.get("event") for r in found if r["type"] == "emit"] == ["one", "two"]


def test_ack_timeout_exits_3(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json",
                        input="call --timeout 0.3 nobody-acks\nemit no\n")
    assert result.returncode == 3
    assert [r["type"] for r in json_lines(result.stdout)] == [
        "connect", "emit", "ack_timeout", "disconnect"]


def test_middleware_connect_error_exits_1_at_once(sio_server, tmp_path):
    started = time.monotonic()
    result = run_siocli(tmp_path, "connect", sio_server.url + "/private", "--json",
                        input="emit x\n")
    assert result.returncode == 1
    assert time.monotonic() - started < 5
    found = json_lines(result.stdout)
    assert found[0]["type"] == "connect_error"
    assert found[0]["data"] == {"content": "Please retry later"}
    assert not [r for r in found if r["type"] == "emit"]


def test_token_lets_the_private_namespace_in(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url + "/private", "--json",
                        "--token", "secret", input="call echo ok\n")
    assert result.returncode == 0, result.stdout + result.stderr


def test_unreachable_server_is_retried_until_connect_timeout_then_exits_1(tmp_path):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    started = time.monotonic()
    result = run_siocli(tmp_path, "connect", "http://127.0.0.1:%d" % port, "--json",
                        "--connect-timeout", "1.5", "--reconnect-delay", "0.2",
                        input="emit x\n")
    elapsed = time.monotonic() - started
    assert result.returncode == 1
    kinds = [r["type"] for r in json_lines(result.stdout)]
    assert "reconnect_attempt" in kinds and "emit" not in kinds
    assert 1.0 < elapsed < 8


def test_connection_lost_during_a_call_exits_4(sio_server, tmp_path):
    # the server kicks 50 ms after `kick`; the slow call is pending then
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json",
                        input="emit kick\ncall --timeout 2 slow 0.5\nemit never\n")
    assert result.returncode == 4, result.stdout
    found = json_lines(result.stdout)
    assert [r["reason"] for r in found if r["type"] == "disconnect"] == ["io server disconnect"]
    assert "disconnected before 'slow' was acknowledged" in found[-1]["message"]


def test_connect_after_a_server_disconnect_with_keep_going(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json", "--keep-going",
                        input="emit kick\ncall --timeout 2 slow 0.5\nconnect\ncall echo back\n")
    assert result.returncode == 4  # the first failure
    found = json_lines(result.stdout)
    ids = [r["id"] for r in found if r["type"] == "connect"]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert [r["args"] for r in found if r["type"] == "ack"] == [["back"]]
    assert found[-1]["reason"] == "io client disconnect"


def test_reconnect_and_disconnect_commands(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json",
                        input="call echo back\nreconnect\ncall echo again\ndisconnect\n")
    assert result.returncode == 0, result.stdout
    found = json_lines(result.stdout)
    ids = [r["id"] for r in found if r["type"] == "connect"]
    assert len(ids) == 2 and ids[0] != ids[1]
    assert [r["args"] for r in found if r["type"] == "ack"] == [["back"], ["again"]]
    assert [r["reason"] for r in found if r["type"] == "disconnect"] == [
        "io client disconnect", "io client disconnect"]


def test_plain_output_and_help(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url,
                        input="help\nhelp call\nstatus\nlog 3\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "call [--timeout S] EVENT [ARG...]" in out
    assert "usage: call [--timeout S] EVENT [ARG...]" in out
    assert "namespaces" in out and "socket.id" in out
    assert "last 1 lifecycle records" in out


def test_a_stop_says_where_and_that_the_rest_was_not_run(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json",
                        input="# setup\nemit one\n\nbogus\nemit two\n")
    assert result.returncode == 2
    assert "stopped at line 4 (exit 2): the commands after it were not run" in result.stderr


def test_listen_filters_piped_commands_instead_of_ignoring_them(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json", "-l", "tick",
                        "--count", "3", input="emit ignored\nemit burst 5\n")
    assert result.returncode == 0, result.stderr
    found = json_lines(result.stdout)
    assert [r["event"] for r in found if r["type"] == "emit"] == ["ignored", "burst"]
    assert len([r for r in found if r["type"] == "event" and r["event"] == "tick"]) >= 3


def test_listen_with_a_bad_piped_command_reports_it(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "-l", "none",
                        input="bogus\nemit x\n")
    assert result.returncode == 2
    assert "unknown command 'bogus'" in result.stdout


def test_exit_4_says_what_was_lost(sio_server, tmp_path):
    result = run_siocli(tmp_path, "connect", sio_server.url, "--json", "--wait", "1",
                        input="emit kick\n")
    assert result.returncode == 4, result.stderr
    assert "exit 4: / lost its connection at" in result.stderr
    assert "(io server disconnect)" in result.stderr
