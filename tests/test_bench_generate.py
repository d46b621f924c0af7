"""Tests for the benchmark corpus generator (bench/generate.py)."""

from __future__ import annotations

import hashlib
import re
import statistics
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import frontmatter
import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

COUNT = 200
NAME = re.compile(r"^(\d{4})-(\d{2})-\d{2}-.+\.md$")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("corpus")
    generate.generate(out, COUNT, seed=1)
    return out


def _files(root: Path) -> list[Path]:
    return sorted(p for p in root.rglob("*") if p.is_file())


def _digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in _files(root):
        h.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def test_count_and_dated_layout(corpus: Path) -> None:
    files = _files(corpus)
    assert len(files) == COUNT
    years = set()
    for p in files:
        rel = p.relative_to(corpus).parts
        assert len(rel) == 3, rel  # YYYY/MM/file
        m = NAME.match(rel[2])
        assert m, rel[2]
        assert (m.group(1), m.group(2)) == (rel[0], rel[1])
        years.add(rel[0])
    assert len(years) >= 8  # spread over ~10 years


def test_size_distribution(corpus: Path) -> None:
    sizes = [p.stat().st_size for p in _files(corpus)]
    assert 10_000 < statistics.median(sizes) < 40_000
    assert max(sizes) > 100_000  # a long tail
    assert min(sizes) < 8_000


def test_huge_post_once_count_reaches_1000(tmp_path: Path) -> None:
    generate.generate(tmp_path, 1000, seed=0)
    sizes = [p.stat().st_size for p in _files(tmp_path)]
    assert sum(s > 600_000 for s in sizes) >= 1
    assert sum(s > 150_000 for s in sizes) <= 30


def test_variants_present(corpus: Path) -> None:
    counts = {"ok": 0, "broken_yaml": 0, "no_front": 0, "seed": 0, "page": 0, "comments": 0}
    date_kinds: set[str] = set()
    sources: set[str] = set()
    for p in _files(corpus):
        text = p.read_text("utf-8")
        counts["seed"] += "<!--" in text[:2000] and '<section id="imu">' in text
        counts["page"] += "<!DOCTYPE html>" in text and "<footer>" in text and "<script>" in text
        if not text.startswith("---\n"):
            counts["no_front"] += 1
            continue
        try:
            post = frontmatter.loads(text)
        except yaml.YAMLError:
            counts["broken_yaml"] += 1
            continue
        counts["ok"] += 1
        counts["comments"] += post.get("comments") is True
        assert isinstance(post["title"], str) and len(post["title"]) >= 15
        assert isinstance(post["tags"], list) and isinstance(post["categories"], list)
        sources.add(post["author"])
        raw = re.search(r"^date: (.*)$", text, re.M).group(1)  # type: ignore[union-attr]
        shape = re.sub(r"\d", "9", raw)
        if raw.endswith("+02:00"):  # keep the offset: +02:00 is one of the variants
            shape = shape[:-6] + "+02:00"
        date_kinds.add(shape)
    assert counts["broken_yaml"] >= 1
    assert counts["no_front"] >= 1
    assert counts["ok"] >= COUNT * 0.95
    assert counts["seed"] >= COUNT * 0.3 and counts["page"] >= COUNT * 0.2
    assert counts["comments"] >= 1
    assert len(sources) >= 15
    assert {
        "9999-99-99",
        "9999-99-99T99:99:99+02:00",
        "9999-99-99T99:99:99Z",
        "9999-99-99T99:99:99.999Z",
    } <= date_kinds


def test_titles_are_mostly_cjk(corpus: Path) -> None:
    titles = []
    for p in _files(corpus):
        m = re.search(r'^title: "(.*)"$', p.read_text("utf-8"), re.M)
        if m:
            titles.append(m.group(1))
    cjk = [t for t in titles if len(re.findall(r"[\u4e00-\u9fff]", t)) >= 10]
    assert len(cjk) >= len(titles) * 0.9
    assert any(re.search(r"[A-Za-z0-9]", t) for t in titles)


