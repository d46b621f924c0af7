"""Process pools for the indexers (post metadata and bodies): how they start and how they fail."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from concurrent.futures import ProcessPoolExecutor


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
