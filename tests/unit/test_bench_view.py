"""siocli.output.bench_view: the summary in each format, the histogram's bars, and no
progress display but on a terminal."""

import io
import json
import re

from siocli.environment import Environment
from siocli.output.bench_view import BenchView, bar, histogram_lines, summary_rows
from siocli.output.writer import Output

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")

SUMMARY = {
    "type": "bench", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/", "mode": "call",
    "event": "echo", "transport": "websocket", "concurrency": 8, "number": 100,
    "duration": None, "sent": 100, "completed": 98, "timeouts": 2, "errors": 0,
    "seconds": 0.5, "per_second": 196.0,
    "latency_ms": {"min": 0.5, "mean": 1.2, "p50": 1.0, "p90": 2.0, "p99": 3.0, "max": 4.0},
    "histogram": [{"from_ms": 0.5, "to_ms": 1.0, "count": 40},
                  {"from_ms": 1.0, "to_ms": 2.0, "count": 50},
                  {"from_ms": 2.0, "to_ms": 5.0, "count": 8}],
    "stopped": None,
}


def view_on(fmt, terminal=False, color=False):
    stream = io.StringIO()
    env = Environment(stdout=stream, stderr=io.StringIO(), stdout_isatty=terminal,
                      output=fmt, color=color)
    output = Output(env)
    return BenchView(output, "call", "echo", 100, None, 8), output, stream


def test_json_is_the_summary_record_alone():
    view, output, stream = view_on("json")
    view.start()
    assert not view.live
    view.summary(SUMMARY)
    output.close()
    assert [json.loads(line) for line in stream.getvalue().splitlines()] == [SUMMARY]


def test_plain_is_name_value_lines_without_histogram_or_escapes():
    view, output, stream = view_on("plain")
    view.start()
    assert not view.live
    view.summary(SUMMARY)
    output.close()
    text = stream.getvalue()
    assert "\x1b" not in text
    assert text.splitlines()[0] == "siocli bench: call echo, 100 calls, 8 in flight"
    assert re.search(r"^acknowledged +98$", text, re.M)
    assert re.search(r"^ack timeouts +2$", text, re.M)
    assert re.search(r"^throughput +196 calls/s$", text, re.M)
    assert re.search(r"^latency \(ms\) +min 0\.50 +p50 1\.00 +p90 2\.00 +p99 3\.00 +max 4\.00",
                     text, re.M)
    assert "histogram" not in text and "\u2588" not in text


def test_rich_off_a_terminal_has_the_histogram_but_no_progress():
    view, output, stream = view_on("rich", terminal=False)
    view.start()
    assert not view.live
    view.summary(SUMMARY)
    output.close()
    text = ANSI.sub("", stream.getvalue())
    assert "latency histogram (ms)" in text
    lines = [line for line in text.splitlines() if " - " in line]
    assert len(lines) == 3
    assert lines[1].rstrip().endswith("\u2588" * 48)  # the largest bucket: the whole bar
    assert "51%" in lines[1]


def test_rich_on_a_terminal_shows_progress_and_erases_it():
    view, output, stream = view_on("rich", terminal=True, color=True)
    view.start()
    assert view.live
    view.advance(50, 0.25)
    view.stop()
    assert not view.live
    shown = stream.getvalue()
    assert "call echo" in shown and "50/100" in ANSI.sub("", shown)
    assert "\x1b[?25l" in shown and "\x1b[?25h" in shown  # cursor hidden, then shown again
    view.summary(SUMMARY)
    output.close()
    assert "\x1b[1;32m" in stream.getvalue()  # the throughput in colour


def test_a_duration_run_counts_up_against_the_clock():
    stream = io.StringIO()
    env = Environment(stdout=stream, stdout_isatty=True, output="rich", color=False)
    view = BenchView(Output(env), "emit", "tick", None, 2.0, 1)
    view.start()
    view.advance(1234, 1.0)
    view.stop()
    assert "1,234" in stream.getvalue()
    assert view.title == "siocli bench: emit tick, emits for 2 s, 1 in flight"


def test_bars_are_drawn_in_eighths():
    assert bar(0, 10, 8) == ""
    assert bar(10, 10, 8) == "\u2588" * 8
    assert bar(1, 80, 8) == "\u258f"  # the smallest count is still seen
    assert bar(5, 10, 8) == "\u2588" * 4


def test_summary_rows_say_what_went_wrong():
    rows = dict(summary_rows(dict(SUMMARY, mode="emit", stopped="connection lost (x)",
                                  latency_ms=None)))
    assert rows["handed over"] == "98" and "ack timeouts" not in rows
    assert rows["stopped"] == "connection lost (x)"
    assert rows["latency (ms)"].startswith("min -")


def test_histogram_lines_fit_a_narrow_screen():
    lines = histogram_lines(SUMMARY["histogram"], 40)
    assert all(len(line.plain) <= 40 for line in lines)


def test_an_event_name_with_controls_is_shown_escaped():
    stream = io.StringIO()
    env = Environment(stdout=stream, output="plain")
    view = BenchView(Output(env), "call", "e\x1b[2Jx", 1, None, 1)
    assert "\x1b" not in view.title and "\\u001b" in view.title
