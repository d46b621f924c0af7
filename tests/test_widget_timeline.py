"""The sparkline's counts: only the last 90 days up to the newest post, from a newest-first list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui.model import Post
from tui.widgets.timeline import posts_per_day

NEWEST = datetime(2024, 3, 30, 12, tzinfo=UTC)


def post(n: int, date: datetime | None) -> Post:
    return Post(id=str(n), path=f"{n}.md", title=f"post {n}", date=date)


def brute(posts: list[Post], days: int) -> list[float]:
    local = [p.date.astimezone().date() for p in posts if p.date]
    newest = max(local)
    span = [newest - timedelta(days=d) for d in range(days - 1, -1, -1)]
    return [float(sum(1 for day in local if day == wanted)) for wanted in span]


def test_counts_per_day_stop_at_the_span() -> None:
    dates = [NEWEST - timedelta(hours=7 * n) for n in range(2000)]  # ~580 days, newest first
    posts = [post(n, date) for n, date in enumerate(dates)] + [post(-1, None)]
    counts = posts_per_day(posts, days=90)
    assert len(counts) == 90
    assert counts == brute(posts, 90)
    assert sum(counts) < len(posts)  # older posts are outside the span


def test_no_dated_posts_draw_nothing() -> None:
    assert posts_per_day([post(1, None)]) == []
    assert posts_per_day([]) == []
