"""Which Socket.IO parser a server speaks, asked of the server itself.

A server closes the connection when it cannot decode a namespace CONNECT, which is all a
client with the wrong parser sees. When that happens siocli opens one polling session of
its own and sends a CONNECT written with the other parser: an answer the other parser
reads (a CONNECT or CONNECT_ERROR) tells for sure that the server uses it.
"""

import asyncio
import json
import urllib.parse

import aiohttp

from siocli.client import hooks, packets, probe_parser

RECORD_SEPARATOR = "\x1e"
OTHER = {"default": "msgpack", "msgpack": "default"}
HINTS = {
    "default": ": the server seems to use socket.io-msgpack-parser: try --parser msgpack",
    "msgpack": ": the server seems to use the default parser, not socket.io-msgpack-parser: "
               "try without --parser msgpack",
}
PROBE_SECONDS = 3.0


def connect_packet(parser, namespace):
    """An Engine.IO polling packet holding a Socket.IO CONNECT written with ``parser``."""
    if parser == "msgpack":  # python-socketio's packet, as `connect` sends it
        return probe_parser.polling_packet(probe_parser.connect_message(parser, namespace, {}))
    return "40" + ("" if namespace == "/" else namespace + ",") + "{}"


def answered(parser, namespace, body):
    """Whether a polling response holds a CONNECT or CONNECT_ERROR for ``namespace``
    written with ``parser``."""
    for frame in body.split(RECORD_SEPARATOR):
        try:
            if parser == "msgpack" and frame[:1] == "b":
                kind, nsp, _, _ = packets.check_msgpack(packets.binary_frame(frame))
            elif parser == "default" and frame[:1] == "4":
                kind, nsp, _, _ = packets.check(frame[1:])
            else:
                continue
        except (packets.Rejected, ValueError):
            continue
        if nsp == namespace and kind in (packets.CONNECT, packets.CONNECT_ERROR):
            return True
    return False


def engine_url(settings):
    parts = urllib.parse.urlsplit(settings.url)
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
    query += [("EIO", "4"), ("transport", "polling")]
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, settings.path.rstrip("/") + "/",
                                    urllib.parse.urlencode(query), ""))


async def uses_other_parser(settings, ssl=None, timeout=3.0):
    """True when the server answers a CONNECT written with the parser siocli was not told
    to use; False when it does not, or cannot be asked."""
    other = OTHER[settings.parser]
    namespace = settings.namespace
    url = engine_url(settings)
    headers = dict(settings.headers)
    try:  # the session siocli's connections use (TLS options, proxy), watched by no one
        async with asyncio.timeout(timeout), hooks.create_http_session(
                hooks.WireObserver(), ssl=ssl, proxy=settings.proxy) as http:
            async with http.get(url, headers=headers) as response:
                handshake = await response.text()
            sid = json.loads(handshake[1:])["sid"]
            session_url = url + "&sid=" + urllib.parse.quote(sid)
            async with http.post(session_url, data=connect_packet(other, namespace),
                                 headers=headers):
                pass
            async with http.get(session_url, headers=headers) as response:
                found = answered(other, namespace, await response.text())
            async with http.post(session_url, data="1", headers=headers):  # CLOSE
                pass
            return found
    except (aiohttp.ClientError, OSError, TimeoutError, ValueError, KeyError, TypeError):
        return False


async def hint(settings, ssl=None):
    """What to add to the connect_error of a CONNECT the server closed the connection on:
    which parser to use, when the server answers the other one; else nothing."""
    timeout = min(settings.connect_timeout, PROBE_SECONDS)
    return HINTS[settings.parser] if await uses_other_parser(settings, ssl, timeout) else ""
