"""What `siocli connect`, `siocli serve` and `siocli bench` were asked to do, checked,
normalised and frozen: built once from the parsed options, never changed afterwards (no
heavy imports)."""

import dataclasses
import re
import urllib.parse

from siocli import grammar, validate
from siocli.auth import mask_url
from siocli.errors import GrammarError, UsageError
from siocli.grammar import parse_emit
from siocli.proxy import Choice as ProxyChoice
from siocli.proxy import decide as decide_proxy

ACTION_KINDS = ("emit", "call", "expect")


@dataclasses.dataclass(frozen=True)
class Action:
    kind: str  # "emit", "call" or "expect"
    event: str
    args: tuple = ()


@dataclasses.dataclass(frozen=True)
class AckReply:
    """--ack-reply: answer the server's ack requests for ``event`` (None: any event)."""

    event: str = None
    args: tuple = ()

    def answers(self, event):
        return self.event is None or self.event == str(event)


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
    parser: str = "default"  # or "msgpack": the server uses socket.io-msgpack-parser
    reconnect: bool = True
    reconnect_attempts: int = 0  # 0: unlimited
    reconnect_delay: float = 1.0
    reconnect_delay_max: float = 5.0
    randomization_factor: float = 0.5
    connect_timeout: float = 10.0
    ack_timeout: float = 5.0
    retries: int = 0  # JS `retries`: a call whose ack times out is sent again, N times
    ack_replies: tuple = ()  # AckReply: the automatic answers to the server's ack requests
    expect_timeout: float = 10.0
    actions: tuple = ()
    listen: tuple = ()
    count: int = None
    wait: float = None
    trace: bool = False
    display_url: str = ""
    keep_going: bool = False
    # which proxy (its url: http://[user:password@]host:port, or None: connect directly)
    # and why: --proxy, a variable, or a NO_PROXY rule that bypassed it
    proxy_choice: ProxyChoice = ProxyChoice()

    @property
    def namespace(self):
        return self.namespaces[0]

    @property
    def proxy(self):
        """The proxy URL (http://[user:password@]host:port), or None: connect directly."""
        return self.proxy_choice.url

    @property
    def display_proxy(self):
        """The proxy fit to show (its password masked), or None."""
        return mask_url(self.proxy) if self.proxy else None

    @classmethod
    def from_options(cls, options, action_order=(), environ=None):
        """Settings from `siocli connect`'s parsed options; UsageError on bad input.
        ``action_order``: the --emit/--call/--expect option names in command-line order;
        ``environ``: where HTTP(S)_PROXY and NO_PROXY are read (none: no proxy from it)."""
        query = [key_value(pair, "--query") for pair in options["query"]]
        url, namespace = split_url(options["url"], query)
        namespaces = [namespace]
        for name in options["namespaces"]:
            name = normalise_namespace(name)
            if name not in namespaces:
                namespaces.append(name)
        headers = parse_headers(options["headers"])
        if urllib.parse.urlsplit(url).password is not None and any(
                name.lower() == "authorization" for name in headers):
            raise UsageError("credentials in the URL and -H Authorization: give one of them")
        if options["insecure"] and options["cacert"]:
            raise UsageError("-k/--insecure turns certificate checks off, --cacert sets what "
                             "they trust: give one of them")
        if options["cacert"]:
            validate.cacert_file(options["cacert"])
        return cls(
            url=url,
            namespaces=tuple(namespaces),
            path="/" + validate.no_surrogates(options["path"], "--path").strip("/"),
            transports=tuple(options["transports"]) or None,
            auth=build_auth(options["auth_pairs"], options["auth_json"], options["token"]),
            auth_cmd=options["auth_cmd"] and validate.no_surrogates(options["auth_cmd"],
                                                                    "--auth-cmd"),
            headers=headers,
            insecure=options["insecure"],
            cacert=options["cacert"],
            parser=options.get("parser") or "default",
            reconnect=options["reconnect"],
            reconnect_attempts=positive(options["reconnect_attempts"], "--reconnect-attempts"),
            reconnect_delay=seconds(options["reconnect_delay"], "--reconnect-delay"),
            reconnect_delay_max=seconds(options["reconnect_delay_max"], "--reconnect-delay-max"),
            connect_timeout=seconds(options["connect_timeout"], "--connect-timeout",
                                    allow_zero=False),
            ack_timeout=seconds(options["ack_timeout"], "--ack-timeout", allow_zero=False),
            retries=positive(options.get("retries") or 0, "--retries"),
            ack_replies=parse_ack_replies(options.get("ack_reply") or ()),
            expect_timeout=seconds(options["expect_timeout"], "--expect-timeout",
                                   allow_zero=False),
            actions=tuple(ordered_actions(options, action_order)),
            listen=tuple(validate.no_surrogates(p, "--listen") for p in options["listen"]),
            count=positive(options["count"], "--count", allow_zero=False),
            wait=seconds(options["wait"], "--wait"),
            trace=options["trace"],
            display_url=mask_url(options["url"]),
            keep_going=options.get("keep_going", False),
            proxy_choice=decide_proxy(url, options.get("proxy"), environ or {}),
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
        """Settings from `siocli serve`'s parsed options; UsageError on bad input."""
        namespaces = ["/"]
        for name in options.get("namespaces") or ():
            name = validate.no_surrogates(name, "--namespace").strip().strip("/")
            name = "/" + name if name else "/"
            if name not in namespaces:
                namespaces.append(name)
        port = options.get("port", 5000)
        if not 0 <= port <= 65535:
            raise UsageError("--port must be from 0 (any free port) to 65535, got %s" % port)
        for option in ("host", "path", "token"):
            if options.get(option):
                validate.no_surrogates(options[option], "--" + option)
        for origin in options.get("cors") or ():
            validate.no_surrogates(origin, "--cors")
        return cls(host=options.get("host") or "127.0.0.1", port=port,
                   path="/" + (options.get("path") or "/socket.io").strip("/"),
                   namespaces=tuple(namespaces), token=options.get("token"),
                   cors=tuple(options.get("cors") or ()),
                   ping_interval=seconds(options.get("ping_interval", 25.0), "--ping-interval",
                                         allow_zero=False),
                   ping_timeout=seconds(options.get("ping_timeout", 20.0), "--ping-timeout",
                                        allow_zero=False))

    def needs_token(self, namespace):
        return self.token is not None and (self.protected is None or namespace in self.protected)


BENCH_DEFAULT_NUMBER = 1000
BENCH_MAX_CONCURRENCY = 10_000  # each one in flight is a task and a pending ack
# the defaults of `connect`'s options, for the modes (bench, replay, doctor) that take
# only some of them
CONNECT_DEFAULTS = {
    "namespaces": (), "query": (), "auth_pairs": (), "auth_json": None, "token": None,
    "auth_cmd": None, "headers": (), "insecure": False, "cacert": None, "reconnect": True,
    "reconnect_attempts": 0, "reconnect_delay": 1.0, "reconnect_delay_max": 5.0,
    "connect_timeout": 10.0, "ack_timeout": 5.0, "expect_timeout": 10.0, "listen": (),
    "count": None, "wait": None, "trace": False, "emit": (), "call": (), "expect": (),
    "path": "/socket.io", "transports": (), "proxy": None, "retries": 0, "ack_reply": (),
    "parser": "default",
}


@dataclasses.dataclass(frozen=True)
class BenchSettings:
    """`siocli bench`: the connection (as `connect` takes it), then what to send, how
    many times or for how long, and how many at once."""

    connection: ConnectSettings
    kind: str  # "emit" or "call"
    event: str
    args: tuple = ()
    number: int = None  # how many emits or calls; None with a duration
    duration: float = None  # seconds of sending; None with a number
    concurrency: int = 1

    @property
    def namespace(self):
        return self.connection.namespace

    @classmethod
    def from_options(cls, options, environ=None):
        """Settings from `siocli bench`'s parsed options; UsageError on bad input."""
        emit, call = options.get("emit"), options.get("call")
        if (emit is None) == (call is None):
            raise UsageError('give one of --emit or --call "EVENT [ARG...]"' if emit is None
                             else "give one of --emit and --call, not both")
        kind, text = ("emit", emit) if emit is not None else ("call", call)
        number, duration = options.get("number"), options.get("duration")
        if number is not None and duration is not None:
            raise UsageError("give one of -n/--number and --duration, not both")
        if number is None and duration is None:
            number = BENCH_DEFAULT_NUMBER
        concurrency = options.get("concurrency")
        if concurrency is not None and concurrency > BENCH_MAX_CONCURRENCY:
            raise UsageError("-c/--concurrency must be at most %d, got %s"
                             % (BENCH_MAX_CONCURRENCY, concurrency))
        action = parse_action(kind, text)
        return cls(
            connection=connection_settings(options, environ, exclude=ACTION_KINDS),
            kind=kind,
            event=action.event,
            args=action.args,
            number=positive(number, "-n/--number", allow_zero=False),
            duration=seconds(duration, "--duration", allow_zero=False),
            concurrency=positive(1 if concurrency is None else concurrency,
                                 "-c/--concurrency", allow_zero=False),
        )


@dataclasses.dataclass(frozen=True)
class ReplaySettings:
    """`siocli replay FILE URL`: the connection (as `connect` takes it, with the
    recording's namespaces), the emits to send again and how fast."""

    connection: ConnectSettings
    path: str
    sent: tuple  # recording.Sent, in order
    speed: float = 1.0  # 0: no waiting

    @classmethod
    def from_options(cls, options, environ=None):
        """Settings from `siocli replay`'s parsed options and the recording they name;
        UsageError on bad input. ``environ``: where HTTP(S)_PROXY and NO_PROXY are read."""
        from siocli.recording import read_recording

        speed = options.get("speed")
        speed = 1.0 if speed is None else speed
        if not 0 <= speed < float("inf"):
            raise UsageError("--speed must be 0 (no waiting) or more, got %s" % speed)
        sent = read_recording(options["file"])
        namespaces = tuple(dict.fromkeys(item.namespace for item in sent))
        return cls(connection=connection_settings(options, environ, namespaces=namespaces),
                   path=options["file"], sent=tuple(sent), speed=speed)


def connection_settings(options, environ, exclude=(), **overrides):
    """The ConnectSettings of a mode that takes some of `connect`'s options: their
    defaults, then the ``options`` given (but ``exclude``), the URL and ``overrides``."""
    connect_options = dict(CONNECT_DEFAULTS)
    connect_options.update({key: value for key, value in options.items()
                            if key in CONNECT_DEFAULTS and value is not None
                            and key not in exclude})
    connect_options["url"] = options["url"]
    connect_options.update(overrides)
    return ConnectSettings.from_options(connect_options, environ=environ)


def ordered_actions(options, action_order):
    pending = {kind: list(options[kind]) for kind in ACTION_KINDS}
    order = action_order or [kind for kind in ACTION_KINDS for _ in pending[kind]]
    for kind in order:
        text = pending[kind].pop(0)
        if kind == "expect":
            yield Action("expect", expected_event(text))
        else:
            yield parse_action(kind, text)


# EVENT= before the arguments of --ack-reply: a first word with "=" in it (quotes, JSON
# and spaces end the name); b64:, hex: and @ words are arguments (b64 ends with "=")
_REPLY_EVENT = re.compile(r"([^\s=\"'{}\[\]\\]+)=")
_ARGUMENT_PREFIXES = ("b64:", "hex:", "@")


def parse_ack_reply(text):
    """An AckReply from ``[EVENT=]ARGS`` (ARGS in the emit grammar); UsageError."""
    validate.no_surrogates(text, "--ack-reply")
    match = _REPLY_EVENT.match(text)
    event, rest = None, text
    if match and not match.group(1).startswith(_ARGUMENT_PREFIXES):
        event, rest = match.group(1), text[match.end():]
        if event in grammar.RESERVED_EVENTS:
            raise UsageError("--ack-reply %s: %r is a lifecycle name, never an incoming event"
                             % (grammar.snippet(text), event))
    try:
        args = grammar.parse_args(rest)
    except GrammarError as exc:
        raise UsageError("--ack-reply %s: %s" % (grammar.snippet(text), exc)) from None
    return AckReply(event, args)


def parse_ack_replies(texts):
    replies, seen = [], set()
    for text in texts:
        reply = parse_ack_reply(text)
        if reply.event in seen:
            raise UsageError("--ack-reply given twice for %s" % (
                "any event" if reply.event is None else "event %r" % reply.event))
        seen.add(reply.event)
        replies.append(reply)
    return tuple(replies)


def ack_reply_for(replies, event):
    """The AckReply that answers ``event``: the one naming it, else the one for any event."""
    named = [reply for reply in replies if reply.event is not None and reply.answers(event)]
    general = [reply for reply in replies if reply.event is None]
    return (named or general or [None])[0]


def normalise_namespace(name):
    name = validate.no_surrogates(name, "namespace").strip()
    return name if name.startswith("/") else "/" + name


def split_url(url, extra_query=()):
    """(server URL with query, namespace) as `io(url)` reads it."""
    validate.url_host_port(url)
    if "://" not in url:
        url = "http://" + url
    parts = urllib.parse.urlsplit(url)
    scheme = {"ws": "http", "wss": "https"}.get(parts.scheme.lower(), parts.scheme.lower())
    if scheme not in ("http", "https"):
        raise UsageError("unsupported URL scheme %r: use http, https, ws or wss" % parts.scheme)
    namespace = normalise_namespace(parts.path.rstrip("/") or "/")
    query = urllib.parse.parse_qsl(parts.query, keep_blank_values=True) + list(extra_query)
    server = urllib.parse.urlunsplit((scheme, parts.netloc, "", urllib.parse.urlencode(query), ""))
    return server, namespace


def key_value(text, option):
    """(KEY, VALUE) of ``KEY=VALUE``; the message never repeats the text (it may be a secret)."""
    validate.no_surrogates(text, option)
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise UsageError("%s expects KEY=VALUE (%s)" % (
            option, "no '=' in it" if not sep else "the KEY before '=' is empty"))
    return key, value


def json_or_string(text):
    """The JSON value ``text`` holds (strictly, within the grammar's limits), else the text."""
    try:
        return grammar.decode_json(text)
    except GrammarError:
        return text


def build_auth(pairs=(), auth_json=None, token=None):
    """The auth payload from --auth-json, -a KEY=VALUE and --token, in that order."""
    auth = None
    if auth_json is not None:
        if not auth_json.strip():
            raise UsageError('--auth-json is empty: give a JSON object, e.g. {"token": "abc"}')
        text = auth_json
        if auth_json.startswith("@"):
            text = validate.auth_json_file(auth_json[1:])
        auth = validate.json_text(text, "--auth-json")
        if not isinstance(auth, dict):
            raise UsageError("--auth-json must be a JSON object")
    for pair in pairs:
        key, value = key_value(pair, "--auth")
        auth = dict(auth or {})
        auth[key] = json_or_string(value)
    if token is not None:
        auth = dict(auth or {})
        auth["token"] = validate.no_surrogates(token, "--token")
    if auth is not None:
        validate.auth_payload(auth, "auth")
    return auth


def parse_headers(lines):
    headers = {}
    for line in lines:
        validate.no_surrogates(line, "--header")
        name, sep, value = line.partition(":")
        if not sep:
            raise UsageError('--header expects "Name: value" (no ":" in it)')
        validate.header(name.strip(), value.strip())
        headers[name.strip()] = value.strip()
    return headers


def parse_action(kind, text):
    try:
        command = parse_emit(text)
    except GrammarError as exc:
        raise UsageError("--%s %s: %s" % (kind, grammar.snippet(text), exc)) from None
    return Action(kind, command.event, command.args)


def expected_event(text):
    event = validate.no_surrogates(text, "--expect").strip()
    if not event:
        raise UsageError("--expect needs an event name")
    if event in grammar.RESERVED_EVENTS:
        raise UsageError("--expect %s: %r is a lifecycle name, never an incoming event "
                         "(the `%s` record shows it)" % (event, event, event))
    return event


def seconds(value, option, allow_zero=True):
    return None if value is None else validate.finite_seconds(value, option, allow_zero)


def positive(value, option, allow_zero=True):
    """A whole number option: 0 or more (more than 0 unless ``allow_zero``)."""
    if value is None:
        return value
    if value < 0 or (value == 0 and not allow_zero):
        raise UsageError("%s must be %s, got %s" % (
            option, "0 or more" if allow_zero else "more than 0", value))
    return value


@dataclasses.dataclass(frozen=True)
class DoctorSettings:
    """`siocli doctor`: the connection (as `connect` takes it, with how its proxy was
    chosen, which the `proxy` step says), and the web page's origin whose CORS is checked."""

    connection: ConnectSettings
    origin: str = None

    @property
    def namespace(self):
        return self.connection.namespace

    @classmethod
    def from_options(cls, options, environ=None):
        """Settings from `siocli doctor`'s parsed options; UsageError on bad input.
        ``environ``: where HTTP(S)_PROXY and NO_PROXY are read (none: no proxy from it)."""
        origin = options.get("origin")
        if origin is not None:
            origin = validate.no_surrogates(origin, "--origin").strip().rstrip("/")
            parts = urllib.parse.urlsplit(origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path:
                raise UsageError("--origin expects a web page's origin, "
                                 "scheme://host[:port], e.g. https://app.example.com")
        return cls(connection=connection_settings(options, environ), origin=origin)
