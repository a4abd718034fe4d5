"""Unit tests of the command registry, the line parser, history filtering and completion."""

import asyncio
import io
import re

import pytest
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from siocli.environment import Environment
from siocli.client.session import NamespaceState
from siocli.commands import REGISTRY, screen
from siocli.commands.context import EventFilter, parse_line
from siocli.commands.messaging import split_timeout
from siocli.errors import CommandError
from siocli.modes.prompt import SafeHistory, holds_secret
from siocli.modes.repl.completer import CommandCompleter
from siocli.output.tables import TableData, plain_table_lines
from siocli.output.writer import Output

SPEC_COMMANDS = ["emit", "call", "listen", "mute", "ns", "status", "log", "connect",
                 "disconnect", "reconnect", "auth", "record", "trace", "clear", "help", "quit",
                 "exit"]


def test_every_spec_command_is_registered_once():
    for name in SPEC_COMMANDS:
        assert REGISTRY.find(name) is not None, name
    names = [c.name for c in REGISTRY.commands]
    assert len(names) == len(set(names))
    assert REGISTRY.find("exit") is REGISTRY.find("quit")


def test_every_command_has_help_and_an_async_handler():
    for command in REGISTRY.commands:
        assert command.summary and command.usage.startswith(command.name)
        assert asyncio.iscoroutinefunction(command.handler)


def test_suggestion_for_a_typo():
    assert REGISTRY.suggest("emti") == "emit"
    assert REGISTRY.suggest("zzzzzz") is None


@pytest.mark.parametrize("line, expected", [
    ("", ("", "")),
    ("   ", ("", "")),
    ("# a comment", ("", "")),
    ("emit chat hello", ("emit", "chat hello")),
    ('  call --timeout 2 echo {"a": 1}', ("call", '--timeout 2 echo {"a": 1}')),
])
def test_parse_line(line, expected):
    assert parse_line(line) == expected


def test_split_timeout():
    assert split_timeout("--timeout 2.5 echo 1", 5) == (2.5, "echo 1")
    assert split_timeout("--timeout=1 echo", 5) == (1.0, "echo")
    assert split_timeout("echo 1", 5) == (5, "echo 1")
    with pytest.raises(CommandError):
        split_timeout("--timeout soon echo", 5)
    with pytest.raises(CommandError):
        split_timeout("--timeout 0 echo", 5)


def test_event_filter_listen_and_mute():
    shown = EventFilter(["price.*"])
    assert shown.shows("price.eur") and not shown.shows("tick")
    shown.mute.append("price.usd")
    assert not shown.shows("price.usd")
    assert shown({"type": "connect"}) is True
    assert shown({"type": "event", "event": "tick"}) is False


@pytest.mark.parametrize("line, secret", [
    ("auth set token=abc", True),
    ('auth json {"token": "abc"}', True),
    ("  auth   set x=1", True),
    ("auth", False),
    ("auth clear", False),
    ("emit auth set", False),
    ("auth set 'unterminated", True),
])
def test_history_never_keeps_auth_values(line, secret):
    assert holds_secret(line) is secret


def test_safe_history_file(tmp_path):
    path = tmp_path / "history"
    history = SafeHistory(str(path))
    for line in ("emit chat hi", "auth set token=s3cret", 'auth json {"t": "s3cret"}', "status"):
        history.append_string(line)
    text = path.read_text()
    assert "emit chat hi" in text and "status" in text
    assert "s3cret" not in text


def test_plain_table_lines_align_columns():
    lines = plain_table_lines(TableData("t", ("a", "bb"), [("xxx", 1), ("y", 22)]))
    assert lines == ["t", "a    bb", "xxx  1", "y    22"]


class FakeSession:
    def __init__(self):
        self.event_names = {"tick", "chat", "echo"}
        self.namespaces = {"/": NamespaceState("/"), "/chat": NamespaceState("/chat")}


class FakeContext:
    session = FakeSession()


def completions(text):
    completer = CommandCompleter(REGISTRY, FakeContext())
    document = Document(text, len(text))
    return [c.text for c in completer.get_completions(document, CompleteEvent())]


def test_completion_of_commands_events_options_namespaces(tmp_path, monkeypatch):
    assert "emit" in completions("em") and "exit" not in completions("em")
    assert completions("emit t") == ["tick"]
    assert completions("emit tick ") == []
    assert completions("call ") == ["--timeout", "chat", "echo", "tick"]
    assert completions("call --timeout 2 e") == ["echo"]
    assert completions("ns /c") == ["/chat"]
    assert completions("auth ") == ["set", "json", "clear"]
    assert completions("trace o") == ["on", "off"]
    assert "status" in completions("help st")
    (tmp_path / "payload.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert completions("emit chat @pay") == ["load.json"]


def test_help_is_built_from_the_registry():
    env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), output="plain")
    output = Output(env)

    class Context:
        pass

    context = Context()
    context.output = output
    context.registry = REGISTRY
    reply = asyncio.run(screen.help_command(context, ""))
    rows = reply.tables[0].rows
    assert [row[0].split()[0] for row in rows] == [c.name for c in REGISTRY.commands]
    assert "quit | exit" in [row[0] for row in rows]
    reply = asyncio.run(screen.help_command(context, "call"))
    assert any(re.match(r"usage: call \[--timeout S\] EVENT", line) for line in reply.lines)
    with pytest.raises(CommandError):
        asyncio.run(screen.help_command(context, "nope"))
