"""siocli.output.safe_text: what the other side sends is shown with its control
characters made visible, as a faithful escape."""

import re

from hypothesis import given
from hypothesis import strategies as st

from siocli.output.safe_text import (
    Visible,
    encodable,
    escape_character,
    quoted,
    visible,
    visible_within,
)

DANGEROUS = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                       "\ud800-\udfff]")
ESCAPE = re.compile(r"\\(u[0-9a-f]{4}|[\\nrtbf\"])")
SHORT = {"\\": "\\", "n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", '"': '"'}

# every code point, lone surrogates included, with the dangerous ones made likely
ANY_TEXT = st.text(alphabet=st.one_of(
    st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF),
    st.sampled_from("\x1b\x07\x9b\x7f\n\t\\\u202e\u2066\u200f\u2028\ud83d\ude00")))


def unescape(shown):
    """Reads the escapes back: one character each (no joining of surrogate pairs)."""
    def one(match):
        body = match.group(1)
        return chr(int(body[1:], 16)) if body.startswith("u") else SHORT[body]
    return ESCAPE.sub(one, shown)


@given(ANY_TEXT)
def test_the_visible_form_holds_no_dangerous_character_and_reads_back(text):
    shown = visible(text)
    assert DANGEROUS.search(shown) is None
    assert unescape(shown) == text


@given(ANY_TEXT)
def test_quoted_text_is_safe_and_reads_back(text):
    shown = quoted(text)
    assert DANGEROUS.search(shown) is None
    assert shown[0] == shown[-1] == '"' and unescape(shown[1:-1]) == text


@given(ANY_TEXT, st.integers(min_value=1, max_value=50))
def test_a_cut_text_stays_safe_and_says_how_much_is_left_out(text, limit):
    shown = visible_within(text, limit)
    assert DANGEROUS.search(shown) is None
    if len(visible(text)) <= limit:
        assert shown == visible(text)
    else:
        head, _, count = shown.rpartition("\u2026 (+")
        left_out = int(count.split(" ")[0].replace(",", ""))
        assert len(head) <= limit and text.startswith(unescape(head))
        assert len(unescape(head)) + left_out == len(text)


def test_one_visible_form_for_each_kind_of_character():
    assert visible("a\x1b[2Jb") == "a\\u001b[2Jb"
    assert visible("\x1b]0;pwned\x07x") == "\\u001b]0;pwned\\u0007x"
    assert visible("line\nnext\ttab\r") == "line\\nnext\\ttab\\r"
    assert visible("\x7f\x9b\u202eevil\u2066\u2069") == "\\u007f\\u009b\\u202eevil\\u2066\\u2069"
    assert visible("half \ud83d") == "half \\ud83d"
    assert visible("C:\\path") == "C:\\\\path"
    assert visible("h\xe9llo \u4f60\u597d \U0001f600") == "h\xe9llo \u4f60\u597d \U0001f600"


def test_visible_text_is_not_escaped_twice_and_any_value_is_shown():
    once = visible("a\\b\x1b")
    assert isinstance(once, Visible) and visible(once) is once
    assert visible(42) == "42" and visible(None) == "None"
    assert visible(10 ** 5000).startswith("<int")  # str() of it raises: never here


def test_long_text_is_cut_with_the_number_of_characters_left_out():
    assert visible_within("a" * 100_000, 50) == "a" * 50 + "\u2026 (+99,950 chars)"
    assert visible_within("\x1b" * 10, 12) == "\\u001b\\u001b\u2026 (+8 chars)"
    assert visible_within("short", 50) == "short"


def test_characters_a_narrow_encoding_lacks_become_escapes():
    assert encodable("h\xe9llo \u2026 \U0001f600", "ascii") == (
        "h\\u00e9llo \\u2026 \\ud83d\\ude00")
    assert encodable("h\xe9llo", "latin-1") == "h\xe9llo"
    assert escape_character('"') == '\\"'
