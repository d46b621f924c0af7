"""Saved searches: the sidebar with unread counts, @name in queries, and S saving the filter to the config."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui.config import Config, load
from tui.screens.dialogs import PromptScreen
from tui.widgets.post_table import PostTable
from tui.widgets.saved_searches import SavedSearches


def make_archive(root: Path) -> None:
    write_post(root, "a.md", "香港 markets", "2021-01-01")
    write_post(root, "b.md", "香港 weather", "2021-01-02")
    write_post(root, "c.md", "Taipei weather", "2021-01-03")


async def test_sidebar_counts_unread_and_picks_a_search(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    make_archive(root)
    app = make_app(root, Config(searches={"hk": "香港"}))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("r")  # the newest (c.md) is read now
        await pilot.press("B")
        await settle(app, pilot)
        sidebar = app.screen.query_one(SavedSearches)
        assert sidebar.display and app.focused is sidebar
        labels = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        assert labels[0].split() == ["Searches", "unread"]  # what the counts are
        assert labels[1].startswith("All posts") and labels[1].split()[-1] == "2"
        assert sidebar.highlighted == 1  # from the start
        assert labels[-1].startswith("hk") and labels[-1].split()[-1] == "2"
        await pilot.press("end", "enter")
        assert app.screen.query_one("#filter").value == "@hk"
        assert sorted(p.path for p in table.posts) == ["a.md", "b.md"]
        assert app.focused is table


async def test_S_saves_the_filter_to_the_config(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    make_archive(root)
    config_path = tmp_path / "config.toml"
    config_path.write_text('# mine\ntheme = "nord"\n', encoding="utf-8")
    app = make_app(root, Config(path=config_path))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash", *"weather", "enter", "S")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"wx", "enter")
        await settle(app, pilot)
    saved = load(config_path)
    assert saved.problem is None
    assert saved.searches == {"wx": "weather"} and saved.theme == "nord"
    assert config_path.read_text(encoding="utf-8").startswith("# mine\n")


async def test_body_searches_are_recounted_once_bodies_are_indexed(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    make_archive(root)
    write_post(root, "d.md", "Rain", "2021-01-04", "<p>A typhoon warning.</p>")
    config = Config(searches={"storm": "body:typhoon"}, index_bodies=False)
    app = make_app(root, config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("B")
        await settle(app, pilot)
        sidebar = app.screen.query_one(SavedSearches)

        def storm() -> str:
            return str(sidebar.get_option_at_index(sidebar.option_count - 1).prompt).split()[-1]

        assert storm() == "0"  # no body index yet: body: searches titles
        await pilot.press("slash", *"body:typhoon")  # the first body: query builds the index
        for _ in range(50):
            await settle(app, pilot)
            await pilot.pause(0.1)
            if storm() == "1":
                break
        assert storm() == "1"
