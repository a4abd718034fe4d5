"""Differential fuzzer: siocli against the official JS client under sequences of faults.

A *sequence* is drawn from a seed (``random.Random(seed)``): 3 to 8 server-side faults
(tests/node/fuzz_server.js applies them). Two identical fuzz servers are started, the JS
client (tests/node/fuzz_client.js, socket.io-client 4.x) connects to one and siocli
(``python3 -m siocli connect URL --json ...``, listening only) to the other; each fault is
applied to both servers at the same moment and both clients are left to settle (no new
record for a quiet period) before the next one. At the end both clients are stopped
(SIGINT: the JS client and siocli both disconnect what is connected) and the two record
streams are compared record by record, after normalising what legitimately differs
(ids, timestamps, delays, transport failure wording, how many attempts a server outage
took). See docs/fidelity.md.

    python3 tests/oracle/fuzz.py --seeds 0-199 --transport websocket --namespaces 2
    python3 tests/oracle/fuzz.py --seeds 17 --show          # one seed, both streams

As a library (tests/oracle/test_fuzz.py)::

    outcome = run_sequence(seed, Config(transport="polling", namespaces=2))
    assert outcome.agree, outcome.explain()
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import contextlib
import dataclasses
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
NODE_DIR = ROOT / "tests" / "node"
FUZZ_SERVER_JS = NODE_DIR / "fuzz_server.js"
FUZZ_CLIENT_JS = NODE_DIR / "fuzz_client.js"

# The faults a sequence is drawn from, with their weights. `server-disconnect` ends the
# session for good (no reconnection after `io server disconnect`), so it is drawn less
# often to keep the rest of a sequence meaningful.
FAULT_WEIGHTS = {
    "server-disconnect": 1,
    "namespace-disconnect": 2,
    "conn-close": 2,
    "destroy": 2,
    "stop-pings": 2,
    "garbage-eio": 2,
    "garbage-sio": 2,
    "restart": 2,
    "reject": 2,
}
EXTRA_FAULTS = {"block"}  # server.js's frozen event loop; opt-in with --faults
LIFECYCLE = ("connect", "connect_error", "disconnect", "reconnect_attempt",
             "reconnect_failed", "error")


@dataclasses.dataclass(frozen=True)
class Config:
    """How a sequence is run. Times in milliseconds (server, JS) or seconds (siocli)."""

    transport: str = "websocket"  # websocket, polling, default (polling + upgrade)
    namespaces: int = 1  # 1: `/`; 2: `/` and `/b` over one Manager
    ping_interval_ms: int = 300
    ping_timeout_ms: int = 200
    reconnect_delay_ms: int = 100
    reconnect_delay_max_ms: int = 200
    connect_timeout_ms: int = 3000  # siocli --connect-timeout and the JS `timeout`
    restart_ms: int = 500  # how long `restart` keeps the port closed
    block_ms: int = 1000
    quiet_s: float = 0.7  # settled: no new record from either client for this long
    settle_cap_s: float = 10.0  # a fault's settling is cut off after this long
    faults: tuple[str, ...] = tuple(FAULT_WEIGHTS)
    siocli_root: str = str(ROOT)  # where `python3 -m siocli` is imported from

    @property
    def namespace_names(self) -> list[str]:
        return ["/", "/b"][: self.namespaces]

    def label(self) -> str:
        return "%s/%dns" % (self.transport, self.namespaces)


# ---- the sequence ---------------------------------------------------------------------


def draw_faults(seed: int, config: Config = Config()) -> list[str]:
    """The fault commands of ``seed``: 3 to 8 of them, as fuzz_server.js reads them.
    `reject NS` toggles NS's middleware (on, then off the next time it is drawn)."""
    rng = random.Random(seed)
    kinds = [k for k in config.faults if k in FAULT_WEIGHTS or k in EXTRA_FAULTS]
    weights = [FAULT_WEIGHTS.get(k, 2) for k in kinds]
    names = config.namespace_names
    rejecting: set[str] = set()
    faults = []
    for _ in range(rng.randint(3, 8)):
        kind = rng.choices(kinds, weights)[0]
        namespace = rng.choice(names)
        if kind == "namespace-disconnect":
            faults.append("namespace-disconnect %s" % namespace)
        elif kind == "reject":
            state = "off" if namespace in rejecting else "on"
            rejecting.symmetric_difference_update({namespace})
            faults.append("reject %s %s" % (namespace, state))
        elif kind == "restart":
            faults.append("restart %d" % config.restart_ms)
        elif kind == "block":
            faults.append("block %d" % config.block_ms)
        else:
            faults.append(kind)
    return faults


