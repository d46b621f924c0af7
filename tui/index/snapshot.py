"""A columnar copy of the loaded list beside the index cache: a warm start reads a million posts
and their stories from it in a fraction of the time that decoding the cache row by row takes."""

from __future__ import annotations

import glob
import marshal
import os
import struct
import tempfile
import time
from array import array
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from io import RawIOBase
from itertools import compress, repeat
from operator import attrgetter
from pathlib import Path
from typing import Any, BinaryIO

from tui.model import Post, shared_zone, stored_post
from tui.stories import Stories

# The file: MAGIC, then frames (a 4-byte little-endian length, then a marshalled value or the raw
# bytes of an array): a header (FORMAT, marshal's version, the cache's version, the post count),
# then per chunk of CHUNK posts the frames of its columns (see _write_chunk), then ("end", count).
# Each column of a chunk is one marshal.loads: one call per column and chunk, not one per post,
# and no call holds the interpreter long: at 5,000 posts a chunk the longest marshal call takes
# 2-3 ms (at 20,000, 10-14 ms; the same time in all), so the UI thread answers keys while a
# snapshot is read or written.
MAGIC = b"newstui snapshot\n"
FORMAT = 2  # 2: no size and mtime columns (a post no longer has them)
CHUNK = 5_000
_LENGTH = struct.Struct("<I")
_END = "end"
STALE = 600.0  # seconds (see _sweep)

_ID = attrgetter("id")
_PATH = attrgetter("path")
_TITLE = attrgetter("title")
_FOLDED = attrgetter("folded")
_TS = attrgetter("ts")
_WHEN = attrgetter("_when")
_AUTHOR = attrgetter("author")
_URL = attrgetter("url")
_TAGS = attrgetter("tags")
_CATEGORIES = attrgetter("categories")
_EXTRA = attrgetter("_extra")
_PROBLEMS = attrgetter("problems")


class Unreadable(Exception):
    """Not a whole snapshot of this format (truncated, damaged, another version)."""


def snapshot_path(db_path: Path) -> Path:
    """Where the snapshot of the index cache at db_path lives: beside it."""
    return db_path.with_name(db_path.name + ".snapshot")


def read(path: Path, version: str) -> Stories | None:
    """The stories of the snapshot at path, if it was written for this cache version and is
    whole; else None (missing, stale, damaged: the caller loads from the cache instead)."""
    try:
        with path.open("rb", buffering=0) as file:
            frames = _Frames(file)
            found, count = _header(frames, file)
            if found != version:
                return None
            return _read_body(frames, count)
    except (OSError, Unreadable, ValueError, EOFError, TypeError, IndexError, KeyError):
        return None


