"""Finding things from the command line in an archive written in both Chinese scripts: one search
for 台湾 and 台灣, in every field and in bodies, and `newstui list --sort`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import write_post
from tui.chinese import fold
from tui.model import url_host

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

import generate  # noqa: E402  (bench/ is a folder of scripts, not a package)

NEWSTUI = Path(sys.executable).parent / "newstui"


@pytest.fixture(scope="module")
def both_scripts(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Generated posts, half of them converted to Traditional Chinese by OpenCC, and three that
    discuss 香港问题 (the generator's vocabulary has no 问题)."""
    root = tmp_path_factory.mktemp("both") / "posts"
    generate.generate(root, 80, seed=3, traditional=0.5)
    body = "<p>评论：{}的由来。</p>"
    write_post(root, "x/a.md", "评论", "2024-01-02", body.format("香港问题"))
    write_post(root, "x/b.md", "評論", "2024-01-03", body.format("香港問題"))
    write_post(root, "x/c.md", "評論", "2024-01-04", body.format("香港問题"))  # mixed
    return root


def newstui_list(root: Path, *args: str) -> list[str]:
    command = [str(NEWSTUI), "list", str(root), *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout.splitlines()


def scan(root: Path, words: str) -> set[str]:
    """The files whose text holds words, whatever the script of either (a brute-force grep)."""
    term = fold(words)
    return {str(p) for p in root.rglob("*.md") if term in fold(p.read_text(encoding="utf-8"))}


@pytest.mark.parametrize(
    "simplified, traditional, seen",
    [
        ("台湾 OR 经济 OR 选举", "台灣 OR 經濟 OR 選舉", ("经济", "經濟")),
        ("台湾 OR 经济 OR 选举", "臺灣 OR 經濟 OR 選舉", ("经济", "經濟")),
        ("body:香港问题", "body:香港問題", ("香港问题", "香港問題")),
        ("body:经济", "body:經濟", ("经济", "經濟")),
    ],
)
def test_one_search_for_both_scripts(
    both_scripts: Path, simplified: str, traditional: str, seen: tuple[str, str]
) -> None:
    found = newstui_list(both_scripts, f"--query={simplified}", "--format", "paths")
    assert found == newstui_list(both_scripts, f"--query={traditional}", "--format", "paths")
    texts = [Path(path).read_text(encoding="utf-8") for path in found]
    assert any(seen[0] in text for text in texts), "no post in Simplified"
    assert any(seen[1] in text for text in texts), "no post in Traditional"
    if simplified.startswith("body:"):
        assert set(found) == scan(both_scripts, simplified.removeprefix("body:"))


def test_sort_by_title_and_reversed(both_scripts: Path) -> None:
    def rows(*args: str) -> list[dict]:
        return json.loads("\n".join(newstui_list(both_scripts, "--format", "json", *args)))

    def dates(found: list[dict]) -> list[datetime]:
        return [datetime.fromisoformat(row["date"]) for row in found]

    newest = rows()
    assert dates(newest) == sorted(dates(newest), reverse=True)
    assert rows("--sort", "date") == newest
    by_title = rows("--sort", "title")
    titles = [fold(row["title"]) for row in by_title]
    assert titles == sorted(titles)
    assert [fold(row["title"]) for row in rows("--sort=-title")] == sorted(titles, reverse=True)
    oldest = rows("--sort=-date", "--query=台灣")
    assert dates(oldest) == sorted(dates(oldest)) and len(oldest) > 1
    sources = [url_host(row["url"]) for row in rows("--sort", "source", "--query", "香港")]
    assert sources == sorted(sources) and len(set(sources)) > 1


def test_a_bad_sort_is_one_line_and_status_2(both_scripts: Path) -> None:
    command = [str(NEWSTUI), "list", str(both_scripts), "--sort", "size"]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [
        "newstui: bad --sort: takes date, title, source, author, or one of them after -"
    ]
