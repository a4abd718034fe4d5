"""Values as the screen shows them: JSON with every unsafe character escaped, and
summarised when large. Records keep everything; a screen line shows at most about
SCREEN_LINE_BUDGET characters of a record's data.

    "aaaa…" (+99,950 chars)            a long string
    <1,024 bytes: 00 01 02 …>          bytes: their size and first BYTES_SHOWN bytes
    [1, 2, 3, … (+997 items)]          a long array (objects: "+N keys")
    NaN, Infinity                      as the server wrote them

What fits the budget is valid JSON that reads back as the value (bytes and non-finite
numbers aside), so it can be copied into an `emit`.
"""

from siocli.grammar import quote_word
from siocli.output.safe_text import (
    ELLIPSIS,
    Visible,
    counted,
    cut_escaped,
    plain_str,
    quoted,
    visible,
    visible_within,
)

SCREEN_LINE_BUDGET = 2000  # characters of one record's data on a screen line
NAME_LIMIT = 200  # characters of an event name, a socket.id, a namespace, a key
BYTES_SHOWN = 16
DEPTH_SHOWN = 20  # nesting levels shown; deeper arrays and objects are summarised
MIN_STRING_SHOWN = 16  # a string cut near the end of the budget still shows this much


def display_value(value, budget=SCREEN_LINE_BUDGET):
    """One value as display JSON, in about ``budget`` characters."""
    writer = _Writer(budget)
    writer.value(value, 0)
    return Visible("".join(writer.pieces))


def display_args(args, budget=SCREEN_LINE_BUDGET):
    """An event's arguments, separated by spaces, in about ``budget`` characters."""
    writer = _Writer(budget)
    writer.members(list(args), 0, " ", "arg")
    return Visible("".join(writer.pieces))


def bytes_summary(data):
    """``<1,024 bytes: 00 01 …>``: the size and the first BYTES_SHOWN bytes in hex."""
    try:
        view = memoryview(data).cast("B")  # no copy of a large buffer
    except TypeError:  # a view that is not contiguous
        view = memoryview(bytes(data))
    if not view.nbytes:
        return "<0 bytes>"
    head = " ".join("%02x" % byte for byte in view[:BYTES_SHOWN].tobytes())
    more = " " + ELLIPSIS if view.nbytes > BYTES_SHOWN else ""
    return "<%s: %s%s>" % (counted(view.nbytes, "byte"), head, more)


def _inner_of_quoted(text):
    return quoted(text)[1:-1]


class _Writer:
    """Appends the display text of a value to ``pieces`` while the budget lasts."""

    def __init__(self, budget):
        self.pieces = []
        self.left = budget

    def write(self, text):
        self.pieces.append(text)
        self.left -= len(text)

    def value(self, value, depth):
        if isinstance(value, str):
            self.string(value)
        elif isinstance(value, dict):
            self.mapping(value, depth)
        elif isinstance(value, (list, tuple)):
            self.write("[")
            self.members(value, depth, ", ", "item")
            self.write("]")
        elif isinstance(value, (bytes, bytearray, memoryview)):
            self.write(bytes_summary(value))
        else:
            self.write(self.scalar(value))

    def string(self, text, limit=None):
        room = max(self.left - 2, MIN_STRING_SHOWN) if limit is None else limit
        if len(text) <= room:
            shown = quoted(text)
            if len(shown) <= room + 2:
                self.write(shown)
                return
        inner, left_out = cut_escaped(text, room, _inner_of_quoted)
        if left_out:
            self.write('"%s%s" (+%s)' % (inner, ELLIPSIS, counted(left_out, "char")))
        else:
            self.write('"%s"' % inner)

    def members(self, items, depth, separator, unit):
        if items and depth >= DEPTH_SHOWN:
            self.write("%s (%s)" % (ELLIPSIS, counted(len(items), unit)))
            return
        for position, item in enumerate(items):
            if position:
                if self.left <= 0:
                    self.write("%s%s (+%s)" % (separator, ELLIPSIS,
                                               counted(len(items) - position, unit)))
                    return
                self.write(separator)
            self.value(item, depth + 1)

    def mapping(self, mapping, depth):
        size = len(mapping)
        self.write("{")
        if size and depth >= DEPTH_SHOWN:
            self.write("%s (%s)" % (ELLIPSIS, counted(size, "key")))
        else:
            for position, (key, member) in enumerate(mapping.items()):
                if position:
                    if self.left <= 0:
                        self.write(", %s (+%s)" % (ELLIPSIS, counted(size - position, "key")))
                        break
                    self.write(", ")
                if isinstance(key, str):
                    # a key that fits what is left is whole (the value then reads back as
                    # JSON); a longer one is cut shorter than a value would be
                    fits = len(key) <= self.left - 2
                    self.string(key, None if fits else min(NAME_LIMIT, max(self.left,
                                                                           MIN_STRING_SHOWN)))
                else:
                    self.value(key, DEPTH_SHOWN)
                self.write(": ")
                self.value(member, depth + 1)
        self.write("}")

    def scalar(self, value):
        if value is None:
            return "null"
        if value is True:
            return "true"
        if value is False:
            return "false"
        if isinstance(value, int):
            try:
                text = int.__repr__(value)
            except ValueError:  # beyond sys.get_int_max_str_digits()
                return "<int of %s bits>" % format(value.bit_length(), ",")
        elif isinstance(value, float):
            if value != value:
                return "NaN"
            if value in (float("inf"), float("-inf")):
                return "Infinity" if value > 0 else "-Infinity"
            text = float.__repr__(value)
        else:
            try:
                text = "<%s %s>" % (type(value).__name__, repr(value))
            except Exception:
                text = "<%s>" % type(value).__name__
        return visible_within(text, max(self.left, MIN_STRING_SHOWN))


def shown_name(value, limit=NAME_LIMIT):
    """An event name, socket.id, namespace or the like, safe and cut to ``limit``."""
    return visible_within(value if isinstance(value, str) else plain_str(value), limit)


def shown_event(value, limit=NAME_LIMIT):
    """An event name as it is typed back in an `emit`: as it is when the emit grammar
    reads it as one word (``tick``), else as a quoted string (``"add user"``), which the
    grammar reads back as the name; safe and cut to ``limit`` either way."""
    if not isinstance(value, str):
        return shown_name(value, limit)
    if quote_word(value) == value and visible(value) == value:
        return shown_name(value, limit)
    return display_value(value, limit)
