"""`siocli demo`: the serve machinery on a free loopback port, and the REPL connected to it.

The demo server is quiet (its records are not shown): the screen is the client REPL's.
`/` sends a `tick` every few seconds and acknowledges every event with its own
arguments (so `call echo ...` answers); `/private` needs auth.token "letmein", and its
connect_error says so, so the `ns /private` → `auth set` → `connect` flow can be tried.
"""

import asyncio
import itertools

from siocli import records
from siocli.serve import DebugServer, ServeConfig
from siocli.settings import ConnectSettings
from siocli.status import ExitStatus

TICK_SECONDS = 3.0
TOKEN = "letmein"
PRIVATE = "/private"
TOKEN_HINT = "type: auth set token=%s, then: connect" % TOKEN

TOUR = [
    ("emit echo hello", "send an event (ticks keep arriving meanwhile)"),
    ('call echo {"a": 1}', "send and wait for the acknowledgement"),
    ("ns %s" % PRIVATE, "switch namespace: refused, the connect_error says why"),
    ("auth set token=%s" % TOKEN, "then `connect`: %s connects" % PRIVATE),
    ("status", "namespaces, socket.ids, transport, counters"),
    ("help", "all commands (Tab completes); `quit` or Ctrl-D leaves"),
]


def demo_config():
    return ServeConfig(host="127.0.0.1", port=0, namespaces=("/", PRIVATE), token=TOKEN,
                       protected=frozenset({PRIVATE}), token_hint=TOKEN_HINT)


async def tick(server, interval=TICK_SECONDS):
    """Send `tick` {"count": n, "time": ...} to every client of `/`, forever."""
    for count in itertools.count(1):
        await asyncio.sleep(interval)
        if any(client.namespace == "/" for client in server.clients.values()):
            await server.sio.emit("tick", {"count": count, "time": records.timestamp()},
                                  namespace="/")


def tour_text(url):
    width = max(len(command) for command, _ in TOUR) + 2
    lines = [
        "siocli demo: a Socket.IO server runs in this process at %s" % url,
        "  /          sends `tick` every %g s; acks every event with its own arguments"
        % TICK_SECONDS,
        "  %-10s needs auth.token" % PRIVATE,
        "Try:",
    ]
    lines += ["  %s%s" % (command.ljust(width), what) for command, what in TOUR]
    lines.append("From another terminal: siocli connect %s" % url)
    return lines


def show_tour(output, url):
    lines = tour_text(url)
    if output.format == "rich":
        from rich.markup import escape
        from rich.panel import Panel

        body = "\n".join(escape(line) for line in lines[1:])
        body = body.replace("Try:", "[bold]Try:[/bold]")
        for command, _ in TOUR:
            body = body.replace("  " + escape(command), "  [bold cyan]%s[/]" % escape(command), 1)
        output.print_renderable(Panel(body, title=escape(lines[0]), title_align="left",
                                      border_style="dim", expand=False))
    else:
        for line in lines:
            output.notice(line)


async def run_demo(env, output):
    """The demo; an exit status (the REPL's)."""
    server = DebugServer(demo_config(), lambda record: None)
    try:
        port = await server.start()
    except OSError as exc:
        (env.stderr).write("siocli: error: the demo server cannot listen: %s\n" % exc)
        return ExitStatus.CONNECT_FAILED
    url = "http://127.0.0.1:%d" % port
    ticker = asyncio.get_running_loop().create_task(tick(server))
    try:
        if env.interactive:
            show_tour(output, url)
        else:
            output.notice(tour_text(url)[0])
        settings = ConnectSettings(url=url, namespaces=["/"], display_url=url)
        if env.interactive:
            from siocli.repl.app import run_repl

            return await run_repl(settings, env, output)
        if not env.stdin_isatty:  # commands piped in: run them as `siocli connect` would
            from siocli.batch import run_batch

            return await run_batch(settings, env, output)
        (env.stderr).write("siocli: error: the demo's REPL needs a terminal "
                           "(or pipe commands into it)\n")
        return ExitStatus.USAGE_ERROR
    finally:
        ticker.cancel()
        await asyncio.shield(server.stop())
