"""The network steps of `siocli doctor` below HTTP: name resolution, a TCP connection,
the TLS handshake and its certificate, and what a port speaks when it does not speak
what the URL says (TLS on an http:// port, plain HTTP on an https:// one). Each
connection to the server is opened by a :class:`Route`: directly, or through the
proxy's CONNECT tunnel (client/probe_proxy.py), as `connect` reaches the server."""

import asyncio
import dataclasses
import errno
import ipaddress
import socket
import ssl
import time

from siocli.client.certificates import CertificateError, read_certificate
from siocli.client.tls import unverified_context

# OpenSSL's X509_V_ERR_* codes that have a fix of their own
CERT_EXPIRED = 10
SELF_SIGNED = 18
SELF_SIGNED_IN_CHAIN = 19
UNKNOWN_ISSUER = (20, 21)
HOSTNAME_MISMATCH = 62


@dataclasses.dataclass
class Outcome:
    """What one step found: ``ok``, the value measured, the fix when not ok, and data."""

    ok: bool
    value: str
    fix: str = None
    data: dict = dataclasses.field(default_factory=dict)
    ms: float = None


class Route:
    """How the probe reaches ``host``:``port``: directly. ``open(**options)`` takes
    :func:`asyncio.open_connection`'s TLS options and gives (reader, writer)."""

    def __init__(self, host, port):
        self.host, self.port = host, port

    async def open(self, **options):
        return await asyncio.open_connection(self.host, self.port, **options)


def elapsed_ms(started):
    return round((time.perf_counter() - started) * 1000, 1)


async def resolve(host, port, timeout):
    started = time.perf_counter()
    try:
        ipaddress.ip_address(host)
        return Outcome(True, "%s (an IP address: nothing to resolve)" % host,
                       data={"addresses": [host]}, ms=0.0)
    except ValueError:
        pass
    loop = asyncio.get_running_loop()
    try:
        async with asyncio.timeout(timeout):
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except TimeoutError:
        return Outcome(False, "no answer within %g s" % timeout,
                       "the DNS resolver does not answer: check the network and "
                       "/etc/resolv.conf", ms=elapsed_ms(started))
    except OSError as exc:
        return Outcome(False, "cannot resolve %s (%s)" % (host, exc.strerror or exc),
                       "check the host name in the URL (a typo?), or its DNS record",
                       ms=elapsed_ms(started))
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    return Outcome(True, ", ".join(addresses[:4]) + (" …" if len(addresses) > 4 else ""),
                   data={"addresses": addresses}, ms=elapsed_ms(started))


async def connect_tcp(host, port, timeout):
    started = time.perf_counter()
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(host, port)
    except TimeoutError:
        return Outcome(False, "no answer from %s:%s within %g s" % (host, port, timeout),
                       "a firewall drops the packets, or the host is down: check that "
                       "the port is open from here", ms=elapsed_ms(started))
    except OSError as exc:
        if exc.errno == errno.ECONNREFUSED or isinstance(exc, ConnectionRefusedError):
            return Outcome(False, "connection refused by %s:%s" % (host, port),
                           "nothing listens on port %s: start the server, or check the "
                           "port in the URL" % port, ms=elapsed_ms(started))
        return Outcome(False, "cannot connect to %s:%s (%s)" % (host, port,
                                                                exc.strerror or exc),
                       "check the host and port, and the network between", ms=elapsed_ms(started))
    peer = writer.get_extra_info("peername")
    writer.close()
    await closed(writer)
    address = "%s:%s" % (peer[0], peer[1]) if peer else "%s:%s" % (host, port)
    return Outcome(True, "connected to %s" % address, data={"address": address},
                   ms=elapsed_ms(started))


def client_context(insecure=False, cacert=None):
    """The TLS context the probe verifies with, as `connect` would."""
    if insecure:
        return unverified_context()
    return ssl.create_default_context(cafile=cacert)


