"""Tests for the virtual post table: keys, cursor, refills, wide characters, markup safety."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message

from tui.model import Post
from tui.query.order import Order
from tui.widgets import Column, PostTable, RowFlags
from tui.widgets.post_table import DEFAULT_COLUMNS, layout_columns

START = datetime(2024, 1, 1, tzinfo=UTC)


def make_post(i: int, title: str | None = None, **kwargs: object) -> Post:
    return Post(
        id=f"id{i}",
        path=f"2024/{i}.md",
        title=title if title is not None else f"Post {i}",
        date=START - timedelta(minutes=i),
        url="https://www.example.com/x",
        tags=("news",),
        **kwargs,  # type: ignore[arg-type]
    )


def make_posts(count: int) -> list[Post]:
    return [make_post(i) for i in range(count)]


class Host(App[None]):
    def __init__(self, posts: list[Post], **table_args: object) -> None:
        super().__init__()
        self.initial = posts
        self.table_args = table_args
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield PostTable(**self.table_args)  # type: ignore[arg-type]

    def on_mount(self) -> None:
        table = self.query_one(PostTable)
        table.set_posts(self.initial)
        table.focus()

    def on_post_table_highlighted(self, message: PostTable.Highlighted) -> None:
        self.messages.append(message)

    def on_post_table_opened(self, message: PostTable.Opened) -> None:
        self.messages.append(message)

    def on_post_table_sort_requested(self, message: PostTable.SortRequested) -> None:
        self.messages.append(message)


def lines(table: PostTable) -> list[str]:
    return [table.render_line(y).text for y in range(table.size.height)]


def row_line(table: PostTable, index: int) -> str:
    return table.render_line(index + 1 - int(table.scroll_y)).text


async def test_cursor_keys_move_and_scroll() -> None:
    app = Host(make_posts(100))
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(PostTable)
        assert table.cursor == 0
        await pilot.press("j", "down", "j")
        assert table.cursor == 3
        await pilot.press("k", "up")
        assert table.cursor == 1
        for _ in range(20):
            await pilot.press("j")
        await pilot.pause()
        assert table.cursor == 21
        assert table.scroll_y > 0
        # The cursor row is on screen, right below the header at most one page down.
        screen_row = table.cursor - int(table.scroll_y) + 1
        assert 1 <= screen_row < table.size.height
        assert "Post 21" in lines(table)[screen_row]
        await pilot.press("k")
        assert table.cursor == 20


async def test_first_last_and_pages() -> None:
    app = Host(make_posts(100))
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(PostTable)
        await pilot.press("G")
        assert table.cursor == 99
        await pilot.pause()
        assert "Post 99" in lines(table)[-1]
        await pilot.press("g")
        assert table.cursor == 0
        await pilot.press("end")
        assert table.cursor == 99
        await pilot.press("home")
        assert table.cursor == 0
        page = table.size.height - 1  # one row is the header
        await pilot.press("pagedown")
        assert table.cursor == page
        await pilot.press("pagedown")
        assert table.cursor == 2 * page
        await pilot.press("pageup")
        assert table.cursor == page
        await pilot.press("ctrl+d")
        assert table.cursor == page + page // 2
        await pilot.press("ctrl+u")
        assert table.cursor == page
        await pilot.press("pageup", "pageup")
        assert table.cursor == 0


async def test_enter_posts_opened_with_the_cursor_post() -> None:
    posts = make_posts(10)
    app = Host(posts)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        opened = [m for m in app.messages if isinstance(m, PostTable.Opened)]
        assert [m.post for m in opened] == [posts[2]]
        assert opened[0].control is app.query_one(PostTable)


async def test_highlighted_is_posted_on_moves_and_refills() -> None:
    posts = make_posts(10)
    app = Host(posts)
    async with app.run_test(size=(100, 12)) as pilot:
        await pilot.pause()
        app.messages.clear()
        await pilot.press("j")
        await pilot.pause()
        await pilot.press("j")
        await pilot.pause()
        highlighted = [m.post for m in app.messages if isinstance(m, PostTable.Highlighted)]
        assert highlighted == [posts[1], posts[2]]
        app.messages.clear()
        app.query_one(PostTable).set_posts([])
        await pilot.pause()
        assert [m.post for m in app.messages] == [None]


def test_highlighted_replaces_older_highlighted_of_the_same_table() -> None:
    a, b = PostTable(), PostTable()
    newer = PostTable.Highlighted(None, a)
    assert newer.can_replace(PostTable.Highlighted(None, a))
    assert not newer.can_replace(PostTable.Highlighted(None, b))
    assert not newer.can_replace(PostTable.Opened(make_post(1), a))


async def test_set_posts_keeps_cursor_on_same_post() -> None:
    posts = make_posts(50)
    app = Host(posts)
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(PostTable)
        table.move_to(30)
        await pilot.pause()
        table.set_posts(posts[::-1])
        await pilot.pause()
        assert table.current_post is posts[30]
        assert table.cursor == 19
        # Same path, new object (a reload): still found.
        table.set_posts([make_post(i) for i in range(50)])
        assert table.current_post is not None and table.current_post.path == posts[30].path
        assert table.cursor == 30
        # Gone: the cursor clamps to the rows there are.
        table.set_posts(posts[:5])
        assert table.cursor == 4
        table.set_posts(posts, keep_cursor=False)
        assert table.cursor == 0
        assert table.scroll_y == 0


async def test_a_narrower_list_never_hides_its_first_rows_above_the_cursor() -> None:
    # Seen in tmux: the cursor on the top row at post 5, a filter kept it on that post, now the
    # 5th of the matches, and kept it on the top row: the 4 newest matches were scrolled away.
    posts = make_posts(50)
    app = Host(posts)
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(PostTable)
        for _ in range(25):
            await pilot.press("j")
        table.move_to(5)  # back up: the cursor is on the top row, 5 rows scrolled away
        await pilot.pause()
        assert int(table.scroll_y) == 5
        table.set_posts(posts[1:3] + posts[4:20])  # post 5 is now the 4th row
        await pilot.pause()
        assert table.current_post is posts[5] and table.cursor == 3
        assert table.scroll_y == 0
        assert "Post 1" in lines(table)[1]
        # Further down than a page: it keeps its place on screen, as before.
        table.set_posts(posts)
        table.move_to(30)
        await pilot.pause()
        row = table.cursor - int(table.scroll_y)
        table.set_posts(posts[:10] + posts[12:])
        await pilot.pause()
        assert table.cursor == 28 and table.cursor - int(table.scroll_y) == row


async def test_hundred_thousand_rows_mount_and_reach_the_end() -> None:
    posts = make_posts(100_000)
    app = Host(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        table = app.query_one(PostTable)
        assert table.virtual_size.height == 100_001
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor == 99_999
        assert "Post 99999" in lines(table)[-1]
        assert table.current_post is posts[-1]


async def test_cjk_and_emoji_titles_align() -> None:
    posts = [
        make_post(0, "美媒：蚂蚁集团商议与国有企业共享数据宝库"),
        make_post(1, "Plain ASCII title"),
        make_post(2, "表情 🎉🎉 mixed ｆｕｌｌ width"),
    ]
    app = Host(posts)
    async with app.run_test(size=(120, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        rendered = lines(table)[1:4]
        widths = {table.render_line(y).cell_length for y in range(4)}
        assert len(widths) == 1
        # The tags column ("news") starts at the same cell in every row.
        starts = {cell_len(line[: line.index("news")]) for line in rendered}
        assert len(starts) == 1


async def test_long_titles_truncate_with_ellipsis_never_half_a_wide_char() -> None:
    posts = [make_post(0, "长" * 200), make_post(1, "x" * 300)]
    app = Host(posts)
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        for index in (0, 1):
            line = row_line(table, index)
            assert "…" in line
            assert cell_len(line) == table.render_line(1).cell_length
        title_width = dict((c.key, w) for c, w in table._layout)["title"]
        cut = row_line(table, 0).split("…")[0].split()[-1]
        assert cell_len(cut + "…") <= title_width
        assert set(cut) == {"长"}


async def test_markup_in_titles_is_shown_literally() -> None:
    titles = ["[bold red]x[/]", "[@click=app.quit]y[/]", "[link=http://evil]z", "[/]"]
    posts = [make_post(i, t) for i, t in enumerate(titles)]
    app = Host(posts)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        for index, title in enumerate(titles):
            assert title in row_line(table, index)
            strip = table.render_line(index + 1)
            assert not any(seg.style and (seg.style.link or seg.style.meta) for seg in strip)
        await pilot.click(PostTable, offset=(40, 2))
        await pilot.pause()
        assert app.is_running
        assert "[@click=app.quit]y[/]" in app.export_screenshot()


async def test_columns_drop_when_narrow() -> None:
    app = Host(make_posts(5))
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        header = lines(table)[0]
        assert "Date" in header and "Title" in header
        assert "Tags" not in header and "Source" not in header
        keys = [c.key for c, _ in table._layout]
        assert keys == ["marks", "date", "title"]
        assert dict((c.key, w) for c, w in table._layout)["title"] >= 20
        assert "2024-01-01" in row_line(table, 0) or "2023-12-31" in row_line(table, 0)
        await pilot.resize_terminal(140, 10)
        await pilot.pause()
        header = lines(table)[0]
        assert all(label in header for label in ("Date", "Source", "Title", "Tags"))


@pytest.mark.parametrize("width", [10, 30, 40, 45, 60, 80, 100, 118, 200])
def test_layout_fits_the_width(width: int) -> None:
    layout = layout_columns(DEFAULT_COLUMNS, width)
    keys = [c.key for c, _ in layout]
    assert "title" in keys
    assert sum(w for _, w in layout) + len(layout) + 1 <= max(width, 3)
    if width >= 42:
        assert keys[:2] == ["marks", "date"]


def test_narrow_date_gets_a_shorter_format() -> None:
    table = PostTable()
    table._update_layout(34)
    assert dict((c.key, w) for c, w in table._layout)["date"] < 16
    assert table._date_format_for_width == "%m-%d %H:%M"


async def test_flags_change_the_look() -> None:
    posts = make_posts(5)
    state = {"unread": {posts[1].path}, "starred": {posts[2].path}, "selected": {posts[3].path}}

    def flags(post: Post) -> RowFlags:
        return RowFlags(
            unread=post.path in state["unread"],
            starred=post.path in state["starred"],
            selected=post.path in state["selected"],
        )

    app = Host(posts, flags=flags)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)

        def title_style(index: int):  # type: ignore[no-untyped-def]
            strip = table.render_line(index + 1)
            return next(seg.style for seg in strip if f"Post {index}" in seg.text)

        table.move_to(4)  # the cursor row has its own look; keep it off the rows under test
        await pilot.pause()
        assert title_style(1).bold
        assert not title_style(0).bold
        assert "●" in row_line(table, 1)
        assert "★" in row_line(table, 2)
        assert title_style(3).bgcolor != title_style(0).bgcolor
        # The cursor row looks different from a plain row.
        assert title_style(4).bgcolor != title_style(0).bgcolor
        # The screen marks post 1 read: after refresh_rows it is no longer bold.
        state["unread"].clear()
        table.refresh_rows()
        await pilot.pause()
        assert not title_style(1).bold
        assert "●" not in row_line(table, 1)


async def test_problem_posts_and_undated_posts() -> None:
    posts = [
        Post(id="a", path="a.md", title="Broken", date=None, problems=("bad yaml",)),
        make_post(1),
    ]
    app = Host(posts)
    async with app.run_test(size=(100, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        line = row_line(table, 0)
        assert line.startswith(" !")
        assert "—" in line


async def test_empty_state() -> None:
    app = Host([])
    async with app.run_test(size=(60, 10)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        assert table.current_post is None
        assert any("No posts match" in line for line in lines(table))
        await pilot.press("j", "G", "enter", "pagedown")
        assert table.cursor == 0
        assert not [m for m in app.messages if isinstance(m, PostTable.Opened)]


async def test_a_header_click_asks_for_its_order_and_the_header_shows_the_order() -> None:
    app = Host(make_posts(4))
    async with app.run_test(size=(100, 10)) as pilot:
        table = app.query_one(PostTable)
        header = lines(table)[0]
        title_x = header.index("Title")
        await pilot.click(PostTable, offset=(title_x, 0))
        await pilot.pause()
        asked = [m.order for m in app.messages if isinstance(m, PostTable.SortRequested)]
        assert asked == [Order("title")]  # A to Z first
        assert "▲" not in lines(table)[0]  # the screen sorts, then marks: not the table
        table.show_sort(Order("title"))
        await pilot.pause()
        assert "Title ▲" in lines(table)[0]
        await pilot.click(PostTable, offset=(title_x, 0))  # again: the reverse
        await pilot.pause()
        table.show_sort(Order("date"))
        await pilot.pause()
        assert "▼" in lines(table)[0] and "Title ▲" not in lines(table)[0]  # newest first
        asked = [m.order for m in app.messages if isinstance(m, PostTable.SortRequested)]
        assert asked == [Order("title"), Order("title", reverse=True)]


async def test_click_moves_cursor_and_click_on_cursor_opens() -> None:
    posts = make_posts(10)
    app = Host(posts)
    async with app.run_test(size=(100, 12)) as pilot:
        table = app.query_one(PostTable)
        await pilot.click(PostTable, offset=(30, 4))  # screen row 4 = row index 3
        assert table.cursor == 3
        await pilot.click(PostTable, offset=(30, 4))
        await pilot.pause()
        assert [m.post for m in app.messages if isinstance(m, PostTable.Opened)] == [posts[3]]


async def test_custom_columns() -> None:
    columns = [Column("title", "Title", None, min_width=10), Column("path", "Path", 12)]
    app = Host([make_post(1)], columns=columns)
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        table = app.query_one(PostTable)
        assert "Path" in lines(table)[0]
        assert "2024/1.md" in row_line(table, 0)
        table.set_columns(DEFAULT_COLUMNS)
        await pilot.pause()
        assert "Path" not in lines(table)[0]
