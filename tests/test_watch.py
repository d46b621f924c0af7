"""Live reload: a real folder changes under a FolderWatcher and the right batches come out."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tui import watch
from tui.watch import FolderChanges, FolderWatcher

PROBE = "probe.md"
DEADLINE = 10.0  # seconds to wait for an expected batch; only reached when a test fails


class Recorder:
    """on_changes for tests: keeps every batch, from the watcher's thread."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.batches: list[FolderChanges] = []
        self.history: list[FolderChanges] = []  # every batch, never cleared
        self.threads: set[str] = set()

    def __call__(self, changes: FolderChanges) -> None:
        with self.lock:
            self.batches.append(changes)
            self.history.append(changes)
            self.threads.add(threading.current_thread().name)

    def paths(self, probe: bool = False) -> set[str]:
        """Paths reported since the last clear(), without wait_ready's probe (a late write of it
        may still come in after the clear)."""
        with self.lock:
            paths = set().union(*(batch.paths for batch in self.batches))
        return paths if probe else paths - {PROBE}

    def rescans(self) -> int:
        with self.lock:
            return sum(batch.rescan for batch in self.batches)

    def clear(self) -> None:
        with self.lock:
            self.batches.clear()

    def wait(self, condition: Callable[[], bool], what: str) -> None:
        deadline = time.monotonic() + DEADLINE
        while not condition():
            assert time.monotonic() < deadline, (
                f"no {what} within {DEADLINE}s: {self.batches!s:.500}"
            )
            time.sleep(0.02)


def write(root: Path, rel: str, text: str = "---\ntitle: x\n---\nbody\n") -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def wait_ready(root: Path, recorder: Recorder) -> None:
    """Watches are set up in the thread after start(); write a probe until it is seen."""
    deadline = time.monotonic() + DEADLINE
    probe = 0
    while PROBE not in recorder.paths(probe=True):
        assert time.monotonic() < deadline, "the watcher never reported the probe file"
        write(root, PROBE, f"probe {probe}")
        probe += 1
        time.sleep(0.1)
    recorder.clear()


@pytest.fixture
def root(tmp_path: Path) -> Path:
    folder = tmp_path / "posts"
    (folder / "2021" / "06").mkdir(parents=True)
    return folder


@pytest.fixture
def watching(root: Path) -> Iterator[tuple[FolderWatcher, Recorder]]:
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder, debounce_ms=300)
    watcher.start()
    wait_ready(root, recorder)
    yield watcher, recorder
    watcher.stop()


def test_added_modified_and_deleted_posts_are_reported(root: Path, watching) -> None:
    watcher, recorder = watching
    write(root, "2021/06/a.md")
    recorder.wait(lambda: "2021/06/a.md" in recorder.paths(), "added post")
    assert recorder.threads == {"newstui-watch"}

    recorder.clear()
    write(root, "2021/06/a.md", "---\ntitle: changed\n---\n")
    recorder.wait(lambda: "2021/06/a.md" in recorder.paths(), "modified post")

    recorder.clear()
    (root / "2021/06/a.md").unlink()
    recorder.wait(lambda: "2021/06/a.md" in recorder.paths(), "deleted post")
    assert recorder.rescans() == 0
    assert watcher.error is None


def test_a_burst_of_writes_is_grouped(root: Path, watching) -> None:
    _, recorder = watching
    names = {f"2021/06/{i}.html" for i in range(20)}
    for name in names:
        write(root, name)
    recorder.wait(lambda: names <= recorder.paths(), "burst")
    calls = [batch for batch in recorder.batches if batch.paths & names]
    assert len(calls) <= 3  # one call when the machine is idle; never one per file


def test_hidden_and_non_post_files_are_ignored(root: Path, watching) -> None:
    _, recorder = watching
    for rel in (".hidden/a.md", "2021/.b.md", "2021/06/.c.md", ".git/objects/x.md", "notes.txt"):
        write(root, rel)
    write(root, "2021/06/.d.md.swp")
    write(root, "2021/06/last.markdown")
    recorder.wait(lambda: "2021/06/last.markdown" in recorder.paths(), "sentinel post")
    assert recorder.paths() == {"2021/06/last.markdown"}


