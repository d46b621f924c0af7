"""One failure path: an exception in any background worker becomes one status line and a
traceback in the log under the XDG state folder, and the app keeps running."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app
from tests.test_live_reload import watching
from tui import failures
from tui.index.fulltext import FullTextIndex
from tui.query import QueryEngine
from tui.repository import Repository
from tui.screens.main import MainScreen
from tui.widgets.status import StatusBar

BOOM = "injected failure 7f3a [b]not markup[/b]"


def boom(*args: object, **kwargs: object) -> None:
    raise RuntimeError(BOOM)


async def until(pilot, done: Callable[[], bool], tries: int = 300) -> None:
    """Poll (up to ~15 s): a failed worker would make settle() raise, so it cannot be used."""
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.05)


def logged() -> str:
    path = failures.log_path()
    return path.read_text(encoding="utf-8") if path.exists() else ""


def main_screen(app) -> MainScreen:
    return next(screen for screen in app.screen_stack if isinstance(screen, MainScreen))


async def loaded(app, pilot) -> None:
    """The whole list is shown and filterable: no list is coming that a patch could break on the
    UI thread (the first rows come before the whole list, and the same 3 posts again)."""

    def done() -> bool:
        screen = main_screen(app)
        engine = screen.filtering.engine
        whole = not screen.filtering.partial and engine is not None and engine.ready
        return whole and len(screen.table.posts) == 3

    await until(pilot, done)
    assert done(), "the posts were never all listed"


async def bodies_ready(app, pilot) -> None:
    await until(pilot, lambda: main_screen(app).body_index.ready)


async def nothing(app, pilot, monkeypatch) -> None:
    pass


async def new_file(app, pilot, monkeypatch) -> None:
    await loaded(app, pilot)
    await until(pilot, lambda: watching(main_screen(app).loader.watcher))
    write_post(Path(app.repo.root), "new.md", "A new post", "2021-01-04")


async def body_search(app, pilot, monkeypatch) -> None:
    await bodies_ready(app, pilot)
    monkeypatch.setattr(FullTextIndex, "positions", boom)
    await pilot.press("slash", *"body:rain")


async def sidebar(app, pilot, monkeypatch) -> None:
    await loaded(app, pilot)
    monkeypatch.setattr(QueryEngine, "filter", boom)
    await pilot.press("B")


def after_render_fails(*keys: str) -> Callable[..., Awaitable[None]]:
    async def act(app, pilot, monkeypatch) -> None:
        await loaded(app, pilot)
        if keys[0] == "z":
            await pilot.press("z")
        monkeypatch.setattr(Repository, "render", boom)
        await pilot.press(*keys[keys[0] == "z" :])

    return act


# description of the worker → (what to break before the app starts, what to do once it runs)
CASES: dict[str, tuple[tuple[type, str] | None, Callable[..., Awaitable[None]]]] = {
    "loading the archive": ((Repository, "load_newest"), nothing),
    "reading changed posts": ((Repository, "update_paths"), new_file),
    "indexing bodies": ((Repository, "update_fulltext"), nothing),
    "preparing body search": ((FullTextIndex, "prepare"), nothing),
    "searching bodies": (None, body_search),
    "counting saved searches": (None, sidebar),
    "rendering the post": (None, after_render_fails("j")),
    "preparing the post": (None, after_render_fails("z", "j")),
    "copying a post": (None, after_render_fails("Y")),
    "piping a post": (None, after_render_fails("vertical_line", *"cat", "enter")),
}


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(root, "a.md", "Markets today", "2021-01-01", "<p>香港 stocks rose.</p>")
    write_post(root, "b.md", "Weather", "2021-01-02", "<p>Rain and a typhoon warning.</p>")
    write_post(root, "c.md", "News", "2021-01-03", "<p>Nothing much.</p>")
    return root


@pytest.mark.parametrize("description", list(CASES))
async def test_a_failing_worker_is_reported_and_the_app_runs_on(
    description: str, posts: Path, monkeypatch: pytest.MonkeyPatch, no_delays: None
) -> None:
    broken, act = CASES[description]
    if broken is not None:
        monkeypatch.setattr(*broken, boom)
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        await act(app, pilot, monkeypatch)
        await until(pilot, lambda: f": {description}\n" in logged())
        log = logged()
        assert f": {description}\n" in log and "Traceback" in log and BOOM in log
        status = main_screen(app).query_one(StatusBar)
        await until(pilot, lambda: "failed" in status.failure)
        # One line, as text; another worker broken by the same patch may have written it last.
        assert status.failure.endswith(f" failed: RuntimeError: {BOOM} (see {failures.log_path()})")
        assert app.is_running
        await pilot.press("question_mark")  # still answers keys
        await pilot.press("escape")
        assert app.is_running
