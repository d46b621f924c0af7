"""Live reload: watch an archive folder and report, in debounced batches, which post files changed."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

from tui.files import is_post_file, scan
from tui.text import clean_line

# watchfiles' Change values, as the watching process reports them; and a folder whose entries
# changed before its watch was set up (see _touched_since).
ADDED, MODIFIED, DELETED, FOLDER = 1, 2, 3, 4
# File times lag the clock by up to a timer tick: a change just after the watching process
# started may carry a time just before it.
TOUCHED_SLACK_NS = 1_000_000_000

QUIET_MS = 1000  # a burst of changes is over after this long without one
STEP_MS = 50  # watchfiles yields once no new change arrived for this long (or debounce_ms passed)
RETRY_SECONDS = 1.0  # how often to look for a folder that went away
STOP_SECONDS = 2.0  # stop() gives the thread this long; it is a daemon, so it cannot hold up exit
# The kernel queues 16,384 inotify events by default, several per written file, and watchfiles
# drops the overflow notice; after a burst this big we cannot be sure nothing was lost.
BIG_BURST = 2000

GONE = "live reload paused: the folder was moved or deleted"
WATCH_LIMIT = (
    "live reload is off: the system limit on watched folders was reached "
    "(raise fs.inotify.max_user_watches)"
)


@dataclass(slots=True)
class FolderChanges:
    paths: set[str]  # POSIX rels of post files added, modified or deleted (re-stat to tell which)
    rescan: bool = False  # the watcher lost track (overflow, folder renamed, errors): refresh all
    # Folders ("" for root) whose entries changed where no watch saw it: every post file in
    # them, listed or there now, is to be re-stat-ed.
    folders: set[str] = field(default_factory=set)


class FolderWatcher:
    """Runs watchfiles in a process of its own, read by a daemon thread that calls on_changes.

    A process, not watchfiles in a thread: setting up the watches (an inotify watch per folder,
    found by walking every entry) holds the interpreter lock the whole time, 0.2 s at 100,000
    files on an idle machine and seconds under load or at a million, and it starts just as the
    first rows show, while keys are typed. The process also keeps watchfiles' import (0.1-0.4 s)
    out of the app's start. It ends with newstui: it stops when its standard input closes.

    Paths are reported the way tui.files.scan lists them: nothing hidden, only post files, and a
    file in a linked folder under its real path when that is inside root. Limitations: watchfiles
    follows folder links that exist when watching starts, but not links made later (their contents
    are reported once, when the link appears); two links to one outside folder report only one
    of the two paths; and changes inside hidden folders (.git) still cost inotify events.
    """

    def __init__(
        self,
        root: Path,
        on_changes: Callable[[FolderChanges], None],
        *,
        debounce_ms: int = 300,
        max_batch: int = 2000,
    ) -> None:
        self.root = Path(root)
        self.on_changes = on_changes
        self.debounce_ms = max(1, debounce_ms)
        self.max_batch = max(1, max_batch)
        self._root = os.path.abspath(self.root)  # watchfiles reports paths under this string
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._error: str | None = None
        self._child: subprocess.Popen[bytes] | None = None  # the watching process
        self._child_lock = threading.Lock()
        # Set once the watching process has reported (its first quiet second, at the latest):
        # its watches are in place, and from then on no change is missed.
        self.watching = threading.Event()

    @property
    def error(self) -> str | None:
        """Why live reload is paused or off, worded for the user; None while it works."""
        return self._error

    def start(self) -> None:
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="newstui-watch", daemon=True)
        self._thread.start()

    def stop(self, wait: bool = True) -> None:
        self._stop.set()
        with self._child_lock:
            if self._child is not None:
                self._child.kill()  # the thread's read ends at once
        thread = self._thread
        if wait and thread is not None and thread is not threading.current_thread():
            # Bounded: on_changes may be blocked on the very thread calling stop().
            thread.join(STOP_SECONDS)

    # ---------------------------------------------------------------- the thread

    def _run(self) -> None:
        try:
            watched = None  # identity of the folder watched last
            while not self._stop.is_set():
                key = _identity(self._root)
                if key is None:
                    if self._error is None:
                        self._error = GONE
                        self._send(FolderChanges(set(), rescan=True))
                    self._stop.wait(RETRY_SECONDS)
                    continue
                if self._error is not None or (watched is not None and key != watched):
                    # Back after going away, or another folder now sits at root: all is new.
                    self._error = None
                    self._send(FolderChanges(set(), rescan=True))
                watched = key
                try:
                    self._watch(key)
                except FileNotFoundError:
                    # Something went away while watching started; the loop looks at root again.
                    self._stop.wait(RETRY_SECONDS)
        except Exception as error:  # the watcher must never take the app down
            self._error = _describe(error)
            try:
                self.on_changes(FolderChanges(set(), rescan=True))
            except Exception:
                pass

    def _watch(self, key: tuple[int, int]) -> None:
        """Deliver changes until stopped or until the folder at root is not the one watched."""
        burst = 0
        for raw in self._changes():
            # A renamed root keeps its watches and would go on reporting under the old name.
            if _identity(self._root) != key:
                return
            if not raw:  # a quiet second
                if burst >= BIG_BURST:
                    self._send(FolderChanges(set(), rescan=True))
                burst = 0
                continue
            burst += len(raw)
            paths, rescan, folders = self._sort_out(raw)
            if rescan:
                self._send(FolderChanges(set(), rescan=True))
                continue
            if folders:
                self._send(FolderChanges(set(), folders=folders))
            ordered = sorted(paths)
            for start in range(0, len(ordered), self.max_batch):
                self._send(FolderChanges(set(ordered[start : start + self.max_batch])))

    def _changes(self) -> Iterator[set[tuple[int, str]]]:
        """watchfiles' batches from the watching process (an empty one after each quiet second),
        until stopped; FileNotFoundError when root went away as watching started."""
        command = [sys.executable, "-m", "tui.watch", self._root, str(self.debounce_ms)]
        command.append(str(min(STEP_MS, self.debounce_ms)))
        command.append(str(time.time_ns() - TOUCHED_SLACK_NS))
        with self._child_lock:
            if self._stop.is_set():
                return
            child = self._child = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,  # nothing of it may reach the app's screen
            )
        try:
            assert child.stdout is not None
            for line in child.stdout:
                self.watching.set()
                report = json.loads(line)
                if isinstance(report, dict):  # watching failed: as if it had failed here
                    message, number = str(report.get("message")), report.get("errno")
                    if report.get("error") == "FileNotFoundError":
                        raise FileNotFoundError(message)
                    raise OSError(number, message) if number else RuntimeError(message)
                yield {(change, path) for change, path in report}
            if not self._stop.is_set():
                raise RuntimeError(f"the watching process ended (status {child.wait()})")
        finally:
            with self._child_lock:
                self._child = None
            child.kill()
            child.wait()
            for pipe in (child.stdin, child.stdout):
                if pipe is not None:
                    pipe.close()

    def _sort_out(self, raw: set[tuple[int, str]]) -> tuple[set[str], bool, set[str]]:
        """The post-file rels among raw changes, whether a folder may have left unreported, and
        the folders whose entries changed unwatched."""
        real_root = os.path.realpath(self._root)
        real_dirs: dict[str, str] = {}
        paths: set[str] = set()
        folders: set[str] = set()
        added = {path for change, path in raw if change == ADDED}
        deleted_others: list[str] = []
        parents: set[str] = set()
        for change, path in raw:
            rel = "" if change == FOLDER and path == self._root else None
            if rel is None:
                rel = self._rel(path, real_root, real_dirs)
            if rel is None:
                continue
            parents.add(rel.rpartition("/")[0])
            if change == FOLDER:
                folders.add(rel)
            elif is_post_file(rel.rpartition("/")[2]):
                paths.add(rel)
            elif change == ADDED and os.path.isdir(path):
                # A folder moved in reports only itself, and files written into a new folder
                # before its watch is set up are missed: list what it holds now.
                for entry in scan(path).files:
                    inner = self._rel(f"{path}/{entry.rel}", real_root, real_dirs)
                    if inner is not None:
                        paths.add(inner)
            elif change == DELETED and path not in added:
                deleted_others.append(rel)
        # A folder moved away reports only itself, so its posts' paths are unknown here. A folder
        # deleted file by file reports its contents too, and a temp file renamed into place was
        # also added in the same batch: neither needs a rescan.
        rescan = any(rel not in parents for rel in deleted_others)
        return paths, rescan, folders

    def _rel(self, path: str, real_root: str, real_dirs: dict[str, str]) -> str | None:
        """The rel scan() lists for a reported path, or None if it is outside root or hidden."""
        if not path.startswith(self._root + "/"):
            return None  # root itself (handled through its identity) or outside it
        rel = path[len(self._root) + 1 :]
        # Two routes may lead to one folder (a link to a folder inside root); scan() lists its
        # files under the real route, watchfiles reports whichever route it registered last.
        parent, _, name = path.rpartition("/")
        real = real_dirs.get(parent)
        if real is None:
            real = real_dirs[parent] = os.path.realpath(parent)
        if real == real_root:
            candidate = name
        elif real.startswith(real_root + "/"):
            candidate = f"{real[len(real_root) + 1 :]}/{name}"
        else:
            candidate = None
        for option in (candidate, rel):
            if option is not None and not _hidden(option):
                return option
        return None

    def _send(self, changes: FolderChanges) -> None:
        if not self._stop.is_set():
            self.on_changes(changes)


def _hidden(rel: str) -> bool:
    return any(part.startswith(".") or not part for part in rel.split("/"))


def _identity(path: str) -> tuple[int, int] | None:
    """(st_dev, st_ino) of the folder at path, or None if there is none."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return (st.st_dev, st.st_ino) if stat.S_ISDIR(st.st_mode) else None


