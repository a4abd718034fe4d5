"""One-line rich Texts as the terminal text a rich Console would print, without the
Console's per-print machinery: the screen's common line (an event, an emit, an ack, a
packet) costs a walk over its pieces and a dictionary lookup per styled piece, about a
tenth of a ``Console.print`` (docs/benchmarks.md).

:meth:`AnsiLines.line` gives exactly what ``Console.print(text, soft_wrap=True)`` writes,
and :meth:`AnsiLines.message` what it writes for the Text assembled from the same
pieces with its JSON highlighted (tests/unit/test_output_ansi.py compares them): each
piece of the text between two span boundaries in the SGR codes of the styles over it,
combined as rich combines them, then a newline. Neither adds an escape of its own: the
text is already safe to show (cells/safe_text). Text holding a newline, a tab or another
C0 control (which the Console splits, expands or strips) is left to the Console: both
then return None.

:func:`highlight_json` puts on a Text the spans rich's ``JSONHighlighter`` puts, with one
regular-expression pass and no ``groupdict`` per match.
"""

import re

from rich.highlighter import JSONHighlighter
from rich.text import Span

_JSON_TOKENS = re.compile(JSONHighlighter.highlights[0])
_JSON_STRING = re.compile(JSONHighlighter.JSON_STR)
_JSON_STYLES = {name: JSONHighlighter.base_style + name
                for name in _JSON_TOKENS.groupindex}
_JSON_KEYS = {name: (style,) for name, style in _JSON_STYLES.items()}
_JSON_KEY = "json.key"
_JSON_WHITESPACE = frozenset(JSONHighlighter.JSON_WHITESPACE)
_CONSOLE_ONLY = re.compile("[\x00-\x1f]")
_STYLE_CACHE_SIZE = 4096  # combinations of styles; ours are a few dozen


def highlight_json(text):
    """Add to ``text`` the spans ``JSONHighlighter().highlight(text)`` adds, in its order."""
    plain = text.plain
    spans = text.spans
    before = len(spans)
    for match in _JSON_TOKENS.finditer(plain):
        # each alternative is one named group spanning the whole match (the number's
        # inner exponent group closes first, so lastgroup names the outer one)
        start, end = match.span()
        name = match.lastgroup
        if name is None or end <= start:  # not a match of that pattern: let rich judge
            del spans[before:]
            JSONHighlighter().highlight(text)
            return text
        spans.append(Span(start, end, _JSON_STYLES[name]))
    length = len(plain)
    for match in _JSON_STRING.finditer(plain):
        start, end = match.span()
        cursor = end
        while cursor < length:
            char = plain[cursor]
            cursor += 1
            if char == ":":
                spans.append(Span(start, end, _JSON_KEY))
            elif char in _JSON_WHITESPACE:
                continue
            break
    return text


