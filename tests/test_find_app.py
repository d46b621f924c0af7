"""Finding things in the app: label: and the labels in the sidebar, sorting that holds, saved
searches with Chinese names, and Chinese shown in one script."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui.config import Config, load
from tui.screens.dialogs import PromptScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView
from tui.widgets.post_table import PostTable
from tui.widgets.saved_searches import SavedSearches
from tui.widgets.status import StatusBar


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(root, "a.md", "Banana 台湾", "2021-01-01", "<p>香港问题的由来。</p>")
    write_post(root, "b.md", "apple 臺灣", "2021-01-02", "<p>頭髮與發展。</p>")
    write_post(root, "c.md", "Cherry 待读", "2021-01-03", author="甲")
    write_post(root, "d.md", "date 台灣", "2021-01-04", author="乙")
    return root


def titles(app) -> list[str]:
    return [post.title for post in app.screen.query_one(PostTable).posts]


async def test_label_field_and_the_labels_in_the_sidebar(posts: Path) -> None:
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        table.move_to(titles(app).index("apple 臺灣"))
        await pilot.press("l", *"待讀", "enter")
        await settle(app, pilot)
        # A plain word no longer finds the label; label: does, in either script.
        await pilot.press("slash", *"待读", "enter")
        await settle(app, pilot)
        assert titles(app) == ["Cherry 待读"]
        for query in ("label:待读", "label:待讀"):
            app.screen.query_one("#filter").value = query
            await settle(app, pilot)
            assert titles(app) == ["apple 臺灣"], query
        app.screen.query_one("#filter").value = "-label:待读 is:unread"
        await settle(app, pilot)
        assert "apple 臺灣" not in titles(app) and len(titles(app)) == 3
        app.screen.query_one("#filter").value = "is:labelled"
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣"]
        await pilot.press("escape", "B")
        await settle(app, pilot)
        await pilot.pause(0.6)  # the counts come from a worker
        await settle(app, pilot)
        sidebar = app.screen.query_one(SavedSearches)
        rows = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert rows[-2].split() == ["Labels", "stories"]
        assert rows[-1].split() == ["待讀", "1"]
        assert sidebar.highlighted == 1  # All posts, from the start
        await pilot.press("j", "j", "j", "j", "enter")  # down past the heading to the label
        await settle(app, pilot)
        assert app.screen.query_one("#filter").value == "label:待讀"
        assert titles(app) == ["apple 臺灣"]


async def test_one_search_for_both_scripts_in_the_filter_bar(posts: Path) -> None:
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        for query in ("台湾", "台灣", "臺灣"):
            app.screen.query_one("#filter").value = query
            await settle(app, pilot)
            assert titles(app) == ["date 台灣", "apple 臺灣", "Banana 台湾"], query


async def test_sorting_holds_through_filtering_and_rescans(posts: Path) -> None:
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert titles(app)[0] == "date 台灣"  # newest first
        await pilot.press("O")  # title A to Z
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣", "Banana 台湾", "Cherry 待读", "date 台灣"]
        assert "Title ▲" in app.screen.query_one(PostTable).render_line(0).text
        assert "title A→Z" in app.screen.query_one(StatusBar).counts
        await pilot.press("slash", *"台", "enter")
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣", "Banana 台湾", "date 台灣"]
        await pilot.press("I")  # reversed
        await settle(app, pilot)
        assert titles(app) == ["date 台灣", "Banana 台湾", "apple 臺灣"]
        write_post(posts, "e.md", "Elder 台北", "2020-01-01")
        await pilot.press("R")  # a rescan keeps the order
        for _ in range(20):
            await settle(app, pilot)
            if len(titles(app)) == 4:
                break
            await pilot.pause(0.1)
        assert titles(app) == ["Elder 台北", "date 台灣", "Banana 台湾", "apple 臺灣"]
        await pilot.press("O", "O")  # source, then author: ties stay newest first
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣", "Banana 台湾", "Elder 台北", "date 台灣"]
        assert "author A→Z" in app.screen.query_one(StatusBar).counts


async def test_sort_from_the_config_and_a_header_click(posts: Path) -> None:
    app = make_app(posts, Config(sort="-date"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert titles(app) == ["Banana 台湾", "apple 臺灣", "Cherry 待读", "date 台灣"]
        table = app.screen.query_one(PostTable)
        assert "Date ▲" in table.render_line(0).text
        header = table.render_line(0).text
        await pilot.click(PostTable, offset=(header.index("Title") + 1, 0))
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣", "Banana 台湾", "Cherry 待读", "date 台灣"]
        await pilot.press("slash", *"a", "enter")  # the next keystroke keeps the click's order
        await settle(app, pilot)
        assert titles(app) == ["apple 臺灣", "Banana 台湾", "date 台灣"]
        assert "Title ▲" in table.render_line(0).text


async def test_saved_search_names_in_chinese_and_a_refused_name(
    posts: Path, tmp_path: Path
) -> None:
    config_path = tmp_path / "config.toml"
    app = make_app(posts, Config(path=config_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"臺灣", "enter", "S")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"台灣 要聞", "enter")
        await settle(app, pilot)
        # Refused: the dialog stays, says why, and what is typed next goes into it.
        assert isinstance(app.screen, PromptScreen)
        assert "space" in str(app.screen.query_one("#prompt-problem").render())
        await pilot.press("u")  # would be undo on the table
        assert isinstance(app.screen, PromptScreen)
        prompt = app.screen.query_one("Input")
        prompt.value = "台灣要聞"
        await pilot.press("enter")
        await settle(app, pilot)
        assert not isinstance(app.screen, PromptScreen)
        app.screen.query_one("#filter").value = "@台灣要聞"
        await settle(app, pilot)
        assert titles(app) == ["date 台灣", "apple 臺灣", "Banana 台湾"]
    assert load(config_path).searches == {"台灣要聞": "臺灣"}


async def test_chinese_in_one_script_and_the_reader_toggle(posts: Path) -> None:
    app = make_app(posts, Config(chinese="t2s"))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        shown = "\n".join(table.render_line(y).text for y in range(1, 5))
        assert "apple 台湾" in shown and "臺灣" not in shown  # titles shown in Simplified
        table.move_to(titles(app).index("apple 臺灣"))
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        article = app.screen.query_one(ArticleView)
        assert "头发与发展" in article.markdown
        await pilot.press("T")  # as written, for this post
        await settle(app, pilot)
        assert "頭髮與發展" in article.markdown
    assert "頭髮與發展" in (posts / "b.md").read_text(encoding="utf-8")
