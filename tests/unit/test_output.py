"""Unit tests of siocli.output: plain tables and the serve view's lines."""

from siocli.output.serve_view import lifecycle_detail, plain_line
from siocli.output.tables import TableData, plain_table_lines


def test_plain_table_lines_align_columns():
    lines = plain_table_lines(TableData("t", ("a", "bb"), [("xxx", 1), ("y", 22)]))
    assert lines == ["t", "a    bb", "xxx  1", "y    22"]


def test_serve_plain_lines_name_the_client():
    record = {"type": "disconnect", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/",
              "reason": "ping timeout", "description": "d", "will_reconnect": False, "id": "abc"}
    assert plain_line(record) == "00:00:00.000  disconnect  /  id=abc  ping timeout: d"
    event = {"type": "event", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/chat",
             "event": "echo", "args": [1, "a"], "id": "abc", "ack": True}
    assert plain_line(event) == '00:00:00.000  <-  /chat  abc  echo  1 "a"  (acked)'
    connect = {"type": "connect", "transport": "polling", "auth": {"token": "ab****"},
               "remote": "127.0.0.1", "headers": {"User-Agent": "node"}, "query": {}}
    assert lifecycle_detail(connect) == (
        'via polling, auth {"token": "ab****"}, from 127.0.0.1, node')
