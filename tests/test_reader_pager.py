"""The reader as a pager: search with / n N Esc, Space on to the next post, n to the next unread,
the position and the marks in the header, images numbered like links (issue 16)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui.screens.dialogs import LinkScreen
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.key_bar import KeyBar
from tui.widgets.post_table import PostTable
from tui.widgets.status import StatusBar

FILLER = "".join(
    f"<p>Paragraph {n} of the long report on the harbour works.</p>" for n in range(60)
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(
        root,
        "2024/03/2024-03-03-long.md",
        "A long report",
        "2024-03-03T08:00:00Z",
        FILLER[: len(FILLER) // 2]
        + "<p>The 渡轮码头 opened.</p>"
        + FILLER
        + "<p>渡轮码头 again</p>",
    )
    write_post(
        root,
        "2024/03/2024-03-02-pictures.md",
        "Pictures",
        "2024-03-02T08:00:00Z",
        '<p>See <a href="https://a.org/x">this</a>.</p>'
        '<p><img src="https://matters.news/@x/%E6%96%B0%E5%86%A0-1.jpg"></p>',
    )
    write_post(root, "2024/03/2024-03-01-third.md", "Third post", "2024-03-01T08:00:00Z")
    write_post(root, "2024/02/2024-02-01-fourth.md", "Fourth post", "2024-02-01T08:00:00Z")
    return root


async def open_reader(pilot, app) -> ReaderScreen:
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_search_highlights_moves_and_clears(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, app)
        view, status = reader.article, reader.query_one(StatusBar)
        assert status.position == "Top"
        await pilot.press("slash", *"渡轮码头")
        await settle(app, pilot)
        assert len(view.matches) == 2 and view.current == 0
        line = view.matches[0].line
        assert view.scroll_y <= line < view.scroll_y + view.scrollable_content_region.height
        assert "1 of 2" in status.activity and status.position.endswith("%")
        await pilot.press("enter", "n")
        assert view.current == 1 and "2 of 2" in status.activity
        await pilot.press("n")  # round the end, back to the first
        assert view.current == 0
        await pilot.press("N")
        assert view.current == 1
        await pilot.press("escape")  # clears the search, stays in the reader
        assert view.matches == [] and isinstance(app.screen, ReaderScreen)
        await pilot.press("escape")
        assert not isinstance(app.screen, ReaderScreen)


async def test_search_is_case_insensitive_and_says_not_found(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, app)
        await pilot.press("slash", *"HARBOUR works")
        await settle(app, pilot)
        assert len(reader.article.matches) > 60
        await pilot.press("ctrl+u", *"zzzq")
        await settle(app, pilot)
        assert reader.article.matches == []
        assert "not found" in reader.query_one(StatusBar).activity


async def test_space_past_the_end_opens_the_next_post(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notices: list[str] = []
    monkeypatch.setattr(
        ReaderScreen, "notify", lambda self, message, **kwargs: notices.append(str(message))
    )
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, app)
        table = app.screen_stack[-2].query_one(PostTable)
        await pilot.press("G")
        assert reader.query_one(StatusBar).position == "Bot"
        await pilot.press("space")
        await settle(app, pilot)
        assert reader.current_post is not None and reader.current_post.title == "Pictures"
        assert table.cursor == 1  # the table follows
        assert notices == ["Next post: Pictures"]  # said briefly
        await pilot.press("space")  # a short post: the last page at once
        await settle(app, pilot)
        assert reader.current_post.title == "Third post"


async def test_n_opens_the_next_unread_post(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        third = next(p for p in table.posts if p.title == "Third post")
        app.screen.repo.state.set_read([third.id], True)
        reader = await open_reader(pilot, app)
        await pilot.press("n")
        await settle(app, pilot)
        assert reader.current_post.title == "Pictures"
        await pilot.press("n")  # Third post is read: skipped
        await settle(app, pilot)
        assert reader.current_post.title == "Fourth post" and table.cursor == 3


async def test_header_shows_marks_and_follows_them(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, app)
        status = reader.query_one(StatusBar)
        assert status.marks == ""
        await pilot.press("s")
        assert "★" in status.marks
        await pilot.press("e")
        assert "archived" in status.marks
        await pilot.press("s")
        assert "★" not in status.marks


async def test_images_are_numbered_and_show_the_decoded_address(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("j")
        reader = await open_reader(pilot, app)
        assert "[image: 新冠-1.jpg] [2]" in reader.article.text
        await pilot.press("2")
        await pilot.pause()
        assert isinstance(app.screen, LinkScreen)
        assert app.screen.url == "https://matters.news/@x/%E6%96%B0%E5%86%A0-1.jpg"  # as it is
        shown = "".join(str(static.render()) for static in app.screen.query(".dialog-url"))
        assert "matters.news/@x/新冠-1.jpg" in shown


async def test_key_bar_and_help_show_search(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        reader = await open_reader(pilot, app)
        assert "Search" in str(reader.query_one(KeyBar).render())
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        ids = {row.id for row in app.screen.rows}
        assert {"reader.search", "reader.next_match", "reader.space"} <= ids
