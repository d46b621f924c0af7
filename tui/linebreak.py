"""Line breaking for text that mixes Chinese, Japanese or Korean with Latin, measured in terminal cells.

Rich breaks lines only at spaces, so a paragraph of Chinese (which has none) is cut wherever the
width runs out, lines start with "，" or "。", and a Latin word glued to Chinese text drags the
whole run onto the next line, leaving the line before it half empty. The rules here are those of
CJK typesetting (a small subset of Unicode's line breaking algorithm, UAX #14):

- a line may break between any two wide (CJK) characters, and between a wide character and a
  Latin word; Latin words stay whole and break only at spaces, as Rich does;
- kinsoku: no line starts with closing punctuation (NO_START) and none ends with an opening
  bracket or quote (NO_END); where the width would force it, the character before the mark goes
  down to the next line with it (the line is one character shorter, never wider);
- lines are filled greedily, so a line is never left short when the next character could go on it;
- a grapheme (a character with its combining marks, an emoji sequence) is never split, and cells
  are counted by grapheme as Rich counts them.

A token with no break opportunity wider than the whole line (a long url) is folded at the width;
a lone wide character on a line narrower than two cells is the only line wider than the width.
"""

from __future__ import annotations

import re

from rich.cells import split_graphemes
from rich.console import Console
from rich.containers import Lines
from rich.text import Text

# Closing punctuation, small kana and marks that must not begin a line (Chinese and Japanese
# kinsoku shori, plus their ASCII counterparts as they appear in mixed text).
NO_START = frozenset(
    "。，、；：？！」』）》】〉〕〗〙〛｝］”’…‥・〜～゠々〻ゝゞヽヾーぁぃぅぇぉっゃゅょゎゕゖ"
    "ァィゥェォッャュョヮヵヶ！％）＊，．：；？｝｠｡｣､･"
    ",.;:!?)]}%"
)
# Opening brackets and quotes, and currency signs that belong to the number after them.
NO_END = frozenset("「『（《【〈〔〖〘〚｛［“‘｟｢([{$£¥￥＄")
# Quotes that open or close depending on context: kept with their neighbours unless a space is there.
AMBIGUOUS_QUOTES = frozenset("\"'")
# Marks written doubled (——, ……) that must not be split between two lines.
DOUBLED = frozenset("—…")
ZERO_WIDTH_SPACE = "\u200b"

# Any character Rich cannot break well around: wide ones and the rule table's marks. Text
# without them is wrapped by Rich itself, exactly as before.
_NEEDS_RULES = re.compile(
    "["
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua960-\ua97f"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\U00020000-\U0003ffff"
    "\u2018\u2019\u201c\u201d\u2026\u2025\u200b"
    "]"
)


def needs_rules(text: str) -> bool:
    """True if text has a character that Rich's space-only wrapping mishandles (CJK and such)."""
    return _NEEDS_RULES.search(text) is not None


def can_break(before: str, after: str, before_cells: int, after_cells: int) -> bool:
    """May a line end with grapheme `before` and the next begin with `after`?

    The rule table, in order: spaces stay at the end of a line; kinsoku; a break after a space;
    doubled marks and ambiguous quotes stay together; a break beside any wide character.
    """
    if after[0].isspace():  # a grapheme that starts with a space is a space (with junk on it)
        return False
    if after[0] in NO_START:
        return False
    if before[-1] in NO_END:
        return False
    if before[0].isspace() or before[-1] == ZERO_WIDTH_SPACE:
        return True
    if before[-1] in DOUBLED and after[0] in DOUBLED:
        return False
    if before[-1] in AMBIGUOUS_QUOTES or after[0] in AMBIGUOUS_QUOTES:
        return False
    return before_cells == 2 or after_cells == 2


def break_opportunities(text: str, graphemes: list[tuple[int, int, int]]) -> list[bool]:
    """For each grapheme (as rich.cells.split_graphemes gives them), whether a line may start there."""
    return [index > 0 and _allowed(text, graphemes, index) for index in range(len(graphemes))]


def _allowed(text: str, graphemes: list[tuple[int, int, int]], index: int) -> bool:
    """Whether a line may start at grapheme `index` (> 0)."""
    before_start, before_end, before_cells = graphemes[index - 1]
    start, end, cells = graphemes[index]
    before = text[before_start:before_end]
    if not can_break(before, text[start:end], before_cells, cells):
        return False
    # "「 " still ends a line with 「: look past the spaces for the last visible grapheme.
    back = index - 1
    while back > 0 and text[graphemes[back][0]].isspace():
        back -= 1
    return text[graphemes[back][1] - 1] not in NO_END


def break_offsets(text: str, width: int) -> list[int]:
    """Where to cut one line of text (no newlines) so each piece fits `width` cells: string offsets,
    as rich.text.Text.divide takes them. Spaces at a cut stay at the end of the earlier piece.

    Lines are filled greedily; only where one overflows are break opportunities looked for,
    backwards from there (the rules are asked a few times a line, not once a character)."""
    graphemes, total = split_graphemes(text)
    if total <= width:
        return []
    width = max(1, width)
    offsets: list[int] = []
    line_start = 0  # index into graphemes of the current line's first grapheme
    used = 0  # cells on the current line, trailing spaces included
    for index, (start, _end, cells) in enumerate(graphemes):
        if text[start].isspace():
            used += cells  # spaces may hang past the edge: the line is trimmed there
            continue
        if used + cells > width and index > line_start:
            cut = index
            while cut > line_start and not _allowed(text, graphemes, cut):
                cut -= 1
            if cut == line_start:
                cut = index  # no break opportunity on the line: fold the token at the width
            offsets.append(graphemes[cut][0])
            used = sum(size for _start, _end, size in graphemes[cut:index])
            line_start = cut
            if used + cells > width and index > cut:  # what went down is still too wide: fold
                offsets.append(start)
                used = 0
                line_start = index
        used += cells
    return offsets


def break_lines(text: str, width: int) -> list[str]:
    """One line of text as the lines break_offsets makes of it (for tests and plain output)."""
    cuts = [0, *break_offsets(text, width), len(text)]
    return [text[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


class BreakingText(Text):
    """A Rich Text that wraps by the rules above: the reader's paragraphs and headings.

    Styles (spans) are kept, as Text.divide keeps them. Text without CJK is left to Rich."""

    def wrap(
        self,
        console: Console,
        width: int,
        *,
        justify=None,  # noqa: ANN001 (Rich's own signature)
        overflow=None,  # noqa: ANN001
        tab_size: int = 8,
        no_wrap: bool | None = None,
    ) -> Lines:
        if no_wrap or self.no_wrap or overflow == "ignore" or not needs_rules(self.plain):
            return super().wrap(
                console,
                width,
                justify=justify,
                overflow=overflow,
                tab_size=tab_size,
                no_wrap=no_wrap,
            )
        wrap_justify = justify or self.justify or "default"
        wrap_overflow = overflow or self.overflow or "fold"
        lines = Lines()
        for line in self.split(allow_blank=True):
            if "\t" in line:
                line.expand_tabs(tab_size)
            pieces = line.divide(break_offsets(line.plain, width))
            for piece in pieces:
                piece.rstrip_end(width)
            if wrap_justify:
                pieces.justify(console, width, justify=wrap_justify, overflow=wrap_overflow)
            for piece in pieces:
                piece.truncate(width, overflow=wrap_overflow)
            lines.extend(pieces)
        return lines
