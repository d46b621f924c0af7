"""Full-text search of titles and bodies in any language: an SQLite FTS5 index of character pairs."""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import sys
import threading
from array import array
from collections.abc import Callable, Collection, Generator, Mapping
from contextlib import closing, suppress
from itertools import islice, repeat
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, Protocol, TypeVar

from rich.cells import cell_len

from tui import chinese, dbfile, locations
from tui.collector import collector_paused
from tui.dbfile import key_path, path_key
from tui.pool import pool_failures, start_pool
from tui.text import clean_line, truncate_cells

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    import numpy as np
    import numpy.typing as npt

    from tui.index.matches import Matches

# Design (sizes and times from bench/fulltext_bench.py):
# - Text is folded in Python (lowercase, Traditional Chinese as Simplified by OpenCC's character
#   table, whitespace and control character runs to one space: see fold) before indexing, so a
#   match is exactly `fold(term) in fold(text)`. Folding the indexed text rather than expanding a
#   term into its variants (香港问题: 問/问 x 題/题, ...) keeps a search one phrase, and costs the
#   index nothing: the folded text has as many characters, and fewer distinct pairs.
# - One FTS5 table of character pairs, tokenised in Python (in the pool's processes) rather than
#   by FTS5's trigram tokenizer: the text "香港 ai" is written as the words "香港 港_ _a ai" (_:
#   a space as U+FFFF, which fold() never leaves in text) for FTS5's ascii tokenizer, with every
#   ASCII character but space and controls a word character. Then the distinct characters of the
#   post follow as one-character words. A term of 3+ characters is a phrase of its pairs
#   (detail=full: exact, from the index alone), a 2-character term is one pair, a 1-character term
#   one character: each one doclist, no text read, and 香港 and 港 as quick as longer words.
# - This replaced a trigram table plus a second table of each post's distinct characters and
#   pairs (for 1- and 2-character terms): the same 30,000 posts were indexed ~2.5 times faster
#   (the writer tokenised every post twice, and built two tables) and the cache shrank from ~1.45
#   to ~1.0 times the posts' size (pairs repeat in a post far more often than trigrams, and each
#   post's own distinct pairs were stored twice). detail=none would be smaller still, but every
#   hit of a 3+ character term would then need its text re-checked.
# - Contentless (content=''): no copy of the text at all.
# - A contentless table cannot delete a row without its old text (SQLite 3.40), so a changed or
#   vanished post just stops being referenced from `files`; search joins through `files`, and the
#   unreferenced rows (`dead`) are dropped by rebuilding once they outnumber the live ones.
_SPACE = re.compile(r"[\s\x00-\x1f\x7f]+")
_MARKS = re.compile("[\ufffe\uffff]")  # folded to U+FFFD: they stand for a space and a break
_WORD_SPACE = "\uffff"  # a space inside a word (the ascii tokenizer splits words at spaces)
_BREAK = "\ufffe"  # between the title and the body: no pair across it matches a term
# Every printable ASCII character that is not a letter or digit: word characters, like them.
_PUNCTUATION = "".join(chr(c) for c in range(0x21, 0x7F) if not chr(c).isalnum())
_TOKENIZER = "ascii tokenchars '" + _PUNCTUATION.replace("'", "''") + "'"
_CODE = next(code for code in "IL" if array(code).itemsize == 4)  # one UTF-32 code unit
_T = TypeVar("_T")
BACKGROUND_NICE = 10  # how much lower a background update's readers run than the app
# Of a huge post only the beginning is indexed: a 200 MB one took 3.95 GB in one reader process.
INDEX_BYTES = 8 << 20

