"""Time a terminal program as a user sees it: run it in a private tmux server, poll its screen."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

Expect = str | Callable[[str], bool]

POLL_SECONDS = 0.01

# status off: the pane gets the whole window; remain-on-exit: the session outlives the program, so
# capture/pane_dead keep working (tmux may blank a dead pane's screen, though); exit-empty off: the
# server can be started before the timed session exists.
_TMUX_CONF = """\
set -g status off
set -g remain-on-exit on
set -g exit-empty off
set -g default-terminal tmux-256color
set -g history-limit 1000
"""


class BenchTimeout(TimeoutError):
    """The expected text did not show in time; `screen` is the last capture."""

    def __init__(self, message: str, screen: str) -> None:
        super().__init__(message)
        self.screen = screen


def _matcher(expect: Expect) -> Callable[[str], bool]:
    if isinstance(expect, str):
        return lambda screen: expect in screen
    return expect


class TmuxSession:
    """One program in one pane of its own tmux server (-L private socket, no user config)."""

    def __init__(self, socket: str, name: str, conf: Path) -> None:
        self.socket = socket
        self.name = name
        self.conf = conf
        self.started = 0.0  # perf_counter() just before the program was launched

    def tmux(self, *args: str, check: bool = True) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", str(self.conf), *args],
            capture_output=True,
            text=True,
            check=False,
        )
        if check and result.returncode != 0:
            raise RuntimeError(f"tmux {' '.join(args)} failed: {result.stderr.strip()}")
        return result.stdout

    def capture(self) -> str:
        """The visible screen as plain text, one line per row."""
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def pane_pid(self) -> int:
        return int(self.tmux("display", "-p", "-t", self.name, "#{pane_pid}").strip())

    def pane_dead(self) -> bool:
        return self.tmux("display", "-p", "-t", self.name, "#{pane_dead}").strip() == "1"

    def send_keys(self, *keys: str) -> None:
        """tmux key names ("Enter", "Escape", "C-c") or literal text, in order."""
        self.tmux("send-keys", "-t", self.name, *keys)

    def wait_for(
        self, expect: Expect, *, timeout: float = 120.0, since: float | None = None
    ) -> float:
        """Poll the screen until `expect` holds; seconds from `since` (default: launch)."""
        match = _matcher(expect)
        start = self.started if since is None else since
        deadline = time.perf_counter() + timeout
        screen = ""
        while True:
            screen = self.capture()
            now = time.perf_counter()
            if match(screen):
                return now - start
            if now > deadline:
                raise BenchTimeout(f"no match within {timeout:.0f} s", screen)
            # Poll fast at first, then back off to ~1% of the elapsed time (at most 0.1 s), so that
            # polling a slow program does not steal much CPU from it.
            time.sleep(min(0.1, max(POLL_SECONDS, (now - start) / 100)))


def _command_text(command: Sequence[str] | str) -> str:
    # A list runs via exec, so the pane's pid is the program itself (for peak_rss_mb).
    if isinstance(command, str):
        return command
    return "exec " + shlex.join(command)


@contextmanager
def tmux_session(
    command: Sequence[str] | str,
    *,
    size: tuple[int, int] = (120, 40),
    env: Mapping[str, str] | None = None,
) -> Iterator[TmuxSession]:
    """Run `command` in a detached session of a fresh private tmux server; always kill it after.

    A str command runs through sh as is (prefix it with `exec` to make the pane pid the program).
    stderr stays on the terminal: Textual draws there.
    """
    socket = f"newstui-bench-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    with tempfile.TemporaryDirectory(prefix="newstui-bench-") as tmp:
        conf = Path(tmp) / "tmux.conf"
        width, height = size
        # default-size too, so the pane has its final size from the first frame.
        conf.write_text(_TMUX_CONF + f"set -g default-size {width}x{height}\n")
        session = TmuxSession(socket, "bench", conf)
        full_env = dict(os.environ if env is None else env)
        full_env.pop("TMUX", None)  # we may be running inside the user's tmux
        socket_path = ""
        try:
            # Start the server first so its start-up is not part of the timing.
            subprocess.run(
                ["tmux", "-L", socket, "-f", str(conf), "start-server"], env=full_env, check=True
            )
            session.started = time.perf_counter()
            subprocess.run(
                ["tmux", "-L", socket, "-f", str(conf), "new-session", "-d", "-s", session.name,
                 "-x", str(width), "-y", str(height), _command_text(command)],
                env=full_env,
                check=True,
            )  # fmt: skip
            socket_path = session.tmux("display", "-p", "#{socket_path}").strip()
            yield session
        finally:
            subprocess.run(
                ["tmux", "-L", socket, "-f", str(conf), "kill-server"],
                capture_output=True,
                check=False,
            )
            if socket_path:  # tmux leaves the socket file behind
                Path(socket_path).unlink(missing_ok=True)


def time_until_text(
    command: list[str] | str,
    expect: Expect,
    *,
    size: tuple[int, int] = (120, 40),
    timeout: float = 120.0,
    env: Mapping[str, str] | None = None,
) -> float:
    """Seconds from launching `command` until its screen satisfies `expect` (substring or predicate)."""
    with tmux_session(command, size=size, env=env) as session:
        return session.wait_for(expect, timeout=timeout)


def send_keys_and_time(
    session: TmuxSession, keys: Sequence[str] | str, expect: Expect, *, timeout: float = 60.0
) -> float:
    """Seconds from sending `keys` until the screen satisfies `expect` (keystroke to repaint).

    `expect` must not already hold before the keys are sent.
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    start = time.perf_counter()
    session.send_keys(*keys)
    return session.wait_for(expect, timeout=timeout, since=start)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for pid {pid}")


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--timeout", type=float, default=120.0)
    p.add_argument("expect", help="text to wait for")
    p.add_argument("command", nargs=argparse.REMAINDER, help="program and arguments")
    args = p.parse_args()
    with tmux_session(args.command) as session:
        try:
            seconds = session.wait_for(args.expect, timeout=args.timeout)
        except BenchTimeout as e:
            print(e.screen)
            raise SystemExit(f"'{args.expect}' not seen within {args.timeout} s") from None
        rss = peak_rss_mb(session.pane_pid())
    print(f"{seconds:.3f} s until {args.expect!r}; peak RSS {rss:.1f} MiB")


if __name__ == "__main__":
    main()
