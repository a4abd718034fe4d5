"""Which Socket.IO parser a server speaks, asked of the server itself.

A server closes the connection when it cannot decode a namespace CONNECT, which is all a
client with the wrong parser sees. When that happens siocli opens one polling session of
its own (engine_wire.EngineClient: `doctor` passes its own, `connect` one on a session
set up as its connections') and sends a CONNECT written with the other parser: an answer
the other parser reads (a CONNECT or CONNECT_ERROR) tells for sure that the server uses
it.
"""

import asyncio

from siocli.client import engine_wire, probe_parser

PROBE_SECONDS = 3.0


async def uses_other_parser(engine, parser, namespace, timeout=PROBE_SECONDS):
    """True when the server behind ``engine`` answers a CONNECT of ``namespace`` written
    with the parser other than ``parser``; False when it does not, or cannot be asked."""
    import aiohttp

    other = probe_parser.other(parser)
    try:
        async with asyncio.timeout(timeout):
            handshake = await engine.poll()
            open_packet = (engine_wire.open_packet_of(handshake.body)
                           if handshake.status == 200 else None)
            if open_packet is None:
                return False
            sid = open_packet["sid"]
            await engine.poll("POST", sid, probe_parser.polling_packet(
                probe_parser.connect_message(other, namespace, {})))
            received = await engine.poll("GET", sid)
            found = any(probe_parser.namespace_answer(other, packet, namespace)
                        for packet in engine_wire.packets_of(received.body))
            await engine.close_session(sid)
            return found
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError, KeyError, TypeError):
        return False


async def hint(settings, ssl=None):
    """What to add to the connect_error of a CONNECT the server closed the connection on:
    which parser to use, when the server answers the other one; else nothing."""
    import aiohttp

    from siocli.client import hooks

    timeout = min(settings.connect_timeout, PROBE_SECONDS)
    try:  # the session siocli's connections use (TLS options, proxy), watched by no one
        async with hooks.create_http_session(hooks.WireObserver(), ssl=ssl,
                                             proxy=settings.proxy) as http:
            engine = engine_wire.EngineClient(http, settings.url, settings.path,
                                              settings.headers, timeout)
            found = await uses_other_parser(engine, settings.parser, settings.namespace,
                                            timeout)
    except (aiohttp.ClientError, OSError):
        found = False
    return ": " + probe_parser.other_parser_fix(settings.parser, "connect") if found else ""
