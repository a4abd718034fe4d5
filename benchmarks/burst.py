"""A burst of events on a terminal: does the connection survive, is every event recorded?

Starts the Node test peer (tests/node/server.js, its default pingInterval 25 s and
pingTimeout 20 s), runs `siocli connect URL -e "burst N" --count N --record FILE` in a
pseudo-terminal (80x24, read as fast as it writes, as a terminal would) and reports:
the wall time, the exit status, the disconnects other than the run's own, how many
events reached --record, the peak memory of the siocli process and what the screen got.

    python benchmarks/burst.py [--events 200000] [--output rich|plain|json] [--limit 180]
                               [--checkout DIR]

--checkout runs siocli from another checkout (a copy of an older version, say), so that
two versions can be compared on the same machine.
"""

import argparse
import json
import os
import pathlib
import pty
import subprocess
import sys
import tempfile
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "support"))

from node_peer import start_node_server  # noqa: E402
from siocli_run import siocli_command, siocli_env  # noqa: E402

COLUMNS, ROWS = 80, 24


def set_window_size(fd, rows, columns):
    import fcntl
    import struct
    import termios

    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))


class ScreenReader(threading.Thread):
    """Drains the terminal's master side; keeps the byte count and the last bytes."""

    def __init__(self, master):
        super().__init__(daemon=True)
        self.master = master
        self.size = 0
        self.tail = b""

    def run(self):
        while True:
            try:
                chunk = os.read(self.master, 65536)
            except OSError:  # EIO: the child closed the terminal
                return
            if not chunk:
                return
            self.size += len(chunk)
            self.tail = (self.tail + chunk)[-4000:]


def run_burst(url, events, output, limit, workdir, checkout=ROOT, record=None):
    record = record or pathlib.Path(workdir, "burst.jsonl")
    master, slave = pty.openpty()
    set_window_size(slave, ROWS, COLUMNS)
    command = siocli_command("connect", url, "-t", "websocket", "-e", "burst %d" % events,
                             "--count", events, "--wait", limit, "--record", record,
                             "-o", output)
    env = siocli_env(workdir, TERM="xterm-256color", COLUMNS=str(COLUMNS), LINES=str(ROWS),
                     PYTHONPATH=str(checkout))
    reader = ScreenReader(master)
    reader.start()
    started = time.monotonic()
    process = subprocess.Popen(command, stdin=slave, stdout=slave, stderr=slave, env=env,
                               cwd=checkout, start_new_session=True)
    os.close(slave)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    reader.join(5)
    os.close(master)
    return elapsed, process.returncode, usage, reader, record


def summarise(record):
    kinds, disconnects = {}, []
    with record.open(encoding="utf-8") as lines:
        for line in lines:
            found = json.loads(line)
            kinds[found["type"]] = kinds.get(found["type"], 0) + 1
            if found["type"] == "disconnect" and found["reason"] != "io client disconnect":
                disconnects.append(found["reason"])
    return kinds, disconnects


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200_000)
    parser.add_argument("--output", default="rich", choices=("rich", "plain", "json"))
    parser.add_argument("--limit", type=float, default=180,
                        help="seconds the run may listen before it gives up (--wait)")
    parser.add_argument("--checkout", type=pathlib.Path, default=ROOT,
                        help="run siocli from this checkout (default: this one)")
    parser.add_argument("--record", type=pathlib.Path,
                        help="keep the run's records in this file (default: a temporary one)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as workdir, start_node_server() as server:
        elapsed, status, usage, screen, record = run_burst(
            server.url, args.events, args.output, args.limit, workdir, args.checkout.resolve(),
            args.record)
        kinds, disconnects = summarise(record)
        server_saw = ["%s: %s" % (line.get("reason"), line.get("description"))
                      for line in server.lines("engine_close")]
    recorded = kinds.get("event", 0)
    peak_kib, cpu = usage.ru_maxrss, usage.ru_utime + usage.ru_stime
    result = {
        "events": args.events, "output": args.output, "seconds": round(elapsed, 2),
        "exit_status": status, "cpu_seconds": round(cpu, 2), "recorded_events": recorded,
        "all_recorded": recorded == args.events,
        "connection_survived": not disconnects, "disconnects": disconnects,
        "peak_rss_mib": round(peak_kib / 1024, 1), "screen_bytes": screen.size,
        "server_saw": server_saw, "checkout": str(args.checkout),
    }
    print("%(events)d events, -o %(output)s on a %(columns)dx%(rows)d terminal" % dict(
        result, columns=COLUMNS, rows=ROWS))
    print("  wall time            %.2f s (exit status %d)" % (elapsed, status))
    print("  siocli's CPU time    %.2f s" % cpu)
    print("  connection survived  %s%s" % (
        "yes" if not disconnects else "no", "" if not disconnects else " (%s)" % ", ".join(
            disconnects)))
    print("  events in --record   %d of %d" % (recorded, args.events))
    print("  the server saw       %s" % ("; ".join(server_saw) or "no close"))
    print("  peak memory (RSS)    %.1f MiB" % (peak_kib / 1024))
    print("  bytes to the screen  %d" % screen.size)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
