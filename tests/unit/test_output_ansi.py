"""siocli.output.ansi: the screen's common line is written without a rich Console print,
and is exactly what the Console prints for it: the same bytes, colours on and off, for
any text and spans (hostile text included), and rich's own JSON highlighting."""

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rich.highlighter import JSONHighlighter
from rich.style import Style
from rich.text import Span, Text

from siocli import records
from siocli.output.ansi import AnsiLines, highlight_json
from siocli.output.cells import ack_request_of, clock, compact_args, event_of, namespace_of
from siocli.output.display import display_args, shown_name
from siocli.output.rich_renderer import MESSAGE_ARROWS, RichConsole, RichRenderer

HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://x\x1b\\link\x9b31m\u202eevil\u2066"
           "[link=http://x]y[/link][bold]b[/bold]:smile:\ud83d\n\t\r\x7f\x00")
STYLES = ["dim", "bold", "blue", "bold cyan", "bold magenta", "bold green", "green",
          "dim italic", "not bold not italic green", "json.key", "json.str", "json.number",
          "json.brace", "json.null", "json.bool_true", "json.bool_false", "no such style",
          "", Style(color="red", underline=True), Style(bgcolor="#102030", bold=False)]
# text that looks like display JSON (and the summaries in it), or like anything at all
JSONISH = st.text(alphabet='{}[]()":, \\-+.0123456789eExbtruefalsnl\u2026\u4e2d', max_size=60)
ANY_TEXT = JSONISH | st.text(max_size=40) | st.sampled_from([HOSTILE, "", " ", "a\tb"])
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.binary(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(
        st.text(max_size=8), children, max_size=4),
    max_leaves=10)
ARGS = st.lists(JSON_VALUES, max_size=3).map(display_args) | JSONISH


def consoles():
    return [RichConsole(True, lambda: 80), RichConsole(False, lambda: 80)]


@pytest.fixture(params=[True, False], ids=["colour", "no colour"])
def console(request):
    return RichConsole(request.param, lambda: 80)


@given(ARGS)
def test_json_is_highlighted_as_rich_s_json_highlighter_does(plain):
    assert highlight_json(Text(plain)).spans == JSONHighlighter()(Text(plain)).spans


@st.composite
def styled_texts(draw):
    plain = draw(ANY_TEXT)
    text = Text(plain, style=draw(st.sampled_from(STYLES)))
    bound = len(text.plain)
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, bound))
        end = draw(st.integers(start, bound))
        text.spans.append(Span(start, end, draw(st.sampled_from(STYLES))))
    return text


@given(styled_texts())
def test_a_line_is_what_the_console_prints_for_it(text):
    for console in consoles():
        expected = console.render(text.copy(), soft_wrap=True)
        assert console.line(text) == expected


@st.composite
def messages(draw):
    pieces = st.lists(st.tuples(ANY_TEXT, st.sampled_from(STYLES[:-2] + [None])), max_size=6)
    return draw(pieces), draw(ARGS | ANY_TEXT), draw(pieces)


@given(messages())
def test_a_message_is_what_the_console_prints_for_its_text(message):
    head, args, tail = message
    text = Text.assemble(*head)
    text.append_text(JSONHighlighter()(Text(args)))
    text.append_text(Text.assemble(*tail))
    for console in consoles():
        assert console.message(head, args, tail) == console.render(text.copy(),
                                                                   soft_wrap=True)


def console_message(console, record):
    """The line of an event, emit or ack as the Console printed it before ansi.py."""
    kind = record["type"]
    text = Text.assemble((clock(record) + " ", "dim"), MESSAGE_ARROWS[kind],
                         (namespace_of(record), "blue"), " ", (event_of(record), "bold"), " ")
    text.append_text(JSONHighlighter()(Text(compact_args(record.get("args", ())))))
    if kind == "ack":
        text.append(" (%s ms)" % shown_name(record.get("rtt_ms")), "dim")
    request = ack_request_of(record)
    if request:
        text.append(" " + request, "yellow" if kind == "event" else "dim")
    return console.render(text, soft_wrap=True)


def shown_records():
    h = HOSTILE
    return [
        records.event("/", "tick", [{"i": 12}]),
        records.event("/chat", "add user", ["ann", {"n": -1.5e3, "ok": True, "x": None}]),
        records.emit("/", "echo", [{"i": 1}, [1, 2, "3"], b"\x00\x01"]),
        records.ack("/", "echo", [{"i": 1}], 0.53),
        records.ack("/", "echo", [], 12.25),
        records.event(h, h, [h, {h: [h]}, b"\x1b]0;x\x07" * 10, 1.5]),
        records.emit(h, h, [h]),
        records.ack(h, h, [h], 1.2),
        records.event("/", "big", ["y" * 5000, list(range(3000))]),
        records.event("/", "keys", [{'a"b': 1, "c\\": {"d": ":"}, " ": [" :"]}]),
        dict(records.event("/", "ask", [1]), ack=7),
        dict(records.event(h, h, [h]), ack=h),
        dict(records.ack("/", "ask", ["ok"], 1.0), type="reply", ack=7),
    ]


@pytest.mark.parametrize("color", [True, False], ids=["colour", "no colour"])
def test_events_emits_and_acks_are_shown_as_the_console_showed_them(color):
    renderer = RichRenderer(color, width_of=lambda: 120)
    for record in shown_records():
        assert renderer.record(record) == console_message(renderer.rich, record)


def test_packet_and_other_lines_are_what_the_console_prints():
    fast = RichRenderer(True, width_of=lambda: 80)
    console = RichRenderer(True, width_of=lambda: 80)
    console.rich.lines.line = lambda text: None  # every line through Console.print
    h = HOSTILE
    shown = [records.make("packet", "/", direction="in", raw='42["tick",{"i":1}]',
                          engine="message", socketio="event", id=None,
                          data=["tick", {"i": 1}], attachments=0),
             records.make("packet", h, direction="out", raw=h, engine=h, socketio=h, id=h,
                          data=[h], attachments=0),
             dict(records.make("error", h, message=h), type="custom", sid=h, headers={h: h})]
    for record in shown:
        assert fast.record(record) == console.record(record)


def test_styles_are_looked_up_once():
    lines = AnsiLines(RichConsole(True, lambda: 80).console)
    first = lines.message([("12:00:00.000 ", "dim")], '{"i": 1}')
    assert lines.message([("12:00:00.000 ", "dim")], '{"i": 1}') == first
    assert set(lines._wraps) == {("dim",), ("json.brace",), ("json.str", "json.key"),
                                 ("json.number",)}


def test_a_message_name_kept_for_the_next_line_is_that_line_s_name():
    renderer = RichRenderer(True, width_of=lambda: 80)
    shown = [records.event("/", "tick", [1]), records.event("/", "tick", [2]),
             records.event("/a", "tick", [3]), records.event("/", "tock", [4]),
             records.emit("/", "tick", [5]), records.event(None, "tick", [6]),
             records.event("/", "x\n", [7]), records.event("/", "x\\n", [8]),
             records.event("/", ["not", "a", "name"], [9])]
    for record in shown * 2:
        assert renderer.record(record) == console_message(renderer.rich, record)
    assert len(renderer._names) == 7  # ticks 1 and 2 share one; the list is not kept
