"""Measure newstui in-process with Textual's Pilot: filter keystroke→repaint and post open→first paint.

Run: .venv/bin/python bench/measure_app.py CORPUS [--posts 30] [--profile FILE] > figures.json

The index cache must be warm (run `newstui index CORPUS` first with the same XDG folders), or
loading re-indexes first. A "repaint" is the first frame the app hands to its driver once the
change is in place: the hook on App._display sees every frame after the compositor has drawn it,
and also builds the terminal output string that the headless driver skips, so the figure covers
what a real terminal frame costs. Keys go in as driver events, like a terminal's.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import math
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import events
from textual._compositor import CompositorUpdate
from textual.app import App
from textual.keys import _character_to_key
from textual.pilot import WaitForScreenTimeout

from tui.config import Config
from tui.repository import Repository
from tui.screens.main import PREVIEW_DELAY, TYPING_PAUSE

# Typed one key at a time: (key, the filter text after it). Realistic short queries from the
# corpus vocabulary (bench/generate.py), Chinese and Latin, with backspaces.
BACKSPACE = "backspace"
FILTER_TYPING = ["供应链", "data", "人工智能", "Tesla", "中国", "AI"]
TYPING_GAP = 0.15  # seconds between a repaint and the next key: a brisk typist
FRAME_TIMEOUT = 5.0  # seconds to wait for a frame before calling a key lost
HUGE_SCROLLS = 20  # j presses while the largest post loads
SCROLL_GAP = 0.05
HUGE_LOAD_LIMIT = 30.0  # seconds to wait for the largest post to finish loading
# The main screen renders the preview once the cursor rests (or typing pauses): wait past that.
PREVIEW_WAIT = max(PREVIEW_DELAY, TYPING_PAUSE) + 0.08


def say(text: str) -> None:
    RESULT["step"] = text
    print(f"measure_app: {text}", file=sys.stderr, flush=True)


def filter_keys() -> list[tuple[str, str]]:
    """The keystrokes and the filter text after each: type a word, then delete it."""
    keys: list[tuple[str, str]] = []
    for word in FILTER_TYPING:
        for n in range(1, len(word) + 1):
            keys.append((word[n - 1], word[:n]))
        if word != FILTER_TYPING[-1]:
            for n in range(len(word) - 1, -1, -1):
                keys.append((BACKSPACE, word[:n]))
    return keys


def percentile(samples: list[float], p: float) -> float | None:
    """Nearest-rank percentile (p in 0..100) of the samples, None if there are none."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), math.ceil(p / 100 * len(ordered))))
    return ordered[rank - 1]


def summary_ms(samples: list[float]) -> dict[str, Any]:
    ms = [s * 1000 for s in samples]
    return {
        "n": len(ms),
        "p50_ms": statistics.median(ms) if ms else None,
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms) if ms else None,
    }


