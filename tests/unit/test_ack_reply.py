"""--ack-reply's [EVENT=]ARGS, the argument-only grammar of `reply`, and how an incoming
event that asks for an ack is shown."""

import asyncio
from types import SimpleNamespace

import pytest

from siocli import records
from siocli.client.session import Session
from siocli.errors import GrammarError, UsageError
from siocli.grammar import parse_args
from siocli.modes.repl.toolbar import toolbar_fragments
from siocli.output.plain import plain_line
from siocli.settings import (
    AckReply,
    ConnectSettings,
    ack_reply_for,
    parse_ack_replies,
    parse_ack_reply,
)


@pytest.mark.parametrize("text, event, args", [
    ('question={"ok": true} 2', "question", ({"ok": True}, 2)),
    ("user:join=yes", "user:join", ("yes",)),
    ("question=", "question", ()),
    ('{"ok": true}', None, ({"ok": True},)),
    ("", None, ()),
    ("b64:AAE=", None, (b"\x00\x01",)),  # base64 ends with "=": an argument, not an EVENT
    ("hex:ff00 x", None, (b"\xff\x00", "x")),
    ('"a=b"', None, ("a=b",)),  # quoted: a string with "=" in it
    ('"a"=b', None, ("a=b",)),  # a quote ends the name: a shell word
    ("a b=c", None, ("a", "b=c")),  # only the first word may name the event
    ("ev=[1, 2] x", "ev", ([1, 2], "x")),
])
def test_ack_reply_event_and_args(text, event, args):
    assert parse_ack_reply(text) == AckReply(event, args)


@pytest.mark.parametrize("text, message", [
    ("connect=1", "'connect' is a lifecycle name"),
    ("q={", "--ack-reply q={: "),
    ("q=NaN", None),
])
def test_bad_ack_replies_are_usage_errors(text, message):
    if message is None:  # NaN is no JSON: it is the word "NaN", a string
        assert parse_ack_reply(text).args == ("NaN",)
        return
    with pytest.raises(UsageError, match=message.replace("{", r"\{")):
        parse_ack_reply(text)


def test_a_reply_for_the_event_wins_over_one_for_any_event():
    replies = parse_ack_replies(["any", "question=named"])
    assert ack_reply_for(replies, "question").args == ("named",)
    assert ack_reply_for(replies, "other").args == ("any",)
    assert ack_reply_for(replies, 42).args == ("any",)  # events may be named by a number
    assert ack_reply_for(parse_ack_replies(["q=1"]), "other") is None
    with pytest.raises(UsageError, match="given twice for any event"):
        parse_ack_replies(["1", "2"])


def test_parse_args_takes_json_in_the_first_word():
    assert parse_args('{"a": 1} [2] 3 "x y" null') == ({"a": 1}, [2], 3, "x y", None)
    assert parse_args("   ") == ()
    with pytest.raises(GrammarError):
        parse_args('{"a": ')


def test_an_event_that_asks_for_an_ack_shows_it_awaits_a_reply():
    asked = records.event("/", "question", [1], ack=4)
    assert asked["ack"] == 4
    assert plain_line(asked).endswith("<-  /  question  1  [awaits reply, ack 4]")
    assert plain_line(records.event("/", "tick", [1])).endswith("<-  /  tick  1")
    answered = records.reply("/chat", "question", 4, ["yes"])
    assert answered == {"type": "reply", "ts": answered["ts"], "namespace": "/chat",
                        "event": "question", "ack": 4, "args": ["yes"]}
    assert plain_line(answered).endswith('reply  /chat  question  "yes"  (ack 4)')


def test_the_toolbar_counts_the_requests_awaiting_reply():
    async def scenario():
        session = Session(ConnectSettings(url="http://127.0.0.1:9", namespaces=("/",)),
                          lambda record: None)
        context = SimpleNamespace(session=session, namespace="/",
                                  output=SimpleNamespace(recording=None))
        assert "awaiting" not in "".join(text for _, text in toolbar_fragments(context))
        session.ack_requests.arrived("/", 3, "question")
        assert "1 awaiting `reply`" in "".join(text for _, text in toolbar_fragments(context))
        await session.close()
    asyncio.run(scenario())
