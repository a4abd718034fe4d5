"""What a user sees at 80 and 120 columns, and after resizing the terminal: `siocli demo`
and `siocli serve` in tmux, their screens read as tmux shows them."""

import re

import pytest

from siocli.modes.demo import TOUR
from tmux_screen import TmuxScreen, tmux_available

pytestmark = pytest.mark.skipif(not tmux_available(), reason="tmux is not installed")

SID = r"[\w-]{20}"
CONNECTED = re.compile(r"● connected\s+/\s+id (%s)" % SID)


def demo(tmp_path, width):
    return TmuxScreen(tmp_path, ["demo"], width=width, height=60, env={"NO_COLOR": "1"})


def connected_sid(term):
    """The socket.id the toolbar shows, once it shows one."""
    term.wait_for(lambda text: CONNECTED.search(term.toolbar()), "the connected toolbar")
    return CONNECTED.search(term.toolbar()).group(1)


def wait_connect_row(term, old_sid=None):
    """The socket.id of the last connect row, once it is not ``old_sid``."""
    def new_row(text):
        found = re.findall(r"connect +/ +(%s) +yes" % SID, text)
        return found and found[-1] != old_sid
    return re.findall(r"connect +/ +(%s) +yes" % SID, term.wait_for(
        new_row, "a connect row with a socket.id other than %s" % old_sid))[-1]


def block_after(lines, start, indent):
    """The lines after ``lines[start]`` that are indented by at least ``indent``."""
    block = []
    for line in lines[start + 1:]:
        if not line.startswith(" " * indent) or not line.strip():
            break
        block.append(line.strip())
    return block


@pytest.mark.parametrize("width", [80, 120])
def test_the_demo_at_80_and_120_columns(tmp_path, width):
    with demo(tmp_path, width) as term:
        sid = wait_connect_row(term)
        connected_sid(term)
        lines = term.lines()
        url = re.search(r"connecting to (http://127\.0\.0\.1:\d+)\. ", term.text()).group(1)
        # the panel shows the URL whole, port and all; no tour line is broken
        assert any(line.startswith("│ a Socket.IO server runs in this process at %s " % url)
                   for line in lines)
        for command, description in TOUR:
            assert any(("│   %s" % command) in line and description in line for line in lines)
        assert any(line.rstrip().endswith("Ctrl-D to quit.") for line in lines)

        # the connect_error of /private: its detail wrapped at words, in a few lines
        term.type("ns /private")
        term.wait_for(lambda text: "rejected (connect_error)" in term.toolbar()
                      and "then: connect\"}" in text, "the connect_error row, whole")
        lines = term.lines()
        row = max(n for n, line in enumerate(lines) if re.match(r"\S+\s+connect_error\s", line))
        detail = block_after(lines, row, 14) if width == 80 else (
            [lines[row][78:]] + block_after(lines, row, 78))
        assert " ".join(" ".join(detail).split()) == (
            'not authorized data: {"reason": "auth.token is missing", "hint": '
            '"type: auth set token=letmein, then: connect"}')
        assert len(detail) <= 3
        toolbar = term.toolbar()
        assert len(toolbar.rstrip()) < width
        assert toolbar.strip().startswith("○ disconnected  /private rejected (connect_error)")
        if width == 120:
            assert "`auth set ...` then `connect`" in toolbar and "│ in " in toolbar

        # event names with spaces are quoted, as they are typed back
        term.type('emit "add user" newcomer')
        term.wait_text('queued "add user" on /private: not connected')
        term.type("ns /")
        term.type('emit "add user" newcomer')
        term.wait_for(lambda text: re.search(r'-> / "add user" "newcomer"', text),
                      "the emit row")

        # `log` shows the socket.id whole
        term.type("log")
        shown = term.wait_text("last 2 lifecycle records")
        assert re.search(r"connect\s+/\s+%s\s+yes" % sid, shown.split("last 2 lifecycle")[1])

        # `reconnect` says what it does before the rows that show it
        term.type("reconnect")
        wait_connect_row(term, sid)
        shown = term.text()
        after = shown[shown.index("/> reconnect"):]
        assert after.index("reconnect: disconnecting, then connecting again") < after.index(
            "io client disconnect")
        assert "not reconnecting" not in shown
        assert all(len(line) <= width for line in term.lines())


def test_rows_take_the_width_the_terminal_has_when_they_are_shown(tmp_path):
    with demo(tmp_path, 120) as term:
        first = wait_connect_row(term)
        lines = term.lines()
        row = next(line for line in lines if first in line and "connect " in line)
        assert row.rstrip().endswith("yes        via websocket")

        term.resize(80)
        term.type("reconnect")
        second = wait_connect_row(term, first)
        lines = term.lines()
        row = next(n for n, line in enumerate(lines) if second in line and "connect " in line)
        assert lines[row].rstrip().endswith("yes")
        assert lines[row + 1].rstrip() == " " * 14 + "via websocket"
        assert len(term.toolbar().rstrip()) < 80

        term.resize(120)
        term.type("reconnect")
        third = wait_connect_row(term, second)
        row = next(line for line in term.lines() if third in line and "connect " in line)
        assert row.rstrip().endswith("yes        via websocket")


def test_serve_at_80_columns(tmp_path):
    with TmuxScreen(tmp_path, ["serve", "--port", "0", "-n", "/chat", "--token", "s3cret"],
                    width=80, env={"NO_COLOR": "1"}) as term:
        shown = term.wait_text("serve>")
        url = re.search(r"listening on (http://127\.0\.0\.1:\d+) ", shown).group(1)
        # the banner wraps at words
        assert any(line.startswith("/, /chat, auth.token required)") for line in term.lines())
        term.wait_for(lambda text: "0 clients" in term.toolbar(), "the toolbar")
        # cut to what fits: `help` for commands is left out
        assert term.toolbar().strip() == "serve %s  |  0 clients  |  events 0 in, 0 out" % url
        term.type("help")
        term.wait_text("quit | exit")
        lines = term.lines()
        assert all(len(line) <= 80 for line in lines)
        assert any(line.startswith("emit [--to ID] EVENT [ARG...]  emit to one client")
                   for line in lines)
