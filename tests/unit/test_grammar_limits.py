"""The limits of siocli.grammar on bad input: nesting, size, non-finite numbers, invalid
UTF-8, @PATH files that are not regular files; and properties over arbitrary text."""

import contextlib
import datetime
import json
import os
import signal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siocli import grammar
from siocli.grammar import (
    MAX_FILE_BYTES,
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    EmitCommand,
    GrammarError,
    decode_json,
    needs_more_input,
    parse_emit,
    read_regular_file,
    split_command,
    split_words,
)

DEEP = 10_000


def error(line, **kwargs):
    with pytest.raises(GrammarError) as info:
        parse_emit(line, **kwargs)
    return one_line(info.value)


def one_line(exc):
    message = str(exc)
    assert "\n" not in message and "\r" not in message
    message.encode("utf-8")  # printable: no lone surrogate in a message
    return message


def nested(depth, opening="[", closing="]"):
    return opening * depth + closing * depth


def nested_objects(depth):
    return '{"a":' * depth + "1" + "}" * depth


@contextlib.contextmanager
def fails_instead_of_hanging(seconds=20):
    """Turns a hang (opening a fifo waits for a writer) into a test failure."""

    def hung(signum, frame):
        raise AssertionError("hung: the fifo was opened")

    previous = signal.signal(signal.SIGALRM, hung)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


# --- the limits themselves -----------------------------------------------------------


def test_documented_limits():
    assert MAX_JSON_DEPTH == 100
    assert MAX_JSON_CHARS == 10 * 1024 * 1024
    assert MAX_FILE_BYTES == 10 * 1024 * 1024


# --- nesting -------------------------------------------------------------------------


def test_deep_json_value_is_a_grammar_error_not_a_recursion_error():
    message = error("x " + nested(DEEP))
    assert message.startswith("invalid JSON value at column 3: nested deeper than 100 levels")


def test_deep_json_value_after_the_emit_command():
    command, rest = split_command("emit x " + nested(DEEP))
    assert command == "emit"
    assert "nested deeper than 100 levels" in error(rest)


def test_deep_objects_are_refused():
    assert "nested deeper than 100 levels" in error("x " + nested_objects(DEEP))


@pytest.mark.parametrize("make", [nested, lambda depth: nested_objects(depth)])
def test_the_depth_limit_is_exact(make):
    value = parse_emit("x " + make(MAX_JSON_DEPTH)).args[0]
    assert value == json.loads(make(MAX_JSON_DEPTH))
    assert "nested deeper than 100 levels" in error("x " + make(MAX_JSON_DEPTH + 1))


def test_brackets_inside_strings_do_not_count():
    text = json.dumps(["[" * 500, "{" * 500, '\\"[[[['])
    assert parse_emit(f"x {text}").args == (["[" * 500, "{" * 500, '\\"[[[['],)


def test_deep_quoted_word_is_an_error():
    message = error(f"x 1 '{nested(DEEP)}'")
    assert message == "JSON value nested deeper than 100 levels (argument 2, column 5)"


def test_deep_object_word_is_an_error():
    assert error(f"x '{nested_objects(DEEP)}'").startswith("JSON value nested deeper")


def test_word_with_many_brackets_not_opening_like_json_stays_a_string():
    word = "a" + "[" * 200
    assert parse_emit(f"x {word}").args == (word,)


def test_deep_json_file_is_an_error(tmp_path):
    (tmp_path / "deep.json").write_text(nested(DEEP))
    message = error("x @deep.json", base_dir=tmp_path)
    assert message == (
        f"file {tmp_path / 'deep.json'}: JSON value nested deeper than 100 levels"
        " (argument 1, column 3)"
    )


def test_deep_json_file_with_leading_space_is_an_error(tmp_path):
    (tmp_path / "deep.json").write_text("\n  " + nested_objects(DEEP))
    assert "nested deeper than 100 levels" in error("x @deep.json", base_dir=tmp_path)


def test_file_at_the_depth_limit_is_json(tmp_path):
    (tmp_path / "ok.json").write_text(nested(MAX_JSON_DEPTH))
    assert parse_emit("x @ok.json", base_dir=tmp_path).args == (json.loads(nested(100)),)


def test_text_file_with_many_brackets_is_bytes(tmp_path):
    content = b"log: " + b"[" * 500
    (tmp_path / "log.txt").write_bytes(content)
    assert parse_emit("x @log.txt", base_dir=tmp_path).args == (content,)


