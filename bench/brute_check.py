"""Check `newstui list --query` against a brute-force scan of the raw files, query by query.

    python bench/brute_check.py CORPUS [--query Q ...]

Each query runs as the real command (index, body index, query engine); the scan reads every file
itself and checks each post with plain Python (no index, no query engine). Prints one line per
query and exits 1 if any differ. Dates are compared in UTC (TZ=UTC for both sides).
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.files import parse_file, scan  # noqa: E402
from tui.index.fulltext import fold  # noqa: E402
from tui.render import plain_text  # noqa: E402

NEWSTUI = Path(sys.executable).parent / "newstui"


def day(text: str) -> float:
    return datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp()


# query -> what a post must satisfy, written out by hand (post: metadata, text: title + body)
QUERIES: dict[str, Callable[[dict], bool]] = {
    "author:联合早报": lambda p: "联合早报" in p["author"].lower(),
    "after:2021-01-01 before:2021-07-01": lambda p: (
        p["ts"] is not None and day("2021-01-01") <= p["ts"] < day("2021-07-01")
    ),
    "on:2020-03": lambda p: (
        p["ts"] is not None and day("2020-03-01") <= p["ts"] < day("2020-04-01")
    ),
    "body:供应链": lambda p: "供应链" in p["text"],
    "body:zzqx": lambda p: "zzqx" in p["text"],
    "body:香港 -author:联合早报": lambda p: (
        "香港" in p["text"] and "联合早报" not in p["author"].lower()
    ),
    "body:privacy after:2023": lambda p: (
        "privacy" in p["text"] and p["ts"] is not None and p["ts"] >= day("2023-01-01")
    ),
    "-body:人工智能": lambda p: "人工智能" not in p["text"],
    "body:vaccine OR body:疫苗": lambda p: "vaccine" in p["text"] or "疫苗" in p["text"],
    # 2 characters and 1 character (one pair, one character of the index)
    "body:AI -body:数据": lambda p: "ai" in p["text"] and "数据" not in p["text"],
    "body:港 before:2015": lambda p: (
        "港" in p["text"] and p["ts"] is not None and p["ts"] < day("2015-01-01")
    ),
}


def scan_posts(root: Path) -> list[dict]:
    posts = []
    for entry in scan(root).files:
        parsed = parse_file(root, entry.rel)
        post = parsed.post
        text = fold(post.title) + "\n\n" + fold(plain_text(parsed.body))
        ts = post.date.timestamp() if post.date else None
        posts.append({"path": entry.rel, "author": post.author, "ts": ts, "text": text})
    return posts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--query", action="append", help="only these (from the built-in list)")
    args = parser.parse_args()
    os.environ["TZ"] = "UTC"
    time.tzset()
    start = time.perf_counter()
    posts = scan_posts(args.corpus)
    print(f"scanned {len(posts):,} files in {time.perf_counter() - start:.1f} s", flush=True)
    failed = 0
    for query, check in QUERIES.items():
        if args.query and query not in args.query:
            continue
        expected = sorted(p["path"] for p in posts if check(p))
        start = time.perf_counter()
        done = subprocess.run(
            [str(NEWSTUI), "list", str(args.corpus), f"--query={query}", "--format", "paths"],
            capture_output=True,
            text=True,
            check=True,
        )
        seconds = time.perf_counter() - start
        base = os.path.join(args.corpus, "")
        found = sorted(line.removeprefix(base) for line in done.stdout.splitlines())
        same = found == expected
        failed += not same
        print(
            f"{'same' if same else 'DIFFERENT'}  {query!r}: list {len(found):,} posts "
            f"in {seconds:.2f} s, scan {len(expected):,}"
        )
        if not same:
            print(f"    only in list: {sorted(set(found) - set(expected))[:5]}")
            print(f"    only in scan: {sorted(set(expected) - set(found))[:5]}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
