"""siocli side by side with a raw python-socketio script and the Node.js client, in one run.

    python benchmarks/run.py [--runs 5] [--flood-runs 1] [--quick] [--json FILE]

Starts the Node test peer itself (tests/node/server.js; `npm ci --prefix tests/node`
first) and times, against it, the same work done by siocli (commands piped on stdin and
scripted flags; `--json` into a file and rich on a pseudo-terminal), by the minimal
python-socketio script benchmarks/raw_python.py and by the minimal socket.io-client
script benchmarks/raw_node.js:

  calls     5,000 sequential calls of `echo {"i": 1}`
  emits     5,000 emits, then one call whose ack proves the server had them all
  receive   50,000 `tick` events the server sends at once (`burst N`)
  start-up  `siocli --help`, the completion callback (TAB), a whole `siocli connect URL -e x`
  flood     peak memory while 200,000 events arrive (benchmarks/burst.py's measurement)
  bench     `siocli bench --call echo -c 64` against the raw script's 64 pipelined calls
            and the Node client's sequential calls

Every time is the median of --runs runs (the clients interleaved, so that a busy moment
of the machine does not fall on one client only); `total` is the whole process, from
start to exit, and `work` is total minus the median of a run doing one call, emit or
event (start-up, connecting and disconnecting). Ratios are to the raw python-socketio
script. Prints markdown tables (docs/benchmarks.md holds a run of them) and the
targets met or missed; --json FILE keeps every measurement. --quick: tiny sizes, one
run: a smoke test of this script, not a measurement.

Python runs with its bytecode cache (in a temporary directory), as an installed siocli
does: the checkout's environment may say PYTHONDONTWRITEBYTECODE.
"""

import argparse
import contextlib
import json
import os
import pathlib
import platform
import pty
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from burst import ScreenReader, run_burst, set_window_size, summarise  # noqa: E402

from node_peer import NODE_DIR, SERVER_JS, node_binary, node_missing_reason  # noqa: E402
from siocli_run import siocli_env  # noqa: E402

# the console script's own lines: `from siocli.cli import main; main()` as `siocli`
SIOCLI = [sys.executable, "-c",
          "import sys; sys.argv[0] = 'siocli'; from siocli.cli import main; main()"]
RAW_PYTHON = [sys.executable, str(HERE / "raw_python.py")]
RAW_NODE = [node_binary() or "node", str(HERE / "raw_node.js")]
CALL_LINE = 'call echo {"i": 1}'
EMIT_LINE = 'emit noop {"i": 1}'
PTY_SIZE = (40, 120)

FULL = {"calls": 5000, "emits": 5000, "receive": 50000, "flood": 200000, "bench": 20000,
        "concurrency": 64}
QUICK = {"calls": 20, "emits": 20, "receive": 200, "flood": 2000, "bench": 200,
         "concurrency": 8}

TARGETS = {
    "calls": 1.10, "emits": 1.10, "receive_json": 1.10, "startup": 1.3, "oneshot": 1.2,
    "flood_mib": 150, "bench_vs_raw": 0.9, "rich_events_per_second": 20000,
}


class Failed(RuntimeError):
    pass


# -- processes -----------------------------------------------------------------------


class Run:
    """One finished process: wall seconds, peak RSS (KiB), exit status, what it wrote."""

    def __init__(self, seconds, peak_kib, status, output, screen_bytes=0):
        self.seconds = seconds
        self.peak_kib = peak_kib
        self.status = status
        self.output = output
        self.screen_bytes = screen_bytes


