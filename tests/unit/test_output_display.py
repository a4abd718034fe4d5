"""siocli.output.display: values on screen are display JSON, safe to show and summarised
when large; records keep everything."""

import json
import math
import re

from hypothesis import given
from hypothesis import strategies as st

from siocli.output.display import (
    BYTES_SHOWN,
    SCREEN_LINE_BUDGET,
    bytes_summary,
    display_args,
    display_value,
)

DANGEROUS = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(), children,
                                                                       max_size=4),
    max_leaves=12)


@given(JSON_VALUES)
def test_a_value_within_the_budget_is_json_that_reads_back_as_itself(value):
    shown = display_value(value)
    assert DANGEROUS.search(shown) is None
    assert json.loads(shown) == value


@given(st.lists(st.text(min_size=1) | st.binary() | st.integers(), max_size=3))
def test_args_are_separated_by_spaces_and_safe(args):
    shown = display_args(args)
    assert DANGEROUS.search(shown) is None
    assert shown.count(" ") >= len(args) - 1


def test_ordinary_values_look_as_they_did():
    assert display_args([{"i": 0}, "hello world", [2, 3], None, True, 1.5]) == (
        '{"i": 0} "hello world" [2, 3] null true 1.5')
    assert display_value({"a": "x\ny", "b": "\x1b[2J"}) == '{"a": "x\\ny", "b": "\\u001b[2J"}'
    assert display_value("\u202eevil") == '"\\u202eevil"'


def test_bytes_show_their_size_and_first_bytes():
    assert bytes_summary(b"\x00\x01\xff") == "<3 bytes: 00 01 ff>"
    assert bytes_summary(b"") == "<0 bytes>"
    assert bytes_summary(b"a") == "<1 byte: 61>"
    big = bytes(range(256)) * 4
    assert bytes_summary(big) == "<1,024 bytes: %s \u2026>" % " ".join(
        "%02x" % n for n in range(BYTES_SHOWN))
    assert display_args([bytearray(b"a"), memoryview(b"bc")]) == "<1 byte: 61> <2 bytes: 62 63>"


def test_a_long_string_is_cut_with_the_number_of_characters_left_out():
    shown = display_value("a" * 100_000)
    assert shown.startswith('"aaaa') and shown.endswith('\u2026" (+%s chars)' % format(
        100_000 - (SCREEN_LINE_BUDGET - 2), ","))
    assert len(shown) < SCREEN_LINE_BUDGET + 40


def test_long_arrays_and_objects_are_cut_with_what_is_left_out():
    shown = display_value(list(range(100_000)))
    assert shown.startswith("[0, 1, 2") and re.search(r"\u2026 \(\+[\d,]+ items\)\]$", shown)
    assert len(shown) < SCREEN_LINE_BUDGET + 40
    shown = display_value({"k%d" % n: n for n in range(100_000)})
    assert shown.startswith('{"k0": 0') and re.search(r"\u2026 \(\+[\d,]+ keys\)\}$", shown)
    shown = display_args(["x" * 3000, 1, 2])
    assert shown.endswith("\u2026 (+2 args)")


def test_every_value_fits_about_one_budget_however_it_is_built():
    hostile = [{"\x1b" * 5000: ["\u202e" * 5000] * 50}] * 20 + [b"\x00" * 10**6, 10 ** 5000]
    shown = display_args(hostile)
    assert DANGEROUS.search(shown) is None
    assert len(shown) < 2 * SCREEN_LINE_BUDGET


def test_deep_nesting_is_summarised_not_recursed_into():
    value = 1
    for _ in range(900):
        value = [value]
    shown = display_value(value)
    assert "\u2026 (1 item)" in shown and len(shown) < 100


def test_non_json_values_are_named():
    assert display_args([math.nan, math.inf, -math.inf]) == "NaN Infinity -Infinity"
    assert display_value(10 ** 5000).startswith("<int of")
    assert display_value({1: "int key"}) == '{1: "int key"}'
    assert display_value(object()).startswith("<object ")
