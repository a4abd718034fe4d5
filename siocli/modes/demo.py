"""`siocli demo`: the serve machinery on a free loopback port, and the REPL connected to it.

The demo server is quiet (its records are not shown): the screen is the client REPL's.
`/` sends a `tick` every few seconds and acknowledges every event with its own
arguments (so `call echo ...` answers); `/private` needs auth.token "letmein", and its
connect_error says so, so the `ns /private` → `auth set` → `connect` flow can be tried.
"""

import asyncio
import contextlib
import itertools

from siocli import records
from siocli.output.tables import PanelData
from siocli.server import DebugServer
from siocli.settings import ConnectSettings, ServeSettings

TICK_SECONDS = 3.0
TOKEN = "letmein"
PRIVATE = "/private"
TOKEN_HINT = "type: auth set token=%s, then: connect" % TOKEN

TOUR = [
    ("emit echo hello", "send an event (ticks keep arriving meanwhile)"),
    ('call echo {"a": 1}', "send and wait for the acknowledgement"),
    ("ns %s" % PRIVATE, "switch to it: refused, the connect_error says why"),
    ("auth set token=%s" % TOKEN, "then `connect`: %s connects" % PRIVATE),
    ("status", "namespaces, socket.ids, transport, counters"),
    ("help", "every command (Tab completes); Ctrl-D leaves"),
]

def demo_config():
    return ServeSettings(host="127.0.0.1", port=0, namespaces=("/", PRIVATE), token=TOKEN,
                       protected=frozenset({PRIVATE}), token_hint=TOKEN_HINT)


async def tick(server, interval=TICK_SECONDS):
    """Send `tick` {"count": n, "time": ...} to every client of `/`, forever."""
    for count in itertools.count(1):
        await asyncio.sleep(interval)
        if any(client.namespace == "/" for client in server.clients.values()):
            await server.sio.emit("tick", {"count": count, "time": records.timestamp()},
                                  namespace="/")


def tour_rows(url):
    """The tour's lines, each a tuple of (text, role) segments (PanelData's)."""
    width = max(len(command) for command, _ in TOUR) + 2
    rows = [
        (("a Socket.IO server runs in this process at %s" % url, ""),),
        (("  %-11s" % "/", ""), ("sends `tick` every %g s; acks every event with its own "
                                 "arguments" % TICK_SECONDS, "")),
        (("  %-11s" % PRIVATE, ""), ("needs auth.token", "")),
        (("Try:", "heading"),),
    ]
    rows += [(("  ", ""), (command, "command"), (" " * (width - len(command)) + what, ""))
             for command, what in TOUR]
    rows.append((("From another terminal: siocli connect %s" % url, ""),))
    return rows


def tour_text(url):
    """The tour as plain lines, the first one naming the server's URL."""
    first, *rest = ["".join(text for text, _ in segments) for segments in tour_rows(url)]
    return ["siocli demo: " + first] + rest


def tour_panel(url):
    """The tour as a panel: commands and "Try:" stand out; the URL is in the body, whole."""
    return PanelData("siocli demo", tuple(tour_rows(url)))


@contextlib.asynccontextmanager
async def demo_server(env, output):
    """The demo server running, with its tour shown; yields the client's settings, or
    None when the server cannot listen (said on stderr)."""
    server = DebugServer(demo_config(), lambda record: None)
    try:
        port = await server.start()
    except OSError as exc:
        env.error("the demo server cannot listen: %s" % exc)
        yield None
        return
    url = "http://127.0.0.1:%d" % port
    ticker = asyncio.get_running_loop().create_task(tick(server))
    try:
        if env.interactive:
            output.panel(tour_panel(url))
        else:
            output.notice(tour_text(url)[0])
        yield ConnectSettings(url=url, namespaces=("/",), display_url=url)
    finally:
        ticker.cancel()
        await asyncio.shield(server.stop())
