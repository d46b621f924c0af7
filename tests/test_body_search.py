"""body: queries in the app and the CLI go through the full-text index and match what a scan finds."""

from __future__ import annotations

import gc
import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui import collector
from tui.app import NewsApp
from tui.config import Config
from tui.index.fulltext import default_db_path
from tui.repository import Repository
from tui.screens.main import MainScreen
from tui.widgets.post_table import PostTable

NEWSTUI = Path(sys.executable).parent / "newstui"


def make_archive(root: Path) -> None:
    write_post(
        root,
        "a.md",
        "Markets today",
        "2021-01-01",
        "<p>香港 stocks rose; the 恒生指数 climbed.</p>",
    )
    write_post(
        root, "b.md", "Weather", "2021-01-02", "<p>Rain in 台北 and a <b>typhoon</b> warning.</p>"
    )
    write_post(root, "c.md", "香港 news", "2021-01-03", "<p>Nothing about the body term.</p>")


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    make_archive(root)
    return root


async def listed(app: NewsApp, pilot) -> MainScreen:
    """The main screen once the posts are listed and the workers are done."""
    await settle(app, pilot)
    screen = app.screen
    assert isinstance(screen, MainScreen)
    return screen


async def until(pilot, done: Callable[[], bool]) -> None:
    """Poll for up to 5 s (settle() would wait for a worker a test holds back)."""
    for _ in range(100):
        if done():
            return
        await pilot.pause(0.05)


def newstui_list(root: Path, query: str, output: str) -> str:
    """`newstui list` as a process; isolated_xdg has put the XDG folders in its environment."""
    command = [str(NEWSTUI), "list", str(root), f"--query={query}", "--format", output]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)
    return done.stdout


async def test_the_body_index_is_built_once_the_posts_are_listed(posts: Path) -> None:
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await listed(app, pilot)
        assert screen.body_index.ready  # nobody typed body: yet
        assert default_db_path(posts).exists()
        assert screen.status.activity == ""
        await pilot.press("slash", *"body:typhoon")
        await settle(app, pilot)
        assert [p.path for p in screen.table.posts] == ["b.md"]


async def test_body_query_builds_the_index_then_searches_bodies(posts: Path) -> None:
    app = make_app(posts, Config(index_bodies=False))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        assert not default_db_path(posts).exists()  # index_bodies = false: only when asked for
        table = app.screen.query_one(PostTable)
        await pilot.press("slash", *"body:typhoon")
        deadline = time.monotonic() + 20
        while [p.path for p in table.posts] != ["b.md"]:
            assert time.monotonic() < deadline, [p.path for p in table.posts]
            await settle(app, pilot)
        await pilot.press(*" OR body:香港")
        await settle(app, pilot)
        await settle(app, pilot)
        assert sorted(p.path for p in table.posts) == ["a.md", "b.md", "c.md"]
        # Each search paused the collector until its answer was drawn, superseded ones too.
        assert collector._pauses == 0 and gc.isenabled()


def test_list_body_query_matches_a_scan(posts: Path, isolated_xdg: Path) -> None:
    for term in ("香港", "typhoon", "恒生指数", "rain"):
        found = sorted(
            row["path"] for row in json.loads(newstui_list(posts, f"body:{term}", "json"))
        )
        scan = sorted(
            p.name
            for p in posts.iterdir()
            if term.lower() in p.read_text(encoding="utf-8").split("---", 2)[2].lower()
            or term.lower()
            in p.read_text(encoding="utf-8").split("title:")[1].split("\n")[0].lower()
        )
        assert found == scan, term


def test_list_sees_every_change_and_prints_paths(posts: Path, isolated_xdg: Path) -> None:
    """The second `list` trusts its last walk only while no file changed."""

    def paths(query: str) -> list[str]:
        return newstui_list(posts, query, "paths").splitlines()

    assert paths("body:typhoon") == [f"{posts}/b.md"]
    assert paths("body:typhoon") == [f"{posts}/b.md"]
    write_post(posts, "a.md", "Markets today", "2021-01-01", "<p>A typhoon closed 香港.</p>")
    assert paths("body:typhoon") == [f"{posts}/b.md", f"{posts}/a.md"]  # newest first
    assert paths("body:typhoon -title:weather") == [f"{posts}/a.md"]
    (posts / "b.md").unlink()
    assert paths("body:typhoon OR body:zzqx") == [f"{posts}/a.md"]
    assert paths("-body:typhoon") == [f"{posts}/c.md"]


