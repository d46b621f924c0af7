"""Compare the article words render_post shows with trafilatura's extraction, and time render_post.

Usage: python bench/extraction.py [POSTS_DIR]   (default: ../shared/corpus/posts from the repo root)
Needs trafilatura (a dev-only tool: pip install trafilatura lxml_html_clean).
"""

from __future__ import annotations

import re
import statistics
import sys
import time
from collections import Counter
from datetime import datetime
from pathlib import Path

import html2text
import trafilatura

from tui.model import Post
from tui.render import render_post
from tui.render.markdown import _SEED, _markdown_it, article_markdown

REPO = Path(__file__).resolve().parent.parent
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
WORD = re.compile(r"[^\W_]+")  # letters and digits: not the _ of Markdown emphasis
# Our rendering artefacts, not article words: link numbers and image placeholders.
ARTEFACTS = re.compile(r" ?\[\d+\]|\[image: [^\]\n]*\]( \[\d+\])?")
FIELD = re.compile(r"^(title|author|from|date):\s*(.*)$", re.M)


def words(text: str) -> Counter[str]:
    """CJK characters one by one, other scripts as lowercase word tokens."""
    counts = Counter(CJK.findall(text))
    counts.update(w.lower() for w in WORD.findall(CJK.sub(" ", text)))
    return counts


def load(path: Path, root: Path) -> tuple[Post, str]:
    """A Post and body, by tui.files.parse when it exists, else a rough front-matter split."""
    rel = path.relative_to(root).as_posix()
    try:
        from tui.files.parse import parse_file  # type: ignore[import-not-found]

        parsed = parse_file(root, rel)
        return parsed.post, parsed.body
    except ImportError:
        pass
    text = path.read_text("utf-8", "replace")
    _, front, body = text.split("---\n", 2) if text.startswith("---\n") else ("", "", text)
    fields = {k: v.strip().strip('"') for k, v in FIELD.findall(front)}
    try:
        date = datetime.fromisoformat(fields.get("date", "").replace("Z", "+00:00"))
    except ValueError:
        date = None
    post = Post(
        id=rel,
        path=rel,
        title=fields.get("title", ""),
        date=date,
        author=fields.get("author", ""),
        url=fields.get("from", ""),
    )
    return post, body


def html_source(body: str) -> str:
    """The HTML that both extractors see: the seed header removed, Markdown rendered."""
    match = _SEED.match(body)
    if match:
        body = body[match.end() :]
    return body if body.lstrip().startswith("<") else _markdown_it.render(body)


def html2text_alone(source: str) -> str:
    converter = html2text.HTML2Text()
    converter.body_width = 0
    converter.unicode_snob = True
    converter.ignore_links = True
    converter.ignore_images = True
    return converter.handle(source)


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("-")]
    root = Path(args[0]) if args else REPO.parent / "shared/corpus/posts"
    files = sorted(p for p in root.rglob("*.md") if p.is_file())
    totals = {"ours": [0, 0, 0], "html2text": [0, 0, 0]}  # overlap, |theirs|, |ours|
    times: list[float] = []
    worst: list[tuple[float, float, str]] = []
    for path in files:
        post, body = load(path, root)
        start = time.perf_counter()
        render_post(post, body)
        times.append(time.perf_counter() - start)
        traf = trafilatura.extract(html_source(body), include_tables=True) or ""
        theirs = words(traf)
        if not theirs:
            continue
        _, article, _ = article_markdown(post, body, [])
        candidates = {
            "ours": words(ARTEFACTS.sub(" ", article)),
            "html2text": words(html2text_alone(html_source(body))),
        }
        for name, mine in candidates.items():
            overlap = sum((mine & theirs).values())
            row = totals[name]
            row[0] += overlap
            row[1] += sum(theirs.values())
            row[2] += sum(mine.values())
            if name == "ours":
                recall = overlap / sum(theirs.values())
                precision = overlap / max(1, sum(mine.values()))
                worst.append((min(recall, precision), precision, path.name))
    print(f"{len(files)} posts, {sum(1 for _ in worst)} with a trafilatura extraction")
    for name, (overlap, theirs_n, ours_n) in totals.items():
        print(f"{name:10} recall {overlap / theirs_n:.4f}  precision {overlap / ours_n:.4f}")
    times.sort()
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(f"render_post: median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms")
    if "-v" in sys.argv:
        for score, precision, name in sorted(worst)[:15]:
            print(f"  {score:.3f} (precision {precision:.3f}) {name}")


if __name__ == "__main__":
    main()
