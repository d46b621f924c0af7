"""`newstui list --stories` and state import over an archive with copies: every file accounted for once."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.twins import FILES, STORIES, write_twins

NEWSTUI = Path(sys.executable).parent / "newstui"


@pytest.fixture
def twins(tmp_path: Path) -> Path:
    return write_twins(tmp_path / "posts")


def newstui(*args: str) -> str:
    """The installed command; isolated_xdg has put the XDG folders in its environment."""
    done = subprocess.run(
        [str(NEWSTUI), *args], capture_output=True, text=True, timeout=60, check=True
    )
    return done.stdout


def stories(root: Path, *more: str) -> list[dict]:
    return json.loads(newstui("list", str(root), "--stories", "--format", "json", *more))


def test_stories_json_accounts_for_every_file_exactly_once(twins: Path) -> None:
    rows = stories(twins)
    assert [row["title"] for row in rows] == STORIES
    every = [path for row in rows for path in [row["path"], *row["copies"]]]
    assert sorted(every) == sorted(rel for rel, *_ in FILES)
    by_title = {row["title"]: row for row in rows}
    assert by_title["Video: sixth upload"]["path"] == "_posts/2021-12-31-video.md"
    assert len(by_title["Video: sixth upload"]["copies"]) == 5
    assert by_title["Essay on harbours"]["copies"] == ["archived/2021-12-30/essay.md"]
    assert by_title["Lone market report"]["copies"] == []  # no url: a story of its own


def test_list_keeps_one_row_per_file(twins: Path) -> None:
    rows = json.loads(newstui("list", str(twins), "--format", "json"))
    assert [row["path"] for row in rows] == [rel for rel, *_ in FILES]
    assert all("copies" not in row for row in rows)


@pytest.mark.parametrize(
    ("query", "titles"),
    [
        ("market", ["Lone market report", "Market wrap"]),
        ("title:first", ["Video: sixth upload"]),  # found by its oldest copy's title
        ("path:archived/", ["Video: sixth upload", "Essay on harbours", "Market wrap"]),
        ("-path:archived/", ["Lone market report", "Other news"]),
        ("source:youtube.com", ["Video: sixth upload"]),
        ("on:2021-12-21", []),  # a story's date is its newest copy's
        ("after:2021-12-29", ["Video: sixth upload", "Essay on harbours"]),
    ],
)
def test_every_query_works_on_stories(twins: Path, query: str, titles: list[str]) -> None:
    assert [row["title"] for row in stories(twins, f"--query={query}")] == titles


def test_every_format_works_with_stories(twins: Path) -> None:
    paths = newstui("list", str(twins), "--stories", "--format", "paths").splitlines()
    assert paths == [f"{twins}/{row['path']}" for row in stories(twins)]
    table = newstui("list", str(twins), "--stories").splitlines()
    assert len(table) == len(STORIES) and "×6 Video: sixth upload" in table[0]
    assert "×" not in table[2]  # the lone post
    rows = list(csv.DictReader(io.StringIO(newstui("list", str(twins), "--stories", "-f", "csv"))))
    assert [row["title"] for row in rows] == STORIES
    assert rows[1]["copies"] == "archived/2021-12-30/essay.md"


def test_body_search_finds_a_story_by_any_copy(twins: Path) -> None:
    rows = stories(twins, "--query=body:archived/2021-12-21")
    assert [row["title"] for row in rows] == ["Video: sixth upload"]
    files = newstui("list", str(twins), "--query=body:archived/2021-12-21", "-f", "paths")
    assert files.splitlines() == [f"{twins}/archived/2021-12-21/video.md"]


def test_state_import_from_before_stories_reaches_every_copy(twins: Path, tmp_path: Path) -> None:
    # Keyed as newstui kept state before stories: by raw url, or by path without one.
    export = tmp_path / "old.json"
    entries = {
        "https://www.youtube.com/watch?v=abc123#t=30": {"archived": True, "labels": ["watch"]},
        "https://essay.example.org/2021/12/essay/": {"read": True, "starred": True},
        "_posts/2021-12-28-lone.md": {"read": True},
    }
    export.write_text(json.dumps({"version": 1, "posts": entries}), encoding="utf-8")
    newstui("state", "import", str(export))
    files = json.loads(newstui("list", str(twins), "--format", "json"))
    video = [row for row in files if "video" in row["path"]]
    assert len(video) == 6 and all(row["archived"] and row["labels"] == ["watch"] for row in video)
    essay = [row for row in files if "essay" in row["path"]]
    assert len(essay) == 2 and all(row["read"] and row["starred"] for row in essay)
    rows = stories(twins, "--query=is:unread -is:archived")
    assert [row["title"] for row in rows] == ["Market wrap", "Other news"]
    # The label is found on every copy by list, and once per story with --stories.
    assert len(json.loads(newstui("list", str(twins), "-q", "label:watch", "-f", "json"))) == 6
    assert len(stories(twins, "--query=label:watch")) == 1
