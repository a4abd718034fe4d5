"""What `siocli connect` and `siocli serve` were asked to do, checked, normalised and
frozen: built once from the parsed options, never changed afterwards (no heavy imports)."""

import dataclasses
import json
import pathlib
import urllib.parse

from siocli.errors import UsageError
from siocli.grammar import GrammarError, parse_emit

ACTION_KINDS = ("emit", "call", "expect")


@dataclasses.dataclass(frozen=True)
class Action:
    kind: str  # "emit", "call" or "expect"
    event: str
    args: tuple = ()


@dataclasses.dataclass(frozen=True)
class ConnectSettings:
    url: str  # server URL without path: scheme://host[:port]?query
    namespaces: tuple
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
    actions: tuple = ()
    listen: tuple = ()
    count: int = None
    wait: float = None
    trace: bool = False
    display_url: str = ""
    keep_going: bool = False

    @property
    def namespace(self):
        return self.namespaces[0]

    @classmethod
    def from_options(cls, options, action_order=()):
        """Settings from `siocli connect`'s parsed options; UsageError on bad input.
        ``action_order``: the --emit/--call/--expect option names in command-line order."""
        query = [key_value(pair, "--query") for pair in options["query"]]
        url, namespace = split_url(options["url"], query)
        namespaces = [namespace]
        for name in options["namespaces"]:
            name = normalise_namespace(name)
            if name not in namespaces:
                namespaces.append(name)
        return cls(
            url=url,
            namespaces=tuple(namespaces),
            path="/" + options["path"].strip("/"),
            transports=tuple(options["transports"]) or None,
            auth=build_auth(options["auth_pairs"], options["auth_json"], options["token"]),
            auth_cmd=options["auth_cmd"],
            headers=parse_headers(options["headers"]),
            insecure=options["insecure"],
            cacert=options["cacert"],
            reconnect=options["reconnect"],
            reconnect_attempts=positive(options["reconnect_attempts"], "--reconnect-attempts"),
            reconnect_delay=positive(options["reconnect_delay"], "--reconnect-delay"),
            reconnect_delay_max=positive(options["reconnect_delay_max"], "--reconnect-delay-max"),
            connect_timeout=positive(options["connect_timeout"], "--connect-timeout",
                                     allow_zero=False),
            ack_timeout=positive(options["ack_timeout"], "--ack-timeout", allow_zero=False),
            expect_timeout=positive(options["expect_timeout"], "--expect-timeout",
                                    allow_zero=False),
            actions=tuple(ordered_actions(options, action_order)),
            listen=tuple(options["listen"]),
            count=positive(options["count"], "--count", allow_zero=False),
            wait=positive(options["wait"], "--wait"),
            trace=options["trace"],
            display_url=options["url"],
            keep_going=options.get("keep_going", False),
        )

    @property
    def scripted(self):
        """Whether the command line asked for actions or listening (a scripted run)."""
        return bool(self.actions or self.listen or self.count or self.wait is not None)


@dataclasses.dataclass(frozen=True)
class ServeSettings:
    host: str = "127.0.0.1"
    port: int = 5000
    path: str = "/socket.io"
    namespaces: tuple = ("/",)
    token: str = None
    protected: frozenset = None  # namespaces that need the token; None: all of them
    token_hint: str = None  # added to the connect_error data when set (the demo)
    cors: tuple = ()
    ping_interval: float = 25.0
    ping_timeout: float = 20.0

    @classmethod
    def from_options(cls, options):
        namespaces = ["/"]
        for name in options.get("namespaces") or ():
            name = "/" + name.strip().strip("/") if name.strip() not in ("", "/") else "/"
            if name not in namespaces:
                namespaces.append(name)
        return cls(host=options.get("host") or "127.0.0.1", port=options.get("port", 5000),
                   path="/" + (options.get("path") or "/socket.io").strip("/"),
                   namespaces=tuple(namespaces), token=options.get("token"),
                   cors=tuple(options.get("cors") or ()),
                   ping_interval=options.get("ping_interval", 25.0),
                   ping_timeout=options.get("ping_timeout", 20.0))

    def needs_token(self, namespace):
        return self.token is not None and (self.protected is None or namespace in self.protected)


def ordered_actions(options, action_order):
    pending = {kind: list(options[kind]) for kind in ACTION_KINDS}
    order = action_order or [kind for kind in ACTION_KINDS for _ in pending[kind]]
    for kind in order:
        text = pending[kind].pop(0)
        if kind == "expect":
            yield Action("expect", text.strip())
        else:
            yield parse_action(kind, text)


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

