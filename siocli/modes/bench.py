"""`siocli bench`: load a server with emits or calls, CONCURRENCY of them in flight at
once, for N of them or for S seconds; then throughput, latency percentiles and a
histogram, or one `bench` record with --json.

The session connects, watches the connection (its records: connect, connect_error, the
JS reason of a disconnect) and disconnects, as in a scripted run. The load itself goes
straight through the session's python-socketio client (its public ``emit``), not
through ``Session.call``/``Session.emit``: those write an `emit` and an `ack` record
per call and wait through ``asyncio.wait_for``, which cost about a fifth more CPU per
call than python-socketio's own ``call`` (docs/benchmarks.md); a bench must not be
slower than the client it is built on.

Calls are pipelined: each of the CONCURRENCY workers sends its next call as soon as the
previous one is acknowledged, and python-socketio matches every ack to its call by the
packet's ack id. A call's latency is from the moment it is handed to the client to the
moment its ack is handled. A call with no ack within --ack-timeout is counted as a
timeout (one sweeper looks for them, instead of a timer per call). An emit has no
answer: it is complete once handed to the connection, and its latency is that
hand-over; after each emit the worker lets the connection's writer run, so that emits
are written as they go rather than all queued first.

The run ends when N are done (or S seconds have passed and the calls in flight are
answered), at Ctrl-C or SIGTERM (the summary of what was done is still shown, exit 130),
or when the connection is lost (exit 4). Calls that time out make the exit status 3.
"""

import array
import asyncio
import bisect
import contextlib
import math
import signal
import time

from siocli import records
from siocli.client.session import Session
from siocli.modes.runner import run_connected
from siocli.status import ExitStatus

PROGRESS_INTERVAL = 0.1  # seconds between two refreshes of the progress display
SWEEP_INTERVAL = 0.1  # seconds between two looks for calls past --ack-timeout
PERCENTILES = (50, 90, 99)
HISTOGRAM_MAX_BUCKETS = 16
# preferred numbers (ISO 3, Renard): bucket bounds per decade, finest first
BOUND_SERIES = (
    (1.0, 1.06, 1.12, 1.18, 1.25, 1.32, 1.4, 1.5, 1.6, 1.7, 1.8, 1.9, 2.0, 2.12, 2.24, 2.36,
     2.5, 2.65, 2.8, 3.0, 3.15, 3.35, 3.55, 3.75, 4.0, 4.25, 4.5, 4.75, 5.0, 5.3, 5.6, 6.0,
     6.3, 6.7, 7.1, 7.5, 8.0, 8.5, 9.0, 9.5),
    (1.0, 1.12, 1.25, 1.4, 1.6, 1.8, 2.0, 2.24, 2.5, 2.8, 3.15, 3.55, 4.0, 4.5, 5.0, 5.6,
     6.3, 7.1, 8.0, 9.0),
    (1.0, 1.25, 1.6, 2.0, 2.5, 3.15, 4.0, 5.0, 6.3, 8.0),
    (1.0, 1.6, 2.5, 4.0, 6.3),
    (1.0, 2.0, 5.0),
    (1.0,),
)


class Tally:
    """What a run did: counts and the latency of every completed emit or call (seconds)."""

    def __init__(self):
        self.latencies = array.array("d")
        self.sent = 0
        self.completed = 0
        self.timeouts = 0
        self.errors = 0
        self.started = None
        self.ended = None

    @property
    def finished(self):
        """Emits or calls that are over, whatever their outcome."""
        return self.completed + self.timeouts + self.errors

    def elapsed(self, now=None):
        if self.started is None:
            return 0.0
        end = self.ended if self.ended is not None else (now or time.perf_counter())
        return max(end - self.started, 0.0)


