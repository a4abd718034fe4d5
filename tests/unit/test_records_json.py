"""Record lines are strict JSON whatever the server sent (siocli/records.py)."""

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from siocli import records

NAN, INF = float("nan"), float("inf")
HIGH, LOW = "\ud83d", "\ude00"  # the two halves of U+1F600


def refuse_constant(name):
    raise ValueError("not strict JSON: %s" % name)


def strict_load(line):
    """The line as a strict reader sees it: UTF-8 without errors, no NaN/Infinity."""
    assert isinstance(line, str)
    line.encode("utf-8", errors="strict")
    return json.loads(line, parse_constant=refuse_constant)


def args_of(*args, name="x"):
    return strict_load(records.to_json(records.event("/", name, list(args))))["args"]


def restore_utf16(tagged):
    """The exact string back from {"$utf16": ..., "replaced": [...]} (the documented rule)."""
    units = iter(tagged["replaced"])
    return "".join(chr(next(units) or 0xFFFD) if char == "\ufffd" else char
                   for char in tagged["$utf16"])


def test_ordinary_record_is_unchanged():
    record = records.event("/chat", "message", [{"user": "zoë", "n": 1.5, "ok": True}, None])
    line = records.to_json(record)
    assert line == json.dumps(record, ensure_ascii=False, separators=(",", ":"))
    assert strict_load(line) == record


@pytest.mark.parametrize("number, name", [(NAN, "NaN"), (INF, "Infinity"), (-INF, "-Infinity")])
def test_non_finite_numbers_are_tagged(number, name):
    assert args_of(number, 1.5) == [{"$number": name}, 1.5]


def test_non_finite_numbers_nested():
    assert args_of({"a": [1, {"b": NAN}]}, [[-INF]]) == [
        {"a": [1, {"b": {"$number": "NaN"}}]}, [[{"$number": "-Infinity"}]]]


@pytest.mark.parametrize("text, replaced", [
    (HIGH, [0xD83D]),
    (LOW, [0xDE00]),
    ("a" + HIGH + "b", [0xD83D]),
    ("\ufffd" + LOW + "é😀", [None, 0xDE00]),  # a U+FFFD the server really sent is null
    (LOW + HIGH, [0xDE00, 0xD83D]),  # the wrong order is no pair
])
def test_lone_surrogates_are_tagged_and_recoverable(text, replaced):
    [tagged] = args_of(text)
    assert tagged["$utf16"] == text.replace(HIGH, "\ufffd").replace(LOW, "\ufffd")
    assert tagged["replaced"] == replaced
    assert restore_utf16(tagged) == text


def test_surrogate_pair_in_two_code_points_is_one_character():
    assert args_of(HIGH + LOW, NAN)[0] == "\U0001F600"


def test_lone_surrogates_nested():
    assert args_of([{"k": ["x" + HIGH]}]) == [
        [{"k": [{"$utf16": "x\ufffd", "replaced": [0xD83D]}]}]]


def test_lone_surrogate_in_a_key_is_replaced():
    assert args_of({"a" + LOW: 1, "b": {HIGH: NAN}}) == [
        {"a\ufffd": 1, "b": {"\ufffd": {"$number": "NaN"}}}]


def test_lone_surrogate_in_event_name_and_namespace():
    record = strict_load(records.to_json(records.event("/n" + LOW, "ev" + HIGH, [1])))
    assert record["event"] == {"$utf16": "ev\ufffd", "replaced": [0xD83D]}
    assert record["namespace"] == {"$utf16": "/n\ufffd", "replaced": [0xDE00]}
    assert record["type"] == "event" and record["args"] == [1]


def test_bytes_stay_binary_in_both_paths():
    assert args_of(b"\x00\xff", bytearray(b"a")) == [{"$binary": "AP8="}, {"$binary": "YQ=="}]
    assert args_of(b"\x00\xff", NAN) == [{"$binary": "AP8="}, {"$number": "NaN"}]


def nested_lists(depth, leaf):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def depth_of(value):
    depth = 0
    while isinstance(value, list):
        value, depth = value[0], depth + 1
    return depth, value


@pytest.mark.parametrize("depth", [5000, 100000])
def test_deep_nesting_keeps_the_record(depth):
    record = strict_load(records.to_json(records.event("/", "deep", [nested_lists(depth, 1), 2])))
    assert record["event"] == "deep" and record["args"][1] == 2
    kept, leaf = depth_of(record["args"][0])
    assert kept == records.MAX_DEPTH - 2  # the record and its args list are two levels
    assert leaf == {"$unencodable": "nested deeper than %d levels" % records.MAX_DEPTH}


def test_nesting_within_the_limit_is_kept_whole_by_the_converting_walk():
    [value, number] = args_of(nested_lists(300, "end"), NAN)
    assert depth_of(value) == (300, "end") and number == {"$number": "NaN"}