def test_deterministic_for_a_seed(corpus: Path, tmp_path: Path) -> None:
    generate.generate(tmp_path / "again", COUNT, seed=1)
    generate.generate(tmp_path / "other", COUNT, seed=2)
    assert _digest(tmp_path / "again") == _digest(corpus)
    assert _digest(tmp_path / "other") != _digest(corpus)


def test_to_rss_parses(corpus: Path, tmp_path: Path) -> None:
    rss = tmp_path / "feed.xml"
    generate.to_rss(corpus, rss)
    root = ET.parse(rss).getroot()
    assert root.tag == "rss" and root.get("version") == "2.0"
    items = root.findall("./channel/item")
    assert len(items) == COUNT
    for item in items:
        assert item.findtext("title")
        assert item.findtext("guid")
        assert "<" in (item.findtext("description") or "")  # the HTML body, escaped
    dated = [item.findtext("pubDate") for item in items if item.findtext("pubDate")]
    assert len(dated) >= COUNT * 0.95
    assert all(
        re.match(r"^\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} [+-]\d{4}$", d) for d in dated
    )


def test_cli_writes_corpus_and_rss(tmp_path: Path) -> None:
    assert (
        generate.main([str(tmp_path / "c"), "--count", "20", "--rss", str(tmp_path / "f.xml")]) == 0
    )
    assert len(_files(tmp_path / "c")) == 20
    assert len(ET.parse(tmp_path / "f.xml").getroot().findall("./channel/item")) == 20


def test_twins_copy_earlier_urls_across_posts_and_archived(tmp_path: Path) -> None:
    from tui.files import parse_file
    from tui.stories import group

    generate.generate(tmp_path, 300, seed=2, twins=0.2)
    files = _files(tmp_path)
    assert len(files) == 300
    rels = [p.relative_to(tmp_path).as_posix() for p in files]
    assert any(re.fullmatch(r"archived/\d{4}-\d{2}-\d{2}/.+\.md", rel) for rel in rels)
    posts = sorted(
        (parse_file(tmp_path, rel, with_body=False).post for rel in rels),
        key=lambda post: post.timestamp,
        reverse=True,
    )
    stories = group(posts)
    assert 200 < len(stories.rows) < 280
    biggest = max(stories.copies.values(), key=len)
    assert len(biggest) >= 5 and len({post.title for post in biggest}) == len(biggest)
    assert any("utm_source" in post.url for post in posts)


def test_archive_shape_layout_sizes_and_stories(tmp_path: Path) -> None:
    from tui.files import parse_file
    from tui.stories import group

    count = 400
    stamp = generate.generate_archive(tmp_path / "a", count, seed=5, jobs=1)
    root = tmp_path / "a"
    rels = [p.relative_to(root).as_posix() for p in _files(root)]
    assert len(rels) == count and stamp["count"] == count
    assert all(
        re.fullmatch(r"_posts/\d{4}/\d{2}/\d{4}-\d{2}-\d{2}-.+\.md", rel)
        or re.fullmatch(r"archived/\d{4}-\d{2}-\d{2}/.+\.md", rel)
        for rel in rels
    )
    assert 40 < sum(rel.startswith("archived/") for rel in rels) < 200
    sizes = [(root / rel).stat().st_size for rel in rels]
    assert 3_000 < statistics.median(sizes) < 7_000
    seed_format = sum("<!--" in (root / rel).read_text("utf-8")[:3000] for rel in rels)
    assert seed_format > count * 0.7
    posts = [parse_file(root, rel, with_body=False).post for rel in rels]
    # The stamp's story count is what newstui groups the files into (bench/run.py relies on it).
    assert len(group(posts).rows) == stamp["stories"] < count


def test_archive_is_the_same_whatever_the_processes(tmp_path: Path) -> None:
    generate.generate_archive(tmp_path / "one", 60, seed=2, jobs=1)
    generate.CHUNK_POSTS, saved = 7, generate.CHUNK_POSTS
    try:
        generate.generate_archive(tmp_path / "two", 60, seed=2, jobs=2)
    finally:
        generate.CHUNK_POSTS = saved
    assert _digest(tmp_path / "one") == _digest(tmp_path / "two")
    rel, data = generate.archive_post(2, 0)
    assert (tmp_path / "one" / rel).read_bytes() == data
