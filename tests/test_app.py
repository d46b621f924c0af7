"""Pilot tests of the whole app over sample_posts/ and small generated archives."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.widgets import Input

from tests.conftest import SAMPLE_POSTS, workers_done, write_post
from tui.app import NewsApp
from tui.config import Config
from tui.repository import Repository
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView
from tui.widgets.post_table import PostTable
from tui.widgets.status import StatusBar


def make_app(root: Path, config: Config | None = None) -> NewsApp:
    return NewsApp(Repository(root), config or Config())


async def settle(app: NewsApp, pilot) -> None:
    """Wait for loading and rendering workers instead of sleeping."""
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(
        root,
        "2021/06/2021-06-24-ant.md",
        "美媒：蚂蚁集团商议与国有企业共享数据宝库",
        "2021-06-24T14:35:32.226Z",
        author="联合早报",
        **{"from": "https://www.zaobao.com/realtime/china/story20210624-1160488"},
    )
    write_post(
        root,
        "2020/01/2020-01-02-old.md",
        "An older English post",
        "2020-01-02",
        "<p>Old news about <b>markets</b>.</p>",
        author="Reuters",
        **{"from": "https://www.reuters.com/a"},
    )
    write_post(
        root,
        "2023/03/2023-03-03-markup.md",
        "[bold red]not markup[/] [@click=app.quit]x[/]",
        "2023-03-03T08:00:00+02:00",
        author="Hostile",
        body="<p>[/] body</p>",
    )
    return root


async def test_newest_first_and_counts(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert [post.path for post in table.posts] == [
            "2023/03/2023-03-03-markup.md",
            "2021/06/2021-06-24-ant.md",
            "2020/01/2020-01-02-old.md",
        ]
        assert "3 of 3 posts" in app.screen.query_one(StatusBar).counts


async def test_a_long_activity_never_hides_the_counts(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        status = app.screen.query_one(StatusBar)
        status.activity = "body: titles only, bodies 1% indexed " + "x" * 100
        await pilot.pause()
        line = str(status.render())
        assert line.startswith(" newstui  3 of 3 posts")
        assert "body: titles only" in line and line.rstrip().endswith("…")
        assert cell_len(line) <= 80


async def test_markup_in_titles_is_shown_literally(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        screen_text = "\n".join(
            app.screen.query_one(PostTable).render_line(y).text for y in range(5)
        )
        assert "[bold red]not markup[/]" in screen_text
        assert app.is_running


async def test_filter_narrows_live_and_escape_clears(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("slash")
        assert app.focused is app.screen.query_one("#filter", Input)
        await pilot.press(*"蚂蚁")
        assert [post.path for post in table.posts] == ["2021/06/2021-06-24-ant.md"]
        await pilot.press("enter")
        assert app.focused is table
        assert len(table.posts) == 1  # Enter keeps the filter
        await pilot.press("slash", "escape")
        assert len(table.posts) == 3
        assert app.focused is table


async def test_bad_query_keeps_previous_rows(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("slash", *"older")
        assert len(table.posts) == 1
        await pilot.press(*' "unclosed')
        assert len(table.posts) == 1
        assert "query:" in app.screen.query_one(StatusBar).activity


async def test_a_field_name_without_its_value_yet_answers_the_rest(archive: Path) -> None:
    # A person typing "body:" and pausing sees the list they started from, not the answer to
    # the word "body" typed on the way (the bench once timed "body:zzqxj" against that answer).
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        status = app.screen.query_one(StatusBar)
        await pilot.press("slash", *"body")
        await settle(app, pilot)
        assert table.posts == []
        await pilot.press(":")
        await settle(app, pilot)
        assert len(table.posts) == 3
        assert "query:" not in status.activity
        await pilot.press(*"markets")
        await settle(app, pilot)
        assert [post.path for post in table.posts] == ["2020/01/2020-01-02-old.md"]
        await pilot.press("escape", "slash", *"older -TITLE:")
        await settle(app, pilot)
        assert [post.path for post in table.posts] == ["2020/01/2020-01-02-old.md"]
        assert "query:" not in status.activity
        await pilot.press(" ")  # a space after the colon: no value, and not being typed
        await settle(app, pilot)
        assert "query: title: needs a value" in status.activity


async def test_enter_opens_reader_and_escape_returns(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("G", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        article = app.screen.query_one(ArticleView)
        assert "markets" in article.markdown
        await pilot.press("escape")
        assert not isinstance(app.screen, ReaderScreen)
        await pilot.press("q")
    assert app.return_code in (0, None)


async def test_preview_follows_cursor(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("j", "j")
        await pilot.pause(0.3)
        await settle(app, pilot)
        preview = app.screen.query_one("#preview", ArticleView)
        assert preview.shown_key[0] == "2020/01/2020-01-02-old.md"


async def test_help_screen_lists_keys(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        descriptions = {row.description for row in app.screen.rows}
        assert {"Filter", "Star", "Quit"} <= descriptions
        await pilot.press("escape")
        assert not isinstance(app.screen, HelpScreen)


async def test_sample_posts_open(tmp_path: Path) -> None:
    root = tmp_path / "sample"
    shutil.copytree(SAMPLE_POSTS, root)
    app = make_app(root)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert len(table.posts) >= 20
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)


async def test_command_palette_reaches_actions(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        post = table.current_post
        await pilot.press("ctrl+p")
        await pilot.press(*"Star")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.repo.state.get(post.id).starred


async def test_the_palette_sorts_by_any_order_by_name(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("ctrl+p")
        await pilot.press(*"Sort title Z")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(app, pilot)
        titles = [post.title for post in table.posts]
        assert titles == sorted(titles, key=str.lower, reverse=True) and len(titles) > 1


async def test_a_new_filter_starts_at_its_newest_post(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("G")  # the oldest post, which the filter below keeps
        await pilot.press("slash", *"o")
        assert table.cursor == 0 and len(table.posts) > 1
