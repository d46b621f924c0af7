"""SQLite cache of post metadata, so a warm start reads one index instead of 100,000 files."""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sqlite3
import stat
import threading
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import chain, islice
from pathlib import Path
from typing import TYPE_CHECKING, cast

from tui import dbfile, locations, pool
from tui.collector import collector_paused
from tui.dbfile import key_path, path_key
from tui.files.fingerprint import TreeFingerprint
from tui.files.scan import inside, is_post_file, iter_scan
from tui.files.scan import mtime_ns as file_mtime_ns
from tui.index import snapshot
from tui.model import UNDATED, Post, shared_zone, stored_post
from tui.pool import pool_failures, start_pool
from tui.stories import Stories, group

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- rowid stays stable when a row is updated (upsert, never REPLACE): a later FTS table keys on it.
-- A post's fields travel in `packed` (see _to_row), with columns only for what SQL sorts and joins on.
CREATE TABLE posts (
    rowid INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    size INTEGER NOT NULL,
    mtime_ns INTEGER NOT NULL,
    ts REAL,
    packed BLOB NOT NULL
);
-- SQLite sorts NULL lowest, so descending order puts undated posts last for free.
CREATE INDEX posts_by_date ON posts (ts DESC, path DESC);
-- Each post's date by its path without reading its row: `list --query body:TERM` (see
-- names_matching) joins 10,000 matches to it in two thirds of the time.
CREATE INDEX posts_by_path ON posts (path, ts);
"""

WALKED = "done"  # meta 'walk': the last refresh's walk got every file it found into the table
_Entry = tuple[str, int, int]  # rel, size, mtime_ns: one file to parse
_Row = tuple[object, ...]  # the values of _UPSERT
_ORDER = "ORDER BY ts DESC, path DESC"
_INSERT = "INSERT OR IGNORE INTO posts (path, size, mtime_ns, ts, packed) VALUES (?, ?, ?, ?, ?)"
_UPSERT = """
INSERT INTO posts (path, size, mtime_ns, ts, packed) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (path) DO UPDATE SET
    size = excluded.size, mtime_ns = excluded.mtime_ns, ts = excluded.ts, packed = excluded.packed