class FrameClock:
    """Timestamps the frames the app draws and resolves waits on the first frame where a test holds."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self.frames = 0
        self._waiters: list[tuple[Callable[[], bool], asyncio.Future[float]]] = []
        original = app._display

        def display(screen: Any, renderable: Any) -> None:
            original(screen, renderable)
            if renderable is None or app._batch_count:
                return
            if isinstance(renderable, CompositorUpdate):
                renderable.render_segments(app.console)  # the terminal write headless skips
            now = time.perf_counter()
            self.frames += 1
            for ready, future in self._waiters:
                if not future.done() and ready():
                    future.set_result(now)

        app._display = display  # type: ignore[method-assign]

    async def until(
        self, ready: Callable[[], bool], timeout: float = FRAME_TIMEOUT
    ) -> float | None:
        """perf_counter() of the first frame drawn while ready() holds; None on timeout."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        waiter = (ready, future)
        self._waiters.append(waiter)
        try:
            running = self.app._task
            waits = {future} if running is None else {future, running}
            await asyncio.wait(waits, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if future.done():
                return future.result()
            if running is not None and running.done():
                raise AppStopped("the app's message loop ended")
            return None
        finally:
            self._waiters.remove(waiter)


class AppStopped(Exception):
    """The app stopped processing messages (its task ended) in the middle of a measurement."""


def send_key(app: App[Any], key: str) -> None:
    """Queue a key event as the terminal driver would (Pilot.press adds idle waits we must not time)."""
    char = key if len(key) == 1 else {"enter": "\r", "escape": "\x1b"}.get(key)
    if len(key) == 1 and not key.isalnum():
        key = _character_to_key(key)  # ":" is the key "colon", typing the character ":"
    event = events.Key(key, char)
    event.set_sender(app)
    assert app._driver is not None
    app._driver.send_message(event)


RESULT: dict[str, Any] = {}  # what measure() has so far, for a report when the app stops
STUCK: list[str] = []  # widgets that kept messages pending for SETTLE_TIMEOUT (a finding)
SETTLE_TIMEOUT = 5.0
IDLE_WAIT = 5.0  # seconds to wait for a cancelled worker's thread to end


async def settle(pilot: Any, gap: float = 0.0) -> None:
    """Let every widget process what is queued (or note the ones that do not), then wait `gap`."""
    try:
        await pilot._wait_for_screen(timeout=SETTLE_TIMEOUT)
    except WaitForScreenTimeout:
        busy = [
            f"{node!r} ({node._message_queue.qsize()} queued)"
            for node in [pilot.app, *pilot.app.screen.walk_children(with_self=True)]
            if node._message_queue.qsize()
        ]
        STUCK.append(", ".join(busy) or "?")
    if gap:
        await asyncio.sleep(gap)


async def wait_loaded(app: App[Any], pilot: Any, timeout: float = 600.0) -> float:
    """Wait until the main screen holds every post and indexing is over; seconds waited."""
    start = time.perf_counter()
    screen = app.screen
    while time.perf_counter() - start < timeout:
        await pilot.pause(0.1)
        if (
            screen.filtering.engine is not None
            and not screen.status.activity
            and screen.filtering.posts
        ):
            if not any(w.group == "index" and not w.is_finished for w in app.workers):
                break
    await quiet(app, pilot)
    return time.perf_counter() - start


async def quiet(app: App[Any], pilot: Any, limit: float = 60.0) -> bool:
    """Wait until no worker runs (a finished one may start another); False if `limit` passed."""
    deadline = time.perf_counter() + limit
    while any(not worker.is_finished for worker in app.workers):
        if time.perf_counter() > deadline:
            return False
        await asyncio.sleep(0.02)
    await settle(pilot)
    return True


async def measure_filter(
    app: App[Any], pilot: Any, clock: FrameClock, *, isolated: bool
) -> dict[str, Any]:
    """Type filter_keys() into the filter bar. isolated: let every worker finish before each key
    (the filter alone); else keep a typist's pace, so preview renders overlap the next key."""
    screen = app.screen
    table = screen.table
    send_key(app, "slash")
    await settle(pilot, 0.2)
    rows: list[dict[str, Any]] = []
    for key, text in filter_keys():
        if isolated:
            await quiet(app, pilot)
            await asyncio.sleep(PREVIEW_WAIT)
            await quiet(app, pilot)
        before = table.posts
        t0 = time.perf_counter()
        send_key(app, key)
        RESULT["step"] = f"filter key {key!r} → {text!r}"
        t1 = await clock.until(lambda before=before: table.posts is not before)
        rows.append(
            {
                "key": key,
                "query": text,
                "ms": None if t1 is None else (t1 - t0) * 1000,
                "count": len(table.posts),
                "shown_query": screen.filtering.text,
            }
        )
        await settle(pilot, TYPING_GAP)
    send_key(app, "escape")  # clears the filter and returns to the table
    await settle(pilot, PREVIEW_WAIT)
    await quiet(app, pilot)
    times = [row["ms"] / 1000 for row in rows if row["ms"] is not None]
    return {"keys": rows, "lost": sum(row["ms"] is None for row in rows), **summary_ms(times)}


def _reader_painted(app: App[Any], path: str) -> Callable[[], bool]:
    """True once the reader shows a block of this post's text on screen."""

    def ready() -> bool:
        screen = app.screen
        if type(screen).__name__ != "ReaderScreen":
            return False
        article = screen.article
        if article.shown_key != path:
            return False
        # The reader draws lines in a worker; painted once they are set and it is on screen.
        return bool(article._lines) and article in screen._compositor.visible_widgets

    return ready


async def open_post(
    app: App[Any], pilot: Any, clock: FrameClock, index: int, rest: bool = True
) -> float | None:
    """Seconds from Enter on row `index` to the reader's first paint of that post's text.
    rest: the cursor rests on the row first, as a reader's does (the post is prepared then);
    else Enter comes at once and nothing about the post is cached."""
    table = app.screen.table
    table.move_to(index)
    if rest:
        await settle(pilot, PREVIEW_WAIT)
        await quiet(app, pilot)
    else:
        app.repo._rendered.clear()  # a cold open: nothing converted before
    post = table.current_post
    t0 = time.perf_counter()
    send_key(app, "enter")
    t1 = await clock.until(_reader_painted(app, post.path), timeout=60)
    return None if t1 is None else t1 - t0


async def close_reader(app: App[Any], pilot: Any) -> None:
    """Back to the main screen at once (the reader's loading workers are cancelled with it)."""
    send_key(app, "escape")
    await settle(pilot, 0.05)
    await quiet(app, pilot)
    # A cancelled worker counts as finished while its thread still runs the step it was in
    # (converting a 700 KB body takes ~0.5 s): wait for the process to idle, so the next
    # figure is its own.
    deadline = time.perf_counter() + IDLE_WAIT
    while time.perf_counter() < deadline:
        busy = time.process_time()
        await asyncio.sleep(0.05)
        if time.process_time() - busy < 0.01:
            break


async def measure_opens(
    app: App[Any], pilot: Any, clock: FrameClock, count: int, seed: int
) -> dict[str, Any]:
    """Open a random sample of posts plus the 3 largest, with the main screen's preview hidden
    (z), so each figure is the reader alone and no huge preview loads in between."""
    posts = list(app.screen.table.posts)
    by_size = sorted(range(len(posts)), key=lambda i: posts[i].size, reverse=True)
    largest = by_size[:3]
    sample = random.Random(seed).sample(range(len(posts)), min(count - len(largest), len(posts)))
    rows = []
    for index in sample + largest:
        seconds = await open_post(app, pilot, clock, index)
        await close_reader(app, pilot)
        cold = await open_post(app, pilot, clock, index, rest=False)
        rows.append(
            {
                "path": posts[index].path,
                "size": posts[index].size,
                "largest": index in largest,
                "ms": None if seconds is None else seconds * 1000,
                "cold_ms": None if cold is None else cold * 1000,
            }
        )
        await close_reader(app, pilot)
    typical = [r["ms"] / 1000 for r in rows if not r["largest"] and r["ms"] is not None]
    cold = [r["cold_ms"] / 1000 for r in rows if not r["largest"] and r["cold_ms"] is not None]
    every = [r["ms"] / 1000 for r in rows if r["ms"] is not None]
    sizes = sorted(r["size"] for r in rows if not r["largest"])
    return {
        "posts": rows,
        "lost": sum(r["ms"] is None for r in rows),
        "median_size": statistics.median(sizes) if sizes else None,
        "typical": summary_ms(typical),
        "cold": summary_ms(cold),
        "all": summary_ms(every),
        "largest_index": largest[0] if largest else None,
    }


async def measure_huge(app: App[Any], pilot: Any, clock: FrameClock, index: int) -> dict[str, Any]:
    """The largest post: first paint, then j pressed while the rest loads, each timed to a frame."""
    from tui.screens.reader import ReaderScreen

    handled: list[float] = []
    original = ReaderScreen.action_scroll

    def action_scroll(self: ReaderScreen, direction: str) -> None:
        handled.append(time.perf_counter())
        original(self, direction)

    ReaderScreen.action_scroll = action_scroll  # type: ignore[method-assign]
    try:
        post = app.screen.table.posts[index]
        first = await open_post(app, pilot, clock, index, rest=False)
        t_open = time.perf_counter() - (first or 0.0)
        scrolls: list[dict[str, Any]] = []
        for _ in range(HUGE_SCROLLS):
            was_loading = any(w.group == "article" and not w.is_finished for w in app.workers)
            count = len(handled)
            t0 = time.perf_counter()
            send_key(app, "j")
            t1 = await clock.until(lambda count=count: len(handled) > count)
            if t1 is None and len(handled) > count:
                t1 = handled[count]  # handled, but nothing changed on screen
            scrolls.append(
                {"ms": None if t1 is None else (t1 - t0) * 1000, "while_loading": was_loading}
            )
            await asyncio.sleep(SCROLL_GAP)
        done = await quiet(app, pilot, HUGE_LOAD_LIMIT)
        loaded = time.perf_counter() - t_open
        scroll_ms = [s["ms"] / 1000 for s in scrolls if s["ms"] is not None]
        result = {
            "path": post.path,
            "size": post.size,
            "first_paint_ms": None if first is None else first * 1000,
            "fully_loaded_s": loaded if done else None,
            "scroll_y": app.screen.article.scroll_y,
            "scrolls": scrolls,
            "scrolls_while_loading": sum(s["while_loading"] for s in scrolls),
            "scroll_lost": sum(s["ms"] is None for s in scrolls),
            **{f"scroll_{k}": v for k, v in summary_ms(scroll_ms).items()},
        }
        await close_reader(app, pilot)
        return result
    finally:
        ReaderScreen.action_scroll = original  # type: ignore[method-assign]


# In ~98% of the generated posts (CJK, 2 characters, 1 character, Latin), in ~5.6% (a phrase),
# in none.
BODY_TERMS = ["人工智能", "香港", "港", "privacy", "供应链分析", "zzqxj"]


async def measure_bodies(app: App[Any], pilot: Any, clock: FrameClock) -> dict[str, Any]:
    """body:TERM typed into the filter bar: seconds from the last key to the table showing the
    full-text result (the search runs in a worker). Needs a body index built before."""
    screen = app.screen
    table = screen.table
    rows = []
    for term in BODY_TERMS:
        send_key(app, "slash")
        await settle(pilot, 0.1)
        text = f"body:{term}"
        for char in text[:-1]:
            send_key(app, char)
        await settle(pilot)
        await quiet(app, pilot)
        before = table.posts
        t0 = time.perf_counter()
        send_key(app, text[-1])
        t1 = await clock.until(lambda before=before: table.posts is not before, timeout=30)
        rows.append(
            {
                "term": term,
                "ms": None if t1 is None else (t1 - t0) * 1000,
                "count": len(table.posts),
                "shown_query": screen.filtering.text,
            }
        )
        send_key(app, "escape")
        await settle(pilot, PREVIEW_WAIT)
        await quiet(app, pilot)
    times = [row["ms"] / 1000 for row in rows if row["ms"] is not None]
    return {"terms": rows, **summary_ms(times)}


async def measure(corpus: Path, posts: int, seed: int, profile: cProfile.Profile | None) -> dict:
    from tui.app import NewsApp

    t0 = time.perf_counter()
    # A body index built before (the bodies step) is used; none is built while this times keys.
    app = NewsApp(Repository(corpus), Config(index_bodies=False))
    clock = FrameClock(app)
    result = RESULT
    try:
        await _measure(app, clock, result, posts, seed, profile, t0)
    except (Exception, asyncio.CancelledError) as error:
        # The app crashed or stopped (run_test's exit then cancels its widgets): keep what was
        # measured and say where it happened.
        result["error"] = f"{error!r} during {result.get('step', '?')}"
    result["stuck"] = STUCK
    return result


async def _measure(
    app: Any,
    clock: FrameClock,
    result: dict[str, Any],
    posts: int,
    seed: int,
    profile: cProfile.Profile | None,
    t0: float,
) -> None:
    async with app.run_test(size=(120, 40)) as pilot:
        say("loading")
        result["load_s"] = await wait_loaded(app, pilot)
        result["posts_loaded"] = len(app.screen.filtering.posts)
        result["startup_s"] = time.perf_counter() - t0
        if profile is not None:
            profile.enable()
        say(f"{len(app.screen.filtering.posts):,} posts loaded; filtering")
        result["filter"] = await measure_filter(app, pilot, clock, isolated=False)
        result["filter_isolated"] = await measure_filter(app, pilot, clock, isolated=True)
        if app.screen.body_index.ready:
            say("body search")
            result["body"] = await measure_bodies(app, pilot, clock)
        say("opening posts")
        send_key(app, "z")  # hide the preview: see measure_opens
        await settle(pilot, PREVIEW_WAIT)
        await quiet(app, pilot)
        result["open"] = await measure_opens(app, pilot, clock, posts, seed)
        index = result["open"]["largest_index"]
        if index is not None:
            say("the largest post")
            result["huge"] = await measure_huge(app, pilot, clock, index)
        if profile is not None:
            profile.disable()
        result["frames"] = clock.frames


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("corpus", type=Path)
    p.add_argument("--posts", type=int, default=30, help="posts to open (the 3 largest included)")
    p.add_argument("--seed", type=int, default=0, help="which posts to open")
    p.add_argument("--profile", type=Path, help="write a cProfile of the measured part here")
    args = p.parse_args()
    profile = cProfile.Profile() if args.profile else None
    result = asyncio.run(measure(args.corpus, args.posts, args.seed, profile))
    if profile is not None:
        profile.dump_stats(args.profile)
    json.dump(result, sys.stdout, ensure_ascii=False, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
