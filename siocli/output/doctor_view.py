"""How `siocli doctor` shows itself: one row per step (step, result, the value measured)
and, under a failed step, its fix.

- rich: each row as its step ends (the first two columns have fixed widths, so the
  rows line up while the probe runs), coloured by result; then the verdict;
- plain: the table once every step is done, then the verdict;
- json: one `doctor` record per step, as each ends.

Values and fixes may quote what the server sent: the output layer makes them safe.
"""

from siocli.output.safe_text import visible_within
from siocli.output.sinks import write_while_read
from siocli.output.tables import TableData

STEP_WIDTH = 17
RESULT_WIDTH = 9
CELL_LIMIT = 400
RESULT_STYLES = {"pass": "bold green", "fail": "bold red", "skipped": "dim"}
RESULT_MARKS = {"pass": "pass", "fail": "FAIL", "skipped": "skipped"}


def verdict(results):
    """The last line: how many steps passed, failed and were skipped."""
    counts = {status: sum(1 for record in results if record["status"] == status)
              for status in ("pass", "fail", "skipped")}
    text = "%d passed, %d failed, %d skipped" % (counts["pass"], counts["fail"],
                                                 counts["skipped"])
    if counts["fail"]:
        first = next(record for record in results if record["status"] == "fail")
        return text + ": the first failure is the one to fix (%s)" % first["label"]
    return text + ": the server looks healthy from here"


def table_of(title, results):
    """The plain table: a row per step, a `fix:` row under each failure."""
    rows = []
    for record in results:
        rows.append((record["label"], RESULT_MARKS[record["status"]], record["value"]))
        if record["status"] == "fail" and record.get("fix"):
            rows.append(("", "", "fix: " + record["fix"]))
    return TableData(title, ("step", "result", "value"), rows)


class DoctorView:
    """``start(url)``, ``step(record)`` as each step ends, ``finish()``."""

    def __init__(self, output):
        self.output = output
        self.format = output.format
        self.color = output.env.color
        self.title = ""
        self.results = []
        self._probing = False  # a "step …" line is on the terminal, without its newline

    def start(self, url):
        self.title = "siocli doctor: %s" % url
        if self.format == "rich":
            from rich.text import Text

            self._print(Text(visible_within(self.title, CELL_LIMIT), style="bold"),
                        self._row_text("step", "result", "value", header=True))

    def starting(self, label):
        """On a terminal, say which step runs (the row that ends it takes its place)."""
        if self.format == "rich" and self.output.env.stdout_isatty:
            self._write("%s%s" % (label.ljust(STEP_WIDTH), "\u2026"))
            self._probing = True

    def step(self, record, label):
        if self._probing:
            self._write("\r\x1b[K")
            self._probing = False
        shown = dict(record, label=label)
        self.results.append(shown)
        if self.format == "json":
            self.output.emit(record)
        elif self.format == "rich":
            lines = [self._row_text(label, record["status"], record["value"])]
            if record["status"] == "fail" and record.get("fix"):
                lines.append(self._row_text("", "", "fix: " + record["fix"], fix=True))
            self._print(*lines)

    def finish(self):
        if not self.results:
            return
        text = verdict(self.results)
        if self.format == "plain":
            self.output.table(table_of(self.title, self.results))
            self.output.notice(text, style="")
        elif self.format == "rich":
            from rich.text import Text

            failed = any(record["status"] == "fail" for record in self.results)
            self._print(Text(text, style="bold red" if failed else "bold green"))

    # -- rich ------------------------------------------------------------------------

    def _row_text(self, label, status, value, header=False, fix=False):
        """One row: fixed widths for step and result, the value wrapped in its column."""
        from rich.table import Table
        from rich.text import Text

        table = Table(box=None, show_header=False, padding=0, expand=False)
        table.add_column(width=STEP_WIDTH, no_wrap=True)
        table.add_column(width=RESULT_WIDTH, no_wrap=True)
        table.add_column(overflow="fold")
        if header:
            table.add_row(Text(label, "bold"), Text(status, "bold"), Text(value, "bold"))
            return table
        table.add_row(Text(visible_within(label, STEP_WIDTH - 1)),
                      Text(RESULT_MARKS.get(status, status), RESULT_STYLES.get(status, "")),
                      Text(visible_within(value, CELL_LIMIT), "yellow" if fix else ""))
        return table

    def _print(self, *texts):
        import io
        import shutil

        from rich.console import Console

        self.output.flush()
        width = shutil.get_terminal_size((100, 24)).columns if self.output.env.stdout_isatty \
            else 100
        console = Console(file=io.StringIO(), force_terminal=self.color, no_color=not self.color,
                          width=width, highlight=False, markup=False, emoji=False)
        with console.capture() as capture:
            for text in texts:
                console.print(text)
        self._write(capture.get())

    def _write(self, text):
        write_while_read(self.output.stream_getter(), text)
