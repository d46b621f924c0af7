"""Time a terminal program as a user sees it: run it in a private tmux server, read its screen.

The bench talks to tmux over one control-mode connection (`tmux -C`): keys go in as
`send-keys` commands, and tmux reports every burst of output the program writes (`%output`) the
moment it has drawn it into the pane. After each burst the screen is captured (`capture-pane`,
a command on the same connection: no process is started per look) and tested; a figure runs
from the key (or the launch) to the output burst after which the screen first passed the test.
So a figure is what a person at that terminal sees: the program's own drawing and its writing
to the terminal included, measured to within the time tmux takes to pass on a burst (well under
a millisecond) and one capture.
"""

from __future__ import annotations

import os
import queue
import shlex
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

Expect = str | Callable[[str], bool]

IDLE_LOOK = 0.1  # seconds between looks at a screen that writes nothing (for timeouts, exits)

# status off: the pane gets the whole window; remain-on-exit: the session outlives the program, so
# capture/pane_dead keep working and the pane can be started again (respawn-pane); exit-empty
# off: the server can be started before the timed session exists.
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


def tmux_quote(word: str) -> str:
    """One word of a tmux command line, taken literally (no formats, variables or separators)."""
    return "'" + word.replace("'", "'\\''") + "'"


class TmuxSession:
    """One program in one pane of its own tmux server (-L private socket, no user config),
    driven over a control-mode connection."""

    def __init__(self, socket: str, name: str, conf: Path) -> None:
        self.socket = socket
        self.name = name
        self.conf = conf
        self.started = 0.0  # perf_counter() just before the program was launched
        self.control: subprocess.Popen[bytes] | None = None
        self.replies: queue.Queue[tuple[bool, list[str]]] = queue.Queue()
        self.send_lock = threading.Lock()
        self.changed = threading.Condition()
        self.bursts = 0  # %output notifications so far
        self.last_burst = 0.0  # perf_counter() when the last one was read
        self.reader: threading.Thread | None = None

    # ---------------------------------------------------------------- the control connection

    def connect(self, env: Mapping[str, str]) -> None:
        self.control = subprocess.Popen(
            ["tmux", "-L", self.socket, "-f", str(self.conf), "-C", "attach", "-t", self.name],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=dict(env),
            bufsize=0,
        )
        self.reader = threading.Thread(target=self.read_loop, name="tmux-control", daemon=True)
        self.reader.start()
        self.reply(10.0)  # the attach command's own (empty) reply

    def close(self) -> None:
        control = self.control
        if control is not None and control.stdin is not None:
            try:
                control.stdin.close()  # detaches the control client
            except OSError:
                pass
            try:
                control.wait(timeout=5)
            except subprocess.TimeoutExpired:
                control.kill()
                control.wait()
        if self.reader is not None:
            self.reader.join(timeout=5)

    def read_loop(self) -> None:
        """The control connection's lines: replies to commands, and output notifications."""
        assert self.control is not None and self.control.stdout is not None
        block: list[str] | None = None
        guard = ""
        for raw in self.control.stdout:
            line = raw.rstrip(b"\n").decode("utf-8", "replace")
            if block is not None:
                # A reply ends with %end or %error and the same time and number as its %begin
                # (a screen line could start with "%end" too).
                kind, _, rest = line.partition(" ")
                if kind in ("%end", "%error") and rest.startswith(guard):
                    self.replies.put((kind == "%error", block))
                    block = None
                else:
                    block.append(line)
            elif line.startswith("%output "):
                with self.changed:
                    self.bursts += 1
                    self.last_burst = time.perf_counter()
                    self.changed.notify_all()
            elif line.startswith("%begin "):
                block = []
                guard = " ".join(line.split(" ")[1:3]) + " "
        self.replies.put((True, ["the control connection closed"]))
        with self.changed:
            self.changed.notify_all()

    def reply(self, timeout: float) -> list[str]:
        try:
            error, lines = self.replies.get(timeout=timeout)
        except queue.Empty:
            raise RuntimeError("tmux did not answer") from None
        if error:
            raise RuntimeError("tmux: " + " ".join(lines))
        return lines

    def tmux(self, *args: str, check: bool = True) -> str:
        """Run one tmux command on the connection; its output."""
        control = self.control
        assert control is not None and control.stdin is not None
        with self.send_lock:
            control.stdin.write((" ".join(map(tmux_quote, args)) + "\n").encode())
            try:
                lines = self.reply(30.0)
            except RuntimeError:
                if check:
                    raise
                return ""
        return "".join(line + "\n" for line in lines)

    # ---------------------------------------------------------------- the pane

    def launch(self, command: Sequence[str] | str) -> None:
        """Start `command` in the pane (again, once it has exited); the clock starts here."""
        self.started = time.perf_counter()
        self.tmux("respawn-pane", "-t", self.name, _command_text(command))

    def capture(self) -> str:
        """The visible screen as plain text, one line per row."""
        return self.tmux("capture-pane", "-p", "-t", self.name)

    def pane_pid(self) -> int:
        return int(self.tmux("display", "-p", "-t", self.name, "#{pane_pid}").strip())

    def pane_dead(self) -> bool:
        return self.tmux("display", "-p", "-t", self.name, "#{pane_dead}").strip() == "1"

    def send_keys(self, *keys: str) -> float:
        """tmux key names ("Enter", "Escape", "BSpace", "C-c") or text, in order; the
        perf_counter() just before tmux got them."""
        now = time.perf_counter()
        self.tmux("send-keys", "-t", self.name, *keys)
        return now

    def type_text(self, text: str) -> float:
        """`text` as typed characters, never key names ("Enter" is five letters); as send_keys."""
        now = time.perf_counter()
        self.tmux("send-keys", "-t", self.name, "-l", "--", text)
        return now

    def wait_for(
        self, expect: Expect, *, timeout: float = 120.0, since: float | None = None
    ) -> float:
        """Look at the screen after each burst of output until `expect` holds; seconds from
        `since` (default: the launch) to the burst after which it first held."""
        match = _matcher(expect)
        start = self.started if since is None else since
        deadline = time.perf_counter() + timeout
        looked = -1  # bursts seen at the last look
        while True:
            with self.changed:
                if self.bursts == looked:
                    self.changed.wait(IDLE_LOOK)
                bursts, burst_at = self.bursts, self.last_burst
            screen = self.capture()
            if match(screen):
                # The screen held no later than the last burst before this capture; a screen
                # that already held before `since` counts from now.
                at = burst_at if burst_at > start and bursts != looked else time.perf_counter()
                return at - start
            looked = bursts
            if time.perf_counter() > deadline:
                raise BenchTimeout(f"no match within {timeout:.0f} s", screen)


