"""The preview draws the first screen of a long post at once and the rest only once the cursor
has rested on it; opening the reader stops it, so the reader is not slowed by a second drawing
of the same 700 KB post (Pilot)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app
from tui import repository
from tui.repository import Repository
from tui.screens import main as main_screen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(root, "a.md", "Newest post", "2021-01-03", "<p>Short.</p>")
    long_body = "".join(f"<p>第{n}段。长文本。</p>" for n in range(200)) + "<p>ENDMARK</p>"
    write_post(root, "b.md", "The long one", "2021-01-02", long_body)
    return root


async def until(pilot, done: Callable[[], bool], tries: int = 400) -> None:
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


async def test_the_rest_of_a_long_post_waits_and_the_reader_stops_it(
    posts: Path, monkeypatch: pytest.MonkeyPatch, no_delays: None
) -> None:
    monkeypatch.setattr(main_screen, "PREVIEW_REST", 60.0)  # rests "for ever" in this test
    monkeypatch.setattr(repository, "QUICK_BODY", 500)  # b.md is a long post (its rest is cut)
    whole: list[str] = []  # posts read in full (not only their beginning)
    render = Repository.render

    def spy(self: Repository, post, *, quick: bool = False):
        if not quick:
            whole.append(post.path)
        return render(self, post, quick=quick)

    monkeypatch.setattr(Repository, "render", spy)
    app = make_app(posts)
    async with app.run_test(size=(100, 30)) as pilot:
        preview = app.screen.query_one("#preview", ArticleView)
        await until(pilot, lambda: "Short." in preview.text)
        await pilot.press("j")
        await until(pilot, lambda: "第0段" in preview.text)
        await pilot.pause(0.3)
        assert "b.md" not in whole  # the first screen only, while the cursor rests
        assert "ENDMARK" not in preview.text

        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ReaderScreen))
        reader = app.screen.query_one(ArticleView)
        await until(pilot, lambda: "ENDMARK" in reader.text)
        assert whole == ["b.md"]  # by the reader alone: the preview's drawing was stopped
        assert preview.shown_key is None  # to be drawn again when the table shows

        preview.rest_after = 0.0
        await pilot.press("escape")
        await until(pilot, lambda: "ENDMARK" in preview.text)
