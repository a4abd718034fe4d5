"""Showing never blocks receiving: the screen renders in slices of bounded time, a flood
is coalesced into a count, lifecycle records and notices are never coalesced away and
keep their place, and --json writes every record in batches of bounded size.

Rendering time is a fake clock advanced by a stub renderer, so nothing here depends on
how fast the machine is."""

import asyncio
import io
import json
import math
import re

import pytest

from siocli import records
from siocli.environment import Environment
from siocli.output import writer
from siocli.output.cells import skipped_text
from siocli.output.writer import Output

# fake seconds per record: a power of two, so the fake clock's sums are exact and where
# a slice ends never depends on where the clock started
RENDER_COST = 1 / 1024


class FakeClock:
    def __init__(self):
        self.now = 0.0

    def perf_counter(self):
        return self.now


class WriteLog(io.StringIO):
    """Keeps every write apart."""

    def __init__(self):
        super().__init__()
        self.writes = []

    def write(self, text):
        self.writes.append(text)
        return super().write(text)


class CostlyRenderer:
    """A line per record, each costing RENDER_COST on the fake clock."""

    def __init__(self, clock):
        self.clock = clock

    def record(self, record):
        self.clock.now += RENDER_COST
        if record["type"] == "event":
            return "event %s\n" % record["args"][0]
        return "%s\n" % record["type"]

    def notice(self, text, style=None):
        return "notice %s\n" % text

    def skipped(self, counts):
        return "skipped %d\n" % sum(counts.values())


@pytest.fixture
def paced(monkeypatch):
    clock = FakeClock()
    monkeypatch.setattr(writer, "time", clock)
    stdout = WriteLog()
    output = Output(Environment(stdout=stdout, stderr=io.StringIO(), output="plain"))
    output.renderer = CostlyRenderer(clock)
    return output, stdout


def ticks(count, start=0):
    return [records.event("/", "tick", [number]) for number in range(start, start + count)]


def shown_lines(stdout):
    return stdout.getvalue().splitlines()


def test_a_slice_renders_for_its_time_then_gives_the_loop_back(paced):
    output, stdout = paced

    async def run():
        for record in ticks(writer.SCREEN_BACKLOG):
            output.emit(record)
        assert stdout.writes == []  # nothing is rendered inside the handler
        await asyncio.sleep(writer.FLUSH_INTERVAL + 0.1)
        sliced.extend(stdout.writes)
        output.close()  # the rest at once, as at the end of a run

    sliced = []
    asyncio.run(run())
    per_slice = math.ceil(writer.SLICE_SECONDS / RENDER_COST)
    assert sliced and all(write.count("\n") == per_slice for write in sliced)
    assert shown_lines(stdout) == ["event %d" % n for n in range(writer.SCREEN_BACKLOG)]


def test_in_a_flood_the_screen_takes_its_share_of_the_loop_and_no_more(paced):
    output, stdout = paced
    delays = []

    async def run():
        loop = asyncio.get_running_loop()
        call_later = loop.call_later

        def spy(delay, callback, *args):
            if getattr(callback, "__self__", None) is output:
                delays.append(delay)
            return call_later(delay, callback, *args)

        loop.call_later = spy
        for record in ticks(writer.SCREEN_BACKLOG):
            output.emit(record)
        await asyncio.sleep(writer.FLUSH_INTERVAL + 0.2)
        output.close()

    asyncio.run(run())
    share = writer.SCREEN_SHARE
    slice_took = math.ceil(writer.SLICE_SECONDS / RENDER_COST) * RENDER_COST
    between_slices = slice_took * (1 - share) / share
    assert delays[0] == writer.FLUSH_INTERVAL and len(delays) >= 3
    assert all(delay == pytest.approx(between_slices) for delay in delays[1:])


def test_a_flood_leaves_the_oldest_off_the_screen_but_not_off_the_record(paced, tmp_path):
    output, stdout = paced
    output.open_record(tmp_path / "run.jsonl")

    async def run():
        for record in ticks(1000):
            output.emit(record)
        output.close()

    asyncio.run(run())
    kept = 1000 - writer.SCREEN_BACKLOG
    assert shown_lines(stdout) == ["skipped %d" % kept] + [
        "event %d" % n for n in range(kept, 1000)]
    lines = (tmp_path / "run.jsonl").read_text().splitlines()
    assert [json.loads(line)["args"] for line in lines] == [[n] for n in range(1000)]


