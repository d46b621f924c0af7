"""Tests for the SQLite index cache: cold and warm refresh, live updates, rebuilds, pool path."""

from __future__ import annotations

import concurrent.futures
import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import tui.files.parse as parse_module
import tui.index.cache as cache_module
from tui.files.parse import parse_file
from tui.index import IndexCache, RefreshResult
from tui.model import Post


def write_post(root: Path, rel: str, title: str, date: str | None = "2021-06-24T14:35:32+02:00"):
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["---", "layout: post", f'title: "{title}"']
    if date is not None:
        lines.append(f"date: {date}")
    lines += [
        "author: 联合早报",
        f"from: https://www.zaobao.com/realtime/{title}",
        "tags: [ 联合早报, 中国 ]",
        "categories: [ 联合早报 ]",
        "comments: True",
        "---",
        f"<div><p>{title} 正文</p></div>",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def make_archive(root: Path, count: int) -> list[str]:
    start = datetime(2021, 1, 1, tzinfo=UTC)
    rels = []
    for i in range(count):
        day = start + timedelta(days=i)
        rel = f"{day:%Y/%m/%d}/post-{i:03}.md"
        write_post(root, rel, f"标题{i}", day.isoformat())
        rels.append(rel)
    return rels


def bump(path: Path, text: str = "\n<p>更多</p>\n") -> None:
    """Change a file so that its (size, mtime_ns) surely differ."""
    with path.open("a", encoding="utf-8") as f:
        f.write(text)
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    make_archive(root, 5)
    return root


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cache" / "index.sqlite"


@pytest.fixture
def parse_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []

    def counting(root: Path, rel: str, *, with_body: bool = True):
        calls.append(rel)
        return parse_file(root, rel, with_body=with_body)

    monkeypatch.setattr(parse_module, "parse_file", counting)  # the cache imports it when parsing
    return calls


def test_cold_refresh_indexes_every_file(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    result = cache.refresh()
    assert len(result.added) == 5 and not result.changed and not result.removed
    assert not result.cancelled and not result.empty
    assert cache.count() == 5
    posts = cache.load()
    assert [p.title for p in posts] == [f"标题{i}" for i in (4, 3, 2, 1, 0)]
    assert cache.notice is None
    cache.close()


def test_every_field_round_trips(archive: Path, db: Path) -> None:
    write_post(archive, "odd/offset.md", "时区", "2014-10-20T10:49:34+02:00")
    cache = IndexCache(archive, db)
    cache.refresh()
    cache.close()
    loaded = {p.path: p for p in IndexCache(archive, db).load()}
    for rel, post in loaded.items():
        expected = parse_file(archive, rel, with_body=False).post
        expected.path = rel
        assert post == expected
    offset = loaded["odd/offset.md"]
    assert offset.date is not None and offset.date.utcoffset() == timedelta(hours=2)
    assert offset.tags == ("联合早报", "中国") and offset.extra.get("comments")


def test_warm_refresh_parses_nothing(archive: Path, db: Path, parse_calls: list[str]) -> None:
    IndexCache(archive, db).refresh()
    assert len(parse_calls) == 5
    parse_calls.clear()
    cache = IndexCache(archive, db)
    assert cache.count() == 5
    result = cache.refresh()
    assert parse_calls == []
    assert result.empty


def test_changed_new_and_deleted_files(archive: Path, db: Path, parse_calls: list[str]) -> None:
    cache = IndexCache(archive, db)
    cache.refresh()
    parse_calls.clear()
    files = sorted(archive.rglob("*.md"))
    changed, gone = files[0], files[-1]
    write_post(archive, changed.relative_to(archive).as_posix(), "改过的标题")
    bump(changed)
    write_post(archive, "2030/01/01/new.md", "新的")
    gone.unlink()
    result = cache.refresh()
    assert sorted(parse_calls) == sorted(
        [changed.relative_to(archive).as_posix(), "2030/01/01/new.md"]
    )
    assert [p.title for p in result.changed] == ["改过的标题"]
    assert [p.title for p in result.added] == ["新的"]
    assert result.removed == [gone.relative_to(archive).as_posix()]
    titles = [p.title for p in cache.load()]
    assert titles[0] == "新的" and "改过的标题" in titles and len(titles) == 5


def test_changed_row_keeps_its_rowid(archive: Path, db: Path) -> None:
    """A later full-text table keys on the rowid, so an update must not move the row."""
    cache = IndexCache(archive, db)
    cache.refresh()
    rel = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))[0]
    query = "SELECT rowid FROM posts WHERE path = ?"
    before = sqlite3.connect(db).execute(query, (rel,)).fetchone()
    bump(archive / rel)
    cache.update_paths([rel])
    assert sqlite3.connect(db).execute(query, (rel,)).fetchone() == before


