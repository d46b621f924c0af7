"""The triage state store: read / starred / archived / labels per post, in SQLite, with undo."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tempfile
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType

from tui import dbfile, locations
from tui.dbfile import key_path, path_key
from tui.stories import canonical_id
from tui.text import clean_line

FLAGS = ("read", "starred", "archived")
SCHEMA_VERSION = 2  # 2: posts with a url are kept under their story key (see _rekey)
UNDO_LEVELS = 100
EXPORT_VERSION = 1
_JSON = json.JSONEncoder(ensure_ascii=False)
_CHUNK = 900  # ids per "IN (...)" query, below SQLite's bound-parameter limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS post_state (
    post_id TEXT PRIMARY KEY,
    read INTEGER NOT NULL DEFAULT 0,
    starred INTEGER NOT NULL DEFAULT 0,
    archived INTEGER NOT NULL DEFAULT 0,
    updated_at REAL NOT NULL,  -- seconds since the epoch of the post's last change
    seq INTEGER NOT NULL       -- store-wide change number: poll() finds other processes' changes
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS post_state_seq ON post_state (seq);
CREATE TABLE IF NOT EXISTS post_label (
    post_id TEXT NOT NULL,
    label TEXT NOT NULL,
    PRIMARY KEY (post_id, label)
) WITHOUT ROWID;
"""


@dataclass(frozen=True, slots=True)
class PostState:
    read: bool = False
    starred: bool = False
    archived: bool = False
    labels: frozenset[str] = frozenset()


DEFAULT_STATE = PostState()

# Most posts have no labels: share one object per flag combination (less memory, faster loads).
_PLAIN = {
    (r, s, a): PostState(r, s, a)
    for r in (False, True)
    for s in (False, True)
    for a in (False, True)
}


def _state(read: int, starred: int, archived: int, labels: Iterable[str] = ()) -> PostState:
    names = frozenset(labels)
    if names:
        return PostState(bool(read), bool(starred), bool(archived), names)
    return _PLAIN[bool(read), bool(starred), bool(archived)]


class StateError(Exception):
    """A change could not be saved (e.g. the disk is full or another instance held the lock)."""


@dataclass
class _Change:
    """What one action does; built and applied inside one transaction."""

    flags: dict[str, dict[str, bool]] = field(default_factory=dict)  # post id -> {flag: new value}
    add: list[tuple[str, str]] = field(default_factory=list)  # (post id, label) not yet present
    remove: list[tuple[str, str]] = field(default_factory=list)  # (post id, label) present now
    stamps: dict[str, float] = field(default_factory=dict)  # updated_at per post; default now

    def ids(self) -> set[str]:
        return set(self.flags) | {i for i, _ in self.add} | {i for i, _ in self.remove}

    def inverse(self, before: Mapping[str, PostState]) -> _Change:
        """The change that puts back exactly the values this one overwrites."""
        flags = {
            post_id: {name: getattr(before.get(post_id, DEFAULT_STATE), name) for name in values}
            for post_id, values in self.flags.items()
        }
        return _Change(flags=flags, add=list(self.remove), remove=list(self.add))


# Decides an action's change from the current stored states of its (de-duplicated) post ids.
_Plan = Callable[[Mapping[str, PostState], Sequence[str]], _Change]


class _Corrupt(Exception):
    pass


class _TooNew(Exception):
    pass


