"""Drive the Node.js Socket.IO test peer (tests/node/) from pytest.

The peer is the npm ``socket.io`` 4.x server (``tests/node/server.js``) and the
official JS client ``socket.io-client`` 4.x used as the ORACLE
(``tests/node/oracle.js``).  See ``tests/node/ORACLE.md`` for what the oracle
reports in each disconnect scenario and what goes over the wire.

Typical use::

    from node_peer import require_node, run_oracle, start_node_server

    def test_something():
        require_node()
        with start_node_server(ping_interval_ms=300, ping_timeout_ms=200) as srv:
            recs = run_oracle(srv.url, "--transport", "websocket",
                              "--emit", "scenario server-disconnect")
            srv.wait_for("disconnect")

:class:`PeerServer` also runs the python-socketio test server (py_server.py).

When node or ``tests/node/node_modules`` is missing, :func:`require_node`
(called by :func:`start_node_server` and :func:`run_oracle` too) skips the test
with a clear reason — unless the environment variable ``CI`` is ``"true"``, in
which case it fails loudly.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from siocli_run import json_lines, of_type, run_siocli

NODE_DIR = Path(__file__).resolve().parent.parent / "node"
SERVER_JS = NODE_DIR / "server.js"
ORACLE_JS = NODE_DIR / "oracle.js"
WIRE_PROBE_JS = NODE_DIR / "wire_probe.js"
NS_REJOIN_JS = NODE_DIR / "ns_rejoin.js"

_REQUIRED_MODULES = ("socket.io", "socket.io-client")


def node_binary() -> str | None:
    """Path of the ``node`` executable, or None."""
    return shutil.which("node")


def node_missing_reason() -> str | None:
    """Why the Node peer cannot run, or None when it can."""
    if node_binary() is None:
        return "node is not installed (needed for the Socket.IO test peer in tests/node)"
    for mod in _REQUIRED_MODULES:
        if not (NODE_DIR / "node_modules" / mod / "package.json").is_file():
            return (
                f"tests/node/node_modules/{mod} is missing: "
                f"run `npm ci --prefix tests/node` (or `cd tests/node && npm ci`)"
            )
    return None


def node_available() -> bool:
    """True when node and tests/node/node_modules are there."""
    return node_missing_reason() is None


def require_node() -> None:
    """Skip the calling test when the Node peer is unavailable; fail under CI=true."""
    reason = node_missing_reason()
    if reason is not None:
        _unavailable(reason)


def _unavailable(reason: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(f"Node test peer unavailable under CI: {reason}", pytrace=False)
    pytest.skip(reason)


Predicate = str | Callable[[dict], bool]


def _matcher(pred: Predicate, fields: dict) -> Callable[[dict], bool]:
    def match(rec: dict) -> bool:
        if isinstance(pred, str) and rec.get("type") != pred:
            return False
        if callable(pred) and not pred(rec):
            return False
        return all(rec.get(k) == v for k, v in fields.items())

    return match


class PeerServer:
    """A running test server process (server.js, or tests/support/py_server.py) that prints
    ``{"port": N}`` and then one JSON line per observation."""

    def __init__(self, proc: subprocess.Popen, host: str, path: str, args: list[str]):
        self.proc = proc
        self.host = host
        self.path = path
        self.args = args
        self.name = Path(args[1]).name  # the script, for messages
        self.port: int = 0
        self._records: list[dict] = []
        self._stderr: list[str] = []
        self._cond = threading.Condition()
        self._eof = False
        self._threads = [
            threading.Thread(target=self._read_stdout, daemon=True),
            threading.Thread(target=self._read_stderr, daemon=True),
        ]
        for t in self._threads:
            t.start()

    # -- readers -------------------------------------------------------------
    def _read_stdout(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except ValueError:
                rec = {"type": "unparsed", "line": line}
            with self._cond:
                if not self.port and isinstance(rec, dict) and set(rec) == {"port"}:
                    self.port = int(rec["port"])
                else:
                    self._records.append(rec)
                self._cond.notify_all()
        with self._cond:
            self._eof = True
            self._cond.notify_all()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            with self._cond:
                self._stderr.append(line.rstrip("\n"))

    # -- public API ----------------------------------------------------------
    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT`` (the Socket.IO path is :attr:`path`)."""
        return f"http://{self.host}:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://{self.host}:{self.port}"

    def lines(self, type: str | None = None) -> list[dict]:
        """The observations read so far (a copy), optionally only one ``type``."""
        with self._cond:
            recs = list(self._records)
        if type is not None:
            recs = [r for r in recs if r.get("type") == type]
        return recs

    def stderr(self) -> str:
        with self._cond:
            return "\n".join(self._stderr)

    def wait_for(self, pred: Predicate, timeout: float = 5.0, **fields: Any) -> dict:
        """Wait for an observation: ``pred`` is a record type or a callable;
        ``fields`` must match exactly (``srv.wait_for("disconnect", namespace="/")``).
        Returns the first matching record; raises AssertionError on timeout."""
        match = _matcher(pred, fields)
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for rec in self._records:
                    if match(rec):
                        return rec
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    break
                self._cond.wait(left)
            for rec in self._records:  # one last look after EOF
                if match(rec):
                    return rec
        raise AssertionError(
            f"{self.name}: no record matching {pred!r} {fields} within {timeout}s; "
            f"records: {self._records!r}; stderr: {self.stderr()!r}"
        )

    def wait_port(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self.port:
                left = deadline - time.monotonic()
                if left <= 0 or self._eof:
                    break
                self._cond.wait(left)
        if not self.port:
            self.stop()
            raise RuntimeError(
                f"{self.name} did not report its port (exit code {self.proc.poll()}); "
                f"stderr: {self.stderr()!r}"
            )

    @property
    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self, timeout: float = 3.0) -> int | None:
        """Stop the process (SIGTERM, then SIGKILL); returns its exit code."""
        if self.proc.poll() is None:
            with contextlib.suppress(OSError):
                if self.proc.stdin:
                    self.proc.stdin.close()
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout)
        for t in self._threads:
            t.join(1.0)
        return self.proc.returncode


