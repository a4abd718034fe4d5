"""Unit tests of siocli.grammar (SPEC "Arguments of an emit"), and its limits on bad
input: nesting, size, non-finite numbers, invalid UTF-8, @PATH files that are not regular
files; and properties over arbitrary text."""

import base64
import contextlib
import dataclasses
import datetime
import json
import os
import signal
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from siocli import grammar
from siocli.grammar import (
    MAX_FILE_BYTES,
    MAX_JSON_CHARS,
    MAX_JSON_DEPTH,
    RESERVED_EVENTS,
    EmitCommand,
    GrammarError,
    decode_json,
    needs_more_input,
    parse_emit,
    quote_word,
    read_regular_file,
    split_command,
    split_words,
)
from siocli_run import ROOT

DEEP = 10_000


def args(line, **kwargs):
    return parse_emit(line, **kwargs).args


def error(line, **kwargs):
    """The message of the GrammarError that parse_emit raises: one printable line."""
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


# --- the command object --------------------------------------------------------------


def test_emit_command_is_a_frozen_dataclass():
    command = parse_emit("chat hi")
    assert command == EmitCommand("chat", ("hi",))
    assert isinstance(command.args, tuple)
    with pytest.raises(dataclasses.FrozenInstanceError):
        command.event = "other"


def test_grammar_error_is_a_value_error():
    assert issubclass(GrammarError, ValueError)


def test_event_only():
    assert parse_emit("ping") == EmitCommand("ping", ())
    assert parse_emit("  ping  \t") == EmitCommand("ping", ())


# --- event name ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, event",
    [
        ("'my event' 1", "my event"),
        ('"my event" 1', "my event"),
        ("my\\ event 1", "my event"),
        ("42 1", "42"),  # never JSON: an event name is a string
        ("'{' 1", "{"),
        ("héllo✓ 1", "héllo✓"),
        ("chat:message 1", "chat:message"),
    ],
)
def test_event_name_is_one_shell_word(line, event):
    assert parse_emit(line) == EmitCommand(event, (1,))


@pytest.mark.parametrize("line", ["", "   ", "\t\n"])
def test_missing_event_name(line):
    assert error(line) == "missing event name"


def test_json_in_place_of_event_name():
    message = error('{"a": 1}')
    assert message.startswith("missing event name")


def test_empty_event_name():
    assert error("'' 1") == "empty event name at column 1"


@pytest.mark.parametrize("name", sorted(RESERVED_EVENTS))
def test_reserved_event_names_are_refused(name):
    assert error(f"{name} 1 2") == f'"{name}" is a reserved event name and cannot be emitted'


def test_reserved_names_listed_in_spec():
    assert sorted(RESERVED_EVENTS) == [
        "connect", "connect_error", "disconnect", "disconnecting",
        "newListener", "removeListener",
    ]


def test_reserved_names_are_case_sensitive_and_exact():
    assert parse_emit("Connect").event == "Connect"
    assert parse_emit("connected").event == "connected"
    assert error("'disconnect'") == (
        '"disconnect" is a reserved event name and cannot be emitted'
    )


# --- JSON objects and arrays ---------------------------------------------------------


def test_json_object_with_spaces_is_one_argument():
    assert args('move {"x": 1, "y": [2, 3]}') == ({"x": 1, "y": [2, 3]},)


def test_nested_arrays_and_objects():
    assert args('x [[1, [2, [3]]], {"a": {"b": [true, null]}}]') == (
        [[1, [2, [3]]], {"a": {"b": [True, None]}}],
    )


def test_json_strings_containing_brackets_quotes_and_escapes():
    assert args(r'x {"a": "}]{[", "b": "say \"hi\"", "c": "back\\slash"}') == (
        {"a": "}]{[", "b": 'say "hi"', "c": "back\\slash"},
    )


def test_json_object_with_newlines_inside():
    assert args('x {"a":\n  1,\n "b": 2}') == ({"a": 1, "b": 2},)


