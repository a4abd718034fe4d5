"""Why a connection attempt failed, in words a person understands."""

import asyncio
import errno
import socket
import ssl
import urllib.parse

import aiohttp

from siocli.auth import is_secret


def describe_failure(exception, library_message, url, path):
    """(message, data) for a `connect_error` record from a failed Engine.IO connect,
    with the URL's secrets (password, ?token=...) masked wherever they are quoted."""
    message, data = _describe(exception, library_message, url, path)
    return without_secrets(message, url), data


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
