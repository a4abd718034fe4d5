"""`siocli bench` as a real process against real servers (siocli's own `serve`, the
python-socketio test server, the Node server): the summary record's shape and counts,
-n, --duration, -c, timeouts, a lost connection, Ctrl-C, bad input, and the progress
display and histogram on a terminal but not on a pipe. Nothing here is timed: the speed
is measured by benchmarks/run.py, whose smoke test is the last test here.
"""

import signal
import subprocess
import sys
import time

import pexpect
import pytest

from node_peer import require_node, start_node_server
from siocli_run import (
    ROOT,
    ServeProcess,
    heavy_imports,
    json_lines,
    run_siocli,
    spawn_siocli,
    start_siocli,
)

SUMMARY_FIELDS = ["type", "ts", "namespace", "mode", "event", "transport", "concurrency",
                  "number", "duration", "sent", "completed", "timeouts", "errors", "seconds",
                  "per_second", "latency_ms", "histogram", "stopped"]


@pytest.fixture
def serve(tmp_path):
    server = ServeProcess(tmp_path, "-n", "/chat")
    yield server
    server.stop()


def summary_of(result):
    found = json_lines(result.stdout)
    assert len(found) == 1, result.stdout  # --json: the summary record alone
    assert list(found[0]) == SUMMARY_FIELDS
    return found[0]


def arrived(events, count, timeout=10):
    """``events()`` once it holds ``count`` or more (or the timeout passed)."""
    deadline = time.monotonic() + timeout
    found = events()
    while len(found) < count and time.monotonic() < deadline:
        time.sleep(0.05)
        found = events()
    return found


def served_events(server, count):
    return arrived(lambda: [r for r in list(server.records) if r["type"] == "event"], count)


