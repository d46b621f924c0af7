"""The filter while posts are still coming (Pilot): it answers over those listed so far, says so,
grows as batches arrive and keeps the cursor on its post."""

from __future__ import annotations

import queue
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app
from tui.files import parse_file
from tui.index import RefreshResult
from tui.model import Post
from tui.repository import Repository
from tui.screens.loader import EngineReady, stories_loaded
from tui.stories import group
from tui.widgets.post_table import PostTable
from tui.widgets.status import StatusBar


async def until(pilot, done: Callable[[], bool], tries: int = 300) -> None:
    for _ in range(tries):
        if done():
            return
        await pilot.pause(0.05)
    raise AssertionError("timed out")


@pytest.fixture
def batches(tmp_path: Path) -> tuple[Path, list[list[Post]]]:
    """Three batches of four posts, as a cold index hands them out; the second batch holds the
    newest posts, so its rows go above those of the first."""
    root = tmp_path / "posts"
    days = {0: [10, 11, 12, 13], 1: [20, 21, 22, 23], 2: [1, 2, 3, 4]}
    found: list[list[Post]] = []
    for batch, dates in days.items():
        posts = []
        for day in dates:
            rel = f"b{batch}/2024-05-{day:02d}-p.md"
            market = "market" if day % 2 == 0 else "weather"
            write_post(root, rel, f"{market} news of May {day}", f"2024-05-{day:02d}")
            posts.append(parse_file(root, rel, with_body=False).post)
        found.append(posts)
    return root, found


