"""Tests for the triage state store: flags, labels, undo, two processes, export/import, fallbacks."""

from __future__ import annotations

import json
import multiprocessing
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tui import locations
from tui.state import DEFAULT_STATE, PostState, StateStore


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "state.sqlite"


@pytest.fixture
def store(db: Path):
    with StateStore(db) as s:
        yield s


def stored(db: Path) -> dict[str, PostState]:
    """What a fresh instance reads from disk."""
    with StateStore(db) as fresh:
        return dict(fresh.snapshot())


# ----- flags ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["read", "starred", "archived"])
def test_each_setter_sets_and_toggles_back(store: StateStore, db: Path, name: str) -> None:
    setter = getattr(store, f"set_{name}")
    assert store.notice is None
    assert setter(["a", "b", "a"], True) == 2  # duplicates count once
    assert getattr(store.get("a"), name) and getattr(store.get("b"), name)
    assert setter(["a", "b", "c"], True) == 1  # only c changed
    assert getattr(stored(db)["c"], name)
    assert setter(["a", "b", "c"], False) == 3
    assert store.get("a") == DEFAULT_STATE
    assert dict(store.snapshot()) == {}
    assert stored(db) == {}


def test_flags_are_independent(store: StateStore) -> None:
    store.set_read(["x"], True)
    store.set_starred(["x"], True)
    store.set_read(["x"], False)
    assert store.get("x") == PostState(starred=True)
    assert store.get("never-seen") == DEFAULT_STATE


def test_ids_must_not_be_a_bare_string(store: StateStore) -> None:
    with pytest.raises(TypeError):
        store.set_read("https://example.com/a", True)
    assert store.set_read([], True) == 0


def test_state_persists_across_instances(store: StateStore, db: Path) -> None:
    store.set_starred(["https://www.zaobao.com/realtime/china/story20210624-1160488"], True)
    store.set_archived(["2021/06/24/post.md"], True)
    assert stored(db) == {
        "https://www.zaobao.com/realtime/china/story20210624-1160488": PostState(starred=True),
        "2021/06/24/post.md": PostState(archived=True),
    }


# ----- labels ---------------------------------------------------------------------------------


def test_labels_add_remove_and_list(store: StateStore, db: Path) -> None:
    assert store.add_label(["a", "b"], "  跟进 ") == 2
    assert store.add_label(["a"], "跟进") == 0
    assert store.add_label(["b"], "News\x1b[31m\u202e") == 1  # controls become spaces, stripped
    assert store.add_label(["c"], "news") == 1  # case is kept: a different label
    assert store.get("b").labels == {"跟进", "News [31m"}
    assert store.labels() == ["news", "News [31m", "跟进"]
    assert store.remove_label(["a", "b", "c"], "跟进") == 2
    assert store.remove_label(["a"], "跟进") == 0
    assert store.get("a") == DEFAULT_STATE
    assert store.labels() == ["news", "News [31m"]
    assert stored(db)["c"] == PostState(labels=frozenset({"news"}))


@pytest.mark.parametrize("bad", ["", "   ", "\x00\x1b\t"])
def test_empty_labels_are_refused(store: StateStore, bad: str) -> None:
    with pytest.raises(ValueError):
        store.add_label(["a"], bad)
    with pytest.raises(ValueError):
        store.remove_label(["a"], bad)


# ----- undo -----------------------------------------------------------------------------------


def test_undo_several_levels(store: StateStore, db: Path) -> None:
    assert store.undo() is None
    store.set_read(["a"], True)
    store.set_starred(["a", "b", "c"], True)
    store.add_label(["b"], "x")
    store.set_read(["a"], True)  # changes nothing: not an undo step
    store.set_starred(["b"], False)
    assert store.undo() == "unstarred 1 post"
    assert store.get("b") == PostState(starred=True, labels=frozenset({"x"}))
    assert store.undo() == "labelled 1 post “x”"
    assert store.undo() == "starred 3 posts"
    assert dict(store.snapshot()) == {"a": PostState(read=True)}
    assert store.undo() == "marked 1 post read"
    assert store.undo() is None  # undo is not itself undoable
    assert stored(db) == {}


def test_undo_keeps_the_newest_hundred(store: StateStore) -> None:
    for i in range(105):
        store.set_read([f"p{i}"], True)
    undone = 0
    while store.undo():
        undone += 1
    assert undone == 100
    assert set(store.snapshot()) == {f"p{i}" for i in range(5)}


def test_undo_restores_only_our_field(db: Path) -> None:
    with StateStore(db) as mine, StateStore(db) as theirs:
        mine.set_starred(["x", "y"], True)
        theirs.set_read(["x"], True)
        theirs.add_label(["y"], "later")
        assert mine.undo() == "starred 2 posts"
        assert mine.get("x") == PostState(read=True)
        assert mine.get("y") == PostState(labels=frozenset({"later"}))
        assert theirs.poll() == {"x", "y"}
        assert theirs.get("x") == PostState(read=True)
    assert stored(db) == {"x": PostState(read=True), "y": PostState(labels=frozenset({"later"}))}


