"""The indexers' pool processes end by themselves when newstui is killed outright (SIGKILL):
nothing in newstui runs then to end them, and they used to wait for ever."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.test_ending import GONE_WITHIN
from tui.ending import descendants

pytestmark = pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc")

START_A_POOL = """
import sys, time
from tui.pool import start_pool
pool = start_pool(2, preload=["tui.files.parse"])
for future in [pool.submit(time.sleep, 0) for _ in range(4)]:
    future.result()
print("ready", flush=True)
time.sleep(60)
"""


def test_pool_processes_end_when_their_owner_is_killed() -> None:
    owner = subprocess.Popen(
        [sys.executable, "-c", START_A_POOL], stdout=subprocess.PIPE, text=True
    )
    pool: list[int] = []
    try:
        assert owner.stdout is not None and owner.stdout.readline().strip() == "ready"
        pool = descendants(owner.pid)  # the fork server, its pool processes, the tracker
        assert len(pool) >= 3
        os.kill(owner.pid, signal.SIGKILL)
        owner.wait()
        deadline = time.monotonic() + GONE_WITHIN
        while (left := [pid for pid in pool if alive(pid)]) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert left == [], f"still running {GONE_WITHIN} s after their owner was killed"
    finally:
        owner.kill()
        for pid in pool:  # never leave them running, even when the test fails
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"