def test_needs_more_input_on_deep_brackets_does_not_recurse():
    assert needs_more_input("emit x " + "[" * DEEP) is True
    assert needs_more_input("emit x " + nested(DEEP)) is False


def test_decode_json_depth():
    assert decode_json(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))
    with pytest.raises(GrammarError) as info:
        decode_json(nested(DEEP))
    assert one_line(info.value) == "JSON value nested deeper than 100 levels"


# --- size ----------------------------------------------------------------------------


def test_decode_json_refuses_text_over_the_size_limit_before_decoding():
    text = "[" + " " * MAX_JSON_CHARS + "]"
    with pytest.raises(GrammarError) as info:
        decode_json(text)
    assert one_line(info.value) == (
        f"JSON value longer than the limit of {MAX_JSON_CHARS:,} characters"
    )


def test_decode_json_size_limit_can_be_given():
    assert decode_json("[1, 2]", max_chars=6) == [1, 2]
    with pytest.raises(GrammarError, match="longer than the limit of 5 characters"):
        decode_json("[1, 2]", max_chars=5)
    assert decode_json("[" + " " * 20 + "]", max_chars=None) == []


def test_json_value_over_the_size_limit_is_refused(monkeypatch):
    monkeypatch.setattr(grammar, "MAX_JSON_CHARS", 10)
    assert parse_emit("x [1,2,3,4]").args == ([1, 2, 3, 4],)
    message = error("x [1,2,3,4,5]")
    assert message.startswith("invalid JSON value at column 3: longer than the limit of 10 ")
    assert error("x '[1,2,3,4,5]'") == (
        "JSON value longer than the limit of 10 characters (argument 1, column 3)"
    )


# --- numbers -------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["NaN", "Infinity", "-Infinity", "1e999", "-1e999"])
def test_non_finite_numbers_are_refused_in_json_values(value):
    assert error(f"x [{value}]").startswith("invalid JSON value at column 3")
    assert error(f'x {{"a": {value}}}').startswith("invalid JSON value at column 3")
    with pytest.raises(GrammarError, match="^invalid JSON: "):
        decode_json(f"[{value}]")


@pytest.mark.parametrize("value", ["NaN", "Infinity", "1e999"])
def test_non_finite_words_stay_strings(value):
    assert parse_emit(f"x {value}").args == (value,)


def test_non_finite_number_in_a_file_means_bytes(tmp_path):
    (tmp_path / "nan.json").write_bytes(b"[NaN]")
    assert parse_emit("x @nan.json", base_dir=tmp_path).args == (b"[NaN]",)


def test_out_of_range_number_is_not_quoted_in_the_reason():
    with pytest.raises(GrammarError) as info:
        decode_json('{"pin": 9e9999}')
    assert one_line(info.value) == "invalid JSON: number out of range"


def test_integer_with_too_many_digits_is_refused():
    with pytest.raises(GrammarError) as info:
        decode_json("[" + "7" * 5000 + "]")
    assert one_line(info.value) == "invalid JSON: integer with too many digits"


# --- invalid UTF-8 -------------------------------------------------------------------


def test_invalid_utf8_in_an_argument():
    line = os.fsdecode(b"chat caf\xe9")
    assert error(line) == "invalid UTF-8 in argument 1 (byte 0xe9 at column 9)"


def test_invalid_utf8_in_a_later_argument_is_numbered():
    line = "chat 1 " + os.fsdecode(b"'a b\xff'")
    assert error(line) == "invalid UTF-8 in argument 2 (byte 0xff at column 12)"


def test_invalid_utf8_in_the_event_name():
    assert error(os.fsdecode(b"ch\xffat 1")) == (
        "invalid UTF-8 in the event name (byte 0xff at column 3)"
    )


def test_invalid_utf8_inside_a_json_value():
    line = "x " + os.fsdecode(b'{"a": "\xc3"}')
    assert error(line) == "invalid UTF-8 in argument 1 (byte 0xc3 at column 10)"


def test_lone_surrogate_that_is_not_an_escaped_byte():
    assert error("x a\ud800") == "invalid UTF-8 in argument 1 (lone surrogate U+D800 at column 4)"


