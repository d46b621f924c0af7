"""In-process cost of the query engine at archive scale: building its haystacks and filtering
keystroke by keystroke, over generated posts (titles, sources and tags as bench/generate.py
writes them, a share in Traditional Chinese). Run it against two checkouts to compare:

    PYTHONPATH=/path/to/checkout .venv/bin/python bench/fold_bench.py --count 100000
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from generate import SOURCES, _title  # noqa: E402

from tui.model import Post  # noqa: E402
from tui.query import QueryEngine, QueryError, ResultMemo, parse  # noqa: E402

TYPED = ["台湾问题", "臺灣問題", "香港 经济", "author:联合", "tag:bbc", "privacy"]


def posts(count: int, traditional: float) -> list[Post]:
    from tui.chinese import convert  # the display conversion: as old as this benchmark

    rng = random.Random(0)
    start = datetime(2020, 1, 1, tzinfo=UTC)
    out = []
    for n in range(count):
        author, host, _, tag = rng.choice(SOURCES)
        title = _title(rng)
        if n % 100 < round(traditional * 100):
            title = convert(title, "s2t")
        url = f"https://{host}/{n}"
        out.append(
            Post(
                id=url,
                path=f"{n // 1000}/{n}.md",
                title=title,
                date=start + timedelta(minutes=n),
                author=author,
                url=url,
                tags=(tag,),
                categories=(tag,),
            )
        )
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--count", type=int, default=100_000)
    p.add_argument("--traditional", type=float, default=0.3)
    p.add_argument("--rounds", type=int, default=3)
    args = p.parse_args()
    items = posts(args.count, args.traditional)
    parse("臺")  # warm imports (and the fold table, where there is one)
    QueryEngine(items[:10])
    builds, keys = [], []
    for _ in range(args.rounds):
        started = time.perf_counter()
        engine = QueryEngine(items)
        builds.append(time.perf_counter() - started)
        memo = ResultMemo()
        for word in TYPED:
            for end in range(1, len(word) + 1):
                try:
                    query = parse(word[:end])
                except QueryError:  # "author:" before its value: the filter bar waits too
                    continue
                started = time.perf_counter()
                found, within = memo.lookup(1, query)
                if found is None:
                    found = engine.filter(query, state=lambda _: _DEFAULT, within=within)
                    memo.store(query, found)
                keys.append(time.perf_counter() - started)
    keys.sort()
    print(
        f"{args.count:,} posts ({args.traditional:.0%} Traditional): engine build "
        f"median {statistics.median(builds) * 1e3:.0f} ms (min {min(builds) * 1e3:.0f}); "
        f"keystroke p50 {keys[len(keys) // 2] * 1e3:.1f} ms, "
        f"p95 {keys[int(len(keys) * 0.95)] * 1e3:.1f} ms, max {keys[-1] * 1e3:.1f} ms"
    )
    return 0


class _State:
    read = starred = archived = False
    labels: frozenset[str] = frozenset()


_DEFAULT = _State()

if __name__ == "__main__":
    sys.exit(main())
