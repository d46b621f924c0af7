"""Tests for the tmux screen-timing helpers (bench/tmux_timing.py)."""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import tmux_timing  # noqa: E402  (bench/ is a folder of scripts, not a package)

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")

SCRIPT = (
    "import time; print('ready', flush=True); input(); print('got it', flush=True); time.sleep(30)"
)


def test_time_until_text_and_keys() -> None:
    command = [sys.executable, "-c", SCRIPT]
    with tmux_timing.tmux_session(command, size=(80, 20)) as session:
        assert session.wait_for("ready", timeout=20) > 0
        assert len(session.capture().splitlines()) == 20  # no status line: the pane is the window
        assert session.pane_pid() != os.getpid()
        assert tmux_timing.peak_rss_mb(session.pane_pid()) > 1  # exec: the pane pid is python
        assert tmux_timing.send_keys_and_time(session, ["x", "Enter"], "got it", timeout=20) > 0
        socket = session.tmux("display", "-p", "#{socket_path}").strip()
    assert not Path(socket).exists()  # server killed and its socket removed


def test_predicate_and_timeout() -> None:
    t = tmux_timing.time_until_text(
        "echo one; echo two; sleep 30", lambda s: "one" in s and "two" in s, timeout=20
    )
    assert t > 0
    with pytest.raises(tmux_timing.BenchTimeout) as info:
        tmux_timing.time_until_text("echo nope; sleep 30", "never shown", timeout=0.3)
    assert "nope" in info.value.screen


def test_text_arrives_literally_and_the_pane_can_be_launched_again() -> None:
    # tmux parses each command line: quotes, ';', '$', '~' and '#{…}' must reach the program as typed.
    text = "a'b\"c;d$HOME ~ #{pane_id} \\ 供应链 Enter"
    with tmux_timing.tmux_session(None, size=(80, 20)) as session:
        session.launch([sys.executable, "-c", "print(repr(input()))"])
        sent = session.type_text(text)
        session.send_keys("Enter")
        assert session.wait_for(repr(text), timeout=20, since=sent) > 0
        session.wait_for(lambda screen: session.pane_dead(), timeout=20)
        session.launch([sys.executable, "-c", "print('again'); input()"])
        assert session.wait_for("again", timeout=20) > 0