_SCHEMA = [
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE files (
        path TEXT PRIMARY KEY,
        doc INTEGER NOT NULL UNIQUE,
        size INTEGER NOT NULL,
        mtime_ns INTEGER NOT NULL
    )""",
    f"""CREATE VIRTUAL TABLE docs USING fts5 (
        text, tokenize = '{_TOKENIZER.replace("'", "''")}', detail = full, content = '',
        columnsize = 0
    )""",
    # One flush per write batch instead of one per MB of text: fewer segments to merge.
    "INSERT INTO docs (docs, rank) VALUES ('hashsize', 33554432)",
    # Segments merged 8 at a time rather than 4: each post's pairs are rewritten fewer times
    # (~20% less of the writer's time for 2,000 generated posts).
    "INSERT INTO docs (docs, rank) VALUES ('automerge', 8)",
]
# The matching row ids of a range as one text, parsed by numpy in C (tui/index/matches.py):
# ~7 times quicker than json_group_array's array through json.loads, and no Python int per id.
_MATCHING = "SELECT group_concat(rowid) FROM docs WHERE docs MATCH ? AND rowid >= ? AND rowid < ?"
_MATCHING_PATHS = (
    "SELECT json_group_array(path) FROM files"
    " WHERE doc IN (SELECT rowid FROM docs WHERE docs MATCH ?)"
)
_BEYOND = "SELECT rowid FROM docs WHERE docs MATCH ? LIMIT 1 OFFSET ?"
_NO_END = 1 << 62  # past every row id
_UPSERT = """
INSERT INTO files (path, doc, size, mtime_ns) VALUES (?, ?, ?, ?)
ON CONFLICT (path) DO UPDATE SET doc = excluded.doc, size = excluded.size, mtime_ns = excluded.mtime_ns
"""


# The saved table (see FullTextIndex._saved_table): this line, a line with the index's state it
# was made at, the digest of the list it is for, then a 4-byte little-endian position per row id.
_SAVED = b"newstui body search table 1\n"
_DIGEST = 16


class _IndexState(NamedTuple):
    """What a saved table was made at: the index's generation (new at every write), its next
    row id and its count of files (these two change with a write by an older newstui too, which
    knows nothing of generations)."""

    generation: str
    next_doc: int
    files: int

    def line(self) -> bytes:
        return f"{self.generation} {self.next_doc} {self.files}\n".encode("ascii")


def _index_state(conn: sqlite3.Connection) -> _IndexState | None:
    """None before the first write that gave the index a generation."""
    rows = dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('generation', 'next_doc', 'count')"
        ).fetchall()
    )
    if len(rows) < 3:
        return None
    return _IndexState(str(rows["generation"]), int(rows["next_doc"]), int(rows["count"]))


def _digest(where: Mapping[str, int]) -> bytes:
    """A digest of where's paths and positions, in its order. In slices: each join and hash
    holds the interpreter for a moment, not the ~0.2 s a million paths at once would take."""
    digest = hashlib.blake2b(digest_size=_DIGEST)
    pairs = iter(where.items())
    while chunk := list(islice(pairs, 20_000)):
        paths = "\0".join(path for path, _ in chunk)
        digest.update(paths.encode("utf-8", "surrogatepass"))
        digest.update(array("q", [position for _, position in chunk]).tobytes())
    return digest.digest()


def default_db_path(root: Path) -> Path:
    # os.fsencode: a folder whose name is not UTF-8 has a cache too (the same digest as
    # str.encode() for every name that is).
    digest = hashlib.sha1(os.fsencode(root.resolve()), usedforsecurity=False).hexdigest()[:16]
    return locations.cache_dir() / "index" / f"{digest}.fts.sqlite"


def fold(text: str) -> str:
    """The form both the index and search terms are compared in: lowercase, one Chinese
    script, single spaces (for any run of whitespace and control characters)."""
    text = _SPACE.sub(" ", chinese.fold(text))
    return _MARKS.sub("\ufffd", text) if _BREAK in text or _WORD_SPACE in text else text


class SearchInterrupted(Exception):
    """A search stopped by FullTextIndex.interrupt(): its answer is not known."""


class PostSource(Protocol):
    """Where update_from() finds the posts: tui.index.cache.IndexCache."""

    def version(self) -> str: ...
    def stats(self) -> tuple[str, dict[str, tuple[int, int]]]: ...


class FullTextIndex:
    """Which posts' titles or bodies contain a piece of text, kept in step with a list of posts."""

    # 2: title and body in one column (a fifth faster to build, a third smaller); 3: pairs;
    # 4: `short` has single characters too; 5: Chinese folded to one script; 6: one table of
    # pairs and characters instead of trigrams and `short`; 7: no space where a tag or a line
    # break splits Chinese text (plain_text joins it as the reader does)
    SCHEMA_VERSION = 7
    batch_size = 500  # posts per write transaction: a reader sees progress, a kill loses little
    pool_threshold = 2000  # fewer posts than this are read in-process: a pool start costs more
    # Paths per pool task: quitting waits for the tasks already running (with 100, a quit as
    # the app's build started took 1.0 s; 0.8 s now).
    chunk_size = 25
    read_ahead = 400  # posts sent to the pool before their text is written: enough to keep it busy
    split_at = 20_000  # docs from which a search runs in two threads (see _matching)
    # While prepare() runs, a term in more docs than this waits for its table (at a million
    # posts: 港, in 705,000, took 4.7 s by path, ~0.5 s after waiting); fewer go by path.
    by_path_limit = 20_000
    max_dead = 10_000  # rebuild once more rows than this (and than live ones) are unreferenced
    # A batch of long posts writes ~15 MB to the WAL, which then stays that size on disk while
    # the app runs (114 MB after 30,000 generated posts): cut it back whenever it starts over.
    wal_limit = 4 << 20

    def __init__(self, root: Path, db_path: Path | None = None) -> None:
        self.root = root.resolve()
        self.db_path = db_path if db_path is not None else default_db_path(root)
        self.notice: str | None = None
        self._lock = threading.RLock()  # guards the connections; never held across a batch
        self._update_lock = threading.Lock()  # one update at a time
        self._total = 0  # posts in the latest update()
        self._ready = 0  # of those, how many are indexed
        self._updated = False
        self._positions: _Positions | None = None  # see _table()
        self._preparing: Mapping[str, int] | None = None  # prepare() is making its table
        self._prepared = threading.Event()  # set whenever prepare() is not making one
        self._prepared.set()
        self._helper: sqlite3.Connection | None = None  # a second reader: see _matching()
        self._interrupts = 0  # interrupt() calls: a search that began before the last one stops
        self._damaged = False  # search() hit an unreadable database: update() starts over
        self._damage = ""  # what it was
        self._closing = False  # close() was called: a running update stops, quietly
        self._conn, self._reader = self._open()

    # --- opening -------------------------------------------------------------------------------

    def _open(self, rebuild: bool = False) -> tuple[sqlite3.Connection, sqlite3.Connection]:
        """A writer and a reader connection (WAL: search goes on while update() writes)."""
        opened = dbfile.open_cache(
            self.db_path,
            what="body search index",
            meta=self._meta(),
            tables={"meta", "files", "docs"},
            create=self._create,
            counted=("files", "count"),
            timeout=30,
            rebuild=rebuild,
        )
        if opened.notice:
            self.notice = opened.notice
        conn = opened.conn
        try:
            reader = conn if opened.in_memory else dbfile.connect(self.db_path, timeout=30)
        except (OSError, sqlite3.Error) as error:
            conn.close()
            self.notice = f"The body search index is unavailable ({error}); it is kept in memory."
            conn = reader = dbfile.connect(":memory:")
            self._create(conn)
        conn.execute(f"PRAGMA journal_size_limit = {int(self.wal_limit)}")
        return conn, reader

    def _create(self, conn: sqlite3.Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                conn.execute(statement)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", self._meta().items())
            conn.executemany(
                "INSERT INTO meta VALUES (?, 0)", [("next_doc",), ("dead",), ("count",)]
            )
            conn.execute("COMMIT")
        except BaseException:
            dbfile.rollback(conn)
            raise

    def _meta(self) -> dict[str, str]:
        return {"schema": str(self.SCHEMA_VERSION), "root": dbfile.display_path(self.root)}

    def _rebuild(self, error: BaseException | str | None = None) -> None:
        """Start over: the database turned out unreadable mid-use, or `index --rebuild` asked."""
        with self._lock:
            self._close_connections()
            self.notice = None
            self._conn, self._reader = self._open(rebuild=not self.in_memory)
            if error is not None:
                self.notice = f"The body search index was damaged ({error}); it is rebuilt."
            self._ready = 0
            self._positions = None
            self._damaged = False

    def rebuild(self) -> None:
        """Throw the index away: the next update reads every post again."""
        with self._update_lock:
            self._rebuild()

    def take_notice(self) -> str | None:
        """The notice, once: the app shows it when an update ends."""
        notice, self.notice = self.notice, None
        return notice

    @property
    def damaged(self) -> bool:
        """A search found the database unreadable: its answers are not to be trusted until the
        next update() rebuilds it."""
        return self._damaged

    @property
    def in_memory(self) -> bool:
        return self._conn is self._reader

    def _close_connections(self) -> None:
        if self._helper is not None:
            self._helper.close()
            self._helper = None
        if self._reader is not self._conn:
            self._reader.close()
        self._conn.close()

    def close(self) -> None:
        """Close, without waiting for a batch being written: it is rolled back (quitting during
        the first indexing would otherwise wait for up to 500 posts, over a second)."""
        self._closing = True
        self._conn.interrupt()
        with self._lock:
            self._close_connections()

    # --- searching -----------------------------------------------------------------------------

    def search(self, text: str, *, limit_to: Collection[str] | None = None) -> set[str]:
        """Paths of the indexed posts whose title or body contains text, ignoring case."""
        sql = "SELECT path FROM files WHERE doc IN (SELECT rowid FROM {0} WHERE {0} MATCH ?)"
        found: set[str] = set()
        try:
            with self._lock:
                term = fold(text)
                if not term:
                    found.update(
                        key_path(k) for (k,) in self._reader.execute("SELECT path FROM files")
                    )
                for fts, query in self._queries(term):
                    rows = self._reader.execute(sql.format(fts), (query,))
                    found.update(key_path(key) for (key,) in rows)
        except sqlite3.DatabaseError as error:
            self._failed(error)
            return set()
        if limit_to is not None:
            found.intersection_update(limit_to)
        return found

    def match_queries(self, text: str) -> list[tuple[str, str]] | None:
        """(table, FTS5 query) pairs that between them find the posts containing text; None:
        every post. The table is "docs" (see the design notes above)."""
        term = fold(text)
        if not term:
            return None
        with self._lock:
            return self._queries(term)

    def positions(self, text: str, where: Mapping[str, int]) -> Matches:
        """search(), answered as where[path] of each found path (where: path -> its position in
        a list of posts, the same mapping object every time for the same list). The answer may
        be the one an earlier call returned.

        The app searches this way: SQLite hands over the matching row ids as one text, and a
        table built once per list and per index version turns them into positions, in numpy
        (tui/index/matches.py); paths as Python strings cost ~30 times as much when most posts
        match.
        """
        from tui.index.matches import Matches

        began, term = self._interrupts, fold(text)
        try:
            with self._lock:
                if self._interrupts != began:  # superseded while waiting for the one before
                    raise SearchInterrupted
                # prepare() is making the table (seconds at a million posts): the paths of a
                # few matching rows answer now; many (6.8 us each) wait for the table.
                waiting = self._preparing is where and self._current(where) is None
                if waiting and not self._matches_more_than(term, where, self.by_path_limit):
                    return self._positions_by_path(term, where, began)
            if waiting:
                self._wait_for_prepare(began)
            with self._lock:
                if self._interrupts != began:
                    raise SearchInterrupted
                positions = self._current(where)
                if positions is None:
                    positions = self._table(where)
                if term in positions.found:
                    return positions.found[term]
                table = positions.table
                parts = [table[table >= 0]] if not term else []
                for _, query in self._queries(term):
                    parts.extend(self._matching(query, table, began))
                found = Matches(len(where), *parts)
                positions.remember(term, found)
                return found
        except sqlite3.DatabaseError as error:
            self._failed(error)
            return Matches(len(where))

    def _matching(
        self, query: str, table: npt.NDArray[np.int32], began: int
    ) -> list[npt.NDArray[np.int32]]:
        """table[doc] of every doc that matches an FTS5 query, in one or two parts. In a large
        index the upper half of the row ids is searched at the same time by a thread of its own,
        on a second connection: SQLite runs without the GIL, so a long doclist takes two cores
        (~40% less time for a common word at 100,000 posts)."""
        if len(table) < self.split_at or self.in_memory:
            return [self._positions_in(self._reader, query, table, 0, _NO_END, began)]
        if self._helper is None:
            try:
                self._helper = dbfile.connect(self.db_path, timeout=30)
            except sqlite3.Error:  # too many open files, say: no sign of damage; one thread then
                return [self._positions_in(self._reader, query, table, 0, _NO_END, began)]
        helper, middle = self._helper, len(table) // 2
        upper: list[npt.NDArray[np.int32] | BaseException] = []

        def search_upper() -> None:
            try:
                upper.append(self._positions_in(helper, query, table, middle, _NO_END, began))
            except BaseException as error:  # raised again below, in the caller's thread
                upper.append(error)

        thread = threading.Thread(target=search_upper, name="newstui-body-search", daemon=True)
        thread.start()
        try:
            found = self._positions_in(self._reader, query, table, 0, middle, began)
        finally:
            thread.join()  # the helper connection is free again before the lock is
        if isinstance(upper[0], BaseException):
            raise upper[0]
        return [found, upper[0]]

    def _positions_in(
        self,
        conn: sqlite3.Connection,
        query: str,
        table: npt.NDArray[np.int32],
        low: int,
        high: int,
        began: int,
    ) -> npt.NDArray[np.int32]:
        """table[doc] of the docs from low up to high that match an FTS5 query."""
        from tui.index import matches

        (docs,) = conn.execute(_MATCHING, (query, low, high)).fetchone()
        # Reading the ids takes time that interrupt() cannot stop: a newer search would wait.
        if self._interrupts != began:
            raise SearchInterrupted
        return matches.positions_of(table, matches.row_ids(docs))

    def _matches_more_than(self, term: str, where: Mapping[str, int], count: int) -> bool:
        """Whether more than count docs match term: FTS5 steps through count ids, no more."""
        if not term:
            return len(where) > count
        return any(
            self._reader.execute(_BEYOND, (query, count)).fetchone() is not None
            for _, query in self._queries(term)
        )

    def _wait_for_prepare(self, began: int) -> None:
        """Until prepare() has made (or given up on) its table; a newer search stops the wait."""
        while not self._prepared.wait(0.05):
            if self._interrupts != began or self._closing:
                raise SearchInterrupted

    def _positions_by_path(self, term: str, where: Mapping[str, int], began: int) -> Matches:
        """positions() without its table: where[path] of each matching row's path."""
        from tui.index.matches import Matches

        found: set[int] = set()
        queries = self._queries(term) if term else [("docs", None)]
        for _, query in queries:
            if query is None:
                (keys,) = self._reader.execute(
                    "SELECT json_group_array(path) FROM files"
                ).fetchone()
            else:
                (keys,) = self._reader.execute(_MATCHING_PATHS, (query,)).fetchone()
            if self._interrupts != began:
                raise SearchInterrupted
            found.update(map(where.get, map(key_path, json.loads(keys)), repeat(-1)))
        found.discard(-1)
        return Matches.of(len(where), found)

    def prepare(self, where: Mapping[str, int]) -> None:
        """Build positions()'s table for where ahead of the first search (~0.2 s of CPU at
        100,000, ~2 s at a million). It is read on a connection of its own and made without
        the lock, so a search meanwhile does not wait for it (see positions())."""
        try:
            with self._lock:
                if self.in_memory or self._closing:
                    self._table(where)
                    return
                if self._current(where) is not None:
                    return
                reader, version = self._reader, self._data_version()
                self._preparing = where
                self._prepared.clear()
            table: npt.NDArray[np.int32] | None = None
            try:
                digest = _digest(where)  # what the saved table is checked against, or saved with
                table = self._saved_table(digest, len(where))
                if table is None:
                    table = self._read_table_apart(where, digest)
            finally:
                with self._lock:
                    try:
                        # Kept only if no connection wrote meanwhile (nor was the index reopened).
                        if (
                            table is not None
                            and reader is self._reader
                            and not self._closing
                            and self._data_version() == version
                        ):
                            self._positions = _Positions(where, version, table)
                    finally:
                        if self._preparing is where:
                            self._preparing = None
                        self._prepared.set()  # a search waiting for the table goes on
        except sqlite3.DatabaseError as error:
            if self._closing:
                return
            with suppress(SearchInterrupted):  # the next search builds it then
                self._failed(error)

    def _read_table_apart(
        self, where: Mapping[str, int], digest: bytes
    ) -> npt.NDArray[np.int32] | None:
        """prepare()'s table, read on a connection of its own, and saved for the next start (see
        _saved_table); None when that connection cannot be opened (too many open files, say): no
        sign of damage, and the first search makes the table on its own connection then."""
        try:
            conn = dbfile.connect(self.db_path, timeout=30)
        except sqlite3.Error:
            return None
        from tui.index.matches import table_bytes, table_of

        with closing(conn):
            conn.execute("BEGIN")  # the rows and meta of one version
            table = table_of(self._read_table(conn, where))
            state = _index_state(conn)
            conn.execute("COMMIT")
        if state is not None:
            with suppress(OSError):  # a start without it makes the table again: nothing lost
                dbfile.write_atomic(
                    self.saved_table_path, _SAVED, state.line(), digest, table_bytes(table)
                )
        return table

    @property
    def saved_table_path(self) -> Path:
        return self.db_path.with_name(self.db_path.name + ".positions")

    def _saved_table(self, digest: bytes, size: int) -> npt.NDArray[np.int32] | None:
        """prepare()'s table as saved by the last start that made it, if the index is in the
        same state (every write gives it a new generation) and it was made for the same list
        (digest: of its paths and positions; size: how many): reading it back takes ~0.3 s at a
        million posts, making it ~1.7 s. None otherwise."""
        from tui.index import matches

        with self._lock:
            state = _index_state(self._reader)
        if state is None:
            return None
        try:
            with self.saved_table_path.open("rb") as file:
                if file.readline() != _SAVED or file.readline() != state.line():
                    return None
                if file.read(_DIGEST) != digest:
                    return None
                return matches.saved_table(file.read(), state.next_doc, size)
        except (OSError, ValueError):
            return None

    def interrupt(self) -> None:
        """Stop the search running now (from another thread): it raises SearchInterrupted.

        The filter bar calls this when a newer query supersedes one still running: typing
        "body:人工智能" starts a search at every letter, and "人" alone, in every post, would hold
        up the last one for a second. A search that began before this call and has not yet
        finished stops too, even between SQLite's steps.
        """
        self._interrupts += 1
        self._reader.interrupt()
        if self._helper is not None:
            self._helper.interrupt()

    def _failed(self, error: sqlite3.DatabaseError) -> None:
        """An interrupted search raises SearchInterrupted; any other error marks the index damaged."""
        if isinstance(error, sqlite3.OperationalError) and "interrupt" in str(error):
            raise SearchInterrupted from error
        self.notice = f"The body search index is damaged ({error}); it is rebuilt."
        self._damaged = True
        self._damage = str(error)

    def _queries(self, term: str) -> list[tuple[str, str]]:
        """(table, FTS5 query) pairs that between them find every document containing term
        (none for "")."""
        if not term:
            return []
        # One character is a word of the post's distinct characters; more, a phrase of pairs.
        words = _pairs(term) if len(term) > 1 else term.replace(" ", _WORD_SPACE)
        return [("docs", _phrase(words))]

    def _data_version(self) -> int:
        """Changes whenever another connection (the writer, another process) commits."""
        return int(self._reader.execute("PRAGMA data_version").fetchone()[0])

    def _current(self, where: Mapping[str, int]) -> _Positions | None:
        """positions()'s table for where, if it is that of the index as it is now."""
        cached = self._positions
        if (
            cached is not None
            and cached.where is where
            and not self.in_memory
            and cached.version == self._data_version()
        ):
            return cached
        return None

    def _table(self, where: Mapping[str, int]) -> _Positions:
        """doc -> where[path] (-1: dead or not in where), rebuilt whenever any connection wrote."""
        cached = self._current(where)
        if cached is not None:
            return cached
        version = self._data_version()
        self._positions = _Positions(where, version, self._read_table(self._reader, where))
        return self._positions

    @staticmethod
    def _read_table(conn: sqlite3.Connection, where: Mapping[str, int]) -> list[int]:
        # A million rows make a million tuples, none in a cycle: with the collector paused
        # the first table at a million posts took 1.7 s rather than 2.3 when they were
        # fetched at once (later ones 1.75 s either way); row by row they are freed as they
        # go, and the pause only keeps a collection from starting meanwhile.
        with collector_paused():
            # Every doc written so far, dead ones too: a dead doc among the matches must not
            # send positions() down its slow path (body:港 at 100,000 took 27 ms instead of 15).
            (written,) = conn.execute("SELECT value FROM meta WHERE key = 'next_doc'").fetchone()
            (top,) = conn.execute("SELECT max(doc) FROM files").fetchone()
            size = max(int(written), -1 if top is None else top + 1)
            # Filled as a list (a Python store per row is quicker into a list than into an
            # array), then made an array by _Positions.
            table = [-1] * size
            position = where.get
            # Row by row, not fetchall(): a million (doc, path) rows held at once took the
            # app's peak memory from ~0.9 to ~1.2 GiB at a million posts.
            for doc, key in conn.execute("SELECT doc, path FROM files"):
                table[doc] = position(key_path(key), -1)
            return table

    def ready_fraction(self) -> float:
        """Share of the posts of the latest update() that are indexed (1.0 when there are none)."""
        if not self._total:
            return 1.0 if self._updated else 0.0
        return min(1.0, self._ready / self._total)

    # --- updating ------------------------------------------------------------------------------

    def synced(self, version: str) -> bool:
        """Whether the last update that ran to the end was given this version of the posts."""
        if not version or self._damaged:
            return False
        try:
            with self._lock:
                row = self._conn.execute("SELECT value FROM meta WHERE key = 'synced'").fetchone()
            return row is not None and row[0] == version
        except sqlite3.DatabaseError:
            return False

    def update_from(
        self,
        source: PostSource,
        *,
        progress: Callable[[int, int], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        background: bool = False,
    ) -> int:
        """update() with source's posts, at once if they are the version last indexed to the end."""
        if self.synced(source.version()):
            self._updated = True
            self._ready = self._total
            return 0
        version, files = source.stats()
        return self.update(
            files,
            version=version,
            progress=progress,
            is_cancelled=is_cancelled,
            background=background,
        )

    def update(
        self,
        posts: Mapping[str, tuple[int, int]],
        *,
        version: str = "",
        progress: Callable[[int, int], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        background: bool = False,
    ) -> int:
        """Index new and changed posts (posts: path -> (size, mtime_ns)), forget the rest; returns
        how many were (re)indexed. A cancel keeps what was committed.

        version, optional, names this list of posts (see IndexCache.version): once an update with
        it has run to the end, the same version is known to need nothing, without comparing
        100,000 paths. background=True reads the posts in processes of low priority (the app
        indexes while someone types).
        """
        with self._update_lock:
            if self._damaged and not self.in_memory:
                self._rebuild(self._damage)
            wanted = dict(posts)
            self._total = len(wanted)
            self._updated = True
            if self.synced(version):
                self._ready = self._total
                return 0
            try:
                return self._update(wanted, version, progress, is_cancelled, background)
            except sqlite3.DatabaseError as error:
                if self._closing:
                    return 0  # interrupted by close(): what was committed stays
                if self.in_memory:
                    raise  # nothing left to fall back on
                self._rebuild(error)
                return self._update(wanted, version, progress, is_cancelled, background)

    def _update(
        self,
        wanted: dict[str, tuple[int, int]],
        version: str,
        progress: Callable[[int, int], None] | None,
        is_cancelled: Callable[[], bool] | None,
        background: bool,
    ) -> int:
        with self._lock:
            known = {
                key_path(key): (size, mtime_ns)
                for key, size, mtime_ns in self._conn.execute(
                    "SELECT path, size, mtime_ns FROM files"
                )
            }
            dead = int(self._meta_value("dead"))
        # In the background, the writing (and reading, when it is done in this process) runs
        # in a thread of low priority; the pool is still started from this one (see _Niced).
        with _Niced() if background else _Here() as run:
            if dead > max(self.max_dead, len(known)):
                # Most of the index describes old versions of posts: reclaim the space.
                run(self._reset)
                known = {}
            # The fold table is built (~0.3 s, more on a busy machine) and cached once, here,
            # rather than by every pool worker at once as its first post arrives.
            chinese.fold_table()
            removed = [path for path in known if path not in wanted]
            cancelled = is_cancelled or (lambda: False)
            if removed and cancelled():
                return 0  # the caller may be quitting in the middle of a cold start: forget nothing
            run(self._forget, removed)
            # Reverse path order: dated folders put the newest posts first, found first.
            todo = sorted((p for p, st in wanted.items() if known.get(p) != st), reverse=True)
            self._ready = self._total - len(todo)
            done = 0
            with closing(self._read_batches(todo, background, cancelled, run)) as batches:
                for batch in batches:
                    run(self._write, batch, wanted)
                    done += len(batch)
                    self._ready += len(batch)
                    if progress is not None:
                        progress(done, len(todo))
                    if done < len(todo) and cancelled():
                        break
            if done == len(todo):
                run(self._mark_synced, version)
        return done

    def _mark_synced(self, version: str) -> None:
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('synced', ?)", (version,))

    def _meta_value(self, key: str) -> str:
        return self._conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def _reset(self) -> None:
        with self._lock, self._conn:
            self._conn.execute("BEGIN IMMEDIATE")
            self._conn.execute("INSERT INTO docs (docs) VALUES ('delete-all')")
            self._conn.execute("DELETE FROM files")
            self._unsync()
            self._conn.execute("UPDATE meta SET value = 0 WHERE key = 'dead'")

    def _forget(self, paths: list[str]) -> None:
        for start in range(0, len(paths), self.batch_size):
            chunk = paths[start : start + self.batch_size]
            with self._lock, self._conn:
                self._conn.execute("BEGIN IMMEDIATE")
                self._conn.executemany(
                    "DELETE FROM files WHERE path = ?", [(path_key(p),) for p in chunk]
                )
                self._unsync()
                self._conn.execute(
                    "UPDATE meta SET value = value + ? WHERE key = 'dead'", (len(chunk),)
                )

    def _write(self, batch: list[tuple[str, str]], stats: dict[str, tuple[int, int]]) -> None:
        """One transaction: a killed process leaves all of the batch or none of it."""
        with self._lock, self._conn:
            conn = self._conn
            conn.execute("BEGIN IMMEDIATE")
            # Read inside the transaction: another instance may have written since.
            first = int(self._meta_value("next_doc"))
            paths = [(path_key(path),) for path, _ in batch]
            replaced = sum(
                conn.execute("SELECT count(*) FROM files WHERE path = ?", p).fetchone()[0]
                for p in paths
            )
            conn.executemany(
                "INSERT INTO docs (rowid, text) VALUES (?, ?)",
                [(first + i, words) for i, (_, words) in enumerate(batch)],
            )
            conn.executemany(
                _UPSERT,
                [(path_key(path), first + i, *stats[path]) for i, (path, _) in enumerate(batch)],
            )
            conn.execute(
                "UPDATE meta SET value = ? WHERE key = 'next_doc'", (str(first + len(batch)),)
            )
            self._unsync()
            if replaced:
                conn.execute("UPDATE meta SET value = value + ? WHERE key = 'dead'", (replaced,))

    def _unsync(self) -> None:
        """Inside a write transaction: the index no longer matches the version it was synced to.
        Also keeps the count of files that opening checks the table against, and gives the
        index a new generation (see _saved_table)."""
        self._conn.execute("UPDATE meta SET value = '' WHERE key = 'synced'")
        self._conn.execute(
            "INSERT OR REPLACE INTO meta VALUES ('generation', ?)", (os.urandom(16).hex(),)
        )
        self._conn.execute(
            "UPDATE meta SET value = (SELECT count(*) FROM files) WHERE key = 'count'"
        )

    def _read_batches(
        self,
        todo: list[str],
        background: bool,
        cancelled: Callable[[], bool],
        run: _Here,
    ) -> Generator[list[tuple[str, str]]]:
        """(path, the words to index), about batch_size at a time (see _read_chunk); those read
        in this process are read through run()."""
        workers = os.cpu_count() or 1
        if len(todo) < self.pool_threshold or workers < 2:
            # A post at a time, so that a cancel (the app quitting, which waits for this thread)
            # stops it after the post being read, not after a whole batch.
            read: list[tuple[str, str]] = []
            for rel in todo:
                read += run(_read_chunk, str(self.root), [rel])
                stop = cancelled()
                if len(read) >= self.batch_size or stop or rel is todo[-1]:
                    yield read
                    read = []
                if stop:
                    return
            return
        chunks = [todo[i : i + self.chunk_size] for i in range(0, len(todo), self.chunk_size)]
        from concurrent.futures import FIRST_COMPLETED, wait  # with the pool only (see start_pool)

        unread = dict(enumerate(chunks))
        pending = iter(list(unread.items()))
        futures: dict[Future[list[tuple[str, str]]], int] = {}
        batch: list[tuple[str, str]] = []
        executor: ProcessPoolExecutor | None = None
        # Only so far ahead: parsed text waiting for the writer costs memory.
        ahead = max(2 * workers, self.read_ahead // self.chunk_size)
        try:
            try:
                executor = start_pool(workers, initializer=_lower_priority if background else None)

                def submit() -> None:
                    while len(futures) < ahead and (item := next(pending, None)):
                        futures[executor.submit(_read_chunk, str(self.root), item[1])] = item[0]

                submit()
                while futures:
                    finished, _ = wait(futures, return_when=FIRST_COMPLETED)
                    for future in finished:
                        batch.extend(future.result())
                        del unread[futures.pop(future)]
                    submit()
                    if len(batch) >= self.batch_size or not futures:
                        yield batch
                        batch = []
            except pool_failures():  # finish the rest in this process
                rest = [rel for chunk in unread.values() for rel in chunk]
                if batch:
                    yield batch
                for start in range(0, len(rest), self.batch_size):
                    yield run(_read_chunk, str(self.root), rest[start : start + self.batch_size])
        finally:
            if executor is not None:
                executor.shutdown(wait=True, cancel_futures=True)


class _Positions:
    """positions()'s table for one list of posts (where) and one version of the index, and the
    answers it gave: the same term again (a saved search counted, a query refined by another
    field) costs nothing. The latest 16 answers are kept (a byte per post each)."""

    kept = 16

    def __init__(
        self, where: Mapping[str, int], version: int, table: list[int] | npt.NDArray[np.int32]
    ) -> None:
        from tui.index.matches import table_of

        self.where = where  # held, so that its id() is not reused
        self.version = version
        self.table = table_of(table)
        self.found: dict[str, Matches] = {}

    def remember(self, term: str, found: Matches) -> None:
        if len(self.found) >= self.kept:
            del self.found[next(iter(self.found))]
        self.found[term] = found


def _lower_priority() -> None:
    """In a pool worker of a background update: the app's own process comes first."""
    with suppress(OSError, AttributeError):  # no os.nice on Windows
        os.nice(BACKGROUND_NICE)


class _Here:
    """Runs each call at once, in the caller's thread (an update in the foreground)."""

    def __enter__(self) -> _Here:
        return self

    def __exit__(self, *exc: object) -> None:
        pass

    def __call__(self, fn: Callable[..., _T], /, *args: object) -> _T:
        return fn(*args)


class _Niced(_Here):
    """Runs each call in a thread of its own at BACKGROUND_NICE and waits for it: the body index
    writes (SQLite's tokenising and merging, most of the build's CPU in this process) while
    the app's threads come first for the CPU. Linux renices one thread (setpriority with its
    native id); the thread serves only this update, so no later work of the app inherits the
    priority, and it starts no process (a fork server started from it would pass the priority
    on to every pool). Elsewhere the calls just run in that thread."""

    def __enter__(self) -> _Niced:
        from concurrent.futures import ThreadPoolExecutor

        self._thread = ThreadPoolExecutor(
            1, thread_name_prefix="newstui-body-index", initializer=_lower_thread_priority
        )
        return self

    def __exit__(self, *exc: object) -> None:
        self._thread.shutdown(wait=True)

    def __call__(self, fn: Callable[..., _T], /, *args: object) -> _T:
        return self._thread.submit(fn, *args).result()


def _lower_thread_priority() -> None:
    if sys.platform == "linux":  # elsewhere PRIO_PROCESS with a thread's id is not that thread
        thread = threading.get_native_id()
        with suppress(OSError):
            nice = os.getpriority(os.PRIO_PROCESS, thread)
            os.setpriority(os.PRIO_PROCESS, thread, min(19, nice + BACKGROUND_NICE))


def _read_chunk(root: str, rels: list[str]) -> list[tuple[str, str]]:
    """(path, the words to index for its title and body) of each file; runs in pool workers,
    so module-level."""
    return [(rel, _words(indexed_text(root, rel))) for rel in rels]


def indexed_text(root: str, rel: str) -> str:
    """The folded title and body text of a post, as the index sees it (the break between them
    is _BREAK)."""
    from tui.files.parse import parse_file  # loaded where parsing happens

    # render sits above index in the layers and loads lxml: only the indexer needs it.
    from tui.render import plain_text

    parsed = parse_file(root, rel, max_bytes=INDEX_BYTES)
    try:
        body = plain_text(parsed.body)
    except Exception:  # hostile input must not stop the indexer; the title still counts
        body = ""
    return fold(parsed.post.title) + _BREAK + fold(body)


def _words(text: str) -> str:
    """The words the index holds for folded text: its pairs of adjacent characters in order,
    then its distinct characters (see the design notes above)."""
    chars = set(text)
    chars.discard(_BREAK)
    if " " in chars:
        chars.discard(" ")
        chars.add(_WORD_SPACE)
    return _pairs(text) + " " + " ".join(chars)


def _pairs(text: str) -> str:
    """Each pair of adjacent characters of text as a word, in order: "abc" -> "ab bc" (a space
    in text as _WORD_SPACE). Interleaved as UTF-32 code units: ~8 times quicker than joining
    10,000 two-character strings."""
    units = array(_CODE, text.replace(" ", _WORD_SPACE).encode("utf-32-le", "surrogatepass"))
    count = len(units) - 1
    if count < 1:
        return ""
    out = array(_CODE, [ord(" ")]) * (3 * count)
    out[0::3] = units[:-1]
    out[1::3] = units[1:]
    return out.tobytes()[: 4 * (3 * count - 1)].decode("utf-32-le", "surrogatepass")


def _phrase(text: str) -> str:
    # A quoted FTS5 string is one phrase: AND, NEAR, * and ( inside it are plain text.
    return '"' + text.replace('"', '""') + '"'


def snippet(text: str, term: str, width: int = 80) -> str:
    """One line of text around the first case-insensitive match of term, at most width cells."""
    line = clean_line(text)
    if width <= 0:
        return ""
    needle = clean_line(term)
    match = re.search(re.escape(needle), line, re.IGNORECASE) if needle else None
    if match is None or cell_len(line) <= width:
        return truncate_cells(line, width)
    # Start far enough back to centre the match, never before the start of the line.
    budget = max(0, (width - cell_len(match[0])) // 2)
    start = match.start()
    while start > 0 and cell_len(line[start - 1 : match.start()]) <= budget:
        start -= 1
    if start == 0:
        return truncate_cells(line, width)
    return truncate_cells("…" + line[start:], width)
