"""Process pools for the indexers (post metadata and bodies): how they start and how they fail."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


# A pool started ahead of its use (see start_early): (preload, the thread starting it, the pool).
_early: tuple[tuple[str, ...], threading.Thread, list[ProcessPoolExecutor]] | None = None
_early_lock = threading.Lock()


def start_early(workers: int, *, preload: Sequence[str] = ()) -> None:
    """Start the pool the next start_pool with this preload will want, now and in a thread of
    its own: its fork server imports the preload and forks the workers on the other CPU while
    this process does something else (the app's start), instead of after it."""
    global _early
    started: list[ProcessPoolExecutor] = []

    def start() -> None:
        executor = start_pool(workers, preload=preload)
        try:
            for _ in range(workers):  # a pool starts a process per task it is waiting for
                executor.submit(int)
        except pool_failures():
            executor.shutdown(wait=False, cancel_futures=True)
            return
        started.append(executor)

    thread = threading.Thread(target=start, name="newstui-pool-start", daemon=True)
    with _early_lock:
        if _early is not None:
            return
        _early = (tuple(preload), thread, started)
    thread.start()


def take_early(preload: Sequence[str] = ()) -> ProcessPoolExecutor | None:
    """The pool start_early started for this preload (waiting for its start), once; else None."""
    global _early
    with _early_lock:
        early = _early
        if early is None or early[0] != tuple(preload):
            return None
        _early = None
    early[1].join()
    return early[2][0] if early[2] else None


def started_early(preload: Sequence[str] = ()) -> bool:
    """Whether start_early started a pool for this preload that nothing has taken yet."""
    with _early_lock:
        return _early is not None and _early[0] == tuple(preload)


def start_pool(
    workers: int, *, preload: Sequence[str] = (), initializer: Callable[[], None] | None = None
) -> ProcessPoolExecutor:
    """A pool that never forks: the caller may be a thread inside the running app.

    preload names modules the fork server imports once, rather than each worker (it only counts
    while the fork server has not started yet). Imported here, not at the top: a warm
    `newstui list` starts no pool and need not load one (~30 ms).
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if preload and context.get_start_method() == "forkserver":
        context.set_forkserver_preload(list(preload))
    return ProcessPoolExecutor(
        max_workers=workers,
        mp_context=context,
        initializer=_start_worker,
        initargs=(os.getpid(), initializer),
    )


OWNER_CHECK = 0.5  # seconds between a pool process's checks that newstui still runs


def _start_worker(owner: int, initializer: Callable[[], None] | None) -> None:
    """In each pool process: end when the process that started the pool is gone.

    A pool process outlives a newstui killed with SIGKILL (or by the OOM killer) for good: it
    waits on its task queue, whose write end it holds itself, and keeps the fork server and the
    resource tracker alive through the descriptors they share. Nothing in newstui can run then,
    so each pool process watches for itself."""
    threading.Thread(target=_end_with, args=(owner,), name="newstui-owner", daemon=True).start()
    if initializer is not None:
        initializer()


def _end_with(owner: int) -> None:
    while True:
        time.sleep(OWNER_CHECK)
        try:
            os.kill(owner, 0)
        except ProcessLookupError:
            os._exit(1)
        except OSError:
            pass  # another user's process took the number: leave it be


def pool_failures() -> tuple[type[Exception], ...]:
    """What a pool raises when a worker died or it could not start: the caller then finishes
    the rest in its own process."""
    from concurrent.futures.process import BrokenProcessPool

    return (BrokenProcessPool, OSError, NotImplementedError, ValueError)