def test_empty_object_and_array():
    assert args("x {} []") == ({}, [])


def test_several_json_values_and_words_mixed():
    line = 'ev {"a": 1} 2 [3, 4] "five six" true null {"b": []} seven'
    assert args(line) == ({"a": 1}, 2, [3, 4], "five six", True, None, {"b": []}, "seven")


def test_json_unicode():
    assert args('x {"name": "Zoë", "emoji": "🎉", "esc": "\\u00e9"}') == (
        {"name": "Zoë", "emoji": "🎉", "esc": "é"},
    )


def test_unterminated_json_value():
    assert error('move {"a": 1') == 'unterminated JSON value starting at column 6: {"a": 1'


def test_unterminated_json_value_inside_string():
    assert error('x {"a": "}') == 'unterminated JSON value starting at column 3: {"a": "}'


def test_unterminated_nested_array():
    assert error("x [1, [2, 3]").startswith("unterminated JSON value starting at column 3")


def test_invalid_json_object():
    message = error("x {a: 1}")
    assert message.startswith("invalid JSON value at column 3: ")
    assert "property name" in message
    assert message.endswith(": {a: 1}")


def test_invalid_json_mismatched_brackets():
    assert error('x {"a": [1}').startswith("invalid JSON value at column 3")


def test_bare_bracket_word_that_is_not_json_is_an_error():
    # To send the string "[INFO]", quote it: the quoted word is not JSON, so a string.
    assert error("log [INFO]").startswith("invalid JSON value at column 5")
    assert args("log '[INFO]'") == ("[INFO]",)


def test_text_glued_after_json_value():
    assert error('x {"a": 1}b') == "unexpected text after JSON value at column 11: b"
    assert error("x [1][2]").startswith("unexpected text after JSON value at column 6")


def test_nan_and_infinity_are_not_json():
    assert error('x {"a": NaN}').startswith("invalid JSON value at column 3")
    assert error("x [Infinity]").startswith("invalid JSON value at column 3")
    assert error("x [1e999]").startswith("invalid JSON value at column 3")


def test_long_values_are_shortened_in_messages():
    message = error("x {" + '"k": 1, ' * 50)
    assert message.endswith("...")
    assert len(message) < 120


# --- words ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "word, value",
    [
        ("42", 42),
        ("-7", -7),
        ("3.5", 3.5),
        ("1e3", 1000.0),
        ("true", True),
        ("false", False),
        ("null", None),
        ('\'"text"\'', "text"),
        ('\'"hello world"\'', "hello world"),
        ('\'"42"\'', "42"),
        ("'{\"a\":1}'", {"a": 1}),
        ('\'{"a": [1, 2]}\'', {"a": [1, 2]}),
        ("'[1, 2]'", [1, 2]),
        ('"42"', 42),  # shell quotes only group: the word 42 is JSON
        ("hello", "hello"),
        ("True", "True"),
        ("NULL", "NULL"),
        ("NaN", "NaN"),
        ("Infinity", "Infinity"),
        ("1e999", "1e999"),
        ("0x10", "0x10"),
        ("01", "01"),
        ("a{b}", "a{b}"),
        ("''", ""),
        ('""', ""),
        ("' 42 '", " 42 "),  # spaces kept by quoting: a string, not a number
        ("'\"a\"b'", '"a"b'),
    ],
)
def test_word_values(word, value):
    result = args(f"x {word}")
    assert result == (value,)
    assert type(result[0]) is type(value)


@pytest.mark.parametrize(
    "line",
    ['chat "hello world"', "chat 'hello world'", "chat hello\\ world", 'chat hel"lo wo"rld'],
)
def test_quoted_strings_group_words(line):
    assert args(line) == ("hello world",)


def test_backslash_escapes():
    assert args(r"x a\ b c\'d e\\f \"g\"") == ("a b", "c'd", "e\\f", "g")


def test_backslash_inside_double_quotes_follows_posix():
    assert args(r'x "a\"b" "c\\d" "e\nf" "g\$h"') == ('a"b', "c\\d", "e\\nf", "g$h")


