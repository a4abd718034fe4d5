"""Engine.IO spoken by hand, for `siocli doctor`: the requests of a session over polling
and websocket, with every status, header and frame visible (python-engineio hides
them), and the shapes of the protocol's versions.

Engine.IO 4 (Socket.IO 3 and 4): a polling body is packets joined by U+001E, the OPEN
packet is ``0{json}``, the server sends PINGs. Engine.IO 3 (Socket.IO 2) answers the
same handshake in its own framing, ``<length>:<packet>`` (``97:0{"sid":...}2:40``), and
its Socket.IO CONNECT for `/` carries no ``sid``.
"""

import dataclasses
import json
import re
import time
import urllib.parse

RECORD_SEPARATOR = "\x1e"
ENGINE_IO_3_PAYLOAD = re.compile(r"^\d+:[0-6]")
# Engine.IO's own refusals: HTTP 400/403 with {"code": N, "message": "..."}
TRANSPORT_UNKNOWN, SESSION_UNKNOWN, BAD_HANDSHAKE, BAD_REQUEST, FORBIDDEN = range(5)


@dataclasses.dataclass
class Answer:
    """One HTTP exchange: status, headers, body text, and how long it took."""

    status: int
    headers: dict
    body: str
    ms: float

    @property
    def engine_error(self):
        """(code, message) of an Engine.IO refusal, or None."""
        try:
            value = json.loads(self.body)
        except ValueError:
            return None
        if isinstance(value, dict) and "code" in value and "message" in value:
            return value.get("code"), str(value.get("message"))
        return None

    def short(self):
        """``HTTP 400 Session ID unknown``: the status and what the body says, short."""
        text = said_in(self.body)
        if not self.engine_error:
            text = text[:80]
        if text.startswith(str(self.status)):  # "404: Not Found"
            text = text[len(str(self.status)):].lstrip(": ")
        return ("HTTP %s %s" % (self.status, text)).rstrip()


def said_in(body):
    """What the body of an HTTP refusal says: the ``message`` of a JSON object (Engine.IO's
    ``{"code": N, "message": "..."}``), a JSON string (python-engineio's refusals), the
    title or first heading of an HTML error page, else its text; whitespace collapsed."""
    text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else body
    text = text.strip()
    try:
        value = json.loads(text)
    except ValueError:
        value = None
    if isinstance(value, dict) and isinstance(value.get("message"), str):
        text = value["message"]
    elif isinstance(value, str):
        text = value
    elif "<" in text:
        found = re.search(r"<(title|h1)[^>]*>(.*?)</\1>", text, re.I | re.S)
        text = re.sub(r"<[^>]+>", " ", found.group(2) if found else text)
    return " ".join(text.split())


def is_engine_io_3(body):
    return bool(ENGINE_IO_3_PAYLOAD.match(body))


def packets_of(body):
    """The Engine.IO packets of a polling body (Engine.IO 4 framing)."""
    return body.split(RECORD_SEPARATOR) if body else []


def open_packet_of(body):
    """The OPEN packet's JSON of a handshake answer (either framing), or None."""
    if is_engine_io_3(body):
        length, _, rest = body.partition(":")
        body = rest[:int(length)]
    else:
        body = packets_of(body)[0] if body else ""
    if not body.startswith("0"):
        return None
    try:
        value = json.loads(body[1:])
    except ValueError:
        return None
    return value if isinstance(value, dict) and "sid" in value else None


def connect_packet(namespace, auth):
    """The Socket.IO CONNECT of ``namespace`` as an Engine.IO MESSAGE."""
    prefix = "" if namespace == "/" else namespace + ","
    return "40" + prefix + (json.dumps(auth, separators=(",", ":")) if auth else "")


def namespace_answer(packet, namespace):
    """("connect", data) or ("connect_error", data) when ``packet`` is the server's
    answer to the CONNECT of ``namespace``; else None."""
    if packet[:2] not in ("40", "44"):
        return None
    body = packet[2:]
    name = "/"
    if body.startswith("/"):
        name, _, body = body.partition(",")
    if name != namespace:
        return None
    try:
        data = json.loads(body) if body else None
    except ValueError:
        data = body
    return ("connect" if packet[1] == "0" else "connect_error"), data


class EngineClient:
    """Requests of the Engine.IO endpoint at ``url`` (scheme://host:port?query) and
    ``path``, through one aiohttp session (its cookie jar keeps a load balancer's
    affinity cookie, as a browser does)."""

    def __init__(self, http, url, path, headers, timeout):
        self.http = http
        parts = urllib.parse.urlsplit(url)
        self.scheme, self.netloc = parts.scheme, parts.netloc
        self.query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
        self.path = path.rstrip("/") + "/"
        self.headers = dict(headers)
        self.timeout = timeout
        self._serial = 0

    def url(self, transport, sid=None, websocket=False):
        query = list(self.query) + [("EIO", "4"), ("transport", transport)]
        if sid:
            query.append(("sid", sid))
        if transport == "polling":
            self._serial += 1
            query.append(("t", "doctor%d" % self._serial))
        scheme = self.scheme
        if websocket:
            scheme = "wss" if scheme == "https" else "ws"
        return urllib.parse.urlunsplit((scheme, self.netloc, self.path,
                                        urllib.parse.urlencode(query), ""))

    @property
    def where(self):
        return "%s://%s%s" % (self.scheme, self.netloc, self.path)

    async def poll(self, method="GET", sid=None, body=None, headers=None):
        """One polling request: an :class:`Answer` (aiohttp errors propagate)."""
        import aiohttp

        started = time.perf_counter()
        all_headers = dict(self.headers)
        all_headers.update(headers or {})
        if body is not None:
            all_headers.setdefault("Content-Type", "text/plain;charset=UTF-8")
        async with self.http.request(method, self.url("polling", sid), data=body,
                                     headers=all_headers, allow_redirects=False,
                                     timeout=aiohttp.ClientTimeout(total=self.timeout)) as response:
            raw = await response.read()
            return Answer(response.status, dict(response.headers),
                          raw.decode("utf-8", "replace"),
                          round((time.perf_counter() - started) * 1000, 1))

    async def websocket(self, sid=None):
        """A websocket to the endpoint (aiohttp's WSServerHandshakeError on a refusal)."""
        import asyncio

        async with asyncio.timeout(self.timeout):
            return await self.http.ws_connect(
                self.url("websocket", sid, websocket=True), headers=self.headers,
                autoping=False, max_msg_size=0)

    async def close_session(self, sid):
        """Tell the server this session is over (an Engine.IO CLOSE); errors ignored."""
        try:
            await self.poll("POST", sid, "1")
        except Exception:  # the server ends it on its own at pingTimeout
            pass


async def receive_text(websocket, timeout):
    """The next text frame of ``websocket``; None when it closed or timed out."""
    message = await receive_message(websocket, timeout)
    return message if isinstance(message, str) else None


async def receive_message(websocket, timeout):
    """The next frame of ``websocket``: its text, or its bytes (a binary Engine.IO
    message); None when it closed or timed out."""
    import asyncio

    import aiohttp

    try:
        message = await asyncio.wait_for(websocket.receive(), timeout)
    except TimeoutError:
        return None
    if message.type in (aiohttp.WSMsgType.TEXT, aiohttp.WSMsgType.BINARY):
        return message.data
    return None