def test_unencodable_values_are_replaced_not_lost():
    cycle = []
    cycle.append(cycle)
    args = args_of(cycle, {1, 2}, 10 ** 5000, "kept")
    assert args[0] == [{"$unencodable": "circular reference"}]
    assert args[1] == {"$unencodable": "set has no JSON form"}
    assert args[2]["$unencodable"].startswith("integer of ")
    assert args[3] == "kept"


def test_non_string_keys_are_written_as_json_writes_them():
    assert args_of({2: "a", None: "b", True: "c", NAN: "d", (1, 2): "e"}) == [
        {"2": "a", "null": "b", "true": "c", "NaN": "d", "$unencodable: key of type tuple": "e"}]


def test_a_failing_converting_walk_still_writes_the_record(monkeypatch):
    def broken(self, value):
        raise RuntimeError("walk broke")
    monkeypatch.setattr(records._StrictWriter, "write", broken)
    record = strict_load(records.to_json(records.event("/a", "x", [NAN])))
    assert record["type"] == "event" and record["namespace"] == "/a"
    assert record["$unencodable"] == "RuntimeError: walk broke"


def test_json_value_for_display_never_raises():
    assert records.json_value([NAN, HIGH]) == (
        '[{"$number": "NaN"}, {"$utf16": "\ufffd", "replaced": [55357]}]')
    assert records.json_value({"a": b"\x01"}) == '{"a": {"$binary": "AQ=="}}'
    strict_load(records.json_value(nested_lists(100000, 1)))
    assert records.json_value(object()) == '{"$unencodable": "object has no JSON form"}'


SURROGATES = st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF)
TEXT = st.text(alphabet=st.one_of(st.characters(blacklist_categories=()), SURROGATES),
               max_size=12)
LEAVES = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), TEXT,
                   st.binary(max_size=8), st.sampled_from([NAN, INF, -INF]))
VALUES = st.recursive(LEAVES, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(TEXT, inner, max_size=4)), max_leaves=20)


@settings(max_examples=150, deadline=None)
@given(name=TEXT, namespace=TEXT, args=st.lists(VALUES, max_size=4))
def test_every_record_line_is_strict_json(name, namespace, args):
    line = records.to_json(records.event(namespace, name, args))
    record = strict_load(line)
    assert record["type"] == "event" and len(record["args"]) == len(args)
    strict_load(records.json_value(args))


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_every_string_can_be_recovered(text):
    [written] = args_of(text)
    recovered = restore_utf16(written) if isinstance(written, dict) else written
    as_utf16 = text.encode("utf-16-le", "surrogatepass")
    assert recovered.encode("utf-16-le", "surrogatepass") == as_utf16


@settings(max_examples=200, deadline=None)
@given(number=st.floats())
def test_every_float_can_be_recovered(number):
    [written] = args_of(number)
    if isinstance(written, dict):
        written = float(written["$number"])
    assert written == number or (math.isnan(written) and math.isnan(number))


def joined(value):
    """``value`` as a record keeps it: a surrogate pair written as two code points is one
    character (the only change to_json makes outside dict keys)."""
    if isinstance(value, str):
        return value.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "surrogatepass")
    if isinstance(value, list):
        return [joined(item) for item in value]
    if isinstance(value, dict):
        return {key: joined(item) for key, item in value.items()}
    return value


PLAIN_KEYS = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6).filter(
    lambda key: not key.startswith("$"))  # lossy keys and tag look-alikes aside
ROUND_TRIP_VALUES = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2 ** 200, 2 ** 200), st.floats(), TEXT,
              st.binary(max_size=8), st.sampled_from([NAN, INF, -INF])),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(PLAIN_KEYS, inner, max_size=4)), max_leaves=20)


@settings(max_examples=300, deadline=None)
@given(args=st.lists(ROUND_TRIP_VALUES, max_size=4))
def test_from_json_gives_back_what_to_json_wrote(args):
    line = records.to_json(records.emit("/", "x", args))
    back = records.from_json(line)["args"]
    assert repr(back) == repr(joined(args))  # repr: NaN equals NaN


def test_from_json_turns_each_tag_back_and_leaves_look_alikes_that_are_not_tags():
    line = records.to_json(records.emit("/", "x" + HIGH, [b"\x00\xff", NAN, -INF, "a" + LOW]))
    record = records.from_json(line)
    assert record["event"] == "x" + HIGH
    assert repr(record["args"]) == repr([b"\x00\xff", NAN, -INF, "a" + LOW])
    kept = [{"$binary": "not base64!"}, {"$number": "1"}, {"$utf16": "\ufffd", "replaced": [65]},
            {"$utf16": "\ufffd", "replaced": []}, {"$binary": "AQ==", "more": 1}]
    assert records.from_json(json.dumps(kept)) == kept
