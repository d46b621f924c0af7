"""The article viewer: Markdown drawn to lines in a thread, shown through the Line API, so no post can freeze the app."""

from __future__ import annotations

import io
import re
import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from time import monotonic, sleep
from typing import ClassVar

from rich.cells import cell_len
from rich.console import Console, ConsoleOptions, RenderResult
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip
from textual.timer import Timer
from textual.worker import Worker, get_current_worker

from tui.chinese import convert, fold_script
from tui.collector import collector_paused
from tui.linebreak import BreakingText, needs_rules
from tui.model import Post
from tui.render.highlight import highlight
from tui.repository import Repository, partial
from tui.widgets.workers import background

# The first screen is drawn from enough of the document to fill the view (a few ms), the rest
# after it: its cells times this (lines wrap short, Markdown syntax takes room), at least the
# minimum (before the view has a size).
FIRST_SCREEN_FILL = 1.25
FIRST_SCREEN_CELLS = 4_000
# Drawing a long document pauses this long after each slice of work, so keys get answered.
WORK_SLICE = 0.02
WORK_PAUSE = 0.004
# A post whose first screen is not drawn by then says so, instead of leaving the last post's
# text (or nothing) on screen: a pathological post may take seconds (issue 18).
RENDERING_NOTICE = 0.4

_FENCE = re.compile(r"^\s*(```|~~~)")
_CODE_OR_ANGLE = re.compile(r"(`+)(.*?)\1|<")
_TITLE_LINK = re.compile(r"^(#+ )\[(.*)\]\((?:[^()]|\([^()]*\))*\)\s*$", re.MULTILINE)


@lru_cache(maxsize=1)
def reader_markdown() -> type:
    """Rich's Markdown with every heading at the left edge (Rich centres h1). Built on first use:
    rich.markdown is loaded when the first post is drawn, not at start-up."""
    from rich.console import JustifyMethod
    from rich.markdown import Heading, Markdown, MarkdownContext, Paragraph, TableDataElement

    class BreakingParagraph(Paragraph):
        """A paragraph broken by CJK typesetting rules (tui.linebreak), not at spaces only."""

        def on_enter(self, context: MarkdownContext) -> None:
            super().on_enter(context)
            self.text = BreakingText(justify="left")

    class LeftHeading(Heading):
        LEVEL_ALIGN: ClassVar = dict.fromkeys(("h1", "h2", "h3", "h4", "h5", "h6"), "left")

        def on_enter(self, context: MarkdownContext) -> None:
            super().on_enter(context)
            self.text = BreakingText()

        def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
            for text in super().__rich_console__(console, options):
                if isinstance(text, Text) and needs_rules(
                    text.plain
                ):  # a plain copy: keep the rules
                    breaking = BreakingText(justify=text.justify, end=text.end)
                    breaking.append_text(text)
                    text = breaking
                yield text

    class BreakingCell(TableDataElement):
        """A table cell that wraps Chinese (Rich would cut it short with an ellipsis)."""

        def __init__(self, justify: JustifyMethod) -> None:
            super().__init__(justify)
            self.content = BreakingText("", justify=justify)

    class ReaderMarkdown(Markdown):
        elements: ClassVar = {
            **Markdown.elements,
            "heading_open": LeftHeading,
            "paragraph_open": BreakingParagraph,
            "td_open": BreakingCell,
            "th_open": BreakingCell,
        }

    return ReaderMarkdown


def literal_angles(markdown: str) -> str:
    """Escape < outside code, so text such as '<script>' shows as written instead of vanishing as HTML."""
    lines = []
    in_fence = False
    for line in markdown.splitlines(keepends=True):
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and "<" in line:
            line = _CODE_OR_ANGLE.sub(lambda m: m.group(0) if m.group(1) else "\\<", line)
        lines.append(line)
    return "".join(lines)


def first_screen(markdown: str, cells: int = FIRST_SCREEN_CELLS) -> str:
    """The document up to a blank line after about `cells` terminal cells of text (outside code
    fences): counted in cells, a Chinese post's first screen is half as many characters as an
    English one's, and the line breaker works on no more than the screen needs."""
    if len(markdown) * 2 <= cells:
        return markdown
    in_fence = False
    position = used = 0
    for line in markdown.splitlines(keepends=True):
        position += len(line)
        used += cell_len(line)
        if _FENCE.match(line):
            in_fence = not in_fence
        elif not in_fence and not line.strip() and used >= cells:
            return markdown[:position]
    return markdown