def test_lifecycle_records_and_notices_are_never_coalesced_and_keep_their_place(paced):
    output, stdout = paced

    async def run():
        for record in ticks(300):
            output.emit(record)
        output.emit(records.disconnect("/", "transport close", "d", True))
        for record in ticks(300, start=300):
            output.emit(record)
        output.notice("hello")
        for record in ticks(5, start=600):
            output.emit(record)
        output.close()

    asyncio.run(run())
    lines = shown_lines(stdout)
    assert lines.index("disconnect") == 1 + writer.SCREEN_BACKLOG
    assert lines.index("notice hello") == lines.index("disconnect") + 2 + writer.SCREEN_BACKLOG
    before = [line for line in lines[:lines.index("disconnect")] if line.startswith("event")]
    assert before == ["event %d" % n for n in range(100, 300)]
    assert lines[-5:] == ["event %d" % n for n in range(600, 605)]


def test_the_coalesced_count_says_where_every_record_is_kept():
    import collections

    text = skipped_text(collections.Counter({"tick": 1500, "\x1b[2J": 2}))
    assert text == ("... 1,502 more records not shown on screen (tick x1,500, \\u001b[2J x2); "
                    "--record/`record FILE` and --json keep every one")


def test_json_writes_every_record_in_batches_of_bounded_size():
    stdout = WriteLog()
    output = Output(Environment(stdout=stdout, stderr=io.StringIO(), output="json"))
    payload = "x" * 1000

    async def run():
        for number in range(5000):
            output.emit(records.event("/", "tick", [number, payload]))
        output.emit(records.event("/", "large", ["y" * 5_000_000]))
        output.close()

    asyncio.run(run())
    largest_line = 5_000_100
    ordinary = [write for write in stdout.writes if len(write) < largest_line]
    assert max(len(write) for write in ordinary) <= writer.JSON_BATCH_CHARS + 1100
    assert all(write.count("\n") <= writer.JSON_BATCH for write in stdout.writes)
    found = [json.loads(line) for line in stdout.getvalue().splitlines()]
    assert [r["args"][0] for r in found[:-1]] == list(range(5000))
    assert len(found[-1]["args"][0]) == 5_000_000


def test_rich_rendering_of_a_flood_stays_in_slices(monkeypatch):
    """The real rich renderer under the fake clock: the slice limit holds for it too."""
    clock = FakeClock()
    monkeypatch.setattr(writer, "time", clock)
    stdout = WriteLog()
    output = Output(Environment(stdout=stdout, stderr=io.StringIO(), output="rich",
                                color=True, stdout_isatty=True))
    render = output.renderer.record

    def costly(record):
        clock.now += RENDER_COST
        return render(record)

    monkeypatch.setattr(output.renderer, "record", costly)

    async def run():
        for record in ticks(500):
            output.emit(record)
        await asyncio.sleep(writer.FLUSH_INTERVAL)
        output.close()

    asyncio.run(run())
    first = re.sub(r"\x1b\[[0-9;]*m", "", stdout.writes[0])
    assert first.startswith("... 300 more records not shown on screen (tick x300)")
    # the notice wraps at the console's width; the records are one line each
    shown = [line for line in first.splitlines() if "<- / tick" in line]
    assert len(shown) == math.ceil(writer.SLICE_SECONDS / RENDER_COST)


def test_what_waits_and_a_record_shown_at_once_go_out_in_one_write_in_order(paced):
    output, stdout = paced
    rendered = []
    record = output.renderer.record

    def logged(item):
        rendered.append(item["type"])
        return record(item)

    output.renderer.record = logged

    async def run():
        for tick in ticks(3):
            output.emit(tick)
        output.emit(records.ack("/", "echo", [1], 1.0))
        output.close()

    asyncio.run(run())
    assert stdout.writes[0] == "event 0\nevent 1\nevent 2\nack\n"
    assert rendered == ["event", "event", "event", "ack"]
