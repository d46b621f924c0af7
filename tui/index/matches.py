"""The posts a body: term matches, as one flag per post: what FullTextIndex.positions() answers.

numpy, because the work is per matching post and a common word is in most of them: at a million
posts 港 matches 705,000. Turning that many SQLite row ids into positions in the list took
~130 ms of Python (json.loads, a lookup and a set entry per id) on top of SQLite's own ~90 ms;
numpy parses the ids and looks them up in C, in ~10 ms. Imported only by the app's body search
(FullTextIndex.prepare and positions), never by `newstui list` or the app's start.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from itertools import compress, filterfalse

import numpy as np
import numpy.typing as npt

Table = npt.NDArray[np.int32]  # row id -> position in the list, -1 for a row not in it


def table_of(positions: list[int] | Table) -> Table:
    return np.asarray(positions, dtype=np.int32)  # an array of them already: itself


def table_bytes(table: Table) -> bytes:
    """A table as saved on disk: a 4-byte little-endian position per row id."""
    return table.astype("<i4", copy=False).tobytes()


def saved_table(data: bytes, rows: int, size: int) -> Table:
    """table_bytes() read back; ValueError unless it has a position (or -1) in a list of size
    for each of rows row ids: a damaged file must neither send a search out of bounds nor lose
    the matches of the rows it misses."""
    if len(data) % 4 or len(data) // 4 < rows:
        raise ValueError("not a whole table")
    table = np.frombuffer(data, dtype="<i4").astype(np.int32)
    if len(table) and (table.min() < -1 or table.max() >= size):
        raise ValueError("a position out of the list")
    return table


def row_ids(text: str | None) -> npt.NDArray[np.int64]:
    """The row ids of group_concat(rowid)'s comma-separated text (None: no row)."""
    if not text:
        return np.empty(0, dtype=np.int64)
    return np.fromstring(text, dtype=np.int64, sep=",")


def positions_of(table: Table, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.int32]:
    """table[id] of each id, without the rows written since the table was made or not listed."""
    found = table[ids[ids < len(table)]]
    return found[found >= 0]


class Matches:
    """A set of positions in a list of size posts, stored as one byte per post."""

    def __init__(self, size: int, *parts: npt.NDArray[np.int32]) -> None:
        flags = np.zeros(size, dtype=np.bool_)
        for part in parts:
            flags[part] = True
        # Kept as bytes only (bytes.__getitem__: a C-level test per candidate); sorted() reads
        # them as flags again without a copy. 16 answers are cached at a million posts.
        self._bytes = flags.tobytes()
        self._count = int(np.count_nonzero(flags))

    @classmethod
    def of(cls, size: int, positions: Sequence[int] | set[int]) -> Matches:
        return cls(size, np.fromiter(positions, dtype=np.int32, count=len(positions)))

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[int]:
        return iter(np.flatnonzero(np.frombuffer(self._bytes, dtype=np.bool_)).tolist())

    def sorted(self, positions: Sequence[int]) -> list[int]:
        """The positions in this set, in order, as positions' own objects (positions[i] is i: the
        engine's list of all positions). Made by compress() in C: twice as quick as numpy's
        tolist(), and no new int per match (705,000 of them were 28 MB at a million posts)."""
        return list(compress(positions, self._bytes))

    def keep(self, cands: Sequence[int], negated: bool) -> list[int]:
        """The candidates in this set (not in it, if negated), in their order."""
        test = self._bytes.__getitem__
        return list(filterfalse(test, cands) if negated else filter(test, cands))
