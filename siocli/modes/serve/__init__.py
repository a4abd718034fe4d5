"""`siocli serve`: the serve core on a port, its records on the screen, and on a
terminal a REPL of its own (clients, emit, kick, status)."""

import asyncio
import contextlib
import errno
import signal

from siocli.server import DebugServer
from siocli.status import ExitStatus


def listening_notice(server):
    config = server.config
    text = "siocli serve: listening on %s (path %s, namespaces %s" % (
        server.url, config.path, ", ".join(config.namespaces))
    if config.token is not None:
        text += ", auth.token required"
    return text + ")"


async def run_serve(config, env, output, signals=None):
    """The `serve` mode with its ServeSettings; an exit status."""
    from siocli.output.serve_view import ServeView

    if output.format != "json":
        output.renderer = ServeView(output)
    server = DebugServer(config, output.emit)
    try:
        await server.start()
    except OSError as exc:
        reason = str(exc.strerror or exc).rpartition("): ")[2]
        if exc.errno == errno.EADDRINUSE or "in use" in reason:
            reason += " (--port 0 picks a free port)"
        env.error("cannot listen on %s:%s: %s" % (config.host, config.port, reason))
        return ExitStatus.CONNECT_FAILED
    output.notice(listening_notice(server), style="bold")
    hint = "try: siocli connect %s" % server.client_url()
    if env.interactive:
        output.notice(hint + "    (type `help` here; Ctrl-C or `quit` stops)")
    else:
        output.notice(hint + "    (Ctrl-C stops)")
    try:
        if env.interactive:
            from siocli.modes.serve.app import run_serve_repl

            return await run_serve_repl(server, env, output)
        return await serve_until_signal(signals)
    finally:
        await asyncio.shield(stop(server, output))


async def stop(server, output):
    count = len(server.clients)
    await server.stop()
    output.notice("siocli serve: stopped%s" % (
        " (%d client%s disconnected)" % (count, "" if count == 1 else "s") if count else ""))


async def serve_until_signal(signals):
    """Serve until SIGTERM or SIGHUP (exit 0) or SIGINT (the runner cancels us: 130)."""
    stopping = asyncio.Event()
    with contextlib.ExitStack() as stack:
        if signals is not None:  # SIGHUP too: the terminal went away, the server stops
            stack.enter_context(signals.handling(signal.SIGTERM, stopping.set))
            stack.enter_context(signals.handling(signal.SIGHUP, stopping.set))
        await stopping.wait()
    return ExitStatus.SUCCESS
