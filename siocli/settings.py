"""What `siocli connect` was asked to do, checked and normalised (no heavy imports)."""

import dataclasses
import json
import pathlib
import urllib.parse

from siocli.grammar import GrammarError, parse_emit


class UsageError(ValueError):
    """Bad input from the command line or the environment: one line, exit 2."""


@dataclasses.dataclass(frozen=True)
class Action:
    kind: str  # "emit", "call" or "expect"
    event: str
    args: tuple = ()


@dataclasses.dataclass
class ConnectSettings:
    url: str  # server URL without path: scheme://host[:port]?query
    namespaces: list
    path: str = "/socket.io"
    transports: list = None
    auth: dict = None
    auth_cmd: str = None
    headers: dict = dataclasses.field(default_factory=dict)
    insecure: bool = False
    cacert: str = None
    reconnect: bool = True
    reconnect_attempts: int = 0  # 0: unlimited
    reconnect_delay: float = 1.0
    reconnect_delay_max: float = 5.0
    randomization_factor: float = 0.5
    connect_timeout: float = 10.0
    ack_timeout: float = 5.0
    expect_timeout: float = 10.0
    actions: list = dataclasses.field(default_factory=list)
    listen: list = dataclasses.field(default_factory=list)
    count: int = None
    wait: float = None
    trace: bool = False
    display_url: str = ""
    keep_going: bool = False

    @property
    def namespace(self):
        return self.namespaces[0]


def normalise_namespace(name):
    name = name.strip()
    return name if name.startswith("/") else "/" + name


def split_url(url, extra_query=()):
    """(server URL with query, namespace) as `io(url)` reads it."""
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in ("http", "https"):
        raise UsageError("unsupported URL scheme %r: use http, https, ws or wss" % parts.scheme)
    if not parts.hostname:
        raise UsageError("no host in URL %r" % url)
    try:
        parts.port
    except ValueError:
        raise UsageError("invalid port in URL %r" % url) from None
    namespace = normalise_namespace(parts.path.rstrip("/") or "/")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(extra_query)
    server = urllib.parse.urlunsplit((scheme, parts.netloc, "", urllib.parse.urlencode(query), ""))
    return server, namespace


def key_value(text, option):
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError("%s expects KEY=VALUE, got %r" % (option, text))
    return key, value


def json_or_string(text):
    try:
        return json.loads(text)
    except ValueError:
        return text


def build_auth(pairs=(), auth_json=None, token=None):
    """The auth payload from --auth-json, -a KEY=VALUE and --token, in that order."""
    auth = None
    if auth_json:
        text = auth_json
        if auth_json.startswith("@"):
            try:
                text = pathlib.Path(auth_json[1:]).read_text()
            except OSError as exc:
                raise UsageError("--auth-json: cannot read %s: %s" % (auth_json[1:], exc.strerror))
        try:
            auth = json.loads(text)
        except ValueError as exc:
            raise UsageError("--auth-json is not valid JSON: %s" % exc) from None
        if not isinstance(auth, dict):
            raise UsageError("--auth-json must be a JSON object")
    for pair in pairs:
        key, value = key_value(pair, "--auth")
        auth = dict(auth or {})
        auth[key] = json_or_string(value)
    if token is not None:
        auth = dict(auth or {})
        auth["token"] = token
    return auth


def parse_headers(lines):
    headers = {}
    for line in lines:
        name, sep, value = line.partition(":")
        if not sep or not name.strip():
            raise UsageError('--header expects "Name: value", got %r' % line)
        headers[name.strip()] = value.strip()
    return headers


def parse_action(kind, text):
    try:
        command = parse_emit(text)
    except GrammarError as exc:
        raise UsageError("--%s %s: %s" % (kind, text, exc)) from None
    return Action(kind, command.event, command.args)


def positive(value, option, allow_zero=True):
    if value is None:
        return value
    if value < 0 or (value == 0 and not allow_zero):
        raise UsageError("%s must be %s, got %s" % (option, "0 or more" if allow_zero else "more than 0", value))
    return value


ACTION_KINDS = ("emit", "call", "expect")
