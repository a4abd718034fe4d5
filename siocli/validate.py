"""Checks of command-line input at the edge, before anything is sent.

Each function takes the raw value and the name of the option it came from, and raises
:class:`InvalidInput` (a ``ValueError``) with one line naming the option. A message never
repeats a secret: for a header it names the header, for auth the key, never the value.
Standard library only (shares the JSON rules and limits of :mod:`siocli.grammar`).
"""

from __future__ import annotations

import math
import os
import re
from typing import Any

from siocli import grammar
from siocli.errors import UsageError

__all__ = [
    "MAX_AUTH_FILE_BYTES", "InvalidInput", "auth_json_file", "auth_payload", "cacert_file",
    "finite_seconds", "header", "json_text", "no_surrogates", "url_host_port",
]

MAX_AUTH_FILE_BYTES = 1024 * 1024  # an auth payload travels in one CONNECT packet

_HEADER_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")  # RFC 7230 token
_HEADER_CONTROL = re.compile("[\x00-\x08\x0a-\x1f\x7f]")  # a tab is allowed in a value
_URL_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")
_CONTROL_NAMES = {
    "\r": "a carriage return (CR)", "\n": "a line feed (LF)", "\x00": "a NUL", "\t": "a tab",
}
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://")
_PEM_CERTIFICATE = b"-----BEGIN CERTIFICATE-----"


class InvalidInput(UsageError):
    """Bad input from the command line or the environment; the message is one line."""


def _quoted(text: str, limit: int = 40) -> str:
    return f'"{grammar.snippet(text, limit)}"'


def _control_name(char: str) -> str:
    return _CONTROL_NAMES.get(char) or f"the control character U+{ord(char):04X}"


def no_surrogates(text: str, option: str) -> str:
    """``text`` unchanged; refuses lone surrogates (invalid UTF-8 in an argument, as
    Python decodes it with surrogateescape)."""
    problem = grammar.describe_invalid_utf8(text)
    if problem:
        raise InvalidInput(f"{option}: invalid UTF-8 ({problem})")
    return text


def finite_seconds(value: str | int | float, option: str, allow_zero: bool = True) -> float:
    """A number of seconds: finite and not negative (and not 0 unless ``allow_zero``)."""
    if isinstance(value, str):
        no_surrogates(value, option)
    try:
        if isinstance(value, bool):
            raise TypeError
        seconds = float(value)
    except OverflowError:
        seconds = math.inf
    except (TypeError, ValueError):
        shown = _quoted(value) if isinstance(value, str) else _json_type(value)
        raise InvalidInput(f"{option} expects a number of seconds, got {shown}") from None
    if math.isnan(seconds) or math.isinf(seconds):
        raise InvalidInput(f"{option} must be a finite number of seconds, got {seconds}")
    if seconds < 0 or (seconds == 0 and not allow_zero):
        bound = "0 or more" if allow_zero else "more than 0"
        raise InvalidInput(f"{option} must be {bound}, got {seconds:g}")
    return seconds + 0.0  # -0.0 becomes 0.0


def json_text(text: str, what: str) -> Any:
    """The JSON value in ``text``, as strict as emit arguments (no NaN/Infinity, at most
    ``grammar.MAX_JSON_DEPTH`` levels and ``grammar.MAX_JSON_CHARS`` characters, no lone
    surrogates). The message never quotes the text."""
    no_surrogates(text, what)
    try:
        return grammar.decode_json(text)
    except grammar.GrammarError as exc:
        raise InvalidInput(f"{what}: {exc}") from None


def _key_path(path: tuple) -> str:
    if not path:
        return "the payload"
    parts = []
    for key in path:
        parts.append(f"[{key}]" if isinstance(key, int) else ("." if parts else "") + str(key))
    return "key " + _quoted("".join(parts), 80)


def auth_payload(value: Any, what: str) -> dict:
    """``value`` unchanged when it is a JSON object fit to send as auth: string keys, finite
    numbers, no lone surrogates, at most ``grammar.MAX_JSON_DEPTH`` levels. Messages name
    the key, never its value."""
    if not isinstance(value, dict):
        raise InvalidInput(f"{what} must be a JSON object, not {_json_type(value)}")
    pending = [(value, (), 1)]
    while pending:
        item, path, depth = pending.pop()
        if isinstance(item, (dict, list)):
            if depth > grammar.MAX_JSON_DEPTH:
                levels = grammar.MAX_JSON_DEPTH
                where = _key_path(path)
                raise InvalidInput(f"{what}: {where} is nested deeper than {levels} levels")
            children = item.items() if isinstance(item, dict) else enumerate(item)
            for key, child in children:
                if isinstance(item, dict) and not isinstance(key, str):
                    raise InvalidInput(f"{what}: {_key_path(path)} has a key that is not a string")
                if isinstance(key, str) and grammar.describe_invalid_utf8(key):
                    shown = _key_path(path + (key,))
                    raise InvalidInput(f"{what}: {shown} is not valid UTF-8")
                pending.append((child, path + (key,), depth + 1))
        elif isinstance(item, str):
            if grammar.describe_invalid_utf8(item):
                raise InvalidInput(f"{what}: the value of {_key_path(path)} is not valid UTF-8")
        elif isinstance(item, float):
            if not math.isfinite(item):
                raise InvalidInput(f"{what}: the value of {_key_path(path)} is not a finite number")
        elif item is not None and not isinstance(item, (bool, int)):
            kind = _json_type(item)
            raise InvalidInput(f"{what}: the value of {_key_path(path)} is {kind}, not JSON")
    return value


