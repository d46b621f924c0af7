"""The interpreter-wide settings newstui changes, in one place: the cyclic garbage collector
(paused around bulk work, the loaded posts frozen out of its reach) and the thread switch
interval."""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL before another gets it

_frozen = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection meanwhile: loading 100,000 posts or drawing a long one makes
    millions of objects, none in cycles (refcounts free them), and full collections among them
    double the time or hold the interpreter for 30-100 ms while a key waits. It runs later, when due.

    Process-wide: with two of these at once, the collector is back when the first one started
    ends, which is only ever earlier than needed.
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def freeze_loaded() -> None:
    """Once, after the first full load of the archive: the posts and their query engine live as
    long as the app, and out of the collector's reach they spare each full collection a walk over
    them (~80 ms at 10,000 posts). Only once: freezing again on every reload or batch would pin
    whatever garbage exists at that moment for good."""
    global _frozen
    if not _frozen:
        _frozen = True
        gc.freeze()


def unfreeze() -> None:
    global _frozen
    _frozen = False
    gc.unfreeze()


@contextmanager
def quick_thread_switches() -> Iterator[None]:
    """While the app runs: workers render posts and build indexes in threads, and a 1 ms switch
    interval (not Python's 5) lets the UI thread answer a key at once while one of them computes."""
    before = sys.getswitchinterval()
    sys.setswitchinterval(SWITCH_INTERVAL)
    try:
        yield
    finally:
        sys.setswitchinterval(before)
