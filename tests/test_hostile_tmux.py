"""The installed app in a real terminal (tmux) over hostile posts: no escape reaches it, kill -9 loses nothing half-done."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench.generate import generate
from tests.hostile import make_hostile_corpus
from tests.tmux import Tmux, have_tmux
from tui.state import StateStore

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have_tmux(), reason="needs tmux")]

NEWSTUI = Path(sys.executable).parent / "newstui"
COUNT = 3000  # over the index's process-pool threshold


@pytest.fixture
def env(isolated_xdg: Path) -> dict[str, str]:
    xdg = {name: str(isolated_xdg / name) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    return {**xdg, "XDG_CACHE_HOME": str(isolated_xdg / "XDG_CACHE_HOME"), "TERM": "xterm-256color"}


def start(command: str, env: dict[str, str]) -> Tmux:
    """A pane that accepts OSC 52 into a buffer (so the check below can fail) before the command runs."""
    term = Tmux(f"sleep 0.5; {command}", size=(120, 40), env=env)
    term._tmux("set-option", "-g", "set-clipboard", "on")
    return term


def app_pid(term: Tmux) -> int:
    shell = term.option("pane_pid")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = subprocess.run(
            ["ps", "-o", "pid=,comm=", "--ppid", shell], capture_output=True, text=True
        ).stdout.split("\n")
        for line in children:
            pid, _, name = line.strip().partition(" ")
            if pid and name.strip() not in ("sleep", "sh"):
                return int(pid)
        time.sleep(0.05)
    raise AssertionError("newstui did not start")


def test_the_checks_can_fail(env: dict[str, str]) -> None:
    """The same checks catch a program that does write OSC 2 and OSC 52."""
    term = start(r"printf '\033]2;pwned\007\033]52;c;cHduZWQ=\007'", env)
    try:
        assert term.exit_status() == 0
        assert term.option("pane_title") == "pwned"
        assert term.buffers().strip()
    finally:
        term.close()


def test_scroll_and_open_hostile_posts(tmp_path: Path, env: dict[str, str]) -> None:
    root = tmp_path / "posts"
    expected = make_hostile_corpus(root)
    term = start(f"{NEWSTUI} {root}", env)
    try:
        title = term.option("pane_title")
        term.wait_for(f"{len(expected)} of {len(expected)} posts")
        term.send(*["j"] * len(expected))
        term.send("G", "g")
        for steps in (0, 5, 17, 30):
            term.send("g", *["j"] * steps, "Enter")
            term.wait_for("Back")  # the reader's footer
            term.send("G", "Escape")
            term.wait_for("Filter")
        term.send("q")
        assert term.exit_status() == 0
        assert term.option("pane_title") == title
        assert term.buffers().strip() == ""
    finally:
        term.close()


@pytest.fixture(scope="module")
def big_archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("big") / "posts"
    generate(root, COUNT, seed=7)
    return root


def started(term: Tmux, count: int) -> str:
    """Wait for the full list, or fail at once if the app died (its traceback is on the screen)."""
    shown = f"{count:,} of {count:,} posts"
    screen = term.wait_for(lambda s: shown in s or "Error" in s, timeout=60)
    assert shown in screen, screen
    return screen


def test_cold_start_on_a_big_archive(big_archive: Path, env: dict[str, str]) -> None:
    term = start(f"{NEWSTUI} {big_archive}", env)
    try:
        started(term, COUNT)
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()


def test_kill_during_bulk_read_is_all_or_nothing(big_archive: Path, env: dict[str, str]) -> None:
    # Index first with the CLI: the app's own cold start is test_cold_start_on_a_big_archive.
    # Not the bodies: they took most of a minute of the suite, and this is about the state.
    subprocess.run(
        [str(NEWSTUI), "index", "--no-bodies", str(big_archive)],
        env={**os.environ, **env},
        capture_output=True,
        timeout=60,
        check=True,
    )
    term = start(f"{NEWSTUI} {big_archive}", env)
    try:
        started(term, COUNT)
        pid = app_pid(term)
        term.send("*", "r")
        os.kill(pid, signal.SIGKILL)
        assert term.exit_status() == 128 + signal.SIGKILL
    finally:
        term.close()
    with StateStore() as store:
        assert store.notice is None  # the database is not damaged
        read = sum(state.read for state in store.snapshot().values())
    assert read in (0, COUNT)