def render_lines(
    markdown: str, width: int, cancelled: Callable[[], bool] | None = None
) -> list[Strip]:
    """Markdown to display lines `width` cells wide. Pure and thread-safe: runs in a worker.

    Raw HTML never renders (it is escaped to text), the title's link is left to the `o` key,
    and nothing in the text is read as Rich markup. With `cancelled`, a long document pauses
    every few milliseconds, so the UI thread gets the interpreter (GIL) often enough to answer
    keys, and stops early (returning what it has) once cancelled() is true.
    """
    text = literal_angles(_TITLE_LINK.sub(r"\1\2", markdown))
    console = Console(
        width=width,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        markup=False,
        emoji=False,
        highlight=False,
    )
    options = console.options.update(width=width)
    document = reader_markdown()(text, hyperlinks=False, code_theme="ansi_dark")
    segments: Iterable[Segment] = console.render(document, options)
    if cancelled is not None:
        segments = _with_pauses(segments, cancelled)
    plain = Style()  # Textual's filters (NO_COLOR, 16 colours) expect a style on every segment
    return [
        Strip(
            [
                Segment(text, style or plain, control)
                for text, style, control in Segment.adjust_line_length(line, width)
            ],
            width,
        )
        for line in Segment.split_and_crop_lines(
            segments, width, pad=False, include_new_lines=False
        )
    ]


def _cancelled_within(worker: Worker, seconds: float) -> bool:
    """Wait up to seconds; whether the worker was cancelled meanwhile."""
    deadline = monotonic() + seconds
    while not worker.is_cancelled and monotonic() < deadline:
        sleep(min(0.05, max(0.0, deadline - monotonic())))
    return worker.is_cancelled


def _with_pauses(segments: Iterable[Segment], cancelled: Callable[[], bool]) -> Iterator[Segment]:
    resume = monotonic() + WORK_SLICE
    for segment in segments:
        yield segment
        if monotonic() > resume:
            if cancelled():
                return
            sleep(WORK_PAUSE)
            resume = monotonic() + WORK_SLICE


# What a document source gives: the Markdown, its links, notes for the user, and whether the
# Markdown is only the beginning (asked again with quick=False for the rest).
Document = tuple[str, list[str], list[str], bool]


def _fixed(markdown: str, links: list[str]) -> Callable[[bool], Document]:
    """A document source for Markdown already at hand (nothing to cut or read again)."""
    return lambda quick: (markdown, links, [], False)


PAINT_WAIT = 0.5  # seconds a worker waits for the first screen to paint before going on anyway