# ---- processes ------------------------------------------------------------------------


class Infra(RuntimeError):
    """The harness could not run a sequence (not a disagreement)."""


class Proc:
    """A child process in its own process group whose stdout is JSON lines, read by a
    thread; every line is kept with its arrival time (time.monotonic())."""

    def __init__(self, name, argv, cwd, env=None, notify=None, stdin=subprocess.PIPE):
        self.name = name
        self.argv = argv
        self._stderr = tempfile.TemporaryFile(mode="w+")  # noqa: SIM115 (closed by close())
        self.proc = subprocess.Popen(
            argv, cwd=str(cwd), env=env, stdin=stdin, stdout=subprocess.PIPE,
            stderr=self._stderr, text=True, bufsize=1, start_new_session=True)
        self.lines: list[tuple[float, dict]] = []
        self.cond = notify or threading.Condition()
        self.eof = False
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self):
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                rec = {"type": "unparsed", "line": line}
            with self.cond:
                self.lines.append((time.monotonic(), rec))
                self.cond.notify_all()
        with self.cond:
            self.eof = True
            self.cond.notify_all()

    def records(self) -> list[dict]:
        with self.cond:
            return [rec for _, rec in self.lines]

    def last_time(self, types=None) -> float:
        with self.cond:
            for at, rec in reversed(self.lines):
                if types is None or rec.get("type") in types:
                    return at
        return 0.0

    def wait_for(self, match, timeout) -> dict:
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for _, rec in self.lines:
                    if match(rec):
                        return rec
                left = deadline - time.monotonic()
                if left <= 0 or self.eof:
                    raise Infra("%s: nothing matched within %.1fs; exit %s; stderr: %s"
                                % (self.name, timeout, self.proc.poll(), self.stderr()[-2000:]))
                self.cond.wait(left)

    def send(self, line: str):
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
        except (BrokenPipeError, ValueError, OSError) as exc:
            raise Infra("%s: cannot write to stdin: %s" % (self.name, exc)) from exc

    def signal(self, signum):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signum)

    def stop(self, timeout=5.0, signum=None):
        """``signum`` (or closing stdin), then SIGKILL to the group after ``timeout``."""
        if signum is not None:
            self.signal(signum)
        elif self.proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self.proc.stdin.close()
        try:
            self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            # still running: its whole process group (it started no other group)
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout)
        self._reader.join(2.0)
        if self.proc.stdin is not None:
            with contextlib.suppress(OSError, ValueError):
                self.proc.stdin.close()
        return self.proc.returncode

    def stderr(self) -> str:
        try:
            self._stderr.seek(0)
            return self._stderr.read()
        except (OSError, ValueError):
            return ""

    def close(self):
        with contextlib.suppress(OSError):
            self._stderr.close()


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise Infra("node is not installed")
    return node


def start_server(config: Config, cond) -> tuple[Proc, int]:
    argv = [node_binary(), str(FUZZ_SERVER_JS),
            "--ping-interval", str(config.ping_interval_ms),
            "--ping-timeout", str(config.ping_timeout_ms),
            "--namespaces", ",".join(config.namespace_names)]
    server = Proc("fuzz_server.js", argv, NODE_DIR, notify=cond)
    try:
        first = server.wait_for(lambda rec: set(rec) == {"port"}, 15.0)
    except Infra:
        server.stop()
        raise
    return server, int(first["port"])


def start_js_client(config: Config, url: str, cond) -> Proc:
    argv = [node_binary(), str(FUZZ_CLIENT_JS), url,
            "--reconnection-delay", str(config.reconnect_delay_ms),
            "--reconnection-delay-max", str(config.reconnect_delay_max_ms),
            "--randomization-factor", "0.5",
            "--timeout", str(config.connect_timeout_ms)]
    for namespace in config.namespace_names[1:]:
        argv += ["--namespace", namespace]
    if config.transport != "default":
        argv += ["--transport", config.transport]
    return Proc("fuzz_client.js", argv, NODE_DIR, notify=cond)


def siocli_argv(config: Config, url: str) -> list[str]:
    argv = [sys.executable, "-m", "siocli", "connect", url, "--json", "-l", "none",
            "--reconnect-delay", "%g" % (config.reconnect_delay_ms / 1000),
            "--reconnect-delay-max", "%g" % (config.reconnect_delay_max_ms / 1000),
            "--connect-timeout", "%g" % (config.connect_timeout_ms / 1000)]
    for namespace in config.namespace_names[1:]:
        argv += ["-n", namespace]
    if config.transport != "default":
        argv += ["-t", config.transport]
    return argv