def test_what_changed_before_the_watches_were_set_is_found_by_its_times(root: Path) -> None:
    # The app's scan may pass a folder before its watch is set (seconds at a million files):
    # the watching process then reports what changed since it started.
    for rel in ("2021/06/kept.md", "2021/06/deleted.md", "2022/old.md"):
        write(root, rel)
    (root / ".git").mkdir()
    time.sleep(0.05)  # file times have a timer tick's resolution
    since = time.time_ns()
    time.sleep(0.05)
    (root / "2021/06/deleted.md").unlink()
    write(root, "2023/new.md")
    write(root, ".git/ignored.md")
    found = watch._touched_since(str(root), since)
    assert {(change, os.path.relpath(path, root)) for change, path in found} == {
        (watch.FOLDER, "2021/06"),  # deleted.md went
        (watch.FOLDER, "2023"),
        (watch.FOLDER, "."),  # 2023 is new in root
    }
    recorder = Recorder()
    sorted_out = FolderWatcher(root, recorder)._sort_out(found)
    assert sorted_out == (set(), False, {"2021/06", "2023", ""})


def test_thousands_of_files_arrive_in_bounded_batches(root: Path) -> None:
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder, max_batch=500)
    watcher.start()
    try:
        wait_ready(root, recorder)
        expected = {f"2022/{i // 1000:02d}/{i}.md" for i in range(3000)}
        for rel in sorted(expected):  # like a git pull: new folders, then files in them
            write(root, rel)
        recorder.wait(lambda: expected <= recorder.paths(), "all 3,000 files")
        with recorder.lock:
            sizes = [len(batch.paths) for batch in recorder.batches]
        assert max(sizes) <= 500
        assert len([size for size in sizes if size]) >= 6
        assert recorder.paths() == expected
    finally:
        watcher.stop()


def test_stop_is_prompt_and_ends_the_thread(root: Path) -> None:
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder)
    watcher.start()
    wait_ready(root, recorder)
    thread = watcher._thread
    assert thread is not None and thread.is_alive()
    watcher.stop()  # joins for at most watch.STOP_SECONDS
    assert not thread.is_alive()
    watcher.stop()  # twice is harmless


def test_deleted_folder_reports_rescan_and_resumes_when_back(root: Path, watching) -> None:
    watcher, recorder = watching
    write(root, "2021/06/a.md")
    recorder.wait(lambda: "2021/06/a.md" in recorder.paths(), "added post")
    recorder.clear()
    shutil.rmtree(root)
    recorder.wait(lambda: recorder.rescans() >= 1, "rescan after the folder was deleted")
    recorder.wait(lambda: watcher.error == watch.GONE, "error for the deleted folder")

    recorder.clear()
    write(root, "2021/06/b.md")
    recorder.wait(lambda: watcher.error is None and recorder.rescans() >= 1, "rescan on return")
    wait_ready(root, recorder)  # watching the new folder
    write(root, "2021/06/c.md")
    recorder.wait(lambda: "2021/06/c.md" in recorder.paths(), "post in the recreated folder")


def test_renamed_folder_is_not_followed(root: Path, watching) -> None:
    watcher, recorder = watching
    moved = root.with_name("moved")
    root.rename(moved)
    recorder.wait(lambda: recorder.rescans() >= 1, "rescan after the folder was renamed")
    recorder.wait(lambda: watcher.error == watch.GONE, "error for the renamed folder")
    write(moved, "2021/06/later.md")  # would be reported under root if the watches followed it
    root.mkdir()
    recorder.wait(lambda: watcher.error is None, "watching the new folder at root")
    wait_ready(root, recorder)
    write(root, "new.md")
    recorder.wait(lambda: "new.md" in recorder.paths(), "post in the new folder")
    assert recorder.paths() == {"new.md"}
    assert not any("2021/06/later.md" in batch.paths for batch in recorder.history)


def test_folder_moved_in_and_out(root: Path, tmp_path: Path, watching) -> None:
    _, recorder = watching
    outside = tmp_path / "incoming"
    write(outside, "a.md")
    write(outside, "deep/b.html")
    write(outside, "notes.txt")
    os.rename(outside, root / "2021" / "07")
    expected = {"2021/07/a.md", "2021/07/deep/b.html"}
    recorder.wait(lambda: expected <= recorder.paths(), "posts of the moved-in folder")
    assert recorder.paths() == expected

    recorder.clear()
    os.rename(root / "2021" / "07", tmp_path / "gone")
    # Its posts' paths are not reported by inotify, so only a rescan can drop them.
    recorder.wait(lambda: recorder.rescans() >= 1, "rescan after a folder moved out")


