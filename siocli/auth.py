"""Secrets fit to show: auth payloads, headers and URLs with their secret parts masked."""

import json

SECRET_HINTS = ("token", "secret", "password", "passwd", "pass", "key", "auth", "cookie",
                "session", "credential", "jwt", "bearer", "signature")
SECRET_HEADERS = ("authorization", "cookie", "proxy-authorization", "x-api-key", "x-auth-token")
# protocol headers whose names look secret (Sec-WebSocket-Key, ...Allow-Credentials) but
# whose values are not
PROTOCOL_HEADER_PREFIXES = ("sec-websocket-", "access-control-")


def is_secret(key):
    lowered = str(key).lower()
    return any(hint in lowered for hint in SECRET_HINTS)


def mask_value(value):
    text = value if isinstance(value, str) else json.dumps(value)
    if len(text) <= 4:
        return "****"
    return text[:2] + "*" * min(len(text) - 2, 8)


def masked(payload):
    """A copy of an auth payload fit to show: the values of secret-looking keys (token,
    password, session, ...) masked, with everything under them; the rest as it is."""
    if isinstance(payload, dict):
        return {key: mask_all(value) if is_secret(key) else masked(value)
                for key, value in payload.items()}
    if isinstance(payload, list):
        return [masked(value) for value in payload]
    return payload


def mask_all(value):
    if isinstance(value, dict):
        return {key: mask_all(item) for key, item in value.items()}
    if isinstance(value, list):
        return [mask_all(item) for item in value]
    return None if value is None else mask_value(value)


def is_secret_header(name):
    """Whether the value of the HTTP header ``name`` is a secret to mask wherever shown:
    a known secret header, or a secret-looking name that is no protocol header."""
    lowered = str(name).strip().lower()
    return lowered in SECRET_HEADERS or (
        is_secret(lowered) and not lowered.startswith(PROTOCOL_HEADER_PREFIXES))


def masked_headers(headers):
    return {name: mask_value(value) if is_secret_header(name) else value
            for name, value in (headers or {}).items()}


def mask_url(url):
    """``url`` fit to show: the password of its user info and the values of secret-looking
    query parameters (``?token=...``) masked. Left as typed where it does not parse."""
    import urllib.parse

    try:
        parts = urllib.parse.urlsplit(url if "://" in url else "http://" + url)
        netloc = parts.netloc
        if parts.password is not None:
            userinfo, _, hostport = netloc.rpartition("@")
            netloc = "%s:%s@%s" % (userinfo.partition(":")[0], "****", hostport)
        query = parts.query
        if query:
            pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
            query = "&".join(
                "%s=%s" % (urllib.parse.quote(key, safe=""),
                           "****" if is_secret(key) else urllib.parse.quote(value, safe=""))
                for key, value in pairs)
    except ValueError:
        return url
    shown = urllib.parse.urlunsplit((parts.scheme, netloc, parts.path, query, parts.fragment))
    return shown if "://" in url else shown.split("://", 1)[1]
