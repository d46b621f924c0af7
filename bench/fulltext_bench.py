"""Benchmark the full-text body index: cold and warm update(), search() by term length, grep -rlF.

python bench/fulltext_bench.py --count 100000            # generates a corpus with generate.py
python bench/fulltext_bench.py --corpus DIR              # or uses an existing folder of posts
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.files import scan  # noqa: E402
from tui.index.fulltext import FullTextIndex  # noqa: E402
from tui.model import Post  # noqa: E402

# Words from bench/generate.py's vocabulary (common, rarer, absent), by length in characters.
TERMS = [
    "人工智能",  # 4 CJK
    "蚂蚁集团",
    "消息人士",
    "香港",  # 2 CJK: one pair
    "港",  # 1
    "privacy",  # Latin, 3+
    "tesla",
    "the",
    "ai",  # 2 Latin
    "不存在的词语",  # absent
    "zzqxj",
]


def median_time(fn, runs: int) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def db_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--count", type=int, default=100_000)
    ap.add_argument("--corpus", type=Path, help="existing folder of posts (default: generate one)")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--keep-db", type=Path, help="write the index here and keep it")
    ap.add_argument(
        "--background", action="store_true", help="read posts at low priority, as the app does"
    )
    args = ap.parse_args()

    work = Path(tempfile.mkdtemp(prefix="fulltext-bench-"))
    try:
        root = args.corpus
        if root is None:
            root = work / "posts"
            generator = Path(__file__).with_name("generate.py")
            start = time.perf_counter()
            subprocess.run(
                [sys.executable, str(generator), str(root), "--count", str(args.count)], check=True
            )
            print(f"generated {args.count} posts in {time.perf_counter() - start:.1f}s")
        entries = scan(root).files
        posts = [
            Post(id=e.rel, path=e.rel, title="", date=None, size=e.size, mtime_ns=e.mtime_ns)
            for e in entries
        ]
        raw = sum(e.size for e in entries)
        print(f"corpus: {root}  {len(posts)} posts, {raw / 1e6:.0f} MB of files")

        db = args.keep_db or work / "index.fts.sqlite"
        index = FullTextIndex(root, db)
        start, cpu = time.perf_counter(), time.process_time()
        count = index.update(posts, background=args.background)
        cold, cpu = time.perf_counter() - start, time.process_time() - cpu
        load = os.getloadavg()[0]
        print(
            f"cold update: {count} posts in {cold:.1f}s ({count / cold:.0f} posts/s); "
            f"the writing process used {cpu:.1f}s of CPU; load average {load:.1f}"
        )
        with sqlite3.connect(db) as conn:  # the size as it stays: WAL written back
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        size = db_size(db)
        print(
            f"db size: {size / 1e6:.0f} MB ({size / max(1, raw):.2f}x the files), WAL checkpointed"
        )
        warm, _ = median_time(lambda: index.update(posts), 3)
        print(f"warm update (nothing changed): {warm * 1000:.0f} ms median of 3")

        print(f"\n{'term':<14}{'chars':>6}{'hits':>8}{'search ms':>11}{'grep -rlF ms':>14}")
        for term in TERMS:
            took, hits = median_time(lambda t=term: index.search(t), args.runs)
            grep_took, out = median_time(
                lambda t=term: (
                    subprocess.run(
                        ["grep", "-rlF", t, str(root)], capture_output=True, check=False
                    ).stdout
                ),
                1,
            )
            grep_hits = len(out.splitlines()) if isinstance(out, bytes) else 0
            print(
                f"{term:<14}{len(term):>6}{len(hits):>8}{took * 1000:>11.1f}"
                f"{grep_took * 1000:>10.0f} ({grep_hits})"
            )
        index.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
