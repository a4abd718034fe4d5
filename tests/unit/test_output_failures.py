"""A failure while showing never reaches the caller (python-socketio's handlers and ack
callbacks) and never loses a record; a broken stdout or record file ends in one clear
way, announced through Output.on_failure."""

import asyncio
import errno
import io
import json
import os

import pytest

from siocli import records
from siocli.environment import Environment
from siocli.output.writer import Output


def make_output(stdout, output_format="plain", record_path=None):
    stderr = io.StringIO()
    env = Environment(stdout=stdout, stderr=stderr, output=output_format,
                      record_path=str(record_path) if record_path else None)
    return Output(env), stderr


def recorded(path):
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


class FailingStream(io.StringIO):
    """Takes ``good`` writes, then raises ``error`` on every write and flush."""

    def __init__(self, error, good=0):
        super().__init__()
        self.error = error
        self.good = good
        self.attempts = 0

    def write(self, text):
        self.attempts += 1
        if self.good > 0:
            self.good -= 1
            return super().write(text)
        raise self.error

    def flush(self):
        if self.good <= 0:
            raise self.error


@pytest.mark.parametrize("output_format", ["rich", "plain"])
def test_a_record_that_cannot_be_rendered_becomes_an_error_line_and_is_kept(
        tmp_path, output_format):
    stdout = io.StringIO()
    output, _ = make_output(stdout, output_format, tmp_path / "run.jsonl")
    original = output.renderer.record

    def broken(record):
        if record["type"] == "ack":
            raise RuntimeError("cannot draw [this]")
        return original(record)

    output.renderer.record = broken
    output.emit(records.ack("/", "echo", [1], 0.5))
    output.emit(records.error("/", "after"))
    output.close()
    screen = stdout.getvalue()
    assert "error  an ack record could not be shown (RuntimeError: cannot draw [this])" in screen
    assert "--record and --json keep it" in screen and "after" in screen
    assert [r["type"] for r in recorded(tmp_path / "run.jsonl")] == ["ack", "error"]


@pytest.mark.parametrize("output_format", ["rich", "plain"])
def test_a_strict_utf8_stream_gets_lone_surrogates_as_escapes(tmp_path, output_format):
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="utf-8", errors="strict")
    output, _ = make_output(stdout, output_format, tmp_path / "run.jsonl")
    output.emit(records.connect("/", "id\udc00", "websocket", 0))
    output.emit(records.event("/", "\ud83d", ["a\ude00b", {"\udc00": 1}]))
    output.close()
    stdout.flush()
    screen = raw.getvalue().decode("utf-8")  # strict: nothing undecodable was written
    assert "id\\udc00" in screen and "\\ud83d" in screen and '"a\\ude00b"' in screen
    assert [r["type"] for r in recorded(tmp_path / "run.jsonl")] == ["connect", "event"]


@pytest.mark.parametrize("output_format", ["rich", "plain"])
def test_a_narrow_encoding_gets_what_it_cannot_write_as_escapes(output_format):
    raw = io.BytesIO()
    stdout = io.TextIOWrapper(raw, encoding="ascii", errors="strict")
    output, _ = make_output(stdout, output_format)
    output.emit(records.event("/", "h\xe9llo", ["\u4f60\u597d", "a" * 5000]))
    output.close()
    stdout.flush()
    screen = raw.getvalue().decode("ascii")
    assert "h\\u00e9llo" in screen and "\\u4f60\\u597d" in screen and "\\u2026" in screen


def test_a_stream_that_refuses_everything_raises_nothing_and_loses_no_record(tmp_path):
    stdout = FailingStream(RuntimeError("odd stream"))
    output, _ = make_output(stdout, "plain", tmp_path / "run.jsonl")
    for number in range(3):
        output.emit(records.event("/", "tick", [number]))
        output.emit(records.error("/", "e%d" % number))
    output.close()
    assert len(recorded(tmp_path / "run.jsonl")) == 6
    assert output.failure is None  # not an OS failure: the run goes on


def test_a_failing_display_filter_shows_the_record():
    stdout = io.StringIO()
    output, _ = make_output(stdout)
    output.show = lambda record: 1 / 0
    output.emit(records.event("/", 42, [1]))
    output.close()
    assert "42  1" in stdout.getvalue()


