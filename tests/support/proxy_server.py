"""A real HTTP proxy on loopback for the proxy tests: tinyproxy (Debian's `tinyproxy`,
which .ci/run installs), in the foreground, logging every request it is sent.

    with start_proxy(tmp_path) as proxy:                 # or credentials=("ann", "pw")
        run_siocli(tmp_path, "connect", url, "--proxy", proxy.url, ...)
        proxy.requests()   # [("GET", "http://127.0.0.1:5000/socket.io/?..."), ("CONNECT", ...)]

Without tinyproxy the calling test is skipped with the reason (under CI=true it fails).
The fixtures ``proxy`` and ``auth_proxy`` (user ann, password s3cr3t-pw) run one per test
module (registered for every test by tests/conftest.py).
"""

import contextlib
import os
import re
import shutil
import socket
import subprocess
import time

import pytest

REQUEST = re.compile(r"Request \(file descriptor \d+\): (\S+) (\S+) HTTP/")


class Proxy:
    def __init__(self, process, port, log, credentials):
        self.process, self.port, self.log, self.credentials = process, port, log, credentials

    @property
    def url(self):
        """http://[user:password@]127.0.0.1:PORT"""
        user = "%s:%s@" % self.credentials if self.credentials else ""
        return "http://%s127.0.0.1:%d" % (user, self.port)

    @property
    def bare_url(self):
        return "http://127.0.0.1:%d" % self.port

    def requests(self):
        """(method, target) of every request the proxy was sent, in order."""
        text = self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""
        return REQUEST.findall(text)

    def forget(self):
        """Start counting afresh (the log is emptied)."""
        self.log.write_text("")


def require_tinyproxy():
    if shutil.which("tinyproxy"):
        return
    reason = "tinyproxy is not installed (apt-get install tinyproxy; .ci/run does it)"
    if os.environ.get("CI") == "true":
        pytest.fail("proxy tests under CI: " + reason, pytrace=False)
    pytest.skip(reason)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def listening(port):
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
        return True
    return False


@contextlib.contextmanager
def start_proxy(folder, credentials=None, settings=()):
    """tinyproxy on a free loopback port (with Basic auth when ``credentials`` is given,
    and ``settings``, more lines of its configuration), stopped on exit."""
    require_tinyproxy()
    folder.mkdir(parents=True, exist_ok=True)
    log = folder / "tinyproxy.log"
    for _ in range(5):  # a free port may be taken between choosing it and tinyproxy binding it
        port = free_port()
        config = folder / "tinyproxy.conf"
        lines = ["Port %d" % port, "Listen 127.0.0.1", "Timeout 60", 'LogFile "%s"' % log,
                 "LogLevel Info", "MaxClients 100", "Allow 127.0.0.1"]
        if credentials:
            lines.append("BasicAuth %s %s" % credentials)
        lines.extend(settings)
        config.write_text("\n".join(lines) + "\n")
        process = subprocess.Popen(["tinyproxy", "-d", "-c", str(config)],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 10
        while process.poll() is None and not listening(port) and time.monotonic() < deadline:
            time.sleep(0.05)
        if process.poll() is None and listening(port):
            break
        process.kill()
        process.wait()
    else:
        raise RuntimeError("tinyproxy did not start: %s" % process.stderr.read())
    proxy = Proxy(process, port, log, credentials)
    proxy.forget()
    try:
        yield proxy
    finally:
        process.terminate()
        try:
            process.wait(5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


@pytest.fixture(scope="module")
def proxy(tmp_path_factory):
    """tinyproxy without auth, one per test module."""
    with start_proxy(tmp_path_factory.mktemp("proxy")) as server:
        yield server


@pytest.fixture(scope="module")
def auth_proxy(tmp_path_factory):
    """tinyproxy asking for Basic auth: user ann, password s3cr3t-pw."""
    with start_proxy(tmp_path_factory.mktemp("auth-proxy"), ("ann", "s3cr3t-pw")) as server:
        yield server