def run_process(argv, env, stdin_path=None, screen="file", workdir=None, timeout=600,
                extra_env=None):
    """Run ``argv`` to its end; ``screen``: "file" (stdout into a file, read back),
    "null" or "pty" (stdout and stderr on a pseudo-terminal, drained as a terminal
    would)."""
    env = dict(env, **(extra_env or {}))
    out_path = pathlib.Path(workdir or tempfile.gettempdir(), "stdout.txt")
    reader = master = None
    with contextlib.ExitStack() as stack:
        stdin = (stack.enter_context(open(stdin_path, "rb")) if stdin_path
                 else subprocess.DEVNULL)
        if screen == "pty":
            master, slave = pty.openpty()
            stack.callback(os.close, slave)
            set_window_size(slave, *PTY_SIZE)
            env.update(TERM="xterm-256color", COLUMNS=str(PTY_SIZE[1]), LINES=str(PTY_SIZE[0]))
            reader = ScreenReader(master)
            reader.start()
            stdout = stderr = slave
        elif screen == "file":
            stdout, stderr = stack.enter_context(open(out_path, "wb")), subprocess.PIPE
        else:
            stdout, stderr = subprocess.DEVNULL, subprocess.PIPE
        started = time.perf_counter()
        process = subprocess.Popen(argv, stdin=stdin, stdout=stdout, stderr=stderr, env=env,
                                   cwd=ROOT, start_new_session=screen == "pty")
    # our copies of the child's ends are closed: the pty reader sees EOF when it exits
    killer = threading.Timer(timeout, process.kill)
    killer.start()
    errors = process.stderr.read() if process.stderr else b""
    _, wait_status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    killer.cancel()
    process.returncode = os.waitstatus_to_exitcode(wait_status)
    if process.stderr:
        process.stderr.close()
    screen_bytes = 0
    if reader is not None:
        reader.join(5)
        os.close(master)
        screen_bytes = reader.size
    output = out_path.read_text(errors="replace") if screen == "file" else ""
    if process.returncode != 0:
        raise Failed("%s exited %s: %s" % (" ".join(map(str, argv[-6:])), process.returncode,
                                          errors.decode(errors="replace")[-500:]))
    return Run(seconds, usage.ru_maxrss, process.returncode, output, screen_bytes)


@contextlib.contextmanager
def node_server(workdir):
    """tests/node/server.js on a free loopback port. Its log (a line per event it sees)
    goes to a file: a reader parsing it would take CPU from the clients measured."""
    reason = node_missing_reason()
    if reason:
        raise SystemExit("cannot start the Node test peer: " + reason)
    log = pathlib.Path(workdir, "server.log")
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [node_binary(), str(SERVER_JS), "--port", "0", "--exit-on-stdin-eof"],
            cwd=NODE_DIR, stdin=subprocess.PIPE, stdout=out, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        port = None
        while port is None and time.monotonic() < deadline and process.poll() is None:
            first = log.read_text().partition("\n")
            if first[1]:
                port = json.loads(first[0])["port"]
            else:
                time.sleep(0.05)
        if port is None:
            raise SystemExit("the Node test peer did not start")
        yield "http://127.0.0.1:%d" % port
    finally:
        process.stdin.close()
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# -- the clients ---------------------------------------------------------------------


def commands_file(workdir, name, lines):
    path = pathlib.Path(workdir, name)
    path.write_text("".join(line + "\n" for line in lines))
    return path


def check_records(kind, count):
    def check(run):
        found = sum(1 for line in run.output.splitlines() if '"type":"%s"' % kind in line)
        if found < count:
            raise Failed("expected %d %s records, got %d" % (count, kind, found))
    return check


def work_clients(work, n, url, workdir):
    """{client: (argv, options, check)} doing ``work`` of size ``n``."""
    ws = ["-t", "websocket"]
    clients = {
        "node socket.io-client": (RAW_NODE + [url, work, str(n)], {"screen": "null"}, None),
        "raw python-socketio": (RAW_PYTHON + [url, work, str(n)], {"screen": "null"}, None),
    }
    if work == "receive":
        base = SIOCLI + ["connect", url, *ws, "-e", "burst %d" % n, "--count", str(n)]
        clients["siocli --json > file"] = (base + ["--json"], {}, check_records("event", n))
        clients["siocli rich on a pty"] = (base, {"screen": "pty"}, None)
        return clients
    if work == "calls":
        lines = [CALL_LINE] * n
        expected = check_records("ack", n)
    else:
        lines = [EMIT_LINE] * n + ['call echo "done"']
        expected = check_records("ack", 1)
    piped = commands_file(workdir, "%s-%d.txt" % (work, n), lines)
    flags = []
    for line in lines:
        verb, _, rest = line.partition(" ")
        flags += ["-c" if verb == "call" else "-e", rest]
    connect = SIOCLI + ["connect", url, *ws]
    clients.update({
        "siocli piped, --json > file": (connect + ["--json"], {"stdin_path": piped}, expected),
        "siocli piped, rich on a pty": (connect, {"stdin_path": piped, "screen": "pty"}, None),
        "siocli flags, --json > file": (connect + flags + ["--json"], {}, expected),
        "siocli flags, rich on a pty": (connect + flags, {"screen": "pty"}, None),
    })
    return clients


