"""The words of an emit, ``EVENT [ARG ...]`` (SPEC "Arguments of an emit").

Each argument is a whole JSON object/array where ``{`` or ``[`` starts it, else one POSIX
shell word: JSON when it parses, ``b64:``/``hex:`` bytes, ``@PATH`` a file, else a string.
Standard library only: this module is imported on every start-up.

Limits, checked before anything is decoded or sent:
- one JSON value: at most ``MAX_JSON_DEPTH`` (100) nested objects/arrays and, when typed,
  ``MAX_JSON_CHARS`` (10 MiB) characters; no NaN/Infinity, no number overflowing to
  infinity, no lone surrogate (``"\\ud800"``);
- ``@PATH``: a regular file (never a fifo, device or directory) of at most
  ``MAX_FILE_BYTES`` (10 MiB), unless ``parse_emit(max_file_bytes=...)`` says otherwise;
- text: invalid UTF-8 (lone surrogates, as Python decodes it from the command line) is refused.
"""

from __future__ import annotations

import base64
import itertools
import json
import math
import os
import pathlib
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from siocli.errors import GrammarError

__all__ = [
    "MAX_FILE_BYTES", "MAX_JSON_CHARS", "MAX_JSON_DEPTH", "RESERVED_EVENTS",
    "EmitCommand", "GrammarError", "decode_json", "describe_invalid_utf8",
    "needs_more_input", "parse_emit", "quote_word", "read_regular_file", "snippet",
    "split_command", "split_words",
]

RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)

MAX_JSON_DEPTH = 100  # nested objects/arrays in one value; far below Python's recursion limit
MAX_JSON_CHARS = 10 * 1024 * 1024  # characters of one JSON value typed or given as text
MAX_FILE_BYTES = 10 * 1024 * 1024  # bytes of one @PATH file