def _json_type(value: Any) -> str:
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
             int: "a number", float: "a number", type(None): "null"}
    return names.get(type(value)) or f"a {type(value).__name__} value"


def url_host_port(url: str) -> None:
    """Refuses, one line each, what the URL parser would take wrongly or silently: lone
    surrogates or control characters, a malformed IPv6 literal, a host with a space, a
    port that is not a number or not in 1-65535. ``url`` as typed: the scheme is optional,
    ws/wss are accepted. Messages never repeat the host or port: a password holding "/"
    or "?" makes part of the userinfo look like them."""
    no_surrogates(url, "URL")
    control = _URL_CONTROL.search(url)
    if control:
        raise InvalidInput(f"the URL contains {_control_name(control.group())}")
    scheme = _SCHEME.match(url)
    rest = url[scheme.end() :] if scheme else url
    host_port = re.split("[/?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if host_port.startswith("["):
        close = host_port.find("]")
        if close < 0:
            raise InvalidInput("malformed IPv6 address in the URL: no closing ']'")
        _ipv6_literal(host_port[1:close])
        host, after = host_port[: close + 1], host_port[close + 1 :]
        if after and not after.startswith(":"):
            raise InvalidInput("unexpected text after the IPv6 address in the URL")
        port = after[1:] if after else None
    elif "[" in host_port or "]" in host_port:
        raise InvalidInput("malformed IPv6 address in the URL: no opening '['")
    elif host_port.count(":") > 1:
        raise InvalidInput("an IPv6 address in the URL goes in brackets: http://[::1]:5000")
    else:
        host, colon, port = host_port.partition(":")
        port = port if colon else None
    if not host:
        raise InvalidInput("no host in the URL")
    if " " in host:
        raise InvalidInput("the host in the URL contains a space")
    if port:
        _port_number(port)


def _ipv6_literal(text: str) -> None:
    import ipaddress  # only for URLs with an IPv6 literal

    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        raise InvalidInput("malformed IPv6 address in the URL") from None


def _port_number(text: str) -> None:
    if not (text.isascii() and text.isdigit()):
        raise InvalidInput("the port in the URL is not a number")
    if len(text) > 5 or not 1 <= int(text) <= 65535:
        raise InvalidInput("the port in the URL must be from 1 to 65535")


def header(name: str, value: str) -> None:
    """Refuses a header name that is not an RFC 7230 token, or a value holding CR, LF,
    NUL or another control character (tab excepted) or invalid UTF-8. The message names
    the header, never its value."""
    no_surrogates(name, "header name")
    if not name:
        raise InvalidInput("empty header name")
    if not _HEADER_TOKEN.fullmatch(name):
        bad = next(char for char in name if not _HEADER_TOKEN.fullmatch(char))
        shown = "a space" if bad == " " else _quoted(bad)
        raise InvalidInput(
            f"header name {_quoted(name)} is not valid: {shown} is not allowed in it"
        )
    shown_name = grammar.snippet(name)
    if grammar.describe_invalid_utf8(value):
        raise InvalidInput(f"header {shown_name}: the value is not valid UTF-8")
    control = _HEADER_CONTROL.search(value)
    if control:
        raise InvalidInput(
            f"header {shown_name}: the value contains {_control_name(control.group())}"
        )


def _read(path: str | os.PathLike, option: str, max_bytes: int) -> bytes:
    try:
        return grammar.read_regular_file(path, max_bytes)
    except grammar.GrammarError as exc:
        raise InvalidInput(f"{option}: {exc}") from None


def cacert_file(path: str | os.PathLike, option: str = "--cacert") -> None:
    """Refuses a CA bundle that is not a readable regular file holding at least one PEM
    certificate that ``ssl`` accepts. Messages name the file."""
    data = _read(path, option, grammar.MAX_FILE_BYTES)
    shown = grammar.snippet(os.fspath(path), 200)
    if _PEM_CERTIFICATE not in data:
        raise InvalidInput(
            f"{option}: {shown} holds no PEM certificate ({_PEM_CERTIFICATE.decode()});"
            f" a DER file converts with: openssl x509 -inform der -in FILE -out FILE.pem"
        )
    import ssl  # only when a CA bundle is given

    try:
        ssl.create_default_context(cafile=os.fspath(path))
    except (ssl.SSLError, OSError, ValueError) as exc:
        reason = grammar.snippet(re.sub(r"\s*\(_ssl\.c:\d+\)", "", str(exc)), 120)
        raise InvalidInput(f"{option}: {shown} is not a usable CA bundle: {reason}") from None


def auth_json_file(
    path: str | os.PathLike, option: str = "--auth-json", max_bytes: int | None = None
) -> str:
    """The text of an auth file: a regular file of at most ``max_bytes`` (default
    ``MAX_AUTH_FILE_BYTES``) in UTF-8 (a BOM is dropped). Decode it with :func:`json_text`."""
    data = _read(path, option, MAX_AUTH_FILE_BYTES if max_bytes is None else max_bytes)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        shown = grammar.snippet(os.fspath(path), 200)
        raise InvalidInput(f"{option}: {shown} is not UTF-8 (at byte {exc.start})") from None