class Load:
    """CONCURRENCY workers sending through the session's client until the run is over."""

    def __init__(self, settings, session):
        self.settings = settings
        self.session = session
        self.tally = Tally()
        self.stopped = None  # why the run ended early: "interrupted", "connection lost (...)"
        self._deadline = None
        self._workers = []
        self._in_flight = []  # per call worker: [future of the call in flight, sent at]

    def _take(self):
        """Whether a worker may send one more; counts it as sent."""
        tally = self.tally
        if self.stopped is not None:
            return False
        if self.settings.number is not None:
            if tally.sent >= self.settings.number:
                return False
        elif time.perf_counter() >= self._deadline:
            return False
        tally.sent += 1
        return True

    def stop(self, reason):
        """End the run now: no more sends, and what is in flight is given up."""
        if self.stopped is None:
            self.stopped = reason
        for worker in self._workers:
            worker.cancel()

    async def run(self):
        settings = self.settings
        workers = settings.concurrency
        if settings.number is not None:
            workers = min(workers, settings.number)
        work = self._calls if settings.kind == "call" else self._emits
        self.tally.started = time.perf_counter()
        if settings.duration is not None:
            self._deadline = self.tally.started + settings.duration
        self._workers = [asyncio.ensure_future(work()) for _ in range(workers)]
        sweeper = None
        if settings.kind == "call":
            sweeper = asyncio.ensure_future(self._sweep(settings.connection.ack_timeout))
        try:
            outcomes = await asyncio.gather(*self._workers, return_exceptions=True)
        finally:
            if sweeper is not None:
                sweeper.cancel()
        tally = self.tally
        tally.ended = time.perf_counter()
        if self.stopped is None and any(isinstance(outcome, Exception) for outcome in outcomes):
            self.stopped = "connection lost"  # python-socketio: the namespace is not connected
        # sent but neither answered nor timed out: given up when the run stopped
        tally.errors = tally.sent - tally.completed - tally.timeouts
        return tally

    async def _calls(self):
        """One worker: a call, its ack, the next call. The ack callback notes the time it
        ran; a sweeper ends the calls whose ack is late (--ack-timeout)."""
        settings, tally, loop = self.settings, self.tally, asyncio.get_running_loop()
        emit, latencies, clock = self.session.client.emit, tally.latencies, time.perf_counter
        namespace, event, data = settings.namespace, settings.event, tuple(settings.args)
        slot = [None, 0.0]  # the call in flight: its future and when it was sent
        self._in_flight.append(slot)
        while self._take():
            answer = loop.create_future()

            def acknowledged(*args, answer=answer):
                if not answer.done():
                    answer.set_result(clock())

            started = slot[1] = clock()
            slot[0] = answer
            await emit(event, data=data, namespace=namespace, callback=acknowledged)
            answered = await answer
            if answered is None:
                tally.timeouts += 1
            else:
                latencies.append(answered - started)
                tally.completed += 1
        slot[0] = None

    async def _sweep(self, timeout):
        """Every so often, end the calls whose ack is later than ``timeout``."""
        clock = time.perf_counter
        while True:
            await asyncio.sleep(min(timeout / 4, SWEEP_INTERVAL))
            late = clock() - timeout
            for slot in self._in_flight:
                answer = slot[0]
                if answer is not None and slot[1] <= late and not answer.done():
                    answer.set_result(None)

    async def _emits(self):
        settings, tally = self.settings, self.tally
        emit, latencies, clock = self.session.client.emit, tally.latencies, time.perf_counter
        namespace, event, data = settings.namespace, settings.event, tuple(settings.args)
        while self._take():
            started = clock()
            await emit(event, data=data, namespace=namespace)
            latencies.append(clock() - started)
            tally.completed += 1
            await asyncio.sleep(0)  # the connection's writer sends what was queued


class RecordGate:
    """The session's records during a bench: the per-emit and per-ack records are not
    shown (the summary counts them); lifecycle records and errors are, held back while
    the progress display is on the screen. A connection lost stops the load."""

    SILENT = frozenset({"emit", "ack", "ack_timeout", "event"})

    def __init__(self, output, view):
        self.output = output
        self.view = view
        self.load = None
        self.finishing = False
        self._held = []

    def __call__(self, record):
        kind = record["type"]
        if kind in self.SILENT or (kind == "error" and "event" in record):
            return  # per-call records; a call cut off by a disconnect is counted too
        if kind == "disconnect":
            if record["reason"] == "io client disconnect" and self.finishing:
                return  # the run's own goodbye
            if self.load is not None:
                self.load.stop("connection lost (%s)" % record["reason"])
        if kind == "connect" and self.output.format == "json":
            return  # --json: the summary record (and what went wrong) only
        if self.view.live:
            self._held.append(record)
        else:
            self.output.emit(record)

    def release(self):
        held, self._held = self._held, []
        for record in held:
            self.output.emit(record)


