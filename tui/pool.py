"""Process pools for the indexers (post metadata and bodies): how they start and how they fail."""

from __future__ import annotations

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
    return ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=initializer)


def pool_failures() -> tuple[type[Exception], ...]:
    """What a pool raises when a worker died or it could not start: the caller then finishes
    the rest in its own process."""
    from concurrent.futures.process import BrokenProcessPool

    return (BrokenProcessPool, OSError, NotImplementedError, ValueError)
