"""newstui ends when asked, at any moment, with every process it started: q, SIGTERM, SIGINT,
SIGHUP and a closed terminal, during a cold index, the body index, a pipe command or a dialog
(tmux on a private socket; each process of a session carries a tag in its environment)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from bench import soak
from bench.generate import generate
from tests.tmux import Tmux, have_tmux

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(not have_tmux() or not Path("/proc").is_dir(), reason="needs tmux, /proc"),
]

NEWSTUI = Path(sys.executable).parent / "newstui"
COUNT = 3000  # over the pool threshold of the index and of the body index
GONE_WITHIN = 3.0  # seconds after which no process of the session may be left


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("ending") / "posts"
    generate(root, COUNT, seed=11)
    return root


@pytest.fixture
def env(isolated_xdg: Path) -> dict[str, str]:
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    tag = uuid.uuid4().hex
    return {**{name: str(isolated_xdg / name) for name in names}, "NEWSTUI_TEST_TAG": tag}


def tagged(env: dict[str, str]) -> list[tuple[int, str]]:
    """The live processes started with this test's tag: (pid, command line)."""
    return soak.tagged(env["NEWSTUI_TEST_TAG"], "NEWSTUI_TEST_TAG")


def the_app(env: dict[str, str]) -> int:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for pid, command in tagged(env):
            if "newstui" in command and "multiprocessing" not in command and "sh -c" not in command:
                return pid
        time.sleep(0.05)
    raise AssertionError("newstui did not start")


def assert_all_gone(env: dict[str, str]) -> None:
    deadline = time.monotonic() + GONE_WITHIN
    while tagged(env) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = tagged(env)
    for pid, _ in left:  # never leave them running, even when the test fails
        with_suppressed_kill(pid)
    assert not left, f"still running {GONE_WITHIN} s later: {left}"


def with_suppressed_kill(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except OSError:
        pass


def open_app(archive: Path, env: dict[str, str], *, leader: bool = False) -> Tmux:
    """leader: newstui is the terminal's session leader, as when it is the pane's command (the
    shell execs it); else a shell waits for it and records its exit status."""
    if not leader:
        return Tmux(f"{NEWSTUI} {archive}", size=(120, 40), env=env)
    term = Tmux.__new__(Tmux)
    term.socket, term.session = f"newstui-test-{uuid.uuid4().hex[:8]}", "t"
    term.status_file = Path(f"/tmp/{term.socket}.status")
    exports = " ".join(f"{key}={value!r}" for key, value in env.items())
    command = f"exec env COLUMNS=120 LINES=40 {exports} {NEWSTUI} {archive}"
    term._tmux("new-session", "-d", "-s", "t", "-x", "120", "-y", "40", command)
    return term


def indexing(term: Tmux) -> None:
    """The cold index is under way (its pool is running)."""
    term.wait_for(lambda screen: "indexing" in screen and "files" in screen, timeout=60)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_during_the_cold_index_ends_everything(
    archive: Path, env: dict[str, str], signum: int
) -> None:
    term = open_app(archive, env)
    try:
        indexing(term)
        os.kill(the_app(env), signum)
        assert term.exit_status() == 128 + signum
        assert_all_gone(env)
        if signum != signal.SIGHUP:  # the terminal is still there: left as it was found
            assert term.option("alternate_on") == "0"
    finally:
        term.close()
        assert_all_gone(env)


def test_closing_the_terminal_during_the_cold_index_ends_everything(
    archive: Path, env: dict[str, str]
) -> None:
    """tmux kill-server with newstui as the pane's command: the kernel hangs the terminal up and
    sends SIGHUP and SIGCONT to newstui alone (see tui/ending.py)."""
    term = open_app(archive, env, leader=True)
    try:
        indexing(term)
        term._tmux("kill-server")
        assert_all_gone(env)
    finally:
        term.close()
        assert_all_gone(env)


def test_q_while_the_body_index_builds(archive: Path, env: dict[str, str]) -> None:
    term = open_app(archive, env)
    try:
        term.wait_for(lambda screen: "bodies" in screen and "indexed" in screen, timeout=120)
        term.send("q")
        assert term.exit_status() == 0
        assert_all_gone(env)
    finally:
        term.close()
        assert_all_gone(env)


@pytest.mark.parametrize("end", ["q", "hangup"])
def test_quit_during_a_pipe_command(archive: Path, env: dict[str, str], end: str) -> None:
    term = open_app(archive, env, leader=end == "hangup")
    try:
        term.wait_for(f"{COUNT:,} of {COUNT:,} posts", timeout=60)
        term.send("|")
        term.wait_for("Pipe to command")
        term.type("sleep 20")
        term.send("Enter")
        term.wait_for(lambda screen: "Pipe to command" not in screen)
        deadline = time.monotonic() + 10  # the command starts in a worker thread
        while not any("sleep 20" in command for _, command in tagged(env)):
            assert time.monotonic() < deadline, "the pipe command did not start"
            time.sleep(0.05)
        if end == "q":
            term.send("q")
            assert term.exit_status() == 0
        else:
            term._tmux("kill-server")
        assert_all_gone(env)
    finally:
        term.close()
        assert_all_gone(env)


def test_a_signal_with_a_dialog_open(archive: Path, env: dict[str, str]) -> None:
    term = open_app(archive, env)
    try:
        term.wait_for(f"{COUNT:,} of {COUNT:,} posts", timeout=60)
        term.send("l")
        term.wait_for("Labels for")
        os.kill(the_app(env), signal.SIGTERM)
        assert term.exit_status() == 128 + signal.SIGTERM
        assert_all_gone(env)
    finally:
        term.close()
        assert_all_gone(env)


def test_a_hangup_to_newstui_index_ends_its_pool(archive: Path, env: dict[str, str]) -> None:
    process = subprocess.Popen(
        [str(NEWSTUI), "index", str(archive)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # the pool's processes are running
            if sum("multiprocessing" in command for _, command in tagged(env)) >= 2:
                break
            time.sleep(0.05)
        process.send_signal(signal.SIGHUP)
        assert process.wait(timeout=30) == 128 + signal.SIGHUP
        assert_all_gone(env)
    finally:
        process.kill()
        process.wait()
        assert_all_gone(env)