"""


@dataclass(slots=True)
class RefreshResult:
    added: list[Post] = field(default_factory=list)
    changed: list[Post] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)  # rel paths
    problems: list[str] = field(default_factory=list)  # from the scan
    cancelled: bool = False
    # (the table's version before, after) when this process's writes were the only ones in
    # between: a list that was the table at the first is the table at the second once these
    # changes are applied to it (see Repository.synced). None when another process wrote too.
    versions: tuple[str, str] | None = None

    @property
    def empty(self) -> bool:
        return not (self.added or self.changed or self.removed)


def default_db_path(root: Path) -> Path:
    digest = hashlib.sha1(os.fsencode(root.resolve()), usedforsecurity=False).hexdigest()[:16]
    return locations.cache_dir() / "index" / f"{digest}.sqlite"


class IndexCache:
    """Post metadata for one archive root, kept in step with the files by (size, mtime_ns)."""

    SCHEMA_VERSION = 6  # 3: meta's version, tree and problems (see refresh); 4: posts_by_path;
    # 5: a post's id is its story key (tui.stories); 6: no columns that only repeat `packed`, the
    # date as (ts, offset), the folded title
    pool_threshold = 2000  # fewer files than this parse in-process: a pool start costs more
    chunk_size = 250  # paths per pool task, at first (the newest files come back soon)...
    # ...growing to this many with the files handed out: each task costs this process a wakeup
    # of the pool's thread, a send by its queue's thread and a receive, all for the interpreter
    # the app's threads share. A cold index of a million files in 4,000 tasks of 250 spent ~12 s
    # of the app's threads on them (sampled, at load 5-7).
    chunk_most = 2000
    batch_most = 50_000  # rows per write transaction and on_batch call, at most
    batch_size = 1000  # rows per write transaction and per on_batch call
    # The first on_batch call, parsed in this process: the app shows a batch this small at once
    # (its FIRST_ROWS is 200) rather than waiting for its next periodic update. A screenful is
    # enough: in the app this thread shares the interpreter with the busy UI thread, which makes
    # each file here cost about 1 ms instead of 0.1 ms.
    first_batch = 100

    def __init__(
        self, root: Path, db_path: Path | None = None, *, follow_symlinks: bool = False
    ) -> None:
        self.root = root.resolve()
        self.follow_symlinks = follow_symlinks  # also links that lead out of the folder
        self.db_path = db_path if db_path is not None else default_db_path(root)
        self.notice: str | None = None  # what the user should know: rebuilt, or only in memory
        self.in_memory = False
        self._lock = threading.RLock()  # one connection shared by the app's threads
        self._refresh_lock = threading.Lock()  # one refresh at a time; reads go on meanwhile
        self._written = ""  # the version this process last wrote (see _trust)
        # While a refresh or update_paths runs: (version before, after) of each of its writes.
        self._steps: list[tuple[str, str]] | None = None
        self._conn = self._open()

    # --- opening -------------------------------------------------------------------------------

    def _open(self, rebuild: bool = False) -> sqlite3.Connection:
        opened = dbfile.open_cache(
            self.db_path,
            what="post index cache",
            meta=self._meta(),
            tables={"meta", "posts"},
            create=self._create,
            counted=("posts", "count"),
            rebuild=rebuild,
        )
        self.in_memory = opened.in_memory
        if opened.notice:
            self.notice = opened.notice
        if not opened.in_memory:
            # Also keys of an older newstui that did not keep them: start over.
            keys = {row[0] for row in opened.conn.execute("SELECT key FROM meta")}
            if not {"version", "tree", "problems"} <= keys:
                opened.conn.close()
                return self._open(rebuild=True)
        return opened.conn

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    conn.execute(statement)
            conn.executemany("INSERT INTO meta (key, value) VALUES (?, ?)", self._meta().items())
            conn.execute("INSERT INTO meta (key, value) VALUES ('version', ?)", (_token(),))
            conn.execute("INSERT INTO meta (key, value) VALUES ('tree', '')")
            conn.execute("INSERT INTO meta (key, value) VALUES ('problems', '[]')")
            conn.execute("INSERT INTO meta (key, value) VALUES ('count', '0')")
            conn.execute("INSERT INTO meta (key, value) VALUES ('walk', ?)", (WALKED,))
            conn.execute("COMMIT")
        except BaseException:
            dbfile.rollback(conn)
            raise

    def _meta(self) -> dict[str, str]:
        # marshal's format may change between Python versions: a new one rebuilds.
        return {
            "schema": str(self.SCHEMA_VERSION),
            "root": dbfile.display_path(self.root),
            "marshal": str(marshal.version),
            # Another choice lists other files: start over rather than trust the last walk.
            "links": "follow" if self.follow_symlinks else "inside",
        }

    def _rebuild(self, error: BaseException | None = None) -> None:
        """Start over after the database turned out unreadable mid-use (or when asked to)."""
        with self._lock:
            self._conn.close()
            self._conn = self._open(rebuild=not self.in_memory)
            if error is not None:
                self.notice = f"The post index cache was damaged ({error}); it is rebuilt."

    def rebuild(self) -> None:
        """Throw the cache away: the next refresh reads every file again (`index --rebuild`)."""
        with self._refresh_lock:
            self._rebuild()

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    # --- reading -------------------------------------------------------------------------------

    @property
    def snapshot_path(self) -> Path:
        return snapshot.snapshot_path(self.db_path)

    def load(self) -> list[Post]:
        """Every cached post, newest first, undated last."""
        return self._load()[0]

    def load_stories(self) -> tuple[Stories, str | None, bool]:
        """Every cached post as stories (newest first), the table's version that they are (None
        if unknown), and whether they came from the snapshot of that version (tui.index.
        snapshot: a few times quicker than decoding a million rows, and already grouped) rather
        than from the rows."""
        if not self.in_memory:
            current = self.version()
            stories = snapshot.read(self.snapshot_path, current)
            if stories is not None:
                return stories, current, True
        posts, version = self._load()
        return group(posts), version, False

    def _load(self) -> tuple[list[Post], str | None]:
        """Every cached post, and the table's version they are: read in one transaction, as
        another process may write between two reads."""
        try:
            with collector_paused(), self._lock, self._conn:
                self._conn.execute("BEGIN")
                version = self._meta_value("version")
                # Row by row, not fetchall(): a million rows' blobs at once held 450 MB.
                rows = self._conn.execute(f"SELECT packed FROM posts {_ORDER}")
                return _unpack(blob for (blob,) in rows), version
        except _BAD_DATA as error:
            self._rebuild(error)  # see _select
            return [], None

    def load_newest(self, limit: int) -> list[Post]:
        return self._select(f"SELECT packed FROM posts {_ORDER} LIMIT ?", (max(0, limit),))

    def count(self) -> int:
        """The posts in the table: the count every write keeps in meta (opening checks it
        against the table), not a count(*) that reads a whole index (20 ms at 100,000 posts)."""
        try:
            with self._lock:
                return int(self._meta_value("count"))
        except sqlite3.DatabaseError as error:
            self._rebuild(error)
            return 0

    def walk(self) -> tuple[bool, int]:
        """Whether the last refresh's walk got every file it found into the table, and how many
        files it had found (when it did not: a newstui that quit or was killed during a cold
        index). The table is then only part of the folder, and the count says about how much."""
        try:
            with self._lock:
                walk = self._walk()
        except sqlite3.DatabaseError as error:
            self._rebuild(error)
            return True, 0
        if walk is None or walk == WALKED:  # (a cache written before the key was kept)
            return True, self.count()
        return False, int(walk)

    def _walk(self) -> str | None:
        row = self._conn.execute("SELECT value FROM meta WHERE key = 'walk'").fetchone()
        return None if row is None else row[0]

    def _set_walk(self, walk: str) -> None:
        """Inside a write transaction: how the refresh's walk stands (WALKED, or the files it
        has found so far)."""
        self._conn.execute(
            "INSERT INTO meta (key, value) VALUES ('walk', ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (walk,),
        )

    def version(self) -> str:
        """Changes with every write to the posts: a later index compares it to skip its own check."""
        try:
            with self._lock:
                return self._meta_value("version")
        except sqlite3.DatabaseError as error:
            self._rebuild(error)
            return ""

    def stats(self) -> tuple[str, dict[str, tuple[int, int]]]:
        """(version, rel -> (size, mtime_ns)) of every cached post, read as one snapshot, and
        never halfway through a refresh: a body index built from half a cold start would forget
        the other half (and take minutes to index it again)."""
        with self._refresh_lock, self._lock, self._conn:
            self._conn.execute("BEGIN")  # another process may write between the two reads
            return self._meta_value("version"), self._stats()

    def paths(self, among: Collection[str]) -> list[str]:
        """The cached posts' paths that are in among, newest first (as load() orders the posts)."""
        with self._lock:
            if len(among) * 20 < int(self._meta_value("count")):
                self._want(among)
                sql = (
                    f"SELECT path FROM posts WHERE path IN (SELECT path FROM temp.wanted) {_ORDER}"
                )
                rows = self._conn.execute(sql).fetchall()
            else:  # most of them: one pass over the index is quicker than looking each one up
                rows = self._conn.execute(f"SELECT path FROM posts {_ORDER}").fetchall()
        found = [key_path(path) for (path,) in rows]
        return found if len(found) <= len(among) else [rel for rel in found if rel in among]

    def names_matching(self, body_index: Path, queries: list[tuple[str, str]]) -> bytes:
        """Newest first, the paths of the posts that a body index (tui.index.fulltext, its file
        attached here) finds with any of these (table, FTS5 query) pairs, as the bytes of their
        names, each followed by NUL (which no name holds). One statement: SQLite joins the two,
        and 100,000 matches never become Python objects on the way. INDEXED BY: left to itself,
        the planner takes path's own unique index, and then reads each post's row for its date."""
        one = (
            "SELECT p.path, p.ts FROM body.{0} AS d JOIN body.files AS f ON f.doc = d.rowid "
            "JOIN posts AS p INDEXED BY posts_by_path ON p.path = f.path WHERE d.{0} MATCH ?"
        )
        tables = [table for table, _ in queries]
        if not set(tables) <= {"docs", "short"}:
            raise ValueError(f"not a body index table: {tables}")
        sql = " UNION ".join(one.format(table) for table in tables) + " ORDER BY 2 DESC, 1 DESC"
        # In the subquery's order, as SQLite concatenates rows (tests/test_index_cache.py).
        joined = f"SELECT CAST(group_concat(path || char(0), '') AS BLOB) FROM ({sql})"
        with self._lock:
            self._conn.execute("ATTACH DATABASE ? AS body", (str(body_index),))
            try:
                params = [query for _, query in queries]
                (found,) = self._conn.execute(joined, params).fetchone() if queries else (b"",)
                if found and (found[:1] == b"\0" or b"\0\0" in found):  # a raw name's key
                    rows = self._conn.execute(sql, params).fetchall()
                    return b"".join(os.fsencode(key_path(path)) + b"\0" for path, _ in rows)
            finally:
                self._conn.execute("DETACH DATABASE body")
        return found or b""

    def load_paths(self, rels: Iterable[str]) -> list[Post]:
        """The cached posts among rels, newest first."""
        with self._lock:
            self._want(rels)
            return self._select(
                f"SELECT packed FROM posts WHERE path IN (SELECT path FROM temp.wanted) {_ORDER}"
            )

    def _want(self, rels: Iterable[str]) -> None:
        """Fill temp.wanted (this connection's own) with these paths, for a query to join with.
        Bound parameters, not a JSON array: a raw name's key starts with NUL (see path_key),
        which SQLite's JSON functions cut short."""
        self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (path TEXT PRIMARY KEY)")
        self._conn.execute("DELETE FROM temp.wanted")
        self._conn.executemany(
            "INSERT OR IGNORE INTO temp.wanted VALUES (?)", ((path_key(rel),) for rel in rels)
        )

    def _meta_value(self, key: str) -> str:
        return self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def _select(self, sql: str, params: Sequence[object] = ()) -> list[Post]:
        # 100,000 rows make ~1.5 million objects: without the pause the cyclic GC runs over and
        # over on a growing heap and doubles the time.
        try:
            with collector_paused(), self._lock:
                # Row by row, not fetchall(): a million rows' blobs at once held 450 MB.
                return _unpack(blob for (blob,) in self._conn.execute(sql, params))
        except _BAD_DATA as error:
            # A damaged file can pass the checks and fail here; the next refresh re-reads all.
            self._rebuild(error)
            return []

    def _stats(self) -> dict[str, tuple[int, int]]:
        with self._lock:
            rows = self._conn.execute("SELECT path, size, mtime_ns FROM posts").fetchall()
        return {key_path(path): (size, mtime_ns) for path, size, mtime_ns in rows}

    # --- writing -------------------------------------------------------------------------------

    def refresh(
        self,
        *,
        on_batch: Callable[[list[Post]], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        workers: int | None = None,
        fingerprint: TreeFingerprint | None = None,
    ) -> RefreshResult:
        """Bring the cache in step with the folder: parse new and changed files, drop vanished ones.

        The folder's fingerprint (see TreeFingerprint) is taken by another process as this
        starts, or was started by the caller before it read from the cache. If it is what the
        table was last known to match, nothing changed: 100,000 posts need no comparison row by
        row (nor reading from the table). Stored after this refresh, the fingerprint is older
        than the table, never newer: a change meanwhile moves some file's ctime, so the next
        refresh looks again.
        """
        own = fingerprint is None
        tree = fingerprint
        if tree is None:
            # Also on a cold start, though there is nothing to compare: stored at its end, it
            # spares the next start a walk and a compare of every file (40-60 s at a million,
            # under the typing). At the lowest priority there: the parsers and the first rows
            # want both CPUs, and it is only needed at the end.
            tree = TreeFingerprint(self.root, idle=not self.count())
        try:
            with self._refresh_lock, self._tracking() as versions:
                try:
                    result = self._refresh(tree, on_batch, progress, is_cancelled, workers)
                except sqlite3.DatabaseError as error:
                    if self.in_memory:
                        raise
                    self._rebuild(error)
                    result = self._refresh(tree, on_batch, progress, is_cancelled, workers)
                result.versions = versions()
                return result
        finally:
            if own and tree is not None:
                tree.close()

    def _refresh(
        self,
        fingerprint: TreeFingerprint | None,
        on_batch: Callable[[list[Post]], None] | None,
        progress: Callable[[int, int], None] | None,
        is_cancelled: Callable[[], bool] | None,
        workers: int | None,
    ) -> RefreshResult:
        result = RefreshResult()
        cancelled = is_cancelled or (lambda: False)
        with self._lock:
            self._written = self._meta_value("version")
            trusted = self._meta_value("tree")
        if trusted and fingerprint is not None and fingerprint.result() == trusted:
            with self._lock:
                result.problems = json.loads(self._meta_value("problems"))
            return result
        known = self._stats()
        changed: set[str] = set()  # the known paths whose file changed
        found: _Found
        walked = 0  # files the walk found that are in the table as they are (not in found)
        if known:
            todo: list[_Entry] = []
            # Checked as the walk goes: quitting during a warm refresh must not wait for a walk of
            # 100,000 files (the app's exit waits for its worker threads). Each file found is
            # taken out of known, so what is left has vanished: no second dict of every file (at
            # a million files the two held ~400 MB at once).
            walk = iter_scan(self.root, result.problems, follow_symlinks=self.follow_symlinks)
            count = -1
            for count, entry in enumerate(walk):
                if count % 2000 == 0 and cancelled():
                    result.cancelled = True
                    return result
                was = known.pop(entry.rel, None)
                if was is None:
                    todo.append(entry)
                elif was != (entry.size, entry.mtime_ns):
                    changed.add(entry.rel)
                    todo.append(entry)
            result.removed = list(known)
            walked = count + 1 - len(todo)
            known.clear()
            self._delete(result.removed)
            # Reverse path order: dated folders put the newest posts first, so they paint first.
            todo.sort(reverse=True)
            found = _Found(todo)  # FileEntry is the (rel, size, mtime_ns) tuple itself
        else:
            # Cold start: nothing can have vanished, so parse files as the walk finds them (newest
            # first) instead of waiting for all of it: the first rows show within a moment.
            walk = iter_scan(self.root, result.problems, follow_symlinks=self.follow_symlinks)
            found = _Found((entry.rel, entry.size, entry.mtime_ns) for entry in walk)
        done = 0
        # closing() shuts the pool down at once when a cancel breaks the loop.
        with closing(self._parse_batches(found, workers, cancelled)) as batches:
            for rows in batches:
                # Until the last batch is in, a reopen after a quit (or a kill) knows that the
                # table is only part of the folder, and about how much (see walk()).
                last = found.finished and done + len(rows) >= found.count
                posts = self._write(rows, WALKED if last else str(walked + found.count))
                for post in posts:
                    (result.changed if post.path in changed else result.added).append(post)
                done += len(posts)
                if on_batch is not None:
                    on_batch(posts)
                if progress is not None:
                    progress(done, found.count)
                if (done < found.count or not found.finished) and cancelled():
                    result.cancelled = True
                    break
        if not (found.finished and done >= found.count):
            # The batches ended before every file found was parsed: the pool was killed because
            # newstui is ending (see _parse_batches), which is a cancel, not the end of the walk.
            result.cancelled = True
        if not result.cancelled:
            self._walk_done()  # (when the last batch did not say so: nothing was left to parse)
        tree = None if result.cancelled or fingerprint is None else fingerprint.result()
        if tree is not None:
            self._trust(tree, result.problems)
        return result

    def _walk_done(self) -> None:
        """Record that the table holds every file the last walk found, if it does not say so."""
        with self._lock:
            if self._walk() == WALKED:
                return
            with self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                self._set_walk(WALKED)

    def _trust(self, tree: str, problems: list[str]) -> None:
        """Record that the table matches the tree with this fingerprint (and the walk's problems),
        unless someone else (the live reload, another process) wrote since this refresh did."""
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            if self._meta_value("version") == self._written:
                self._conn.executemany(
                    "UPDATE meta SET value = ? WHERE key = ?",
                    [(tree, "tree"), (json.dumps(problems, ensure_ascii=False), "problems")],
                )

    def _changed(self, added: int, walk: str | None = None) -> None:
        """Inside a write transaction that added (or, below zero, removed) this many rows: a new
        version, and no walk is known to match any more; walk: how the refresh's walk stands
        (WALKED, or the files it has found so far)."""
        previous = self._meta_value("version") if self._steps is not None else ""
        self._written = _token()
        self._conn.execute("UPDATE meta SET value = ? WHERE key = 'version'", (self._written,))
        if self._steps is not None:
            self._steps.append((previous, self._written))
        self._conn.execute("UPDATE meta SET value = '' WHERE key = 'tree'")
        # The count that opening checks the table against, kept as rows come and go: a
        # count(*) here read a whole index at every batch (~0.2 s each at a million posts).
        if added:
            self._conn.execute(
                "UPDATE meta SET value = CAST(value AS INTEGER) + ? WHERE key = 'count'", (added,)
            )
        if walk is not None:
            self._set_walk(walk)

    def _parse_batches(
        self, todo: Iterator[_Entry], workers: int | None, cancelled: Callable[[], bool]
    ) -> Generator[list[_Row]]:
        """Rows for the todo files in batches of about batch_size, in completion order."""
        root = str(self.root)
        workers = workers or os.cpu_count() or 1
        # The newest files first, parsed here at once: the pool would take a moment to start
        # (unless start_early started it: then the pool parses them, and this process never
        # loads the parser).
        early = pool.started_early(_PRELOAD)
        first = list(islice(todo, min(self.first_batch, self.batch_size)))
        if first and not early:
            yield _parse_chunk(root, first)
            first = []
        # A cold walk finds this many files in a few milliseconds: enough to tell a small folder.
        head = list(islice(todo, self.pool_threshold))
        if len(head) < self.pool_threshold or workers < 2:
            if early and (unused := pool.take_early(_PRELOAD)) is not None:
                unused.shutdown(wait=False, cancel_futures=True)
            for entries in _batched(chain(first, head, todo), self.batch_size):
                yield _parse_chunk(root, entries)
            return
        chunks = _growing(chain(head, todo), self.chunk_size, self.chunk_most)
        import queue

        unparsed: dict[int, list[_Entry]] = {}  # submitted and not yet back, by number
        futures: dict[Future[list[_Row]], int] = {}
        # Each future puts itself here when it is done: taking what is back costs the same with
        # 4,000 chunks out as with 4, where asking every future (or wait() on all of them) at
        # every chunk made a cold index of a million files spend most of its time doing that.
        back: queue.SimpleQueue[Future[list[_Row]]] = queue.SimpleQueue()
        batch: list[_Row] = []
        # Batches grow with the count so far (each on_batch call costs the app a little: 100,000
        # posts come in a few dozen batches rather than a hundred), up to batch_most: the last
        # one is written after the pool is done, with a CPU idle.
        yielded = 0

        def due() -> bool:
            return len(batch) >= max(self.batch_size, min(yielded // 4, self.batch_most))

        executor: ProcessPoolExecutor | None = None

        def take(future: Future[list[_Row]]) -> None:
            batch.extend(future.result())  # raises if the pool broke: unparsed keeps the chunk
            del unparsed[futures.pop(future)]

        try:
            try:
                executor = pool.take_early(_PRELOAD) or start_pool(workers, preload=_PRELOAD)
                if first:  # the newest files, on their own and before the rest
                    unparsed[0] = first
                    rows = executor.submit(_parse_chunk, root, first).result()
                    del unparsed[0]
                    yielded += len(rows)
                    yield rows
                # Hand out the rest as the walk finds it, passing on what is back meanwhile.
                for number, chunk in enumerate(chunks, 1):
                    unparsed[number] = chunk
                    future = executor.submit(_parse_chunk, root, chunk)
                    futures[future] = number
                    future.add_done_callback(back.put)
                    while not back.empty():
                        take(back.get())
                    if due():
                        yielded += len(batch)
                        yield batch
                        batch = []
                while futures:
                    take(back.get())  # waits for the next one
                    while not back.empty():
                        take(back.get())
                    if due() or not futures:
                        yielded += len(batch)
                        yield batch
                        batch = []
            except pool_failures():  # finish the rest in this process
                if cancelled():
                    return  # the pool was killed because newstui is ending (tui/ending.py)
                if batch:
                    yield batch
                rest = chain(*unparsed.values(), chain.from_iterable(chunks))
                for entries in _batched(rest, self.batch_size):
                    yield _parse_chunk(root, entries)
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)

    def start_early(self) -> None:
        """When refresh will parse at least pool_threshold files (a cold start of a large
        folder, or a reopen after an interrupted one): start the parsers' pool now, in the
        background, so that it is ready when refresh wants it, and parses the first rows too
        (see pool.start_early); the app then never loads the parser while keys are typed."""
        count = self.count()
        if count:
            whole, found = self.walk()
            if whole or found - count < self.pool_threshold:
                return
        else:
            walk = iter_scan(self.root, [], follow_symlinks=self.follow_symlinks)
            if sum(1 for _ in islice(walk, self.pool_threshold)) < self.pool_threshold:
                return
        pool.start_early(os.cpu_count() or 1, preload=_PRELOAD)

    def _write(self, rows: list[_Row], walk: str | None = None) -> list[Post]:
        """Store the rows in one transaction (all or nothing if killed); their posts. walk: see
        _changed."""
        with self._lock:
            with self._conn:
                self._conn.execute("BEGIN")
                # New paths are inserted, and counted; only when some were already there (a
                # changed file) do all the rows go again as an upsert, which cannot tell.
                added = self._conn.executemany(_INSERT, rows).rowcount
                if added < len(rows):
                    self._conn.executemany(_UPSERT, rows)
                self._changed(added, walk)
        return _unpack(cast(bytes, row[-1]) for row in rows)

    def _delete(self, rels: list[str]) -> None:
        with self._lock:
            for start in range(0, len(rels), self.batch_size):
                with self._conn:
                    self._conn.execute("BEGIN")
                    removed = self._conn.executemany(
                        "DELETE FROM posts WHERE path = ?",
                        [(path_key(rel),) for rel in rels[start : start + self.batch_size]],
                    ).rowcount
                    self._changed(-removed)

    def update_paths(self, rels: Iterable[str]) -> RefreshResult:
        """Live reload: re-stat these paths, re-parse new or changed ones, drop vanished ones."""
        with self._refresh_lock, self._tracking() as versions:
            result = RefreshResult()
            known = self._stats()
            todo: list[_Entry] = []
            for rel in dict.fromkeys(rels):
                st = self._stat(rel)
                if st is None:
                    if rel in known:
                        result.removed.append(rel)
                elif known.get(rel) != st:
                    todo.append((rel, *st))
            self._delete(result.removed)
            for post in self._write(_parse_chunk(str(self.root), todo)):
                (result.changed if post.path in known else result.added).append(post)
            result.versions = versions()
            return result

    @contextmanager
    def _tracking(self) -> Iterator[Callable[[], tuple[str, str] | None]]:
        """Under the refresh lock, around a refresh's writes: each write is recorded, and the
        function given says RefreshResult.versions: (the table's version before, now) if every
        write since was this process's, one after the other; else None."""
        before = self.version()
        steps: list[tuple[str, str]] = []
        self._steps = steps

        def versions() -> tuple[str, str] | None:
            now = before
            for previous, new in steps:
                if previous != now:
                    return None  # another process wrote in between
                now = new
            return (before, now) if now and self.version() == now else None

        try:
            yield versions
        finally:
            self._steps = None

    def _stat(self, rel: str) -> tuple[int, int] | None:
        """(size, mtime_ns) of rel if scan() would list it (a post file, nothing hidden), else None."""
        parts = rel.split("/")
        if rel.startswith("/") or any(part in ("", "..") or part[0] == "." for part in parts):
            return None
        if not is_post_file(parts[-1]):
            return None
        if not self.follow_symlinks and not inside(str(self.root / rel), str(self.root)):
            return None  # as scan() skips it
        try:
            st = os.stat(self.root / rel)  # follows links, as scan() does
        except (OSError, ValueError):
            return None
        if not stat.S_ISREG(st.st_mode):
            return None
        return st.st_size, file_mtime_ns(st)


_BAD_DATA = (sqlite3.DatabaseError, ValueError, EOFError, TypeError)  # what a damaged cache raises
_PRELOAD = ["tui.files.parse"]  # what the parsers' fork server imports for its workers


def _token() -> str:
    return os.urandom(8).hex()


class _Found:
    """The files to parse, counted as they are taken: a cold walk's total grows as it goes."""

    __slots__ = ("_entries", "count", "finished", "_total")

    def __init__(self, entries: Iterable[_Entry]) -> None:
        self._entries = iter(entries)
        self._total = len(entries) if isinstance(entries, list) else None
        self.count = self._total or 0
        self.finished = self._total is not None

    def __iter__(self) -> Iterator[_Entry]:
        return self

    def __next__(self) -> _Entry:
        try:
            entry = next(self._entries)
        except StopIteration:
            self.finished = True
            raise
        if self._total is None:
            self.count += 1
        return entry


def _growing(entries: Iterable[_Entry], first: int, most: int) -> Iterator[list[_Entry]]:
    """Batches of first entries, growing with the count handed out to at most `most`."""
    iterator = iter(entries)
    taken = 0
    while batch := list(islice(iterator, min(most, max(first, taken // 16)))):
        taken += len(batch)
        yield batch


def _batched(entries: Iterable[_Entry], size: int) -> Iterator[list[_Entry]]:
    iterator = iter(entries)
    while batch := list(islice(iterator, size)):
        yield batch


def _parse_chunk(root: str, entries: list[_Entry]) -> list[_Row]:
    """Database rows for these files; runs in pool workers, so the main process only writes."""
    from tui.files.parse import parse_file  # loaded where parsing happens: not on a warm start

    base = Path(root)
    rows = []
    for rel, size, mtime_ns in entries:
        post = parse_file(base, rel, with_body=False).post
        # The cache keys on the scanned path and stat: a file changed since the scan is seen as
        # changed again next time rather than stored with a stat that does not match its content.
        post.path = rel
        rows.append(_to_row(post, size, mtime_ns))
    return rows


def _to_row(post: Post, size: int, mtime_ns: int) -> _Row:
    extra = {str(key): str(value) for key, value in post.extra.items()}  # plain types for marshal
    # load() reads only `packed`: one marshalled tuple per row decodes about twice as fast as
    # twelve columns. Only what SQL needs has a column of its own: a cold start writes 100,000
    # rows from one thread while the pool parses, and title, url, tags... twice over cost it 10%.
    # Author, tags, categories and problems repeat across thousands of posts (most archives tag a
    # post with its source), so they travel as one nested blob that load() decodes once per kind.
    shared = marshal.dumps(
        (post.author, tuple(post.tags), tuple(post.categories), tuple(post.problems))
    )
    packed = marshal.dumps(
        (
            None if post.id == post.url else post.id,  # usually the url: do not store it twice
            post.path,
            post.title,
            None if post.folded is post.title else post.folded,  # computed here, in the pool
            post.stored_date(),  # (ts, offset): load() makes no datetime (see stored_post)
            post.url,
            shared,
            extra or None,
            size,  # (read by nothing now: the columns hold them)
            mtime_ns,
        )
    )
    return (
        path_key(post.path),
        size,
        mtime_ns,
        None if post.ts == UNDATED else post.ts,
        packed,
    )


def _unpack(blobs: Iterable[bytes]) -> list[Post]:
    """Posts from `packed` blobs (see _to_row). Raises ValueError etc. on bad data."""
    loads = marshal.loads
    stored = stored_post
    seen: dict[bytes, tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {}
    zones: dict[int, timezone] = {}
    posts: list[Post] = []
    append = posts.append
    for blob in blobs:
        id, path, title, folded, date, url, shared, extra, _size, _mtime_ns = loads(blob)
        common = seen.get(shared)
        if common is None:
            common = seen[shared] = loads(shared)
        author, tags, categories, problems = common
        if type(date) is tuple:
            ts, offset = date
            zone = zones.get(offset)
            if zone is None:
                zone = zones[offset] = shared_zone(timezone(timedelta(seconds=offset)))
            append(
                stored(
                    url if id is None else id,
                    path,
                    title,
                    title if folded is None else folded,
                    ts,
                    zone,
                    author,
                    url,
                    tags,
                    categories,
                    extra,
                    problems,
                )
            )
        else:
            when = None if date is None else datetime.fromisoformat(date)
            append(
                Post(
                    url if id is None else id,
                    path,
                    title,
                    when,
                    author,
                    url,
                    tags,
                    categories,
                    extra,
                    problems,
                )
            )
    return posts
