"""Helpers of the serve and demo tests: `siocli serve` as a real subprocess."""

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time

from repl_fixtures import siocli_env as clean_env

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LISTENING = re.compile(r"listening on http://([^ ]+):(\d+) ")


class ServeProcess:
    """`python -m siocli serve --port 0 --json ARGS`: records from stdout, notices on stderr."""

    def __init__(self, tmp_path, *args):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "siocli", "serve", "--port", "0", "--json", *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True, cwd=ROOT, env=clean_env(tmp_path))
        self.records = []
        self.notices = []
        self._cond = threading.Condition()
        self.port = None
        for target in (self._read_stdout, self._read_stderr):
            threading.Thread(target=target, daemon=True).start()
        with self._cond:
            self._cond.wait_for(lambda: self.port or self.proc.poll() is not None, 15)
        if not self.port:
            self.stop()
            raise RuntimeError("siocli serve did not start: %s" % "\n".join(self.notices))

    @property
    def url(self):
        return "http://127.0.0.1:%d" % self.port

    def _read_stdout(self):
        for line in self.proc.stdout:
            if line.strip():
                with self._cond:
                    self.records.append(json.loads(line))
                    self._cond.notify_all()

    def _read_stderr(self):
        for line in self.proc.stderr:
            with self._cond:
                self.notices.append(line.rstrip("\n"))
                match = LISTENING.search(line)
                if match and not self.port:
                    self.port = int(match.group(2))
                self._cond.notify_all()
        with self._cond:
            self._cond.notify_all()

    def wait_for(self, kind, timeout=10, **fields):
        def find():
            for record in self.records:
                if record["type"] == kind and all(record.get(k) == v for k, v in fields.items()):
                    return record
            return None

        with self._cond:
            found = self._cond.wait_for(find, timeout)
        assert found, "no %s record %s; records: %r; notices: %r" % (
            kind, fields, self.records, self.notices)
        return found

    def of(self, kind):
        with self._cond:
            return [r for r in self.records if r["type"] == kind]

    def stop(self, sig=signal.SIGINT, timeout=10):
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        time.sleep(0.05)
        return self.proc.returncode


def run_siocli(tmp_path, *args, timeout=20, input=None):
    return subprocess.run([sys.executable, "-m", "siocli", *args], input=input,
                          capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env=clean_env(tmp_path))


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.strip()]