def test_invalid_utf8_in_a_file_path_is_refused(tmp_path):
    assert error(os.fsdecode(b"x @f\xff"), base_dir=tmp_path).startswith(
        "invalid UTF-8 in argument 1"
    )


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\uDC00", "\\ud83c"])
def test_lone_surrogate_escapes_are_refused(escape, tmp_path):
    assert "lone surrogate" in error(f'x ["{escape}"]')
    assert error(f"""x '"{escape}"'""") == (
        "JSON value holds a lone surrogate (an unpaired \\udXXX escape) (argument 1, column 3)"
    )
    (tmp_path / "s.json").write_text(f'{{"{escape}": 1}}')
    assert "lone surrogate" in error("x @s.json", base_dir=tmp_path)
    with pytest.raises(GrammarError, match="lone surrogate"):
        decode_json(f'"{escape}"')


def test_escaped_surrogate_pair_is_one_character():
    assert parse_emit('x ["\\ud83c\\udf89"]').args == (["🎉"],)


def test_escaped_backslash_before_u_is_not_an_escape():
    assert parse_emit('x ["\\\\ud800"]').args == (["\\ud800"],)


def test_decode_json_refuses_invalid_utf8():
    with pytest.raises(GrammarError) as info:
        decode_json(os.fsdecode(b'"secret\xff"'))
    assert one_line(info.value) == "invalid UTF-8 (byte 0xff at column 8)"


def test_messages_escape_control_characters_and_surrogates():
    message = error("x 'abc\x1b[31m\udcff")
    assert "\\x1b" in message and "\\udcff" in message


# --- @PATH files ---------------------------------------------------------------------


def test_fifo_is_refused_without_being_opened(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    with fails_instead_of_hanging():
        message = error("x @pipe", base_dir=tmp_path)
    assert message == (
        f"cannot read file {tmp_path / 'pipe'}: it is a named pipe (FIFO), not a regular file"
        " (argument 1, column 3)"
    )


def test_symlink_to_a_fifo_is_refused(tmp_path):
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to(tmp_path / "pipe")
    with fails_instead_of_hanging():
        assert "named pipe" in error("x @link", base_dir=tmp_path)


def test_symlink_to_a_regular_file_is_read(tmp_path):
    (tmp_path / "data.json").write_text("[1]")
    (tmp_path / "link").symlink_to(tmp_path / "data.json")
    assert parse_emit("x @link", base_dir=tmp_path).args == ([1],)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="needs /dev/zero")
def test_dev_zero_is_refused():
    assert error("x @/dev/zero") == (
        "cannot read file /dev/zero: it is a character device, not a regular file"
        " (argument 1, column 3)"
    )


def test_directory_is_refused(tmp_path):
    assert error("x @.", base_dir=tmp_path) == (
        f"cannot read file {tmp_path}: it is a directory, not a regular file"
        " (argument 1, column 3)"
    )


def test_file_over_the_cap_is_refused_before_reading(tmp_path):
    (tmp_path / "big").write_bytes(b"x" * 101)
    assert error("x @big", base_dir=tmp_path, max_file_bytes=100) == (
        f"cannot read file {tmp_path / 'big'}: 101 bytes is over the limit of 100 bytes"
        " (argument 1, column 3)"
    )


def test_file_at_the_cap_is_read(tmp_path):
    (tmp_path / "full").write_bytes(b"y" * 100)
    assert parse_emit("x @full", base_dir=tmp_path, max_file_bytes=100).args == (b"y" * 100,)


def test_default_cap_is_max_file_bytes(tmp_path, monkeypatch):
    (tmp_path / "f").write_bytes(b"z" * 11)
    assert parse_emit("x @f", base_dir=tmp_path).args == (b"z" * 11,)
    monkeypatch.setattr(grammar, "MAX_FILE_BYTES", 10)
    assert "over the limit of 10 bytes" in error("x @f", base_dir=tmp_path)


def test_file_over_the_default_cap(tmp_path):
    with open(tmp_path / "huge", "wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: no 10 MiB written
    assert f"over the limit of {MAX_FILE_BYTES:,} bytes" in error("x @huge", base_dir=tmp_path)
    assert parse_emit("x @huge", base_dir=tmp_path, max_file_bytes=MAX_FILE_BYTES + 1).args == (
        bytes(MAX_FILE_BYTES + 1),
    )


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="needs /proc")
def test_file_longer_than_its_stat_size_is_cut_at_the_cap():
    # /proc files say 0 bytes to stat but hold more: as a file growing after the stat.
    assert os.stat("/proc/self/status").st_size == 0
    message = error("x @/proc/self/status", max_file_bytes=10)
    assert message == (
        "cannot read file /proc/self/status: over the limit of 10 bytes (argument 1, column 3)"
    )


