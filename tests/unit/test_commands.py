"""Unit tests of siocli.commands (the registry, the line parser, the event filter, help)
and of the REPL's completer built on the registry."""

import asyncio
import io
import os
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from prompt_toolkit.completion import CompleteEvent
from prompt_toolkit.document import Document

from siocli.client.ack_requests import AckRequests
from siocli.client.session import NamespaceState
from siocli.commands import REGISTRY, screen
from siocli.commands.context import EventFilter, parse_line
from siocli.commands.messaging import split_timeout
from siocli.environment import Environment
from siocli.errors import CommandError
from siocli.modes.repl.completer import CommandCompleter
from siocli.output.writer import Output

SPEC_COMMANDS = ["emit", "call", "listen", "mute", "ns", "status", "log", "connect",
                 "disconnect", "reconnect", "reply", "auth", "record", "trace", "clear", "help",
                 "quit", "exit"]


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


class FakeSession:
    def __init__(self):
        self.event_names = {"tick", "chat", "echo"}
        self.namespaces = {"/": NamespaceState("/"), "/chat": NamespaceState("/chat")}
        self.ack_requests = AckRequests(send=None, record=None)
        for namespace, ack in (("/", 3), ("/chat", 4), ("/", 12)):
            self.ack_requests.arrived(namespace, ack, "question")


class FakeContext:
    session = FakeSession()
    namespace = "/"


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
    assert completions("auth ") == ["--show", "set", "json", "clear"]
    assert completions("trace o") == ["on", "off"]
    assert completions("reply ") == ["12", "3"]  # the active namespace's, latest first
    assert completions("disconnect ") == ["--all"]
    assert "status" in completions("help st")
    (tmp_path / "payload.json").write_text("{}")
    monkeypatch.chdir(tmp_path)
    assert completions("emit chat @pay") == ["load.json"]


def test_event_names_are_completed_as_they_are_typed_back():
    class Context:
        session = FakeSession()

    Context.session.event_names = {"add user", "tick"}
    completer = CommandCompleter(REGISTRY, Context())

    def offered(text):
        document = Document(text, len(text))
        return [c.text for c in completer.get_completions(document, CompleteEvent())]

    assert offered("emit ") == ['"add user"', "tick"]
    assert offered('emit "ad') == ['"add user"']


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


# -- property: no REPL line gives a traceback -------------------------------------------

OFFLINE_COMMANDS = ["emit", "listen", "mute", "auth", "auth set", "auth json", "status", "log",
                    "trace", "help", "record", "disconnect", "clear", "bogus", "", "#"]


@settings(max_examples=200, deadline=2000, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.sampled_from(OFFLINE_COMMANDS),
       st.text(alphabet=st.characters(codec=None, max_codepoint=0xFFFF), max_size=40))
def test_no_command_line_raises(tmp_path, command, rest):
    from siocli.client.session import Session
    from siocli.commands.context import CommandContext, Reply, run_line
    from siocli.settings import ConnectSettings

    async def run():
        env = Environment(stdout=io.StringIO(), stderr=io.StringIO(), output="plain")
        output = Output(env)
        settings = ConnectSettings(url="http://127.0.0.1:9", namespaces=("/",))
        session = Session(settings, output.emit)
        context = CommandContext(session, output, settings, interactive=False,
                                 registry=REGISTRY)
        try:
            reply = await asyncio.wait_for(run_line(context, "%s %s" % (command, rest)), 5)
        finally:
            await session.close()
            output.close_record()
        assert isinstance(reply, Reply)

    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        asyncio.run(run())
    finally:
        os.chdir(cwd)
