"""Text the other side controls, made safe to show on a terminal.

A server (or, for `serve`, a client) chooses event names, arguments, socket ids,
messages and headers. Written to a terminal as they are, control characters in them
would move the cursor, clear the screen, retitle the window or start a hyperlink, and
bidi controls would reorder what is shown. :func:`visible` writes each such character
as the escape a JSON string uses for it, and a backslash as ``\\\\``, so the result
is also a faithful escape: reading it back as the inside of a JSON string gives the
original text.

    visible("a\\x1b[2Jb\\u202e\\n")  ->  a\\u001b[2Jb\\u202e\\n

Escaped: C0 controls (``\\n`` ``\\r`` ``\\t`` ``\\b`` ``\\f``, the others ``\\u00XX``),
DEL and C1 (U+0080-U+009F), the bidi embeddings, overrides and isolates (U+202A-U+202E,
U+2066-U+2069) and marks (U+200E, U+200F, U+061C), the line and paragraph separators
(U+2028, U+2029), and lone surrogates (``\\ud83d``).
"""

import re
from json.encoder import encode_basestring

ESCAPED_CHARACTERS = (
    "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff")
_NEEDS_ESCAPE = re.compile("[\\\\%s]" % ESCAPED_CHARACTERS)
# what json's own string encoder leaves as it is: applied after it, inside quotes
_LEFT_BY_JSON = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069"
                           "\ud800-\udfff]")
_SHORT_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t", "\b": "\\b",
                  "\f": "\\f", '"': '\\"'}
ELLIPSIS = "\u2026"


class Visible(str):
    """Text already made safe to show: :func:`visible` returns it unchanged, so a cell
    built from escaped parts is not escaped twice."""


def escape_character(char):
    """The escape of one character, as in a JSON string (a pair of surrogates for a
    character beyond U+FFFF)."""
    short = _SHORT_ESCAPES.get(char)
    if short is not None:
        return short
    code = ord(char)
    if code > 0xFFFF:
        code -= 0x10000
        return "\\u%04x\\u%04x" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    return "\\u%04x" % code


def _escape_match(match):
    return escape_character(match.group())


def visible(text):
    """``text`` (any value: a non-string is shown as its ``str``) with every control,
    bidi control, lone surrogate and backslash escaped; a :class:`Visible` as it is."""
    if type(text) is Visible:
        return text
    if not isinstance(text, str):
        text = plain_str(text)
    if _NEEDS_ESCAPE.search(text) is not None:
        text = _NEEDS_ESCAPE.sub(_escape_match, text)
    return Visible(text)


_CONTROLS_ONLY = re.compile("[%s]" % ESCAPED_CHARACTERS)


def visible_frame(text, limit):
    """A protocol frame as it was, cut to about ``limit`` characters: its controls, bidi
    controls and lone surrogates escaped as :func:`visible` does, its backslashes left
    as they are, so that the JSON it carries reads as on the wire (a frame's JSON holds
    no raw control character; one shown as ``\\u001b`` was sent as such)."""
    head, left_out = cut_escaped(text, limit, _escape_controls)
    if left_out:
        return Visible(head + ELLIPSIS + " (+%s)" % counted(left_out, "char"))
    return Visible(head)


def _escape_controls(text):
    if _CONTROLS_ONLY.search(text) is None:
        return text
    return _CONTROLS_ONLY.sub(_escape_match, text)


def visible_within(text, limit):
    """:func:`visible`, cut to about ``limit`` characters with the number left out:
    ``aaaa… (+99,950 chars)``."""
    if type(text) is Visible:
        return text if len(text) <= limit else Visible(
            text[:limit] + ELLIPSIS + " (+%s)" % counted(len(text) - limit, "char"))
    if not isinstance(text, str):
        text = plain_str(text)
    if len(text) <= limit and _NEEDS_ESCAPE.search(text) is None:
        return Visible(text)
    head, left_out = cut_escaped(text, limit, visible)
    if left_out:
        return Visible(head + ELLIPSIS + " (+%s)" % counted(left_out, "char"))
    return Visible(head)


def counted(number, unit):
    """``1 char``, ``99,950 chars``."""
    return "%s %s%s" % (format(number, ","), unit, "" if number == 1 else "s")


def quoted(text):
    """``text`` as a JSON string literal whose every unsafe character is escaped."""
    written = encode_basestring(text)
    if _LEFT_BY_JSON.search(written) is not None:
        written = _LEFT_BY_JSON.sub(_escape_match, written)
    return written


def cut_escaped(text, limit, escape):
    """(``escape`` of the longest head of ``text`` whose escape fits in ``limit``
    characters, how many characters of ``text`` were left out)."""
    head = text[:limit]
    shown = escape(head)
    if len(shown) > limit:  # escapes made it longer: take fewer characters
        size = taken = 0
        for char in head:
            size += len(escape(char))
            if size > limit:
                break
            taken += 1
        head = head[:taken]
        shown = escape(head)
    return shown, len(text) - len(head)


def plain_str(value):
    """``str(value)`` that never raises (an int too long to write, a broken __str__)."""
    try:
        return str(value)
    except Exception:
        return "<%s>" % type(value).__name__


def encodable(text, encoding):
    """``text`` with each character ``encoding`` cannot write replaced by its escape."""
    try:
        text.encode(encoding)
        return text
    except (UnicodeEncodeError, LookupError):
        pass
    kept = []
    for char in text:
        try:
            char.encode(encoding)
            kept.append(char)
        except (UnicodeEncodeError, LookupError):
            kept.append(escape_character(char))
    return "".join(kept)