_SPACE = " \t\r\n\f\v"  # word separators (ASCII whitespace, as a shell's IFS)
_DQUOTE_ESCAPES = '"\\$`\n'  # what a backslash escapes inside double quotes (POSIX)
_SNIPPET_LIMIT = 40
_UNPRINTABLE = re.compile("[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# A JSON string, or an unterminated one up to the end: always matches, so never backtracks.
_JSON_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"?', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_BRACKET_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
_STARTS_CONTAINER = re.compile(r"[ \t\r\n]*[\[{]")


class _IncompleteInput(GrammarError):
    """The text ends inside a quote or a JSON value: more input could complete it."""


class _JsonProblem(GrammarError):
    """``kind``: "syntax" (not JSON, NaN, Infinity, an overflowing number; ``pos`` 0-based
    or None), "limit" (too deep or too long: refused before decoding, so maybe not JSON),
    "unicode" (valid JSON whose ``\\u`` escapes make a lone surrogate)."""

    def __init__(self, kind: str, reason: str, pos: int | None = None) -> None:
        super().__init__(reason)
        self.kind = kind
        self.pos = pos


@dataclass(frozen=True)
class EmitCommand:
    event: str
    args: tuple[Any, ...] = ()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError("number out of range")  # not quoted: it may be part of a secret
    return value


# Strict JSON (RFC 8259): no NaN/Infinity, no numbers that overflow to infinity.
_JSON = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def _escape_char(match: re.Match[str]) -> str:
    char = match.group()
    return {"\n": "\\n", "\r": "\\r"}.get(char) or ascii(char)[1:-1]


def snippet(text: str, limit: int = _SNIPPET_LIMIT) -> str:
    """``text`` fit for a one-line message: shortened, control characters and lone
    surrogates escaped (they could break the line, the terminal or the encoder)."""
    short = text if len(text) <= limit else text[:limit] + "..."
    return _UNPRINTABLE.sub(_escape_char, short)


def _describe_surrogate(match: re.Match[str]) -> str:
    code, column = ord(match.group()), match.start() + 1
    if 0xDC80 <= code <= 0xDCFF:  # how Python's surrogateescape carries an undecodable byte
        return f"byte 0x{code - 0xDC00:02x} at column {column}"
    return f"lone surrogate U+{code:04X} at column {column}"


def describe_invalid_utf8(text: str) -> str | None:
    """Where ``text`` holds a lone surrogate (invalid UTF-8 decoded with surrogateescape),
    e.g. ``"byte 0xff at column 3"``; None when the text is valid Unicode."""
    match = _SURROGATE.search(text)
    return match and _describe_surrogate(match)


def _too_deep(text: str) -> bool:
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return False
    brackets = _NOT_BRACKET.sub("", _JSON_STRING.sub("", text))
    depths = itertools.accumulate(map(_BRACKET_STEP.__getitem__, brackets))
    return max(depths, default=0) > MAX_JSON_DEPTH


def _decode(text: str, max_chars: int | None) -> Any:
    """Strict JSON within the limits; raises :class:`_JsonProblem` with a reason that
    never quotes the text."""
    if max_chars is not None and len(text) > max_chars:
        raise _JsonProblem("limit", f"longer than the limit of {max_chars:,} characters")
    if _too_deep(text):
        raise _JsonProblem("limit", f"nested deeper than {MAX_JSON_DEPTH} levels")
    try:
        value = _JSON.decode(text)
    except json.JSONDecodeError as exc:
        raise _JsonProblem("syntax", exc.msg, exc.pos) from None
    except RecursionError:  # only when the caller's own stack is already deep
        raise _JsonProblem("limit", "nested too deep") from None
    except ValueError as exc:  # ours, or Python's limit on the digits of an int
        reason = "integer with too many digits" if "digits" in str(exc) else str(exc)
        raise _JsonProblem("syntax", reason) from None
    # Only a \u escape can put a lone surrogate in a value decoded from valid text.
    if _SURROGATE_ESCAPE.search(text) and _SURROGATE.search(json.dumps(value, ensure_ascii=False)):
        raise _JsonProblem("unicode", "holds a lone surrogate (an unpaired \\udXXX escape)")
    return value


def decode_json(text: str, *, max_chars: int | None = MAX_JSON_CHARS) -> Any:
    """One JSON value as emits read it: RFC 8259 without NaN/Infinity or numbers
    overflowing, at most ``MAX_JSON_DEPTH`` levels deep and ``max_chars`` characters
    (None: no length limit), no lone surrogates. Raises :class:`GrammarError` with one
    line that never quotes the text (it may be a secret)."""
    problem = describe_invalid_utf8(text)
    if problem:
        raise GrammarError(f"invalid UTF-8 ({problem})")
    try:
        return _decode(text, max_chars)
    except _JsonProblem as exc:
        if exc.kind != "syntax":
            raise GrammarError(f"JSON value {exc}") from None
        if exc.pos is None:
            raise GrammarError(f"invalid JSON: {exc}") from None
        line = text.count("\n", 0, exc.pos) + 1
        column = exc.pos - text.rfind("\n", 0, exc.pos)
        where = f"column {column}" if line == 1 else f"line {line} column {column}"
        raise GrammarError(f"invalid JSON: {exc} ({where})", column) from None


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _error_at(cls: type, what: str, text: str, pos: int) -> GrammarError:
    """``cls("<what> at column N: <text from there>")``, N 1-based."""
    return cls(f"{what} at column {pos + 1}: {snippet(text[pos:])}", pos + 1)


def _read_word(text: str, pos: int) -> tuple[str, int]:
    """Read one shell word starting at ``pos``; return it unquoted and the end position."""
    out: list[str] = []
    end = len(text)
    word_start = pos
    while pos < end and text[pos] not in _SPACE:
        char = text[pos]
        if char == "\\":
            if pos + 1 == end:
                raise _IncompleteInput(f"dangling backslash at column {pos + 1}", pos + 1)
            if text[pos + 1] != "\n":  # backslash-newline is a line continuation
                out.append(text[pos + 1])
            pos += 2
        elif char == "'":
            close = text.find("'", pos + 1)
            if close < 0:
                _unterminated(text, pos, word_start)
            out.append(text[pos + 1 : close])
            pos = close + 1
        elif char == '"':
            try:
                pos = _read_double_quoted(text, pos, out)
            except _IncompleteInput:
                _unterminated(text, pos, word_start)
        else:
            out.append(char)
            pos += 1
    return "".join(out), pos


def _unterminated(text: str, pos: int, word_start: int) -> None:
    """A quote that opens a word may go on over the next line; one inside a word (it's,
    5") is most likely meant as the character itself: say how to write that instead."""
    if pos == word_start:
        raise _error_at(_IncompleteInput, "unterminated quote starting", text, pos)
    quote = text[pos]
    other = '"' if quote == "'" else "'"
    word = snippet(text[word_start:pos], 20)
    hint = "a %s inside a word starts a quote: write %s%s%s...%s or %s\\%s" % (
        quote, other, word, quote, other, word, quote)
    error = _error_at(GrammarError, "unterminated quote starting", text, pos)
    raise GrammarError("%s (%s)" % (error, hint), error.column)


def _read_double_quoted(text: str, start: int, out: list[str]) -> int:
    pos = start + 1
    while pos < len(text):
        char = text[pos]
        if char == '"':
            return pos + 1
        if char == "\\" and pos + 1 < len(text) and text[pos + 1] in _DQUOTE_ESCAPES:
            if text[pos + 1] != "\n":
                out.append(text[pos + 1])
            pos += 2
        else:
            out.append(char)
            pos += 1
    raise _error_at(_IncompleteInput, "unterminated quote starting", text, start)


def _json_end(text: str, start: int) -> int:
    """End of the JSON object/array at ``start`` by bracket matching, strings respected;
    a mismatched closing bracket ends it too, and the decoder will explain."""
    expected: list[str] = []
    pos = start
    while pos < len(text):
        char = text[pos]
        if char == '"':
            pos += 1
            while pos < len(text) and text[pos] != '"':
                pos += 2 if text[pos] == "\\" else 1
            if pos >= len(text):
                break
        elif char in "{[":
            expected.append("}" if char == "{" else "]")
        elif char in "}]":
            if expected.pop() != char or not expected:
                return pos + 1
        pos += 1
    raise _error_at(_IncompleteInput, "unterminated JSON value starting", text, start)


def _tokens(text: str, name_first: bool = True) -> Iterator[tuple[bool, str, int, int]]:
    """Yield ``(is_json, text, start, end)``: unquoted words or raw JSON objects/arrays.
    The first word is never JSON when ``name_first`` (it names a command or an event)."""
    pos = _skip_space(text, 0)
    first = name_first
    while pos < len(text):
        if not first and text[pos] in "{[":
            end = _json_end(text, pos)
            yield True, text[pos:end], pos, end
            if end < len(text) and text[end] not in _SPACE:
                raise _error_at(GrammarError, "unexpected text after JSON value", text, end)
        else:
            word, end = _read_word(text, pos)
            yield False, word, pos, end
        first = False
        pos = _skip_space(text, end)


def _decode_json_value(raw: str, start: int) -> Any:
    try:
        return _decode(raw, MAX_JSON_CHARS)
    except _JsonProblem as exc:
        reason = str(exc) if exc.pos is None else f"{exc} (column {start + exc.pos + 1})"
        message = f"invalid JSON value at column {start + 1}: {reason}: {snippet(raw)}"
        raise GrammarError(message, start + 1) from None


_FILE_KINDS = {
    stat.S_IFDIR: "a directory", stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket",
}


def _check_regular(info: os.stat_result, max_bytes: int) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise OSError(f"it is {kind}, not a regular file")
    if info.st_size > max_bytes:
        raise OSError(f"{info.st_size:,} bytes is over the limit of {max_bytes:,} bytes")


_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)


