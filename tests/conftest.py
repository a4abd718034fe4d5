"""Puts tests/support (the helpers: siocli_run, py_server, node_peer, ...) on sys.path, so
that every test imports them as plain modules, and registers the ``sio_server`` and
``tls_server`` fixtures (tests/support/py_server.py) and the ``proxy`` / ``auth_proxy``
ones (tinyproxy, tests/support/proxy_server.py).

tests/unit: in-process tests, one file per module of siocli; tests/e2e: siocli as real
subprocesses (pexpect, tmux, shells); tests/oracle: the Node.js peer and the JS client.
"""

import os
import sys
from pathlib import Path

from hypothesis import settings

# CI explores the same examples every run (a failure there is reproducible); a developer's
# run explores new ones each time.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI") == "true":
    settings.load_profile("ci")

SUPPORT = Path(__file__).resolve().parent / "support"
if str(SUPPORT) not in sys.path:
    sys.path.insert(0, str(SUPPORT))

pytest_plugins = ["py_server", "proxy_server"]
