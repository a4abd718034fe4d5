"""The writer: where every record and message of a run goes (stdout, stderr, --record).

json: one record per line, never coalesced, written in batches of bounded size.
plain: one readable line per record. rich: lifecycle records as table rows, events with
highlighted JSON. The screen is paced: events wait in a small backlog and are shown in
slices of at most SLICE_SECONDS, and while a flood lasts the slices take at most
SCREEN_SHARE of the loop's time, so that showing never starves receiving; the oldest
waiting events are then left off the screen and counted. `--json` and `--record` never
drop a record.

Output is called synchronously from python-socketio's handlers and ack callbacks:
nothing it does raises into them. A failure to show a record shows a short error line
instead; a failure to write stdout or the record file is an
:class:`~siocli.output.sinks.OutputFailure`, announced to :meth:`Output.on_failure`.
"""

import asyncio
import sys
import time

from siocli import records
from siocli.output.backlog import COALESCED_TYPES, ScreenBacklog
from siocli.output.cells import clock
from siocli.output.plain import PlainRenderer
from siocli.output.safe_text import encodable, visible, visible_within
from siocli.output.sinks import RecordFile, Screen
from siocli.output.tables import plain_panel_lines, plain_table_lines

SCREEN_BACKLOG = 200  # events kept for the screen while it catches up
FLUSH_INTERVAL = 0.05  # from the first waiting event to the first slice
SLICE_SECONDS = 0.01  # rendering time of one slice of the backlog
# In a flood, the share of the loop's time the screen may take; the rest is for
# receiving (a server's PING waits behind the flood: it must be reached in time).
SCREEN_SHARE = 0.2
JSON_BATCH = 1000  # records written to stdout at once in --json mode...
JSON_BATCH_CHARS = 64 * 1024  # ...or fewer, when they reach this size (a pipe's buffer)