def measure(clients, runs, env, workdir, results, failures=None):
    """Interleaved runs of every client; {client: [Run]} added to ``results``. A run that
    fails (exit status, missing records) is left out and its reason kept in
    ``failures`` {client: [reason]}."""
    failures = {} if failures is None else failures
    for name in clients:
        results.setdefault(name, [])
    for _ in range(runs):
        for name, (argv, options, check) in clients.items():
            try:
                run = run_process(argv, env, workdir=workdir, **options)
                if check is not None:
                    check(run)
            except Failed as failure:
                failures.setdefault(name, []).append(str(failure))
                continue
            results[name].append(run)
    return results


def median(runs, field="seconds"):
    return statistics.median(getattr(run, field) for run in runs)


# -- the rows ------------------------------------------------------------------------


def work_row(work, n, url, runs, env, workdir):
    """Total and work time of each client for ``work`` of size ``n``."""
    failures = {}
    full = measure(work_clients(work, n, url, workdir), runs, env, workdir, {}, failures)
    one = measure(work_clients(work, 1, url, workdir), runs, env, workdir, {}, failures)
    rows = {}
    for name, measured in full.items():
        if not measured or not one[name]:
            rows[name] = {"failed": "; ".join(failures.get(name, ["no run"]))[:300]}
            continue
        total, base = median(measured), median(one[name])
        rows[name] = {"total": total, "work": max(total - base, 1e-6), "one": base,
                      "per_second": n / max(total - base, 1e-6),
                      "peak_mib": median(measured, "peak_kib") / 1024,
                      "runs": [round(run.seconds, 4) for run in measured]}
        if failures.get(name):
            rows[name]["failed_runs"] = failures[name]
    raw = rows["raw python-socketio"]
    if "total" not in raw:
        raise Failed("the raw python-socketio script failed: %s" % raw["failed"])
    for row in rows.values():
        if "total" in row:
            row["x_total"] = row["total"] / raw["total"]
            row["x_work"] = row["work"] / raw["work"]
    return rows


def startup_row(url, runs, env, workdir):
    completion = {"_SIOCLI_COMPLETE": "bash_complete", "COMP_WORDS": "siocli connect --re",
                  "COMP_CWORD": "2"}
    clients = {
        'python -c "import click"': ([sys.executable, "-c", "import click"],
                                     {"screen": "null"}, None),
        "siocli --help": (SIOCLI + ["--help"], {"screen": "null"}, None),
        "siocli completion callback (TAB)": (SIOCLI, {"screen": "null",
                                                      "extra_env": completion}, None),
        "raw python-socketio: connect, emit x, disconnect": (
            RAW_PYTHON + [url, "oneshot"], {"screen": "null"}, None),
        "siocli connect URL -e x": (SIOCLI + ["connect", url, "-e", "x"], {"screen": "null"},
                                    None),
        "node socket.io-client: connect, emit x, disconnect": (
            RAW_NODE + [url, "oneshot"], {"screen": "null"}, None),
    }
    failures = {}
    measured = measure(clients, runs, env, workdir, {}, failures)
    rows = {name: {"total": median(found), "runs": [round(r.seconds, 4) for r in found]}
            if found else {"failed": "; ".join(failures.get(name, ["no run"]))[:300]}
            for name, found in measured.items()}
    click = rows['python -c "import click"'].get("total")
    oneshot = rows["raw python-socketio: connect, emit x, disconnect"].get("total")
    if not (click and oneshot):
        raise Failed("a baseline failed: %s" % failures)
    for name, row in rows.items():
        if "total" in row:
            row["x_base"] = row["total"] / (oneshot if "connect" in name else click)
    return rows


