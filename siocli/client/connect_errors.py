"""Why a connection attempt failed, in words a person understands.

What python-engineio says of a failure is often a repr ("('Unexpected status code 403
in server response', {...})") or a symptom ("Server disconnected"). The words here come
from what was seen instead: the exception chain, the handshake's HTTP answer and what
its body says (client/engine_session.py), and, for a server that hung up on a plain
HTTP request, a TLS handshake tried on the same port.
"""

import asyncio
import errno
import http
import socket
import ssl
import urllib.parse

import aiohttp

from siocli.auth import is_secret, mask_url
from siocli.client.tunnel import ProxyTunnelError

TLS_PROBE_SECONDS = 2.0
# 4xx answers to the handshake that no retry changes (408 Request Timeout, 425 Too Early
# and 429 Too Many Requests may pass)
RETRY_CAN_PASS = frozenset({408, 425, 429})
# what OpenSSL says when the other side answers a ClientHello with something else (HTTP)
NOT_TLS_REASONS = ("WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG",
                   "HTTP_REQUEST", "UNKNOWN_PROTOCOL")
HUNG_UP = (aiohttp.ServerDisconnectedError, ConnectionResetError)
# nginx's answer to plain HTTP on its TLS port (HTTP 400, this in the page's title)
PLAIN_TO_TLS_PAGE = "The plain HTTP request was sent to HTTPS port"


def describe_failure(exception, library_message, url, path, proxy=None, refused=None,
                     speaks_tls=False):
    """(message, data) for a `connect_error` record from a failed Engine.IO connect,
    with the URL's secrets (password, ?token=...) and the proxy's password masked
    wherever they are quoted. ``proxy``: the proxy the connection went through;
    ``refused``: the handshake's HTTP error (a RefusedHandshake), when it had one;
    ``speaks_tls``: a plain-HTTP URL whose server answered a TLS handshake instead."""
    message, data = None, None
    if proxy is not None:
        message = _describe_proxy_failure(exception, library_message, url, mask_url(proxy))
    if message is None:
        message, data = _describe_server_failure(exception, library_message, url, path,
                                                 refused, speaks_tls)
        message += through_proxy_hint(refused, proxy)
    if proxy is not None:
        message = without_secrets(message, proxy)
    return without_secrets(message, url), data


def proxy_failed(exception, library_message, url, proxy):
    """Whether it is the proxy, not the server, that failed or refused the connection."""
    return proxy is not None and _describe_proxy_failure(
        exception, library_message, url, mask_url(proxy)) is not None


PROXY_REFUSALS = frozenset({401, 403, 407})  # the proxy's credentials, or its rules


def proxy_refused_for_good(exception, library_message, proxy):
    """Whether the proxy refused the connection in a way no retry changes: it wants
    credentials, refuses the ones given, or refuses the destination."""
    if proxy is None:
        return False
    for exc in _chain(exception):
        if isinstance(exc, (ProxyTunnelError, aiohttp.ClientProxyConnectionError,
                            aiohttp.ClientHttpProxyError)):
            return getattr(exc, "status", None) in PROXY_REFUSALS
    return str(library_message or "").startswith("Unexpected status code 407")


def _describe_proxy_failure(exception, library_message, url, shown_proxy):
    """What the proxy did, when it is the proxy that failed; else None."""
    target = _host_port(url)
    for exc in _chain(exception):
        if isinstance(exc, (ProxyTunnelError, aiohttp.ClientProxyConnectionError,
                            aiohttp.ClientHttpProxyError)):
            said = describe_proxy_refusal(exc, shown_proxy, target)
            if said is not None:
                return said
    text = str(library_message or "")
    if text.startswith("Unexpected status code") and len(text.split()) > 3:
        status = text.split()[3]
        if status.isdigit() and int(status) in (407, 502, 503, 504):
            return _proxy_status(int(status), shown_proxy, target)
    return None