def test_backslash_inside_single_quotes_is_literal():
    assert args(r"x 'a\nb' 'c\\d'") == ("a\\nb", "c\\\\d")


def test_backslash_newline_is_a_line_continuation():
    assert args("x hel\\\nlo 2") == ("hello", 2)


def test_quoted_json_string_with_escapes():
    assert args(r"""x '"line\nbreak"' '"\u00e9"'""") == ("line\nbreak", "é")


def test_unicode_words():
    assert args("chat héllo 'Zoë 🎉' 日本語") == ("héllo", "Zoë 🎉", "日本語")


def test_non_ascii_space_is_not_a_separator():
    assert args("x a\u00a0b") == ("a\u00a0b",)


def test_tabs_and_multiple_spaces_separate():
    assert args("x \t 1 \t\t 2   ") == (1, 2)


@pytest.mark.parametrize("line", ["x 'abc", 'x "abc', "x 'a' \"b", 'x "a\\"'])
def test_unterminated_quote(line):
    message = error(line)
    assert message.startswith("unterminated quote starting at column ")


def test_unterminated_quote_message():
    assert error("chat 'hello wor") == "unterminated quote starting at column 6: 'hello wor"


def test_unterminated_quote_in_event_name():
    assert error("'chat hello") == "unterminated quote starting at column 1: 'chat hello"


def test_dangling_backslash():
    assert error("x abc\\") == "dangling backslash at column 6"


# --- bytes ---------------------------------------------------------------------------


def test_b64_bytes():
    assert args("x b64:aGVsbG8=") == (b"hello",)


def test_b64_without_padding_and_url_safe():
    data = bytes([0xFB, 0xFF, 0xBF])
    assert args("x b64:" + base64.urlsafe_b64encode(data).decode()) == (data,)
    assert args("x b64:aGVsbG8") == (b"hello",)


def test_b64_empty_is_empty_bytes():
    assert args("x b64:") == (b"",)


def test_quoted_b64_word_is_still_bytes():
    assert args("x 'b64:aGk='") == (b"hi",)


@pytest.mark.parametrize("data", ["zz=", "a", "a!bc", "aGk=aGk", "é"])
def test_invalid_b64(data):
    assert error(f"x 1 b64:{data}") == f"invalid base64 in b64:{data} (argument 2, column 5)"


def test_hex_bytes():
    assert args("x hex:00ff10 HEX:00 hex:") == (b"\x00\xff\x10", "HEX:00", b"")
    assert args("x hex:DEADbeef") == (b"\xde\xad\xbe\xef",)


@pytest.mark.parametrize("data", ["abc", "zz", "0x00"])
def test_invalid_hex(data):
    assert error(f"x hex:{data}") == f"invalid hex in hex:{data} (argument 1, column 3)"


def test_prefixed_strings_written_as_json_are_strings():
    assert args("""x '"@home"' '"b64:aGk="' '"hex:00"'""") == ("@home", "b64:aGk=", "hex:00")


def test_prefix_only_at_word_start():
    assert args("x a@b xb64:zz") == ("a@b", "xb64:zz")


# --- @file ---------------------------------------------------------------------------


def test_file_with_json_content(tmp_path):
    (tmp_path / "data.json").write_text('{"a": [1, 2]}\n', encoding="utf-8")
    assert args("x @data.json", base_dir=tmp_path) == ({"a": [1, 2]},)


def test_file_with_json_scalars(tmp_path):
    (tmp_path / "n").write_text("42\n")
    (tmp_path / "s").write_text('"Zoë"', encoding="utf-8")
    assert args("x @n @s", base_dir=tmp_path) == (42, "Zoë")


def test_file_with_utf8_bom_json(tmp_path):
    (tmp_path / "bom.json").write_bytes(b'\xef\xbb\xbf{"a": 1}')
    assert args("x @bom.json", base_dir=tmp_path) == ({"a": 1},)


