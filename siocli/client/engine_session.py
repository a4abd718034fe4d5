"""The Engine.IO session as the wire shows it: the handshake's HTTP exchange and OPEN
packet (`handshake` records with --trace), the upgrade, and what `status` shows.

The HTTP side comes from aiohttp's public request tracing on the session siocli hands
to python-engineio (client/hooks.py): each exchange is reported with the headers that
were really sent and the response's status and headers. The handshake is the request
without a ``sid``; the upgrade is the websocket request with one. A handshake answered
2xx (or 101 on a websocket) is written with its OPEN packet's values; one refused is
written at once, with the status and what the server said.
"""

import dataclasses
import json
import urllib.parse

from siocli import records
from siocli.auth import is_secret_header, mask_url, mask_value
from siocli.client import engine_wire

ERROR_BODY_LIMIT = 300  # characters of a refused handshake's body kept for the message


@dataclasses.dataclass
class EngineInfo:
    """What the OPEN packet said, and what happened to the session since."""

    sid: str = None
    upgrades: list = None
    ping_interval: int = None  # milliseconds, as the server wrote them
    ping_timeout: int = None
    max_payload: int = None
    transport: str = None  # the handshake's transport
    upgraded: bool = False
    opened_at: float = None  # loop time of the OPEN packet
    last_ping_at: float = None  # loop time of the server's last PING


@dataclasses.dataclass(frozen=True)
class RefusedHandshake:
    """A handshake the server answered with an HTTP error."""

    status: int
    reason: str
    message: str  # what the server said (its JSON `message`, or its text), may be ""


def cookie_masked(text):
    """``name=value; Path=/`` with the value masked (a Set-Cookie or a Cookie header)."""
    first, separator, attributes = text.partition(";")
    name, equals, value = first.partition("=")
    shown = "%s=%s" % (name.strip(), mask_value(value.strip())) if equals else mask_value(first)
    return shown + separator + attributes


def shown_headers(pairs):
    """{name: value, or [values] when repeated}, secrets masked (cookie values only)."""
    headers = {}
    for name, value in pairs:
        lowered = name.lower()
        if lowered in ("set-cookie", "cookie"):
            value = "; ".join(cookie_masked(part) for part in value.split("; ")) \
                if lowered == "cookie" else cookie_masked(value)
        elif is_secret_header(name):
            value = mask_value(value)
        if name in headers:
            previous = headers[name]
            headers[name] = (previous if isinstance(previous, list) else [previous]) + [value]
        else:
            headers[name] = value
    return headers


def request_target(url):
    """The path and query of ``url``, secret-looking query values masked."""
    parts = urllib.parse.urlsplit(mask_url(url))
    return parts.path + ("?" + parts.query if parts.query else "")


def transport_and_sid(url):
    query = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query))
    return query.get("transport"), query.get("sid")


class EngineWatch:
    """Follows one Engine.IO session; writes `handshake` records while tracing."""

    def __init__(self, loop, emit_record, tracing):
        self._loop = loop
        self._emit_record = emit_record
        self._tracing = tracing
        self.info = EngineInfo()
        self.refused = None
        self._exchange = None  # (status, headers) of a handshake waiting for its OPEN

    def new_connection(self):
        self.info = EngineInfo()
        self.refused = None
        self._exchange = None

    def exchange(self, method, url, request_headers, status, reason, response_headers):
        """One HTTP request and its response's head (any request of the session)."""
        transport, sid = transport_and_sid(url)
        if sid and transport != "websocket":
            return  # a polling request of a running session
        request = {":method": method, ":path": request_target(url)}
        request.update(shown_headers(request_headers))
        headers = {"request": request, "response": shown_headers(response_headers)}
        if sid:  # the websocket upgrade
            if status == 101:
                self.info.upgraded = True
            self._write(sid, status, headers)
            return
        self.info.transport = transport
        if 200 <= status < 300 or status == 101:
            self._exchange = (status, headers)  # written with the OPEN packet's values
        else:
            self.refused = RefusedHandshake(status, reason or "", "")
            self._write(None, status, headers)

    def error_body(self, url, status, reason, body):
        """The body of a response with an HTTP error status: kept when it answers the
        handshake (what the server says is why the connection failed)."""
        if transport_and_sid(url)[1]:
            return
        self.refused = RefusedHandshake(status, reason or "",
                                        engine_wire.said_in(body)[:ERROR_BODY_LIMIT])

    def opened(self, payload):
        """The OPEN packet's JSON text."""
        try:
            values = json.loads(payload)
        except ValueError:
            values = None
        if not isinstance(values, dict):
            values = {}
        info = self.info
        info.sid = values.get("sid")
        info.upgrades = values.get("upgrades")
        info.ping_interval = values.get("pingInterval")
        info.ping_timeout = values.get("pingTimeout")
        info.max_payload = values.get("maxPayload")
        info.opened_at = info.last_ping_at = self._loop.time()
        if self._exchange is not None:
            status, headers = self._exchange
            self._exchange = None
            self._write(info.sid, status, headers)

    def pinged(self):
        self.info.last_ping_at = self._loop.time()

    def seconds_since_ping(self):
        """Seconds since the server's last PING (or the OPEN, before the first), or None."""
        if self.info.last_ping_at is None:
            return None
        return max(0.0, self._loop.time() - self.info.last_ping_at)

    def _write(self, sid, status, headers):
        if not self._tracing():
            return
        info = self.info
        self._emit_record(records.make(
            "handshake", None, sid=sid, upgrades=info.upgrades, ping_interval=info.ping_interval,
            ping_timeout=info.ping_timeout, max_payload=info.max_payload, status=status,
            headers=headers))
