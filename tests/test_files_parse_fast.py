"""The hand-written reader of simple front matter must give exactly what YAML's base loader gives."""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.hostile import make_hostile_corpus
from tui.files import parse_file

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

parse = importlib.import_module("tui.files.parse")

SEED_FM = """layout: post
title: "美媒：蚂蚁集团商议与国有企业共享数据宝库"
date: 2021-06-24T14:35:32.226Z
author: 联合早报
from: https://www.zaobao.com/realtime/china/story20210624-1160488
tags: [ 联合早报 ]
categories: [ 联合早报 ]
comments: True
"""


def by_yaml(fm: str) -> object:
    try:
        return yaml.load(fm, Loader=parse._YAML_LOADER)
    except yaml.YAMLError:
        return "YAML error"


def assert_same(fm: str) -> None:
    fast = parse._simple_yaml(fm)
    if fast is not None:
        assert fast == by_yaml(fm), repr(fm)


@pytest.mark.parametrize(
    "fm",
    [
        SEED_FM,
        SEED_FM.replace("\n", "\r\n"),
        "title: 'it''s'\n",
        "title: a: b\n",
        "title: a #b\n",
        "title: a#b\nx: 'a\\b'\n",
        'title: "a\\"b"\n',
        "tags: [a, b, ]\nc: []\nd: [ ]\ne: ['x', \"y z\"]\n",
        "tags: [a,,b]\n",
        "empty:\nnull: ~\nno: no\nn: 010\n",
        "k: v\nk: w\n",
        "title: |\n  block\n",
        "list:\n- a\n- b\n",
        "a: &x 1\nb: *x\n",
        "title: x \u2028 y\n",
        "title: x\x85y\n",
        "title: \ufeffx\n",
        "title: x\t\n",
        "title: x:\n",
        "title: -x\n",
        "\n\n",
        "# comment\ntitle: x\n",
        "k" * 1030 + ": v\n",
        "k" * 100 + ": v\n",
    ],
)
def test_fast_path_agrees_with_yaml(fm: str) -> None:
    assert_same(fm)


def test_fast_path_takes_the_common_shape() -> None:
    # Else the equality tests above would pass by never taking the fast path.
    meta = parse._simple_yaml(SEED_FM)
    assert meta is not None
    assert meta["tags"] == ["联合早报"]
    assert meta["comments"] == "True"
    assert parse._simple_yaml(SEED_FM.replace("\n", "\r\n")) == meta


def test_fast_path_leaves_what_it_cannot_read_to_yaml() -> None:
    for fm in (
        "t: |\n  x\n",
        "t: &a x\n",
        't: "a\\q"\n',
        "t:\n  - x\n",
        "t: a\n  b\n",
        "t: {a: 1}\n",
    ):
        assert parse._simple_yaml(fm) is None, fm


KEYS = st.sampled_from(["title", "date", "tags", "a-b", "x_1", "Title", "true", "no", "k"])
# Characters that mean something to YAML somewhere, with ordinary ones and CJK.
CHARS = st.sampled_from(
    list("ab Z09-?:,[]{}#&*!|>'\"%@`\\/.~ ")
    + ["\t", "\r", "\x85", "\u2028", "\ufeff", "中", "：", "\x7f"]
)
VALUES = st.one_of(
    st.text(CHARS, max_size=12),
    st.text(CHARS, max_size=10).map(lambda s: f'"{s}"'),
    st.text(CHARS, max_size=10).map(lambda s: f"'{s}'"),
    st.lists(st.text(CHARS, max_size=6), max_size=4).map(lambda xs: "[" + ",".join(xs) + "]"),
    st.lists(st.text(CHARS, max_size=6), max_size=4).map(lambda xs: "[ " + ", ".join(xs) + " ]"),
)
LINES = st.one_of(
    st.tuples(KEYS, st.sampled_from([": ", ":", ":  ", " : "]), VALUES).map("".join),
    st.text(CHARS, max_size=8),
)


@settings(max_examples=1500, deadline=None)
@given(st.lists(LINES, min_size=1, max_size=6), st.sampled_from(["\n", "\r\n"]))
@example(["title: a", "tags: [ b ]"], "\n")
def test_fast_path_agrees_with_yaml_on_variants(lines: list[str], newline: str) -> None:
    assert_same(newline.join(lines) + newline)


def parse_tree(root: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[object], list[object]]:
    rels = sorted(
        os.path.relpath(os.path.join(folder, name), root)
        for folder, _, names in os.walk(root)
        for name in names
        if not os.path.islink(os.path.join(folder, name))
    )
    assert rels
    fast = [parse_file(root, rel, with_body=body) for rel in rels for body in (False, True)]
    monkeypatch.setattr(parse, "_simple_yaml", lambda fm: None)
    slow = [parse_file(root, rel, with_body=body) for rel in rels for body in (False, True)]
    return fast, slow


def test_generated_corpus_gives_the_same_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    generate.generate(tmp_path, 300, seed=3)
    fast, slow = parse_tree(tmp_path, monkeypatch)
    assert fast == slow


def test_hostile_corpus_gives_the_same_posts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_hostile_corpus(tmp_path / "posts")
    fast, slow = parse_tree(tmp_path / "posts", monkeypatch)
    assert fast == slow
