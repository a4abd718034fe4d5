"""Nothing the other side sends controls the terminal: every record, table, panel and
notice, with every string field hostile, rendered rich (colours on), plain and by
serve's view, holds no control, C1, bidi or lone-surrogate character — rich's own SGR
colour sequences aside — and no data is read as rich markup."""

import io
import re

import pytest

from siocli import records
from siocli.environment import Environment
from siocli.output.serve_view import ServeView
from siocli.output.tables import PanelData, TableData
from siocli.output.writer import Output

HOSTILE = ("\x1b]0;pwned\x07\x1b[2J\x1b]8;;http://x\x1b\\link\x9b31m\u202eevil\u2066"
           "[link=http://x]y[/link][bold]b[/bold]:smile:\ud83d\n\t\r\x7f\x00")
SGR = re.compile(r"\x1b\[[0-9;]*m")
UNSAFE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def hostile_records():
    h = HOSTILE
    return [
        records.connect(h, h, h, 0),
        records.connect(h, h, h, 3),
        records.connect_error(h, h, {h: [h, b"\x1b[2J"]}),
        records.disconnect(h, h, h, True),
        records.reconnect_attempt(h, 2, 1.5),
        records.reconnect_failed(h, 5),
        records.event(h, h, [h, {h: [h]}, b"\x1b]0;x\x07" * 10, 1.5]),
        records.emit(h, h, [h]),
        records.ack(h, h, [h], 1.2),
        records.ack_timeout(h, h, 5),
        records.make("packet", h, direction="in", raw=h, engine=h, socketio=h, id=None,
                     data=[h], attachments=0),
        records.make("packet", h, direction="out", raw=h.encode("utf-8", "surrogatepass"),
                     engine=h, socketio=h, id=None, data=None, attachments=1),
        records.error(h, h),
        dict(records.make("error", h, message=h), type="handshake", sid=h, headers={h: h}),
        dict(records.ack(h, h, [h], 1.0), type="reply", ack=7),
    ]


def serve_records():
    h = HOSTILE
    facts = {"id": h, "auth": {h: h}, "query": {h: h}, "remote": h,
             "headers": {"User-Agent": h, h: h}}
    return [
        dict(records.connect(h, h, h, 0), **facts),
        dict(records.connect_error(h, h, {h: h}), hint=h, **facts),
        dict(records.disconnect(h, h, h, False), id=h),
        dict(records.event(h, h, [h, {h: h}]), id=h, ack=True),
        dict(records.emit(h, h, [h]), to=h),
        dict(records.emit(h, h, [h]), to="*", clients=2),
    ]


def screen_of(output_format, serve=False, color=True):
    stdout = io.StringIO()
    env = Environment(stdout=stdout, stderr=io.StringIO(), stdout_isatty=True, color=color,
                      output=output_format)
    output = Output(env)
    if serve:
        output.renderer = ServeView(output)
    return output, stdout


def show_everything(output, found):
    for record in found:
        output.emit(record)
    output.table(TableData(HOSTILE, (HOSTILE, "b"), [(HOSTILE, 1), ("x", HOSTILE)]))
    output.panel(PanelData(HOSTILE, (((HOSTILE, "heading"), (HOSTILE, "")),)))
    output.notice("queued %r: " % HOSTILE + HOSTILE)
    output.close()


def assert_safe(screen):
    rest = SGR.sub("", screen)
    assert UNSAFE.search(rest) is None, repr(UNSAFE.search(rest).group())
    assert "\x1b" not in rest  # no OSC (title, hyperlink), no cursor movement
    return rest


@pytest.mark.parametrize("output_format", ["rich", "plain"])
@pytest.mark.parametrize("serve", [False, True], ids=["connect", "serve"])
def test_hostile_records_tables_panels_and_notices_show_nothing_unsafe(output_format, serve):
    output, stdout = screen_of(output_format, serve)
    found = hostile_records() + (serve_records() if serve else [])
    show_everything(output, found)
    rest = assert_safe(stdout.getvalue())
    assert rest.count("\\u001b]0;pwned\\u0007") >= len(found)
    assert "pwned" in rest and "\\u202eevil" in rest and "\\ud83d" in rest


def test_no_data_is_read_as_rich_markup_or_emoji():
    output, stdout = screen_of("rich")
    output.emit(records.connect("/", "[link=http://x]y[/link]", "websocket", 0))
    output.emit(records.event("/", "[bold red]x[/bold red]", ["[link=http://x]y[/link]"]))
    output.notice("[red]not red[/red] :smile:")
    output.table(TableData("[b]title[/b]", ("[i]c[/i]",), [(":smile: wider than the title",)]))
    output.close()
    screen = stdout.getvalue()
    rest = SGR.sub("", screen)
    assert "\x1b]8" not in screen  # no hyperlink
    for literal in ("[link=http://x]y[/link]", "[bold red]x[/bold red]", "[red]not red[/red]",
                    ":smile:", "[b]title[/b]", "[i]c[/i]"):
        assert literal in rest, literal
    assert "\U0001f604" not in screen


def test_json_and_record_stay_exact(tmp_path):
    path = tmp_path / "run.jsonl"
    stdout = io.StringIO()
    env = Environment(stdout=stdout, stderr=io.StringIO(), output="json",
                      record_path=str(path))
    output = Output(env)
    event = records.event("/", "\x1b]0;pwned\x07x", ["\x1b[2J", "\u202e"])
    output.emit(event)
    output.close()
    line = records.to_json(event) + "\n"
    assert stdout.getvalue() == line and path.read_text(encoding="utf-8") == line


def test_a_log_table_of_lifecycle_cells_is_escaped_once():
    from siocli.output.cells import LIFECYCLE_COLUMNS, lifecycle_cells

    output, stdout = screen_of("plain")
    record = records.connect_error("/", "a\\b\x1b", {"k": "c\\d"})
    output.table(TableData("log", LIFECYCLE_COLUMNS, [lifecycle_cells(record)]))
    output.close()
    assert 'a\\\\b\\u001b  data: {"k": "c\\\\d"}' in stdout.getvalue()


def test_the_serve_clients_table_shows_masked_auth_escaped_once():
    from siocli.output.serve_view import short_json

    output, stdout = screen_of("plain")
    output.table(TableData("1 client", ("id", "auth"), [("a", short_json({"t": "\x1b\\"}))]))
    output.close()
    assert '{"t": "\\u001b\\\\"}' in stdout.getvalue()