def flood_row(n, url, runs, env, workdir):
    """Peak memory while ``n`` events arrive: siocli rich on a pty with --record (the
    measurement of benchmarks/burst.py), siocli --json into a file, the raw scripts."""
    rows, notes = {}, {}
    burst_runs, burst = [], "siocli rich on a pty + --record (burst.py)"
    for _ in range(runs):
        # --wait 120: a run whose connection broke does not wait for events that never come
        elapsed, status, usage, screen, record = run_burst(url, n, "rich", 120, workdir)
        peak_kib = getattr(usage, "ru_maxrss", usage)  # an rusage, or (before) the peak
        kinds, disconnects = summarise(record)
        record.unlink()
        if status != 0 or kinds.get("event", 0) != n or disconnects:
            notes.setdefault(burst, []).append(
                "exit %s, %s of %s events recorded, disconnects: %s" % (
                    status, f"{kinds.get('event', 0):,}", f"{n:,}",
                    ", ".join(disconnects) or "none"))
        burst_runs.append(Run(elapsed, peak_kib, status, "", screen.size))
    rows[burst] = burst_runs
    clients = {
        "siocli --json > file": (
            SIOCLI + ["connect", url, "-t", "websocket", "-e", "burst %d" % n, "--count",
                      str(n), "--json"], {}, check_records("event", n)),
        "raw python-socketio": (RAW_PYTHON + [url, "receive", str(n)], {"screen": "null"},
                                None),
        "node socket.io-client": (RAW_NODE + [url, "receive", str(n)], {"screen": "null"},
                                  None),
    }
    rows.update(measure(clients, runs, env, workdir, {}, notes))
    return {name: dict({"total": median(found), "peak_mib": median(found, "peak_kib") / 1024,
                        "per_second": n / median(found)} if found else {},
                       **({"notes": notes[name]} if name in notes else {}))
            for name, found in rows.items()}


def bench_row(n, concurrency, url, runs, env, workdir):
    """Acks per second (the work itself, start-up left out) of siocli bench -c, the raw
    script's pipelined calls and the Node client's sequential calls."""
    clients = {
        "siocli bench --call echo -c %d" % concurrency: (
            SIOCLI + ["bench", url, "--call", 'echo {"i": 1}', "-n", str(n), "-c",
                      str(concurrency), "-t", "websocket", "--json"], {}, None),
        "raw python-socketio, %d pipelined" % concurrency: (
            RAW_PYTHON + [url, "pipelined", str(n), str(concurrency)], {}, None),
        "node socket.io-client, sequential": (RAW_NODE + [url, "calls", str(n)], {}, None),
        "node socket.io-client, %d pipelined" % concurrency: (
            RAW_NODE + [url, "pipelined", str(n), str(concurrency)], {}, None),
    }
    failures = {}
    measured = measure(clients, runs, env, workdir, {}, failures)
    rows = {}
    for name, found in measured.items():
        if not found:
            rows[name] = {"failed": "; ".join(failures.get(name, ["no run"]))[:300]}
            continue
        rates = []
        for run in found:
            summary = json.loads(run.output.strip().splitlines()[-1])
            if summary.get("type") == "bench":
                if summary["completed"] != n:
                    failures.setdefault(name, []).append(
                        "%s of %d acked" % (summary["completed"], n))
                    continue
                rates.append(summary["per_second"])
            else:
                rates.append(n / summary["seconds"])
        if not rates:
            rows[name] = {"failed": "; ".join(failures.get(name, ["no run"]))[:300]}
            continue
        rows[name] = {"per_second": statistics.median(rates), "total": median(found),
                      "rates": [round(rate) for rate in rates]}
    raw = rows["raw python-socketio, %d pipelined" % concurrency].get("per_second")
    if not raw:
        raise Failed("the raw python-socketio script failed: %s" % failures)
    for row in rows.values():
        if "per_second" in row:
            row["x_raw"] = row["per_second"] / raw
    return rows


# -- the report ----------------------------------------------------------------------


def machine():
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in pathlib.Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError):
        for line in pathlib.Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = ", %.0f GiB" % (int(line.split()[1]) / 1024 / 1024)
    from importlib import metadata

    node = subprocess.run([node_binary() or "node", "--version"], capture_output=True,
                          text=True).stdout.strip()
    return "%s, %d cores%s; %s; Python %s, python-socketio %s, aiohttp %s; Node %s" % (
        cpu, os.cpu_count() or 0, memory, platform.platform(terse=True),
        platform.python_version(), metadata.version("python-socketio"),
        metadata.version("aiohttp"), node)


def load_average():
    with contextlib.suppress(OSError):
        return " ".join(pathlib.Path("/proc/loadavg").read_text().split()[:3])
    return "?"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def measurable(row, rows=None):
    """Whether a work time (and, with ``rows``, the raw script's) is long enough to
    divide by: a few milliseconds are start-up noise."""
    rows = rows or {}
    return min(row["work"], rows.get("raw python-socketio", row)["work"]) >= 0.005


def runs_text(runs):
    return "median of %d runs" % runs if runs > 1 else "one run"


