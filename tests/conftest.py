import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from repl_fixtures import sio_server  # noqa: E402,F401  (REPL / batch tests)