def test_update_paths(archive: Path, db: Path, parse_calls: list[str]) -> None:
    cache = IndexCache(archive, db)
    cache.refresh()
    parse_calls.clear()
    rels = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))
    bump(archive / rels[0])
    (archive / rels[1]).unlink()
    write_post(archive, "2030/new.md", "新的")
    result = cache.update_paths(
        [
            rels[0],
            rels[1],
            rels[2],
            "2030/new.md",
            "missing.md",
            "../escape.md",
            "/etc/passwd",
            ".hidden/x.md",
            "2030",
        ]
    )
    assert sorted(parse_calls) == sorted([rels[0], "2030/new.md"])  # rels[2] is unchanged
    assert [p.path for p in result.changed] == [rels[0]]
    assert [p.path for p in result.added] == ["2030/new.md"]
    assert result.removed == [rels[1]]
    assert {p.path for p in cache.load()} == {rels[0], rels[2], rels[3], rels[4], "2030/new.md"}
    assert cache.update_paths([rels[2]]).empty


def test_undated_posts_sort_last_and_load_newest(archive: Path, db: Path) -> None:
    write_post(archive, "undated.md", "无日期", None)
    cache = IndexCache(archive, db)
    cache.refresh()
    posts = cache.load()
    assert posts[-1].title == "无日期" and posts[-1].date is None
    assert [p.title for p in cache.load_newest(2)] == ["标题4", "标题3"]
    assert cache.load_newest(0) == []


def test_corrupt_database_is_rebuilt(archive: Path, db: Path) -> None:
    db.parent.mkdir(parents=True)
    db.write_bytes(b"this is not a database\x00" * 500)
    cache = IndexCache(archive, db)
    assert cache.count() == 0
    cache.refresh()
    assert cache.count() == 5


