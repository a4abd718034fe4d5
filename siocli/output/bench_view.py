"""How `siocli bench` shows itself: a progress display while it runs, then the summary.

- rich on a terminal: a progress bar (count or time, rate, elapsed), refreshed by the
  mode a few times a second and erased at the end; then the summary table and a
  latency histogram drawn with block characters;
- rich elsewhere (``-o rich`` into a pipe): the summary and the histogram, no progress;
- plain: the summary as ``name  value`` lines, nothing while it runs;
- json: the `bench` record, one line.

The mode hands over numbers and the summary record; nothing here measures.
"""

import io
import shutil

from siocli.output.sinks import write_while_read
from siocli.output.tables import TableData

BAR_WIDTH_MAX = 48
BLOCKS = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589\u2588"  # eighths of a cell, 0 to 8
PERCENTILE_KEYS = ("min", "p50", "p90", "p99", "max", "mean")


def shown(text, limit=80):
    """Text from the command line (the event name) made safe and short for a screen."""
    text = "".join(c if c.isprintable() else "\\u%04x" % ord(c) for c in str(text))
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def number_text(value):
    return f"{value:,}"


def milliseconds(value):
    if value is None:
        return "-"
    if value >= 100:
        return "%.0f" % value
    if value >= 10:
        return "%.1f" % value
    return "%.2f" % value if value >= 0.1 else "%.3f" % value


def bound_text(value):
    return ("%.6f" % value).rstrip("0").rstrip(".")


def bar(count, largest, width):
    """A horizontal bar of ``count`` against ``largest`` in ``width`` cells (eighths)."""
    if not largest or not count:
        return ""
    eighths = max(1, round(count / largest * width * 8))
    return BLOCKS[8] * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def share_text(count, total):
    share = 100 * count / total
    return "<1%" if 0 < share < 0.5 else "%d%%" % round(share)


def title_of(kind, event, number, duration, concurrency):
    size = ("%s %ss" % (number_text(number), kind) if number is not None
            else "%ss for %g s" % (kind, duration))
    return "siocli bench: %s %s, %s, %d in flight" % (kind, shown(event), size, concurrency)


def summary_rows(record):
    """(name, value) rows of the summary, the same on every screen."""
    things = "calls" if record["mode"] == "call" else "emits"
    rows = [("sent", number_text(record["sent"])),
            ("acknowledged" if record["mode"] == "call" else "handed over",
             number_text(record["completed"]))]
    if record["mode"] == "call":
        rows.append(("ack timeouts", number_text(record["timeouts"])))
    rows.append(("cut off", number_text(record["errors"])))
    rows.append(("time", "%.3f s" % record["seconds"]))
    rate = record["per_second"]
    rows.append(("throughput", "%s %s/s" % (number_text(round(rate)) if rate is not None
                                            else "-", things)))
    latency = record["latency_ms"] or {}
    rows.append(("latency (ms)", "  ".join(
        "%s %s" % (key, milliseconds(latency.get(key))) for key in PERCENTILE_KEYS)))
    if record.get("transport"):
        rows.append(("transport", record["transport"]))
    if record.get("stopped"):
        rows.append(("stopped", shown(record["stopped"])))
    return rows


def histogram_lines(buckets, width):
    """One rich Text per bucket: its bounds, its count, its share and its bar."""
    from rich.text import Text

    largest = max(bucket["count"] for bucket in buckets)
    total = sum(bucket["count"] for bucket in buckets) or 1
    lows = [bound_text(bucket["from_ms"]) for bucket in buckets]
    highs = [bound_text(bucket["to_ms"]) for bucket in buckets]
    counts = [number_text(bucket["count"]) for bucket in buckets]
    low_width, high_width = max(map(len, lows)), max(map(len, highs))
    count_width = max(map(len, counts))
    used = low_width + 3 + high_width + 2 + count_width + 2 + 4 + 2
    bar_width = max(8, min(BAR_WIDTH_MAX, width - used - 1))
    return [Text.assemble((low.rjust(low_width), "dim"), (" - ", "dim"),
                          (high.ljust(high_width), "dim"), "  ", count.rjust(count_width), "  ",
                          (share_text(bucket["count"], total).rjust(4), "dim"), "  ",
                          (bar(bucket["count"], largest, bar_width), "cyan"))
            for low, high, count, bucket in zip(lows, highs, counts, buckets, strict=True)]