def search_pattern(query: str) -> re.Pattern[str] | None:
    """The regex for a search typed in the reader: case-insensitive, Chinese in either script
    (台湾 finds 台灣: match it against fold_script(text)), a run of spaces matches any
    whitespace, and a match may run on over a line break (Chinese breaks inside words)."""
    words = fold_script(query).split()
    if not words:
        return None
    wrap = r"(?:\n[ \t]*)?"  # a line break, and the next line's indentation
    parts = [wrap.join(re.escape(char) for char in word) for word in words]
    return re.compile(r"\s+".join(parts), re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Match:
    """One search match in the drawn lines: its pieces as (line, first char, end char)."""

    pieces: tuple[tuple[int, int, int], ...]

    @property
    def line(self) -> int:
        return self.pieces[0][0]


class SearchableText:
    """The drawn lines (trailing spaces removed) joined and folded once per document, so that
    each key of a live search only runs the pattern (a long post has thousands of lines)."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.starts: list[int] = []
        position = 0
        for line in lines:
            self.starts.append(position)
            position += len(line) + 1
        self.joined = fold_script("\n".join(lines))  # one character for one: positions stay

    def find(self, pattern: re.Pattern[str]) -> list[Match]:
        """Every match of pattern in the lines, in order."""
        lines, starts = self.lines, self.starts
        found: list[Match] = []
        for hit in pattern.finditer(self.joined):
            if hit.end() == hit.start():
                continue
            first = bisect_right(starts, hit.start()) - 1
            last = bisect_right(starts, hit.end() - 1) - 1
            pieces = []
            for index in range(first, last + 1):
                start = max(hit.start(), starts[index]) - starts[index]
                end = min(hit.end(), starts[index] + len(lines[index])) - starts[index]
                while start < end and lines[index][start].isspace():  # indentation it ran over
                    start += 1
                if end > start:
                    pieces.append((index, start, end))
            found.append(Match(tuple(pieces)))
        return found


def highlighted(strip: Strip, spans: list[tuple[int, int, Style]]) -> Strip:
    """The strip with character ranges (start, end, style) restyled (search matches)."""
    text = strip.text
    cuts: list[int] = []
    for start, end, _style in spans:
        cuts += [cell_len(text[:start]), cell_len(text[:end])]
    pieces = strip.divide([*cuts, strip.cell_length])  # each cut ends a piece
    out = [pieces[0]]
    for index, (_start, _end, style) in enumerate(spans):
        out.append(pieces[2 * index + 1].apply_style(style))
        out.append(pieces[2 * index + 2])
    return Strip.join(out)


class ArticleView(ScrollView, can_focus=True):
    """Shows one rendered post. The document is drawn in a thread worker, first screen first.

    It can be searched (search(), next_match()): matches are highlighted as they are drawn,
    and it reports where it is scrolled to (position, Moved)."""

    COMPONENT_CLASSES = {"article--match", "article--match-current", "article--notice"}
    DEFAULT_CSS = """
    ArticleView {
        height: 1fr; padding: 0 1; scrollbar-gutter: stable;
        .article--match { text-style: reverse; }
        .article--match-current { text-style: reverse bold underline; }
        .article--notice { color: $text-muted; text-style: italic; }
    }
    """

    def __init__(
        self, *, id: str | None = None, classes: str | None = None, rest_after: float = 0.0
    ) -> None:
        """rest_after: seconds to wait after the first screen of a long post before reading and
        drawing the rest (the preview: the rest of a 700 KB post takes ~2 s of work, and a post
        glanced at, or opened in the reader at once, is not drawn in full meanwhile)."""
        super().__init__(id=id, classes=classes)
        self.rest_after = rest_after
        self.links: list[str] = []
        self.shown_key: object = None  # what is on screen (a post path), to skip needless reloads
        self.markdown = ""
        self._lines: list[Strip] = []
        self._width = 0  # the width the lines were drawn for
        self._laid_out = threading.Event()  # set once the first layout gives the view a width
        self._layout_width = 0  # the width to draw for now (written by the UI thread only)
        self._layout_height = 0  # and the height, for how much makes a first screen
        self._loading = False  # a document is on its way: a resize waits for it
        self.search_query = ""  # the search in the article, if any
        self.matches: list[Match] = []
        self.current = -1  # the match last moved to
        self._marks: dict[int, list[tuple[int, int, bool]]] = {}  # line -> (start, end, current)
        self._notice: Timer | None = None  # says "rendering…" if the first screen is slow
        self._searchable: SearchableText | None = None  # the lines' text, built at first search

    @dataclass
    class Loaded(Message):
        """A post is fully shown; notes say what was cut or recovered."""

        notes: list[str]

    @dataclass
    class Moved(Message):
        """The view was scrolled or its document changed: position says where it is now."""

        position: str

    def show_post(
        self, repo: Repository, post: Post, *, terms: list[str], key: object, script: str = "off"
    ) -> None:
        """Read, render and draw a post in one worker, the first screen first. script: "s2t" or
        "t2s" shows it in one Chinese script (tui.chinese.convert); the file is not touched."""

        def document(quick: bool) -> Document:
            rendered = repo.render(post, quick=quick)
            markdown = convert(rendered.markdown, script)  # highlight() folds scripts alike
            markdown = highlight(markdown, terms)
            return markdown, rendered.links, rendered.notes, partial(rendered)

        self._start(document, key)

    def show(self, markdown: str, *, links: list[str] | None = None, key: object = None) -> None:
        """Replace the document; the first screen appears within milliseconds, the rest follows."""
        self._start(_fixed(markdown, list(links or [])), key)

    def _start(self, document: Callable[[bool], Document], key: object) -> None:
        self.shown_key = key
        self._loading = True
        self._stop_notice()
        self._notice = self.set_timer(RENDERING_NOTICE, self._say_rendering)
        self._load(document)

    def _say_rendering(self) -> None:
        self._notice = None
        style = self.get_component_rich_style("article--notice", partial=True)
        self._lines = [Strip([Segment("rendering…", style)])]
        self._searchable = None
        self._width = self._layout_width
        self.search_query, self.matches, self.current, self._marks = "", [], -1, {}
        self.virtual_size = Size(self._width, 1)
        self.scroll_home(animate=False)
        self.refresh()

    def _stop_notice(self) -> None:
        if self._notice is not None:
            self._notice.stop()
            self._notice = None

    @background(exclusive=True, group="article", description="rendering the post")
    def _load(self, document: Callable[[bool], Document], fresh: bool = True) -> None:
        """fresh: a new document, shown from its top, first screen first; else a redraw in place."""
        with collector_paused():
            self._load_document(document, fresh)

    def _load_document(self, document: Callable[[bool], Document], fresh: bool) -> None:
        # Reading and converting need no width, so they overlap the screen's first layout.
        worker = get_current_worker()
        markdown, links, notes, cut = document(True)
        width = self._wait_for_width(worker)
        if width is None:
            return
        head = first_screen(markdown, self._first_screen_cells(width))
        new = fresh
        if fresh and (cut or head is not markdown):
            lines = render_lines(head, width)
            if not self._publish_and_wait(worker, markdown, links, lines, width):
                return
            new = False
            if cut and self.rest_after and _cancelled_within(worker, self.rest_after):
                return
            if cut:
                markdown, links, notes, _ = document(False)
            width = self._layout_width
        lines = render_lines(markdown, width, lambda: worker.is_cancelled)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._set_document, markdown, links, lines, width, new, True)
            self.post_message(self.Loaded(notes))

    def stop(self) -> None:
        """Stop drawing a document not yet drawn in full (the reader opens over the preview and
        draws the post itself); the next show_post() draws it again."""
        if self._loading:
            self.workers.cancel_group(self, "article")
            self._stop_notice()
            self._loading = False
            self.shown_key = None

    def _wait_for_width(self, worker: Worker) -> int | None:
        while not self._laid_out.wait(0.05):
            if worker.is_cancelled:
                return None
        return None if worker.is_cancelled else self._layout_width

    def _publish_and_wait(
        self, worker: Worker, markdown: str, links: list[str], lines: list[Strip], width: int
    ) -> bool:
        """Show the first screen and wait until it is painted: the rest of the work would
        otherwise hold the interpreter while the UI thread tries to draw it. False if cancelled."""
        painted = threading.Event()
        self.app.call_from_thread(self._set_document, markdown, links, lines, width, True, False)
        self.app.call_from_thread(self.call_after_refresh, painted.set)
        deadline = monotonic() + PAINT_WAIT
        while not painted.wait(0.02) and monotonic() < deadline:
            if worker.is_cancelled:
                return False
        return not worker.is_cancelled

    def _set_document(
        self, markdown: str, links: list[str], lines: list[Strip], width: int, new: bool, done: bool
    ) -> None:
        self._stop_notice()
        self.markdown = markdown
        self.links = links
        self._lines = lines
        self._searchable = None
        self._width = width
        self.virtual_size = Size(width, len(lines))
        if new:
            self.search_query, self.matches, self.current, self._marks = "", [], -1, {}
            self.scroll_home(animate=False)
        elif self.search_query:
            self._find_again()
        self.refresh()
        self.post_message(self.Moved(self.position))
        if done:
            self._loading = False
            if width != self._layout_width:  # resized while it was drawn
                self._redraw()

    def _redraw(self) -> None:
        self._loading = True
        self._load(_fixed(self.markdown, self.links), fresh=False)

    def _content_width(self) -> int:
        width = self.scrollable_content_region.width
        return max(10, width) if width else 0

    def _first_screen_cells(self, width: int) -> int:
        return max(FIRST_SCREEN_CELLS // 4, round(width * self._layout_height * FIRST_SCREEN_FILL))

    def on_resize(self) -> None:
        width = self._content_width()
        if not width:
            return
        self._layout_width = width
        self._layout_height = self.scrollable_content_region.height
        self._laid_out.set()
        if self._lines and width != self._width and not self._loading:
            self._redraw()

    def render_line(self, y: int) -> Strip:
        index = y + self.scroll_offset.y
        if 0 <= index < len(self._lines):
            line = self._lines[index]
            if index in self._marks:
                match = self.get_component_rich_style("article--match", partial=True)
                current = self.get_component_rich_style("article--match-current", partial=True)
                spans = [(a, b, current if on else match) for a, b, on in self._marks[index]]
                line = highlighted(line, spans)
            return line.crop(self.scroll_offset.x, self.scroll_offset.x + self.size.width)
        return Strip.blank(self.size.width, self.rich_style)

    # --- Position ----------------------------------------------------------------------------

    @property
    def position(self) -> str:
        """Where the view is, as a pager says it: All, Top, Bot or a percentage."""
        if not self._lines:
            return ""
        if self.max_scroll_y <= 0:
            return "All"
        if self.scroll_y <= 0:
            return "Top"
        if self.scroll_y >= self.max_scroll_y:
            return "Bot"
        return f"{round(100 * self.scroll_y / self.max_scroll_y)}%"

    @property
    def at_end(self) -> bool:
        """The last line is on screen (and the whole document is drawn)."""
        return not self._loading and self.scroll_y >= self.max_scroll_y

    def watch_scroll_y(self, old_value: float, new_value: float) -> None:
        super().watch_scroll_y(old_value, new_value)
        if round(old_value) != round(new_value):
            self.post_message(self.Moved(self.position))

    # --- Search ------------------------------------------------------------------------------

    def search(self, query: str) -> int:
        """Highlight every match of query (live, as it is typed) and show the first one from the
        top of the screen on; "" clears it. Returns how many matches there are."""
        self.search_query = query
        top = round(self.scroll_y)
        self._find_again()
        if self.matches:
            first = next((i for i, m in enumerate(self.matches) if m.line >= top), 0)
            self._go_to(first)
        self.refresh()
        return len(self.matches)

    def clear_search(self) -> None:
        self.search("")

    def next_match(self, step: int = 1) -> tuple[int, bool]:
        """Move to the next (step 1) or previous (-1) match; returns (its number from 1, whether
        the search went round the end of the document). (0, False) when nothing matches."""
        if not self.matches:
            return 0, False
        if self.current < 0:
            top = round(self.scroll_y)
            after = [i for i, m in enumerate(self.matches) if m.line >= top]
            target = after[0] if after and step > 0 else len(self.matches) - 1
            wrapped = not after and step > 0
        else:
            target = self.current + step
            wrapped = not 0 <= target < len(self.matches)
            target %= len(self.matches)
        self._go_to(target)
        self.refresh()
        return target + 1, wrapped

    def _find_again(self) -> None:
        pattern = search_pattern(self.search_query)
        if pattern and self._searchable is None:
            self._searchable = SearchableText([line.text.rstrip() for line in self._lines])
        self.matches = self._searchable.find(pattern) if pattern and self._searchable else []
        self.current = min(self.current, len(self.matches) - 1)
        self._mark()

    def _go_to(self, index: int) -> None:
        self.current = index
        self._mark()
        line = self.matches[index].line
        height = self.scrollable_content_region.height
        if not self.scroll_y <= line < self.scroll_y + height:
            self.scroll_to(y=max(0, line - 2), animate=False)  # two lines of context above

    def _mark(self) -> None:
        marks: dict[int, list[tuple[int, int, bool]]] = {}
        for number, match in enumerate(self.matches):
            for line, start, end in match.pieces:
                marks.setdefault(line, []).append((start, end, number == self.current))
        self._marks = marks

    @property
    def text(self) -> str:
        """What is drawn, as plain text (tests and copy)."""
        return "\n".join(line.text.rstrip() for line in self._lines)
