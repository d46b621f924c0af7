"""sample_posts/: every file is found and parses, and the folder covers what the app has to show."""

from __future__ import annotations

import os
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest

from tui.files import parse_file, scan
from tui.model import Post

SAMPLES = Path(__file__).resolve().parent.parent / "sample_posts"
BROKEN_YAML = "2019/01/2019-01-07-windows-paths.md"
GBK = "2017/04/2017-04-11-old-teahouse.md"


def all_files() -> list[str]:
    found = []
    for folder, _dirs, names in os.walk(SAMPLES):
        for name in names:
            found.append(Path(folder, name).relative_to(SAMPLES).as_posix())
    return sorted(found)


@pytest.fixture(scope="module")
def posts() -> dict[str, Post]:
    result = scan(SAMPLES)
    assert result.problems == []
    return {entry.rel: parse_file(SAMPLES, entry.rel).post for entry in result.files}


def test_scan_finds_every_file_and_nothing_else(posts: dict[str, Post]) -> None:
    assert sorted(posts) == all_files()
    assert 20 <= len(posts) <= 30


def test_every_file_parses_to_a_titled_post(posts: dict[str, Post]) -> None:
    for rel, post in posts.items():
        assert post.title, rel
        assert "title taken from file name" not in post.problems, rel
        for problem in post.problems:
            assert not problem.startswith(("unreadable", "binary", "invalid date")), (rel, problem)


def test_metadata_only_parse_agrees_with_full_parse(posts: dict[str, Post]) -> None:
    for rel, post in posts.items():
        assert parse_file(SAMPLES, rel, with_body=False).post == post, rel


def test_bodies_are_not_empty() -> None:
    for rel in all_files():
        assert parse_file(SAMPLES, rel).body.strip(), rel


def test_broken_yaml_post_recovers_its_title(posts: dict[str, Post]) -> None:
    post = posts[BROKEN_YAML]
    assert post.title == "C:\\Users 里的秘密：一次数据恢复的经历"
    assert post.problems[0].startswith("front matter YAML did not parse; recovered ")
    assert post.date is not None and post.date.utcoffset() == timedelta(hours=8)
    assert post.tags == ("技术", "数据")


def test_gbk_post_recovers_its_title(posts: dict[str, Post]) -> None:
    raw = (SAMPLES / GBK).read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    post = posts[GBK]
    assert post.title == "老茶馆的最后一个春天"
    assert post.problems == ("decoded as gb18030",)


def test_files_are_small() -> None:
    for rel in all_files():
        assert (SAMPLES / rel).stat().st_size < 6 * 1024, rel


def test_dates_spread_over_2014_to_2024_with_shared_days(posts: dict[str, Post]) -> None:
    dated = [post for post in posts.values() if post.date is not None]
    years = {post.date.year for post in dated if post.date}
    assert years == set(range(2014, 2025))
    days = Counter(post.date.date() for post in dated if post.date)
    assert sum(1 for count in days.values() if count >= 2) >= 3
    assert max(days.values()) >= 3
    assert any(post.date is None for post in posts.values())  # one undated post sorts last


def test_newest_post_has_a_distinctive_title(posts: dict[str, Post]) -> None:
    newest = max(posts.values(), key=lambda post: post.timestamp)
    assert "Kelp Island" in newest.title
    assert sum("Kelp Island" in post.title for post in posts.values()) == 1


def test_covers_the_formats_the_app_must_handle(posts: dict[str, Post]) -> None:
    rels = list(posts)
    assert any(rel.endswith(".markdown") for rel in rels)
    assert any(rel.endswith(".html") for rel in rels)
    values = list(posts.values())
    offsets = {post.date.utcoffset() for post in values if post.date}
    assert {timedelta(0), timedelta(hours=1), timedelta(hours=2), timedelta(hours=8)} <= offsets
    assert any(post.extra.get("comments") == "True" for post in values)
    assert any("title taken from heading" in post.problems for post in values)
    assert any("date taken from <!--timestamp--> comment" in post.problems for post in values)
    assert any(len(post.tags) >= 2 for post in values)
    assert any(len(post.categories) >= 2 for post in values)
    assert len({post.source for post in values if post.source}) >= 10
    chinese = [post for post in values if any("\u4e00" <= char <= "\u9fff" for char in post.title)]
    assert 8 <= len(chinese) <= len(values) - 8


def test_raw_text_shapes() -> None:
    texts = {rel: (SAMPLES / rel).read_bytes().decode("utf-8", "replace") for rel in all_files()}
    joined = "\n".join(texts.values())
    assert "date: 2021-06-24\n" in joined  # a bare date
    assert "T12:00:00Z" in joined or ":00Z\n" in joined  # a ...Z date
    assert "+02:00\n" in joined
    assert "comments: True" in joined
    seed = [text for text in texts.values() if "<!--" in text and "\n------\n" in text]
    assert len(seed) >= 3
    assert any("ad-section" in text and "subscribe" in text for text in seed)
    scrape = [text for text in texts.values() if "<nav" in text]
    assert scrape and all(
        part in scrape[0]
        for part in ("<header", "<script", "<style", "share", "related", "<footer")
    )
    assert any("```" in text for text in texts.values())
    assert any("| ---" in text for text in texts.values())
    assert any(not text.startswith("---") for text in texts.values())
