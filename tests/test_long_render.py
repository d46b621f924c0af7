"""A render that takes long (a pathological post) says "rendering…" where the post will be,
never leaves another post's text there, and never holds up quitting."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app
from tui.repository import Repository
from tui.widgets.article import ArticleView


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(root, "a.md", "Newest post", "2021-01-03", "<p>Quick to draw.</p>")
    write_post(root, "b.md", "The long one", "2021-01-02", "<p>Takes for ever.</p>")
    return root


async def until(pilot, done: Callable[[], bool], tries: int = 300) -> None:
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.05)


def shown(view: ArticleView) -> str:
    return "\n".join(view.render_line(y).text for y in range(view.size.height))


@pytest.mark.parametrize("where", ["preview", "reader"])
async def test_a_long_render_says_so_and_quit_does_not_wait(
    posts: Path, monkeypatch: pytest.MonkeyPatch, no_delays: None, where: str
) -> None:
    release = threading.Event()  # the long render ends only when the test says so
    render = Repository.render

    def slow(self: Repository, post, **kwargs):
        if post.path == "b.md":
            release.wait(60)
        return render(self, post, **kwargs)

    monkeypatch.setattr(Repository, "render", slow)
    app = make_app(posts)
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            view = app.screen.query_one("#preview", ArticleView)
            await until(pilot, lambda: "Quick to draw" in shown(view))
            await pilot.press("j")
            if where == "reader":
                await pilot.press("enter")
                await until(pilot, lambda: app.screen.query(ArticleView).first() is not view)
                view = app.screen.query_one(ArticleView)
            await until(pilot, lambda: "rendering…" in shown(view))
            assert "rendering…" in shown(view)
            assert "Quick to draw" not in shown(view)  # not the last post's text
            await pilot.press("q")
            if where == "reader":
                await pilot.press("q")
            await until(pilot, lambda: not app.is_running)
            assert not app.is_running  # while the render still runs
            assert not release.is_set()
    finally:
        release.set()