class Output:
    def __init__(self, env, stream=None):
        self.env = env
        self.format = env.output_format
        self._stream = stream
        self._record_file = None
        self.failure = None
        self._failure_listeners = []
        self._screen = Screen(self.stream_getter, self._stdout_failed)
        if env.record_path:
            self.open_record(env.record_path)
        if self.format == "rich":
            from siocli.output.rich_renderer import RichRenderer

            self.renderer = RichRenderer(env.color, env.stdout_isatty,
                                         env.stdout or sys.__stdout__)
        else:
            self.renderer = PlainRenderer()
        self._backlog = ScreenBacklog(SCREEN_BACKLOG)
        self._json_lines = []
        self._json_size = 0
        self._flush_handle = None
        self._stop_watching = None  # set once the reader of a piped stdout is watched
        self.show = lambda record: True  # the mode's display filter

    def stream_getter(self):
        return self._stream or self.env.stdout or sys.stdout

    def use_stream(self, stream):
        """Write to ``stream`` from now on (the REPL's patched stdout); returns the old one."""
        previous, self._stream = self._stream, stream
        return previous

    # -- failures ------------------------------------------------------------------

    def on_failure(self, callback):
        """Call ``callback(failure)`` (an OutputFailure) when writing stdout or the record
        file fails: at most once per place, soon after (never inside the handler that
        was writing). ``failure.status`` is the exit status the run should end with (0:
        the reader of stdout went away; 2: a write failed); ``self.failure`` holds the one
        that decides it (a failed write outranks a reader gone away)."""
        self._failure_listeners.append(callback)
        if self.failure is not None:
            self._announce(self.failure)

    def _failed(self, failure):
        if self.failure is None or failure.status > self.failure.status:
            self.failure = failure
        self._announce(failure)

    def _announce(self, failure):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            loop = None
        for callback in list(self._failure_listeners):
            if loop is not None:
                loop.call_soon(callback, failure)
            else:
                callback(failure)

    def _watch_stdout(self):
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._stop_watching = self._screen.watch_reader(loop)

    def _stdout_failed(self, failure):
        if self._stop_watching is not None:
            self._stop_watching()
        self._backlog.clear()
        self._json_lines, self._json_size = [], 0
        if not failure.reader_gone:
            self.env.error("cannot write to stdout: %s" % failure.reason)
        self._failed(failure)

    def _record_failed(self, failure):
        self._record_file = None
        message = "cannot write the records to %s: %s; recording stopped" % (
            failure.where, failure.reason)
        if self.format == "json":
            self.env.error(visible(message))
        self.emit(records.error(None, message))
        self._failed(failure)

    # -- records -------------------------------------------------------------------------

    def open_record(self, path):
        self.close_record()
        self._record_file = RecordFile(path)
        return self._record_file.path

    def close_record(self):
        if self._record_file is not None:
            self._record_file.close()
            self._record_file = None

    @property
    def recording(self):
        return self._record_file.path if self._record_file else None

    def emit(self, record):
        """Write one record everywhere it belongs. Never raises; never drops a record
        from the record file or --json."""
        if self._stop_watching is None:
            self._watch_stdout()
        line = None
        if self._record_file is not None:
            line = records.to_json(record)
            failure = self._record_file.write(line + "\n")
            if failure is not None:
                self._record_failed(failure)
        if self._screen.failure is not None or not self._shows(record):
            return
        if self.format == "json":
            self._queue_json(line if line is not None else records.to_json(record))
        elif record["type"] in COALESCED_TYPES:
            self._backlog.add(record)
            self._schedule(FLUSH_INTERVAL)
        else:
            self._show_now(self.renderer.record, record)

    def _shows(self, record):
        try:
            return self.show(record)
        except Exception:
            return True  # a filter that cannot judge a record does not hide it

    # -- messages that are not records -----------------------------------------------

    def notice(self, text, style="dim"):
        """A message for the person at the screen (not a record; not in --json)."""
        if self.format == "json":
            self.flush()
            self._write_stderr(visible_within(text, 4000))
        else:
            self._show_now(self.renderer.notice, text, style)

    def problem(self, message, namespace=None):
        """Bad input or a refused action: an `error` record."""
        self.emit(records.error(namespace, message))

    def table(self, table):
        """Show a :class:`~siocli.output.tables.TableData` (on stderr with --json)."""
        if self.format == "json":
            self.flush()
            self._write_stderr("\n".join(plain_table_lines(table)))
        else:
            self._show_now(self.renderer.table, table)

    def panel(self, panel):
        """Show a :class:`~siocli.output.tables.PanelData` (on stderr with --json)."""
        if self.format == "json":
            self.flush()
            self._write_stderr("\n".join(plain_panel_lines(panel)))
        else:
            self._show_now(self.renderer.panel, panel)

    def _write_stderr(self, text):
        stream = self.env.stderr or sys.stderr
        try:
            stream.write(encodable(text + "\n", getattr(stream, "encoding", None) or "utf-8"))
            stream.flush()
        except Exception:
            pass  # no stderr to say it on

    # -- the screen ------------------------------------------------------------------

    def _rendered(self, render, item, *options):
        """``render(item, *options)``, or a short error line when that fails."""
        try:
            return render(item, *options)
        except Exception as error:
            return self._failure_line(item, error)

    def _failure_line(self, item, error):
        kind = item.get("type") if isinstance(item, dict) else None
        if isinstance(kind, str):
            what = "%s %s record" % ("an" if kind[:1] in "aeiou" else "a", kind)
        else:
            what = "a message"
        stamp = clock(item) if isinstance(item, dict) else records.timestamp()[11:23]
        reason = visible_within("%s: %s" % (type(error).__name__, error), 200)
        return encodable("%s  error  %s could not be shown (%s)%s\n" % (
            stamp, visible_within(what, 60), reason,
            "; --record and --json keep it" if kind else ""), "ascii")

    def _write_screen(self, text):
        try:
            self._screen.write(text)
        except Exception as error:  # a stream that cannot take this text at all
            try:
                self._screen.write(self._failure_line(None, error))
            except Exception:
                pass
        self._screen.flush()

    def _show_now(self, render, item, *options):
        """Show everything waiting, then ``render(item, *options)`` (rendered after
        them, as they come), in one write: a write to a terminal is a system call, and
        wakes its reader."""
        self._write_json()
        self._render_slice(None, (render, item, *options))

    def _render_slice(self, seconds, then=None):
        """Show the oldest waiting records for about ``seconds`` (all: None), then
        the rendering of ``then`` ((render, item, *options)), in one write."""
        pieces = []
        skipped = self._backlog.take_skipped()
        if skipped:
            pieces.append(self._rendered(self.renderer.skipped, skipped))
        deadline = None if seconds is None else time.perf_counter() + seconds
        while self._backlog:
            pieces.append(self._rendered(self.renderer.record, self._backlog.pop()))
            if deadline is not None and time.perf_counter() >= deadline:
                break
        if then is not None:
            pieces.append(self._rendered(*then))
        if pieces:
            self._write_screen("".join(pieces))

    # -- pacing --------------------------------------------------------------------

    def _queue_json(self, line):
        self._json_lines.append(line + "\n")
        self._json_size += len(line) + 1
        if len(self._json_lines) >= JSON_BATCH or self._json_size >= JSON_BATCH_CHARS:
            self._write_json()
        else:
            self._schedule(FLUSH_INTERVAL)

    def _write_json(self):
        if self._json_lines:
            text = "".join(self._json_lines)
            self._json_lines, self._json_size = [], 0
            self._write_screen(text)

    def _schedule(self, delay):
        if self._flush_handle is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            self.flush()
            return
        self._flush_handle = loop.call_later(delay, self._timed_flush)

    def _timed_flush(self):
        self._flush_handle = None
        self._write_json()
        started = time.perf_counter()
        self._render_slice(SLICE_SECONDS)
        if self._backlog:
            spent = time.perf_counter() - started
            self._schedule(spent * (1 - SCREEN_SHARE) / SCREEN_SHARE)

    def flush(self):
        """Write everything waiting (the whole screen backlog: at most SCREEN_BACKLOG)."""
        self._write_json()
        self._render_slice(None)

    def close(self):
        if self._flush_handle is not None:
            self._flush_handle.cancel()
            self._flush_handle = None
        if self._stop_watching is not None:
            self._stop_watching()
        self.flush()
        self.close_record()