class AnsiLines:
    """Terminal text of one-line Texts for ``console`` (its colour system, no_color)."""

    def __init__(self, console):
        from rich.console import COLOR_SYSTEMS

        self.console = console
        self._color_system = COLOR_SYSTEMS.get(console.color_system)
        self._colorless = console.no_color and self._color_system is not None
        self._legacy_windows = console.legacy_windows
        self._wraps = {}

    def message(self, head, args, tail=()):
        """The line of the Text ``Text.assemble(*head)``, then ``args`` (display JSON)
        highlighted by :func:`highlight_json`, then ``Text.assemble(*tail)``; ``head``
        and ``tail``: (text, style) pairs (style None: unstyled). None: ask the Console."""
        head, args, tail = self.pieces(head), self.json(args), self.pieces(tail)
        if head is None or args is None or tail is None:
            return None
        return head + args + tail + "\n"

    def pieces(self, pairs):
        """(text, style) pairs, one after the other, as the Text ``Text.assemble(*pairs)``
        is written (without the newline). None: ask the Console."""
        written = []
        for text, style in pairs:
            if _CONSOLE_ONLY.search(text) is not None:
                return None
            written.append(self.styled(text, style))
        return "".join(written)

    def json(self, plain):
        """Display JSON as the Text ``highlight_json(Text(plain))`` is written (without
        the newline). None: ask the Console."""
        if _CONSOLE_ONLY.search(plain) is not None:
            return None
        return self._json(plain)

    def styled(self, text, style):
        """``text`` in ``style`` (a name, a Style or None), as one segment is written."""
        if not text or not style:
            return text
        key = (style,)
        wrap = self._wraps.get(key)
        if wrap is None:
            wrap = self._wrap(key)
        return wrap[0] + text + wrap[1] if wrap else text

    def _json(self, plain):
        """``plain`` as written after :func:`highlight_json`, when every key span it
        adds lies on a string's span (else None: the general walk of :meth:`line`)."""
        keys = set()
        length = len(plain)
        for match in _JSON_STRING.finditer(plain):
            cursor = end = match.end()
            while cursor < length:
                char = plain[cursor]
                cursor += 1
                if char == ":":
                    keys.add((match.start(), end))
                elif char in _JSON_WHITESPACE:
                    continue
                break
        wraps = self._wraps
        pieces = []
        position = 0
        for match in _JSON_TOKENS.finditer(plain):
            start, end = match.span()
            name = match.lastgroup
            if name is None or end <= start:
                return None
            if start > position:
                pieces.append(plain[position:start])
            key = _JSON_KEYS[name]
            if keys and (start, end) in keys:
                keys.discard((start, end))
                key = key + (_JSON_KEY,)
            wrap = wraps.get(key)
            if wrap is None:
                wrap = self._wrap(key)
            pieces.append(wrap[0] + plain[start:end] + wrap[1] if wrap else plain[start:end])
            position = end
        if keys:
            return None
        pieces.append(plain[position:])
        return "".join(pieces)

    def line(self, text):
        """``text`` (a rich Text) as ``Console.print(text, soft_wrap=True)`` writes it
        (None: ask the Console)."""
        plain = text.plain
        if _CONSOLE_ONLY.search(plain) is not None:
            return None
        styles = []
        marks = []
        if text.style:
            styles.append(text.style)
            marks.append((0, 0, 0))
            marks.append((len(plain), 1, 0))
        for start, end, style in text.spans:
            marks.append((start, 0, len(styles)))
            marks.append((end, 1, len(styles)))
            styles.append(style)
        if not marks:
            return plain + "\n"
        marks.sort()
        wraps = self._wraps
        pieces = []
        over = []
        position = 0
        for offset, leaving, index in marks:
            if offset > position:
                piece = plain[position:offset]
                if piece:
                    key = tuple([styles[number] for number in sorted(over)])
                    wrap = wraps.get(key)
                    if wrap is None:
                        wrap = self._wrap(key)
                    pieces.append(wrap[0] + piece + wrap[1] if wrap else piece)
                position = offset
            if leaving:
                over.remove(index)
            else:
                over.append(index)
        if position < len(plain):
            pieces.append(plain[position:])  # past every span: unstyled
        pieces.append("\n")
        return "".join(pieces)

    def _wrap(self, key):
        """(before, after): the codes around a piece in the styles of ``key`` combined
        (names or Styles, the later over the earlier); () when they write none."""
        from rich.style import Style

        get_style = self.console.get_style
        null = Style.null()
        style = Style.combine([get_style(name, default=null) for name in key]) if key else null
        if self._colorless and style:
            style = style.without_color
        wrap = ()
        if style and self._color_system is not None:
            before, _, after = style.render("\0", color_system=self._color_system,
                                            legacy_windows=self._legacy_windows).partition("\0")
            if before or after:
                wrap = (before, after)
        if len(self._wraps) >= _STYLE_CACHE_SIZE:
            self._wraps.clear()
        self._wraps[key] = wrap
        return wrap
