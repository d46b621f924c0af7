"""Rendering is bounded on adversarial input: the seed header is read without a backtracking
regex, and a Markdown body of brackets is not handed to markdown-it's quadratic link parser."""

from __future__ import annotations

import re
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from tui.model import Post
from tui.render import render_post
from tui.render.markdown import MAX_BRACKETS, seed_header

# The regex seed_header replaced: the same answers, in quadratic time on a long line of brackets.
OLD_SEED = re.compile(
    r"\A\s*(?:<!--[^\n]*?-->[ \t]*\n)?[ \t]*\[(?P<title>[^\n]*)\]\((?P<url>[^\n]*)\)[ \t]*\n"
    r"[ \t]*-{3,}[ \t]*(?:\n|\Z)"
)
PIECES = [
    "[",
    "]",
    "(",
    ")",
    "](",
    "\n",
    " ",
    "\t",
    "-",
    "---",
    "<!--",
    "-->",
    "x",
    "标题",
    "\n---\n",
]


@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
def test_seed_header_reads_what_the_regex_read(body: str) -> None:
    match = OLD_SEED.match(body)
    assert seed_header(body) == ((match["title"], match["url"], match.end()) if match else None)


def test_seed_header_of_a_real_header() -> None:
    body = "<!--1624545332226-->\n[美媒：蚂蚁集团](https://www.zaobao.com/x)\n------\n\nText"
    assert seed_header(body) == ("美媒：蚂蚁集团", "https://www.zaobao.com/x", body.index("\nText"))


def post() -> Post:
    return Post(id="x", path="x.md", title="Brackets", date=datetime(2021, 1, 1, tzinfo=UTC))


def test_a_body_of_brackets_is_shown_as_plain_text() -> None:
    body = "[" * 200_000 + "x" + "](" * 100_000  # 75 s in markdown-it before the cap
    rendered = render_post(post(), body)
    assert any("brackets: shown as plain text" in note for note in rendered.notes)
    assert "x" in rendered.markdown


def test_brackets_under_the_cap_are_still_markdown() -> None:
    body = "[a link](https://example.com/) " * (MAX_BRACKETS // 2)
    rendered = render_post(post(), body)
    assert not any("brackets" in note for note in rendered.notes)
    assert rendered.links and rendered.links[0] == "https://example.com/"