class StateStore:
    """Per-post triage state, shared safely between several running instances.

    Every action is one SQLite transaction that writes only the fields it changes, so two
    instances never overwrite each other's work; an in-memory mirror answers get() in O(1).
    Use it from one thread.
    """

    def __init__(self, path: Path | None = None) -> None:
        self.path = path if path is not None else locations.data_dir() / "state.sqlite"
        self.notice: str | None = None
        self.read_only = False  # the file could not be written: its state is shown, not changed
        self._in_memory = False
        self._undo: deque[tuple[str, _Change]] = deque(maxlen=UNDO_LEVELS)
        self._mirror: dict[str, PostState] = {}
        self.changes = 0  # goes up whenever a state changes, so callers can tell results went stale
        # Workers read snapshots while the UI thread changes states: copies, made under this lock,
        # one per change at most.
        self._mirror_lock = threading.RLock()
        self._snapshot: tuple[int, Mapping[str, PostState]] = (-1, MappingProxyType({}))
        self._flagged: tuple[int, frozenset[str], frozenset[str]] = (-1, frozenset(), frozenset())
        self._seen = 0  # highest change number this instance has applied to its mirror
        self._data_version = 0
        self._db = self._open()

    # ----- opening -------------------------------------------------------------------------

    def _open(self) -> sqlite3.Connection:
        try:
            return self._open_file()
        except _Corrupt:
            backup = dbfile.move_aside(self.path)
            if backup is None:
                self.notice = (
                    f"The state file {self._shown} is damaged and could not be moved aside; "
                    "read/starred changes last only until you quit."
                )
                return self._open_memory()
            self.notice = (
                f"The state file {self._shown} was damaged; it was kept as "
                f"{dbfile.display_path(backup)} and a new one was started."
            )
            try:
                return self._open_file()
            except (_Corrupt, _TooNew, OSError, sqlite3.Error) as error:
                self.notice += f" The new one could not be opened either ({error})."
                return self._open_memory()
        except _TooNew:
            self.notice = (
                f"The state file {self._shown} was written by a newer newstui; it is left "
                "untouched and read/starred changes last only until you quit."
            )
            return self._open_memory()
        except (OSError, sqlite3.Error) as error:
            # A read-only or full data folder: the state saved so far is still shown.
            return self._open_read_only(error)

    @property
    def _shown(self) -> str:
        return dbfile.display_path(self.path)

    def _open_file(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        # timeout: wait up to 5 s for the other instance's write lock (SQLite's busy_timeout).
        if why := dbfile.truncated(self.path):  # before connecting: see dbfile.truncated
            raise _Corrupt(why)
        try:
            db = dbfile.connect(self.path, timeout=5.0)
        except sqlite3.DatabaseError as error:
            if dbfile.corrupt(error):
                raise _Corrupt(str(error)) from error
            raise
        try:
            if why := dbfile.failed_quick_check(db, self.path):
                raise _Corrupt(why)
            self._create_schema(db)
            self._load(db)
            self._data_version = db.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.DatabaseError as error:
            db.close()
            if dbfile.corrupt(error):
                raise _Corrupt(str(error)) from error
            raise
        except BaseException:
            db.close()
            raise
        return db

    def _open_read_only(self, error: BaseException) -> sqlite3.Connection:
        """The state as saved, in memory, when the file cannot be written; says so in notice.

        SQLite cannot open a WAL database read-only without writing its -shm file, which a
        read-only or full folder refuses: then a copy of the file and its WAL in a temporary
        folder is read instead, and as a last resort the file alone (immutable: without the
        changes still in its WAL)."""
        self.read_only = True
        where = f"The state file {self._shown} cannot be written ({error})"
        if not self.path.is_file():
            self.notice = f"{where}; read/starred changes last only until you quit."
            return self._open_memory()
        for source in (self._read_only_source, self._copied_source, self._immutable_source):
            try:
                with source() as (connection, caveat):
                    db = self._open_memory(connection)
            except (OSError, sqlite3.Error, _TooNew):
                continue
            self.notice = (
                f"{where}: it is shown read-only{caveat}; changes last only until you quit."
            )
            return db
        self.notice = f"{where} and cannot be read; read/starred changes last only until you quit."
        return self._open_memory()

    @contextmanager
    def _read_only_source(self) -> Iterator[tuple[sqlite3.Connection, str]]:
        conn = dbfile.connect_read_only(self.path)
        try:
            yield conn, ""
        finally:
            conn.close()

    @contextmanager
    def _copied_source(self) -> Iterator[tuple[sqlite3.Connection, str]]:
        with tempfile.TemporaryDirectory(prefix="newstui-state-") as folder:
            copy = Path(folder, "state.sqlite")
            shutil.copyfile(self.path, copy)
            wal = self.path.with_name(self.path.name + "-wal")
            if wal.is_file():
                shutil.copyfile(wal, copy.with_name(copy.name + "-wal"))
            conn = sqlite3.connect(copy, isolation_level=None)
            try:
                yield conn, ""
            finally:
                conn.close()

    @contextmanager
    def _immutable_source(self) -> Iterator[tuple[sqlite3.Connection, str]]:
        conn = sqlite3.connect(
            f"{self.path.resolve().as_uri()}?immutable=1", uri=True, isolation_level=None
        )
        try:
            conn.execute("SELECT count(*) FROM post_state").fetchone()
            yield conn, " (without its latest changes, which could not be read)"
        finally:
            conn.close()

    def _open_memory(self, source: sqlite3.Connection | None = None) -> sqlite3.Connection:
        """A private in-memory database, seeded from source (the saved state) if given."""
        self._in_memory = True
        db = sqlite3.connect(":memory:", isolation_level=None)
        try:
            if source is not None:
                source.backup(db)
            self._create_schema(db)
            self._load(db)
        except BaseException:
            db.close()
            raise
        return db

    @property
    def in_memory(self) -> bool:
        """Changes are not saved (see notice for why)."""
        return self._in_memory

    @staticmethod
    def _create_schema(db: sqlite3.Connection) -> None:
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise _TooNew(str(version))
        if version == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            _rekey(db)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
            db.execute("COMMIT")
        except BaseException:
            _rollback(db)
            raise

    def _load(self, db: sqlite3.Connection) -> None:
        rows = db.execute(
            "SELECT post_id, read, starred, archived FROM post_state"
            " WHERE read OR starred OR archived"
        ).fetchall()
        flags = {
            key_path(post_id): (read, starred, archived)
            for post_id, read, starred, archived in rows
        }
        labels: dict[str, set[str]] = {}
        for post_id, label in db.execute("SELECT post_id, label FROM post_label"):
            labels.setdefault(key_path(post_id), set()).add(label)
        mirror = {
            post_id: _PLAIN[bool(r), bool(s), bool(a)] for post_id, (r, s, a) in flags.items()
        }
        for post_id, names in labels.items():
            mirror[post_id] = _state(*flags.get(post_id, (0, 0, 0)), names)
        with self._mirror_lock:
            self._mirror = mirror
            self.changes += 1
        self._seen = db.execute("SELECT COALESCE(MAX(seq), 0) FROM post_state").fetchone()[0]

    # ----- reading -------------------------------------------------------------------------

    def get(self, post_id: str) -> PostState:
        return self._mirror.get(post_id, DEFAULT_STATE)

    def snapshot(self) -> Mapping[str, PostState]:
        """Every post whose state is not the default, as it is now: an immutable copy that later
        changes do not touch (a worker may iterate it while triage goes on)."""
        with self._mirror_lock:
            changes, snapshot = self._snapshot
            if changes != self.changes:
                snapshot = MappingProxyType(dict(self._mirror))
                self._snapshot = (self.changes, snapshot)
            return snapshot

    def flagged(self) -> tuple[frozenset[str], frozenset[str]]:
        """The ids of the read posts and of the starred ones, as they are now (worked out once
        per change; what the counts of unread and starred posts need)."""
        with self._mirror_lock:
            changes, read, starred = self._flagged
            if changes == self.changes:
                return read, starred
            changes, states = self.changes, self.snapshot()  # the lock is reentrant
        read = frozenset(post_id for post_id, state in states.items() if state.read)
        starred = frozenset(post_id for post_id, state in states.items() if state.starred)
        with self._mirror_lock:
            self._flagged = (changes, read, starred)
        return read, starred

    def labels(self) -> list[str]:
        """Every label in use, sorted case-insensitively, for completion."""
        names = {label for state in self._mirror.values() for label in state.labels}
        return sorted(names, key=lambda name: (name.casefold(), name))

    def poll(self) -> set[str]:
        """Apply changes other processes committed since the last call; return those post ids.

        Cheap when nothing changed (one PRAGMA). A read error is not raised: it returns an empty
        set and the next call tries again.
        """
        if self._in_memory:
            return set()
        db = self._db
        try:
            version = db.execute("PRAGMA data_version").fetchone()[0]
            if version == self._data_version:
                return set()
            db.execute("BEGIN")  # one read snapshot for the ids and their states
            rows = db.execute(
                "SELECT post_id, seq FROM post_state WHERE seq > ?", (self._seen,)
            ).fetchall()
            ids = {key_path(post_id) for post_id, _ in rows}
            states = self._read(ids)
            db.execute("COMMIT")
        except sqlite3.Error:
            _rollback(db)
            return set()
        self._data_version = version
        if rows:
            self._seen = max(seq for _, seq in rows)
        for post_id in ids:
            self._remember(post_id, states.get(post_id, DEFAULT_STATE))
        return ids

    def _read(self, ids: Iterable[str]) -> dict[str, PostState]:
        """Current stored states of these ids (those with a row or label only)."""
        ids = [path_key(post_id) for post_id in ids]
        flags: dict[str, tuple[int, int, int]] = {}
        labels: dict[str, set[str]] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = ids[start : start + _CHUNK]
            marks = ",".join("?" * len(chunk))
            for post_id, read, starred, archived in self._db.execute(
                f"SELECT post_id, read, starred, archived FROM post_state WHERE post_id IN ({marks})",
                chunk,
            ):
                flags[post_id] = (read, starred, archived)
            for post_id, label in self._db.execute(
                f"SELECT post_id, label FROM post_label WHERE post_id IN ({marks})", chunk
            ):
                labels.setdefault(post_id, set()).add(label)
        return {
            key_path(key): _state(*flags.get(key, (0, 0, 0)), labels.get(key, ()))
            for key in flags.keys() | labels.keys()
        }

    def _remember(self, post_id: str, state: PostState) -> None:
        with self._mirror_lock:
            self.changes += 1
            if state == DEFAULT_STATE:
                self._mirror.pop(post_id, None)
            else:
                self._mirror[post_id] = state

    # ----- changing ------------------------------------------------------------------------

    def set_read(self, ids: Iterable[str], value: bool) -> int:
        """Mark posts read or unread; returns how many changed."""
        return self._set_flag(
            "read", ids, value, "marked {n} read" if value else "marked {n} unread"
        )

    def set_starred(self, ids: Iterable[str], value: bool) -> int:
        return self._set_flag("starred", ids, value, "starred {n}" if value else "unstarred {n}")

    def set_archived(self, ids: Iterable[str], value: bool) -> int:
        return self._set_flag("archived", ids, value, "archived {n}" if value else "unarchived {n}")

    def add_label(self, ids: Iterable[str], label: str) -> int:
        """Give posts a label; returns how many did not have it yet."""
        name = clean_label(label)

        def plan(before: Mapping[str, PostState], unique: Sequence[str]) -> _Change:
            missing = [i for i in unique if name not in before.get(i, DEFAULT_STATE).labels]
            return _Change(add=[(i, name) for i in missing])

        return self._act(ids, plan, f"labelled {{n}} “{name}”")

    def remove_label(self, ids: Iterable[str], label: str) -> int:
        """Take a label off posts; returns how many had it."""
        name = clean_label(label)

        def plan(before: Mapping[str, PostState], unique: Sequence[str]) -> _Change:
            present = [i for i in unique if name in before.get(i, DEFAULT_STATE).labels]
            return _Change(remove=[(i, name) for i in present])

        return self._act(ids, plan, f"removed label “{name}” from {{n}}")

    def undo(self) -> str | None:
        """Undo this instance's newest action; returns its description, or None if none is left.

        Only the posts and fields that action changed are put back, so changes made since by
        another instance to other fields survive.
        """
        if not self._undo:
            return None
        description, change = self._undo.pop()
        try:
            self._transaction(change.ids(), lambda before, unique: change)
        except StateError:
            self._undo.append((description, change))
            raise
        return description

    def _set_flag(self, name: str, ids: Iterable[str], value: bool, description: str) -> int:
        value = bool(value)

        def plan(before: Mapping[str, PostState], unique: Sequence[str]) -> _Change:
            flips = [i for i in unique if getattr(before.get(i, DEFAULT_STATE), name) != value]
            return _Change(flags={i: {name: value} for i in flips})

        return self._act(ids, plan, description)

    def _act(self, ids: Iterable[str], plan: _Plan, description: str) -> int:
        """Run one undoable action; `description` has {n} for "3 posts"."""
        if isinstance(ids, str):
            raise TypeError("ids must be a collection of post ids, not one string")
        change, before = self._transaction(dict.fromkeys(ids), plan)
        count = len(change.ids())
        if count:
            text = description.format(n=f"{count} post" + ("" if count == 1 else "s"))
            self._undo.append((text, change.inverse(before)))
        return count

    def _transaction(self, ids: Iterable[str], plan: _Plan) -> tuple[_Change, dict[str, PostState]]:
        """Read the ids' current states, let `plan` decide the change, write it: one transaction."""
        unique = list(ids)
        if not unique:
            return _Change(), {}
        db = self._db
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StateError(f"could not save the change: {error}") from error
        try:
            before = self._read(unique)
            change: _Change = plan(before, unique)
            touched = change.ids()
            if touched:
                top = db.execute("SELECT COALESCE(MAX(seq), 0) FROM post_state").fetchone()[0]
                self._write(change, top + 1)
            db.execute("COMMIT")
        except BaseException as error:
            _rollback(db)
            if isinstance(error, sqlite3.Error):
                raise StateError(f"could not save the change: {error}") from error
            raise
        if touched:
            # Other instances' changes numbered below ours are still unseen: leave them to poll().
            if top == self._seen:
                self._seen = top + 1
            for post_id, state in _after(before, change).items():
                self._remember(post_id, state)
        return change, before

    def _write(self, change: _Change, seq: int) -> None:
        now = time.time()
        db = self._db
        stamped: set[str] = set()
        for name in FLAGS:
            rows = [
                (path_key(post_id), int(values[name]), change.stamps.get(post_id, now), seq)
                for post_id, values in change.flags.items()
                if name in values
            ]
            if rows:
                db.executemany(
                    f"INSERT INTO post_state (post_id, {name}, updated_at, seq) VALUES (?, ?, ?, ?)"
                    f" ON CONFLICT (post_id) DO UPDATE SET {name} = excluded.{name},"
                    " updated_at = excluded.updated_at, seq = excluded.seq",
                    rows,
                )
                stamped.update(
                    post_id for post_id, values in change.flags.items() if name in values
                )
        if change.add:
            db.executemany(
                "INSERT OR IGNORE INTO post_label (post_id, label) VALUES (?, ?)",
                [(path_key(post_id), label) for post_id, label in change.add],
            )
        if change.remove:
            db.executemany(
                "DELETE FROM post_label WHERE post_id = ? AND label = ?",
                [(path_key(post_id), label) for post_id, label in change.remove],
            )
        # Label-only changes still need their row's change number bumped, for poll().
        rest = [
            (path_key(post_id), change.stamps.get(post_id, now), seq)
            for post_id in change.ids() - stamped
        ]
        if rest:
            db.executemany(
                "INSERT INTO post_state (post_id, updated_at, seq) VALUES (?, ?, ?)"
                " ON CONFLICT (post_id) DO UPDATE SET"
                " updated_at = excluded.updated_at, seq = excluded.seq",
                rest,
            )

    # ----- export / import -----------------------------------------------------------------

    def export_json(self, path: Path) -> int:
        """Write every post with non-default state to `path` atomically; returns how many."""
        text, count = self.export_text()
        write_atomic(Path(path), text)
        return count

    def export_text(self) -> tuple[str, int]:
        """The export file's text (ids as stored: a name that is not UTF-8 as its bytes, which
        an import reads back), and how many posts it holds."""
        db = self._db
        db.execute("BEGIN")
        try:
            rows = db.execute(
                "SELECT post_id, read, starred, archived, updated_at FROM post_state"
            ).fetchall()
            labels: dict[str, list[str]] = {}
            for post_id, label in db.execute(
                "SELECT post_id, label FROM post_label ORDER BY post_id, label"
            ):
                labels.setdefault(post_id, []).append(label)
        finally:
            db.execute("COMMIT")
        # One post per line: diffable, and much faster than json.dumps(indent=...).
        lines = []
        for post_id, read, starred, archived, updated_at in sorted(rows):
            if read or starred or archived or post_id in labels:
                entry = {
                    "read": bool(read),
                    "starred": bool(starred),
                    "archived": bool(archived),
                    "labels": labels.get(post_id, []),
                    "updated_at": _iso(updated_at),
                }
                lines.append(f"  {_JSON.encode(post_id)}: {_JSON.encode(entry)}")
        body = ",\n".join(lines)
        text = f'{{"version": {EXPORT_VERSION}, "posts": {{\n{body}\n}}}}\n'
        return text, len(lines)

    def import_json(self, path: Path | str, text: bytes | None = None) -> int:
        """Merge an export: the newer updated_at wins for the flags, labels are unioned.

        Returns how many posts changed. A file that is not a valid export raises ValueError and
        changes nothing. The import can be undone like any other action.
        """
        incoming = _by_story(_parse_export(Path(path), text))

        def plan(before: Mapping[str, PostState], unique: Sequence[str]) -> _Change:
            stored = self._stamps(unique)
            change = _Change()
            for post_id in unique:
                flags, names, stamp = incoming[post_id]
                state = before.get(post_id, DEFAULT_STATE)
                mine = stored.get(post_id)
                if mine is None or stamp > mine:
                    values = {k: v for k, v in flags.items() if getattr(state, k) != v}
                    if values:
                        change.flags[post_id] = values
                change.add.extend((post_id, name) for name in sorted(names - state.labels))
                change.stamps[post_id] = stamp if mine is None else max(stamp, mine)
            return change

        return self._act(incoming, plan, "imported {n}")

    def _stamps(self, ids: Sequence[str]) -> dict[str, float]:
        stamps: dict[str, float] = {}
        for start in range(0, len(ids), _CHUNK):
            chunk = [path_key(post_id) for post_id in ids[start : start + _CHUNK]]
            marks = ",".join("?" * len(chunk))
            stamps.update(
                (key_path(key), stamp)
                for key, stamp in self._db.execute(
                    f"SELECT post_id, updated_at FROM post_state WHERE post_id IN ({marks})", chunk
                )
            )
        return stamps

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


_rollback = dbfile.rollback


def clean_label(label: str) -> str:
    """A label as stored: sanitised to one safe line, stripped, case kept; never empty."""
    if not isinstance(label, str):
        raise TypeError("a label must be a string")
    name = clean_line(label)
    if not name:
        raise ValueError("a label cannot be empty")
    return name


def _after(before: Mapping[str, PostState], change: _Change) -> dict[str, PostState]:
    """The states of the posts a change touches, once it is applied."""
    labels = {post_id: set(before.get(post_id, DEFAULT_STATE).labels) for post_id in change.ids()}
    for post_id, name in change.add:
        labels[post_id].add(name)
    for post_id, name in change.remove:
        labels[post_id].discard(name)
    after = {}
    for post_id, names in labels.items():
        old = before.get(post_id, DEFAULT_STATE)
        new = change.flags.get(post_id, {})
        after[post_id] = _state(
            new.get("read", old.read),
            new.get("starred", old.starred),
            new.get("archived", old.archived),
            names,
        )
    return after


def _rekey(db: sqlite3.Connection) -> None:
    """Move states stored under a raw url (before version 2) to their story key (the url
    normalised, tui.stories): the copies of a story share one state. Where several urls become
    one key, the newest change's flags win and the labels are unioned, as in an import."""
    rows = db.execute(
        "SELECT post_id, read, starred, archived, updated_at, seq FROM post_state"
        " WHERE instr(post_id, '://')"
    ).fetchall()
    labels = db.execute(
        "SELECT post_id, label FROM post_label WHERE instr(post_id, '://')"
    ).fetchall()
    moved = {
        post_id: key
        for post_id in {row[0] for row in rows} | {post_id for post_id, _ in labels}
        if (key := canonical_id(post_id)) != post_id
    }
    if not moved:
        return
    targets = set(moved.values())
    keys = sorted(targets)
    for start in range(0, len(keys), _CHUNK):
        chunk = keys[start : start + _CHUNK]
        marks = ",".join("?" * len(chunk))
        rows += db.execute(
            "SELECT post_id, read, starred, archived, updated_at, seq FROM post_state"
            f" WHERE post_id IN ({marks})",
            chunk,
        ).fetchall()
    merged: dict[str, tuple] = {}
    for post_id, read, starred, archived, updated_at, seq in sorted(rows, key=lambda r: r[4]):
        key = moved.get(post_id, post_id)
        if key not in targets:
            continue  # already a story key, and no other url moves into it
        top = max(seq, merged[key][4]) if key in merged else seq
        merged[key] = (read, starred, archived, updated_at, top)  # sorted: the newest is last
    db.executemany("DELETE FROM post_state WHERE post_id = ?", [(post_id,) for post_id in moved])
    db.executemany(
        "INSERT INTO post_state (post_id, read, starred, archived, updated_at, seq)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (post_id) DO UPDATE SET read = excluded.read,"
        " starred = excluded.starred, archived = excluded.archived,"
        " updated_at = excluded.updated_at, seq = excluded.seq",
        [(key, *values) for key, values in merged.items()],
    )
    db.executemany(
        "INSERT OR IGNORE INTO post_label (post_id, label) VALUES (?, ?)",
        [(moved[post_id], label) for post_id, label in labels if post_id in moved],
    )
    db.executemany("DELETE FROM post_label WHERE post_id = ?", [(post_id,) for post_id in moved])


def _by_story(
    incoming: dict[str, tuple[dict[str, bool], set[str], float]],
) -> dict[str, tuple[dict[str, bool], set[str], float]]:
    """An export's posts under their story keys: an export from before stories holds raw urls,
    and several may be copies of one story (the newest one's flags win, labels are unioned)."""
    merged: dict[str, tuple[dict[str, bool], set[str], float]] = {}
    for post_id, (flags, names, stamp) in incoming.items():
        key = canonical_id(post_id)
        known = merged.get(key)
        if known is None:
            merged[key] = (flags, names, stamp)
        elif stamp > known[2]:
            merged[key] = ({**known[0], **flags}, names | known[1], stamp)
        else:
            merged[key] = ({**flags, **known[0]}, names | known[1], known[2])
    return merged


def _iso(stamp: float) -> str:
    return (
        datetime.fromtimestamp(stamp, UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")
    )


def _parse_stamp(text: str) -> float:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _parse_export(
    path: Path, raw: bytes | None = None
) -> dict[str, tuple[dict[str, bool], set[str], float]]:
    """Validate a whole export file first (raw: its bytes, if read already), so that a bad one
    changes nothing."""
    try:
        data = json.loads((path.read_bytes() if raw is None else raw).decode("utf-8"))
    except OSError as error:
        raise ValueError(f"cannot read {path}: {error.strerror or error}") from error
    except UnicodeDecodeError as error:
        raise ValueError(f"{path} is not UTF-8 text") from error
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not valid JSON ({error})") from error
    if not isinstance(data, dict) or "posts" not in data:
        raise ValueError(f'{path} is not a newstui state export (no "posts")')
    version = data.get("version")
    if version != EXPORT_VERSION or isinstance(version, bool):
        raise ValueError(f"{path} has unsupported export version {version!r}")
    posts = data["posts"]
    if not isinstance(posts, dict):
        raise ValueError(f'{path}: "posts" must be an object')
    result = {}
    for post_id, entry in posts.items():
        where = f"{path}: post {post_id[:80]!r}"
        if not post_id:
            raise ValueError(f"{path}: a post has an empty id")
        if not isinstance(entry, dict):
            raise ValueError(f"{where} must be an object")
        flags = {}
        for name in FLAGS:
            if name in entry:
                if not isinstance(entry[name], bool):
                    raise ValueError(f"{where}: {name!r} must be true or false")
                flags[name] = entry[name]
        raw_labels = entry.get("labels", [])
        if not isinstance(raw_labels, list) or not all(isinstance(x, str) for x in raw_labels):
            raise ValueError(f'{where}: "labels" must be a list of strings')
        names = {name for name in map(clean_line, raw_labels) if name}
        stamp = 0.0  # no date: older than anything stored
        if "updated_at" in entry:
            try:
                stamp = _parse_stamp(entry["updated_at"])
            except (TypeError, ValueError, OverflowError) as error:
                raise ValueError(f'{where}: "updated_at" is not an ISO date') from error
        result[key_path(post_id)] = (flags, names, stamp)
    return result


def write_atomic(path: Path, text: str) -> None:
    """Write to a temporary file beside `path`, then rename: readers never see half a file."""
    dbfile.write_atomic(path, text.encode("utf-8"))
