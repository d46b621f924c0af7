"""A one-line sparkline of posts per day for whatever the filter shows: when news broke is easier to see than to read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime

from textual.widgets import Sparkline

from tui.model import UNDATED, Post

DAYS = 90  # the span drawn: the last 90 days up to the newest shown post
SECONDS_PER_DAY = 86_400


def posts_per_day(posts: Sequence[Post], days: int = DAYS) -> list[float]:
    """Counts for each of the `days` days ending at the newest dated post (local days), oldest first.

    `posts` must be newest first, undated last (as the index and every filter give them): the
    walk stops at the first post older than the span, so 100,000 posts cost what 90 days hold.
    """
    offset = datetime.now().astimezone().utcoffset()
    shift = offset.total_seconds() if offset else 0.0
    newest = None
    counts: Counter[int] = Counter()
    for post in posts:
        if post.ts == UNDATED:
            break
        day = int((post.ts + shift) // SECONDS_PER_DAY)
        if newest is None:
            newest = day
        elif day <= newest - days:
            break
        counts[day] += 1
    if newest is None:
        return []
    return [float(counts.get(day, 0)) for day in range(newest - days + 1, newest + 1)]


class Timeline(Sparkline):
    """Posts per day over the last 90 days of the shown posts; the widget's width buckets the days."""

    DEFAULT_CSS = """
    Timeline { width: 32; height: 1; margin: 0 1; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__([], summary_function=sum, id=id)

    def show(self, posts: Sequence[Post]) -> None:
        """posts: newest first (see posts_per_day)."""
        self.data = posts_per_day(posts)
