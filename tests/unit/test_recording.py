"""siocli.recording: a --record file read back for `siocli replay`."""

import json

import pytest

from siocli.errors import UsageError
from siocli.recording import read_recording


def write(tmp_path, *records):
    path = tmp_path / "run.jsonl"
    path.write_text("".join(json.dumps(record) + "\n" for record in records))
    return str(path)


def emit(ts, event, *args, namespace="/"):
    return {"type": "emit", "ts": "2026-01-01T00:00:%s" % ts, "namespace": namespace,
            "event": event, "args": list(args)}


def test_emits_come_back_in_order_with_their_offsets_bytes_and_namespaces(tmp_path):
    path = write(tmp_path, {"type": "connect", "ts": "2026-01-01T00:00:00.000Z", "namespace": "/"},
                 emit("01.000Z", "a", 1), emit("01.250Z", "b", {"$binary": "AQI="},
                                               namespace="/chat"),
                 {"type": "event", "ts": "2026-01-01T00:00:02.000Z", "namespace": "/",
                  "event": "tick", "args": []})
    sent = read_recording(path)
    assert [(item.namespace, item.event, item.args, item.at, item.call) for item in sent] == [
        ("/", "a", (1,), 0.0, False), ("/chat", "b", (b"\x01\x02",), 0.25, False)]


def test_a_call_is_the_emit_its_ack_came_rtt_ms_after(tmp_path):
    # a plain emit of `echo`, then a call of `echo` 2 s later, acked 30 ms after that
    path = write(tmp_path, emit("01.000Z", "echo", "plain"), emit("03.000Z", "echo", "call"),
                 {"type": "ack", "ts": "2026-01-01T00:00:03.030Z", "namespace": "/",
                  "event": "echo", "args": ["call"], "rtt_ms": 30.0},
                 emit("04.000Z", "echo", "timed-out"),
                 {"type": "ack_timeout", "ts": "2026-01-01T00:00:09.000Z", "namespace": "/",
                  "event": "echo", "timeout": 5.0})
    sent = read_recording(path)
    assert [(item.args, item.call, item.ended_line) for item in sent] == [
        (("plain",), False, None), (("call",), True, 3), (("timed-out",), True, 5)]


@pytest.mark.parametrize("content, message", [
    ("", "holds no emit records"),
    ("[1]\n", "line 1: a record is a JSON object"),
    ('{"type":"emit","ts":"x","namespace":"/","event":"a","args":[]}\n', "line 1: ts 'x'"),
    ('{"type":"emit","ts":"2026-01-01T00:00:00Z","namespace":"/","event":"a"}\n',
     "line 1: an emit record's args must be a list"),
])
def test_a_bad_recording_is_one_usage_error(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(UsageError) as caught:
        read_recording(str(path))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_tagged_values_are_replayed_as_what_they_stand_for(tmp_path):
    path = write(tmp_path, emit("01.000Z", {"$utf16": "a\ufffd", "replaced": [55357]},
                                [{"$binary": "AQI="}], {"$utf16": "\ufffd\ufffd",
                                                        "replaced": [None, 56832]}))
    [sent] = read_recording(path)
    assert sent.event == "a\ud83d"
    assert sent.args == ([b"\x01\x02"], "\ufffd\ude00")


@pytest.mark.parametrize("value", [{"$number": "NaN"}, [{"k": {"$number": "-Infinity"}}]])
def test_an_emit_holding_nan_or_infinity_is_one_usage_error(tmp_path, value):
    path = write(tmp_path, emit("01.000Z", "x", 1, value))
    with pytest.raises(UsageError, match="line 1: an emit record holds NaN or Infinity"):
        read_recording(path)


def test_a_call_cut_off_by_a_disconnect_is_found_by_the_message_sending_writes(tmp_path):
    from siocli import records

    cut_off = records.disconnected_call("/", "slow")
    cut_off["ts"] = "2026-01-01T00:00:02.000Z"
    path = write(tmp_path, emit("01.000Z", "slow", 1), cut_off)
    [sent] = read_recording(path)
    assert sent.call and sent.ended_line == 2
