"""A tiny tmux driver for end-to-end tests: a private server, a pane of a given size, polling instead of sleeping."""

from __future__ import annotations

import shutil
import subprocess
import time
import uuid
from collections.abc import Callable
from pathlib import Path


class Tmux:
    def __init__(
        self, command: str, *, size: tuple[int, int] = (120, 40), env: dict[str, str] | None = None
    ):
        self.socket = f"newstui-test-{uuid.uuid4().hex[:8]}"
        self.session = "t"
        self.status_file = Path(f"/tmp/{self.socket}.status")
        width, height = size
        # The pane's size, also in COLUMNS/LINES: a parent (pytest with readline) may export 80x24.
        env = {"COLUMNS": str(width), "LINES": str(height), **(env or {})}
        exports = " ".join(f"{key}={value!r}" for key, value in env.items())
        # Record the exit status so the test can check it; stderr stays on the terminal (Textual draws there).
        shell = f"env {exports} {command}; echo $? > {self.status_file}; sleep 30"
        self._tmux(
            "new-session", "-d", "-s", self.session, "-x", str(width), "-y", str(height), shell
        )

    def _tmux(self, *args: str) -> str:
        done = subprocess.run(
            ["tmux", "-L", self.socket, *args], capture_output=True, text=True, timeout=10
        )
        return done.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", self.session)

    def send(self, *keys: str) -> None:
        self._tmux("send-keys", "-t", self.session, *keys)

    def type(self, text: str) -> None:
        self._tmux("send-keys", "-t", self.session, "-l", text)

    # 30 s: under xdist two tests share the cores, and a CI machine may be busy besides; a wait
    # that is met returns at once, so only a real failure pays for the margin.
    def wait_for(self, predicate: str | Callable[[str], bool], timeout: float = 30.0) -> str:
        check = (lambda screen: predicate in screen) if isinstance(predicate, str) else predicate
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if check(screen):
                return screen
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {predicate!r}; screen was:\n{screen}")

    def exit_status(self, timeout: float = 10.0) -> int:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.status_file.exists() and self.status_file.read_text().strip():
                return int(self.status_file.read_text())
            time.sleep(0.05)
        raise AssertionError("the program did not exit")

    def option(self, name: str) -> str:
        return self._tmux("display-message", "-p", "-t", self.session, f"#{{{name}}}").strip()

    def buffers(self) -> str:
        return self._tmux("list-buffers")

    def close(self) -> None:
        subprocess.run(["tmux", "-L", self.socket, "kill-server"], capture_output=True)
        self.status_file.unlink(missing_ok=True)


def showing(*texts: str, absent: tuple[str, ...] = ()) -> Callable[[str], bool]:
    """A screen with all of texts on it and none of absent: for Tmux.wait_for. A count and the
    rows it counts are drawn in turn, and a loaded machine leaves time to capture in between."""
    return lambda screen: all(t in screen for t in texts) and not any(t in screen for t in absent)


def have_tmux() -> bool:
    return shutil.which("tmux") is not None
