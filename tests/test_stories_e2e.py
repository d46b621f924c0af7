"""Stories end to end: the installed app in tmux over copies of articles, checked against `newstui list`."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tmux import Tmux, have_tmux, showing
from tests.twins import FILES, STORIES, write_twins

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have_tmux(), reason="needs tmux")]

NEWSTUI = Path(sys.executable).parent / "newstui"
SIZE = (120, 30)
TOTAL = len(STORIES)


@pytest.fixture
def env(isolated_xdg: Path) -> dict[str, str]:
    xdg = {
        name: str(isolated_xdg / name)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    }
    columns, lines = SIZE  # see tests/test_triage_e2e.py: readline exports COLUMNS and LINES
    return {**xdg, "TERM": "xterm-256color", "COLUMNS": str(columns), "LINES": str(lines)}


def newstui_list(root: Path, env: dict[str, str], *args: str) -> list[dict]:
    done = subprocess.run(
        [str(NEWSTUI), "list", str(root), "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, **env},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def counts(root: Path, env: dict[str, str], query: str = "") -> str:
    """The status line's counts as `newstui list --stories` has them, for the default view."""
    shown = newstui_list(root, env, "--stories", f"--query={query} -is:archived".strip())
    unread = sum(not row["read"] for row in shown)
    return f"{len(shown)} of {TOTAL} posts · {unread} unread"


def test_every_triage_key_and_count_agree_with_list(tmp_path: Path, env: dict[str, str]) -> None:
    root = write_twins(tmp_path / "posts")
    term = Tmux(f"{NEWSTUI} {root}", size=SIZE, env=env)
    try:
        # The app first: a list started with it would race it to create the state file.
        term.wait_for(f"{TOTAL} of {TOTAL} posts · {TOTAL} unread")
        term.wait_for(showing(counts(root, env), "×6"))  # six video files
        term.send("s")  # star the video: all six files
        term.wait_for("1 starred")
        term.send("j", "r")  # read the essay: both files
        term.wait_for(f"{TOTAL} of {TOTAL} posts · {TOTAL - 1} unread")
        term.wait_for(counts(root, env))
        term.send("/")
        term.type("market")
        term.send("Enter", "*")
        term.wait_for("2 selected")
        term.send("e")  # archive both market stories: three files
        term.wait_for(f"0 of {TOTAL} posts")
        term.wait_for(counts(root, env, "market"))
        term.send("Escape")
        term.wait_for(f"{TOTAL - 2} of {TOTAL} posts")
        term.wait_for(showing(counts(root, env), absent=("Market wrap", "Lone market report")))
        files = newstui_list(root, env)
        assert sum(row["starred"] for row in files) == 6
        assert sum(row["read"] for row in files) == 2
        assert sorted(row["path"] for row in files if row["archived"]) == sorted(
            rel for rel, title, *_ in FILES if "arket" in title
        )
        term.send("u")  # undo the archive: the stories and all their files come back
        term.wait_for(f"{TOTAL} of {TOTAL} posts")
        assert not any(row["archived"] for row in newstui_list(root, env))
        term.send("A")  # everything shown read: every file of every story
        term.wait_for(f"{TOTAL} of {TOTAL} posts · 0 unread")
        assert all(row["read"] for row in newstui_list(root, env))
        assert newstui_list(root, env, "--stories", "--query=is:unread") == []
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()