@contextlib.contextmanager
def start_node_server(
    ping_interval_ms: int = 25000,
    ping_timeout_ms: int = 20000,
    path: str = "/socket.io",
    port: int = 0,
    host: str = "127.0.0.1",
    trace: bool = False,
    startup_timeout: float = 15.0,
    recovery_ms: int = 0,
    parser: str = "default",
) -> Iterator[PeerServer]:
    """Run ``node tests/node/server.js`` on loopback; yields a :class:`PeerServer`
    once it listens (``.port`` set).  The process is stopped on exit.
    ``port=0`` picks a free port; pass a previous ``.port`` to restart a server
    on the same address (after the ``kill`` scenario, say). ``recovery_ms``: turn
    connectionStateRecovery on, sessions kept that long. ``parser="msgpack"``: the
    server uses socket.io-msgpack-parser."""
    require_node()
    msgpack_parser = NODE_DIR / "node_modules" / "socket.io-msgpack-parser"
    if parser == "msgpack" and not msgpack_parser.is_dir():
        _unavailable("tests/node/node_modules/socket.io-msgpack-parser is missing: "
                     "run `npm ci --prefix tests/node`")
    args = [
        node_binary() or "node",
        str(SERVER_JS),
        "--host", host,
        "--port", str(port),
        "--path", path,
        "--ping-interval", str(ping_interval_ms),
        "--ping-timeout", str(ping_timeout_ms),
        "--exit-on-stdin-eof",
    ]
    if trace:
        args.append("--trace")
    if recovery_ms:
        args += ["--recovery", str(recovery_ms)]
    if parser != "default":
        args += ["--parser", parser]
    proc = subprocess.Popen(
        args,
        cwd=str(NODE_DIR),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
    )
    srv = PeerServer(proc, host, path, args)
    try:
        srv.wait_port(startup_timeout)
        yield srv
    finally:
        srv.stop()