# ----- two instances --------------------------------------------------------------------------


def test_poll_sees_the_other_instance(db: Path) -> None:
    with StateStore(db) as a, StateStore(db) as b:
        assert b.poll() == set()
        a.set_starred(["x"], True)
        a.add_label(["y"], "l")
        assert a.poll() == set()  # own changes are already in the mirror
        assert b.poll() == {"x", "y"}
        assert b.get("x").starred and b.labels() == ["l"]
        assert b.poll() == set()
        # b changes x without polling first; a's next write must not clobber it
        b.set_read(["x"], True)
        a.set_archived(["x"], True)
        assert a.get("x") == PostState(read=True, starred=True, archived=True)
        a.set_starred(["x"], False)
        assert b.poll() == {"x"}
        assert b.get("x") == PostState(read=True, archived=True)


def _worker(path: str, star: list[str], read: list[str], start) -> None:  # type: ignore[no-untyped-def]
    store = StateStore(Path(path))
    start.wait()
    for a, b in zip(star, read, strict=True):  # one transaction each, interleaved with the other
        store.set_starred([a], True)
        store.set_read([b], True)
    store.close()


def test_two_processes_lose_no_update(db: Path) -> None:
    ctx = multiprocessing.get_context("fork")
    start = ctx.Event()
    p_ids = [f"p{i}" for i in range(200)]
    q_ids = [f"q{i}" for i in range(200)]
    StateStore(db).close()  # create the schema once, up front
    workers = [
        ctx.Process(target=_worker, args=(str(db), p_ids, q_ids, start)),
        ctx.Process(target=_worker, args=(str(db), q_ids, p_ids, start)),
    ]
    for w in workers:
        w.start()
    with StateStore(db) as watcher:
        start.set()
        for w in workers:
            w.join(60)
        assert [w.exitcode for w in workers] == [0, 0]
        assert watcher.poll() == set(p_ids) | set(q_ids)
        assert all(watcher.get(i) == PostState(read=True, starred=True) for i in p_ids + q_ids)
    assert sum(s.starred for s in stored(db).values()) == 400


_KILL_CHILD = """
import sys
from pathlib import Path
from tui.state import StateStore
store = StateStore(Path(sys.argv[1]))
ids = [f"https://example.com/{i}" for i in range(50_000)]
print("go", flush=True)
store.set_read(ids, True)
print("done", flush=True)
"""


