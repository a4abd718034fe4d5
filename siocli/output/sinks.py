"""Where the output goes — stdout (or the REPL's patched stdout) and the record file —
and what becomes of a run when writing there fails.

A failure is reported once per place as an :class:`OutputFailure`; the place then takes
no more writes. Nothing here raises an OSError to the caller: the output layer is called
from python-socketio's handlers, which must never see one.
"""

import dataclasses
import errno
import os
import select
import stat

from siocli.output.safe_text import encodable
from siocli.status import ExitStatus

READER_GONE_ERRNOS = frozenset({errno.EPIPE, errno.ECONNRESET})


@dataclasses.dataclass(frozen=True)
class OutputFailure:
    """Writing to ``where`` ("stdout", or the record file's path) stopped for ``reason``.

    ``status`` is the exit status the run should end with: 0 when the reader of stdout
    went away (``| head -1``: stop quietly), 2 when a write failed (a full disk, a
    closed descriptor).
    """

    where: str
    reason: str
    status: int

    @property
    def reader_gone(self):
        return self.status == ExitStatus.SUCCESS


def failure_of(where, error, reader_may_leave=False):
    """The OutputFailure of ``error``; a reader that went away is a quiet end only for
    stdout (a record file's reader, a FIFO's, leaving loses records)."""
    if isinstance(error, OSError) and error.errno in READER_GONE_ERRNOS and reader_may_leave:
        return OutputFailure(where, "the reader went away", ExitStatus.SUCCESS)
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return OutputFailure(where, reason, ExitStatus.USAGE_ERROR)


class Screen:
    """Writes to the current stdout; after a failure, writes nothing more."""

    def __init__(self, stream_getter, on_failure):
        self._stream = stream_getter
        self._on_failure = on_failure
        self.failure = None

    def write(self, text):
        """Write ``text``. A character the stream's encoding lacks is written as its
        escape; a stream that still refuses the text raises (never an OSError)."""
        if self.failure is not None or not text:
            return
        stream = self._stream()
        try:
            try:
                stream.write(text)
            except UnicodeEncodeError:
                stream.write(encodable(text, getattr(stream, "encoding", None) or "ascii"))
        except UnicodeError:
            raise
        except (OSError, ValueError) as error:  # ValueError: the stream was closed
            self._failed(error)

    def flush(self):
        if self.failure is not None:
            return
        try:
            self._stream().flush()
        except (OSError, ValueError) as error:
            self._failed(error)
        except Exception:
            pass  # a stream without a working flush(): what it took is all it gets

    def _failed(self, error):
        self.failure = failure_of("stdout", error, reader_may_leave=True)
        self._on_failure(self.failure)

    def watch_reader(self, loop):
        """When stdout is a pipe, notice its reader going away at once rather than at
        the next write (``| head -1`` while the server is quiet): the pipe's write end
        reports an error event then. Returns a function that stops watching."""
        try:
            descriptor = self._stream().fileno()
            if not stat.S_ISFIFO(os.fstat(descriptor).st_mode):
                return lambda: None
            loop.add_reader(descriptor, self._check_reader, loop, descriptor)
        except (AttributeError, OSError, ValueError, NotImplementedError, RuntimeError):
            return lambda: None
        return lambda: _stop_watching(loop, descriptor)

    def _check_reader(self, loop, descriptor):
        # a pipe's write end is never readable: being called means an error or a hang-up
        _stop_watching(loop, descriptor)
        poller = select.poll()
        poller.register(descriptor, 0)
        if self.failure is None and poller.poll(0):
            self._failed(BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE)))


def _stop_watching(loop, descriptor):
    try:
        loop.remove_reader(descriptor)
    except (OSError, ValueError, RuntimeError):
        pass


def write_while_read(stream, text):
    """Write and flush ``text``; a reader that went away is not an error here (the exit
    status of the command says how it went)."""
    try:
        stream.write(text)
        stream.flush()
    except (OSError, ValueError):
        pass


class RecordFile:
    """The record file: opened owner-only for appending, one write per record line."""

    def __init__(self, path):
        self.path = str(path)
        # records may carry what the server sent and the auth it was given: owner only
        self._descriptor = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def write(self, line):
        """Append ``line``; on a failure, close the file and return the OutputFailure."""
        data = memoryview(line.encode("utf-8", "backslashreplace"))
        try:
            while data:
                data = data[os.write(self._descriptor, data):]
        except OSError as error:
            self.close()
            return failure_of(self.path, error)
        return None

    def close(self):
        if self._descriptor is not None:
            try:
                os.close(self._descriptor)
            except OSError:
                pass
            self._descriptor = None
