"""End to end triage: the installed `newstui` in tmux, two instances at once, checked with `newstui list`."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.tmux import Tmux, have_tmux, showing

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have_tmux(), reason="needs tmux")]

NEWSTUI = Path(sys.executable).parent / "newstui"
SIZE = (120, 30)

# Newest first: (file, title, date).
POSTS = [
    ("2024/06/f.md", "Foxtrot market rally", "2024-06-06T10:00:00Z"),
    ("2024/05/e.md", "Echo harbour ferry", "2024-05-05T10:00:00Z"),
    ("2024/04/d.md", "Delta market slump", "2024-04-04T10:00:00Z"),
    ("2024/03/c.md", "Charlie 蚂蚁 report", "2024-03-03T10:00:00Z"),
    ("2024/02/b.md", "Bravo market close", "2024-02-02T10:00:00Z"),
    ("2024/01/a.md", "Alpha garden show", "2024-01-01T10:00:00Z"),
]
TITLES = [title for _, title, _ in POSTS]
MARKET = [title for title in TITLES if "market" in title]


def tree_digest(root: Path) -> str:
    """Names, bytes and modes of every file and folder under root."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(oct(path.stat().st_mode).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Path]:
    """A small archive that must be byte-for-byte the same once the test is done."""
    root = tmp_path / "posts"
    for rel, title, date in POSTS:
        slug = Path(rel).stem
        write_post(root, rel, title, date, f"<p>{title}.</p>", **{"from": f"https://ex.com/{slug}"})
    before = tree_digest(root)
    yield root
    assert tree_digest(root) == before, "newstui wrote into the posts folder"
    assert not list(root.rglob(".*")), "newstui left a hidden file in the posts folder"


@pytest.fixture
def env(isolated_xdg: Path) -> dict[str, str]:
    xdg = {
        name: str(isolated_xdg / name)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    }
    # COLUMNS and LINES are set because pytest's process has readline loaded, which exports
    # COLUMNS=80 LINES=24 to children; Textual would then draw 80x24 whatever the pane size.
    columns, lines = SIZE
    return {**xdg, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}


def start(root: Path, env: dict[str, str]) -> Tmux:
    term = Tmux(f"{NEWSTUI} {root}", size=SIZE, env=env)
    try:
        # The whole list, and the newest post's preview: the app has finished starting up
        # (its preview comes once the cursor has rested), as a person sees it before typing.
        term.wait_for(showing(f"{len(POSTS)} of {len(POSTS)} posts", "1 min read"))
    except BaseException:
        term.close()
        raise
    return term


def quit_app(term: Tmux) -> None:
    term.send("q")
    assert term.exit_status() == 0


def filter_to(term: Tmux, query: str) -> None:
    """Type `/`, the query and Enter in one go, as a fast typist would."""
    term.send("/")
    term.type(query)
    term.send("Enter")


def listed(root: Path, env: dict[str, str]) -> dict[str, dict]:
    """`newstui list --format json`, by title."""
    done = subprocess.run(
        [str(NEWSTUI), "list", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return {row["title"]: row for row in json.loads(done.stdout)}


def test_two_instances_star_at_once_and_both_stars_stay(archive: Path, env: dict[str, str]) -> None:
    first = start(archive, env)
    try:
        second = start(archive, env)
        try:
            first.send("s")  # the newest post
            second.send("j", "s")  # the one below it
            first.wait_for("1 starred")
            second.wait_for("1 starred")
            # Each picks up the other's star (it polls the shared state every 2 s).
            first.wait_for("2 starred")
            second.wait_for("2 starred")
            quit_app(first)
            quit_app(second)
        finally:
            second.close()
    finally:
        first.close()
    rows = listed(archive, env)
    assert [title for title in TITLES if rows[title]["starred"]] == TITLES[:2]
    third = start(archive, env)
    try:
        third.wait_for("2 starred")
        quit_app(third)
    finally:
        third.close()


def test_filter_select_all_read_marks_exactly_the_shown(archive: Path, env: dict[str, str]) -> None:
    term = start(archive, env)
    try:
        filter_to(term, "market")
        term.wait_for(f"{len(MARKET)} of {len(POSTS)} posts")
        term.send("*")
        term.wait_for(f"{len(MARKET)} selected")
        term.send("r")
        term.wait_for(f"{len(MARKET)} of {len(POSTS)} posts · 0 unread")
        term.send("Escape", "Escape")  # the selection, then the filter
        screen = term.wait_for(f"{len(POSTS)} of {len(POSTS)} posts · 3 unread")
        # In the status line, drawn whole: the preview may say "No post selected." between frames.
        assert "selected" not in screen.splitlines()[0]
        quit_app(term)
    finally:
        term.close()
    rows = listed(archive, env)
    assert [title for title in TITLES if rows[title]["read"]] == MARKET
    assert not any(row["starred"] or row["archived"] for row in rows.values())


def test_archive_newest_then_undo_brings_it_back(archive: Path, env: dict[str, str]) -> None:
    term = start(archive, env)
    try:
        term.send("e")
        # The count, the table and the preview are drawn in turn: wait for all of them (the
        # preview was seen still on the archived post under load).
        term.wait_for(
            showing(f"{len(POSTS) - 1} of {len(POSTS)} posts", TITLES[1], absent=(TITLES[0],))
        )
        term.send("u")
        term.wait_for(showing(f"{len(POSTS)} of {len(POSTS)} posts", TITLES[0]))
        quit_app(term)
    finally:
        term.close()
    rows = listed(archive, env)
    assert not any(row["archived"] for row in rows.values())
    assert len(rows) == len(POSTS)


def test_archived_stays_archived_after_restart(archive: Path, env: dict[str, str]) -> None:
    term = start(archive, env)
    try:
        term.send("e")
        term.wait_for(f"{len(POSTS) - 1} of {len(POSTS)} posts")
        quit_app(term)
    finally:
        term.close()
    term = Tmux(f"{NEWSTUI} {archive}", size=SIZE, env=env)
    try:
        term.wait_for(showing(f"{len(POSTS) - 1} of {len(POSTS)} posts", absent=(TITLES[0],)))
        filter_to(term, "is:archived")
        term.wait_for(showing(f"1 of {len(POSTS)} posts", TITLES[0]))
        quit_app(term)
    finally:
        term.close()
    assert listed(archive, env)[TITLES[0]]["archived"]