def _describe(error: Exception) -> str:
    text = clean_line(str(error))
    if "watch limit" in text or getattr(error, "errno", None) == 28:  # ENOSPC from inotify
        return WATCH_LIMIT
    return f"live reload stopped: {text[:200] or type(error).__name__}"


def _touched_since(root: str, since_ns: int) -> set[tuple[int, str]]:
    """What happened while the watches were being set up, folder by folder, after the app's scan
    had already passed that folder: each folder under root whose entries changed since since_ns
    (a file added, deleted or renamed: its mtime or ctime), as FOLDER. One stat per folder, none
    per file (1M files: 2.3 s at nice 10 beside a busy machine); a file rewritten in place in
    that moment changes no folder, and is not found. Hidden folders are not entered; the
    folders of links are, once each."""
    found: set[tuple[int, str]] = set()
    seen: set[tuple[int, int]] = set()
    folders = [root]
    while folders:
        folder = folders.pop()
        try:
            st = os.stat(folder)
            if (st.st_dev, st.st_ino) in seen:
                continue
            seen.add((st.st_dev, st.st_ino))
            if max(st.st_mtime_ns, st.st_ctime_ns) >= since_ns:
                found.add((FOLDER, folder))
            with os.scandir(folder) as entries:
                for entry in entries:
                    with suppress(OSError):
                        if entry.name[0] != "." and entry.is_dir():
                            folders.append(entry.path)
        except OSError:  # gone or unreadable meanwhile: its watch reports what happens next
            continue
    return found