async def test_a_rescan_brings_the_body_index_up_to_date(posts: Path) -> None:
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await listed(app, pilot)
        assert screen.body_index.ready
        if screen.loader.watcher is not None:
            screen.loader.watcher.stop()  # only the rescan may see the new post
        write_post(posts, "d.md", "Later", "2021-01-04", "<p>A 火山 erupted.</p>")
        await pilot.press("R")
        await settle(app, pilot)
        await pilot.press("slash", *"body:火山")
        await settle(app, pilot)
        assert [p.path for p in screen.table.posts] == ["d.md"]


async def test_a_full_disk_while_indexing_bodies_is_a_warning_not_a_crash(
    posts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts: list[int] = []

    def full(*args: object, **kwargs: object) -> int:
        attempts.append(1)
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Repository, "update_fulltext", full)
    app = make_app(posts)
    notices: list[str] = []

    def notify(message: str, **kwargs: object) -> None:
        if message.startswith("Body index"):
            notices.append(message)

    async with app.run_test(size=(120, 40)) as pilot:
        monkeypatch.setattr(app, "notify", notify)
        await settle(app, pilot)
        assert len(attempts) == len(notices) == 1  # the build that follows the first load
        await pilot.press("slash", *"body:typhoon")  # meanwhile titles, and no retry per key
        screen = await listed(app, pilot)
        assert not screen.body_index.ready
        assert [p.path for p in screen.table.posts] == []  # no title says typhoon
        assert screen.filtering.text == "body:typhoon"
        assert len(attempts) == len(notices) == 1
        assert "bodies not indexed (database or disk is full)" in screen.status.activity
        await pilot.press("enter", "R")  # the next refresh tries again
        await settle(app, pilot)
        assert len(attempts) == len(notices) == 2
    assert "disk is full" in notices[-1] and "searches titles" in notices[-1]


def test_a_killed_index_command_leaves_no_processes_behind(
    tmp_path: Path, isolated_xdg: Path
) -> None:
    # Enough posts for the body indexer's pool; SIGTERM once it has started writing.
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
    import generate  # noqa: PLC0415  (bench/ is a folder of scripts, not a package)

    root = tmp_path / "posts"
    generate.generate(root, 2500, seed=3)
    command = [str(NEWSTUI), "index", str(root)]
    process = subprocess.Popen(
        command,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    body_index = isolated_xdg / "XDG_CACHE_HOME" / "newstui" / "index"
    deadline = time.monotonic() + 60
    while not list(body_index.glob("*.fts.sqlite-wal")):
        assert process.poll() is None and time.monotonic() < deadline, "never started on bodies"
        time.sleep(0.05)
    time.sleep(0.5)  # the pool is reading
    process.terminate()
    assert process.wait(timeout=30) == 128 + 15
    deadline = time.monotonic() + 10
    while True:  # every process of its group (the pool's too) is gone
        try:
            os.killpg(process.pid, 0)
        except ProcessLookupError:
            break
        assert time.monotonic() < deadline, "pool processes left running"
        time.sleep(0.1)


async def test_body_results_replacing_titles_start_at_the_newest(
    posts: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Seen in tmux: body:港 typed in the first second searched titles; when the body index was
    # ready the list grew newer posts above, and the cursor stayed on the first title match.
    write_post(posts, "d.md", "Later", "2021-01-04", "<p>Also about 香港.</p>")
    ready = threading.Event()
    update = Repository.update_fulltext

    def held(self: Repository, **kwargs: object) -> int:
        ready.wait(10)
        return update(self, **kwargs)

    monkeypatch.setattr(Repository, "update_fulltext", held)
    app = make_app(posts)
    async with app.run_test(size=(120, 40)) as pilot:
        screen = app.screen
        assert isinstance(screen, MainScreen)
        await until(pilot, lambda: len(screen.table.posts) == 4)
        await pilot.press("slash", *"body:香港", "enter")
        await pilot.pause(0.3)
        assert [p.path for p in screen.table.posts] == ["c.md"]  # titles meanwhile
        ready.set()
        await until(pilot, lambda: screen.body_index.ready)
        await settle(app, pilot)
        assert [p.path for p in screen.table.posts] == ["d.md", "c.md", "a.md"]
        assert screen.table.cursor == 0