async def _handshake(route, context, timeout):
    """(ssl object's facts, None) after a TLS handshake, or (None, the exception)."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await route.open(ssl=context, server_hostname=route.host,
                                              ssl_handshake_timeout=timeout)
    except (OSError, TimeoutError, ssl.SSLError) as exc:
        return None, exc
    ssl_object = writer.get_extra_info("ssl_object")
    facts = {"version": ssl_object.version(), "cipher": (ssl_object.cipher() or ("",))[0],
             "der": ssl_object.getpeercert(binary_form=True)}
    writer.close()
    await closed(writer)
    return facts, None


async def closed(writer):
    try:
        await asyncio.wait_for(writer.wait_closed(), 1.0)
    except (OSError, TimeoutError, ssl.SSLError):
        pass


async def check_tls(route, timeout, insecure=False, cacert=None):
    """The TLS step: the handshake verified as `connect` verifies it, with the
    certificate's issuer and days to expiry; on a failure, why and what to do."""
    started = time.perf_counter()
    facts, error = await _handshake(route, client_context(insecure, cacert), timeout)
    if facts is not None:
        return _verified(facts, insecure, started)
    if isinstance(error, ssl.SSLCertVerificationError):
        seen, _ = await _handshake(route, unverified_context(), timeout)
        return _unverified(error, seen, route.host, started)
    if isinstance(error, TimeoutError):
        return Outcome(False, "no TLS handshake within %g s" % timeout,
                       "the server does not answer TLS: is this an https:// port?",
                       ms=elapsed_ms(started))
    if await speaks_plain_http(route, timeout):
        return Outcome(False, "the server answered in plain HTTP, not TLS",
                       "this port serves http://: use http:// (or ws://) in the URL",
                       data={"plain_http": True}, ms=elapsed_ms(started))
    return Outcome(False, "TLS handshake failed: %s" % reason_of(error),
                   "check that the port serves TLS, and the server's TLS setup",
                   ms=elapsed_ms(started))


def _certificate_data(der):
    try:
        certificate = read_certificate(der) if der else None
    except CertificateError:
        certificate = None
    if certificate is None:
        return None, {}
    days = certificate.days_left()
    return certificate, {"issuer": certificate.issuer, "subject": certificate.subject,
                         "not_after": certificate.not_after.strftime("%Y-%m-%dT%H:%M:%SZ"),
                         "days_left": days}


def _verified(facts, insecure, started):
    certificate, data = _certificate_data(facts["der"])
    data.update(version=facts["version"], verified=not insecure)
    parts = [facts["version"] or "TLS"]
    if certificate is not None:
        parts.append("issuer %s" % certificate.issuer)
        parts.append(_expiry_text(data["days_left"]))
    if insecure:  # asked for: the certificate is described, not judged
        return Outcome(True, ", ".join(parts) + ", not verified (-k)", data=data,
                       ms=elapsed_ms(started))
    return Outcome(True, ", ".join(parts) + ", verified", data=data, ms=elapsed_ms(started))


def _expiry_text(days):
    if days < 0:
        return "expired %d day%s ago" % (-days, "" if days == -1 else "s")
    return "expires in %d day%s" % (days, "" if days == 1 else "s")


def _unverified(error, seen, host, started):
    code = getattr(error, "verify_code", None)
    message = getattr(error, "verify_message", None) or reason_of(error)
    certificate, data = _certificate_data(seen["der"] if seen else None)
    data.update(verified=False, verify_code=code, verify_message=message)
    value = "not verified: %s" % message
    if certificate is not None:
        value += " (issuer %s, %s)" % (certificate.issuer, _expiry_text(data["days_left"]))
    if code == CERT_EXPIRED:
        fix = ("the certificate expired on %s: renew it on the server"
               % data.get("not_after", "?")[:10])
    elif code in (SELF_SIGNED, SELF_SIGNED_IN_CHAIN):
        fix = ("the certificate is self-signed: trust it with --cacert FILE (its PEM), or "
               "skip verification with -k (not in production)")
    elif code in UNKNOWN_ISSUER:
        fix = ("the certificate's issuer is not trusted here: serve the full chain "
               "(intermediate certificates) on the server, or give the CA with --cacert FILE")
    elif code == HOSTNAME_MISMATCH:
        fix = ("the certificate is not for %s: use the host name it was issued for "
               "(subject %s)" % (host, data.get("subject", "?")))
    else:
        fix = "fix the certificate on the server, or give its CA with --cacert FILE"
    return Outcome(False, value, fix, data=data, ms=elapsed_ms(started))


def reason_of(error):
    text = getattr(error, "reason", None) or getattr(error, "strerror", None) or str(error)
    return str(text) or type(error).__name__


async def speaks_plain_http(route, timeout):
    """Whether the port answers a plain HTTP request with an HTTP response."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await route.open()
            writer.write(b"HEAD / HTTP/1.0\r\nHost: %s\r\n\r\n" % route.host.encode("idna"))
            await writer.drain()
            head = await reader.read(5)
    except (OSError, TimeoutError, UnicodeError):
        return False
    writer.close()
    await closed(writer)
    return head == b"HTTP/"


async def speaks_tls(route, timeout):
    """Whether the port completes a TLS handshake (certificate not checked)."""
    facts, _ = await _handshake(route, unverified_context(), timeout)
    return facts is not None
