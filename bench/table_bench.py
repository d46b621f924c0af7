"""Benchmark the post table at 100,000 rows: mount, refill and cursor moves, medians in ms.

Run: .venv/bin/python bench/table_bench.py [rows]

"Screen update" means: all pending messages processed, then one compositor refresh (what
Pilot.pause() does, minus its ~20 ms idle-detection sleep, which would swamp the figures).
Figures are wall-clock; on a busy machine compare runs, not single numbers.
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta

from textual.app import App, ComposeResult
from textual.containers import Vertical
from textual.pilot import Pilot

from tui.model import Post
from tui.widgets.post_table import PostTable, RowFlags

ROUNDS = 15


def make_posts(count: int) -> list[Post]:
    start = datetime(2024, 1, 1, tzinfo=UTC)
    return [
        Post(
            id=f"https://www.zaobao.com/realtime/story{i}",
            path=f"2024/{i % 12 + 1:02d}/{i}.md",
            title=f"美媒：蚂蚁集团商议与国有企业共享数据宝库 {i}" if i % 2 else f"Post number {i}",
            date=None if i % 50 == 0 else start - timedelta(minutes=i),
            author="联合早报",
            url=f"https://www.zaobao.com/realtime/story{i}",
            tags=("联合早报", "china"),
        )
        for i in range(count)
    ]


def flags(post: Post) -> RowFlags:
    return RowFlags(unread=len(post.path) % 3 == 0, starred=len(post.path) % 7 == 0)


class Host(App[None]):
    def compose(self) -> ComposeResult:
        yield Vertical(id="box")


async def settle(pilot: Pilot[None]) -> None:
    """Process pending messages, then paint the screen once."""
    await pilot._wait_for_screen()
    pilot.app.screen._on_timer_update()


def report(name: str, samples: list[float], target: float | None) -> None:
    median = statistics.median(samples) * 1000
    if target is None:
        verdict = "(no target: Textual repaints the whole screen on scroll)"
    else:
        verdict = f"target ≤ {target} ms " + ("ok" if median <= target else "SLOW")
    print(f"{name:<44} median {median:7.2f} ms  (max {max(samples) * 1000:7.2f})  {verdict}")


async def main(count: int) -> None:
    posts = make_posts(count)
    reversed_posts = posts[::-1]
    filtered = posts[::10]
    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        box = app.query_one("#box")

        mount: list[float] = []
        for _ in range(ROUNDS):
            table = PostTable(flags=flags)
            table.set_posts(posts)
            t0 = time.perf_counter()
            await box.mount(table)
            await settle(pilot)
            mount.append(time.perf_counter() - t0)
            if _ < ROUNDS - 1:
                await table.remove()
                await settle(pilot)

        table = app.query_one(PostTable)
        table.focus()
        await settle(pilot)

        refill: list[float] = []
        refill_moved: list[float] = []
        for i in range(ROUNDS):
            table.move_to(count // 2 + i)
            await settle(pilot)
            t0 = time.perf_counter()
            table.set_posts(reversed_posts if i % 2 else posts)  # the cursor's post moves
            await settle(pilot)
            refill_moved.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            table.set_posts(filtered, keep_cursor=False)
            await settle(pilot)
            refill.append(time.perf_counter() - t0)
            table.set_posts(posts)
            await settle(pilot)

        cursor: list[float] = []
        page: list[float] = []
        for _ in range(ROUNDS):
            t0 = time.perf_counter()
            table.action_cursor_down()
            await settle(pilot)
            cursor.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            table.action_page_down()
            await settle(pilot)
            page.append(time.perf_counter() - t0)

        t0 = time.perf_counter()
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor == count - 1, table.cursor
        pressed = time.perf_counter() - t0

    print(f"{count:,} posts, 120x40 terminal, {ROUNDS} rounds")
    report("mount a table holding all rows + paint", mount, 50)
    report("set_posts (keep_cursor=False) + paint", refill, 10)
    report("set_posts, cursor post moved (path scan) + paint", refill_moved, 10)
    report("cursor down + paint", cursor, 5)
    report("page down + paint", page, None)
    print(f"{'press G via Pilot (incl. ~20 ms idle wait)':<44} {pressed * 1000:7.2f} ms")


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000))