def _serve(root: str, debounce_ms: int, step_ms: int, since_ns: int) -> None:
    """The watching process: each batch watchfiles yields, as a line of JSON on standard output
    (an empty list after each quiet second), until standard input closes (newstui stopped it
    or ended); a failure as one line {"error": ..., "message": ...}. The first batch also holds
    what changed since since_ns, before the watches were in place (_touched_since)."""
    import watchfiles  # here only: the app never imports it

    # Setting up the watches walks the whole folder (9 s of CPU at a million files, during a
    # cold index that wants both CPUs for its parsers): it takes what the app leaves.
    try:
        os.nice(10)
    except OSError:
        pass
    stop = threading.Event()

    def wait_for_close() -> None:
        sys.stdin.buffer.read()
        stop.set()

    threading.Thread(target=wait_for_close, daemon=True).start()
    out = sys.stdout
    first = True
    try:
        for raw in watchfiles.watch(
            root,
            watch_filter=None,  # hidden and non-post names are sorted out in _sort_out
            debounce=debounce_ms,
            step=step_ms,
            stop_event=stop,
            rust_timeout=QUIET_MS,
            yield_on_timeout=True,
            raise_interrupt=False,
            ignore_permission_denied=True,
        ):
            changes = {(int(change), path) for change, path in raw}
            if first:  # the watches are in place now
                changes |= _touched_since(root, since_ns)
                first = False
            out.write(json.dumps(sorted(changes)) + "\n")
            out.flush()
    except BrokenPipeError:
        pass
    except Exception as error:
        report: dict[str, object] = {"error": type(error).__name__}
        report["message"] = str(error) or type(error).__name__
        report["errno"] = getattr(error, "errno", None) or 0
        out.write(json.dumps(report) + "\n")
        out.flush()


if __name__ == "__main__":
    _serve(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]))
