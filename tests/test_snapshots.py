"""SVG snapshots of the main states of the app over sample_posts/, at 80x24 and 120x40.

Update them after a deliberate change with `pytest tests/test_snapshots.py --snapshot-update`,
then look at the SVGs in tests/__snapshots__/ (or the report pytest writes on a failure).
"""

from __future__ import annotations

import os
import time
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from tests.conftest import workers_done, write_post
from tui.app import NewsApp
from tui.config import Config
from tui.repository import Repository
from tui.screens.main import MainScreen

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}

# Each state: the keys pressed, one at a time, after the archive has loaded.
STATES: dict[str, tuple[str, ...]] = {
    "main": (),
    "filter": ("slash", "t", "h", "e"),  # "the" matches four titles
    "reader": ("enter",),
    "help": ("question_mark",),
    "star_select": ("s", "x"),
    "below": ("v",),
    "zoom": ("z",),
    "link": ("enter", "1"),  # over the archive with the linked post on top
}

LINKED_POST_BODY = (
    "<p>The harbour board published <a href='https://harbour.example/report-2025'>its report"
    "</a> on Monday.</p><p>Ferries run every hour until the new pier opens.</p>"
)


@pytest.fixture
def utc() -> Iterator[None]:
    """Dates are shown in local time: pin the zone so the snapshots match on every machine."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if old is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = old
    time.tzset()


@pytest.fixture(autouse=True)
def _steady(no_delays: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every picture here is of the same moment: timers fire at once (conftest.no_delays), no
    live-reload watcher races the first scan, and no toast is on screen."""
    from textual.app import App

    from tui.watch import FolderWatcher

    monkeypatch.setattr(FolderWatcher, "start", lambda self: None)
    monkeypatch.setattr(App, "notify", lambda self, *args, **kwargs: None)


def with_linked_post(root: Path) -> Path:
    """No sample post keeps an article link through boilerplate removal: add one, newest first."""
    write_post(
        root,
        "2025/01/2025-01-06-harbour-report.md",
        "Harbour Board Publishes Its Ferry Report",
        "2025-01-06T09:00:00Z",
        LINKED_POST_BODY,
        author="Harbour Desk",
        **{"from": "https://harbour.example/news/ferry-report"},
    )
    return root


async def settle(pilot: Pilot, timers: bool = False) -> None:
    """Wait for every worker (loading, rendering); with `timers`, first for the preview and
    sparkline timers that a cursor move or a new filter starts."""
    if timers:
        await pilot.pause(0.05)
    for _ in range(3):
        await workers_done(pilot.app)
        await pilot.pause()


def steps(keys: tuple[str, ...]) -> Callable[[Pilot], Awaitable[None]]:
    async def run_before(pilot: Pilot) -> None:
        app = pilot.app
        await settle(pilot, timers=True)
        main = next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))
        # The header shows the archive's absolute path, which is a new temporary folder each run.
        main.status.archive = "sample_posts"
        for key in keys:
            for field in app.screen.query(Input):
                field.cursor_blink = False
            await pilot.press(key)
            await settle(pilot)
        for field in app.screen.query(Input):
            field.cursor_blink = False
        # Toasts time out on their own clock: on a slow run one may be gone before the screenshot.
        app.clear_notifications()
        await settle(pilot, timers=bool(keys))

    return run_before


@pytest.mark.parametrize("size", SIZES.values(), ids=SIZES.keys())
@pytest.mark.parametrize("state", STATES)
def test_snapshot(state: str, size: tuple[int, int], sample: Path, utc: None, snap_compare) -> None:
    root = with_linked_post(sample) if state == "link" else sample
    app = NewsApp(Repository(root), Config())
    assert snap_compare(app, terminal_size=size, run_before=steps(STATES[state]))
