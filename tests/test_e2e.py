"""End to end: the installed `newstui` in a real terminal (tmux), driven by keys only."""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_POSTS
from tests.tmux import Tmux, have_tmux, showing

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have_tmux(), reason="needs tmux")]

NEWSTUI = Path(sys.executable).parent / "newstui"
SAMPLE_COUNT = sum(1 for path in SAMPLE_POSTS.rglob("*") if path.is_file())
ALL_SHOWN = f"{SAMPLE_COUNT} of {SAMPLE_COUNT} posts"


def tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        digest.update(str(path.relative_to(root)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture
def xdg_env(isolated_xdg: Path) -> dict[str, str]:
    return {
        name: str(isolated_xdg / name)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    }


def test_filter_open_back_quit(xdg_env: dict[str, str]) -> None:
    before = tree_digest(SAMPLE_POSTS)
    term = Tmux(
        f"{NEWSTUI} {SAMPLE_POSTS}", size=(120, 40), env={**xdg_env, "TERM": "xterm-256color"}
    )
    try:
        term.wait_for("of ")  # the first frame: keys typed now must not be lost
        term.send("/")
        term.type("台风")
        term.wait_for(showing(" 1 of 27 posts", "台风来之前"))
        term.send("Enter")
        term.send("Enter")
        term.wait_for("Back")  # the reader's footer
        term.send("Escape")
        term.wait_for("Filter")
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()
    assert tree_digest(SAMPLE_POSTS) == before, "newstui wrote into the posts folder"


def test_keys_typed_as_it_starts_filter_and_open(xdg_env: dict[str, str]) -> None:
    # Typed before newstui has the terminal, Enter arrives as a line feed (the terminal still
    # turns carriage returns into line feeds): it must still keep the filter and leave it for
    # the table, where the next Enter opens the match.
    term = Tmux(
        f"{NEWSTUI} {SAMPLE_POSTS}", size=(120, 40), env={**xdg_env, "TERM": "xterm-256color"}
    )
    try:
        term.send("/")
        term.type("台风")
        term.send("Enter")
        term.wait_for(showing(" 1 of 27 posts", "台风来之前"))
        term.send("Enter")
        term.wait_for(showing("1 of 1", "Back"))  # the reader, on the one match
        term.send("q", "q")
        assert term.exit_status() == 0
    finally:
        term.close()


def test_star_survives_restart(xdg_env: dict[str, str]) -> None:
    command = f"{NEWSTUI} {SAMPLE_POSTS}"
    env = {**xdg_env, "TERM": "xterm-256color"}
    term = Tmux(command, env=env)
    try:
        term.wait_for(ALL_SHOWN)  # the posts are there to star
        term.send("s")
        term.wait_for("1 starred")
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()
    term = Tmux(command, env=env)
    try:
        term.wait_for("1 starred")
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()


def test_no_terminal_gets_a_message(xdg_env: dict[str, str], tmp_path: Path) -> None:
    import os
    import subprocess

    done = subprocess.run(
        [str(NEWSTUI), str(SAMPLE_POSTS)],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **xdg_env},
    )
    assert done.returncode == 2
    assert "newstui list" in done.stderr
    assert "Traceback" not in done.stderr