def _command_text(command: Sequence[str] | str) -> str:
    # A list runs via exec, so the pane's pid is the program itself (for peak_rss_mb).
    if isinstance(command, str):
        return command
    return "exec " + shlex.join(command)


@contextmanager
def tmux_session(
    command: Sequence[str] | str | None,
    *,
    size: tuple[int, int] = (120, 40),
    env: Mapping[str, str] | None = None,
) -> Iterator[TmuxSession]:
    """Run `command` in a detached session of a fresh private tmux server; always kill it after.

    A str command runs through sh as is (prefix it with `exec` to make the pane pid the program).
    stderr stays on the terminal: Textual draws there. None: start nothing yet (launch() later).
    The server, its pane and the control connection are set up before the clock starts.
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
            # A pane whose program ends at once: remain-on-exit keeps it, dead, for launch().
            subprocess.run(
                ["tmux", "-L", socket, "-f", str(conf), "new-session", "-d", "-s", session.name,
                 "-x", str(width), "-y", str(height), "exit 0"],
                env=full_env,
                check=True,
            )  # fmt: skip
            session.connect(full_env)
            socket_path = session.tmux("display", "-p", "#{socket_path}").strip()
            deadline = time.perf_counter() + 10
            while not session.pane_dead() and time.perf_counter() < deadline:
                time.sleep(0.01)
            if command is not None:
                session.launch(command)
            yield session
        finally:
            _end_program(session)
            session.close()
            subprocess.run(
                ["tmux", "-L", socket, "-f", str(conf), "kill-server"],
                capture_output=True,
                check=False,
            )
            if socket_path:  # tmux leaves the socket file behind
                Path(socket_path).unlink(missing_ok=True)


def _end_program(session: TmuxSession, grace: float = 3.0) -> None:
    """A program still running when the session ends (a step failed) gets SIGTERM and a few
    seconds to end its own processes before the server goes (which hangs up on it)."""
    try:
        if session.pane_dead():
            return
        pid = session.pane_pid()
        os.kill(pid, signal.SIGTERM)
    except (RuntimeError, ValueError, OSError):
        return
    deadline = time.perf_counter() + grace
    while time.perf_counter() < deadline:
        try:
            if session.pane_dead():
                return
        except RuntimeError:
            return
        time.sleep(0.05)


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
    """Seconds from sending `keys` (tmux key names or text) until the screen satisfies `expect`
    (keystroke to changed screen). `expect` must not already hold before the keys are sent."""
    keys = [keys] if isinstance(keys, str) else list(keys)
    start = session.send_keys(*keys)
    return session.wait_for(expect, timeout=timeout, since=start)


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory (VmHWM) of a live process, in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise ValueError(f"no VmHWM for pid {pid}")


def main() -> None:
    import argparse

    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
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
