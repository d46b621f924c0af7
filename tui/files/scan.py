"""Find every post file under an archive root quickly, following folder links without looping."""

from __future__ import annotations

import errno
import os
import stat
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
    problems = result.problems
    root_path = os.fspath(root)
    try:
        root_stat = os.stat(root_path)
    except OSError as error:
        problems.append(f"unreadable folder: . ({_reason(error)})")
        return result
    if not stat.S_ISDIR(root_stat.st_mode):
        problems.append("unreadable folder: . (Not a directory)")
        return result

    walker = _Walker(result, (root_stat.st_dev, root_stat.st_ino))
    walker.walk("", root_path)
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
                walker.walk(rel, path)
    for rel, st in sorted(walker.linked_files, key=lambda item: item[0]):
        walker.add_file(rel, st)
    return result


class _Walker:
    __slots__ = ("files", "problems", "seen_dirs", "seen_files", "linked_dirs", "linked_files")

    def __init__(self, result: ScanResult, root_key: tuple[int, int]) -> None:
        self.files = result.files
        self.problems = result.problems
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

    def add_file(self, rel: str, st: os.stat_result) -> None:
        key = (st.st_dev, st.st_ino)
        if key not in self.seen_files:  # else a link (or hard link) to a file already listed
            self.seen_files.add(key)
            self.files.append(FileEntry(rel, st.st_size, st.st_mtime_ns))

    def walk(self, top_rel: str, top_path: str) -> None:
        """Walk real folders depth-first from top, setting links aside."""
        stack = [(top_rel, top_path)]
        files_append = self.files.append
        seen_files = self.seen_files
        while stack:
            rel_dir, abs_dir = stack.pop()
            prefix = rel_dir + "/" if rel_dir else ""
            try:
                with os.scandir(abs_dir) as entries:
                    for entry in entries:
                        name = entry.name
                        if name[0] == ".":
                            continue
                        try:
                            # Checked in order of how common they are; d_type answers all three
                            # without a system call on the file systems that matter.
                            if entry.is_file(follow_symlinks=False):
                                if name.lower().endswith(POST_SUFFIXES):
                                    st = entry.stat(follow_symlinks=False)
                                    key = (st.st_dev, st.st_ino)
                                    if key not in seen_files:
                                        seen_files.add(key)
                                        files_append(
                                            FileEntry(prefix + name, st.st_size, st.st_mtime_ns)
                                        )
                            elif entry.is_dir(follow_symlinks=False):
                                st = entry.stat(follow_symlinks=False)
                                if self.first_visit(prefix + name, (st.st_dev, st.st_ino)):
                                    stack.append((prefix + name, entry.path))
                            elif entry.is_symlink():
                                self._note_link(entry, prefix + name)
                        except FileNotFoundError:
                            continue  # removed while we looked: not a problem
                        except OSError as error:
                            self.problems.append(
                                f"unreadable entry skipped: {prefix + name} ({_reason(error)})"
                            )
            except OSError as error:
                self.problems.append(f"unreadable folder: {rel_dir or '.'} ({_reason(error)})")

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


def _reason(error: OSError) -> str:
    return error.strerror or type(error).__name__
