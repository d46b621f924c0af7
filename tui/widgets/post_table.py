"""A virtual table of posts on Textual's Line API: draws only the visible rows, fast at 100,000."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from operator import attrgetter, indexOf
from typing import ClassVar

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.chinese import convert
from tui.model import Post
from tui.query.order import FIELDS as ORDER_FIELDS
from tui.query.order import Order
from tui.text import clean_line, pad_cells, truncate_cells

_PATH = attrgetter("path")


@dataclass(frozen=True, slots=True)
class RowFlags:
    """How one row should look; the screen decides these from its state."""

    unread: bool = False
    starred: bool = False
    selected: bool = False
    problem: bool = False
    copies: int = 1  # files in the post's story: shown as ×3 when the marks column has room


@dataclass(frozen=True, slots=True)
class Column:
    key: str  # "marks" | "date" | "source" | "title" | "tags" | "author" | "path"
    label: str
    width: int | None  # fixed width in cells; None = takes the remaining space (title)
    min_width: int = 4
    priority: int = 0  # lower drops first when the terminal is narrow


DEFAULT_COLUMNS: tuple[Column, ...] = (
    Column("marks", "", 2, min_width=2, priority=90),
    Column("date", "Date", 16, min_width=10, priority=80),
    Column("source", "Source", 14, min_width=8, priority=40),
    Column("title", "Title", None, min_width=16, priority=100),
    Column("tags", "Tags", 16, min_width=8, priority=20),
)

# Columns at or above this priority are shrunk (date gets a shorter format) before being dropped.
ESSENTIAL = 50
# Shorter date formats tried in turn when the date column is narrower than the chosen format.
_SHORT_DATE_FORMATS = ("%m-%d %H:%M", "%Y-%m-%d", "%m-%d")
_SAMPLE_DATE = datetime(2000, 12, 30, 23, 59)

UNREAD_MARK = "●"
STARRED_MARK = "★"
COPIES_MARK = "×"  # before the number of files of a story with copies
STORY_MARKS_WIDTH = 6  # the marks column when some story has copies: "●★×12"
PROBLEM_MARK = "!"
NO_DATE = "—"


def layout_columns(columns: Sequence[Column], width: int) -> list[tuple[Column, int]]:
    """Choose which columns fit in `width` cells and how wide each is.

    Each column takes its width plus one leading space, and the row ends with one space.
    Optional columns (priority < ESSENTIAL) drop, lowest priority first, while the flexible
    (title) column would get less than twice its min_width; then essential columns shrink to
    their min_width, and drop only if even that does not fit.
    """
    cols = list(columns)

    def need(cs: list[Column], shrink: bool) -> int:
        total = sum(
            (c.min_width if shrink else 2 * c.min_width)
            if c.width is None
            else (c.min_width if shrink else c.width)
            for c in cs
        )
        return total + len(cs) + 1

    def drop_lowest(candidates: list[Column]) -> None:
        cols.remove(min(reversed(candidates), key=lambda c: c.priority))

    while need(cols, False) > width:
        optional = [c for c in cols if c.width is not None and c.priority < ESSENTIAL]
        if not optional:
            break
        drop_lowest(optional)
    while need(cols, True) > width and len(cols) > 1:
        fixed = [c for c in cols if c.width is not None]
        drop_lowest(fixed or cols)

    widths = [c.width if c.width is not None else c.min_width for c in cols]
    over = sum(widths) + len(cols) + 1 - width
    # Shrink fixed columns, least important first, towards their min_width.
    for i in sorted(range(len(cols)), key=lambda i: cols[i].priority):
        if over <= 0:
            break
        if cols[i].width is not None:
            cut = min(over, widths[i] - cols[i].min_width)
            widths[i] -= max(cut, 0)
            over -= max(cut, 0)
    # Flexible columns share what is left (the last one takes the remainder).
    flex = [i for i, c in enumerate(cols) if c.width is None]
    if flex:
        spare = width - (sum(widths) + len(cols) + 1)
        share, extra = divmod(max(spare, 0), len(flex))
        for n, i in enumerate(flex):
            widths[i] += share + (extra if n == len(flex) - 1 else 0)
    if over > 0 and len(cols) == 1:
        widths[0] = max(1, width - 2)
    return list(zip(cols, widths, strict=True))


def _default_flags(post: Post) -> RowFlags:
    return RowFlags(problem=bool(post.problems))


class PostTable(ScrollView, can_focus=True, inherit_bindings=False):
    """A table of posts with a fixed header and a row cursor, drawn line by line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("down,j", "cursor_down", "Down", show=False, id="table.cursor_down"),
        Binding("up,k", "cursor_up", "Up", show=False, id="table.cursor_up"),
        Binding("home,g", "first", "First", show=False, id="table.first"),
        Binding("end,G", "last", "Last", show=False, id="table.last"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("ctrl+d", "half_page_down", "Half page down", show=False, id="table.half_down"),
        Binding("ctrl+u", "half_page_up", "Half page up", show=False, id="table.half_up"),
        Binding("enter", "open", "Open", show=False, id="table.open"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "post-table--header",
        "post-table--cursor",
        "post-table--stripe",
        "post-table--unread",
        "post-table--starred",
        "post-table--selected",
        "post-table--problem",
        "post-table--dim",
    }

    # Like DataTable's; without colour (NO_COLOR) the cursor is reverse video, selection underlined.
    DEFAULT_CSS = """
    PostTable {
        background: $surface;
        color: $foreground;
        width: 1fr;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .post-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        &:ansi > .post-table--header {
            background: ansi_bright_blue;
            color: ansi_default;
        }
        & > .post-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus {
            background-tint: $foreground 5%;
            & > .post-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .post-table--stripe {
            background: $surface-lighten-1 50%;
        }
        & > .post-table--selected {
            background: $secondary-muted;
            text-style: underline;  /* still visible where 16 colours merge the background */
        }
        & > .post-table--unread {
            text-style: bold;
        }
        & > .post-table--starred {
            color: $warning;
        }
        & > .post-table--problem {
            color: $error;
        }
        & > .post-table--dim {
            text-style: dim;
        }
        &:nocolor > .post-table--cursor, &:nocolor:focus > .post-table--cursor {
            text-style: reverse;
        }
        &:nocolor > .post-table--selected {
            text-style: underline;
        }
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another post (also sent after set_posts)."""

        post: Post | None
        table: PostTable | None = field(default=None, repr=False)

        @property
        def control(self) -> PostTable | None:
            return self.table

        def can_replace(self, message: Message) -> bool:
            # Only the newest position matters: a burst of key repeats collapses into one.
            return isinstance(message, PostTable.Highlighted) and message.table is self.table

    @dataclass
    class Opened(Message):
        """Enter (or a click on the cursor row) on a post."""

        post: Post
        table: PostTable | None = field(default=None, repr=False)

        @property
        def control(self) -> PostTable | None:
            return self.table

    @dataclass
    class SortRequested(Message):
        """A click on a column's label asks for this order; the screen sorts (see show_sort)."""

        order: Order
        table: PostTable | None = field(default=None, repr=False)

        @property
        def control(self) -> PostTable | None:
            return self.table

    cursor: reactive[int] = reactive(0, repaint=False, init=False)
    zebra_stripes: reactive[bool] = reactive(False)

    def __init__(
        self,
        *,
        columns: Sequence[Column] | None = None,
        flags: Callable[[Post], RowFlags] | None = None,
        date_format: str = "%Y-%m-%d %H:%M",
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self._posts: Sequence[Post] = ()
        self._columns: tuple[Column, ...] = tuple(columns or DEFAULT_COLUMNS)
        self._flags = flags or _default_flags
        self._date_format = date_format
        self._script = "off"  # tui.chinese.convert's direction for titles ("s2t", "t2s")
        self.empty_text = "No posts match"
        self._order: Order | None = None  # what the header marks (show_sort)
        self._layout: list[tuple[Column, int]] = []
        self._layout_width = -1
        self._focused = False
        self._date_format_for_width = date_format
        # Drawn lines by (row index or -1 for the header, is cursor, has focus); cleared when
        # rows, flags, columns, width or styles change.
        self._line_cache: LRUCache[tuple[int, bool, bool], Strip] = LRUCache(maxsize=1024)
        self._styles: dict[tuple[str, bool], Style] = {}

    # -- public API ---------------------------------------------------------------------------

    @property
    def posts(self) -> Sequence[Post]:
        return self._posts

    @property
    def current_post(self) -> Post | None:
        if 0 <= self.cursor < len(self._posts):
            return self._posts[self.cursor]
        return None

    def set_posts(self, posts: Sequence[Post], *, keep_cursor: bool = True) -> None:
        """Show these posts; the cursor stays on the same post (by path) when it is still here."""
        old_post = self.current_post
        screen_row = self.cursor - int(self.scroll_y)
        self._posts = posts
        self._line_cache.clear()
        count = len(posts)
        if keep_cursor and old_post is not None and count:
            found = _find_path(posts, old_post.path, self.cursor)
            new = found if found is not None else min(self.cursor, count - 1)
        else:
            new, screen_row = 0, 0
        self.virtual_size = Size(max(self._layout_width, 0), count + 1)
        self.set_reactive(PostTable.cursor, new)
        # Keep the cursor row where it was on screen, so refining a filter does not jump around;
        # but never scroll the first rows away when the cursor can be shown beside them.
        top = 0 if new < self._page else max(new - max(screen_row, 0), 0)
        self.scroll_to(y=top, animate=False, immediate=True)
        self._scroll_to_cursor()
        self.refresh()
        self.post_message(self.Highlighted(self.current_post, self))

    def move_to(self, index: int) -> None:
        """Move the cursor to `index` (clamped) and scroll it into view."""
        self.cursor = index
        self._scroll_to_cursor()

    def refresh_rows(self) -> None:
        """Flags changed (read, starred, selected): redraw the visible rows."""
        self._line_cache.clear()
        self.refresh()

    def set_columns(self, columns: Sequence[Column]) -> None:
        self._columns = tuple(columns)
        self._layout_width = -1
        self._line_cache.clear()
        self.refresh()

    @property
    def columns(self) -> tuple[Column, ...]:
        return self._columns

    def show_copies(self, shown: bool) -> None:
        """Widen the marks column to hold ×3 marks while some story has copies (else it stays
        two cells: an archive without copies looks as it always did)."""
        width = STORY_MARKS_WIDTH if shown else 2
        if any(c.key == "marks" and c.width != width for c in self._columns):
            self.set_columns(
                [
                    replace(c, width=width, min_width=min(width, 4)) if c.key == "marks" else c
                    for c in self._columns
                ]
            )

    @property
    def date_format(self) -> str:
        return self._date_format

    @date_format.setter
    def date_format(self, date_format: str) -> None:
        self._date_format = date_format
        self._layout_width = -1  # the shortened format is chosen again for the column width
        self.refresh_rows()

    @property
    def script(self) -> str:
        """ "s2t" or "t2s": titles shown in one Chinese script (the config's `chinese`)."""
        return self._script

    @script.setter
    def script(self, script: str) -> None:
        self._script = script
        self.refresh_rows()

    def show_sort(self, order: Order) -> None:
        """Mark the column the rows are sorted by (▼ descending, ▲ ascending), without sorting:
        the screen sorts what it shows."""
        self._order = order
        self.refresh_rows()

    # -- cursor -------------------------------------------------------------------------------

    def validate_cursor(self, value: int) -> int:
        return max(0, min(value, len(self._posts) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        # Line y in virtual space is row index + 1 (the header is line 0).
        self.refresh_line(old + 1)
        self.refresh_line(new + 1)
        self._scroll_to_cursor()
        self.post_message(self.Highlighted(self.current_post, self))

    def watch_zebra_stripes(self) -> None:
        self._line_cache.clear()

    @property
    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height - 1)

    def _scroll_to_cursor(self) -> None:
        top = int(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, immediate=True)
        elif self.cursor >= top + self._page:
            self.scroll_to(y=self.cursor - self._page + 1, animate=False, immediate=True)

    def _move_page(self, step: int) -> None:
        # Scroll by the same amount as the cursor so it keeps its place on screen.
        self.scroll_to(y=int(self.scroll_y) + step, animate=False, immediate=True)
        self.cursor += step

    def action_cursor_down(self) -> None:
        self.cursor += 1

    def action_cursor_up(self) -> None:
        self.cursor -= 1

    def action_first(self) -> None:
        self.cursor = 0

    def action_last(self) -> None:
        self.cursor = len(self._posts) - 1

    def action_page_down(self) -> None:
        self._move_page(self._page)

    def action_page_up(self) -> None:
        self._move_page(-self._page)

    def action_half_page_down(self) -> None:
        self._move_page(max(1, self._page // 2))

    def action_half_page_up(self) -> None:
        self._move_page(-max(1, self._page // 2))

    def action_open(self) -> None:
        post = self.current_post
        if post is not None:
            self.post_message(self.Opened(post, self))

    def on_click(self, event: events.Click) -> None:
        offset = event.get_content_offset(self)
        if offset is None:
            return
        if offset.y == 0:
            self._click_header(offset.x)
            return
        index = int(self.scroll_y) + offset.y - 1
        if index >= len(self._posts):
            return
        if index == self.cursor:
            self.action_open()  # like DataTable: a click on the cursor row selects it
        else:
            self.cursor = index

    def _click_header(self, x: int) -> None:
        """A click on a column label sorts by it; a second click reverses the order."""
        left = 0
        for column, width in self._layout:
            left += width + 1
            if x < left:
                if column.key not in ORDER_FIELDS:
                    return  # the orders the screen keeps
                order = self._order
                same = order is not None and order.field == column.key
                wanted = order.toggled() if order is not None and same else Order(column.key)
                self.post_message(self.SortRequested(wanted, self))
                return

    def on_resize(self, event: events.Resize) -> None:
        self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._line_cache.clear()

    # -- drawing ------------------------------------------------------------------------------

    def _update_layout(self, width: int) -> None:
        if width == self._layout_width:
            return
        self._layout = layout_columns(self._columns, width)
        self._layout_width = width
        self._line_cache.clear()
        date_width = next((w for c, w in self._layout if c.key == "date"), 0)
        self._date_format_for_width = next(
            (
                fmt
                for fmt in (self._date_format, *_SHORT_DATE_FORMATS)
                if cell_len(_SAMPLE_DATE.strftime(fmt)) <= date_width
            ),
            self._date_format,
        )
        if self.virtual_size.width != width:
            self.virtual_size = Size(width, len(self._posts) + 1)

    def render_lines(self, crop: Region) -> list[Strip]:
        # Measure once per paint rather than once per line.
        self._update_layout(self.scrollable_content_region.width)
        self._focused = self.has_focus
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        if self._layout_width < 0:
            self._update_layout(self.scrollable_content_region.width)
        width = self._layout_width
        focused = self._focused
        if y == 0:
            index = -1
        else:
            index = y - 1 + int(self.scroll_y)
            if index >= len(self._posts):
                return self._render_blank(y, width)
        is_cursor = index == self.cursor
        key = (index, is_cursor, focused)
        strip = self._line_cache.get(key)
        if strip is None:
            if index < 0:
                strip = self._render_header(width)
            else:
                strip = self._render_row(index, is_cursor, width)
            self._line_cache[key] = strip
        return strip

    def _style(self, name: str, partial: bool = False) -> Style:
        # Looking styles up is slow (rich_style walks the DOM), so keep them until styles change.
        key = (name, partial)
        style = self._styles.get(key)
        if style is None:
            if name == "base":
                style = self.rich_style
            elif (
                name == "post-table--cursor"
                and self.app.console.color_system == "standard"
                and not self.app.no_color  # NO_COLOR: reverse video, from the CSS
            ):
                # 16 colours turn a theme's cursor (a light background, dark text) into bright
                # white on light grey: the row's own colours swapped always read.
                base = self.rich_style
                style = Style(color=base.bgcolor, bgcolor=base.color, bold=True)
            else:
                style = self.get_component_rich_style(name, partial=partial)
            self._styles[key] = style
        return style

    def _render_blank(self, y: int, width: int) -> Strip:
        base = self._style("base")
        if not self._posts and y == max(1, self.scrollable_content_region.height // 2):
            text = truncate_cells(clean_line(self.empty_text), width)
            left = (width - cell_len(text)) // 2
            dim = base + self._style("post-table--dim", True)
            return _strip([(" " * left, base), (text, dim)], width, base)
        return Strip.blank(width, base)

    def _render_header(self, width: int) -> Strip:
        style = self._style("post-table--header")
        runs = [(" ", style)]
        for column, col_width in self._layout:
            label = column.label
            if self._order is not None and self._order.field == column.key:
                label += " ▼" if self._order.descending else " ▲"
            runs.append((pad_cells(label, col_width) + " ", style))
        return _strip(runs, width, style)

    def _render_row(self, index: int, is_cursor: bool, width: int) -> Strip:
        post = self._posts[index]
        flags = self._flags(post)
        style = self._style("base")
        if self.zebra_stripes and index % 2:
            style = self._style("post-table--stripe")
        if flags.selected:
            style = self._style("post-table--selected")
        if is_cursor:
            style = self._style("post-table--cursor")
        if flags.unread:
            style += self._style("post-table--unread", True)
        runs: list[tuple[str, Style]] = [(" ", style)]
        for column, col_width in self._layout:
            key = column.key
            if key == "marks":
                runs.extend(self._marks(flags, col_width, style))
            elif key == "date":
                if post.date is None:
                    dim = style + self._style("post-table--dim", True)
                    runs.append((pad_cells(NO_DATE, col_width), dim))
                else:
                    # The format is the user's: its output is cleaned like post text.
                    text = clean_line(post.date.astimezone().strftime(self._date_format_for_width))
                    runs.append((pad_cells(text, col_width), style))
            else:
                text = _cell_text(post, key)
                if key == "title" and self._script != "off":
                    text = convert(text, self._script)
                runs.append((pad_cells(text, col_width), style))
            runs.append((" ", style))
        return _strip(runs, width, style)

    def _marks(self, flags: RowFlags, width: int, style: Style) -> list[tuple[str, Style]]:
        # First cell: what needs attention (problem beats unread); second cell: the star.
        if flags.problem:
            first = (PROBLEM_MARK, style + self._style("post-table--problem", True))
        elif flags.unread:
            first = (UNREAD_MARK, style)
        else:
            first = (" ", style)
        if flags.starred:
            second = (STARRED_MARK, style + self._style("post-table--starred", True))
        else:
            second = (" ", style)
        runs = [first, second][:width]
        if flags.copies > 1 and width > 3:
            mark = truncate_cells(f"{COPIES_MARK}{flags.copies}", width - 2)
            runs.append((mark, style + self._style("post-table--dim", True)))
        used = sum(cell_len(text) for text, _ in runs)
        return [*runs, (" " * (width - used), style)]


def _strip(runs: list[tuple[str, Style]], width: int, pad_style: Style) -> Strip:
    """One Strip of exactly `width` cells from (text, style) runs; same-style runs are merged
    (every Strip and Segment costs time, and a screen has only 40 of them to draw)."""
    segments: list[Segment] = []
    text_parts: list[str] = []
    current: Style | None = None
    used = 0
    for text, style in runs:
        if not text:
            continue
        if style is not current and text_parts:
            segments.append(Segment("".join(text_parts), current))
            text_parts = []
        current = style
        text_parts.append(text)
        used += cell_len(text)
    if used < width:
        if current is not pad_style and text_parts:
            segments.append(Segment("".join(text_parts), current))
            text_parts = []
        current = pad_style
        text_parts.append(" " * (width - used))
    if text_parts:
        segments.append(Segment("".join(text_parts), current))
    strip = Strip(segments, min(used, width) if used > width else width)
    return strip.crop(0, width) if used > width else strip


def _cell_text(post: Post, key: str) -> str:
    """One cell's plain text (never markup), folded to a single safe line."""
    if key == "title":
        text = post.title
    elif key == "source":
        text = post.source
    elif key == "tags":
        text = ", ".join(post.tags)
    elif key == "author":
        text = post.author
    elif key == "path":
        text = post.path
    else:
        text = post.extra.get(key, "")
    return clean_line(text)


def _find_path(posts: Sequence[Post], path: str, hint: int) -> int | None:
    """Index of the post with this path, trying `hint` first (usually still right)."""
    if hint < len(posts) and posts[hint].path == path:
        return hint
    try:  # a C-level search: a million rows in a few milliseconds
        return indexOf(map(_PATH, posts), path)
    except ValueError:
        return None
