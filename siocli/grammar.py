"""The words of an emit, ``EVENT [ARG ...]`` (SPEC "Arguments of an emit").

Each argument is a whole JSON object/array where ``{`` or ``[`` starts it, else one POSIX
shell word: JSON when it parses, ``b64:``/``hex:`` bytes, ``@PATH`` a file, else a string.
Standard library only: this module is imported on every start-up.
"""

from __future__ import annotations

import base64
import json
import math
import pathlib
from dataclasses import dataclass
from typing import Any, Iterator, List, Optional, Tuple

__all__ = [
    "RESERVED_EVENTS", "EmitCommand", "GrammarError",
    "needs_more_input", "parse_emit", "split_command", "split_words",
]

RESERVED_EVENTS = frozenset(
    {"connect", "connect_error", "disconnect", "disconnecting", "newListener", "removeListener"}
)

_SPACE = " \t\r\n\f\v"  # word separators (ASCII whitespace, as a shell's IFS)
_DQUOTE_ESCAPES = '"\\$`\n'  # what a backslash escapes inside double quotes (POSIX)
_SNIPPET_LIMIT = 40


class GrammarError(ValueError):
    """Bad emit or command syntax; the message is one line. ``column`` is 1-based or None."""

    def __init__(self, message: str, column: Optional[int] = None) -> None:
        super().__init__(message)
        self.column = column


class _IncompleteInput(GrammarError):
    """The text ends inside a quote or a JSON value: more input could complete it."""


@dataclass(frozen=True)
class EmitCommand:
    event: str
    args: Tuple[Any, ...] = ()


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def _finite_float(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise ValueError(f"number out of range: {text}")
    return value


# Strict JSON (RFC 8259): no NaN/Infinity, no numbers that overflow to infinity.
_JSON = json.JSONDecoder(parse_constant=_reject_constant, parse_float=_finite_float)


def _snippet(text: str) -> str:
    text = text.replace("\r", "\\r").replace("\n", "\\n")
    return text if len(text) <= _SNIPPET_LIMIT else text[:_SNIPPET_LIMIT] + "..."


def _skip_space(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _SPACE:
        pos += 1
    return pos


def _error_at(cls: type, what: str, text: str, pos: int) -> GrammarError:
    """``cls("<what> at column N: <text from there>")``, N 1-based."""
    return cls(f"{what} at column {pos + 1}: {_snippet(text[pos:])}", pos + 1)


def _read_word(text: str, pos: int) -> Tuple[str, int]:
    """Read one shell word starting at ``pos``; return it unquoted and the end position."""
    out: List[str] = []
    end = len(text)
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
                raise _error_at(_IncompleteInput, "unterminated quote starting", text, pos)
            out.append(text[pos + 1 : close])
            pos = close + 1
        elif char == '"':
            pos = _read_double_quoted(text, pos, out)
        else:
            out.append(char)
            pos += 1
    return "".join(out), pos


def _read_double_quoted(text: str, start: int, out: List[str]) -> int:
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
    expected: List[str] = []
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


def _tokens(text: str) -> Iterator[Tuple[bool, str, int]]:
    """Yield ``(is_json, text, start)``: unquoted words or raw JSON objects/arrays.
    The first word is never JSON (it names a command or an event)."""
    pos = _skip_space(text, 0)
    first = True
    while pos < len(text):
        if not first and text[pos] in "{[":
            end = _json_end(text, pos)
            yield True, text[pos:end], pos
            if end < len(text) and text[end] not in _SPACE:
                raise _error_at(GrammarError, "unexpected text after JSON value", text, end)
        else:
            word, end = _read_word(text, pos)
            yield False, word, pos
        first = False
        pos = _skip_space(text, end)


def _decode_json_value(raw: str, start: int) -> Any:
    try:
        return _JSON.decode(raw)
    except ValueError as exc:
        is_syntax = isinstance(exc, json.JSONDecodeError)
        reason = f"{exc.msg} (column {start + exc.pos + 1})" if is_syntax else str(exc)
        message = f"invalid JSON value at column {start + 1}: {reason}: {_snippet(raw)}"
        raise GrammarError(message, start + 1) from None


def _read_file(spec: str, base_dir: Optional[pathlib.Path], where: str) -> Any:
    if not spec:
        raise GrammarError(f"missing file path after @ {where}")
    path = pathlib.Path(spec).expanduser()
    if not path.is_absolute():
        path = (base_dir if base_dir is not None else pathlib.Path.cwd()) / path
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise GrammarError(f"cannot read file {path}: {exc.strerror or exc} {where}") from None
    try:
        return _JSON.decode(data.decode("utf-8-sig"))
    except ValueError:  # not UTF-8 or not JSON: the raw bytes
        return data


def _word_value(word: str, where: str, base_dir: Optional[pathlib.Path]) -> Any:
    # A word padded with spaces (only possible when quoted) is meant as a string.
    if word and word[0] not in _SPACE and word[-1] not in _SPACE:
        try:
            return _JSON.decode(word)
        except ValueError:
            pass
    if word.startswith("b64:"):
        try:
            data = word[4:].replace("-", "+").replace("_", "/")  # URL-safe alphabet too
            padding = "" if "=" in data else "=" * (-len(data) % 4)
            return base64.b64decode(data + padding, validate=True)
        except ValueError:
            raise GrammarError(f"invalid base64 in {_snippet(word)} {where}") from None
    if word.startswith("hex:"):
        try:
            return bytes.fromhex(word[4:])
        except ValueError:
            raise GrammarError(f"invalid hex in {_snippet(word)} {where}") from None
    if word.startswith("@"):
        return _read_file(word[1:], base_dir, where)
    return word


def parse_emit(line: str, *, base_dir: Optional[pathlib.Path] = None) -> EmitCommand:
    """Parse ``EVENT [ARG ...]``; relative ``@PATH`` files are read against ``base_dir``
    (default: the current directory). Raises :class:`GrammarError`."""
    tokens = _tokens(line)
    first = next(tokens, None)
    if first is None:
        raise GrammarError("missing event name")
    _, event, start = first
    if line[start] in "{[":
        raise GrammarError(
            f"missing event name: the first word is a JSON value: {_snippet(line[start:])}", 1
        )
    if not event:
        raise GrammarError(f"empty event name at column {start + 1}", start + 1)
    if event in RESERVED_EVENTS:
        raise GrammarError(f'"{event}" is a reserved event name and cannot be emitted')
    args = []
    for number, (is_json, text, start) in enumerate(tokens, 1):
        if is_json:
            args.append(_decode_json_value(text, start))
        else:
            args.append(_word_value(text, f"(argument {number}, column {start + 1})", base_dir))
    return EmitCommand(event, tuple(args))


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


def split_words(line: str) -> List[str]:
    """Split ``line`` into words as a POSIX shell does (no JSON, no expansions)."""
    words = []
    pos = _skip_space(line, 0)
    while pos < len(line):
        word, end = _read_word(line, pos)
        words.append(word)
        pos = _skip_space(line, end)
    return words


def split_command(line: str) -> Tuple[str, str]:
    """The first word (unquoted) and the rest of the line, raw but for its leading
    space. A blank line gives ``("", "")``."""
    start = _skip_space(line, 0)
    if start == len(line):
        return "", ""
    word, end = _read_word(line, start)
    return word, line[_skip_space(line, end) :]