def failures_announced(output, emit):
    """Runs ``emit()`` in a loop; the failures announced to on_failure."""
    seen = []

    async def run():
        output.on_failure(seen.append)
        emit()
        await asyncio.sleep(0.1)
        output.close()

    asyncio.run(run())
    return seen


@pytest.mark.parametrize("output_format", ["json", "plain", "rich"])
def test_the_reader_of_stdout_going_away_is_a_quiet_end(tmp_path, output_format):
    stdout = FailingStream(BrokenPipeError(errno.EPIPE, "Broken pipe"), good=1)
    output, stderr = make_output(stdout, output_format, tmp_path / "run.jsonl")

    def emit():
        for number in range(3000):
            output.emit(records.event("/", "tick", [number]))
        output.emit(records.disconnect("/", "io client disconnect", "d", False))

    seen = failures_announced(output, emit)
    assert len(seen) == 1 and seen[0].reader_gone and seen[0].status == 0
    assert output.failure == seen[0] and stderr.getvalue() == ""
    assert stdout.attempts <= 3  # stdout is left alone once its reader is gone
    assert len(recorded(tmp_path / "run.jsonl")) == 3001


@pytest.mark.parametrize("error,reason", [
    (OSError(errno.ENOSPC, "No space left on device"), "No space left on device"),
    (OSError(errno.EBADF, "Bad file descriptor"), "Bad file descriptor"),
    (ValueError("I/O operation on closed file."), "I/O operation on closed file."),
])
def test_a_stdout_that_fails_is_one_line_on_stderr_and_status_2(error, reason):
    stdout = FailingStream(error)
    output, stderr = make_output(stdout, "json")

    def emit():
        for number in range(2500):
            output.emit(records.event("/", "tick", [number]))

    seen = failures_announced(output, emit)
    assert [(f.where, f.reason, f.status) for f in seen] == [("stdout", reason, 2)]
    assert stderr.getvalue() == "siocli: error: cannot write to stdout: %s\n" % reason


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("output_format", ["json", "plain"])
def test_a_record_file_that_fails_stops_recording_with_one_error(output_format):
    stdout = io.StringIO()
    output, stderr = make_output(stdout, output_format, "/dev/full")

    def emit():
        for number in range(3):
            output.emit(records.event("/", "tick", [number]))

    seen = failures_announced(output, emit)
    assert [(f.where, f.status) for f in seen] == [("/dev/full", 2)]
    assert output.recording is None
    message = "cannot write the records to /dev/full: No space left on device; recording stopped"
    assert stdout.getvalue().count(message) == 1
    assert stdout.getvalue().count("tick") == 3
    assert stderr.getvalue() == ("siocli: error: %s\n" % message if output_format == "json"
                                 else "")


def test_a_failure_before_on_failure_is_still_announced():
    output, _ = make_output(FailingStream(BrokenPipeError(errno.EPIPE, "Broken pipe")))
    output.emit(records.error("/", "x"))
    seen = []
    output.on_failure(seen.append)  # outside a loop: at once
    assert len(seen) == 1 and seen[0].reader_gone


def test_recording_names_the_file(tmp_path):
    output, _ = make_output(io.StringIO(), "plain", tmp_path / "run.jsonl")
    assert output.recording == str(tmp_path / "run.jsonl")
    assert oct(os.stat(tmp_path / "run.jsonl").st_mode & 0o777) == "0o600"
    output.close()
    assert output.recording is None


def test_a_pipe_whose_reader_leaves_is_noticed_before_the_next_write(tmp_path):
    read_end, write_end = os.pipe()
    stdout = os.fdopen(write_end, "w")
    output, stderr = make_output(stdout, "json", tmp_path / "run.jsonl")

    async def run():
        gone = asyncio.Event()
        output.on_failure(lambda failure: gone.set())
        output.emit(records.connect("/", "sid", "websocket", 0))
        output.flush()
        os.close(read_end)  # as `head -1` exits: nothing more is written after this
        await asyncio.wait_for(gone.wait(), 10)

    try:
        asyncio.run(run())
    finally:
        output.close()
        try:
            stdout.close()
        except BrokenPipeError:
            pass
    assert output.failure.reader_gone and stderr.getvalue() == ""