def report(results, sizes, runs):
    out, notes = [], []

    def section(key, heading, header, cells):
        out.append("### %s\n" % heading)
        rows = results.get(key)
        if not isinstance(rows, dict) or "failed" in rows:
            out.append("failed: %s\n" % (rows or {}).get("failed", "not measured"))
            return
        lines = []
        for name, row in rows.items():
            if "total" not in row:
                lines.append((name, "failed: %s" % row.get("failed", "no run"))
                             + ("",) * (len(header) - 2))
            else:
                lines.append((name,) + cells(row, rows))
            for note in row.get("notes", []) + row.get("failed_runs", []):
                notes.append("%s, %s: %s" % (heading.split(" (")[0], name, note))
        out.append(table(header, lines))
        out.append("")

    def work_cells(row, rows):
        return ("%.3f s" % row["total"], "%.2f" % row["x_total"], "%.3f s" % row["work"],
                "%.2f" % row["x_work"] if measurable(row, rows) else "-",
                f"{row['per_second']:,.0f}" if measurable(row) else "-",
                "%.0f MiB" % row["peak_mib"])

    for work, title in (("calls", "%s sequential calls" % f"{sizes['calls']:,}"),
                        ("emits", "%s emits, then one call" % f"{sizes['emits']:,}"),
                        ("receive", "%s received events" % f"{sizes['receive']:,}")):
        section(work, "%s (%s)" % (title, runs_text(runs)),
                ("client", "total", "× raw", "work", "× raw (work)", "per second (work)",
                 "peak RSS"), work_cells)
    section("startup", "start-up (%s)" % runs_text(results.get("startup_runs", 1)),
            ("command", "total", "× base"),
            lambda row, rows: ("%.3f s" % row["total"], "%.2f" % row["x_base"]))
    out.append("× base: to `python -c \"import click\"` for --help and completion, to the "
               "raw script's whole run for `connect -e x`.\n")
    section("flood", "%s-event flood (%s)" % (f"{sizes['flood']:,}",
                                              runs_text(results.get("flood_runs", 1))),
            ("client", "total", "events/s", "peak RSS"),
            lambda row, rows: ("%.2f s" % row["total"], f"{row['per_second']:,.0f}",
                               "%.0f MiB" % row["peak_mib"]))
    section("bench", "bench: %s calls of `echo` (%s)" % (f"{sizes['bench']:,}",
                                                         runs_text(runs)),
            ("client", "acks/s", "× raw pipelined"),
            lambda row, rows: (f"{row['per_second']:,.0f}", "%.2f" % row["x_raw"]))
    if notes:
        out.append("Runs that went wrong (left out of the medians, or noted):\n")
        out.extend("- %s" % note for note in notes)
    return "\n".join(out)


