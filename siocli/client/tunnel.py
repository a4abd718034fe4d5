"""A CONNECT tunnel through an HTTP proxy, for the websocket.

Browsers open every websocket, `ws://` as well as `wss://`, through a CONNECT tunnel;
proxies commonly refuse a `ws://` URL sent to them as a plain proxied request (tinyproxy
answers 400), and that is what aiohttp's ``proxy=`` sends for `ws://`. So the websocket
gets a tunnel of its own, made here with plain asyncio sockets; polling requests go
through aiohttp's ``proxy=`` (forwarded for http, CONNECT for https), as a browser's.
"""

import asyncio
import base64
import socket

import aiohttp

from siocli.proxy import host_port

MAX_RESPONSE_HEAD = 16 * 1024


class ProxyTunnelError(aiohttp.ClientConnectionError):
    """The proxy could not be reached, or would not open the tunnel."""

    def __init__(self, message, status=None, os_error=None):
        super().__init__(message)
        self.status = status
        self.os_error = os_error  # why the proxy could not be reached


async def open_tunnel(proxy, host, port):
    """A non-blocking socket connected to ``host``:``port`` through the CONNECT of
    ``proxy`` (a siocli.proxy.Endpoint; the proxy's 200 read, nothing more): ready for
    TLS or HTTP."""
    loop = asyncio.get_running_loop()
    sock = await connect_socket(loop, proxy.host, proxy.port)
    try:
        target = host_port(host, port)
        lines = ["CONNECT %s HTTP/1.1" % target, "Host: %s" % target]
        if proxy.user is not None:
            credentials = ("%s:%s" % (proxy.user, proxy.password or "")).encode("utf-8")
            lines.append("Proxy-Authorization: Basic " + base64.b64encode(credentials).decode())
        await loop.sock_sendall(sock, ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"))
        status, reason = parse_status(await read_head(loop, sock))
    except BaseException:
        sock.close()
        raise
    if status != 200:
        sock.close()
        raise ProxyTunnelError("the proxy answered the CONNECT to %s with HTTP %d %s"
                               % (target, status, reason), status)
    return sock


async def connect_socket(loop, host, port):
    try:
        infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ProxyTunnelError("cannot resolve the proxy's host %s" % host, os_error=exc) from exc
    last = None
    for family, kind, proto, _, address in infos:
        sock = socket.socket(family, kind, proto)
        sock.setblocking(False)
        try:
            await loop.sock_connect(sock, address)
            return sock
        except OSError as exc:
            sock.close()
            last = exc
        except BaseException:
            sock.close()
            raise
    raise ProxyTunnelError("cannot connect to the proxy %s:%d: %s"
                           % (host, port, getattr(last, "strerror", None) or last),
                           os_error=last) from last


async def read_head(loop, sock):
    """The proxy's response head, read a byte at a time so that nothing after it (the
    server's first bytes) is taken from the socket."""
    head = bytearray()
    while not head.endswith(b"\r\n\r\n"):
        byte = await loop.sock_recv(sock, 1)
        if not byte:
            raise ProxyTunnelError("the proxy closed the connection before answering CONNECT")
        head += byte
        if len(head) > MAX_RESPONSE_HEAD:
            raise ProxyTunnelError("the proxy's answer to CONNECT is not HTTP")
    return bytes(head)


def parse_status(head):
    line = head.split(b"\r\n", 1)[0].decode("latin-1")
    version, _, rest = line.partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/") or not code.isdigit():
        raise ProxyTunnelError("the proxy's answer to CONNECT is not HTTP")
    return int(code), reason.strip()