def test_read_regular_file(tmp_path):
    (tmp_path / "a").write_bytes(b"abc")
    assert read_regular_file(tmp_path / "a") == b"abc"
    assert read_regular_file(str(tmp_path / "a"), 3) == b"abc"
    with pytest.raises(GrammarError, match="over the limit of 2 bytes"):
        read_regular_file(tmp_path / "a", 2)
    os.mkfifo(tmp_path / "p")
    with fails_instead_of_hanging(), pytest.raises(GrammarError, match="named pipe"):
        read_regular_file(tmp_path / "p")


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads any file")
def test_unreadable_file(tmp_path):
    (tmp_path / "secret").write_text("1")
    (tmp_path / "secret").chmod(0)
    assert "Permission denied" in error("x @secret", base_dir=tmp_path)


def test_unknown_user_home_is_an_error():
    assert error("x @~no-such-user-here/f").startswith("cannot read file ~no-such-user-here/f")


def test_nul_in_file_path_is_an_error(tmp_path):
    assert error("x @a\x00b", base_dir=tmp_path) == (
        f"cannot read file {tmp_path}/a\\x00b: invalid path (argument 1, column 3)"
    )


# --- properties over arbitrary text --------------------------------------------------

FAST = settings(
    max_examples=300,
    deadline=datetime.timedelta(seconds=2),  # generous: the machine may be busy
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

SPECIAL = list("[]{}\"'\\ \t\n\r@:,.-+0123456789eE") + [
    "b64:", "hex:", "@", "@.", "@/dev/zero", "@~", "true", "null", "NaN", "Infinity",
    "\\u", "\\ud800", "\ud800", "\udcff", "\udfff", "\x00", "\x1b", "\x7f", "\u2028", "é",
]
pieces = st.one_of(st.sampled_from(SPECIAL), st.characters(), st.characters(max_codepoint=0x1F))
texts = st.lists(pieces, max_size=60).map("".join)
deep_texts = st.builds(
    lambda prefix, opening, depth, closing, tail: prefix + opening * depth + closing + tail,
    st.sampled_from(["x ", "x '", 'x "', "x 1 ", "", "x a"]),
    st.sampled_from(["[", "{", '{"a":', "[1,", '"', "\\"]),
    st.integers(0, 3000),
    st.sampled_from(["", "]", "}", "]" * 3000, "}" * 3000, "'", '"']),
    texts,
)
any_text = st.one_of(texts, deep_texts)


def only_grammar_errors(function, text):
    try:
        return function(text)
    except GrammarError as exc:
        one_line(exc)
        return None


@FAST
@given(any_text)
def test_parse_emit_returns_or_raises_a_grammar_error(tmp_path, text):
    result = only_grammar_errors(lambda line: parse_emit(line, base_dir=tmp_path), text)
    assert result is None or isinstance(result, EmitCommand)


@FAST
@given(any_text)
def test_parse_emit_never_returns_lone_surrogates_or_non_finite_numbers(tmp_path, text):
    result = only_grammar_errors(lambda line: parse_emit(line, base_dir=tmp_path), text)
    if result is not None:
        sent = json.dumps([result.event, *result.args], default=lambda data: data.hex(),
                          ensure_ascii=False, allow_nan=False)
        sent.encode("utf-8")


@FAST
@given(any_text)
def test_split_words_returns_or_raises_a_grammar_error(text):
    words = only_grammar_errors(split_words, text)
    assert words is None or all(isinstance(word, str) for word in words)


@FAST
@given(any_text)
def test_split_command_returns_or_raises_a_grammar_error(text):
    result = only_grammar_errors(split_command, text)
    assert result is None or (isinstance(result, tuple) and len(result) == 2)


@FAST
@given(any_text)
def test_needs_more_input_always_answers(text):
    assert needs_more_input(text) in (True, False)


@FAST
@given(any_text)
def test_decode_json_returns_or_raises_a_grammar_error(text):
    only_grammar_errors(decode_json, text)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=20,
)


@FAST
@given(json_values, st.booleans())
def test_json_values_round_trip(value, ensure_ascii):
    text = json.dumps([value], ensure_ascii=ensure_ascii)
    assert parse_emit(f"x {text}").args == ([value],)
    assert decode_json(text) == [value]
