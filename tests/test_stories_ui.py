"""Stories in the app (Pilot): one row per story, triage on every copy, counts that agree with `newstui list --stories`."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from textual.widgets import Input

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tests.test_live_reload import wait_until, watching
from tests.twins import FILES, STORIES, write_twins
from tui.app import NewsApp
from tui.cli import main as cli
from tui.screens.main import MainScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView
from tui.widgets.post_table import PostTable
from tui.widgets.saved_searches import SavedSearches
from tui.widgets.status import StatusBar
from tui.widgets.timeline import Timeline

SIZE = (120, 40)
VIDEO, ESSAY, LONE, MARKET, OTHER = STORIES


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    return write_twins(tmp_path / "posts")


def main(app: NewsApp) -> MainScreen:
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def table(app: NewsApp) -> PostTable:
    return main(app).query_one(PostTable)


def shown(app: NewsApp) -> list[str]:
    return [post.title for post in table(app).posts]


def counts(app: NewsApp) -> str:
    return main(app).query_one(StatusBar).counts


def listed(capsys, root: Path, query: str = "", *, stories: bool = True) -> list[dict]:
    """`newstui list` (--stories unless told) as JSON, run in this process (the app has
    Textual's capture on sys.stdout, so the output is caught here)."""
    more = ["--stories"] if stories else []
    out = io.StringIO()
    with redirect_stdout(out):
        assert cli(["list", str(root), "--format", "json", f"--query={query}", *more]) == 0
    return json.loads(out.getvalue())


def expected_counts(capsys, root: Path, query: str = "") -> str:
    """The status line's counts for the default view (archived hidden), from list --stories."""
    rows = listed(capsys, root, f"{query} -is:archived".strip())
    unread = sum(not row["read"] for row in rows)
    starred = sum(row["starred"] for row in rows)
    text = f"{len(rows)} of {len(STORIES)} posts · {unread} unread"
    return text + (f" · {starred} starred" if starred else "")


async def goto(app: NewsApp, pilot, title: str) -> None:
    table(app).move_to(shown(app).index(title))
    await pilot.pause()


async def filter_to(app: NewsApp, pilot, text: str) -> None:
    await pilot.press("slash")
    field = app.focused
    assert isinstance(field, Input)
    field.value = text
    await pilot.press("enter")
    await settle(app, pilot)


async def test_one_row_per_story_newest_copy_with_a_mark(twins: Path, capsys) -> None:
    app = make_app(twins)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert shown(app) == STORIES
        screen = main(app)
        assert [screen.flags_for(post).copies for post in table(app).posts] == [6, 2, 1, 2, 1]
        assert table(app).posts[0].path == "_posts/2021-12-31-video.md"  # the newest copy
        assert counts(app).startswith(expected_counts(capsys, twins))
        timeline = app.screen.query_one(Timeline)
        await wait_until(app, pilot, lambda: bool(timeline.data))  # drawn once typing pauses
        assert sum(timeline.data) == len(STORIES)
        line = table(app).render_line(1).text  # row 0 is the header
        assert "×6" in line and VIDEO in line
        lone = table(app).render_line(3).text
        assert "×" not in lone and LONE in lone
        # The sidebar's unread counts are stories too.
        await pilot.press("B")
        await settle(app, pilot)
        sidebar = main(app).query_one(SavedSearches)
        prompts = [str(sidebar.get_option_at_index(i).prompt) for i in range(sidebar.option_count)]
        unread = {
            text.rsplit(maxsplit=1)[0].strip(): int(text.split()[-1])
            for text in prompts
            if text.split()[-1].isdigit()  # not the heading
        }
        assert unread["All posts"] == unread["Unread"] == len(STORIES)
        assert len(listed(capsys, twins, "is:unread -is:archived")) == len(STORIES)


async def test_every_triage_key_reaches_every_copy(twins: Path, capsys) -> None:
    app = make_app(twins)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")  # star the video story
        files = listed(capsys, twins, stories=False)
        assert sorted(r["path"] for r in files if r["starred"]) == sorted(
            rel for rel, title, *_ in FILES if "Video" in title
        )
        await goto(app, pilot, ESSAY)
        await pilot.press("r", "l")
        field = app.focused
        assert isinstance(field, Input)
        field.value = "keep"
        await pilot.press("enter")
        await settle(app, pilot)
        files = listed(capsys, twins, stories=False)
        essay = [r for r in files if "essay" in r["path"]]
        assert len(essay) == 2 and all(r["read"] and r["labels"] == ["keep"] for r in essay)
        assert counts(app).startswith(expected_counts(capsys, twins))
        # A label is found once in the app and by list --stories, on both files by list.
        await filter_to(app, pilot, "label:keep")
        assert shown(app) == [ESSAY]
        assert [r["title"] for r in listed(capsys, twins, "label:keep")] == [ESSAY]
        assert len(listed(capsys, twins, "label:keep", stories=False)) == 2

        # Select the market stories, archive them: every copy, and none is shown again.
        await filter_to(app, pilot, "market")
        assert shown(app) == [LONE, MARKET]
        await pilot.press("asterisk")
        assert "2 selected" in counts(app)
        await pilot.press("e")
        await settle(app, pilot)
        assert shown(app) == []
        assert counts(app).startswith(expected_counts(capsys, twins, "market"))
        await pilot.press("escape")  # the selection went with the archived rows: clears the filter
        await settle(app, pilot)
        assert shown(app) == [VIDEO, ESSAY, OTHER]
        assert counts(app).startswith(expected_counts(capsys, twins))
        for query in ("Market wrap", "path:archived/", "copy"):
            await filter_to(app, pilot, query)
            assert MARKET not in shown(app)
        archived = [r["path"] for r in listed(capsys, twins, "is:archived", stories=False)]
        assert sorted(archived) == sorted(rel for rel, title, *_ in FILES if "arket" in title)

        await pilot.press("escape", "u")  # undo the archive: both stories and their files
        await settle(app, pilot)
        assert shown(app) == STORIES
        assert listed(capsys, twins, "is:archived", stories=False) == []

        # n / N skip read stories; A marks every copy of every shown story read.
        table(app).move_to(0)
        await pilot.press("n")
        assert table(app).current_post.title == LONE  # the essay is read
        await pilot.press("N")
        assert table(app).current_post.title == VIDEO
        await pilot.press("A")
        await settle(app, pilot)
        assert "0 unread" in counts(app)
        assert counts(app).startswith(expected_counts(capsys, twins))
        assert all(row["read"] for row in listed(capsys, twins, stories=False))
        await pilot.press("u")  # undo: every file unread again, but the essay
        await settle(app, pilot)
        unread = [r["path"] for r in listed(capsys, twins, "is:unread", stories=False)]
        assert len(unread) == len(FILES) - 2


async def test_the_reader_shows_one_copy_and_cycles_through_them(twins: Path) -> None:
    app = make_app(twins)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        status = reader.query_one(StatusBar)
        videos = [rel for rel, title, *_ in FILES if "Video" in title]
        assert "copy 1 of 6" in status.counts
        assert status.archive.startswith(videos[0])
        for n in range(2, 8):
            await pilot.press("c")
            await settle(app, pilot)
            index = (n - 1) % 6
            assert f"copy {index + 1} of 6" in status.counts
            assert status.archive == f"{videos[index]} · 2021-12-{FILES_DAY[videos[index]]}"
            assert reader.query_one(ArticleView).shown_key == videos[index]
        await pilot.press("J")  # the next story starts at its newest copy
        await settle(app, pilot)
        assert "2 of 5 · copy 1 of 2" in status.counts
        await pilot.press("J")  # a lone file says nothing of copies
        await settle(app, pilot)
        assert "copy" not in status.counts and status.archive == ""
        await pilot.press("c")
        assert "copy" not in status.counts


FILES_DAY = {rel: date[8:10] for rel, _title, date, _url in FILES}


async def test_live_reload_keeps_stories_right(twins: Path) -> None:
    app = make_app(twins)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await wait_until(app, pilot, lambda: watching(main(app).loader.watcher))
        url = "https://essay.example.org/2021/12/essay?utm_campaign=x"
        newer = write_post(
            twins, "_posts/2022-01-02-essay.md", "Essay, revised", "2022-01-02", **{"from": url}
        )
        await wait_until(app, pilot, lambda: "Essay, revised" in shown(app))
        assert shown(app) == ["Essay, revised", VIDEO, LONE, MARKET, OTHER]
        assert main(app).flags_for(table(app).posts[0]).copies == 3
        newer.unlink()
        await wait_until(app, pilot, lambda: "Essay, revised" not in shown(app))
        assert shown(app) == STORIES
        assert main(app).flags_for(table(app).posts[1]).copies == 2
        # A copy whose url changes leaves its story and becomes one of its own.
        write_post(
            twins,
            "archived/2021-12-30/essay.md",
            "Essay, another article",
            "2021-12-30T09:00:00Z",
            **{"from": "https://essay.example.org/2021/12/another"},
        )
        await wait_until(app, pilot, lambda: "Essay, another article" in shown(app))
        assert shown(app) == [VIDEO, ESSAY, "Essay, another article", LONE, MARKET, OTHER]
        assert main(app).flags_for(table(app).posts[1]).copies == 1


async def test_export_takes_the_selected_stories(twins: Path, monkeypatch) -> None:
    from tui.screens import export

    exported: list[list[str]] = []
    monkeypatch.setattr(
        export, "export_posts", lambda _s, posts, *_a: exported.append([p.title for p in posts])
    )
    app = make_app(twins)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("x", "j", "x")  # the video and the lone post
        await filter_to(app, pilot, "market")  # the lone post still shown, the video hidden
        await main(app).run_action("export")
        assert exported == [[LONE, VIDEO]]