@pytest.mark.parametrize("delay", [0.05, 0.2])
def test_kill_during_bulk_action_is_all_or_nothing(db: Path, delay: float) -> None:
    child = subprocess.Popen(
        [sys.executable, "-c", _KILL_CHILD, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert child.stdout is not None
    assert child.stdout.readline() == "go\n"
    time.sleep(delay)
    child.send_signal(signal.SIGKILL)
    child.wait()
    with StateStore(db) as after:
        assert after.notice is None
        assert len(after.snapshot()) in (0, 50_000)
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)


# ----- export / import ------------------------------------------------------------------------


def fill(store: StateStore) -> None:
    store.set_read(["https://example.com/新闻?a=1", "2021/06/24/a.md"], True)
    store.set_starred(["2021/06/24/a.md", 'odd "id"\\'], True)
    store.set_archived(["c"], True)
    store.add_label(["c", "2021/06/24/a.md"], "跟进")
    store.add_label(["label-only"], "x")
    store.set_read(["c"], True)
    store.set_read(["c"], False)


def test_export_import_round_trips(store: StateStore, tmp_path: Path) -> None:
    fill(store)
    first = tmp_path / "out" / "export.json"
    first.parent.mkdir()
    assert store.export_json(first) == 5
    data = json.loads(first.read_text(encoding="utf-8"))
    assert data["version"] == 1
    assert data["posts"]["c"]["labels"] == ["跟进"]
    assert set(data["posts"]["c"]) == {"read", "starred", "archived", "labels", "updated_at"}
    assert list(first.parent.iterdir()) == [first]  # no temp file left behind
    with StateStore(tmp_path / "other" / "state.sqlite") as fresh:
        assert fresh.import_json(first) == 5
        assert dict(fresh.snapshot()) == dict(store.snapshot())
        second = tmp_path / "again.json"
        fresh.export_json(second)
        assert second.read_text(encoding="utf-8") == first.read_text(encoding="utf-8")
        assert fresh.import_json(first) == 0  # idempotent


def test_import_merges(store: StateStore, tmp_path: Path) -> None:
    store.set_starred(["old", "new"], True)
    store.add_label(["old"], "mine")
    export = {
        "version": 1,
        "exported_by": "someone",  # unknown keys are ignored
        "posts": {
            "old": {
                "read": True,
                "starred": False,
                "labels": ["theirs", "mine"],
                "updated_at": "2000-01-01T00:00:00Z",
                "colour": "red",
            },
            "new": {"starred": False, "archived": True, "updated_at": "2999-01-01T00:00:00+00:00"},
            "unseen": {"read": True, "labels": ["theirs"]},  # no date: still applied, no rival
        },
    }
    path = tmp_path / "in.json"
    path.write_text(json.dumps(export), encoding="utf-8")
    assert store.import_json(path) == 3
    assert store.get("old") == PostState(starred=True, labels=frozenset({"mine", "theirs"}))
    assert store.get("new") == PostState(archived=True)
    assert store.get("unseen") == PostState(read=True, labels=frozenset({"theirs"}))
    assert store.undo() == "imported 3 posts"
    assert dict(store.snapshot()) == {
        "old": PostState(starred=True, labels=frozenset({"mine"})),
        "new": PostState(starred=True),
    }


@pytest.mark.parametrize(
    "content",
    [
        b"not json",
        b"\xff\xfe garbage",
        b"[]",
        b'{"posts": {}}',
        b'{"version": 2, "posts": {}}',
        b'{"version": true, "posts": {}}',
        b'{"version": 1, "posts": []}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": {"read": "yes"}}}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": {"labels": "x"}}}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": {"labels": [1]}}}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": {"updated_at": "soon"}}}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": {"updated_at": 5}}}',
        b'{"version": 1, "posts": {"good": {"read": true}, "bad": []}}',
        b'{"version": 1, "posts": {"": {"read": true}}}',
    ],
)
def test_bad_import_changes_nothing(store: StateStore, tmp_path: Path, content: bytes) -> None:
    store.set_starred(["kept"], True)
    path = tmp_path / "bad.json"
    path.write_bytes(content)
    with pytest.raises(ValueError, match="bad.json"):
        store.import_json(path)
    assert dict(store.snapshot()) == {"kept": PostState(starred=True)}
    assert store.undo() == "starred 1 post"


def test_import_of_missing_file_is_a_value_error(store: StateStore, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read"):
        store.import_json(tmp_path / "nope.json")


# ----- fallbacks ------------------------------------------------------------------------------


def test_corrupt_database_is_kept_aside(db: Path) -> None:
    db.parent.mkdir(parents=True)
    garbage = b"this is not SQLite \x00\xff" * 500
    db.write_bytes(garbage)
    with StateStore(db) as s:
        backups = list(db.parent.glob("state.sqlite.corrupt-*"))
        assert [b.read_bytes() for b in backups] == [garbage]
        assert s.notice is not None and str(backups[0]) in s.notice
        s.set_starred(["a"], True)
    with StateStore(db) as again:
        assert again.notice is None
        assert again.get("a").starred


def test_unwritable_folder_falls_back_to_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with StateStore(blocker / "sub" / "state.sqlite") as s:
        assert s.notice is not None and "until you quit" in s.notice
        assert s.set_starred(["a"], True) == 1
        assert s.add_label(["a"], "l") == 1
        assert s.undo() == "labelled 1 post “l”"
        assert s.get("a") == PostState(starred=True)
        assert s.poll() == set()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_database_path_that_cannot_be_opened(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite").mkdir()
    with StateStore(tmp_path / "state.sqlite") as s:
        assert s.notice is not None
        assert s.set_read(["a"], True) == 1


def test_unwritable_database_keeps_what_it_can_read(db: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with StateStore(db) as s:
        s.set_starred(["old"], True)

    def refuse(self: StateStore) -> sqlite3.Connection:
        raise sqlite3.OperationalError("attempt to write a readonly database")

    monkeypatch.setattr(StateStore, "_open_file", refuse)
    with StateStore(db) as s:
        assert s.notice is not None and "readonly" in s.notice
        assert s.get("old").starred
        s.set_starred(["new"], True)
    monkeypatch.undo()
    assert stored(db) == {"old": PostState(starred=True)}


def test_default_location_is_the_data_folder(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(locations, "data_dir", lambda: tmp_path / "xdg-data")
    with StateStore() as s:
        s.set_read(["a"], True)
    assert (tmp_path / "xdg-data" / "state.sqlite").is_file()


def test_snapshot_is_a_copy_that_later_changes_leave_alone(store: StateStore) -> None:
    """Workers iterate a snapshot while triage goes on: it must not change under them."""
    store.set_read(["a", "b"], True)
    before = store.snapshot()
    store.set_read(["c"], True)
    store.set_read(["a"], False)
    assert sorted(before) == ["a", "b"]
    assert sorted(store.snapshot()) == ["b", "c"]
    assert store.snapshot() is store.snapshot()  # one copy per change, not per call
