"""newstui's own files under faults (issue 21): names that are not UTF-8, damaged caches, a read-only
or full data folder, and the state backups that must never hide or lose anything."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui.dbfile import key_path, path_key, truncated
from tui.index import FullTextIndex, IndexCache
from tui.index.cache import default_db_path
from tui.index.fulltext import default_db_path as fulltext_db_path
from tui.locations import data_dir
from tui.repository import Repository
from tui.state import StateStore
from tui.widgets.post_table import PostTable

NEWSTUI = Path(sys.executable).parent / "newstui"
HANG_GUARD = 60  # seconds: a hang guard, not a speed requirement
CAFE = os.fsdecode(b"caf\xe9.md")  # Latin-1 bytes: not UTF-8, a surrogate escape in Python


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """newstui with this test's XDG folders; output as bytes."""
    done = subprocess.run(
        [str(NEWSTUI), *args], capture_output=True, timeout=HANG_GUARD, env=os.environ, **kwargs
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return done


def paris_posts(root: Path, count: int = 10) -> Path:
    for n in range(count):
        write_post(root, f"2021/06/p{n:02d}.md", f"Post {n}", "2021-06-24", f"<p>巴黎 {n}</p>")
    write_post(root, "2021/06/other.md", "Other", "2021-06-20", "<p>London</p>")
    return root


# ----- names that are not UTF-8 ---------------------------------------------------------------


def test_path_key_round_trips_any_name() -> None:
    for name in ("plain.md", "香港.md", CAFE, os.fsdecode(b"\xff\xfe/x.md"), "\x00odd"):
        assert key_path(path_key(name)) == name
        path_key(name).encode()  # valid UTF-8: SQLite takes it


def test_state_of_a_post_named_in_latin1(tmp_path: Path) -> None:
    """A post without a url has its path as its id: a name that is not UTF-8 is stored too."""
    db = tmp_path / "state.sqlite"
    with StateStore(db) as store:
        assert store.set_starred([CAFE], True) == 1
        store.set_read([CAFE], True)
        store.add_label([CAFE], "x")
        assert store.undo() is not None
    with StateStore(db) as store:
        assert store.get(CAFE).starred and store.get(CAFE).read
        text, count = store.export_text()
        assert count == 1
        text.encode()  # an export is UTF-8: the name travels as its bytes
    other = tmp_path / "other.sqlite"
    backup = tmp_path / "backup.json"
    backup.write_text(text, encoding="utf-8")
    with StateStore(other) as store:
        assert store.import_json(backup) == 1
        assert store.get(CAFE).starred


async def test_keys_on_a_post_named_in_latin1(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    root.mkdir()
    (root / CAFE).write_bytes(b"---\ntitle: Cafe\ndate: 2021-06-24\n---\n<p>body</p>\n")
    app = make_app(root)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert table.current_post.id == CAFE
        for key in ("s", "r", "e"):
            await pilot.press(key)
            await pilot.pause()
        state = app.repo.state.get(CAFE)
        assert state.starred and state.archived
        await pilot.press("u", "enter")
        await settle(app, pilot)
        assert app.is_running


def test_posts_folder_named_in_latin1(tmp_path: Path) -> None:
    root = Path(os.fsdecode(os.fsencode(tmp_path) + b"/posts-\xe9"))
    paris_posts(root, 3)
    repo = Repository(root)
    repo.refresh()
    repo.update_fulltext()
    assert len(repo.fulltext.search("巴黎")) == 3
    assert fulltext_db_path(root).name.endswith(".fts.sqlite")
    repo.close()
    # The folder's real bytes as the argument.
    done = subprocess.run(
        [os.fsencode(NEWSTUI), b"list", os.fsencode(root), b"--query", "body:巴黎".encode()],
        capture_output=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("巴黎".encode()) == 0  # titles listed, not bodies
    assert len(done.stdout.splitlines()) == 3


# ----- damaged caches -------------------------------------------------------------------------


def truncate(path: Path, fraction: float = 0.5) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as handle:
        handle.truncate(int(size * fraction))


def test_truncation_is_seen_from_the_header(tmp_path: Path) -> None:
    db = tmp_path / "x.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE t (x)")
        conn.executemany("INSERT INTO t VALUES (?)", [("x" * 1000,)] * 100)
    conn.close()
    assert truncated(db) is None
    truncate(db)
    assert "truncated" in (truncated(db) or "")


def test_truncated_body_index_is_rebuilt_with_a_notice(tmp_path: Path) -> None:
    root = paris_posts(tmp_path / "posts", 30)
    db = tmp_path / "fts.sqlite"
    repo = Repository(root)
    repo.refresh()
    index = FullTextIndex(root, db)
    index.update_from(repo.cache)
    assert len(index.search("巴黎")) == 30
    index.close()
    truncate(db)
    index = FullTextIndex(root, db)
    assert index.notice is not None and "rebuilt" in index.notice
    assert index.update_from(repo.cache) == 31  # not "in step": every post read again
    assert len(index.search("巴黎")) == 30
    repo.close()


def test_rows_missing_against_the_count_rebuild(tmp_path: Path) -> None:
    root = paris_posts(tmp_path / "posts", 5)
    db = tmp_path / "cache.sqlite"
    cache = IndexCache(root, db)
    cache.refresh()
    cache.close()
    with sqlite3.connect(db) as conn:  # rows lost without SQLite noticing
        conn.execute("DELETE FROM posts WHERE path LIKE '%p01%'")
    conn.close()
    cache = IndexCache(root, db)
    assert cache.notice is not None and "5 rows in posts, 6 expected" in cache.notice
    cache.refresh()
    assert cache.count() == 6


def test_list_and_index_over_a_truncated_body_index(tmp_path: Path) -> None:
    """The reported case: a truncated .fts.sqlite gave no matches with exit 0, and `newstui
    index` reported "bodies 0/?" and repaired nothing."""
    root = paris_posts(tmp_path / "posts", 10)
    assert run("index", str(root)).returncode == 0
    found = run("list", str(root), "--query", "body:巴黎", "--format", "paths")
    assert len(found.stdout.splitlines()) == 10
    truncate(fulltext_db_path(root))
    found = run("list", str(root), "--query", "body:巴黎", "--format", "paths")
    assert found.returncode == 0
    assert len(found.stdout.splitlines()) == 10
    assert b"rebuilt" in found.stderr
    truncate(fulltext_db_path(root))
    done = run("index", str(root))
    assert done.returncode == 0
    assert b"0/?" not in done.stdout + done.stderr
    assert b"rebuilt" in done.stderr


def test_index_rebuild_reads_everything_again(tmp_path: Path) -> None:
    root = paris_posts(tmp_path / "posts", 3)
    assert run("index", str(root)).returncode == 0
    with sqlite3.connect(default_db_path(root)) as conn:
        marker = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
    conn.close()
    done = run("index", str(root), "--rebuild")
    assert done.returncode == 0
    assert b"4 new" in done.stdout
    with sqlite3.connect(default_db_path(root)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone() != marker
    conn.close()


# ----- state: never hidden, never an empty backup ----------------------------------------------


def starred_state(ids: list[str]) -> Path:
    path = data_dir() / "state.sqlite"
    with StateStore(path) as store:
        store.set_starred(ids, True)
    return path


def test_export_to_stdout_and_refusals(tmp_path: Path) -> None:
    done = run("state", "export", str(tmp_path / "empty.json"))
    assert done.returncode == 1 and b"nothing to export" in done.stderr
    assert not (tmp_path / "empty.json").exists()
    starred_state(["https://a.example/1", CAFE])
    done = run("state", "export", "-")
    assert done.returncode == 0
    assert b'"starred": true' in done.stdout
    assert not Path("-").exists()
    done = run("state", "export", str(tmp_path / "missing" / "x.json"))
    assert done.returncode == 2
    assert len(done.stderr.splitlines()) == 1 and b"no such folder" in done.stderr
    good = tmp_path / "good.json"
    assert run("state", "export", str(good)).returncode == 0
    merged = run("state", "import", str(good))
    assert merged.returncode == 0 and b"merged: 0 posts changed" in merged.stdout


@pytest.fixture
def read_only_store(monkeypatch: pytest.MonkeyPatch) -> Path:
    """A state file whose WAL cannot be opened for writing, as in a read-only folder: every
    connection that may write fails (root writes through chmod, so it is simulated here; the
    tmpfs test below does it for real)."""
    path = starred_state(["https://a.example/1", "https://a.example/2"])
    from tui import dbfile

    def refuse(target, **kwargs):
        raise sqlite3.OperationalError("attempt to write a readonly database")

    def refuse_read_only(path):
        raise sqlite3.OperationalError("unable to open database file")  # no -shm can be made

    monkeypatch.setattr(dbfile, "connect", refuse)
    monkeypatch.setattr(dbfile, "connect_read_only", refuse_read_only)
    return path


def test_read_only_state_is_shown_not_hidden(read_only_store: Path) -> None:
    with StateStore(read_only_store) as store:
        assert store.read_only
        assert store.notice is not None and "read-only" in store.notice
        assert store.get("https://a.example/1").starred
        assert store.export_text()[1] == 2


def can_mount() -> bool:
    if os.geteuid() != 0:
        return False
    probe = Path("/tmp") / f"newstui-mount-probe-{os.getpid()}"
    probe.mkdir(exist_ok=True)
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)])
        if done.returncode:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True
    except OSError:
        return False
    finally:
        probe.rmdir()