def describe_proxy_refusal(exc, shown_proxy, target):
    """What the proxy did, in words, for its failure ``exc`` (a ProxyTunnelError, or
    aiohttp's ClientProxyConnectionError or ClientHttpProxyError) on the way to
    ``target`` (host:port), for connect and doctor alike; None when ``exc`` says nothing
    of the proxy. ``shown_proxy``: the proxy as shown (password masked)."""
    status = getattr(exc, "status", None)
    os_error = getattr(exc, "os_error", None)
    if os_error is not None:
        if isinstance(os_error, socket.gaierror):
            return "cannot resolve the proxy's host: %s" % shown_proxy
        why = "connection refused" if os_error.errno == errno.ECONNREFUSED else _short(os_error)
        return "cannot connect to the proxy %s: %s (is it running?)" % (shown_proxy, why)
    if isinstance(exc, ProxyTunnelError) and status is None:  # closed, or not HTTP
        return "%s (proxy %s)" % (exc, shown_proxy)
    if status:
        return _proxy_status(status, shown_proxy, target)
    return None


def _proxy_status(status, shown_proxy, target):
    if status in (401, 407):  # tinyproxy answers a CONNECT with wrong credentials with 401
        if "@" in shown_proxy:
            return "the proxy %s refused its credentials (HTTP %d)" % (shown_proxy, status)
        return ("the proxy %s asks for credentials (HTTP %d): give them in the proxy URL, "
                "http://USER:PASSWORD@HOST:PORT" % (shown_proxy, status))
    if status == 403:
        return "the proxy %s refuses connections to %s (HTTP 403)" % (shown_proxy, target)
    return "the proxy %s could not reach %s (HTTP %s)" % (shown_proxy, target, status)


def _describe_server_failure(exception, library_message, url, path, refused, speaks_tls):
    if speaks_tls:
        return "the server at %s speaks TLS: use https:// (or wss://)" % _host_port(url), None
    if refused is not None and PLAIN_TO_TLS_PAGE in refused.message:
        return "the server at %s speaks TLS: use https:// (or wss://)" % _host_port(url), None
    if refused is not None:
        data = library_message if isinstance(library_message, dict) else None
        return _refused_text(refused, url, path), data
    return _describe(exception, library_message, url, path)


def through_proxy_hint(refused, proxy):
    """What to add when a polling request through ``proxy`` got a 401: the proxy may have
    sent it (tinyproxy answers wrong credentials so, not with 407), not the server."""
    if proxy is None or refused is None or refused.status != 401:
        return ""
    return " (or from the proxy %s, refusing %s)" % (
        mask_url(proxy), "its credentials" if "@" in proxy else "to pass the request")


def not_worth_retrying(refused):
    """Whether a handshake answered this way fails the same however often it is tried."""
    return refused is not None and 400 <= refused.status < 500 \
        and refused.status not in RETRY_CAN_PASS


def _refused_text(refused, url, path):
    reason = refused.reason or _standard_reason(refused.status)
    text = "HTTP %s%s from %s%s/" % (refused.status, " " + reason if reason else "",
                                     _host_port(url), path)
    said = refused.message
    if said and said.lower() not in {form % {"s": refused.status, "r": reason.lower()} for form
                                     in ("%(r)s", "%(s)s: %(r)s", "%(s)s %(r)s")}:
        text += ": %s" % said
    if refused.status == 404 or (refused.status == 400 and not refused.message):
        text += " (is --path right?)"
    return text


def _standard_reason(status):
    try:
        return http.HTTPStatus(status).phrase
    except ValueError:
        return ""


def may_be_tls(exception, url):
    """Whether a failure of a plain-HTTP URL looks like a TLS server hanging up on it."""
    if urllib.parse.urlsplit(url).scheme != "http":
        return False
    return any(isinstance(exc, HUNG_UP) for exc in _chain(exception))