def read_regular_file(path: str | os.PathLike, max_bytes: int | None = None) -> bytes:
    """The content of a regular file of at most ``max_bytes`` (default ``MAX_FILE_BYTES``).
    A fifo, device or directory is refused from its ``stat`` without being opened (opening
    a fifo waits for a writer). Raises :class:`GrammarError`: ``cannot read file PATH: why``."""
    limit = MAX_FILE_BYTES if max_bytes is None else max_bytes
    shown = snippet(os.fspath(path), 200)
    try:
        _check_regular(os.stat(path), limit)
        # O_NONBLOCK: should the path become a fifo after the stat, open does not hang.
        with os.fdopen(os.open(path, _OPEN_FLAGS | os.O_CLOEXEC), "rb") as file:
            _check_regular(os.fstat(file.fileno()), limit)
            data = file.read(limit + 1)  # the file may grow after the stat
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise GrammarError(f"cannot read file {shown}: {reason}") from None
    except ValueError:  # a NUL character in the path
        raise GrammarError(f"cannot read file {shown}: invalid path") from None
    if len(data) > limit:
        raise GrammarError(f"cannot read file {shown}: over the limit of {limit:,} bytes")
    return data


def _read_file(spec: str, base_dir: pathlib.Path | None, where: str, max_bytes: int) -> Any:
    if not spec:
        raise GrammarError(f"missing file path after @ {where}")
    try:
        path = pathlib.Path(spec).expanduser()
        if not path.is_absolute():
            path = (base_dir if base_dir is not None else pathlib.Path.cwd()) / path
    except (OSError, RuntimeError, ValueError) as exc:  # no such ~user, a NUL in the path
        reason = str(exc).rstrip(".")
        raise GrammarError(f"cannot read file {snippet(spec, 200)}: {reason} {where}") from None
    try:
        data = read_regular_file(path, max_bytes)
    except GrammarError as exc:
        raise GrammarError(f"{exc} {where}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # not UTF-8: the raw bytes
        return data
    try:
        return _decode(text, None)  # the size cap of the file bounds the text
    except _JsonProblem as exc:
        if exc.kind == "syntax" or (exc.kind == "limit" and not _STARTS_CONTAINER.match(text)):
            return data  # not JSON: the raw bytes
        raise GrammarError(f"file {snippet(str(path), 200)}: JSON value {exc} {where}") from None


def _word_value(word: str, where: str, base_dir: pathlib.Path | None, max_bytes: int) -> Any:
    # A word padded with spaces (only possible when quoted) is meant as a string.
    if word and word[0] not in _SPACE and word[-1] not in _SPACE:
        try:
            return _decode(word, MAX_JSON_CHARS)
        except _JsonProblem as exc:
            # Too deep or long but opening like JSON: meant as JSON. Else a string.
            if exc.kind == "unicode" or (exc.kind == "limit" and word[0] in "{["):
                raise GrammarError(f"JSON value {exc} {where}") from None
    if word.startswith("b64:"):
        try:
            data = word[4:].replace("-", "+").replace("_", "/")  # URL-safe alphabet too
            padding = "" if "=" in data else "=" * (-len(data) % 4)
            return base64.b64decode(data + padding, validate=True)
        except ValueError:
            raise GrammarError(f"invalid base64 in {snippet(word)} {where}") from None
    if word.startswith("hex:"):
        try:
            return bytes.fromhex(word[4:])
        except ValueError:
            raise GrammarError(f"invalid hex in {snippet(word)} {where}") from None
    if word.startswith("@"):
        return _read_file(word[1:], base_dir, where, max_bytes)
    return word


def parse_emit(
    line: str, *, base_dir: pathlib.Path | None = None, max_file_bytes: int | None = None
) -> EmitCommand:
    """Parse ``EVENT [ARG ...]``; relative ``@PATH`` files are read against ``base_dir``
    (default: the current directory), each of at most ``max_file_bytes`` (default
    ``MAX_FILE_BYTES``). Raises :class:`GrammarError`."""
    max_bytes = MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
    tokens = _tokens(line)
    first = next(tokens, None)
    if first is None:
        raise GrammarError("missing event name")
    _, event, start, end = first
    if line[start] in "{[":
        raise GrammarError(
            f"missing event name: the first word is a JSON value: {snippet(line[start:])}", 1
        )
    _refuse_surrogates(line, start, end, "the event name")
    if not event:
        raise GrammarError(f"empty event name at column {start + 1}", start + 1)
    if event in RESERVED_EVENTS:
        raise GrammarError(f'"{event}" is a reserved event name and cannot be emitted')
    return EmitCommand(event, _values(line, tokens, base_dir, max_bytes))


def parse_args(
    line: str, *, base_dir: pathlib.Path | None = None, max_file_bytes: int | None = None
) -> tuple[Any, ...]:
    """Parse ``[ARG ...]``: the arguments of an emit without its event name (the answer
    to a server's ack request). Raises :class:`GrammarError`."""
    max_bytes = MAX_FILE_BYTES if max_file_bytes is None else max_file_bytes
    return _values(line, _tokens(line, name_first=False), base_dir, max_bytes)


def _values(line: str, tokens: Iterator[tuple[bool, str, int, int]],
            base_dir: pathlib.Path | None, max_bytes: int) -> tuple[Any, ...]:
    args = []
    for number, (is_json, text, start, end) in enumerate(tokens, 1):
        _refuse_surrogates(line, start, end, f"argument {number}")
        if is_json:
            args.append(_decode_json_value(text, start))
        else:
            where = f"(argument {number}, column {start + 1})"
            args.append(_word_value(text, where, base_dir, max_bytes))
    return tuple(args)


def _refuse_surrogates(line: str, start: int, end: int, what: str) -> None:
    match = _SURROGATE.search(line, start, end)
    if match:
        raise GrammarError(
            f"invalid UTF-8 in {what} ({_describe_surrogate(match)})", match.start() + 1
        )


def needs_more_input(line: str) -> bool:
    """True when ``line`` ends inside a JSON object/array, a quote, or after a backslash:
    the REPL then reads another line and retries with both joined by a newline."""
    try:
        for _ in _tokens(line):
            pass
    except _IncompleteInput:
        return True
    except GrammarError:
        return False
    return False


def split_words(line: str) -> list[str]:
    """Split ``line`` into words as a POSIX shell does (no JSON, no expansions)."""
    words = []
    pos = _skip_space(line, 0)
    while pos < len(line):
        word, end = _read_word(line, pos)
        words.append(word)
        pos = _skip_space(line, end)
    return words


def quote_word(word: str) -> str:
    """``word`` as it is typed back as one word of a command line (an event name, say):
    as it is when this grammar reads it so, else in double quotes with ``"`` and ``\\``
    escaped (``add user`` -> ``"add user"``, ``it's`` -> ``"it's"``)."""
    if word and word[0] not in "{[" and not any(char in _SPACE or char in "'\"\\"
                                                 for char in word):
        return word
    return '"%s"' % word.replace("\\", "\\\\").replace('"', '\\"')


def split_command(line: str) -> tuple[str, str]:
    """The first word (unquoted) and the rest of the line, raw but for its leading
    space. A blank line gives ``("", "")``."""
    start = _skip_space(line, 0)
    if start == len(line):
        return "", ""
    word, end = _read_word(line, start)
    return word, line[_skip_space(line, end) :]
