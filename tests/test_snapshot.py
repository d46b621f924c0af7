"""Tests for the snapshot of the loaded list (tui.index.snapshot): it gives back what the index
cache and group() give, is written atomically beside the cache, and is never used stale or broken."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

import tui.index.snapshot as snapshot
from tests.conftest import write_post
from tui.index import IndexCache
from tui.query import QueryEngine, parse
from tui.repository import Repository
from tui.state import PostState
from tui.stories import Stories, group


def make_archive(root: Path) -> None:
    """Posts with every kind of field: copies of one story, undated, a date a (ts, zone) cannot
    hold, other front-matter keys, a problem."""
    for i in range(12):
        url = f"https://example.com/story-{i % 5}" if i % 3 else f"https://example.com/lone-{i}"
        write_post(
            root,
            f"_posts/2021/0{1 + i % 9}/post-{i:02}.md",
            f"标题 Title {i}",
            f"2021-0{1 + i % 9}-1{i % 10}T10:49:3{i % 10}+0{i % 3}:00",
            **{"from": url, "author": f"作者{i % 2}", "tags": "[ 香港, 中国 ]", "comments": "True"},
        )
    write_post(root, "undated.md", "没有日期", "")
    write_post(root, "far.md", "Long ago", "1700-01-01T00:00:00.250000+01:00")
    (root / "broken.md").write_text("---\ntitle: [unclosed\n---\nbody\n", encoding="utf-8")


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    make_archive(root)
    return root


def files_in(folder: Path) -> set[str]:
    return {str(path.relative_to(folder)) for path in folder.rglob("*")}


def indexed(archive: Path) -> Repository:
    repo = Repository(archive)
    repo.load()
    repo.refresh()
    return repo


def test_the_snapshot_gives_back_every_post_and_story(archive: Path) -> None:
    before = files_in(archive)
    repo = indexed(archive)
    assert repo.save_snapshot()
    assert files_in(archive) == before  # nothing written into the posts folder
    path = repo.cache.snapshot_path
    assert path.parent == repo.cache.db_path.parent
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []

    posts = repo.cache.load()
    stories = group(posts)
    assert stories.copies  # the archive has stories with copies
    assert any(p.date is None for p in posts) and any(p.problems for p in posts)
    found = snapshot.read(path, repo.cache.version())
    assert found is not None
    assert found.files == posts
    assert found.rows == stories.rows
    assert found.copies == stories.copies
    # Where the stories with copies are among the rows: the query engine need not look them up.
    assert found.shared == [i for i, row in enumerate(stories.rows) if row.id in stories.copies]
    for got, expected in zip(found.files, posts, strict=True):
        assert got.folded == expected.folded and got.ts == expected.ts
        assert got.date == expected.date and got.date.__repr__() == expected.date.__repr__()
    repo.close()


def test_a_start_reads_the_snapshot_and_needs_no_grouping(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexed(archive).save_snapshot()
    expected = group(IndexCache(archive).load())

    def unused(*args: object) -> None:
        raise AssertionError("read from the rows")

    monkeypatch.setattr(IndexCache, "_load", unused)
    repo = Repository(archive)
    posts = repo.load()
    stories = repo.stories()
    assert posts == expected.files and stories.files is posts
    assert stories.rows == expected.rows and stories.copies == expected.copies
    assert repo.synced == repo.cache.version()
    assert not repo.save_snapshot()  # it is current
    repo.close()


def test_an_engine_over_the_snapshot_searches_every_copy_of_a_story(archive: Path) -> None:
    repo = indexed(archive)
    repo.save_snapshot()
    stories = snapshot.read(repo.cache.snapshot_path, repo.cache.version())
    assert stories is not None and stories.shared
    engine = QueryEngine(stories.rows, copies=stories.copies, shared=stories.shared)
    rows = stories.rows
    for i, row in enumerate(rows):
        older = stories.of(row)[1:]  # a word only an older copy's title holds finds the story
        for copy in older:
            found = engine.filter(parse(f'title:"{copy.title}"'), state=lambda _: PostState())
            assert i in found
    repo.close()


def test_a_snapshot_is_not_used_after_the_index_changed(archive: Path) -> None:
    repo = indexed(archive)
    repo.save_snapshot()
    old = repo.cache.version()
    repo.close()
    # newstui closed; a post changes and one is added, and another process indexes them
    write_post(archive, "_posts/2021/09/post-00.md", "改过的标题", "2021-09-10T10:49:30+00:00")
    write_post(archive, "new.md", "新的", "2022-01-01T00:00:00+00:00")
    IndexCache(archive).refresh()

    repo = Repository(archive)
    titles = {p.title for p in repo.load()}
    assert {"改过的标题", "新的"} <= titles and repo.synced != old
    assert repo.posts == IndexCache(archive).load()
    assert repo.save_snapshot()  # replaced by one of the new version
    assert snapshot.read(repo.cache.snapshot_path, repo.cache.version()) is not None
    repo.close()


def test_a_change_found_by_the_refresh_is_in_the_next_snapshot(archive: Path) -> None:
    indexed(archive).save_snapshot()
    write_post(archive, "new.md", "新的", "2022-01-01T00:00:00+00:00")  # while newstui was closed
    repo = Repository(archive)
    repo.load()  # the old snapshot, still of the index's version: the refresh finds the post
    assert "新的" not in {p.title for p in repo.posts}
    repo.refresh()
    assert repo.synced == repo.cache.version()
    assert repo.save_snapshot()
    repo.close()
    again = Repository(archive)
    assert "新的" in {p.title for p in again.load()}
    assert again.posts == IndexCache(archive).load()
    again.close()


def test_another_process_writing_meanwhile_means_no_snapshot(archive: Path) -> None:
    repo = indexed(archive)
    write_post(archive, "new.md", "新的", "2022-01-01T00:00:00+00:00")
    IndexCache(archive).update_paths(["new.md"])  # another process: repo.posts lack the post
    write_post(archive, "newer.md", "更新的", "2022-01-02T00:00:00+00:00")
    repo.update_paths(["newer.md"])
    assert repo.synced is None
    assert not repo.save_snapshot()
    repo.close()


@pytest.mark.parametrize("cut", [0, 5, 40, 200, -30, -3])
def test_a_cut_short_or_damaged_snapshot_is_ignored_and_replaced(archive: Path, cut: int) -> None:
    repo = indexed(archive)
    repo.save_snapshot()
    path = repo.cache.snapshot_path
    data = path.read_bytes()
    path.write_bytes(data[:cut] if cut else b"\x00garbage" * 40)
    version = repo.cache.version()
    assert snapshot.read(path, version) is None
    repo.close()

    repo = Repository(archive)
    assert repo.load() == IndexCache(archive).load()  # from the rows
    assert repo.save_snapshot()
    assert snapshot.read(path, version) is not None
    repo.close()


def test_a_damaged_column_is_ignored(archive: Path) -> None:
    repo = indexed(archive)
    repo.save_snapshot()
    path = repo.cache.snapshot_path
    data = bytearray(path.read_bytes())
    header = len(snapshot.MAGIC) + 4 + int.from_bytes(data[len(snapshot.MAGIC) :][:4], "little")
    data[header + 4] = 0  # the first column's marshal type: no such type
    path.write_bytes(bytes(data))
    assert snapshot.read(path, repo.cache.version()) is None
    repo.close()


def test_a_cancelled_write_leaves_the_last_snapshot(archive: Path) -> None:
    repo = indexed(archive)
    repo.save_snapshot()
    path, first = repo.cache.snapshot_path, repo.cache.version()
    write_post(archive, "new.md", "新的", "2022-01-01T00:00:00+00:00")
    repo.refresh()
    assert not repo.save_snapshot(is_cancelled=lambda: True)
    assert snapshot.read(path, first) is not None  # the last one, whole
    assert [name for name in os.listdir(path.parent) if name.endswith(".tmp")] == []
    repo.close()


def test_what_an_unfinished_write_left_is_swept_away(archive: Path) -> None:
    repo = indexed(archive)
    path = repo.cache.snapshot_path
    old = path.with_name(f".{path.name}.killed.tmp")
    recent = path.with_name(f".{path.name}.writing.tmp")
    for temp in (old, recent):
        temp.write_bytes(b"part of a snapshot")
    hour_ago = time.time() - 3600
    os.utime(old, (hour_ago, hour_ago))
    assert repo.save_snapshot()
    assert not old.exists() and recent.exists()  # another process may still be writing that one
    repo.close()


def test_an_empty_folder_writes_none(tmp_path: Path) -> None:
    repo = indexed(tmp_path)
    assert not repo.save_snapshot()
    assert not repo.cache.snapshot_path.exists()
    repo.close()


async def test_a_warm_start_from_the_snapshot_shows_changes_made_while_closed(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_app import make_app, settle
    from tui.widgets.post_table import PostTable
    from tui.widgets.status import StatusBar

    indexed(archive).save_snapshot()
    # While newstui is closed: a new post, and a changed title.
    write_post(archive, "_posts/2023/01/new.md", "新的文章", "2023-01-01T00:00:00+00:00")
    write_post(archive, "_posts/2021/09/post-08.md", "改过的标题", "2021-09-18T10:49:38+02:00")
    reads: list[bool] = []
    read = snapshot.read

    def spy(*args: Any, **kwargs: Any) -> Stories | None:
        found = read(*args, **kwargs)
        reads.append(found is not None)
        return found

    monkeypatch.setattr(snapshot, "read", spy)

    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        titles = {post.title for post in table.posts}
        assert {"新的文章", "改过的标题"} <= titles and "标题 Title 8" not in titles
        expected = group(IndexCache(archive).load())
        assert table.posts == expected.rows
        count = len(expected.rows)
        assert app.screen.query_one(StatusBar).counts.startswith(f"{count} of {count} posts")
    assert reads == [True]  # the start read the snapshot, which was of the index's version
    stories, version, from_snapshot = IndexCache(archive).load_stories()
    assert from_snapshot  # the app wrote the new one
    assert stories.files == expected.files and stories.copies == expected.copies


async def test_live_reload_changes_reach_the_snapshot(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_app import make_app, settle
    from tests.test_live_reload import wait_until, watching
    from tui.screens import loader
    from tui.widgets.post_table import PostTable

    monkeypatch.setattr(loader, "SNAPSHOT_AFTER", 0.01)
    indexed(archive).save_snapshot()
    app = make_app(archive)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await wait_until(app, pilot, lambda: watching(app.screen.loader.watcher))
        write_post(archive, "_posts/2023/02/live.md", "刚写的", "2023-02-01T00:00:00+00:00")
        table = app.screen.query_one(PostTable)
        await wait_until(app, pilot, lambda: "刚写的" in {post.title for post in table.posts})
        cache = IndexCache(archive)
        path, version = cache.snapshot_path, cache.version()
        await wait_until(app, pilot, lambda: snapshot.read(path, version) is not None)
    stories, _, from_snapshot = IndexCache(archive).load_stories()
    assert from_snapshot and "刚写的" in {post.title for post in stories.files}