def siocli_env(config: Config, home: str) -> dict:
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("SIOCLI_") and k != "NO_COLOR"}
    env["PYTHONPATH"] = config.siocli_root + os.pathsep + env.get("PYTHONPATH", "")
    for name in ("XDG_STATE_HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        env[name] = os.path.join(home, name.lower())
    return env


# ---- normalising and comparing --------------------------------------------------------


def _transport_failure(rec) -> bool:
    return rec["type"] == "connect_error" and rec.get("data") is None


def token(rec: dict) -> tuple:
    """What must agree in a lifecycle record: ids, timestamps, delays, transports and
    descriptions are left out; a connect says whether it is the first connection or a
    reconnection; a reconnect_attempt whether it is the first of its reconnection; a
    connect_error from a failed transport (data null) is worded freely by siocli, so only
    its being one counts; a middleware's connect_error keeps its message and data."""
    kind = rec["type"]
    ns = rec.get("namespace")
    if kind == "connect":
        return ("connect", ns, "first" if not rec.get("attempt") else "reconnected")
    if kind == "disconnect":
        return ("disconnect", ns, rec.get("reason"), rec.get("will_reconnect"))
    if kind == "connect_error":
        if _transport_failure(rec):
            return ("connect_error", ns, "<transport failure>")
        return ("connect_error", ns, rec.get("message"),
                json.dumps(rec.get("data"), sort_keys=True))
    if kind == "reconnect_attempt":
        return ("reconnect_attempt", "first" if rec.get("attempt") == 1 else "again")
    if kind == "reconnect_failed":
        return ("reconnect_failed",)
    return (kind, ns, rec.get("message"))


def normalise(records: list[dict]) -> list[tuple]:
    """Tokens of one segment of a stream (records between two settle points).

    1. each lifecycle record becomes its :func:`token`;
    2. a failing stretch of a reconnection — reconnect_attempts each followed only by
       transport connect_errors — becomes (first attempt, "attempts failed" with the
       namespaces that reported it, the attempt that follows if any): how many attempts
       a server outage takes depends on the randomised delays;
    3. consecutive tokens that differ only by namespace are sorted by namespace: which
       namespace of one Engine.IO event is told first is not part of the contract.
    """
    tokens = [(token(r), r) for r in records if r.get("type") in LIFECYCLE]
    out: list[tuple] = []
    i = 0
    while i < len(tokens):
        tok, rec = tokens[i]
        if tok[0] != "reconnect_attempt":
            out.append(tok)
            i += 1
            continue
        j = i
        failed: set[str] = set()
        attempts = []
        while j < len(tokens) and (tokens[j][0][0] == "reconnect_attempt"
                                   or _transport_failure(tokens[j][1])):
            if tokens[j][0][0] == "reconnect_attempt":
                attempts.append(tokens[j][0])
            else:
                failed.add(tokens[j][0][1])
            j += 1
        out.append(attempts[0])
        if failed:
            out.append(("attempts failed", tuple(sorted(failed))))
            # the attempt after the last failure, when the stretch ends with one
            if tokens[j - 1][0][0] == "reconnect_attempt" and len(attempts) > 1:
                out.append(attempts[-1])
        i = j
    return _sort_namespace_runs(out)


def _sort_namespace_runs(tokens: list[tuple]) -> list[tuple]:
    def key(tok):  # the token without its namespace
        if tok[0] in ("connect", "disconnect", "connect_error"):
            return (tok[0],) + tok[2:]
        return tok

    out, i = [], 0
    while i < len(tokens):
        j = i + 1
        if tokens[i][0] in ("connect", "disconnect", "connect_error"):
            while j < len(tokens) and tokens[j][0] == tokens[i][0] \
                    and key(tokens[j]) == key(tokens[i]):
                j += 1
        out.extend(sorted(tokens[i:j], key=lambda t: str(t[1])))
        i = j
    return out


def connected_after(records: list[dict]) -> tuple[str, ...]:
    """The namespaces connected after these records (connect/disconnect)."""
    connected: set[str] = set()
    for rec in records:
        if rec.get("type") == "connect":
            connected.add(rec["namespace"])
        elif rec.get("type") == "disconnect":
            connected.discard(rec["namespace"])
    return tuple(sorted(connected))


def stream_tokens(records: list[dict], bounds: list[int], faults: list[str]) -> list[tuple]:
    """The compared form of a stream: the tokens of each segment (before the first
    fault, after each fault, after the stop) separated by settle points carrying the
    connected namespaces at that moment. ``bounds[k]``: how many records there were
    when fault k was applied (the last: when the clients were told to stop)."""
    out: list[tuple] = []
    start = 0
    labels = ["connected"] + ["after %s" % f for f in faults]
    for k, end in enumerate(bounds):
        out.extend(normalise(records[start:end]))
        out.append(("settled", labels[k], connected_after(records[:end])))
        start = end
    out.extend(normalise(records[start:]))
    out.append(("stopped",))
    return out


def first_difference(a: list, b: list) -> int | None:
    for i, (x, y) in enumerate(zip(a, b, strict=False)):
        if x != y:
            return i
    if len(a) != len(b):
        return min(len(a), len(b))
    return None


# ---- one sequence ---------------------------------------------------------------------


@dataclasses.dataclass
class Outcome:
    seed: int
    config: Config
    faults: list[str]
    js: list[dict] = dataclasses.field(default_factory=list)  # the JS client's records
    py: list[dict] = dataclasses.field(default_factory=list)  # siocli's records
    js_server: list[dict] = dataclasses.field(default_factory=list)  # what its server saw
    py_server: list[dict] = dataclasses.field(default_factory=list)
    js_bounds: list[int] = dataclasses.field(default_factory=list)
    py_bounds: list[int] = dataclasses.field(default_factory=list)
    js_tokens: list[tuple] = dataclasses.field(default_factory=list)
    py_tokens: list[tuple] = dataclasses.field(default_factory=list)
    diff: int | None = None  # first differing position in the tokens
    error: str | None = None  # the harness failed: not a verdict
    unsettled: list[int] = dataclasses.field(default_factory=list)  # faults cut off
    seconds: float = 0.0
    open_sessions: list[int] = dataclasses.field(default_factory=list)  # [js, siocli] at the end
    siocli_exit: int | None = None
    siocli_stderr: str = ""

    @property
    def agree(self) -> bool:
        return self.error is None and self.diff is None

    def verdict(self) -> str:
        if self.error:
            return "error"
        return "agree" if self.diff is None else "disagree"

    def explain(self, context: int = 4) -> str:
        """The seed, the faults, the first difference and both streams, for people."""
        lines = ["seed %d (%s): %s" % (self.seed, self.config.label(), self.verdict()),
                 "faults: " + " | ".join(self.faults)]
        if self.error:
            lines.append("error: " + self.error)
        if self.diff is not None:
            lo = max(0, self.diff - context)
            lines.append("first difference at token %d:" % self.diff)
            for name, toks in (("js", self.js_tokens), ("siocli", self.py_tokens)):
                lines.append("  %s:" % name)
                for i in range(lo, min(len(toks), self.diff + 3)):
                    mark = ">>" if i == self.diff else "  "
                    lines.append("   %s %3d %s" % (mark, i, _show_token(toks[i])))
                if self.diff >= len(toks):
                    lines.append("   >> %3d (end of stream)" % self.diff)
        lines.append("js stream:")
        lines.extend("  " + line for line in format_stream(self.js, self.js_bounds,
                                                            self.faults))
        lines.append("siocli stream:")
        lines.extend("  " + line for line in format_stream(self.py, self.py_bounds,
                                                            self.faults))
        if self.siocli_stderr.strip():
            lines.append("siocli stderr: " + self.siocli_stderr.strip()[-1500:])
        return "\n".join(lines)

    def abandoned(self) -> tuple[int, int]:
        """Engine.IO sessions the client left without closing them: those its server
        closed by its own ping timeout, and those still open at the end besides one:
        (JS client's, siocli's). (A server that stopped pinging never reaps a session.)"""
        def count(records, open_at_end):
            timed_out = sum(1 for r in records if r.get("type") == "engine_close"
                            and r.get("reason") == "ping timeout")
            return timed_out + max(0, open_at_end - 1)
        js_open, py_open = self.open_sessions or (0, 0)
        return count(self.js_server, js_open), count(self.py_server, py_open)

    def abandoned_after(self) -> list[str]:
        """For each session siocli left (see :meth:`abandoned`), the fault applied last
        before the server closed it (``start`` before the first), or ``open at the end``."""
        after, out = "start", []
        for r in self.py_server:
            if r.get("type") == "applied" and r.get("cmd") != "sessions":
                after = r.get("cmd", "?")
            elif r.get("type") == "engine_close" and r.get("reason") == "ping timeout":
                out.append(after)
        if self.open_sessions:
            out += ["open at the end"] * max(0, self.open_sessions[1] - 1)
        return out

    def to_json(self) -> dict:
        d = dataclasses.asdict(self)
        d["config"] = dataclasses.asdict(self.config)
        d["verdict"] = self.verdict()
        return d


def outcome_from_json(d: dict) -> Outcome:
    """An :class:`Outcome` back from a line of a --report file."""
    config = dict(d["config"])
    config["faults"] = tuple(config["faults"])
    fields = {f.name for f in dataclasses.fields(Outcome)} - {"config"}
    outcome = Outcome(config=Config(**config), **{k: v for k, v in d.items() if k in fields})
    outcome.js_tokens = [_tuple(t) for t in outcome.js_tokens]
    outcome.py_tokens = [_tuple(t) for t in outcome.py_tokens]
    return outcome


def _tuple(value):
    return tuple(_tuple(v) for v in value) if isinstance(value, list) else value


def _show_token(tok: tuple) -> str:
    return " ".join("-" if x is None else str(x) for x in tok)


def format_stream(records: list[dict], bounds: list[int], faults: list[str]) -> list[str]:
    """One line per lifecycle record, with the faults where they were applied."""
    out = []
    labels = ["fault %d: %s" % (k + 1, f) for k, f in enumerate(faults)] + ["stop"]
    marks = collections.defaultdict(list)
    for k, b in enumerate(bounds):
        marks[b].append(labels[k])
    for i, rec in enumerate(records + [None]):
        for label in marks.get(i, []):
            out.append("-- " + label)
        if rec is None or rec.get("type") not in LIFECYCLE:
            continue
        fields = {k: v for k, v in rec.items()
                  if k not in ("type", "ts", "t", "namespace", "description", "connected")}
        out.append("%-17s %-3s %s" % (rec["type"], rec.get("namespace") or "",
                                      json.dumps(fields, sort_keys=True)))
    return out


def _settle(clients, cond, since: float, min_wait: float, quiet: float, cap: float) -> bool:
    """Wait until neither client printed a record for ``quiet`` seconds, counting from
    ``since + min_wait`` at the earliest; False when ``cap`` seconds passed first."""
    deadline = since + cap
    with cond:
        while True:
            last = max([since + min_wait] + [c.last_time() for c in clients])
            now = time.monotonic()
            if now >= last + quiet:
                return True
            if now >= deadline:
                return False
            cond.wait(min(last + quiet, deadline) - now)


def run_sequence(seed: int, config: Config = Config(), faults: list[str] | None = None
                 ) -> Outcome:
    """Run one sequence (the faults of ``seed`` unless ``faults`` is given) with both
    clients; every process started here is stopped before this returns."""
    faults = draw_faults(seed, config) if faults is None else faults
    outcome = Outcome(seed, config, list(faults))
    started = time.monotonic()
    cond = threading.Condition()
    procs: list[Proc] = []
    home = tempfile.mkdtemp(prefix="siocli-fuzz-")
    js = py = None
    try:
        js_server, js_port = start_server(config, cond)
        procs.append(js_server)
        py_server, py_port = start_server(config, cond)
        procs.append(py_server)
        js = start_js_client(config, "http://127.0.0.1:%d" % js_port, cond)
        procs.append(js)
        py = Proc("siocli", siocli_argv(config, "http://127.0.0.1:%d" % py_port),
                  home, env=siocli_env(config, home), notify=cond, stdin=subprocess.DEVNULL)
        procs.append(py)
        names = config.namespace_names
        for client in (js, py):
            for namespace in names:
                client.wait_for(lambda r, ns=namespace: r.get("type") == "connect"
                                and r.get("namespace") == ns, 20.0)
        # the default transport upgrades to websocket: let that (and the first pings) pass
        _settle([js, py], cond, time.monotonic(), 0.0, config.quiet_s, config.settle_cap_s)
        for k, fault in enumerate(faults):
            outcome.js_bounds.append(len(js.records()))
            outcome.py_bounds.append(len(py.records()))
            for server in (js_server, py_server):
                server.send(json.dumps({"cmd": fault, "id": k}))
            applied_at = time.monotonic()
            for server in (js_server, py_server):
                answer = server.wait_for(lambda r, k=k: r.get("id") == k and r.get("type") in (
                    "applied", "command_error"), 15.0)
                if answer["type"] != "applied":
                    raise Infra("fuzz_server.js refused %r: %s" % (fault, answer.get("message")))
                applied_at = max(applied_at, server.last_time(("applied",)))
            min_wait = 0.0
            if fault.startswith(("stop-pings", "block")):
                min_wait = (config.ping_interval_ms + config.ping_timeout_ms) / 1000 + 0.1
            if not _settle([js, py], cond, applied_at, min_wait, config.quiet_s,
                           config.settle_cap_s):
                outcome.unsettled.append(k)
        outcome.js_bounds.append(len(js.records()))
        outcome.py_bounds.append(len(py.records()))
        for server in (js_server, py_server):
            server.send(json.dumps({"cmd": "sessions", "id": "sessions"}))
        js_open, py_open = (server.wait_for(lambda r: r.get("id") == "sessions", 15.0)
                            for server in (js_server, py_server))
        outcome.open_sessions = [len(js_open.get("sessions", [])),
                                 len(py_open.get("sessions", []))]
        js.signal(signal.SIGINT)
        py.signal(signal.SIGINT)
        js.stop(5.0)
        outcome.siocli_exit = py.stop(10.0)
    except Infra as exc:
        outcome.error = str(exc)
    finally:
        for proc in reversed(procs):
            proc.stop(3.0)
        if py is not None:
            outcome.siocli_stderr = py.stderr()
        for proc in procs:
            proc.close()
        shutil.rmtree(home, ignore_errors=True)
    servers = [p for p in procs if p.name == "fuzz_server.js"]
    if len(servers) == 2:
        outcome.js_server, outcome.py_server = (s.records() for s in servers)
    if js is not None:
        outcome.js = [r for r in js.records() if r.get("type") != "exit"]
    if py is not None:
        outcome.py = py.records()
    if outcome.error is None:
        outcome.js_tokens = stream_tokens(outcome.js, outcome.js_bounds, faults)
        outcome.py_tokens = stream_tokens(outcome.py, outcome.py_bounds, faults)
        outcome.diff = first_difference(outcome.js_tokens, outcome.py_tokens)
    outcome.seconds = round(time.monotonic() - started, 2)
    return outcome


# ---- classifying disagreements --------------------------------------------------------


def _history(tokens: list[tuple]):
    """Per namespace, what last ended it in ``tokens``: "server" (io server disconnect),
    "rejected" (a middleware connect_error), "lost" (a disconnect that reconnects) or
    None; and the last fault applied."""
    ended: dict[str, str | None] = {}
    last_fault = None
    last_reason = None
    for tok in tokens:
        if tok[0] == "disconnect":
            last_reason = tok[2]
            ended[tok[1]] = "server" if tok[2] == "io server disconnect" else "lost"
        elif tok[0] == "connect_error" and tok[2] != "<transport failure>":
            ended[tok[1]] = "rejected"
        elif tok[0] == "connect":
            ended[tok[1]] = None
        elif tok[0] == "settled" and tok[1].startswith("after "):
            last_fault = tok[1][len("after "):]
    return ended, last_fault, last_reason


def _namespaces_of(tok: tuple) -> set[str]:
    if tok[0] in ("connect", "connect_error", "disconnect"):
        return {tok[1]}
    if tok[0] == "attempts failed":
        return set(tok[1])
    return set()


def classify(outcome: Outcome) -> tuple[str, str]:
    """(class id, one-line description) of a disagreement, from its first difference
    and what the JS stream says happened before it."""
    if outcome.error:
        return "harness-error", outcome.error.splitlines()[0][:120]
    if outcome.diff is None:
        return "agree", ""
    i = outcome.diff
    js_tok = outcome.js_tokens[i] if i < len(outcome.js_tokens) else ("<end>",)
    py_tok = outcome.py_tokens[i] if i < len(outcome.py_tokens) else ("<end>",)
    ended, last_fault, last_reason = _history(outcome.js_tokens[:i])
    transport = outcome.config.transport
    extra = _namespaces_of(py_tok) - (_namespaces_of(js_tok) if js_tok[0] == py_tok[0]
                                      else set())
    missing = _namespaces_of(js_tok) - (_namespaces_of(py_tok) if js_tok[0] == py_tok[0]
                                        else set())
    if py_tok[0] in ("connect", "connect_error", "attempts failed"):
        states = {ended.get(ns) for ns in extra}
        if "server" in states:
            return ("reconnects-server-disconnected",
                    "a namespace the server disconnected is connected again (or tried) at "
                    "the next automatic reconnection")
        if "rejected" in states:
            return ("retries-rejected",
                    "a namespace a middleware rejected is tried again at the next "
                    "automatic reconnection")
    if js_tok[0] == "disconnect" and ended.get("/") == "rejected" and missing - {"/"}:
        return ("lost-disconnect-after-root-rejected",
                "after `/` was rejected another namespace's disconnect is not reported")
    if last_reason == "ping timeout" and (
            (py_tok[0] == "settled"
             and js_tok[0] in ("connect", "connect_error", "reconnect_attempt"))
            or (py_tok[0] == "connect_error" and py_tok[2] == "<transport failure>")
            or py_tok[0] == "attempts failed"):
        return ("ping-timeout-reconnect-hangs",
                "the reconnection after `ping timeout` hangs until --connect-timeout")
    js_left, py_left = outcome.abandoned()
    unknown_sid = any(r.get("type") == "engine_connection_error"
                      and r.get("message") == "Session ID unknown" for r in outcome.py_server)
    if transport != "websocket" and (py_left > js_left or unknown_sid) \
            and js_tok[0] in ("settled", "connect") \
            and py_tok[0] in ("disconnect", "reconnect_attempt", "attempts failed"):
        return ("polling-old-session-disturbs-new",
                "over polling an Engine.IO session siocli gave up is left open and its "
                "requests break the next session")
    fault = (last_fault or "start").split()[0]
    return ("other:%s:%s:%s" % (fault, _show_token(js_tok), _show_token(py_tok)),
            "after %s (%s): js %s / siocli %s" % (last_fault or "connecting", transport,
                                                   _show_token(js_tok), _show_token(py_tok)))


# ---- the command ----------------------------------------------------------------------


def parse_seeds(text: str) -> list[int]:
    seeds: list[int] = []
    for part in text.split(","):
        part = part.strip()
        if "-" in part:
            lo, hi = part.split("-", 1)
            seeds.extend(range(int(lo), int(hi) + 1))
        elif part:
            seeds.append(int(part))
    return seeds


def _summary_line(outcome: Outcome) -> str:
    text = "%-5d %-13s %-8s %5.1fs  %s" % (outcome.seed, outcome.config.label(),
                                          outcome.verdict(), outcome.seconds,
                                          " | ".join(outcome.faults))
    if outcome.verdict() == "disagree":
        text += "\n      " + classify(outcome)[0]
    elif outcome.error:
        text += "\n      " + outcome.error.splitlines()[0][:200]
    js_left, py_left = outcome.abandoned()
    if py_left > js_left:
        text += ("\n      Engine.IO sessions left open (closed by the server's ping timeout, "
                 "or still open at the end): siocli %d, js %d" % (py_left, js_left))
    return text


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", default="0-19", help="e.g. 0-999 or 3,17,40-45")
    parser.add_argument("--transport", action="append",
                        choices=["websocket", "polling", "default"],
                        help="repeatable; default: all three")
    parser.add_argument("--namespaces", action="append", type=int, choices=[1, 2],
                        help="repeatable; default: 1 and 2")
    parser.add_argument("-j", "--jobs", type=int, default=3,
                        help="sequences run at the same time (default 3)")
    parser.add_argument("--rerun-jobs", type=int, default=1,
                        help="sequences re-run at the same time, after the first pass "
                        "(default 1)")
    parser.add_argument("--no-rerun", action="store_true",
                        help="do not run a disagreeing sequence a second time")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run every sequence this many times (to measure flukes)")
    parser.add_argument("--faults", help="comma-separated fault kinds to draw from "
                        "(default: %s; also: %s)" % (",".join(FAULT_WEIGHTS),
                                                     ",".join(sorted(EXTRA_FAULTS))))
    parser.add_argument("--siocli-root", default=str(ROOT),
                        help="import siocli from this directory (default: this checkout)")
    parser.add_argument("--quiet-s", type=float, default=Config.quiet_s,
                        help="settled: no record from either client for this long")
    parser.add_argument("--report", help="append every outcome to this file (JSON Lines)")
    parser.add_argument("--show", action="store_true",
                        help="print both streams of every disagreement (of every "
                        "sequence when a single seed is run)")
    parser.add_argument("--faults-only", action="store_true",
                        help="print the fault sequences of the seeds and exit")
    parser.add_argument("--explain", metavar="REPORT",
                        help="print both streams of the disagreements of --seeds found in "
                        "a --report file, and exit")
    args = parser.parse_args(argv)
    if args.explain:
        wanted = set(parse_seeds(args.seeds))
        with open(args.explain) as lines:
            for line in lines:
                d = json.loads(line)
                if d["seed"] in wanted and d["verdict"] != "agree":
                    print("run %d: %s\n" % (d["run"], outcome_from_json(d).explain()))
        return 0

    seeds = parse_seeds(args.seeds)
    transports = args.transport or ["websocket", "polling", "default"]
    namespace_counts = args.namespaces or [1, 2]
    extra = {}
    if args.faults:
        extra["faults"] = tuple(f.strip() for f in args.faults.split(",") if f.strip())
        unknown = set(extra["faults"]) - set(FAULT_WEIGHTS) - EXTRA_FAULTS
        if unknown:
            parser.error("unknown fault kinds: %s" % ", ".join(sorted(unknown)))
    configs = [Config(transport=t, namespaces=n, siocli_root=args.siocli_root,
                      quiet_s=args.quiet_s, **extra)
               for t in transports for n in namespace_counts]
    if args.faults_only:
        for config in configs:
            for seed in seeds:
                print("%d %s: %s" % (seed, config.label(), " | ".join(draw_faults(seed, config))))
        return 0
    show_all = args.show and len(seeds) == 1
    jobs = [(seed, config) for config in configs for seed in seeds] * max(1, args.repeat)
    started = time.monotonic()
    report = open(args.report, "a") if args.report else None  # noqa: SIM115 (closed below)

    def keep(outcome: Outcome, run: int):
        if report:
            report.write(json.dumps({"run": run, **outcome.to_json()}, default=list) + "\n")
            report.flush()

    def run_all(todo, workers, run):
        with concurrent.futures.ThreadPoolExecutor(max(1, workers)) as pool:
            for outcome in pool.map(lambda job: run_sequence(*job), todo):
                keep(outcome, run)
                print(("      re-run: " if run > 1 else "") + _summary_line(outcome),
                      flush=True)
                if args.show and (outcome.verdict() != "agree" or show_all):
                    print(outcome.explain(), flush=True)
                yield outcome

    try:
        print("first pass: %d sequences, %d at a time" % (len(jobs), args.jobs), flush=True)
        firsts = list(run_all(jobs, args.jobs, 1))
        disagreeing = [o for o in firsts if o.verdict() == "disagree"]
        reruns: dict[int, Outcome] = {}
        if disagreeing and not args.no_rerun:
            print("\nre-running the %d disagreeing sequences, %d at a time"
                  % (len(disagreeing), args.rerun_jobs), flush=True)
            again = run_all([(o.seed, o.config) for o in disagreeing], args.rerun_jobs, 2)
            for first, second in zip(disagreeing, again, strict=True):
                reruns[id(first)] = second
    finally:
        if report:
            report.close()

    counts = collections.Counter(o.verdict() for o in firsts)
    classes: dict[str, list[tuple[Outcome, Outcome | None]]] = collections.defaultdict(list)
    for first in disagreeing:
        classes[classify(first)[0]].append((first, reruns.get(id(first))))
    reproduced = sum(1 for o in disagreeing
                     if reruns.get(id(o)) is not None and reruns[id(o)].verdict() == "disagree")
    leaving = collections.Counter(o.config.label() for o in firsts
                                  if o.verdict() != "error" and o.abandoned()[1] > o.abandoned()[0])
    again = ("not re-run" if args.no_rerun else "%d of them again on a second run, %d not"
             % (reproduced, len(disagreeing) - reproduced))
    print("\n%d sequences in %.0fs: %d agree, %d disagree (%s), %d harness errors" % (
        len(firsts), time.monotonic() - started, counts["agree"], counts["disagree"], again,
        counts["error"]))
    if leaving:
        print("sequences where siocli left Engine.IO sessions open (the JS client closes "
              "them): %s" % ", ".join("%s %d" % kv for kv in sorted(leaving.items())))
        after = collections.Counter(
            "%s, %s" % (o.config.transport, fault.split()[0] if fault != "open at the end"
                        else fault) for o in firsts
            if o.abandoned()[1] > o.abandoned()[0] for fault in o.abandoned_after())
        print("  sessions left, by the fault before: %s" % ", ".join(
            "%s %d" % kv for kv in after.most_common()))
    print("disagreement classes (first difference; count; reproduced; smallest seed):")
    for cls, items in sorted(classes.items(), key=lambda kv: -len(kv[1])):
        again = [o for o, r in items if r is not None and r.verdict() == "disagree"]
        smallest = min(again or [o for o, _ in items], key=lambda o: (len(o.faults), o.seed))
        print("  %-60s %4d  %4d  seed %d %s (%d faults)" % (
            cls[:60], len(items), len(again), smallest.seed, smallest.config.label(),
            len(smallest.faults)))
    return 0 if counts["disagree"] == 0 and counts["error"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