class BenchView:
    """The bench's screen: ``start()``, ``advance()`` a few times a second, ``stop()``,
    then ``summary(record)``. ``live`` says whether the progress display is up (nothing
    else may write to the screen meanwhile)."""

    def __init__(self, output, kind, event, number, duration, concurrency):
        self.output = output
        self.format = output.format
        self.kind = kind
        self.number = number
        self.duration = duration
        self.title = title_of(kind, event, number, duration, concurrency)
        self.label = "%s %s" % (kind, shown(event, 30))
        env = output.env
        self.color = env.color
        self.terminal = bool(env.stdout_isatty)
        self.live = False
        self._progress = None
        self._task = None
        self._console = None

    # -- while it runs ---------------------------------------------------------------

    def start(self):
        """Show the progress display (rich on a terminal only)."""
        if self.format != "rich" or not self.terminal:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self.output.flush()
        self._console = Console(file=self.output.stream_getter(), force_terminal=True,
                                no_color=not self.color, highlight=False, markup=False,
                                emoji=False)
        total = self.number if self.number is not None else self.duration
        self._progress = Progress(
            TextColumn("{task.description}", markup=False),
            BarColumn(bar_width=None if self._console.width < 100 else 40),
            TextColumn("{task.fields[done]}", markup=False),
            TextColumn("{task.fields[rate]}", markup=False, style="cyan"),
            TimeElapsedColumn(),
            console=self._console, auto_refresh=False, transient=True,
            redirect_stdout=False, redirect_stderr=False)
        self._task = self._progress.add_task(self.label, total=total, done="", rate="")
        try:
            self._progress.start()
            self._progress.refresh()
            self.live = True
        except (OSError, ValueError):
            self._progress = None

    def advance(self, done, elapsed):
        """Refresh the progress display: ``done`` emits or calls over, ``elapsed`` s."""
        if not self.live:
            return
        completed = done if self.number is not None else min(elapsed, self.duration)
        counted = (number_text(done) if self.number is None
                   else "%s/%s" % (number_text(done), number_text(self.number)))
        rate = "%s/s" % number_text(round(done / elapsed)) if elapsed > 0 else ""
        try:
            self._progress.update(self._task, completed=completed, done=counted, rate=rate)
            self._progress.refresh()
        except (OSError, ValueError):
            self.live = False

    def stop(self):
        """Erase the progress display."""
        if self._progress is None:
            return
        self.live = False
        try:
            self._progress.stop()
        except (OSError, ValueError):
            pass
        self._progress = None

    # -- the summary -----------------------------------------------------------------

    def summary(self, record):
        if self.format == "json":
            self.output.emit(record)
        elif self.format == "rich":
            self.output.flush()
            self._write(self.rich_summary(record))
        else:
            self.output.table(TableData(self.title, ("", ""), summary_rows(record)))

    def rich_summary(self, record, width=None):
        """The summary and the histogram, rendered (ANSI text unless colours are off)."""
        from rich.console import Console
        from rich.text import Text

        if width is None:
            width = shutil.get_terminal_size((100, 24)).columns if self.terminal else 100
        console = Console(file=io.StringIO(), force_terminal=self.color, no_color=not self.color,
                          width=width, highlight=False, markup=False, emoji=False)
        lines = [Text(self.title, style="bold")]
        rows = summary_rows(record)
        name_width = max(len(name) for name, _ in rows)
        for name, value in rows:
            style = ""
            if name == "throughput":
                style = "bold green"
            elif name in ("ack timeouts", "cut off", "stopped") and value != "0":
                style = "bold red"
            lines.append(Text.assemble((name.ljust(name_width), "dim"), "  ", (value, style)))
        if record["histogram"]:
            lines += [Text(""), Text("latency histogram (ms)", style="bold")]
            lines += histogram_lines(record["histogram"], width)
        with console.capture() as capture:
            for line in lines:
                console.print(line, soft_wrap=True)
        return capture.get()

    def _write(self, text):
        write_while_read(self.output.stream_getter(), text)
