"""Unit tests of siocli.grammar (SPEC "Arguments of an emit")."""

import base64
import dataclasses
import pathlib
import subprocess
import sys

import pytest

from siocli.grammar import (
    RESERVED_EVENTS,
    EmitCommand,
    GrammarError,
    needs_more_input,
    parse_emit,
    split_command,
    split_words,
)


def args(line, **kwargs):
    return parse_emit(line, **kwargs).args


def error(line, **kwargs):
    with pytest.raises(GrammarError) as info:
        parse_emit(line, **kwargs)
    message = str(info.value)
    assert "\n" not in message
    return message


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
    assert RESERVED_EVENTS == {
        "connect", "connect_error", "disconnect", "disconnecting",
        "newListener", "removeListener",
    }


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
        "emit x 'it''s",
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
        [sys.executable, "-c", code], capture_output=True, text=True, check=True,
        cwd=pathlib.Path(__file__).resolve().parents[1],
    )
    assert out.stdout.strip() == "[]"