def test_truncated_database_is_rebuilt(tmp_path: Path, db: Path) -> None:
    root = tmp_path / "big"
    make_archive(root, 300)
    cache = IndexCache(root, db)
    cache.refresh()
    cache.close()
    data = db.read_bytes()
    assert len(data) > 8192
    db.write_bytes(data[: len(data) // 3])
    for suffix in ("-wal", "-shm"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    cache = IndexCache(root, db)
    cache.load()  # must not raise, whatever it finds
    cache.refresh()
    assert cache.count() == 300
    assert len(cache.load()) == 300


def test_schema_version_bump_rebuilds(
    archive: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    IndexCache(archive, db).refresh()
    assert IndexCache(archive, db).count() == 5
    monkeypatch.setattr(IndexCache, "SCHEMA_VERSION", IndexCache.SCHEMA_VERSION + 1)
    cache = IndexCache(archive, db)
    assert cache.count() == 0
    assert len(cache.refresh().added) == 5


def test_other_root_in_same_file_rebuilds(archive: Path, db: Path, tmp_path: Path) -> None:
    IndexCache(archive, db).refresh()
    other = tmp_path / "other"
    make_archive(other, 2)
    cache = IndexCache(other, db)
    assert cache.count() == 0
    cache.refresh()
    assert cache.count() == 2


def test_unwritable_cache_dir_falls_back_to_memory(archive: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the cache folder should be")
    cache = IndexCache(archive, blocker / "index" / "x.sqlite")
    assert cache.notice and "memory" in cache.notice
    assert len(cache.refresh().added) == 5
    assert cache.count() == 5


def test_default_path_is_under_cache_dir(
    archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module.locations, "cache_dir", lambda: tmp_path / "xdg")
    cache = IndexCache(archive)
    assert cache.db_path.parent == tmp_path / "xdg" / "index"
    assert cache.db_path.suffix == ".sqlite" and len(cache.db_path.stem) == 16
    cache.refresh()
    assert cache.db_path.exists()
    mode = sqlite3.connect(cache.db_path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_on_batch_and_progress(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    cache.batch_size = 2
    batches: list[list[str]] = []
    steps: list[tuple[int, int]] = []
    cache.refresh(
        on_batch=lambda posts: batches.append([p.title for p in posts]),
        progress=lambda done, total: steps.append((done, total)),
    )
    assert [len(b) for b in batches] == [2, 2, 1]
    assert batches[0] == ["标题4", "标题3"]  # newest folders first, for the first paint
    # A cold start parses files as the walk finds them: the total is what was found so far.
    assert [done for done, _ in steps] == [2, 4, 5] and steps[-1] == (5, 5)
    assert all(done <= total for done, total in steps)


def test_cancel_keeps_what_was_written(archive: Path, db: Path, parse_calls: list[str]) -> None:
    cache = IndexCache(archive, db)
    cache.batch_size = 2
    result = cache.refresh(is_cancelled=lambda: True)
    assert result.cancelled and len(result.added) == 2
    assert cache.count() == 2
    parse_calls.clear()
    result = cache.refresh()
    assert not result.cancelled and len(result.added) == 3 and len(parse_calls) == 3
    assert cache.count() == 5


def test_an_interrupted_walk_is_recorded_until_a_refresh_finishes(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    assert cache.walk() == (True, 0)
    cache.batch_size = 2
    cache.refresh(is_cancelled=lambda: True)
    cache.close()
    reopened = IndexCache(archive, db)  # a newstui that quit during its cold index
    assert reopened.walk() == (False, 2) and reopened.count() == 2
    reopened.batch_size = 2
    reopened.refresh()
    assert reopened.walk() == (True, 5)
    reopened.refresh()  # nothing to parse: still whole
    assert reopened.walk() == (True, 5)


def test_batches_cut_short_by_the_end_of_newstui_are_a_cancel(
    archive: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """newstui ending kills the pool: the batches stop early without an error, and the walk
    must not be recorded as finished (a reopen would show the part as the whole list)."""
    real = IndexCache._parse_batches

    def cut_short(self, todo, workers, cancelled):  # type: ignore[no-untyped-def]
        batches = real(self, todo, workers, cancelled)
        yield next(batches)
        batches.close()

    monkeypatch.setattr(IndexCache, "_parse_batches", cut_short)
    cache = IndexCache(archive, db)
    cache.batch_size = cache.first_batch = 2
    result = cache.refresh()
    assert result.cancelled and cache.count() == 2
    assert cache.walk() == (False, 2)


def test_the_kept_count_follows_every_write(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    cache.refresh()
    bump(next(archive.rglob("post-001.md")))  # changed: an update, not one more row
    next(archive.rglob("post-002.md")).unlink()
    write_post(archive, "new/one.md", "新")
    write_post(archive, "new/two.md", "新二")
    result = cache.refresh()
    assert (len(result.added), len(result.changed), len(result.removed)) == (2, 1, 1)
    write_post(archive, "new/three.md", "新三")
    bump(archive / "new/one.md")
    cache.update_paths(["new/three.md", "new/one.md", "new/two.md"])
    (archive / "new/two.md").unlink()
    cache.update_paths(["new/two.md"])
    rows = sqlite3.connect(db).execute("SELECT count(*) FROM posts").fetchone()[0]
    assert cache.count() == rows == 6
    cache.close()
    assert IndexCache(archive, db).notice is None  # opening's check agrees with the count


def test_a_pool_started_early_parses_the_first_rows_too(
    tmp_path: Path, db: Path, parse_calls: list[str]
) -> None:
    from tui import pool

    small = tmp_path / "small"
    make_archive(small, 5)
    cache = IndexCache(small, db)
    cache.pool_threshold = 10
    cache.start_early()  # too few files for a pool
    assert not pool.started_early(cache_module._PRELOAD)
    root = tmp_path / "pooled"
    make_archive(root, 23)
    cache = IndexCache(root, tmp_path / "other.sqlite")
    cache.pool_threshold, cache.chunk_size, cache.batch_size, cache.first_batch = 10, 5, 6, 4
    cache.start_early()
    assert pool.started_early(cache_module._PRELOAD)
    batches: list[list[str]] = []
    result = cache.refresh(on_batch=lambda posts: batches.append([p.title for p in posts]))
    assert parse_calls == []  # every file parsed in the pool, the newest first and on their own
    assert batches[0] == ["标题22", "标题21", "标题20", "标题19"]
    assert sum(map(len, batches)) == len(result.added) == cache.count() == 23
    assert not pool.started_early(cache_module._PRELOAD)
    cache.start_early()  # the index is whole: nothing to parse
    assert not pool.started_early(cache_module._PRELOAD)
    # A reopen after a cold index that quit with 4 of 23 files listed: 19 left, a pool.
    cache._conn.execute("DELETE FROM posts WHERE rowid > 4")
    cache._conn.execute("UPDATE meta SET value = '4' WHERE key = 'count'")
    cache._conn.execute("UPDATE meta SET value = '23' WHERE key = 'walk'")
    cache._conn.execute("UPDATE meta SET value = '' WHERE key = 'tree'")
    cache.start_early()
    assert pool.started_early(cache_module._PRELOAD)
    parse_calls.clear()
    assert len(cache.refresh().added) == 19 and parse_calls == []


def test_process_pool_path(tmp_path: Path, db: Path, parse_calls: list[str]) -> None:
    root = tmp_path / "pooled"
    make_archive(root, 23)
    cache = IndexCache(root, db)
    cache.pool_threshold, cache.chunk_size, cache.batch_size, cache.first_batch = 1, 5, 6, 4
    batches: list[int] = []
    result = cache.refresh(workers=2, on_batch=lambda posts: batches.append(len(posts)))
    # The newest files are parsed here before the workers start; the rest in the workers.
    assert batches[0] == 4 and sum(batches) == 23 and all(n >= 6 for n in batches[1:-1])
    newest = sorted((p.relative_to(root).as_posix() for p in root.rglob("*.md")), reverse=True)
    assert parse_calls == newest[:4]
    assert len(result.added) == 23 and cache.count() == 23
    assert {p.path for p in cache.load()} == {
        p.relative_to(root).as_posix() for p in root.rglob("*.md")
    }


def test_pool_failure_falls_back_in_process(
    archive: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class Broken:
        def __init__(self, *args: object, **kwargs: object) -> None:
            raise OSError("no semaphores here")

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Broken)
    cache = IndexCache(archive, db)
    cache.pool_threshold = 1
    assert len(cache.refresh(workers=2).added) == 5
    assert cache.count() == 5


def test_reads_from_another_thread(archive: Path, db: Path) -> None:
    import threading

    cache = IndexCache(archive, db)
    found: list[int] = []
    worker = threading.Thread(target=lambda: (cache.refresh(), found.append(len(cache.load()))))
    worker.start()
    worker.join()
    assert found == [5] and cache.count() == 5


def test_refresh_result_empty() -> None:
    assert RefreshResult().empty
    assert not RefreshResult(removed=["a"]).empty
    assert RefreshResult(problems=["x"]).empty


def test_undecodable_file_name_is_indexed_too(archive: Path, db: Path) -> None:
    bad = os.fsencode(archive) + b"/bad-\xff.md"
    with open(bad, "wb") as f:
        f.write(b"---\ntitle: x\n---\nbody\n")
    rel = os.fsdecode(bad).removeprefix(f"{archive}/")
    cache = IndexCache(archive, db)
    result = cache.refresh()
    assert len(result.added) == 6 and cache.count() == 6
    assert rel in {post.path for post in cache.load()}
    assert IndexCache(archive, db).refresh().empty  # warm: the odd name is not re-parsed
    os.unlink(bad)
    assert cache.update_paths([rel]).removed == [rel]
    assert cache.count() == 5


def test_root_with_undecodable_name(tmp_path: Path) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/posts-\xff"))
    make_archive(root, 2)
    cache = IndexCache(root, tmp_path / "db.sqlite")
    assert cache.notice is None
    assert len(cache.refresh().added) == 2


def test_cold_start_shows_rows_before_the_walk_ends(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "big"
    rels = make_archive(root, 30)
    walked: list[str] = []
    real_iter_scan = cache_module.iter_scan

    def counting(root: Path, problems: list[str], **options):  # type: ignore[no-untyped-def]
        for entry in real_iter_scan(root, problems, **options):
            walked.append(entry.rel)
            yield entry

    monkeypatch.setattr(cache_module, "iter_scan", counting)
    cache = IndexCache(root, db)
    cache.first_batch, cache.batch_size = 3, 10
    seen_at_first: list[int] = []
    first: list[str] = []

    def on_batch(posts: list[Post]) -> None:
        if not first:
            first.extend(p.path for p in posts)
            seen_at_first.append(len(walked))

    result = cache.refresh(on_batch=on_batch, workers=1)
    assert seen_at_first == [3]  # the newest three, before the rest of the folder was walked
    assert first == sorted(rels, reverse=True)[:3]
    assert len(result.added) == 30 and len(walked) == 30
    # A warm refresh scans first (to find removals) and still works.
    (root / first[0]).unlink()
    assert cache.refresh().removed == [first[0]]


def test_unchanged_walk_skips_the_row_by_row_check(
    archive: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refresh that finds the folder as the last one left it does not read the table at all,
    also right after a cold start (`newstui index`, then the app), which stores its fingerprint."""
    cache = IndexCache(archive, db)
    cache.refresh()
    assert sqlite3.connect(db).execute("SELECT value FROM meta WHERE key = 'tree'").fetchone() != (
        "",
    )
    version = cache.version()

    def no_stats(self):
        raise AssertionError("compared row by row")

    monkeypatch.setattr(IndexCache, "_stats", no_stats)
    result = IndexCache(archive, db).refresh()
    assert result.empty and not result.cancelled
    assert cache.version() == version  # nothing was written


def test_every_change_is_still_found_after_a_trusted_walk(
    archive: Path, db: Path, parse_calls: list[str]
) -> None:
    cache = IndexCache(archive, db)
    cache.refresh()
    cache.refresh()
    rels = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))
    parse_calls.clear()
    # Rewritten in place with the same size: only the mtime tells.
    path = archive / rels[0]
    text = path.read_text(encoding="utf-8").replace("标题", "题标")
    st = path.stat()
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    assert path.stat().st_size == st.st_size
    result = cache.refresh()
    assert parse_calls == [rels[0]] and [p.path for p in result.changed] == [rels[0]]
    assert cache.refresh().empty
    # A vanished file, a new one.
    (archive / rels[1]).unlink()
    write_post(archive, "2030/new.md", "新的")
    result = cache.refresh()
    assert result.removed == [rels[1]] and [p.path for p in result.added] == ["2030/new.md"]


def test_version_changes_with_every_write(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    seen = {cache.version()}
    cache.refresh()
    seen.add(cache.version())
    rel = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))[0]
    bump(archive / rel)
    cache.update_paths([rel])
    seen.add(cache.version())
    (archive / rel).unlink()
    cache.refresh()
    seen.add(cache.version())
    assert len(seen) == 4 and "" not in seen
    assert cache.stats() == (cache.version(), cache._stats())


def test_a_live_update_is_not_hidden_by_the_trusted_walk(
    archive: Path, db: Path, parse_calls: list[str]
) -> None:
    """update_paths() writes rows no walk has seen: the next refresh must compare row by row."""
    cache = IndexCache(archive, db)
    cache.refresh()
    rel = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))[0]
    path = archive / rel
    st = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("标题", "题标"), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1))
    cache.update_paths([rel])  # the row now describes the rewritten file
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # the old walk's stat again
    cache.refresh()
    assert cache.stats()[1][rel][1] == st.st_mtime_ns


def test_walk_problems_are_reported_on_every_refresh(archive: Path, db: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root reads every folder")
    locked = archive / "locked"
    locked.mkdir()
    locked.chmod(0)
    try:
        cache = IndexCache(archive, db)
        first = cache.refresh()
        again = cache.refresh()
        assert first.problems and again.problems == first.problems
    finally:
        locked.chmod(0o755)


def test_load_paths(archive: Path, db: Path) -> None:
    cache = IndexCache(archive, db)
    cache.refresh()
    everything = cache.load()
    some = [everything[3].path, everything[0].path, "missing.md"]
    assert cache.load_paths(some) == [everything[0], everything[3]]  # newest first
    assert cache.load_paths([]) == []
    newest = [post.path for post in everything]
    assert cache.paths(set(newest)) == newest
    assert cache.paths({newest[3], newest[0], "missing.md"}) == [newest[0], newest[3]]
    assert cache.paths(set()) == []


def test_far_future_mtime(archive: Path, db: Path) -> None:
    """An mtime past 2262 does not fit 64 bits of nanoseconds; the walk's fingerprint copes."""
    path = next(archive.rglob("*.md"))
    try:
        os.utime(path, (4_000_000_000_0, 4_000_000_000_0))  # the year 3237
    except (OverflowError, OSError):
        pytest.skip("this file system cannot store such a date")
    if path.stat().st_mtime_ns < 2**63:
        pytest.skip("this file system clamps such a date")
    cache = IndexCache(archive, db)
    assert len(cache.refresh().added) == 5
    assert cache.refresh().empty


def test_without_a_fingerprint_every_refresh_compares(
    archive: Path, db: Path, parse_calls: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cache_module.TreeFingerprint, "result", lambda self: None)
    cache = IndexCache(archive, db)
    cache.refresh()
    assert cache.refresh().empty
    rel = sorted(p.relative_to(archive).as_posix() for p in archive.rglob("*.md"))[0]
    bump(archive / rel)
    parse_calls.clear()
    assert [p.path for p in cache.refresh().changed] == [rel] and parse_calls == [rel]


def test_paths_of_a_few_among_many(tmp_path: Path, db: Path) -> None:
    root = tmp_path / "many"
    rels = make_archive(root, 45)
    cache = IndexCache(root, db)
    cache.refresh()
    assert cache.paths({rels[7], rels[30]}) == [rels[30], rels[7]]  # looked up, newest first
    assert cache.paths(set(rels)) == rels[::-1]


def test_names_matching_joins_the_body_index(archive: Path, db: Path, tmp_path: Path) -> None:
    from tui.index.fulltext import FullTextIndex

    write_post(archive, "2030/01/01/new.md", "新的")
    cache = IndexCache(archive, db)
    cache.refresh()
    body = FullTextIndex(archive, tmp_path / "fts.sqlite")
    body.update_from(cache)
    newest = [post.path for post in cache.load()]
    for term in ("正文", "标题3", "新", "no such words"):
        queries = body.match_queries(term)
        assert queries is not None
        found = cache.names_matching(body.db_path, queries)
        expected = [rel for rel in newest if rel in body.search(term)]
        assert found == b"".join(rel.encode() + b"\0" for rel in expected), term
    assert body.match_queries("") is None


class _ThreadPool(concurrent.futures.ThreadPoolExecutor):
    """Stands in for the parsers' pool, in threads: counts the tasks out, and from the
    (breaks_after + 1)th task on hands back futures broken as when a pool process dies."""

    def __init__(self, breaks_after: int = 10**9) -> None:
        super().__init__(max_workers=2)
        self.breaks_after = breaks_after
        self.submitted = 0
        self.out = 0
        self.most_out = 0

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[no-untyped-def,override]
        from concurrent.futures.process import BrokenProcessPool

        self.submitted += 1
        if self.submitted > self.breaks_after:
            broken: concurrent.futures.Future[object] = concurrent.futures.Future()
            broken.set_exception(BrokenProcessPool("a pool process died"))
            return broken
        self.out += 1
        self.most_out = max(self.most_out, self.out)
        future = super().submit(fn, *args, **kwargs)
        future.add_done_callback(lambda _: setattr(self, "out", self.out - 1))
        return future


def pooled_cache(tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch, pool: _ThreadPool):
    monkeypatch.setattr(cache_module, "start_pool", lambda workers, preload=(): pool)
    root = tmp_path / "pooled"
    rels = make_archive(root, 40)
    cache = IndexCache(root, db)
    cache.pool_threshold, cache.chunk_size, cache.batch_size, cache.first_batch = 1, 3, 4, 2
    return cache, rels


def test_a_pool_broken_half_way_leaves_the_rest_to_this_process(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = _ThreadPool(breaks_after=4)
    cache, rels = pooled_cache(tmp_path, db, monkeypatch, pool)
    result = cache.refresh(workers=2)
    assert pool.submitted > 4  # it did break, with files out
    added = [post.path for post in result.added]
    assert sorted(added) == sorted(rels)  # each file once: none lost, none written twice
    assert cache.count() == 40 and cache.walk() == (True, 40)


def test_a_cancel_in_the_pool_path_keeps_what_was_written(
    tmp_path: Path, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pool = _ThreadPool()
    cache, rels = pooled_cache(tmp_path, db, monkeypatch, pool)
    seen: list[int] = []
    result = cache.refresh(
        workers=2, on_batch=lambda posts: seen.append(len(posts)), is_cancelled=lambda: bool(seen)
    )
    assert result.cancelled and cache.count() == sum(seen) < 40
    assert not cache.walk()[0]
    cache.refresh(workers=2)  # the rest, later
    assert cache.count() == 40 and cache.walk() == (True, 40)
    assert sorted(p.path for p in cache.load()) == sorted(rels)


def test_pool_tasks_grow_with_the_files_handed_out() -> None:
    entries = [(f"{i:05}.md", 1, 1) for i in range(5000)]
    sizes = [len(chunk) for chunk in cache_module._growing(entries, 10, 100)]
    assert sum(sizes) == 5000
    assert sizes[:16] == [10] * 16  # the first ones small: the newest files come back soon
    assert sizes == sorted(sizes[:-1]) + sizes[-1:] and max(sizes) == 100
