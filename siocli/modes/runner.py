"""How every mode runs: the event loop, the output layer, the signals, and the frame of
a connected run. The only place that installs signal handlers."""

import asyncio
import contextlib
import os
import signal
import sys

from siocli.status import ExitStatus

# SIGHUP (the terminal went away) ends a run as SIGTERM does: with a clean disconnect.
HANDLED_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


class Signals:
    """SIGINT, SIGTERM and SIGHUP for the whole run. By default each cancels the mode
    (exit 130 after its clean disconnect); a mode may handle one itself for a while."""

    def __init__(self, on_default):
        self._on_default = on_default
        self._handlers = {signum: [] for signum in HANDLED_SIGNALS}
        self._loop = None

    def install(self):
        self._loop = asyncio.get_running_loop()
        for signum in HANDLED_SIGNALS:
            try:
                self._loop.add_signal_handler(signum, self._dispatch, signum)
            except (NotImplementedError, RuntimeError, ValueError):
                pass

    def remove(self):
        for signum in HANDLED_SIGNALS:
            try:
                self._loop.remove_signal_handler(signum)
            except (NotImplementedError, RuntimeError, ValueError, AttributeError):
                pass

    @contextlib.contextmanager
    def handling(self, signum, handler):
        """While inside, ``handler()`` answers ``signum`` instead of the default."""
        self._handlers[signum].append(handler)
        try:
            yield
        finally:
            self._handlers[signum].remove(handler)

    def _dispatch(self, signum):
        handlers = self._handlers[signum]
        if handlers:
            handlers[-1]()
        else:
            self._on_default(signum)


def run_mode(env, make_coroutine):
    """Run ``make_coroutine(output, signals)`` with the output layer open; an exit status."""
    from siocli.output.writer import Output

    try:
        output = Output(env)
    except OSError as exc:
        env.error("--record: cannot open %s: %s" % (exc.filename, exc.strerror))
        return ExitStatus.USAGE_ERROR
    try:
        return asyncio.run(_interruptible(make_coroutine, output, env.interactive))
    except KeyboardInterrupt:
        return ExitStatus.INTERRUPTED
    finally:
        output.close()
        if output.failure is not None:
            _quiet_stdout()


def _quiet_stdout():
    """stdout is gone or broken: let nothing more (Python's own flush at exit) fail on it."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):
        pass


async def _interruptible(make_coroutine, output, interactive=False):
    ended = []  # why the run was cancelled: a signal number, or an OutputFailure
    task = None

    def interrupt(why):
        ended.append(why)
        task.cancel()

    signals = Signals(interrupt)
    task = asyncio.ensure_future(make_coroutine(output, signals))
    signals.install()

    def output_failed(failure):
        # a REPL goes on when its record file fails (the error line says so)
        if not task.done() and not (interactive and failure.where != "stdout"):
            interrupt(failure)

    output.on_failure(output_failed)
    try:
        status = await task
    except asyncio.CancelledError:
        if not ended:
            raise
        status = ExitStatus.INTERRUPTED
    finally:
        signals.remove()
        # python-socketio's tasks left behind by a closed connection (a long-poll that
        # was still waiting, say) end while the loop shuts down: nothing to tell anyone.
        asyncio.get_running_loop().set_exception_handler(lambda loop, context: None)
    # stdout or the record file failing decides the status: 0 when the reader of stdout
    # went away (`| head -1`), 2 when a write failed
    failure = output.failure
    if failure is not None and (failure.where == "stdout" or not interactive):
        return failure.status
    return status


class LossTracker:
    """Whether the connection was lost (a disconnect that is not the user's nor the
    run's own final one) and not recovered since: exit 4 at the end of a run."""

    def __init__(self):
        self.lost = None  # the disconnect record that lost the connection
        self.finishing = False

    def __call__(self, record):
        kind = record["type"]
        if kind == "disconnect" and record["reason"] != "io client disconnect" \
                and not self.finishing:
            self.lost = self.lost or record
        elif kind == "connect":
            self.lost = None

    def explanation(self):
        record = self.lost
        return ("exit 4: %s lost its connection at %s (%s) and it was not back before the "
                "run ended" % (record["namespace"], record["ts"][11:23], record["reason"]))


async def run_connected(session, body, env=None):
    """The frame of a scripted or piped run: connect (retrying until --connect-timeout),
    run ``body()``, then the run's own disconnect. A connection lost and not recovered
    by the end turns success into exit 4, said on stderr."""
    tracker = LossTracker()
    session.add_listener(tracker)
    try:
        if not await session.connect(give_up_after=session.settings.connect_timeout):
            return ExitStatus.CONNECT_FAILED
        status = await body()
        tracker.finishing = True
        if status == ExitStatus.SUCCESS and tracker.lost:
            status = ExitStatus.CONNECTION_LOST
            if env is not None:
                env.warning(tracker.explanation())
        return status
    finally:
        tracker.finishing = True
        await session.close()
