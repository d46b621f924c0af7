"""The CJK line breaker: its rule table, the cases from issue 16, and its invariants under hypothesis."""

from __future__ import annotations

import io

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len, split_graphemes
from rich.console import Console
from rich.text import Text

from tui.linebreak import (
    NO_END,
    NO_START,
    BreakingText,
    break_lines,
    break_offsets,
    break_opportunities,
    can_break,
)


def cells(text: str) -> int:
    return cell_len(text)


@pytest.mark.parametrize(
    ("before", "after", "allowed"),
    [
        ("中", "文", True),  # between any two CJK characters
        ("a", "b", False),  # inside a Latin word
        ("a", " ", False),  # spaces stay at the end of a line
        (" ", "b", True),  # after a space
        ("d", "中", True),  # a Latin word glued to Chinese text
        ("中", "d", True),
        ("中", "。", False),  # kinsoku: no line starts with closing punctuation
        ("中", "，", False),
        ("中", "」", False),
        ("中", "…", False),
        ("中", "”", False),
        ("「", "中", False),  # no line ends with an opening bracket or quote
        ("“", "中", False),
        ("（", "中", False),
        ("中", "「", True),  # an opening bracket may start a line
        ("。", "中", True),  # and a closing mark may end one
        ("—", "—", False),  # a doubled dash stays whole
        ("中", '"', False),  # an ambiguous quote stays with its neighbour
        ("中", "!", False),
        ("中", "ッ", False),  # small kana
    ],
)
def test_rule_table(before: str, after: str, allowed: bool) -> None:
    assert can_break(before, after, cells(before), cells(after)) is allowed


def test_no_line_starts_with_closing_punctuation() -> None:
    # 10 cells: five characters fit, and the sixth of each run is a full stop.
    assert break_lines("中文中文中文中文中文。", 10) == ["中文中文中", "文中文中", "文。"]
    assert break_lines("一二三四五，六七", 10) == ["一二三四", "五，六七"]


def test_no_line_ends_with_an_opening_bracket() -> None:
    assert break_lines("一二三四「五六」", 10) == ["一二三四", "「五六」"]


def test_a_latin_word_before_chinese_leaves_no_half_empty_line() -> None:
    # The example: Rich put "老師的日本語教室…" on a new line with 20 columns free.
    text = "例如說 YouTube 學習，覺得 Yuta老師的日本語教室很好。"
    assert break_lines(text, 30) == ["例如說 YouTube 學習，覺得 Yuta", "老師的日本語教室很好。"]
    assert break_lines(text, 40)[0] == "例如說 YouTube 學習，覺得 Yuta老師的日本"


def test_latin_words_stay_whole_and_long_ones_fold() -> None:
    assert break_lines("hello world again", 11) == ["hello world ", "again"]
    assert break_lines("中文 https://example.com/a/very/long/path", 12) == [
        "中文 ",
        "https://exam",
        "ple.com/a/ve",
        "ry/long/path",
    ]


def test_graphemes_stay_whole() -> None:
    family = "👨\u200d👩\u200d👧"
    lines = break_lines("中文" + family + "中文" + "e\u0301" * 3, 6)
    assert "".join(lines) == "中文" + family + "中文" + "e\u0301" * 3
    assert all(line.count("\u200d") in (0, 2) for line in lines)
    assert not any(line.startswith("\u0301") for line in lines)


def test_text_that_fits_is_not_cut() -> None:
    assert break_offsets("中文。", 6) == []
    assert break_offsets("", 5) == []


def test_breaking_text_keeps_styles() -> None:
    text = BreakingText("一二三四五六七八九十")
    text.stylize("bold", 4, 6)  # 五六
    console = Console(width=10, file=io.StringIO(), force_terminal=True)
    lines = text.wrap(console, 10)
    assert [line.plain.rstrip() for line in lines] == ["一二三四五", "六七八九十"]
    assert [(s.start, s.end, str(s.style)) for s in lines[0].spans] == [(4, 5, "bold")]
    assert [(s.start, s.end, str(s.style)) for s in lines[1].spans] == [(0, 1, "bold")]


def test_text_without_cjk_wraps_as_rich_does() -> None:
    console = Console(width=20, file=io.StringIO(), force_terminal=True)
    words = "The quick brown fox jumps over the lazy dog, " * 5
    ours = [line.plain for line in BreakingText(words).wrap(console, 20)]
    assert ours == [line.plain for line in Text(words).wrap(console, 20)]


# --- Invariants ------------------------------------------------------------------------------

CLOSING = "".join(sorted(NO_START))
OPENING = "".join(sorted(NO_END))
alphabet = st.sampled_from(
    list("中文香港新闻台灣日本語한국어かなカナ")
    + list("abcdefXYZ0123")
    + list(CLOSING[:40] + OPENING)
    + [" ", " ", "—", '"', "'", "\u200b", "e\u0301", "👍", "👨\u200d👩\u200d👧", "☺\ufe0f"]
)
texts = st.lists(alphabet, max_size=120).map("".join)


def check(text: str, width: int) -> None:
    lines = break_lines(text, width)
    assert "".join(lines) == text  # every character kept, in order
    for number, line in enumerate(lines):
        shown = line.rstrip(" \u200b")  # trailing spaces hang (a zero-width space is one)
        graphemes, size = split_graphemes(shown)
        # No line wider than the width, except one grapheme wider than the whole line.
        assert size <= width or len(graphemes) == 1, (line, width)
        assert line or text == "", "no empty line"
        if number:
            assert not line[0].isspace(), "spaces stay at the end of a line"
            previous = lines[number - 1]
            # Kinsoku holds wherever a line was not folded (a token wider than the whole line,
            # with no break opportunity in it).
            if _could_break(previous):
                assert line[0] not in NO_START, (previous, line)
                assert previous.rstrip(" ")[-1:] not in NO_END, (previous, line)


def _first(line: str) -> str:
    start, end, _ = split_graphemes(line)[0][0]
    return line[start:end]


def _could_break(line: str) -> bool:
    """Whether the line had any break opportunity of its own (else it was folded)."""
    return any(break_opportunities(line, split_graphemes(line)[0]))


@settings(max_examples=400, deadline=None)
@given(texts, st.integers(min_value=2, max_value=40))
@example("中文中文中文中文中文。", 10)
@example("例如說 YouTube 學習，覺得 Yuta老師的日本語教室", 30)
@example("。。。。。。。", 4)
def test_invariants(text: str, width: int) -> None:
    check(text, width)


@settings(max_examples=200, deadline=None)
@given(texts, st.integers(min_value=2, max_value=40))
def test_greedy_fill(text: str, width: int) -> None:
    """A line is never ended early when the next piece, up to its next break, would have fit."""
    lines = break_lines(text, width)
    for line, following in zip(lines, lines[1:], strict=False):
        used = cell_len(line)  # trailing spaces count: the breaker lets them hang only at a cut
        joined = line + following
        graphemes = split_graphemes(joined)[0]
        allowed = break_opportunities(joined, graphemes)
        first = next(i for i, (start, _end, _cells) in enumerate(graphemes) if start == len(line))
        if not allowed[first]:
            continue  # a fold, not a choice
        # The shortest piece of the next line that ends at a break opportunity.
        for index in range(first + 1, len(graphemes)):
            if allowed[index]:
                piece = joined[len(line) : graphemes[index][0]].rstrip(" ")
                assert used + cell_len(piece) > width, (line, following)
                break
