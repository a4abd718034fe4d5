"""The writer: where every record and message of a run goes (stdout, stderr, --record).

json: one record per line (never coalesced). plain: one readable line per record.
rich: lifecycle records as table rows, events with highlighted JSON. The screen may
coalesce a flood of events; `--json` and `--record` never drop a record.
"""

import asyncio
import collections
import io
import os
import sys

from siocli import records
from siocli.output.plain import PlainRenderer
from siocli.output.tables import plain_panel_lines, plain_table_lines

SCREEN_BACKLOG = 200  # events kept for the screen between two flushes
FLUSH_INTERVAL = 0.05
JSON_BATCH = 1000  # records written to stdout at once in --json mode


class Output:
    def __init__(self, env, stream=None):
        self.env = env
        self.format = env.output_format
        self._stream = stream
        self._record_file = None
        if env.record_path:
            self.open_record(env.record_path)
        if self.format == "rich":
            from siocli.output.rich_renderer import RichRenderer

            self.renderer = RichRenderer(self.stream_getter, env.color, env.stdout_isatty)
        else:
            self.renderer = PlainRenderer(self.stream_getter)
        self._backlog = collections.deque()
        self._json_lines = []
        self._skipped = collections.Counter()
        self._flush_handle = None
        self._loop = None
        self.show = lambda record: True  # the mode's display filter

    def stream_getter(self):
        return self._stream or self.env.stdout or sys.stdout

    def use_stream(self, stream):
        """Write to ``stream`` from now on (the REPL's patched stdout); returns the old one."""
        previous, self._stream = self._stream, stream
        return previous

    # -- records -------------------------------------------------------------------------

    def open_record(self, path):
        self.close_record()
        # records may carry what the server sent and the auth it was given: owner only
        descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        self._record_file = os.fdopen(descriptor, "a", encoding="utf-8")
        return path

    def close_record(self):
        if self._record_file is not None:
            self._record_file.close()
            self._record_file = None

    @property
    def recording(self):
        return self._record_file.name if self._record_file else None

    def emit(self, record):
        """Write one record everywhere it belongs. Never drops a record from files."""
        line = None
        if self._record_file is not None:
            line = records.to_json(record) + "\n"
            self._record_file.write(line)
            self._record_file.flush()
        if not self.show(record):
            return
        if self.format == "json":
            # written in batches: one write per flush, not per record
            self._json_lines.append(line or records.to_json(record) + "\n")
            if len(self._json_lines) >= JSON_BATCH:
                self.flush()
            else:
                self._schedule_flush()
            return
        if record["type"] in ("event", "packet", "emit"):
            self._backlog.append(record)
            if len(self._backlog) > SCREEN_BACKLOG:
                dropped = self._backlog.popleft()
                self._skipped[dropped.get("event") or dropped["type"]] += 1
            self._schedule_flush()
        else:
            self.flush()
            self.renderer.record(record)
            self._flush_stream()

    # -- messages that are not records -----------------------------------------------

    def notice(self, text, style="dim"):
        """A message for the person at the screen (not a record; not in --json)."""
        self.flush()
        if self.format == "json":
            self._write_stderr(text)
        else:
            self.renderer.notice(text, style)
            self._flush_stream()

    def problem(self, message, namespace=None):
        """Bad input or a refused action: an `error` record."""
        self.emit(records.error(namespace, message))

    def table(self, table):
        """Show a :class:`~siocli.output.tables.TableData` (on stderr with --json)."""
        if self.format == "json":
            self._write_stderr("\n".join(plain_table_lines(table)))
            return
        self.flush()
        self.renderer.table(table)
        self._flush_stream()

    def panel(self, panel):
        """Show a :class:`~siocli.output.tables.PanelData` (on stderr with --json)."""
        if self.format == "json":
            self._write_stderr("\n".join(plain_panel_lines(panel)))
            return
        self.flush()
        self.renderer.panel(panel)
        self._flush_stream()


    def _write_stderr(self, text):
        stream = self.env.stderr or sys.stderr
        stream.write(text + "\n")
        stream.flush()

    # -- coalescing ----------------------------------------------------------------

    def _schedule_flush(self):
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_handle = loop.call_later(FLUSH_INTERVAL, self._timed_flush)

    def _timed_flush(self):
        self._flush_handle = None
        self.flush()

    def flush(self):
        if self._json_lines:
            lines, self._json_lines = self._json_lines, []
            self.stream_getter().write("".join(lines))
        if self._skipped:
            self.renderer.skipped(self._skipped)
            self._skipped = collections.Counter()
        while self._backlog:
            self.renderer.record(self._backlog.popleft())
        self._flush_stream()

    def _flush_stream(self):
        try:
            self.stream_getter().flush()
        except (ValueError, OSError, io.UnsupportedOperation):
            pass

    def close(self):
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        self.flush()
        self.close_record()