def write(
    path: Path,
    version: str,
    stories: Stories,
    *,
    is_cancelled: Callable[[], bool] | None = None,
) -> bool:
    """Write the snapshot of stories (the cache's posts at this version) atomically: a temporary
    file beside path, renamed when complete. False if cancelled (nothing is left behind)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _sweep(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(MAGIC)
            files = stories.files
            _frame(file, (FORMAT, marshal.version, version, len(files)))
            marks = _marks(stories)
            for start in range(0, len(files), CHUNK):
                if is_cancelled is not None and is_cancelled():
                    raise _Cancelled
                _write_chunk(file, files[start : start + CHUNK], marks)
            _frame(file, (_END, len(files)))
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
        return True
    except BaseException as error:
        try:
            os.unlink(temp)
        except OSError:
            pass
        if isinstance(error, _Cancelled):
            return False
        raise


class _Cancelled(Exception):
    pass


def _sweep(path: Path) -> None:
    """Delete what writes that never finished left beside path (newstui ends without waiting for
    its workers): temporary files untouched for STALE seconds (a write in progress touches its
    file with every chunk; at a million posts one is ~350 MB)."""
    now = time.time()
    for temp in path.parent.glob(f".{glob.escape(path.name)}.*.tmp"):
        try:
            if now - temp.stat().st_mtime > STALE:
                temp.unlink()
        except OSError:
            pass


def _frame(file: BinaryIO, value: Any) -> None:
    _raw(file, marshal.dumps(value))


def _raw(file: BinaryIO, data: bytes) -> None:
    file.write(_LENGTH.pack(len(data)))
    file.write(data)


class _Frames:
    """The frames of a snapshot, read one after another into one buffer: a new bytes object per
    frame left the allocator holding ~15 MB of freed ones at 100,000 posts."""

    def __init__(self, file: RawIOBase) -> None:
        self._file = file
        self._buffer = bytearray(1 << 16)

    def _next(self) -> memoryview:
        head = self._file.read(_LENGTH.size)
        if len(head) != _LENGTH.size:
            raise Unreadable("cut short")
        (length,) = _LENGTH.unpack(head)
        if len(self._buffer) < length:
            self._buffer = bytearray(length + (length >> 3))
        view = memoryview(self._buffer)[:length]
        if self._file.readinto(view) != length:
            raise Unreadable("cut short")
        return view

    def value(self) -> Any:
        with self._next() as view:
            return marshal.loads(view)

    def into(self, column: array) -> array:  # type: ignore[type-arg]
        with self._next() as view:
            column.frombytes(view)
        return column


def _header(frames: _Frames, file: RawIOBase) -> tuple[str, int]:
    if file.read(len(MAGIC)) != MAGIC:
        raise Unreadable("not a snapshot")
    try:
        header = frames.value()
    except (ValueError, EOFError, TypeError) as error:
        raise Unreadable(str(error)) from error
    if not (
        type(header) is tuple
        and len(header) == 4
        and header[:2] == (FORMAT, marshal.version)
        and type(header[2]) is str
        and type(header[3]) is int
    ):
        raise Unreadable("another format")
    return header[2], header[3]


def _marks(stories: Stories) -> tuple[set[int], set[int]]:
    """The ids (id()) of the files that are the newest of a story with copies, and of the copies."""
    firsts: set[int] = set()
    later: set[int] = set()
    for copies in stories.copies.values():
        firsts.add(id(copies[0]))
        later.update(map(id, copies[1:]))
    return firsts, later


def _write_chunk(file: BinaryIO, posts: Sequence[Post], marks: tuple[set[int], set[int]]) -> None:
    # Ids with their urls, and folded titles with the titles, in one frame each: marshal writes
    # an object met twice as a reference, so an id that is its url (most) costs nothing and
    # comes back as the same string.
    _frame(file, (list(map(_URL, posts)), list(map(_ID, posts))))
    _frame(file, list(map(_PATH, posts)))
    _frame(file, (list(map(_TITLE, posts)), list(map(_FOLDED, posts))))
    _raw(file, array("d", map(_TS, posts)).tobytes())
    _frame(file, _whens(posts))
    # Author, tags, categories and problems repeat across thousands of posts: shared objects,
    # written once per chunk as references.
    _frame(
        file,
        (
            list(map(_AUTHOR, posts)),
            list(map(_TAGS, posts)),
            list(map(_CATEGORIES, posts)),
            list(map(_PROBLEMS, posts)),
        ),
    )
    extras = list(map(_EXTRA, posts))
    _frame(file, {i: dict(extra) for i, extra in enumerate(extras) if extra})
    # The stories: the position of each file that is the newest of a story with copies, and as
    # ~position, of each copy, in order (a story's newest file always comes before its copies).
    firsts, later = marks
    _frame(
        file,
        [
            i if key in firsts else ~i
            for i, key in enumerate(map(id, posts))
            if key in firsts or key in later
        ],
    )


def _whens(posts: Sequence[Post]) -> list[int | str | None]:
    """Each post's date beside its ts: its zone's offset in seconds, None when undated, or its
    ISO text when stored_post could not rebuild it from (ts, zone) (see Post.stored_date)."""
    codes: dict[object, int | None] = {None: None}
    for when in set(map(_WHEN, posts)):
        if isinstance(when, timezone):
            offset = when.utcoffset(None)
            if not offset.microseconds and shared_zone(timezone(offset)) is when:
                codes[when] = offset.days * 86400 + offset.seconds
    whens: list[int | str | None] = list(map(codes.get, map(_WHEN, posts), repeat(-1)))
    for i, code in enumerate(whens):
        if code == -1:
            date = posts[i].stored_date()
            whens[i] = date if isinstance(date, str) else None
    return whens


def _read_body(frames: _Frames, count: int) -> Stories:
    files: list[Post] = []
    copies: dict[str, list[Post]] = {}
    later: list[int] = []  # the positions of the files that are not their story's newest
    shared: list[int] = []  # the positions among the stories of those in copies
    zones: dict[int | str | None, timezone | None] = {None: None}
    stored = stored_post
    while len(files) < count:
        start = len(files)
        value = frames.value
        urls, ids = value()
        paths = value()
        titles, folded = value()
        ts = frames.into(array("d"))
        whens = value()
        authors, tags, categories, problems = value()
        extras = value()
        marks = value()
        n = len(paths)
        if not n or not all(
            len(column) == n
            for column in (
                urls,
                ids,
                titles,
                folded,
                ts,
                whens,
                authors,
                tags,
                categories,
                problems,
            )
        ):
            raise Unreadable("columns of different lengths")
        odd = []
        for code in set(whens):
            if code not in zones:
                if type(code) is int:
                    zones[code] = shared_zone(timezone(timedelta(seconds=code)))
                else:
                    odd.append(code)
        zone = list(map(zones.get, whens)) if not odd else [zones.get(w) for w in whens]
        posts = list(
            map(
                stored,
                ids,
                paths,
                titles,
                folded,
                ts,
                zone,
                authors,
                urls,
                tags,
                categories,
                map(extras.get, range(n)),
                problems,
            )
        )
        if odd:
            for i, code in enumerate(whens):
                if type(code) is str:
                    posts[i].date = datetime.fromisoformat(code)
        files += posts
        for mark in marks:
            if mark >= 0:
                first = posts[mark]
                copies[first.id] = [first]
                # Among the stories, behind every file before it but the copies (all in later).
                shared.append(start + mark - len(later))
            else:
                copy = posts[~mark]
                copies[copy.id].append(copy)  # KeyError if its newest file was not marked
                later.append(start + ~mark)
    if frames.value() != (_END, count) or len(files) != count:
        raise Unreadable("cut short")
    if not copies:
        return Stories(files, files)
    keep = bytearray(b"\x01") * count
    for i in later:
        keep[i] = 0
    return Stories(files, list(compress(files, keep)), copies, shared)
