"""Pausing Python's cyclic garbage collector around work that makes many acyclic objects."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


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
