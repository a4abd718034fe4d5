"""How rich screens fit the terminal's width as it is when each piece is shown:
lifecycle rows, tables and panels keep ids whole and wrap their detail at words; event
names are shown as they are typed back. (In a real terminal: tests/e2e/test_layout.py.)"""

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from siocli import grammar, records
from siocli.modes.demo import TOUR, tour_panel
from siocli.modes.prompt import ESSENTIAL, EXTRA, HELPFUL, USEFUL, fitted
from siocli.output.cells import LIFECYCLE_COLUMNS, lifecycle_cells
from siocli.output.display import NAME_LIMIT, shown_event
from siocli.output.plain import plain_line
from siocli.output.rich_renderer import RichRenderer
from siocli.output.tables import TableData

SID = "oA7adhIV-VK9N34PAAAL"
LONG_ERROR = records.connect_error(
    "/private", "not authorized",
    {"reason": "auth.token is missing", "hint": "type: auth set token=letmein, then: connect"})


class Screen:
    """A RichRenderer (no colour) whose terminal is ``width`` columns wide, resizable."""

    def __init__(self, width):
        self.width = width
        self.renderer = RichRenderer(False, width_of=lambda: self.width)

    def lines(self, text):
        return text.rstrip("\n").split("\n")


def words_of_lines(lines):
    return " ".join(line.strip() for line in lines).split()


@pytest.mark.parametrize("width", [80, 120])
def test_lifecycle_rows_fit_the_width_and_keep_the_socket_id_whole(width):
    screen = Screen(width)
    connect = screen.lines(screen.renderer.record(records.connect("/", SID, "websocket", 0)))
    error = screen.lines(screen.renderer.record(LONG_ERROR))
    assert connect[0].split() == ["time", "event", "namespace", "socket.id", "connected"] + (
        ["reason", "/", "detail"] if width == 120 else [])
    assert all(len(line) <= width for line in connect + error)
    assert SID in connect[1]
    # the detail is every word of it, wrapped at words, in at most three lines
    assert lifecycle_cells(LONG_ERROR)[-1].split() == words_of_lines(
        [line[14:] for line in error[1:]] if width == 80 else [line[78:] for line in error])
    assert len(error) <= 3


def test_at_80_columns_the_detail_goes_below_the_row_under_the_event():
    screen = Screen(80)
    screen.renderer.record(records.connect("/", SID, "websocket", 0))  # the header
    lines = screen.lines(screen.renderer.record(records.connect("/", SID, "websocket", 0)))
    assert re.fullmatch(r"\d\d:\d\d:\d\d\.\d{3}  connect +/ +%s +yes" % SID, lines[0])
    assert lines[1] == " " * 14 + "via websocket"


def test_rows_use_the_width_the_terminal_has_when_they_are_shown():
    screen = Screen(120)
    record = records.connect("/", SID, "websocket", 0)
    screen.renderer.record(record)
    assert screen.lines(screen.renderer.record(record))[0].endswith("yes        via websocket")
    screen.width = 80
    assert screen.lines(screen.renderer.record(record))[1].strip() == "via websocket"
    screen.width = 120
    assert len(screen.lines(screen.renderer.record(record))) == 1


@pytest.mark.parametrize("width", [80, 120])
def test_the_log_table_keeps_socket_ids_whole(width):
    screen = Screen(width)
    rows = [lifecycle_cells(records.connect("/", SID, "websocket", 0)),
            lifecycle_cells(LONG_ERROR),
            lifecycle_cells(records.disconnect("/", "io client disconnect", "manual", False))]
    lines = screen.lines(screen.renderer.table(TableData("last 3", LIFECYCLE_COLUMNS, rows)))
    assert all(len(line) <= width for line in lines)
    assert any(SID in line for line in lines)
    assert len(lines) <= 1 + 1 + 2 + 3 + 2  # title, header, then each row in few lines
    assert "(no automatic reconnection)" in " ".join(words_of_lines(lines))