def test_temp_file_renamed_into_place_needs_no_rescan(root: Path, watching) -> None:
    _, recorder = watching
    temp = root / "2021/06/tmpk3j2l1x"
    temp.write_text("---\ntitle: atomic\n---\n")
    os.rename(temp, root / "2021/06/atomic.md")
    recorder.wait(lambda: "2021/06/atomic.md" in recorder.paths(), "renamed post")
    assert recorder.rescans() == 0


def test_link_to_a_folder_inside_root_reports_the_real_path(root: Path, tmp_path: Path) -> None:
    # watchfiles reports a folder by the route its walk met last: make sure a link comes after.
    for i in range(100):
        (root / f"l{i}").symlink_to(root / "2021", target_is_directory=True)
        if os.listdir(root)[-1] != "2021":
            break
    outside = tmp_path / "outside"
    outside.mkdir()
    (root / "linked").symlink_to(outside, target_is_directory=True)
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder)
    watcher.start()
    try:
        wait_ready(root, recorder)
        write(root, "2021/06/z.md")
        write(outside, "o.md")
        recorder.wait(lambda: {"2021/06/z.md", "linked/o.md"} <= recorder.paths(), "both posts")
        assert recorder.paths() == {"2021/06/z.md", "linked/o.md"}  # as tui.files.scan lists them
    finally:
        watcher.stop()


def test_read_only_folder_is_watched(root: Path) -> None:
    (root / "2021" / "06").chmod(0o777)
    root.chmod(0o555)
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder)
    watcher.start()
    try:
        write(root, "2021/06/ro.md")
        deadline = time.monotonic() + DEADLINE
        while "2021/06/ro.md" not in recorder.paths():  # the first write may beat the watches
            assert time.monotonic() < deadline, "post in a read-only folder never reported"
            time.sleep(0.1)
            write(root, "2021/06/ro.md")
        assert watcher.error is None
    finally:
        watcher.stop()
        root.chmod(0o755)


def test_missing_folder_at_start_waits_for_it(root: Path) -> None:
    shutil.rmtree(root)
    recorder = Recorder()
    watcher = FolderWatcher(root, recorder)
    watcher.start()
    try:
        recorder.wait(lambda: watcher.error == watch.GONE and recorder.rescans() == 1, "error")
        root.mkdir()
        recorder.wait(lambda: watcher.error is None and recorder.rescans() == 2, "recovery")
        wait_ready(root, recorder)
    finally:
        watcher.stop()


def test_a_failing_callback_becomes_an_error_and_a_rescan(root: Path) -> None:
    batches: list[FolderChanges] = []

    def on_changes(changes: FolderChanges) -> None:
        batches.append(changes)
        if not changes.rescan:
            raise RuntimeError("boom\x1b[31m")

    watcher = FolderWatcher(root, on_changes)
    watcher.start()
    try:
        deadline = time.monotonic() + DEADLINE
        while watcher.error is None:
            assert time.monotonic() < deadline, "the callback's exception was not reported"
            write(root, "2021/06/a.md")
            time.sleep(0.1)
        assert watcher.error == "live reload stopped: boom [31m"  # no escape reaches the screen
        deadline = time.monotonic() + DEADLINE
        while not batches[-1].rescan:
            assert time.monotonic() < deadline, "no rescan after the failure"
            time.sleep(0.02)
        assert batches[-1] == FolderChanges(set(), rescan=True)
    finally:
        watcher.stop()


def test_watch_limit_is_worded_for_the_user() -> None:
    limit = OSError('OS file watch limit reached. about ["/x"] (Error { kind: MaxFilesWatch })')
    assert watch._describe(limit) == watch.WATCH_LIMIT
    assert watch._describe(ValueError("")) == "live reload stopped: ValueError"


def test_watch_does_not_import_textual() -> None:
    code = "import sys, tui.watch; print(any(m.split('.')[0] == 'textual' for m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
