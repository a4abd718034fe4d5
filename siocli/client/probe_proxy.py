"""`siocli doctor` behind an HTTP proxy: the `proxy` step (is the proxy reachable, does
its CONNECT to the server's host:port answer 200, does it ask for or refuse the
credentials), the proxy's host name for the DNS step, and the :class:`TunnelRoute` by
which the TCP and TLS steps reach the server through a CONNECT tunnel, as `connect`'s
websocket does (client/tunnel.py opens the tunnel; siocli/proxy.py chose the proxy)."""

import asyncio
import ipaddress
import time

from siocli.client import probe_net, tunnel
from siocli.client.connect_errors import describe_proxy_refusal
from siocli.client.probe_net import Outcome, elapsed_ms
from siocli.client.tunnel import ProxyTunnelError
from siocli.proxy import endpoint, host_port


class Proxy:
    """The proxy of a probe: its URL (with credentials), the setting that chose it, and
    the server's host:port it tunnels to."""

    def __init__(self, url, source, host, port):
        self.url, self.source = url, source
        self.endpoint = endpoint(url)
        self.shown, self.user = self.endpoint.shown, self.endpoint.user
        self.host, self.port = self.endpoint.host, self.endpoint.port
        self.target = host_port(host, port)
        self.server_host, self.server_port = host, port

    @property
    def named(self):
        """``http://ann:****@proxy:3128 (from HTTPS_PROXY)``"""
        return "%s (from %s)" % (self.shown, self.source)

    @property
    def unset_hint(self):
        if self.source == "--proxy":
            return "drop --proxy"
        return "unset %s, or name %s in NO_PROXY" % (self.source, self.server_host)

    async def open_tunnel(self):
        """A socket to the server through the proxy's CONNECT (ProxyTunnelError else)."""
        return await tunnel.open_tunnel(self.endpoint, self.server_host, self.server_port)

    def data(self, **more):
        return dict({"proxy": self.shown, "source": self.source, "target": self.target},
                    **more)


class TunnelRoute(probe_net.Route):
    """The server reached through the proxy's CONNECT tunnel; a failure of the proxy is
    a ConnectionError saying what it did."""

    def __init__(self, proxy):
        super().__init__(proxy.server_host, proxy.server_port)
        self.proxy = proxy

    async def open(self, **options):
        try:
            sock = await self.proxy.open_tunnel()
        except ProxyTunnelError as exc:
            raise ConnectionError("%s (proxy %s)" % (exc, self.proxy.shown)) from exc
        try:
            return await asyncio.open_connection(sock=sock, **options)
        except BaseException:
            sock.close()
            raise


async def resolve_proxy_host(proxy, timeout):
    """The DNS step behind a proxy: this machine resolves the proxy's name only (the
    proxy resolves the server's)."""
    outcome = await probe_net.resolve(proxy.host, proxy.port, timeout)
    outcome.value = "the proxy's host: " + outcome.value
    outcome.data = dict(outcome.data, host=proxy.host)
    try:
        ipaddress.ip_address(proxy.server_host)
    except ValueError:
        outcome.value += "; %s is the proxy's to resolve" % proxy.server_host
    if not outcome.ok:
        outcome.fix = ("check the proxy's host name in %s (%s)" % (proxy.source, proxy.shown))
    return outcome


async def check_proxy(proxy, timeout):
    """The `proxy` step: a CONNECT to the server's host:port through the proxy."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            sock = await proxy.open_tunnel()
    except TimeoutError:
        return Outcome(False, "%s: no answer to CONNECT %s within %g s"
                       % (proxy.named, proxy.target, timeout),
                       "the proxy accepts connections but does not answer: is %s:%d an "
                       "HTTP proxy? (or a firewall drops its packets)" % (proxy.host, proxy.port),
                       data=proxy.data(), ms=elapsed_ms(started))
    except ProxyTunnelError as exc:
        return _refused(proxy, exc, elapsed_ms(started))
    sock.close()
    ms = elapsed_ms(started)
    credentials = ", credentials accepted" if proxy.user is not None else ""
    return Outcome(True, "%s: CONNECT %s answered HTTP 200%s (%s ms)"
                   % (proxy.named, proxy.target, credentials, ms),
                   data=proxy.data(status=200), ms=ms)


def _refused(proxy, exc, ms):
    """The failed `proxy` step: what the proxy did in connect's words, and the fix."""
    value = describe_proxy_refusal(exc, proxy.named, proxy.target)
    if exc.os_error is not None:
        return Outcome(False, value, "start the proxy, or correct its host and port in %s; "
                       "to go without it, %s" % (proxy.source, proxy.unset_hint),
                       data=proxy.data(), ms=ms)
    status = exc.status
    if status is None:  # closed, or not HTTP
        return Outcome(False, value,
                       "is %s:%d an HTTP proxy? siocli speaks to http:// proxies (CONNECT)"
                       % (proxy.host, proxy.port), data=proxy.data(), ms=ms)
    data = proxy.data(status=status)
    if status in (401, 407) and proxy.user is None:
        fix = ("the proxy asks for credentials: give them in the proxy URL, "
               "http://USER:PASSWORD@%s:%d (in %s; percent-encode @ : / in them)"
               % (proxy.host, proxy.port, proxy.source))
    elif status in (401, 407):
        fix = ("the proxy refused the credentials of user %s: correct the user or password "
               "in %s (percent-encode @ : / in them)" % (proxy.user, proxy.source))
    elif status == 403:
        fix = ("the proxy forbids tunnels to %s (tinyproxy: ConnectPort; squid: SSL_ports and "
               "Safe_ports): ask its administrator to allow the port, or, if the server is "
               "reachable without it, %s" % (proxy.target, proxy.unset_hint))
    elif status in (500, 502, 503, 504):
        fix = ("the proxy cannot connect to %s: check that the server runs and listens on "
               "port %d, and that the proxy may reach it" % (proxy.target, proxy.server_port))
    else:
        fix = "the proxy refused the tunnel to %s: look at its logs" % proxy.target
    return Outcome(False, value, fix, data=data, ms=ms)


def no_tunnel_fix(proxy):
    """The fix when the proxy refuses CONNECT to an http:// server it proxies polling for."""
    return ("the proxy forbids tunnels to %s, which the websocket needs: polling works "
            "through it (see the steps below) and connect stays on polling, as the JS client "
            "does. For the websocket, ask the proxy's administrator to allow CONNECT to port "
            "%d (tinyproxy: ConnectPort; squid: SSL_ports), or use https:// on port 443"
            % (proxy.target, proxy.server_port))


async def tunnel_tcp(route, timeout):
    """The TCP step behind a proxy: a connection to the server through a tunnel."""
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            _, writer = await route.open()
    except TimeoutError:
        return Outcome(False, "no tunnel to %s within %g s" % (route.proxy.target, timeout),
                       "the proxy is slow to reach the server: check the network between "
                       "them", ms=elapsed_ms(started))
    except OSError as exc:
        return Outcome(False, probe_net.reason_of(exc),
                       "the proxy answered the proxy step but not now: try again, and look "
                       "at its logs", ms=elapsed_ms(started))
    writer.close()
    await probe_net.closed(writer)
    return Outcome(True, "connected to %s through the proxy's CONNECT tunnel"
                   % route.proxy.target, data={"address": route.proxy.target,
                                               "proxy": route.proxy.shown},
                   ms=elapsed_ms(started))
