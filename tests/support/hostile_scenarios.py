"""What the hostile test server does once a client asks for a namespace.

A Scenario is plain data. After the client's Socket.IO CONNECT the server answers as
``connect_answer`` says, then, if it accepted: sends ``packets`` verbatim, then one
message of ``large_message_bytes``, then ``flood`` events, then closes the transport if
``close_after``. Engine.IO PINGs go out every ``ping_interval_ms`` unless
``send_pings`` is off.
"""

from dataclasses import dataclass, replace

ACCEPT = "accept"  # 40{"sid": namespace_sid}
CONNECT_ERROR = "connect-error"  # 44{"message": connect_error_message, "data": ...}
CLOSE_TRANSPORT = "close-transport"  # no answer: the transport is closed at once
NO_ANSWER = "no-answer"  # no answer at all, the connection stays up
CONNECT_ANSWERS = (ACCEPT, CONNECT_ERROR, CLOSE_TRANSPORT, NO_ANSWER)


@dataclass(frozen=True)
class Scenario:
    # the namespace socket id in the CONNECT answer; None: a random one
    namespace_sid: str | None = None
    connect_answer: str = ACCEPT
    connect_error_message: str = "not authorized"
    connect_error_data: object = None
    # sent verbatim after the CONNECT answer, as they go on the wire: a str is one
    # Engine.IO packet (``42["x",NaN]``: MESSAGE 4 holding Socket.IO EVENT 2 for `/`;
    # ``42/chat,[...]`` for /chat), bytes one binary message (an attachment)
    packets: tuple = ()
    # the size in bytes of one Engine.IO message ``42["large","xxx…"]`` sent after
    # the packets (0: none); websocket clients refuse messages over 4 MiB by default
    large_message_bytes: int = 0
    flood: int = 0  # `flood` events (args: their number) sent as fast as the transport takes
    close_after: bool = False  # close the transport after everything above was sent
    send_pings: bool = True
    ping_interval_ms: int = 25000
    ping_timeout_ms: int = 20000
    max_payload: int = 1000000
    upgrades: tuple = ("websocket",)
    # most packets in one polling response; None: all that wait, as the JS server sends
    # them (python-engineio's client refuses more than 16)
    polling_batch: int | None = None

    def __post_init__(self):
        if self.connect_answer not in CONNECT_ANSWERS:
            raise ValueError("connect_answer is one of %s" % ", ".join(CONNECT_ANSWERS))

    def but(self, **changes):
        return replace(self, **changes)


CONTROL_TITLE = "\x1b]0;pwned\x07"  # an OSC sequence: sets the terminal's title
MARKUP = "[link=http://x]y[/link]"  # rich console markup

# Named scenarios, for `python tests/support/hostile_server.py --scenario NAME`.
SCENARIOS = {
    "hello": Scenario(packets=('42["hello","world"]',)),
    "control-sid": Scenario(namespace_sid=CONTROL_TITLE, packets=('42["hello","world"]',)),
    "markup-sid": Scenario(namespace_sid=MARKUP, packets=('42["hello","world"]',)),
    # JSON escapes, as JSON.stringify writes them: the client decodes them to controls
    "control-event": Scenario(packets=(
        '42["\\u001b[2Jname",1]', '42["x","\\u001b]0;pwned\\u0007","\\u009b31m"]')),
    "markup-event": Scenario(packets=(
        '42["[bold red]x[/bold red]","%s"]' % MARKUP,)),
    "lone-surrogate": Scenario(packets=(
        '42["x","\\ud83d"]', '42["x",{"\\udc00key":"a\\ude00b"}]', '42["\\ud83d",1]')),
    "nan": Scenario(packets=('42["x",NaN]', '42["x",Infinity,-Infinity,[NaN]]')),
    "binary": Scenario(packets=('451-["file",{"_placeholder":true,"num":0}]', b"\x00\x01\xff")),
    "large-message": Scenario(large_message_bytes=5 * 1024 * 1024, max_payload=10_000_000),
    # PINGs keep coming during the flood: a client that keeps up stays connected
    "flood": Scenario(flood=20_000, ping_interval_ms=500, ping_timeout_ms=5000),
    "no-pings": Scenario(send_pings=False, ping_interval_ms=300, ping_timeout_ms=200,
                         packets=('42["hello","world"]',)),
    "close-on-connect": Scenario(connect_answer=CLOSE_TRANSPORT),
    "no-connect-answer": Scenario(connect_answer=NO_ANSWER),
    "connect-error-control": Scenario(
        connect_answer=CONNECT_ERROR, connect_error_message="\x1b[2J\x1b]0;pwned\x07denied",
        connect_error_data={"hint": "\x1b[31m" + MARKUP}),
    "close-after-hello": Scenario(packets=('42["hello","world"]',), close_after=True),
}
