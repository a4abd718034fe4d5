"""Run tests/servers/py_server.py (a python-socketio server) and siocli itself."""

import contextlib
import json
import os
import subprocess
import sys
from pathlib import Path

from node_peer import PeerServer

ROOT = Path(__file__).resolve().parent.parent
PY_SERVER = ROOT / "tests" / "servers" / "py_server.py"


@contextlib.contextmanager
def start_py_server(ping_interval=25, ping_timeout=20, path="/socket.io", port=0, tls=None):
    """python-socketio's own server on loopback; ping values in whole seconds
    (python-engineio truncates fractions). ``tls``: (certfile, keyfile) to serve https."""
    args = [sys.executable, str(PY_SERVER), "--port", str(port), "--path", path,
            "--ping-interval", str(ping_interval), "--ping-timeout", str(ping_timeout)]
    if tls:
        args += ["--certfile", str(tls[0]), "--keyfile", str(tls[1])]
    proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, bufsize=1)
    server = PeerServer(proc, "127.0.0.1", path, args)
    try:
        server.wait_port(15)
        yield server
    finally:
        server.stop()


def run_siocli(*args, stdin=None, timeout=30, env=None):
    """`python -m siocli ARGS` in a subprocess: (exit code, JSON records, stderr)."""
    full_env = dict(os.environ, **(env or {}))
    full_env.pop("NO_COLOR", None)
    completed = subprocess.run(
        [sys.executable, "-m", "siocli", *args], input=stdin, capture_output=True, text=True,
        timeout=timeout, env=full_env, stdin=None if stdin is not None else subprocess.DEVNULL)
    parsed = []
    for line in completed.stdout.splitlines():
        try:
            parsed.append(json.loads(line))
        except ValueError:
            parsed.append({"type": "text", "line": line})
    return completed.returncode, parsed, completed.stderr


def of_type(records, kind):
    return [record for record in records if record.get("type") == kind]
