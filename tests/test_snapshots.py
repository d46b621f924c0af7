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


# A long Chinese essay with Latin words, quotes and ellipses, as scraped essays are written.
CHINESE_ESSAY = "".join(
    f"<p>{paragraph}</p>"
    for paragraph in [
        "我開始學日語是在疫情期間，例如說 YouTube 學習，覺得 Yuta老師的日本語教室講得很清楚，"
        "每一集都不長，適合通勤的時候聽。後來又在 Podcast 上找到「日本語の森」，"
        "每天早上聽一集，慢慢地、一點一點地累積。",
        "有人問我：「為什麼要學日語？」我說不上來……也許是因為喜歡村上春樹，也許是因為"
        "想去京都看看。總之，學習這件事情本身，就是一種讓人安心的日常。"
        "2021 年的時候，我每天花 30 分鐘背單字，用的是 Anki，一共背了 3000 個左右。",
        "語言學家說，成年人學外語最大的障礙不是記憶力，而是害怕犯錯——我們太在意別人"
        "怎麼看。小孩子說錯了就改，說錯了再改，從來不覺得丟臉。這一點，我到現在還在學。",
        "《日本語の森》的老師常說：「語言是用來溝通的，不是用來考試的。」這句話我一直記得。"
        "考過 JLPT N2 之後，我反而更常看日劇、讀小說，而不是做題目。學習的樂趣，"
        "其實就藏在這些看似無用的時間裡。",
        "如果你也想開始，我的建議是：先找一個你喜歡的老師（不管是 YouTube 上的還是"
        "書店裡的），然後每天做一點點，不要中斷。一年以後回頭看，你會驚訝於自己走了多遠！",
    ]
    * 3
)


def with_chinese_essay(root: Path) -> Path:
    write_post(
        root,
        "2025/02/2025-02-01-學日語.md",
        "我在疫情期間學日語的一年：YouTube、Podcast 與「日本語の森」",
        "2025-02-01T09:00:00Z",
        CHINESE_ESSAY,
        author="讀者來稿",
    )
    return root


CLOSING = "。，、；：？！」』）》】”’…"


def test_chinese_essay_snapshot(sample: Path, utc: None, snap_compare) -> None:
    """A long Chinese post at 80x24, a few screens down: set as Chinese typesetting sets it."""
    app = NewsApp(Repository(with_chinese_essay(sample)), Config())
    steps_ = steps(("enter", "space", "space"))
    assert snap_compare(app, terminal_size=(80, 24), run_before=steps_)


async def test_chinese_essay_lines(sample: Path, utc: None) -> None:
    """No line of the essay starts with closing punctuation, and no line is left short before a
    run of Chinese that could have started on it."""
    from tui.screens.reader import ReaderScreen

    app = NewsApp(Repository(with_chinese_essay(sample)), Config())
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot, timers=True)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReaderScreen)
        view = app.screen.article
        lines = view.text.split("\n")
        width = view.scrollable_content_region.width
        body = lines[lines.index(next(line for line in lines if line.startswith("我開始"))) :]
        assert len(body) > 40
        for line, following in zip(body, body[1:], strict=False):
            assert not following[:1] or following[0] not in CLOSING, (line, following)
            if following and "\u4e00" <= following[0] <= "\u9fff":
                # The next line's first character would not have fitted on this one.
                from rich.cells import cell_len

                assert (
                    cell_len(line.rstrip()) + 2 > width - 2 or line.rstrip()[-1:] in "「『（《“"
                ), (
                    line,
                    following,
                )
