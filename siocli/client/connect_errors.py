"""Why a connection attempt failed, in words a person understands."""

import asyncio
import errno
import socket
import ssl
import urllib.parse

import aiohttp

from siocli.auth import is_secret, mask_url
from siocli.client.tunnel import ProxyTunnelError


def describe_failure(exception, library_message, url, path, proxy=None):
    """(message, data) for a `connect_error` record from a failed Engine.IO connect,
    with the URL's secrets (password, ?token=...) and the proxy's password masked
    wherever they are quoted. ``proxy``: the proxy the connection went through."""
    message, data = None, None
    if proxy is not None:
        message = _describe_proxy_failure(exception, library_message, url, mask_url(proxy))
    if message is None:
        message, data = _describe(exception, library_message, url, path)
    if proxy is not None:
        message = without_secrets(message, proxy)
    return without_secrets(message, url), data


def _describe_proxy_failure(exception, library_message, url, shown_proxy):
    """What the proxy did, when it is the proxy that failed; else None."""
    target = _host_port(url)
    for exc in _chain(exception):
        status = getattr(exc, "status", None)
        unreachable = isinstance(exc, aiohttp.ClientProxyConnectionError) or (
            isinstance(exc, ProxyTunnelError) and exc.os_error is not None)
        if unreachable:
            if isinstance(exc.os_error, socket.gaierror):
                return "cannot resolve the proxy's host: %s" % shown_proxy
            why = ("connection refused" if exc.os_error.errno == errno.ECONNREFUSED
                   else _short(exc.os_error))
            return "cannot connect to the proxy %s: %s (is it running?)" % (shown_proxy, why)
        if isinstance(exc, ProxyTunnelError) and status is None:
            return "%s (proxy %s)" % (exc, shown_proxy)
        if isinstance(exc, (ProxyTunnelError, aiohttp.ClientHttpProxyError)) and status:
            return _proxy_status(status, shown_proxy, target)
    text = str(library_message or "")
    if text.startswith("Unexpected status code") and len(text.split()) > 3:
        status = text.split()[3]
        if status.isdigit() and int(status) in (407, 502, 503, 504):
            return _proxy_status(int(status), shown_proxy, target)
    return None


def _proxy_status(status, shown_proxy, target):
    if status in (401, 407):  # tinyproxy answers a CONNECT with wrong credentials with 401
        if "@" in shown_proxy:
            return "the proxy %s refused its credentials (HTTP %d)" % (shown_proxy, status)
        return ("the proxy %s asks for credentials (HTTP 407): give them in the proxy URL, "
                "http://USER:PASSWORD@HOST:PORT" % shown_proxy)
    if status == 403:
        return "the proxy %s refuses connections to %s (HTTP 403)" % (shown_proxy, target)
    return "the proxy %s could not reach %s (HTTP %s)" % (shown_proxy, target, status)


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
