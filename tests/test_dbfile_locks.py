"""Each of newstui's SQLite files keeps the lock SQLite takes on it for as long as it is open."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from tui.index.cache import IndexCache
from tui.index.fulltext import FullTextIndex
from tui.state import StateStore

pytestmark = pytest.mark.skipif(not Path("/proc/locks").is_file(), reason="needs /proc/locks")


def locks_held(path: Path) -> list[str]:
    """This process's POSIX locks on the file, from /proc/locks."""
    inode = f":{os.stat(path).st_ino} "
    pid = f" {os.getpid()} "
    return [
        line
        for line in Path("/proc/locks").read_text().splitlines()
        if inode in line and pid in line
    ]


# On POSIX, closing any descriptor of a file drops every lock the process holds on it. newstui
# used to read a database's header with open()/close() after connecting, which dropped the lock
# SQLite holds while a connection is open: another instance then took itself for the last one
# when it closed, deleted the WAL this one still wrote to, and this one's commits were lost
# (seen as lost stars with two instances; tests/test_state_store.py's two-process test).
OPENERS: dict[str, Callable[[Path], object]] = {
    "state": lambda folder: StateStore(folder / "state.sqlite"),
    "post cache": lambda folder: IndexCache(folder, folder / "cache.sqlite"),
    "body index": lambda folder: FullTextIndex(folder, folder / "bodies.sqlite"),
}


@pytest.mark.parametrize("what", OPENERS)
def test_an_open_file_keeps_its_lock(tmp_path: Path, what: str) -> None:
    open_one = OPENERS[what]
    first = open_one(tmp_path)
    first.close()  # type: ignore[attr-defined]
    again = open_one(tmp_path)  # an existing file: this open reads its header
    second = open_one(tmp_path)  # and a second connection in the same process
    try:
        path = next(p for p in tmp_path.glob("*.sqlite"))
        assert locks_held(path), f"no lock held on the {what} after opening it"
        second.close()  # type: ignore[attr-defined]
        assert locks_held(path), f"closing a second {what} dropped the first one's lock"
    finally:
        again.close()  # type: ignore[attr-defined]
