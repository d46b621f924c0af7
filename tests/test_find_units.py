"""Saved-search names in any script, and the orders posts can be sorted in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from tui.config import ConfigError, load, save_search
from tui.model import Post
from tui.query import parse
from tui.query.order import Order, parse_order, sort_posts
from tui.query.parser import search_name_problem


def test_saved_searches_with_chinese_names_read_back(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_search("胡平", "author:胡平", path)
    save_search("台灣要聞", "台灣 after:1w", path)
    save_search("a.b", "x", path)
    save_search("胡平", "author:胡平 OR 胡平", path)  # replaces, never duplicates
    config = load(path)
    assert config.problem is None
    assert config.searches == {
        "胡平": "author:胡平 OR 胡平",
        "台灣要聞": "台灣 after:1w",
        "a.b": "x",
    }
    query = parse("(@胡平) @台灣要聞", saved=config.searches)
    assert query == parse("(author:胡平 OR 胡平) (台灣 after:1w)")


@pytest.mark.parametrize("name", ["", "two words", "a)b", "tab\there", "bell\x07"])
def test_names_that_could_not_be_read_back_are_refused(tmp_path: Path, name: str) -> None:
    assert search_name_problem(name)
    with pytest.raises(ConfigError):
        save_search(name, "x", tmp_path / "config.toml")
    assert not (tmp_path / "config.toml").exists()


def test_parse_order() -> None:
    assert parse_order("title") == Order("title")
    assert parse_order(" -Date ") == Order("date", reverse=True)
    assert str(Order("source", True)) == "-source"
    with pytest.raises(ValueError, match="takes date, title, source, author"):
        parse_order("size")


def post(n: int, title: str, author: str = "", day: int = 1) -> Post:
    return Post(f"id{n}", f"{n}.md", title, datetime(2024, 1, day, tzinfo=UTC), author=author)


def test_sort_folds_case_and_script_and_keeps_ties_newest_first() -> None:
    posts = [
        post(1, "b", "甲", 4),
        post(2, "臺灣", "乙", 3),
        post(3, "A", "甲", 2),
        post(4, "台湾", day=1),
    ]
    # 臺灣 and 台湾 fold to the same key: they keep their order (newest first).
    assert [p.title for p in sort_posts(posts, Order("title"))] == ["A", "b", "臺灣", "台湾"]
    assert [p.title for p in sort_posts(posts, Order("date", True))] == ["台湾", "A", "臺灣", "b"]
    assert [p.path for p in sort_posts(posts, Order("author"))] == ["4.md", "2.md", "1.md", "3.md"]
    assert [p.path for p in sort_posts(posts, Order("author", True))] == [
        "1.md",
        "3.md",
        "2.md",
        "4.md",
    ]
