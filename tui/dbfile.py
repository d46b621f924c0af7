"""newstui's three SQLite files (metadata cache, body index, triage state): how they are opened, checked, rebuilt or fallen back from, and how file names are stored in them."""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

# ----- file names as SQLite text -------------------------------------------------------------
# In memory a file name is a str as os.listdir gives it: undecodable bytes are surrogate escapes
# (PEP 383), so the name still opens its file. SQLite text must be valid UTF-8, so such a name is
# stored as its bytes in hex behind a marker no real name can start with. Every table that holds
# a path or a post id (which is a path when the post has no url) stores path_key(); the cache and
# the body index are joined on it, and the state store keys on it.

_RAW_NAME = "\x00raw:"  # marks a key holding a file name's bytes in hex


def path_key(rel: str) -> str:
    """rel (a path or a post id) as SQLite text: itself when it is valid UTF-8, else its bytes."""
    try:
        rel.encode()
    except UnicodeEncodeError:
        return _RAW_NAME + os.fsencode(rel).hex()
    return rel


def key_path(key: str) -> str:
    """The rel that path_key() turned into key."""
    if key[:1] != "\x00":  # nearly always: 100,000 calls should not cost a startswith each
        return key
    return os.fsdecode(bytes.fromhex(key[len(_RAW_NAME) :])) if key.startswith(_RAW_NAME) else key


def display_path(path: Path | str) -> str:
    """A path as text for a message or a meta row: undecodable bytes as \\xNN, never a crash."""
    return os.fsencode(path).decode("utf-8", "backslashreplace")


# ----- opening and checking ------------------------------------------------------------------

# Primary SQLite result codes that mean "this file is not a (healthy) database".
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26
# Bytes: quick_check reads the whole file (about 2 ms per MB), and a newstui that opens a larger
# one waits that long before its first rows (67 ms for the 33 MB index of 30,000 posts, which
# made the first rows come later than at 100,000 posts, whose index is over the old 64 MB).
QUICK_CHECK_LIMIT = 16 << 20


class Damaged(Exception):
    """The file is not a healthy database (truncated, corrupt, rows missing)."""


class Stale(Exception):
    """A healthy database of another schema version, root or newstui: not ours to read."""


# This process's open connections, per file. On POSIX, closing *any* descriptor of a file drops
# every lock the process holds on it, so newstui must not open and close a database file itself
# (truncated() reads its header) while SQLite has it open: the other instance would then take
# itself for the last connection, checkpoint and delete the WAL this one still writes to, and
# this one's later commits would be lost ("How To Corrupt An SQLite Database File", 2.2).
_CONNECTED: Counter[str] = Counter()


class _Counted(sqlite3.Connection):
    """A connection that counts itself in _CONNECTED while it is open."""

    counted_as = ""

    def close(self) -> None:
        if self.counted_as:
            _CONNECTED[self.counted_as] -= 1
            self.counted_as = ""
        super().close()


def _count(conn: sqlite3.Connection, target: Path | str) -> None:
    if isinstance(conn, _Counted) and str(target) != ":memory:":
        conn.counted_as = os.path.abspath(target)
        _CONNECTED[conn.counted_as] += 1


def connect(target: Path | str, *, timeout: float = 5.0) -> sqlite3.Connection:
    """A connection as every newstui file uses it: autocommit (explicit BEGIN), WAL, shared
    between threads under the caller's lock."""
    conn = sqlite3.connect(
        os.fspath(target),
        timeout=timeout,
        isolation_level=None,
        check_same_thread=False,
        factory=_Counted,
    )
    _count(conn, target)
    try:
        if str(target) != ":memory:":
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal":
                raise sqlite3.OperationalError("the file system does not support WAL mode")
        # In WAL mode NORMAL survives a killed process; only power loss can undo a commit.
        conn.execute("PRAGMA synchronous = NORMAL")
    except BaseException:
        conn.close()
        raise
    return conn


def connect_read_only(path: Path) -> sqlite3.Connection:
    """The file opened read-only (a full disk or a folder we may not write to)."""
    uri = f"{path.resolve().as_uri()}?mode=ro"
    conn = sqlite3.connect(
        uri, uri=True, isolation_level=None, check_same_thread=False, factory=_Counted
    )
    _count(conn, path)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except BaseException:
        conn.close()
        raise
    return conn


def truncated(path: Path) -> str | None:
    """Why the file is shorter than its own header says it is, or None. Costs one read of 100
    bytes: the header's page count is only updated by a checkpoint, which writes the pages
    first, so a healthy main file is never shorter than it (uncommitted pages live in the WAL).

    Call it before connecting: while this process has the file open in SQLite it is not read
    (see _CONNECTED) and None is returned; the first connection's check stands for the rest."""
    if _CONNECTED[os.path.abspath(path)] > 0:
        return None
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
            size = os.fstat(handle.fileno()).st_size
    except FileNotFoundError:
        return None
    except OSError as error:
        return error.strerror or str(error)
    if len(header) < 100:
        return None if not header else "shorter than a database header"
    if not header.startswith(b"SQLite format 3\x00"):
        return "not an SQLite database"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    counter, valid_for = header[24:28], header[92:96]
    if counter != valid_for:  # written by an old SQLite: the page count is not kept
        return None
    if size < pages * page_size:
        return f"truncated: {size:,} of {pages * page_size:,} bytes"
    return None


