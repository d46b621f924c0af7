"""The article viewer: a Markdown widget that never parses raw HTML, never opens links itself, and loads long posts in pieces."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it import MarkdownIt
from textual import on, work
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Markdown, Static

FIRST_CHUNK = 3_000  # characters shown at once: about a screen and a half
NEXT_CHUNK = 6_000  # later pieces, each appended in its own event-loop turn
# Textual's Markdown widget lays out every block again on each append (quadratic: 4,000 short
# paragraphs take 15 s). Beyond these limits the rest of a post is shown as plain text, in
# separate widgets of PLAIN_CHUNK characters that each lay out only themselves.
MARKDOWN_CHARS = 40_000
MARKDOWN_BLOCKS = 300
PLAIN_CHUNK = 16_000


def safe_parser() -> MarkdownIt:
    """Textual's gfm-like parser with raw HTML off: post bodies must never reach the screen as markup."""
    return MarkdownIt("gfm-like", {"html": False})


def split_blocks(text: str, first: int = FIRST_CHUNK, size: int = NEXT_CHUNK) -> list[str]:
    """Cut Markdown into pieces at blank lines, never inside a code fence or between list items."""
    pieces: list[str] = []
    start = 0
    limit = first
    in_fence = False
    position = 0
    lines = text.splitlines(keepends=True)
    for index, line in enumerate(lines):
        position += len(line)
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        if in_fence or line.strip() or position - start < limit:
            continue
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if _continues_block(following):
            continue
        pieces.append(text[start:position])
        start = position
        limit = size
    if start < len(text) or not pieces:
        pieces.append(text[start:])
    return pieces


def split_rich_and_plain(
    text: str, chars: int = MARKDOWN_CHARS, blocks: int = MARKDOWN_BLOCKS
) -> tuple[str, str]:
    """The part of a long document worth rendering as Markdown, and the rest (as plain text).

    The cut falls at a blank line (a block boundary), else at a line end, else at a space.
    """
    limit = chars
    position = -2
    for _ in range(blocks):
        position = text.find("\n\n", position + 2)
        if position == -1:
            break
    else:
        limit = min(limit, position)  # the end of the last block Markdown is given
    if len(text) <= limit:
        return text, ""
    cut = text.rfind("\n\n", 0, limit + 1)
    if cut <= 0:
        cut = text.rfind("\n", 0, limit + 1)
    if cut <= 0:
        cut = text.rfind(" ", 0, limit + 1)
    if cut <= 0:
        cut = limit
    return text[:cut], text[cut:].strip("\n")


def _continues_block(line: str) -> bool:
    stripped = line.lstrip()
    if line[:1] in (" ", "\t") or stripped.startswith(("- ", "* ", "+ ", "|", ">")):
        return True
    number, dot, _ = stripped.partition(". ")
    return bool(dot) and number.isdigit()


class ArticleView(VerticalScroll, can_focus=True):
    """Shows one rendered post; posts LinkActivated instead of following links."""

    DEFAULT_CSS = """
    ArticleView { height: 1fr; }
    ArticleView > Markdown { margin: 0 1; padding: 0; }
    ArticleView > #plain { height: auto; margin: 0 2; }
    ArticleView > #plain > .note { color: $text-muted; margin-bottom: 1; }
    /* Terminal rows are scarce: headings take one line, left-aligned, no blank lines above. */
    ArticleView MarkdownH1 { content-align: left top; margin: 0 0 1 0; }
    ArticleView MarkdownHeader { margin: 1 0 0 0; }
    ArticleView MarkdownH1 { margin: 0; }
    ArticleView MarkdownHorizontalRule { height: 1; padding: 0; margin: 0 0 1 0; border: none; background: $panel; }
    """

    @dataclass
    class LinkActivated(Message):
        href: str

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.links: list[str] = []
        self.shown_key: object = None  # what is on screen (a post path), to skip needless reloads

    def compose(self):
        yield Markdown(parser_factory=safe_parser, open_links=False)
        yield Vertical(id="plain")

    def show(self, markdown: str, *, links: list[str] | None = None, key: object = None) -> None:
        """Replace the document. The first screen appears at once; the rest follows in pieces."""
        self.links = list(links or [])
        self.shown_key = key
        rich, plain = split_rich_and_plain(markdown)
        self._load(split_blocks(rich), plain)

    @work(exclusive=True, group="article", description="show article")
    async def _load(self, pieces: list[str], plain: str) -> None:
        document = self.query_one(Markdown)
        rest = self.query_one("#plain", Vertical)
        await rest.remove_children()
        await document.update(pieces[0])
        self.scroll_home(animate=False)
        for piece in pieces[1:]:
            await document.append(piece)
        if plain:
            await rest.mount(
                Static(
                    Content("This post is long: the rest is shown as plain text."), classes="note"
                )
            )
        for start in range(0, len(plain), PLAIN_CHUNK):
            await rest.mount(Static(Content(plain[start : start + PLAIN_CHUNK])))

    @on(Markdown.LinkClicked)
    def _link_clicked(self, event: Markdown.LinkClicked) -> None:
        event.stop()
        self.post_message(self.LinkActivated(event.href))
