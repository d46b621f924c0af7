"""How newstui ends: at once, with every process it started, whatever its threads are doing.

Why this module exists (issue 18). Closing the terminal under a cold index inside tmux
(`tmux kill-server`, or killing the window) left newstui behind for good, sleeping on a futex
and ignoring SIGTERM, with its multiprocessing resource tracker (which ignores SIGTERM and
SIGINT by design); a dropped SSH connection did not. The difference is who gets the hang-up:

- tmux runs the pane's command as the session leader of the pane's terminal. When the pty goes
  away, the kernel hangs the terminal up and sends SIGHUP *and SIGCONT* to the session leader
  only: newstui itself, not its forkserver or pool.
- Textual installs a SIGCONT handler to come back from Ctrl+Z: it re-enters application mode
  from inside the signal handler, starting a second writer thread. That runs in the middle of
  the shutdown SIGHUP began; the write to the hung-up terminal fails (EIO), the writer thread
  dies, its bounded queue (30 writes) fills, and the main thread blocks for good in queue.put()
  inside App._shutdown. The event loop stops, so SIGTERM's handler (which only wakes the loop)
  never acts, and a worker waits for ever in call_from_thread. (Seen with faulthandler on 4 of
  15 tries, killing the tmux server 0.5-4 s into a cold index of 20,000 posts.)
- Over SSH the session leader is the login shell: it gets SIGHUP and SIGCONT, and hands SIGHUP
  alone to newstui's whole process group, so the pool dies with it and Textual's SIGCONT
  handler never runs.

So: on SIGHUP the SIGCONT handler is put back to the default before anything else (there is no
terminal to resume); SIGHUP, SIGTERM and SIGINT end the app with status 128+signal and arm a
watchdog that ends the process (and its children) if the orderly exit has not within
WATCHDOG seconds; quitting never waits for thread workers (they run on daemon threads, and a
render or a parse may take seconds), and on the way out every process newstui started is
killed: the indexers' pool processes and the process groups of pipe commands.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from collections.abc import Callable
from contextlib import suppress
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from concurrent.futures import ThreadPoolExecutor

WATCHDOG = 1.5  # seconds an orderly exit may take after a signal before the process just ends

_groups: set[int] = set()  # process groups of running pipe commands
_lock = threading.Lock()
_underway = threading.Event()  # set when the app has been asked to end (q, a signal)


def begin() -> None:
    """The app has been asked to end. Long work checks underway() and stops, and (in the real
    program) every process newstui started is killed now, not after the orderly exit: pool
    processes at full speed on both CPUs left the exit path a third of a core, so an exit
    during a cold index took 1.3-2.3 s."""
    if _active and not _underway.is_set():  # never in a test that runs the App: the flag
        # would outlive it; and once only (q, a signal and the terminal watcher may all call it)
        _underway.set()
        threading.Thread(target=stop_children, name="newstui-ending", daemon=True).start()


def underway() -> bool:
    """Whether the program is on its way out: nothing more is worth waiting for."""
    return _underway.is_set()


def add_group(pgid: int) -> None:
    """A command started in its own session (start_new_session=True): killed when newstui ends."""
    with _lock:
        _groups.add(pgid)


def remove_group(pgid: int) -> None:
    with _lock:
        _groups.discard(pgid)


def stop_children() -> None:
    """Kill every process newstui started that may still run: pipe commands (their whole process
    group) and every descendant (the indexers' forkserver and its pool processes, which are not
    this process's children and may be forking one right now; the resource tracker; find)."""
    with _lock:
        groups = list(_groups)
    for pgid in groups:
        with suppress(OSError):
            os.killpg(pgid, signal.SIGKILL)
    if "multiprocessing" not in sys.modules:
        return  # no pool ever started, nor the resource tracker: spare `newstui list` the walk
    for pid in descendants(os.getpid()):
        with suppress(OSError):
            os.kill(pid, signal.SIGKILL)


def descendants(root: int) -> list[int]:
    """The processes below root: from /proc on Linux (a few milliseconds; starting `ps` took up
    to a second on a loaded machine, on the way out), else from `ps` (the BSDs, macOS)."""
    children: dict[int, list[int]] = {}
    for pid, ppid in _parents():
        children.setdefault(ppid, []).append(pid)
    found, todo = [], [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child != root and child not in found:
                found.append(child)
                todo.append(child)
    return found


def _parents() -> list[tuple[int, int]]:
    """(pid, parent pid) of every process."""
    if os.path.isdir("/proc/self"):
        pairs = []
        for name in os.listdir("/proc"):
            if name.isdigit():
                with suppress(OSError, IndexError, ValueError):
                    with open(f"/proc/{name}/stat", "rb") as stat:
                        # pid (comm) state ppid ...: comm may hold spaces and parentheses
                        pairs.append((int(name), int(stat.read().rsplit(b")", 1)[1].split()[1])))
        return pairs
    import subprocess

    try:
        table = subprocess.run(
            ["ps", "-A", "-o", "pid=,ppid="], capture_output=True, text=True, timeout=2
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return []
    return [
        (int(fields[0]), int(fields[1]))
        for fields in (line.split() for line in table.splitlines())
        if len(fields) == 2 and fields[0].isdigit() and fields[1].isdigit()
    ]


def exit_now(code: int) -> None:
    """End the process at once: children killed, output flushed, no waiting for threads."""
    stop_children()
    for stream in (sys.stdout, sys.stderr):
        with suppress(Exception):
            stream.flush()
    os._exit(code)


def arm_watchdog(
    code: int, seconds: float = WATCHDOG, before: Callable[[], None] | None = None
) -> None:
    """End the process with code after seconds unless it has ended by then (a daemon thread)."""
    if not _active:
        return

    def fire() -> None:
        if before is not None:
            with suppress(Exception):
                before()
        exit_now(code)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()


def daemon_threads() -> ThreadPoolExecutor:
    """The event loop's executor for thread workers: a daemon thread per task, and a shutdown that
    does not wait. asyncio.run() otherwise joins every worker thread on the way out, so quitting
    waited for a render or a parse that nothing can interrupt (a cancel flag is checked only
    between steps). (Made here, not at import: `newstui list` has no use for concurrent.futures,
    which takes a few ms to load.)"""
    from concurrent.futures import Future, ThreadPoolExecutor

    class DaemonThreads(ThreadPoolExecutor):
        def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
            future: Future[Any] = Future()

            def run() -> None:
                if not future.set_running_or_notify_cancel():
                    return
                try:
                    result = fn(*args, **kwargs)
                except BaseException as error:
                    future.set_exception(error)
                else:
                    future.set_result(result)

            threading.Thread(target=run, name="newstui-worker", daemon=True).start()
            return future

        def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
            """Nothing to wait for: the threads are daemons, and the process ends without them."""

    return DaemonThreads()


_active = False  # only the real program ends the process: never a test that runs the App
_saved_terminal: list[Any] | None = None


def activate() -> None:
    """Called by the `newstui` command: the watchdog and the terminal watcher may act."""
    global _active
    _active = True


def save_terminal() -> None:
    """Remember the terminal's modes (of file descriptor 0), for restore_terminal()."""
    global _saved_terminal
    with suppress(Exception):
        import termios

        _saved_terminal = termios.tcgetattr(0)


def restore_terminal() -> None:
    """If the orderly exit did not get to it: the terminal's modes back, mouse reporting and
    bracketed paste off, the cursor shown, the main screen back."""
    if _saved_terminal is None:
        return
    import termios

    os.write(
        1,
        b"\x1b[?1000l\x1b[?1002l\x1b[?1003l\x1b[?1006l\x1b[?2004l\x1b[?25h\x1b[?1049l",
    )
    termios.tcsetattr(0, termios.TCSANOW, _saved_terminal)


def watch_terminal() -> None:
    """A lost terminal is an exit: when standard input hangs up (the pty closed under a
    process that was not its session leader gets no SIGHUP, only end of file, on which
    Textual's input thread spins), send this process SIGHUP. The watchdog is armed from here
    too: the signal's handler runs only when the main thread next runs Python code, and the
    process must end even if that never comes."""
    if not _active:
        return
    import select

    def watch() -> None:
        poller = select.poll()
        poller.register(0, 0)  # only hang-ups and errors wake it
        while True:
            for _fd, event in poller.poll():
                if event & (select.POLLHUP | select.POLLERR | select.POLLNVAL):
                    begin()
                    arm_watchdog(128 + signal.SIGHUP)
                    os.kill(os.getpid(), signal.SIGHUP)
                    return

    threading.Thread(target=watch, name="newstui-terminal", daemon=True).start()
