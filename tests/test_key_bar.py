"""The footer's key bar: the focused screen's keys, kept current, and clickable."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import workers_done
from tui.app import NewsApp
from tui.config import Config
from tui.repository import Repository
from tui.screens.help import HelpScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.key_bar import KeyBar


def bar_text(app: NewsApp) -> str:
    return str(app.screen.query_one(KeyBar).render())


async def test_key_bar_follows_the_screen_and_the_focus(sample: Path) -> None:
    app = NewsApp(Repository(sample), Config())
    async with app.run_test(size=(120, 30)) as pilot:
        await workers_done(app)
        await pilot.pause()
        text = bar_text(app)
        assert text.startswith(" ? Help  q Quit  / Filter ")
        assert "Clear" not in text  # bindings with show=False stay out
        await pilot.press("enter")
        await workers_done(app)
        assert isinstance(app.screen, ReaderScreen)
        assert " esc Back " in bar_text(app) and "Quit" not in bar_text(app)
        await pilot.press("escape", "slash")
        await pilot.pause()
        assert bar_text(app) != text  # typing a filter: the table's keys do not apply


async def test_clicking_a_key_presses_it(sample: Path) -> None:
    app = NewsApp(Repository(sample), Config())
    async with app.run_test(size=(120, 30)) as pilot:
        await workers_done(app)
        await pilot.pause()
        await pilot.click(KeyBar, offset=(2, 0))  # on "? Help"
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
