"""Ending under fire: open a cold archive in tmux many times and end newstui at a random moment
(tmux kill-server, SIGHUP, SIGTERM, SIGINT, q); count the tries that leave a process behind,
and time each end to the moment every process of the try is gone (min/median/max; the target
is 2 s).

    python bench/soak.py [--posts N] [--tries N] [--within S] [CORPUS]

Linux only (/proc). Each try has its own tmux server (-L), XDG folders (an empty cache, so the
cold index and its pool run) and a tag in the environment that every process it starts
inherits; anything tagged still alive 3 s after the end is reported and killed.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

NEWSTUI = Path(sys.executable).parent / "newstui"
ENDS = ["kill-server", "SIGHUP", "SIGTERM", "SIGINT", "q"]
LEFT_AFTER = 3.0  # seconds
TARGET = 2.0  # seconds from the end to every process gone (issue 18)


def tagged(tag: str, variable: str = "NEWSTUI_SOAK_TAG") -> list[tuple[int, str]]:
    """The live processes whose environment has variable=tag: (pid, command line). Everything a
    run starts inherits the tag, so this finds pool processes that are not its children."""
    mark = f"{variable}={tag}".encode()
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            if mark not in Path(f"/proc/{name}/environ").read_bytes().split(b"\0"):
                continue
            state = Path(f"/proc/{name}/stat").read_text().rsplit(")", 1)[1].split()[0]
            command = Path(f"/proc/{name}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if state != "Z":  # a zombie has ended; its parent has not read its status yet
            found.append((int(name), command.decode(errors="replace")))
    return found


def app_pid(tag: str) -> int | None:
    """newstui's own process: not its pool, and not the tmux server, whose command line (the
    session it made) names newstui too and comes first in /proc. A signal meant for newstui that
    went to tmux was ignored there (tmux ignores SIGHUP): the soak counted that as a failure."""
    for pid, command in tagged(tag):
        if "newstui" in command and "multiprocessing" not in command and "tmux" not in command:
            return pid
    return None


def one_try(corpus: Path, end: str, at: float) -> tuple[list[tuple[int, str]], float | None]:
    """What is left LEFT_AFTER seconds after ending newstui `at` seconds into a cold open, and
    how long after the end everything was gone (None if something was left)."""
    tag = f"{os.getpid()}-{random.getrandbits(32):08x}"
    home = Path(tempfile.mkdtemp(prefix="newstui-soak-"))
    names = ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME")
    env = {**os.environ, **{name: str(home / name) for name in names}}
    env |= {"NEWSTUI_SOAK_TAG": tag, "TERM": "xterm-256color"}
    tmux = ["tmux", "-L", f"newstui-soak-{tag}", "-f", "/dev/null"]
    try:
        # newstui is the pane's command (the session leader), as in `tmux new newstui ~/posts`.
        command = f"exec {NEWSTUI} {corpus}"
        subprocess.run([*tmux, "new-session", "-d", "-x", "120", "-y", "40", command], env=env)
        time.sleep(at)
        pid = app_pid(tag)
        if end == "kill-server":
            subprocess.run([*tmux, "kill-server"], capture_output=True)
        elif end == "q":
            subprocess.run([*tmux, "send-keys", "q"], capture_output=True)
        elif pid is not None:
            os.kill(pid, getattr(signal, end))
        ended = time.monotonic()
        deadline = ended + LEFT_AFTER
        while tagged(tag) and time.monotonic() < deadline:
            time.sleep(0.02)
        gone_after = time.monotonic() - ended
        left = tagged(tag)
        for pid, _ in left:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        return left, None if left else gone_after
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", nargs="?", type=Path, help="default: generate --posts posts")
    parser.add_argument("--posts", type=int, default=20_000)
    parser.add_argument("--tries", type=int, default=50)
    parser.add_argument("--within", type=float, default=4.0, help="end within this many seconds")
    options = parser.parse_args()
    if shutil.which("tmux") is None or not Path("/proc").is_dir():
        print("soak: needs tmux and /proc", file=sys.stderr)
        return 2
    corpus = options.corpus
    if corpus is None:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from generate import generate

        corpus = Path(tempfile.gettempdir()) / f"newstui-soak-{options.posts}"
        if not corpus.is_dir():
            print(f"soak: generating {options.posts:,} posts in {corpus}")
            generate(corpus, options.posts, seed=1)
    failed = 0
    times: list[float] = []
    for number in range(options.tries):
        end, at = random.choice(ENDS), random.uniform(0.3, options.within)
        left, gone_after = one_try(corpus, end, at)
        failed += bool(left)
        if gone_after is not None:
            times.append(gone_after)
        said = f"LEFT {left!r}" if left else f"all gone after {gone_after:.2f} s"
        print(f"try {number + 1}: {end} at {at:.2f} s: {said}")
    print(
        f"soak: {failed} of {options.tries} tries left processes {LEFT_AFTER:.0f} s after the end"
    )
    if times:
        late = sum(t > TARGET for t in times)
        print(
            f"soak: end -> every process gone: min {min(times):.2f} s, median "
            f"{statistics.median(times):.2f} s, max {max(times):.2f} s; "
            f"{late} of {len(times)} over {TARGET:.0f} s"
        )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