def test_file_with_text_content_is_bytes(tmp_path):
    (tmp_path / "note.txt").write_bytes(b"hello\n")
    assert args("x @note.txt", base_dir=tmp_path) == (b"hello\n",)


def test_file_with_binary_content_is_bytes(tmp_path):
    blob = bytes(range(256))
    (tmp_path / "blob.bin").write_bytes(blob)
    assert args("x @blob.bin", base_dir=tmp_path) == (blob,)


def test_empty_file_is_empty_bytes(tmp_path):
    (tmp_path / "empty").write_bytes(b"")
    assert args("x @empty", base_dir=tmp_path) == (b"",)


def test_file_absolute_path(tmp_path):
    path = tmp_path / "abs.json"
    path.write_text("[1]")
    assert args(f"x @{path}", base_dir=tmp_path / "elsewhere") == ([1],)


def test_file_path_with_spaces_quoted(tmp_path):
    (tmp_path / "my file.json").write_text("true")
    assert args("x '@my file.json' @my\\ file.json", base_dir=tmp_path) == (True, True)


def test_file_relative_to_cwd_by_default(tmp_path, monkeypatch):
    (tmp_path / "cwd.json").write_text('{"cwd": true}')
    monkeypatch.chdir(tmp_path)
    assert args("x @cwd.json") == ({"cwd": True},)


def test_file_in_home_directory(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / "h.json").write_text("[true]")
    assert args("x @~/h.json") == ([True],)


def test_missing_file_is_an_error_naming_the_path(tmp_path):
    message = error("x @nope.json", base_dir=tmp_path)
    assert message.startswith(f"cannot read file {tmp_path / 'nope.json'}: ")
    assert "No such file" in message
    assert message.endswith("(argument 1, column 3)")


def test_directory_is_an_error(tmp_path):
    assert error("x @.", base_dir=tmp_path).startswith("cannot read file ")


def test_bare_at_sign_is_an_error():
    assert error("x @") == "missing file path after @ (argument 1, column 3)"


# --- needs_more_input ----------------------------------------------------------------


@pytest.mark.parametrize(
    "line",
    [
        "emit x {",
        'emit x {"a": 1',
        'emit x {"a": [1, 2]',
        'emit x {"a": "}"',
        'emit x {"a": "\\"}"',
        "emit x [1, [2]",
        'emit x {"a": 1} [',
        "emit x 'hello",
        'emit x "hello',
        "emit x abc\\",
        'x {"a":\n 1,',
        "call --timeout 3 ev {",
        "emit x 'a\n",
        "emit 'x",
    ],
)
def test_needs_more_input(line):
    assert needs_more_input(line) is True


@pytest.mark.parametrize(
    "line",
    [
        "",
        "status",
        "emit x",
        'emit x {"a": 1}',
        'emit x "{"',
        "emit x '['",
        "emit x \\{",
        'emit x {"a": "{"}',
        "emit x [1, [2]]",
        'emit x {"a": 1}}',  # broken beyond repair: parse_emit will explain
        "emit x [1}",
        "emit x {a: 1}",
        "emit x 'it'\\''s'",
        "{",  # the first word is never JSON
        "emit x a{b",
        'x {"a":\n 1}',
    ],
)
def test_complete_input(line):
    assert needs_more_input(line) is False


@pytest.mark.parametrize("line, hint", [
    ("emit msg it's me", "write \"it'...\" or it\\'"),
    ("emit x 'it''s", "a ' inside a word starts a quote"),
    ('emit size 5" wide', "write '5\"...' or 5\\\""),
])
def test_a_quote_inside_a_word_is_an_error_with_a_hint_not_a_continuation(line, hint):
    assert needs_more_input(line) is False
    with pytest.raises(GrammarError) as caught:
        parse_emit(line.split(" ", 1)[1])
    assert str(caught.value).startswith("unterminated quote starting at column")
    assert hint in str(caught.value)