@pytest.fixture
def small_mount(tmp_path: Path):
    """A real 1 MB file system of our own (tmpfs), for a read-only or full data folder."""
    if not can_mount():
        pytest.skip("needs root and mount (tmpfs) to make a real read-only or full folder")
    point = tmp_path / "mnt"
    point.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(point)], check=True)
    try:
        yield point
    finally:
        subprocess.run(["umount", "-l", str(point)], check=True)


def test_really_read_only_data_folder(small_mount: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(small_mount))
    starred_state(["https://a.example/1", CAFE])
    subprocess.run(["mount", "-o", "remount,ro", str(small_mount)], check=True)
    with StateStore() as store:
        assert store.read_only and "read-only" in (store.notice or "")
        assert store.get(CAFE).starred
    done = run("state", "export", "-")
    assert done.returncode == 0 and done.stdout.count(b'"starred": true') == 2
    assert b"read-only" in done.stderr


def test_really_full_data_folder(small_mount: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(small_mount))
    path = starred_state(["https://a.example/1"])
    for name in os.listdir(path.parent):  # a closed store leaves no WAL: make one that must grow
        if name.endswith(("-wal", "-shm")):
            os.unlink(path.parent / name)
    filler = small_mount / "filler"
    handle = os.open(filler, os.O_WRONLY | os.O_CREAT)
    try:
        while os.write(handle, b"\0" * 4096):
            pass
    except OSError:
        pass
    finally:
        os.close(handle)
    with StateStore() as store:
        assert store.get("https://a.example/1").starred
        done = run("state", "export", "-")
        assert done.returncode == 0 and b'"starred": true' in done.stdout