async def test_the_filter_answers_over_what_is_listed_so_far(
    batches: tuple[Path, list[list[Post]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, posts = batches
    gate: queue.Queue[None] = queue.Queue()  # one item lets one batch through

    def refresh(self: Repository, *, on_batch=None, progress=None, is_cancelled=None):
        result = RefreshResult()
        for done, batch in enumerate(posts, 1):
            while True:  # wait for the test, but end with the app
                if is_cancelled and is_cancelled():
                    return result
                try:
                    gate.get(timeout=0.05)
                    break
                except queue.Empty:
                    continue
            result.added += batch
            on_batch(batch)
            progress(4 * done, 12)
        self._apply(result)
        return result

    monkeypatch.setattr(Repository, "refresh", refresh)
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.screen.query_one(StatusBar)
        table = app.screen.query_one(PostTable)
        # Before the first batch: nothing listed yet, and the table does not say "No posts match".
        await until(pilot, lambda: bool(status.counts))
        assert status.counts.startswith("0 of 0 posts listed so far")
        drawn = [table.render_line(y).text for y in range(table.size.height)]
        assert any("Looking for posts…" in line for line in drawn)
        gate.put(None)
        await until(pilot, lambda: len(table.posts) == 4)
        await pilot.press("slash", *"market")
        await until(pilot, lambda: status.counts.startswith("2 of 4 posts listed so far"))
        assert [post.title for post in table.posts] == [
            "market news of May 12",
            "market news of May 10",
        ]
        # Back to the table, on the second match; the next batch brings newer matches.
        await pilot.press("enter", "j")
        assert table.current_post is not None and table.current_post.title.endswith("May 10")
        gate.put(None)
        await until(pilot, lambda: len(table.posts) == 4)
        assert status.counts.startswith("4 of 8 posts listed so far, ~12 in all")
        assert [post.title[-6:] for post in table.posts] == ["May 22", "May 20", "May 12", "May 10"]
        assert table.current_post.title.endswith("May 10")  # the cursor stayed on its post
        # The last batch: the whole list, no longer partial.
        gate.put(None)
        await until(pilot, lambda: "listed" not in status.counts and len(table.posts) == 6)
        assert status.counts.startswith("6 of 12 posts")
        assert table.current_post.title.endswith("May 10")
        # Clearing the filter shows the whole list.
        await pilot.press("slash", *["backspace"] * 6)
        await until(pilot, lambda: status.counts.startswith("12 of 12 posts"))


async def test_until_a_new_list_can_search_the_filter_answers_from_the_last_that_can(
    tmp_path: Path,
) -> None:
    """A list is shown before its engine is prepared (a million posts take about a second): the
    filter meanwhile answers from the list before it and says so, then from the new one."""
    root = tmp_path / "posts"
    write_post(root, "a.md", "market news", "2024-05-01")
    write_post(root, "b.md", "weather news", "2024-05-02")
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.screen.query_one(StatusBar)
        table = app.screen.query_one(PostTable)
        await until(pilot, lambda: status.counts.startswith("2 of 2 posts"))
        await pilot.press("slash", *"market")
        await until(pilot, lambda: status.counts.startswith("1 of 2 posts"))
        old = list(table.posts)
        newer = [
            Post(
                f"n{day}.md", f"n{day}.md", f"market day {day}", datetime(2024, 6, day, tzinfo=UTC)
            )
            for day in (1, 2, 3)
        ]
        loaded = stories_loaded(group(newer + app.screen.filtering.posts), version=None)
        assert loaded.engine is not None and not loaded.engine.ready
        app.screen.post_message(loaded)
        await until(pilot, lambda: len(app.screen.filtering.posts) == 5)
        await pilot.press("backspace", "t")  # the same query, typed again
        await until(pilot, lambda: status.counts.startswith("1 of 2 posts listed so far"))
        assert list(table.posts) == old
        loaded.engine.prepare()
        app.screen.post_message(EngineReady(loaded.engine))
        await until(pilot, lambda: status.counts.startswith("4 of 5 posts"))
        assert "listed" not in status.counts


async def test_a_reopen_after_an_interrupted_index_says_the_list_is_not_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """newstui quit during its cold index: what the index holds is listed "so far", with the
    files its walk had found as the estimate, until the refresh has listed every file."""
    from tui.index import IndexCache

    root = tmp_path / "posts"
    for day in range(1, 7):
        write_post(root, f"2024/05/{day:02d}-p.md", f"news of May {day}", f"2024-05-{day:02d}")
    cache = IndexCache(root)
    cache.batch_size = 2
    cache.refresh(is_cancelled=lambda: True)  # quit after the first batch
    # ...by which time its walk had found four of the six files.
    cache._conn.execute("UPDATE meta SET value = '4' WHERE key = 'walk'")
    cache.close()
    gate: queue.Queue[None] = queue.Queue()
    real_refresh = Repository.refresh

    def refresh(self: Repository, **options):  # type: ignore[no-untyped-def]
        gate.get(timeout=30)
        return real_refresh(self, **options)

    monkeypatch.setattr(Repository, "refresh", refresh)
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.screen.query_one(StatusBar)
        await until(pilot, lambda: status.counts.startswith("2 of 2 posts"))
        assert status.counts.startswith("2 of 2 posts listed so far, ~4 in all")
        gate.put(None)
        # (The refresh's batch may show "6 of 6 posts listed so far" just before the whole list.)
        await until(
            pilot,
            lambda: status.counts.startswith("6 of 6 posts") and "listed" not in status.counts,
        )


async def test_an_empty_folder_says_so_once_it_is_walked(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    (root / "2024").mkdir(parents=True)
    app = make_app(root)
    async with app.run_test(size=(100, 20)) as pilot:
        status = app.screen.query_one(StatusBar)
        table = app.screen.query_one(PostTable)
        await until(pilot, lambda: status.counts.startswith("0 of 0 posts ·"))
        await pilot.pause()
        drawn = [table.render_line(y).text for y in range(table.size.height)]
        assert any("No posts in this folder" in line for line in drawn)


async def test_the_whole_list_is_read_once_the_first_rows_are_on_screen(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm start reads the whole list only after the first rows are drawn: read at once, it
    shared the interpreter with the UI thread drawing them, and made them later."""
    from tui.screens import loader

    root = tmp_path / "posts"
    for day in range(1, 6):
        write_post(root, f"2024-05-{day:02d}-p.md", f"news of May {day}", f"2024-05-{day:02d}")
    Repository(root).refresh()  # warm: the index holds every post
    monkeypatch.setattr(loader, "FIRST_ROWS", 2)
    shown_at_load: list[int] = []
    real_load = Repository.load

    def load(self: Repository) -> list[Post]:
        shown_at_load.append(len(app.screen.query_one(PostTable).posts))
        return real_load(self)

    monkeypatch.setattr(Repository, "load", load)
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        table = app.screen.query_one(PostTable)
        await until(pilot, lambda: len(table.posts) == 5)
    assert shown_at_load == [2]  # the two newest were on screen when the rest was read


async def test_the_whole_list_is_drawn_before_its_engine_is_prepared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A warm start prepares the whole list's engine once the list is on screen: prepared
    meanwhile, it shared the interpreter with the UI thread drawing it, and made it later."""
    from tui.query import QueryEngine
    from tui.screens import loader

    root = tmp_path / "posts"
    for day in range(1, 6):
        write_post(root, f"2024-05-{day:02d}-p.md", f"news of May {day}", f"2024-05-{day:02d}")
    Repository(root).refresh()  # warm: the index holds every post
    monkeypatch.setattr(loader, "FIRST_ROWS", 2)
    shown_at_prepare: list[tuple[int, int]] = []
    real_prepare = QueryEngine.prepare

    def prepare(self: QueryEngine) -> None:
        shown_at_prepare.append((len(self.posts), len(app.screen.query_one(PostTable).posts)))
        real_prepare(self)

    monkeypatch.setattr(QueryEngine, "prepare", prepare)
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        await until(pilot, lambda: len(shown_at_prepare) == 2)
    assert shown_at_prepare[1] == (5, 5)  # the whole list was on screen


async def test_no_table_update_just_before_the_whole_list(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A cold index whose next-to-last batch leaves a few files to parse: no update of the table
    for it (a second engine over nearly every post); the whole list follows at once."""
    from tui.screens import loader
    from tui.screens.loader import ArchiveLoader

    root = tmp_path / "posts"
    posts: list[Post] = []
    for day in range(1, 14):
        rel = f"2024-05-{day:02d}-p.md"
        write_post(root, rel, f"news of May {day}", f"2024-05-{day:02d}")
        posts.append(parse_file(root, rel, with_body=False).post)
    batches = [posts[:2], posts[2:4], posts[4:12], posts[12:]]

    def refresh(self: Repository, *, on_batch=None, progress=None, is_cancelled=None):
        result = RefreshResult()
        done = 0
        for batch in batches:
            result.added += batch
            on_batch(batch)
            done += len(batch)
            progress(done, 13)
        self._apply(result)
        return result

    sent: list[tuple[int, bool]] = []
    real_send = ArchiveLoader.send_list

    def send_list(self, loaded, **options):  # type: ignore[no-untyped-def]
        sent.append((len(loaded.posts), loaded.partial))
        real_send(self, loaded, **options)

    monkeypatch.setattr(Repository, "refresh", refresh)
    monkeypatch.setattr(ArchiveLoader, "send_list", send_list)
    monkeypatch.setattr(loader, "FIRST_ROWS", 1)
    clock = iter(10.0**k for k in range(300))  # every update is due by the time rule
    monkeypatch.setattr(loader, "monotonic", lambda: next(clock))
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        status = app.screen.query_one(StatusBar)
        await until(pilot, lambda: status.counts.startswith("13 of 13 posts"))
    # 2 and 4 as they come; 12 of 13 (every file but one) not on its own.
    assert sent == [(2, True), (4, True), (13, False)]
