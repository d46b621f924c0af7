"""Finding things from the command line in an archive written in both Chinese scripts: one search
for 台湾 and 台灣, in every field and in bodies, and `newstui list --sort`."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest

from tests.conftest import SAMPLE_POSTS, write_post
from tests.tmux import Tmux, have_tmux, showing
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


@pytest.mark.e2e
@pytest.mark.skipif(not have_tmux(), reason="needs tmux")
def test_label_and_sorting_in_tmux(isolated_xdg: Path) -> None:
    """By keys only, at 80x24: label a post, find it by label: in the other script, sort by title
    and keep that order while filtering."""
    env = {
        name: str(isolated_xdg / name)
        for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME")
    }
    term = Tmux(f"{NEWSTUI} {SAMPLE_POSTS}", size=(80, 24), env={**env, "TERM": "xterm-256color"})
    try:
        term.wait_for("27 of 27 posts")
        term.send("/")
        term.type("台风")
        term.wait_for(" 1 of 27 posts")
        term.send("Enter")
        term.send("l")
        term.type("待讀")
        term.send("Enter")
        # The notification, once the dialog is gone: "待讀" shows in its input before Enter, and
        # an Escape sent while the dialog still closes is the dialog's, not the list's.
        term.wait_for(lambda s: "待讀" in s and "Labels for" not in s)
        term.send("Escape")  # clears the filter
        term.wait_for("27 of 27 posts")
        term.send("/")
        term.type("label:待读")
        term.wait_for(showing(" 1 of 27 posts", "台风来之前"))
        term.send("Escape")
        term.wait_for("27 of 27 posts")
        term.send("O")
        screen = term.wait_for("title A→Z")
        rows = [line for line in screen.splitlines() if line.startswith((" ●", " !", " ○"))]
        assert rows and "A Library That Lends Seeds" in rows[0]
        term.send("/")
        term.type("the")
        screen = term.wait_for(
            lambda s: "title A→Z" in s and "of 27 posts" in s and "27 of 27" not in s
        )
        term.send("q")
    finally:
        term.close()
