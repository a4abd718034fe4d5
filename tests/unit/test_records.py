"""Unit tests of siocli.records: the record shape and its JSON."""

import json
import re

import pytest

from siocli import records


def test_record_has_type_ts_namespace_first():
    record = records.connect("/chat", "abc", "websocket", 0)
    assert list(record)[:3] == ["type", "ts", "namespace"]
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", record["ts"])
    assert record == {**record, "id": "abc", "connected": True, "transport": "websocket",
                      "attempt": 0, "recovered": False}


def test_unknown_record_type_is_refused():
    with pytest.raises(ValueError):
        records.make("made_up", "/")


def test_bytes_anywhere_are_binary_objects():
    line = records.to_json(records.event("/", "file", [b"\x00\x01", {"nested": [b"hi"]}]))
    assert json.loads(line)["args"] == [{"$binary": "AAE="}, {"nested": [{"$binary": "aGk="}]}]
