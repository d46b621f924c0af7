"""Find every post file under an archive root quickly, following folder links without looping."""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

POST_SUFFIXES = (".md", ".markdown", ".html")


@dataclass(slots=True, frozen=True)
class FileEntry:
    rel: str  # POSIX path relative to root
    size: int
    mtime_ns: int


@dataclass(slots=True)
class ScanResult:
    files: list[FileEntry] = field(default_factory=list)
    # short notes, e.g. "unreadable folder: 2021/06 (Permission denied)"
    problems: list[str] = field(default_factory=list)


def is_post_file(name: str) -> bool:
    """True for .md, .markdown and .html names, in any case (hidden names are the caller's concern)."""
    return name.lower().endswith(POST_SUFFIXES)


def scan(root: Path | str) -> ScanResult:
    """List the post files under root, skipping hidden names; never raises for anything inside it.

    Real folders are walked before linked ones, and linked files are listed after every real file,
    so a file reachable both ways is listed once, under its real path, the same on every scan.
    Folders are recognised by (st_dev, st_ino), which is what stops link loops.
    """
    result = ScanResult()
    result.files.extend(iter_scan(root, result.problems))
    return result


def iter_scan(root: Path | str, problems: list[str]) -> Iterator[FileEntry]:
    """scan(), one file at a time as the walk finds it, problems appended to `problems`.

    Names are walked in reverse order at every level, so dated folders (2021/06/2021-06-24-x.md)
    give the newest posts first: a cold start can show them before the walk is over.
    """
    root_path = os.fspath(root)
    try:
        root_stat = os.stat(root_path)
    except OSError as error:
        problems.append(f"unreadable folder: . ({_reason(error)})")
        return
    if not stat.S_ISDIR(root_stat.st_mode):
        problems.append("unreadable folder: . (Not a directory)")
        return

    walker = _Walker(problems, (root_stat.st_dev, root_stat.st_ino))
    yield from walker.walk("", root_path)
    # A linked tree may hold more links, so repeat until none is left; sorted for a stable outcome.
    while walker.linked_dirs:
        batch = sorted(walker.linked_dirs)
        walker.linked_dirs.clear()
        for rel, path in batch:
            try:
                st = os.stat(path)
            except OSError as error:
                problems.append(f"unreadable folder: {rel} ({_reason(error)})")
                continue
            if walker.first_visit(rel, (st.st_dev, st.st_ino)):
                yield from walker.walk(rel, path)
    for rel, st in sorted(walker.linked_files, key=lambda item: item[0]):
        key = (st.st_dev, st.st_ino)
        if key not in walker.seen_files:  # else a link (or hard link) to a file already listed
            walker.seen_files.add(key)
            yield FileEntry(rel, st.st_size, st.st_mtime_ns)


class _Walker:
    __slots__ = ("problems", "seen_dirs", "seen_files", "linked_dirs", "linked_files")

    def __init__(self, problems: list[str], root_key: tuple[int, int]) -> None:
        self.problems = problems
        # each folder walked, by (st_dev, st_ino), with the rel it was walked as
        self.seen_dirs: dict[tuple[int, int], str] = {root_key: ""}
        self.seen_files: set[tuple[int, int]] = set()
        self.linked_dirs: list[tuple[str, str]] = []  # (rel, path) of folder links, walked later
        self.linked_files: list[tuple[str, os.stat_result]] = []  # post-file links, listed last

    def first_visit(self, rel: str, key: tuple[int, int]) -> bool:
        first = self.seen_dirs.get(key)
        if first is None:
            self.seen_dirs[key] = rel
            return True
        if first == "" or rel.startswith(first + "/"):
            self.problems.append(f"symlink loop skipped: {rel}")
        else:
            self.problems.append(f"folder already listed as {first}, skipped: {rel}")
        return False

    def walk(self, top_rel: str, top_path: str) -> Iterator[FileEntry]:
        """Walk real folders depth-first from top, names in reverse order, setting links aside."""
        # One iterator of sorted entries per open folder: a folder's files and subfolders come in
        # name order, each subfolder walked where it falls.
        stack = [self._entries(top_rel, top_path)]
        seen_files = self.seen_files
        while stack:
            item = next(stack[-1], None)
            if item is None:
                stack.pop()
                continue
            rel, entry = item
            name = entry.name
            try:
                # Checked in order of how common they are; d_type answers all three without a
                # system call on the file systems that matter.
                if entry.is_file(follow_symlinks=False):
                    if name.lower().endswith(POST_SUFFIXES):
                        st = entry.stat(follow_symlinks=False)
                        key = (st.st_dev, st.st_ino)
                        if key not in seen_files:  # else a hard link to a file already listed
                            seen_files.add(key)
                            yield FileEntry(rel, st.st_size, st.st_mtime_ns)
                elif entry.is_dir(follow_symlinks=False):
                    st = entry.stat(follow_symlinks=False)
                    if self.first_visit(rel, (st.st_dev, st.st_ino)):
                        stack.append(self._entries(rel, entry.path))
                elif entry.is_symlink():
                    self._note_link(entry, rel)
            except FileNotFoundError:
                continue  # removed while we looked: not a problem
            except OSError as error:
                self.problems.append(f"unreadable entry skipped: {rel} ({_reason(error)})")

    def _entries(self, rel_dir: str, abs_dir: str) -> Iterator[tuple[str, os.DirEntry[str]]]:
        """(rel, entry) for the folder's visible names, in reverse name order."""
        prefix = rel_dir + "/" if rel_dir else ""
        try:
            with os.scandir(abs_dir) as listing:
                entries = [entry for entry in listing if entry.name[0] != "."]
        except OSError as error:
            self.problems.append(f"unreadable folder: {rel_dir or '.'} ({_reason(error)})")
            return iter(())
        entries.sort(key=_name, reverse=True)
        return ((prefix + entry.name, entry) for entry in entries)

    def _note_link(self, entry: os.DirEntry[str], rel: str) -> None:
        try:
            st = entry.stat()  # follows the link
        except FileNotFoundError:
            self.problems.append(f"dangling link skipped: {rel}")
            return
        except OSError as error:
            if error.errno == errno.ELOOP:  # a link to itself, or a chain of links that comes back
                self.problems.append(f"symlink loop skipped: {rel}")
            else:
                self.problems.append(f"unreadable link skipped: {rel} ({_reason(error)})")
            return
        if stat.S_ISDIR(st.st_mode):
            self.linked_dirs.append((rel, entry.path))
        elif stat.S_ISREG(st.st_mode) and is_post_file(entry.name):
            self.linked_files.append((rel, st))


def _name(entry: os.DirEntry[str]) -> str:
    return entry.name


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__
