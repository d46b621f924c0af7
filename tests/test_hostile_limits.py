"""Huge posts and small leaks (issue 21): what the indexer and the reader hold of a huge post is capped,
bidi marks never reach the screen, a seed title's Markdown escapes do not show, and every import is
declared."""

from __future__ import annotations

import tomllib
from pathlib import Path

from tests.conftest import ROOT
from tui.files.parse import parse_file
from tui.index import fulltext
from tui.model import Post
from tui.render import render_post
from tui.repository import Repository
from tui.text import clean, clean_line


def huge_post(root: Path, megabytes: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "huge.md"
    with open(path, "w", encoding="utf-8") as out:
        out.write("---\ntitle: Huge\ndate: 2021-06-24\n---\n")
        line = "<p>" + "巴黎 " * 100 + "</p>\n"
        for _ in range(megabytes * (1 << 20) // len(line.encode())):
            out.write(line)
        out.write("<p>THE-END-MARKER</p>\n")
    return path


def test_parse_file_reads_only_up_to_the_cap(tmp_path: Path) -> None:
    path = huge_post(tmp_path, 3)
    for cap in range((1 << 20) - 3, (1 << 20) + 1):  # cut inside a character, or not
        parsed = parse_file(path.parent, path.name, max_bytes=cap)
        assert cap - 3 <= parsed.cut_at <= cap
        assert len(parsed.body.encode()) <= cap
        assert parsed.post.problems == ()  # still UTF-8: not "decoded as gb18030"
        assert parsed.body.rstrip().endswith(("巴", "黎", " ", "<p>", "</p>"))
    assert parsed.post.title == "Huge" and parsed.size == path.stat().st_size
    whole = parse_file(path.parent, path.name)
    assert whole.cut_at == 0 and "THE-END-MARKER" in whole.body


def test_indexer_and_reader_cap_a_huge_post(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "posts"
    huge_post(root, 3)
    monkeypatch.setattr(fulltext, "INDEX_BYTES", 1 << 20)
    text = fulltext.indexed_text(str(root), "huge.md")
    assert len(text.encode()) <= 1 << 20 and "巴黎" in text
    assert "the-end-marker" not in text
    monkeypatch.setattr("tui.repository.READER_BYTES", 1 << 20)
    repo = Repository(root)
    repo.refresh()
    rendered = repo.render(repo.posts[0] if repo.posts else repo.cache.load()[0])
    assert any("only its first 1 MB was read" in note for note in rendered.notes)
    assert "only its first" in rendered.markdown  # the reader says so in the post itself
    repo.close()


def test_bidi_marks_are_removed() -> None:
    marks = "\u200eLRM \u200fRLM \u061cALM"
    assert clean_line(marks) == "LRM RLM ALM"
    assert clean(marks) == "LRM RLM ALM"


def test_seed_title_escapes_do_not_show() -> None:
    body = "[——\\‹青年论坛\\>纪事》](https://example.com/a)\n------\n<p>text</p>"
    rendered = render_post(Post(id="x", path="x.md", title="t", date=None), body)
    heading = rendered.markdown.splitlines()[0]
    assert heading == "# [——‹青年论坛\\>纪事》](https://example.com/a)"  # \> shows as >


def test_pyyaml_is_declared() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert any(dep.lower().startswith("pyyaml") for dep in project["dependencies"])