def test_continued_lines_joined_by_newline_parse():
    lines = ['move {"x": 1,', ' "y": [2,', "3]}"]
    text = lines[0]
    for line in lines[1:]:
        assert needs_more_input(text)
        text += "\n" + line
    assert not needs_more_input(text)
    assert args(text) == ({"x": 1, "y": [2, 3]},)


def test_needs_more_input_is_cheap_on_long_lines():
    line = "x [" + "1, " * 200_000
    assert needs_more_input(line) is True
    assert needs_more_input(line + "1]") is False


# --- split_words / split_command -----------------------------------------------------


def test_split_words():
    assert split_words("call --timeout 3 'my ev' a\\ b \"c d\"") == [
        "call", "--timeout", "3", "my ev", "a b", "c d",
    ]
    assert split_words("") == []
    assert split_words("   ") == []
    assert split_words("a '' b") == ["a", "", "b"]


def test_split_words_does_not_read_json():
    assert split_words('auth json {"a": 1}') == ["auth", "json", "{a:", "1}"]


def test_split_words_unicode():
    assert split_words("mute 'chat:*' 日本") == ["mute", "chat:*", "日本"]


@pytest.mark.parametrize("line", ["a 'b", 'a "b', "a b\\"])
def test_split_words_unterminated(line):
    with pytest.raises(GrammarError):
        split_words(line)


def test_split_command_keeps_the_remainder_raw():
    line = 'emit move {"x": 1, "y": [2, 3]}  \'a  b\' '
    command, rest = split_command(line)
    assert command == "emit"
    assert rest == 'move {"x": 1, "y": [2, 3]}  \'a  b\' '
    assert parse_emit(rest) == EmitCommand("move", ({"x": 1, "y": [2, 3]}, "a  b"))


def test_split_command_chains_for_options():
    command, rest = split_command("call --timeout 3 ev [1]")
    option, rest = split_command(rest)
    value, rest = split_command(rest)
    assert (command, option, value, rest) == ("call", "--timeout", "3", "ev [1]")


def test_split_command_edge_cases():
    assert split_command("") == ("", "")
    assert split_command("  \t ") == ("", "")
    assert split_command("  status  ") == ("status", "")
    assert split_command("'two words' x") == ("two words", "x")


def test_split_command_unterminated_quote():
    with pytest.raises(GrammarError, match="unterminated quote starting at column 1"):
        split_command("'emit x")


def test_error_column_attribute():
    with pytest.raises(GrammarError) as info:
        parse_emit('move {"a": 1')
    assert info.value.column == 6


# --- the module itself ---------------------------------------------------------------


def test_imports_only_the_standard_library():
    code = (
        "import sys; before = set(sys.modules); import siocli.grammar; "
        "print(sorted(m for m in set(sys.modules) - before "
        "if m.split('.')[0] not in sys.stdlib_module_names and m.split('.')[0] != 'siocli'))"
    )
    if not hasattr(sys, "stdlib_module_names"):
        pytest.skip("needs Python 3.10+")
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
    )
    assert out.stdout.strip() == "[]"


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


@pytest.mark.parametrize("text", ["x @~\x00", "x @a\x00b", "x @~no-such-user-here/x"])
def test_an_unusable_file_path_is_a_grammar_error(text):
    with pytest.raises(GrammarError, match="cannot read file"):
        parse_emit(text)


@pytest.mark.parametrize("word, typed", [
    ("tick", "tick"), ("add user", '"add user"'), ("it's", '"it\'s"'), ("a\\b", '"a\\\\b"'),
    ('say "hi"', '"say \\"hi\\""'), ("{x", '"{x"'), ("[x", '"[x"'), ("", '""'),
    ("x}", "x}"), ("$HOME", "$HOME")])
def test_quote_word_quotes_only_what_the_grammar_would_read_otherwise(word, typed):
    assert quote_word(word) == typed


@given(st.text(st.characters(blacklist_categories=("Cs",))))
def test_a_quoted_word_reads_back_as_itself(word):
    assert split_words(quote_word(word)) == [word]