def percentile(ordered, percent):
    """The nearest-rank percentile of an ordered sequence."""
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def bucket_bounds(low, high):
    """Bounds (ms) of at most HISTOGRAM_MAX_BUCKETS buckets covering [low, high]: preferred
    numbers, the finest series that fits."""
    low = max(low, 1e-4)
    high = max(high, low)
    for series in BOUND_SERIES:
        bounds = series_bounds(series, low, high)
        if len(bounds) - 1 <= HISTOGRAM_MAX_BUCKETS:
            return bounds
    return series_bounds(BOUND_SERIES[-1], low, high)


def series_bounds(series, low, high):
    decade = 10.0 ** math.floor(math.log10(low))
    bounds = []
    while True:
        for step in series:
            bound = round(step * decade, 6)
            if bound <= low:
                bounds[:] = [bound]
            elif not bounds:
                bounds.append(bound)
            else:
                bounds.append(bound)
                if bound > high:
                    return bounds
        decade *= 10


def histogram(ordered_ms):
    """[{"from_ms", "to_ms", "count"}] over ordered latencies in milliseconds."""
    if not ordered_ms:
        return []
    bounds = bucket_bounds(ordered_ms[0], ordered_ms[-1])
    buckets = []
    for low, high in zip(bounds, bounds[1:], strict=False):
        count = bisect.bisect_left(ordered_ms, high) - bisect.bisect_left(ordered_ms, low)
        buckets.append({"from_ms": low, "to_ms": high, "count": count})
    return buckets


def summary_record(settings, tally, transport, stopped):
    ordered = sorted(value * 1000 for value in tally.latencies)
    seconds = tally.elapsed()
    latency = None
    if ordered:
        latency = {"min": round(ordered[0], 3),
                   "mean": round(sum(ordered) / len(ordered), 3)}
        for percent in PERCENTILES:
            latency["p%d" % percent] = round(percentile(ordered, percent), 3)
        latency["max"] = round(ordered[-1], 3)
    return records.bench(
        settings.namespace, mode=settings.kind, event=settings.event, transport=transport,
        concurrency=settings.concurrency, number=settings.number, duration=settings.duration,
        sent=tally.sent, completed=tally.completed, timeouts=tally.timeouts,
        errors=tally.errors, seconds=round(seconds, 6),
        per_second=round(tally.completed / seconds, 1) if seconds > 0 else None,
        latency_ms=latency, histogram=histogram(ordered), stopped=stopped)


async def show_progress(view, load):
    tally = load.tally
    while True:
        await asyncio.sleep(PROGRESS_INTERVAL)
        view.advance(tally.finished, tally.elapsed())


async def run_bench(settings, env, output, signals=None):
    """The `bench` mode with its BenchSettings; an exit status."""
    from siocli.output.bench_view import BenchView

    view = BenchView(output, settings.kind, settings.event, settings.number,
                     settings.duration, settings.concurrency)
    gate = RecordGate(output, view)
    session = Session(settings.connection, gate)
    summary = []

    async def body():
        load = Load(settings, session)
        gate.load = load
        view.start()
        ticker = asyncio.ensure_future(show_progress(view, load)) if view.live else None
        try:
            with contextlib.ExitStack() as stack:
                if signals is not None:  # Ctrl-C and SIGTERM end the load; the summary shows
                    for signum in (signal.SIGINT, signal.SIGTERM):
                        stack.enter_context(signals.handling(
                            signum, lambda: load.stop("interrupted")))
                tally = await load.run()
        finally:
            if ticker is not None:
                ticker.cancel()
            view.stop()
            gate.release()
        gate.finishing = True
        summary.append(summary_record(settings, tally, session.transport, load.stopped))
        if load.stopped == "interrupted":
            return ExitStatus.INTERRUPTED
        if load.stopped is not None or tally.errors:
            return ExitStatus.CONNECTION_LOST
        if tally.timeouts:
            return ExitStatus.EXPECTATION_FAILED
        return ExitStatus.SUCCESS

    status = await run_connected(session, body)
    if summary:  # shown once disconnected: nothing of the run's end is cut short by it
        view.summary(summary[0])
    return status
