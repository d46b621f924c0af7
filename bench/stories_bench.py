"""Measure what grouping posts into stories costs, in-process at 100,000 posts (metadata only).

Run: .venv/bin/python bench/stories_bench.py [--count 100000] [--twins 0.1] [--runs 5]

Builds posts as bench/generate.py makes them (titles, urls, dates; no files are written) and
times, as medians: grouping them into stories (tui.stories.group, which the app runs once per
load, live reload or rescan), building the query engine over files (as before stories) and over
stories, and each keystroke of typing WORDS into a filter over each.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402  (a script beside this one)

from tui.model import Post  # noqa: E402
from tui.query import QueryEngine, parse  # noqa: E402
from tui.state import DEFAULT_STATE  # noqa: E402
from tui.stories import group, story_key  # noqa: E402

WORDS = ["供应链", "data", "人工智能", "Tesla", "中国", "AI"]


def make_posts(count: int, twins: float, seed: int = 0) -> list[Post]:
    rng = random.Random(seed)
    urls: list[str] = []
    posts = []
    for n in range(count):
        source = rng.choices(generate.SOURCES, cum_weights=generate.SOURCE_CUM_WEIGHTS)[0]
        when = generate.START + timedelta(seconds=rng.randrange(generate.SPAN_SECONDS))
        url = generate.make_url(rng, source, when, n)
        if urls and rng.random() < twins:
            url = rng.choice(urls) + rng.choice(["", "/", "?utm_source=rss", "#top"])
        else:
            urls.append(url)
        path = f"{when:%Y/%m}/{when:%Y-%m-%d}-{n}.md"
        posts.append(
            Post(
                id=story_key(url, path),
                path=path,
                title=generate.make_title(rng),
                date=when,
                author=source[0],
                url=url,
                tags=(source[3],),
            )
        )
    posts.sort(key=lambda post: (post.timestamp, post.path), reverse=True)
    return posts


def median_ms(run, runs: int) -> float:
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        samples.append((time.perf_counter() - started) * 1000)
    return round(statistics.median(samples), 1)


def typing_ms(engine: QueryEngine) -> dict[str, float]:
    samples = []
    for word in WORDS:
        for n in range(1, len(word) + 1):
            query = parse(word[:n])
            started = time.perf_counter()
            engine.filter(query, state=lambda _id: DEFAULT_STATE, states={})
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    return {
        "p50": round(samples[len(samples) // 2], 1),
        "p95": round(samples[int(len(samples) * 0.95)], 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--twins", type=float, default=0.1)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    posts = make_posts(options.count, options.twins)
    stories = group(posts)
    files_engine = QueryEngine(posts)
    stories_engine = QueryEngine(stories.rows, copies=stories.copies)
    figures = {
        "files": len(posts),
        "stories": len(stories.rows),
        "group_ms": median_ms(lambda: group(posts), options.runs),
        "engine_files_ms": median_ms(lambda: QueryEngine(posts), options.runs),
        "engine_stories_ms": median_ms(
            lambda: QueryEngine(stories.rows, copies=stories.copies), options.runs
        ),
        "typing_files_ms": typing_ms(files_engine),
        "typing_stories_ms": typing_ms(stories_engine),
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
