"""The interpreter-wide settings newstui changes, in one place: the cyclic garbage collector
(paused around bulk work, the loaded posts frozen out of its reach), the thread switch interval,
and where the C library's malloc puts large blocks."""

from __future__ import annotations

import gc
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SWITCH_INTERVAL = 0.001  # seconds a thread may hold the GIL before another gets it
# Blocks from this size up get a mapping of their own, given back to the system when freed.
# glibc starts there at 128 KiB but raises the bar to the size of each such block freed (up to
# 32 MiB): after that the lists a filter makes over a million posts (~7 MB each) came from the
# heap, and the process kept their memory. A fixed bar kept a million-post session's peak ~15 MiB
# lower (VmHWM 940 rather than 955 MiB after the same filters).
LARGE_BLOCK = 256 << 10
_M_MMAP_THRESHOLD = -3  # mallopt's parameter number (malloc.h)

_frozen = False
_pause_lock = threading.Lock()
_pauses = 0  # collector_paused() blocks running now
_collecting = True  # whether the collector ran before the first of them


@contextmanager
def collector_paused() -> Iterator[None]:
    """No automatic collection meanwhile: loading 100,000 posts or drawing a long one makes
    millions of objects, none in cycles (refcounts free them), and full collections among them
    double the time or hold the interpreter for 30-100 ms while a key waits. It runs later, when due.

    Process-wide and counted: the collector is back when the last pause ends, not the first (a
    preview drawn during a warm start's load turned it back on halfway through a million posts,
    and full collections then took a fifth of the load).
    """
    pause()
    try:
        yield
    finally:
        resume()


def pause() -> None:
    """collector_paused() for a pause that ends elsewhere (another thread, a later callback):
    each pause() needs one resume()."""
    global _pauses, _collecting
    with _pause_lock:
        if _pauses == 0:
            _collecting = gc.isenabled()
            gc.disable()
        _pauses += 1


def resume() -> None:
    global _pauses
    with _pause_lock:
        _pauses -= 1
        if _pauses == 0 and _collecting:
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


def keep_for_good() -> None:
    """Take every object there is now out of the collector's reach (gc.freeze), while a cold
    index brings batches of posts that live as long as the app: each full collection then walks
    only what came since. What is garbage at this moment stays for good, so only where little can
    be: a batch's posts, and the lists, stories and query engines each update replaces, hold no
    reference cycles (refcounting frees them, frozen or not)."""
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


def give_back_large_blocks() -> None:
    """Fix malloc's threshold for a mapping of its own at LARGE_BLOCK (mallopt, which also stops
    it from rising); nothing where there is no mallopt (macOS) or it does nothing (musl)."""
    try:
        import ctypes

        mallopt = ctypes.CDLL(None).mallopt  # the C library newstui runs on
    except (OSError, AttributeError):
        return
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt(_M_MMAP_THRESHOLD, LARGE_BLOCK)