def test_a_table_cell_far_wider_than_the_others_puts_its_row_s_last_cell_below():
    screen = Screen(80)
    rows = [("emit EVENT [ARG...]", "send an event to the server (queued while disconnected)"),
            ("auth [--show | set KEY=VALUE... | json JSON | clear]", "show the auth payload"),
            ("status", "table: URL, namespaces"), ("log [N]", "the last N lifecycle records")]
    lines = screen.lines(screen.renderer.table(TableData("commands", ("command", "what"), rows)))
    assert lines[1].startswith("command              what")
    assert lines[3] == "auth [--show | set KEY=VALUE... | json JSON | clear]"
    assert lines[4] == "    show the auth payload"


def test_notices_wrap_at_words():
    screen = Screen(80)
    text = ("siocli 0.1.0: connecting to http://127.0.0.1:39655. Type `help` for commands, "
            "Ctrl-D to quit.")
    lines = [line.rstrip() for line in screen.lines(screen.renderer.notice(text))]
    assert lines == ["siocli 0.1.0: connecting to http://127.0.0.1:39655. Type `help` for "
                     "commands,", "Ctrl-D to quit."]


@pytest.mark.parametrize("width", [40, 60, 80, 120])
def test_the_demo_panel_shows_the_url_whole_and_wraps_under_the_descriptions(width):
    screen = Screen(width)
    url = "http://127.0.0.1:39655"
    lines = screen.lines(screen.renderer.panel(tour_panel(url)))
    assert all(len(line) <= width for line in lines)
    assert sum(line.count(url) for line in lines) == 2
    inner = [line[2:-2].rstrip() for line in lines[1:-1]]
    at = inner.index("Try:") + 1
    for command, description in TOUR:
        assert inner[at].startswith("  " + command)
        continued = inner[at].partition("  " + command)[2].split()
        at += 1
        while at < len(inner) and inner[at].startswith("   "):
            if width >= 60:  # the description's lines start where its first one does
                assert inner[at].index(inner[at].split()[0]) == 26
            continued += inner[at].split()
            at += 1
        assert continued == description.split()
    if width >= 80:  # each line of the tour on one line
        assert len(lines) == len(TOUR) + 7


def test_an_ack_timeout_row_names_its_namespace():
    record = records.ack_timeout("/chat", "slow", 1.0)
    assert re.search(r"ack_timeout /chat slow no ack within 1\.0s",
                     Screen(80).renderer.record(record))
    assert re.search(r"ack_timeout  /chat  slow  no ack within 1\.0s", plain_line(record))


@pytest.mark.parametrize("name, shown", [
    ("tick", "tick"), ("add user", '"add user"'), ("it's", '"it\'s"'),
    ('say "hi"', '"say \\"hi\\""'), ("{x", '"{x"'), ("", '""'), ("a\x1bb", '"a\\u001bb"')])
def test_event_names_are_shown_as_they_are_typed_back(name, shown):
    assert shown_event(name) == shown
    record = records.emit("/", name, ["newcomer"])
    assert shown in Screen(80).renderer.record(record)
    assert plain_line(record).split("  ")[3] == shown


@given(st.text(st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp")),
               min_size=1, max_size=NAME_LIMIT).filter(
           lambda name: name not in grammar.RESERVED_EVENTS))
def test_a_shown_event_name_reads_back_as_the_name(name):
    assert grammar.parse_emit(shown_event(name) + ' "newcomer"') == grammar.EmitCommand(
        name, ("newcomer",))


def test_a_toolbar_leaves_out_the_least_useful_parts_first():
    parts = [(ESSENTIAL, "a", " ● connected "), (ESSENTIAL, "", " /chat"),
             (USEFUL, "", "  id %s" % SID), (EXTRA, "", "  websocket"),
             (HELPFUL, "", " │ in 3 out 4"), (USEFUL, "b", " 2 queued ")]
    texts = lambda width: "".join(text for _, text in fitted(parts, width))  # noqa: E731
    assert texts(120) == " ● connected  /chat  id %s  websocket │ in 3 out 4 2 queued " % SID
    assert texts(70) == " ● connected  /chat  id %s │ in 3 out 4 2 queued " % SID
    assert texts(60) == " ● connected  /chat  id %s 2 queued " % SID
    assert texts(50) == " ● connected  /chat  id %s" % SID
    assert texts(30) == " ● connected  /chat"
    assert texts(10) == " ● connected  /chat"  # the essentials stay, cut by the terminal