def verdicts(results, sizes):
    """(target, measured, met) for each target of the performance issue; a target whose
    measurement failed is not met."""
    found = []

    def row_of(key, name):
        rows = results.get(key)
        return rows.get(name, {}) if isinstance(rows, dict) else {}

    def add(target, key, name, field, fmt, met):
        row = row_of(key, name)
        if key not in results:
            found.append((target, "not measured", False))
        elif field not in row:
            found.append((target, "failed: %s" % "; ".join(
                row.get("notes", []) or [row.get("failed", "not measured")])[:200], False))
        else:
            found.append((target, fmt % row[field] if "%" in fmt else fmt.format(row[field]),
                          met(row[field])))

    for work in ("calls", "emits"):
        rows = results.get(work) if isinstance(results.get(work), dict) else {}
        for name in rows:
            if name.startswith("siocli"):
                add("%s, %s: ≤ %.2f× raw (total)" % (work, name, TARGETS[work]), work, name,
                    "x_total", "%.2f", lambda value, w=work: value <= TARGETS[w])
    add("receive, siocli --json: ≤ %.2f× raw (total)" % TARGETS["receive_json"], "receive",
        "siocli --json > file", "x_total", "%.2f",
        lambda value: value <= TARGETS["receive_json"])
    rate = TARGETS["rich_events_per_second"]
    add("receive, rich on a pty: keeps up with %s events/s (work), connection kept" % (
        f"{rate:,}"), "receive", "siocli rich on a pty", "per_second", "{:,.0f}/s",
        lambda value: value >= rate)
    for name in ("siocli --help", "siocli completion callback (TAB)"):
        add("%s: ≤ %.1f× import click" % (name, TARGETS["startup"]), "startup", name, "x_base",
            "%.2f", lambda value: value <= TARGETS["startup"])
    add("siocli connect URL -e x: ≤ %.1f× the raw script's whole run" % TARGETS["oneshot"],
        "startup", "siocli connect URL -e x", "x_base", "%.2f",
        lambda value: value <= TARGETS["oneshot"])
    flood = results.get("flood") if isinstance(results.get("flood"), dict) else {}
    for name, row in flood.items():
        if name.startswith("siocli"):
            kept = not row.get("notes")
            add("%s-event flood, %s: peak < %d MiB%s" % (
                f"{sizes['flood']:,}", name, TARGETS["flood_mib"],
                "" if kept else " (and every event, connection kept)"), "flood", name,
                "peak_mib", "%.0f MiB", lambda value, k=kept: k and value < TARGETS["flood_mib"])
    bench = results.get("bench") if isinstance(results.get("bench"), dict) else {}
    siocli = next((name for name in bench if name.startswith("siocli")), None)
    add("bench -c %d: ≥ %.1f× raw pipelined" % (sizes["concurrency"], TARGETS["bench_vs_raw"]),
        "bench", siocli, "x_raw", "%.2f", lambda value: value >= TARGETS["bench_vs_raw"])
    sequential = row_of("bench", "node socket.io-client, sequential").get("per_second")
    add("bench -c %d: more acks/s than the Node client's sequential calls (%s/s)" % (
        sizes["concurrency"], f"{sequential:,.0f}" if sequential else "?"), "bench", siocli,
        "per_second", "{:,.0f}/s", lambda value: sequential is not None and value > sequential)
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (5)")
    parser.add_argument("--flood-runs", type=int, default=1,
                        help="runs of the 200,000-event flood (1: it takes a while)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes and one run: checks that this script works")
    parser.add_argument("--json", metavar="FILE", help="write every measurement to FILE")
    parser.add_argument("--only", action="append", metavar="ROW",
                        choices=("calls", "emits", "receive", "startup", "flood", "bench"),
                        help="measure only this row (repeatable)")
    args = parser.parse_args()
    sizes = QUICK if args.quick else FULL
    runs = 1 if args.quick else max(args.runs, 1)
    flood_runs = 1 if args.quick else max(args.flood_runs, 1)
    with tempfile.TemporaryDirectory(prefix="siocli-bench-") as workdir:
        env = siocli_env(workdir, PYTHONPYCACHEPREFIX=str(pathlib.Path(workdir, "pycache")))
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # burst.py's runs inherit it
        os.environ["PYTHONPYCACHEPREFIX"] = env["PYTHONPYCACHEPREFIX"]
        results = {"machine": machine(), "load_before": load_average(), "sizes": sizes,
                   "runs": runs}
        rows = (
            ("calls", lambda: work_row("calls", sizes["calls"], url, runs, env, workdir)),
            ("emits", lambda: work_row("emits", sizes["emits"], url, runs, env, workdir)),
            ("receive", lambda: work_row("receive", sizes["receive"], url, runs, env, workdir)),
            ("startup", lambda: startup_row(url, results["startup_runs"], env, workdir)),
            ("flood", lambda: flood_row(sizes["flood"], url, flood_runs, env, workdir)),
            ("bench", lambda: bench_row(sizes["bench"], sizes["concurrency"], url, runs, env,
                                        workdir)),
        )
        results["startup_runs"] = 1 if args.quick else max(runs, 10)
        results["flood_runs"] = flood_runs
        with node_server(workdir) as url:
            # a first run of each client: bytecode compiled, files in the page cache
            measure(work_clients("calls", 2, url, workdir), 1, env, workdir, {})
            for key, row in rows:
                if args.only and key not in args.only:
                    continue
                print("measuring %s..." % key, file=sys.stderr)
                try:
                    results[key] = row()
                except Failed as failure:
                    results[key] = {"failed": str(failure)}
                if args.json:
                    pathlib.Path(args.json).write_text(json.dumps(results, indent=1,
                                                                  default=str))
        results["load_after"] = load_average()
    print("Machine: %s" % results["machine"])
    print("Load average before / after: %s / %s\n" % (results["load_before"],
                                                      results["load_after"]))
    print(report(results, sizes, runs))
    print("\n### targets\n")
    found = verdicts(results, sizes)
    print(table(("target", "measured", "met"),
                [(target, value, "yes" if met else "**no**") for target, value, met in found]))
    if args.json:
        results["targets"] = [{"target": t, "measured": v, "met": m} for t, v, m in found]
        pathlib.Path(args.json).write_text(json.dumps(results, indent=1, default=str))


if __name__ == "__main__":
    main()