class TlsHint:
    """Whether a failure of a plain-HTTP URL is its server speaking TLS: the port is
    asked once per run (a TLS handshake, as `doctor` tries it, through the proxy's
    CONNECT tunnel when there is a proxy), when a failure first looks like it."""

    def __init__(self, url, proxy=None):
        self.url = url
        self.proxy = proxy
        self.answer = None

    async def applies(self, exception):
        if not may_be_tls(exception, self.url):
            return False
        if self.answer is None:
            from siocli.client import probe_net

            try:
                self.answer = await probe_net.speaks_tls(route_to(self.url, self.proxy),
                                                         TLS_PROBE_SECONDS)
            except ValueError:  # a URL or proxy the route cannot be opened to
                self.answer = False
        return self.answer


def route_to(url, proxy=None):
    """How `connect` reaches the server of ``url``: directly, or through ``proxy``'s
    CONNECT tunnel (a probe_net.Route)."""
    from siocli.client import probe_net, probe_proxy

    parts = urllib.parse.urlsplit(url)
    host, port = parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)
    if proxy:
        return probe_proxy.TunnelRoute(probe_proxy.Proxy(proxy, "--proxy", host, port))
    return probe_net.Route(host, port)


def without_secrets(text, url):
    """``text`` with the secret parts of ``url`` (as library errors quote it) masked."""
    parts = urllib.parse.urlsplit(url)
    secrets = [parts.password] if parts.password else []
    secrets += [value for key, value in urllib.parse.parse_qsl(parts.query)
                if value and is_secret(key)]
    for secret in sorted(secrets, key=len, reverse=True):
        for form in {secret, urllib.parse.quote(secret, safe=""), urllib.parse.quote_plus(secret)}:
            text = text.replace(form, "****")
    return text


def _describe(exception, library_message, url, path):
    target = _host_port(url)
    data = None
    if isinstance(library_message, dict):
        data, library_message = library_message, library_message.get("message")
    for exc in _chain(exception):
        if isinstance(exc, (ssl.SSLCertVerificationError,
                            aiohttp.ClientConnectorCertificateError)):
            return ("TLS certificate of %s could not be verified (%s); use --cacert FILE, "
                    "or -k to skip" % (target, _short(exc)), data)
        if isinstance(exc, (ssl.SSLError, aiohttp.ClientSSLError)):
            if any(getattr(link, "reason", None) in NOT_TLS_REASONS
                   for link in _chain(exception)):
                return ("the server at %s does not speak TLS: use http:// (or ws://)"
                        % target, data)
            return "TLS handshake with %s failed: %s" % (target, _short(exc)), data
        if isinstance(exc, socket.gaierror) or type(exc).__name__ == "ClientConnectorDNSError":
            return "cannot resolve host %s" % urllib.parse.urlsplit(url).hostname, data
        refused = getattr(exc, "errno", None) == errno.ECONNREFUSED
        if isinstance(exc, ConnectionRefusedError) or refused:
            return "connection refused by %s (is the server running?)" % target, data
        if isinstance(exc, aiohttp.WSServerHandshakeError):
            return ("websocket handshake with %s%s/ failed: HTTP %s" % (target, path, exc.status),
                    data)
        if isinstance(exc, (asyncio.TimeoutError, TimeoutError)):
            return "timeout while connecting to %s" % target, data
    text = str(library_message or "")
    if text.startswith("Unexpected status code"):
        status = text.split()[3] if len(text.split()) > 3 else "?"
        hint = " (is --path right?)" if status in ("400", "404") else ""
        return "HTTP %s from %s%s/%s" % (status, target, path, hint), data
    if exception is not None:
        return "cannot connect to %s: %s" % (target, _short(exception)), data
    return text or "cannot connect to %s" % target, data


def _chain(exception):
    seen = []
    while exception is not None and exception not in seen:
        seen.append(exception)
        exception = (getattr(exception, "os_error", None) or exception.__cause__
                     or exception.__context__)
    return seen


def _short(exc):
    text = getattr(exc, "reason", None) or getattr(exc, "strerror", None) or str(exc)
    return str(text) or type(exc).__name__


def _host_port(url):
    parts = urllib.parse.urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return "%s:%s" % (parts.hostname, port)