def failed_quick_check(conn: sqlite3.Connection, path: Path) -> str | None:
    """What SQLite's quick_check finds wrong with a file of at most QUICK_CHECK_LIMIT bytes (it
    reads all of it: a few ms for a small file, seconds for the cache of a million posts);
    None when it passes or the file is larger."""
    if path.stat().st_size > QUICK_CHECK_LIMIT:
        return None
    result = conn.execute("PRAGMA quick_check(1)").fetchone()[0]
    return None if result == "ok" else str(result)


def check(
    conn: sqlite3.Connection,
    path: Path | None,
    *,
    meta: Mapping[str, str],
    tables: set[str],
    counted: tuple[str, str] | None = None,
) -> dict[str, str]:
    """Whether an opened file is ours and whole; returns its meta rows.

    Raises Stale when tables or the meta rows (schema version, root...) differ from ours, and
    Damaged when the file fails quick_check (small files only), or the number of rows in
    counted's table is not the count its meta row (counted's key) keeps. (Whether it is shorter
    than its header is checked before connecting: see truncated.)
    """
    try:
        names = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if not tables <= names or "meta" not in names:
            raise Stale("other tables")
        rows = dict(conn.execute("SELECT key, value FROM meta"))
        for key, value in meta.items():
            if rows.get(key) != value:
                raise Stale(f"{key} {rows.get(key)!r}, not {value!r}")
        if path is not None and (why := failed_quick_check(conn, path)):
            raise Damaged(why)
        if counted is not None:
            table, key = counted
            found = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            if key in rows and str(found) != rows[key]:
                raise Damaged(f"{found:,} rows in {table}, {rows[key]} expected")
    except sqlite3.DatabaseError as error:
        if corrupt(error):
            raise Damaged(str(error)) from error
        raise
    return rows


def corrupt(error: sqlite3.Error) -> bool:
    """Whether SQLite says the file itself is bad (not busy, locked, read-only or full)."""
    code = (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF
    return code in (_SQLITE_CORRUPT, _SQLITE_NOTADB)


def delete_files(path: Path) -> None:
    """A cache file and its WAL (never the state: see move_aside)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def move_aside(path: Path) -> Path | None:
    """Rename a damaged database (and its WAL files) to a timestamped backup; never delete."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    backup = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while backup.exists():
        n += 1
        backup = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    try:
        os.replace(path, backup)
    except OSError:
        return None
    # A leftover WAL must not be replayed into the fresh database.
    for suffix in ("-wal", "-shm"):
        side = path.with_name(path.name + suffix)
        try:
            if side.exists():
                os.replace(side, backup.with_name(backup.name + suffix))
        except OSError:
            pass
    return backup


@dataclass(slots=True)
class Opened:
    conn: sqlite3.Connection
    notice: str | None = None  # for the user: what was rebuilt, or why it is in memory
    in_memory: bool = False


def open_cache(
    path: Path,
    *,
    what: str,
    meta: Mapping[str, str],
    tables: set[str],
    create: Callable[[sqlite3.Connection], None],
    counted: tuple[str, str] | None = None,
    timeout: float = 5.0,
    rebuild: bool = False,
) -> Opened:
    """Open one of the two caches (only time is lost when one is thrown away): checked, and
    rebuilt when it is damaged (with a notice) or stale (quietly: a new version, another
    root); in memory when its folder cannot be written. rebuild=True starts over regardless."""
    notice = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if rebuild:
            delete_files(path)
        try:
            conn = _open_checked(path, meta, tables, create, counted, timeout)
        except (Damaged, Stale, sqlite3.DatabaseError) as error:
            if isinstance(error, Damaged) or (
                isinstance(error, sqlite3.DatabaseError) and corrupt(error)
            ):
                notice = f"The {what} was damaged ({error}); it is rebuilt."
            delete_files(path)
            conn = _open_checked(path, meta, tables, create, counted, timeout)
        return Opened(conn, notice)
    except (OSError, sqlite3.Error, Damaged, Stale) as error:
        conn = connect(":memory:", timeout=timeout)
        create(conn)
        return Opened(conn, f"The {what} is unavailable ({error}); it is kept in memory.", True)


def _open_checked(
    path: Path,
    meta: Mapping[str, str],
    tables: set[str],
    create: Callable[[sqlite3.Connection], None],
    counted: tuple[str, str] | None,
    timeout: float,
) -> sqlite3.Connection:
    if why := truncated(path):
        raise Damaged(why)
    conn = connect(path, timeout=timeout)
    try:
        if conn.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0:
            create(conn)
        else:
            rows = check(conn, path, meta=meta, tables=tables, counted=counted)
            if counted is not None and counted[1] not in rows:
                # Written before the count was kept: start keeping it now.
                table, key = counted
                conn.execute(
                    f"INSERT INTO meta (key, value) VALUES (?, (SELECT count(*) FROM {table}))",
                    (key,),
                )
    except BaseException:
        conn.close()
        raise
    return conn


def rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back by itself (e.g. disk full); a second ROLLBACK would
    # raise and hide the real error.
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def write_atomic(path: Path, *parts: bytes) -> None:
    """Write the parts to a temporary file beside path, then rename it: a reader never sees
    half a file, and a newstui killed meanwhile leaves the old one."""
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in parts:
                out.write(part)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