def test_calls_give_one_summary_record_with_every_ack_counted(serve, tmp_path):
    result = run_siocli(tmp_path, "bench", serve.url + "/chat", "--call", 'echo {"a": 1} 2',
                        "-n", "30", "-c", "4", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    summary = summary_of(result)
    assert summary["type"] == "bench" and summary["namespace"] == "/chat"
    assert (summary["mode"], summary["event"]) == ("call", "echo")
    assert (summary["number"], summary["duration"], summary["concurrency"]) == (30, None, 4)
    assert (summary["sent"], summary["completed"], summary["timeouts"],
            summary["errors"]) == (30, 30, 0, 0)
    assert summary["stopped"] is None and summary["transport"] in ("websocket", "polling")
    assert summary["seconds"] > 0 and summary["per_second"] > 0
    latency = summary["latency_ms"]
    assert list(latency) == ["min", "mean", "p50", "p90", "p99", "max"]
    assert latency["min"] <= latency["p50"] <= latency["p90"] <= latency["p99"] <= latency["max"]
    assert sum(bucket["count"] for bucket in summary["histogram"]) == 30
    events = served_events(serve, 30)
    assert len(events) == 30
    assert all(e["event"] == "echo" and e["args"] == [{"a": 1}, 2] and e["ack"] for e in events)


def test_emits_reach_the_server(serve, tmp_path):
    result = run_siocli(tmp_path, "bench", serve.url, "--emit", "chat hi", "-n", "20", "-c",
                        "3", "--json")
    assert result.returncode == 0, result.stderr
    summary = summary_of(result)
    assert (summary["mode"], summary["sent"], summary["completed"]) == ("emit", 20, 20)
    assert summary["timeouts"] == 0
    events = served_events(serve, 20)
    assert [(e["event"], e["args"], e["ack"]) for e in events] == [("chat", ["hi"], False)] * 20


def test_duration_sends_until_it_has_passed(serve, tmp_path):
    result = run_siocli(tmp_path, "bench", serve.url, "--call", "echo", "--duration", "0.3",
                        "--json")
    assert result.returncode == 0, result.stderr
    summary = summary_of(result)
    assert (summary["number"], summary["duration"]) == (None, 0.3)
    assert summary["sent"] >= 1 and summary["completed"] == summary["sent"]
    assert summary["seconds"] >= 0.3


def test_concurrent_calls_on_the_node_servers_echo(tmp_path):
    require_node()
    with start_node_server() as server:
        result = run_siocli(tmp_path, "bench", server.url, "--call", 'echo {"i": 1}', "-n",
                            "300", "-c", "16", "-t", "websocket", "--json")
        assert result.returncode == 0, result.stderr
        summary = summary_of(result)
        assert (summary["sent"], summary["completed"], summary["concurrency"]) == (300, 300, 16)
        assert summary["transport"] == "websocket"
        events = arrived(lambda: server.lines("event"), 300)
        assert len(events) == 300
        assert all(e["event"] == "echo" and e["ack"] and e["args"] == [{"i": 1}]
                   for e in events)


def test_calls_without_an_ack_time_out_exit_3(sio_server, tmp_path):
    result = run_siocli(tmp_path, "bench", sio_server.url, "--call", "nobody-answers", "-n",
                        "3", "-c", "2", "--ack-timeout", "0.3", "--json")
    assert result.returncode == 3, result.stderr
    summary = summary_of(result)
    assert (summary["sent"], summary["completed"], summary["timeouts"]) == (3, 0, 3)
    assert summary["latency_ms"] is None and summary["histogram"] == []


def test_a_lost_connection_ends_the_run_exit_4(sio_server, tmp_path):
    result = run_siocli(tmp_path, "bench", sio_server.url, "--call", "kick", "--duration",
                        "20", "-c", "2", "--json")
    assert result.returncode == 4, result.stderr
    found = json_lines(result.stdout)
    assert [r["type"] for r in found] == ["disconnect", "bench"]
    assert found[0]["reason"] == "io server disconnect"
    assert found[1]["stopped"] == "connection lost (io server disconnect)"
    assert found[1]["completed"] >= 1


def test_ctrl_c_shows_what_was_done_and_exits_130(serve, tmp_path):
    process = start_siocli(tmp_path, "bench", serve.url, "--call", "echo", "--duration", "60",
                           "--json", stderr=subprocess.PIPE)
    try:
        serve.wait_for("event", timeout=15)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 130, err
    [summary] = json_lines(out)
    assert summary["stopped"] == "interrupted" and summary["completed"] >= 1
    assert summary["sent"] == summary["completed"] + summary["timeouts"] + summary["errors"]
    serve.wait_for("disconnect")  # still a clean goodbye


def test_an_unreachable_server_exits_1(tmp_path):
    result = run_siocli(tmp_path, "bench", "http://127.0.0.1:1", "--call", "echo",
                        "--connect-timeout", "0.5", "--json")
    assert result.returncode == 1
    assert "bench" not in result.stdout
    assert json_lines(result.stdout)[0]["type"] == "connect_error"


@pytest.mark.parametrize("args,message", [
    ([], "give one of --emit or --call"),
    (["--emit", "a", "--call", "b"], "not both"),
    (["--call", "echo", "-n", "5", "--duration", "1"], "-n/--number and --duration"),
    (["--call", "echo", "-n", "0"], "-n/--number must be more than 0"),
    (["--call", "echo", "-c", "0"], "-c/--concurrency must be more than 0"),
    (["--call", "echo", "-c", "many"], "'many' is not a valid integer"),
    (["--call", "echo", "--duration", "-1"], "--duration must be more than 0"),
    (["--call", "connect"], "reserved event name"),
    (["--call", "echo {"], "unterminated JSON value"),
    (["--call", "echo", "-t", "carrier-pigeon"], "'carrier-pigeon' is not one of"),
    (["--call", "echo", "--nope"], "No such option"),
])
def test_bad_input_is_one_line_and_exit_2(sio_server, tmp_path, args, message):
    result = run_siocli(tmp_path, "bench", sio_server.url, *args)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("siocli: error: "), result.stderr
    assert message in lines[0]


def test_on_a_pipe_the_summary_is_plain_lines_without_progress_or_histogram(serve, tmp_path):
    result = run_siocli(tmp_path, "bench", serve.url, "--call", "echo", "-n", "200", "-c", "4")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "\x1b" not in out and "\r" not in out
    assert "siocli bench: call echo, 200 calls, 4 in flight" in out
    assert "acknowledged  200" in out and "throughput" in out and "p99" in out
    assert "histogram" not in out and "\u2501" not in out and "\u2588" not in out


def test_on_a_terminal_a_progress_bar_then_the_histogram(serve, tmp_path):
    child = spawn_siocli(tmp_path, "bench", serve.url, "--call", "echo", "-n", "3000", "-c",
                         "4", dimensions=(30, 100), timeout=60)
    try:
        child.expect_exact("call echo")  # the progress display's label, first
        child.expect_exact("\u2501")  # its bar
        child.expect_exact("siocli bench: call echo, 3,000 calls, 4 in flight")
        child.expect_exact("latency histogram (ms)")
        child.expect_exact("\u2588")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0


def test_the_benchmark_command_runs_with_tiny_sizes():
    require_node()
    result = subprocess.run([sys.executable, "benchmarks/run.py", "--quick"], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    for heading in ("### 20 sequential calls", "### 20 emits, then one call",
                    "### 200 received events", "### start-up", "### 2,000-event flood",
                    "### bench: 200 calls of `echo`", "### targets"):
        assert heading in out, out
    assert "Machine: " in out


def test_bench_help_imports_no_heavy_library(tmp_path):
    result, heavy = heavy_imports(tmp_path, ["bench", "--help"])
    assert "--concurrency" in result.stdout and "--duration" in result.stdout
    assert heavy == [], result.stderr