class OracleError(RuntimeError):
    pass


def ask(ms: int, *rest: str) -> str:
    """The --call that makes server.js ask back: emitWithAck with a timeout of ``ms``
    (its `ack_reply` observation says what came back)."""
    return 'scenario ask-with-ack %d %s {"delay": 0}' % (ms, " ".join(rest) or "question")


def server_outcome(server: PeerServer, sid: str) -> dict:
    """server.js's `ack_reply` observation for the socket ``sid``: the answer or timeout."""
    return server.wait_for("ack_reply", timeout=10, id=sid)


def flaky_run(server: PeerServer, tmp_path, ignored: int, retries: int):
    """siocli calling server.js's `flaky` with ``--retries``, the server ignoring the
    first ``ignored`` tries: (the run, its records, the tries the server saw)."""
    result = run_siocli(tmp_path, "connect", server.url, "-c", "ignore-next %d" % ignored,
                        "-c", "flaky 1", "--retries", str(retries), "--ack-timeout", "0.4",
                        "--json")
    records = json_lines(result.stdout)
    sid = of_type(records, "connect")[0]["id"]
    tries = [r for r in server.lines("event") if r["id"] == sid and r["event"] == "flaky"]
    return result, records, tries


def run_oracle(url: str, *args: str, timeout: float = 20.0) -> list[dict]:
    """Run ``node tests/node/oracle.js URL ARGS...`` to completion and return its
    JSON records (dicts with ``type``, ``namespace``, ``ts``, ``t`` (ms since the
    oracle started) and the fields of the SPEC's records: connect, connect_error,
    disconnect, event, emit, ack, reconnect_attempt, ...; last one ``exit``).
    Options: see the header of tests/node/oracle.js (``--transport``, ``--token``,
    ``--path``, ``--emit``, ``--call``, ``--disconnect-after``, ``--wait-ms``,
    ``--grace-ms``, ``--stay``, ``--no-reconnect``, ``--reconnection-delay``, ...)."""
    require_node()
    return node_records(ORACLE_JS, url, args, timeout)


def node_records(script: Path, url: str, args, timeout: float) -> list[dict]:
    """Run ``node SCRIPT URL ARGS...`` to completion and return the JSON lines it printed;
    OracleError when it times out or exits with a failure."""
    cmd = [node_binary() or "node", str(script), url, *map(str, args)]
    try:
        cp = subprocess.run(cmd, cwd=str(NODE_DIR), stdin=subprocess.DEVNULL,
                            capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise OracleError(
            f"{script.name} timed out after {timeout}s: {cmd}; stdout: {e.stdout!r}") from e
    if cp.returncode != 0:
        raise OracleError(f"{script.name} exited {cp.returncode}: {cmd}\nstderr: {cp.stderr}")
    return json_lines(cp.stdout)


def run_ns_rejoin(url: str, *args: str, timeout: float = 30.0) -> dict:
    """Run ``node tests/node/ns_rejoin.js URL ARGS...`` (the JS client leaving /chat and
    joining it again on a live connection, ``--times N``, ``--sync``) and return its
    summary: ``rounds`` (chat_id, engine_id of each), ``lost``, ``engine_ids``."""
    require_node()
    return node_records(NS_REJOIN_JS, url, args, timeout)[-1]


def run_wire_probe(url: str, *args: str, timeout: float = 20.0) -> list[dict]:
    """Run ``node tests/node/wire_probe.js URL ARGS...`` (a raw Engine.IO client
    logging frames, HTTP bodies, close codes, TCP FIN/RST) and return its records."""
    require_node()
    return node_records(WIRE_PROBE_JS, url, args, timeout)


def scenario_args(scenario: str) -> list[str]:
    """oracle.js arguments that act out ``scenario``: the client's own disconnect, or a
    ``scenario NAME`` emit that makes server.js do it."""
    if scenario == "client-disconnect":
        return ["--disconnect-after", "100"]
    return ["--emit", f"scenario {scenario}"]
