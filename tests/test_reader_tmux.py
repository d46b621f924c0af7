"""The reader as a pager, end to end in tmux at 80x24: search, n, Space on, numbered images."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from tests.conftest import write_post
from tests.tmux import Tmux, have_tmux, showing

pytestmark = [pytest.mark.e2e, pytest.mark.skipif(not have_tmux(), reason="needs tmux")]

NEWSTUI = Path(sys.executable).parent / "newstui"
PARAGRAPHS = "".join(
    f"<p>第{n}段：港口的工程还在继续，工人们每天早上六点开工。</p>" for n in range(40)
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(
        root,
        "2024/03/2024-03-03-long.md",
        "一篇很长的报道",
        "2024-03-03T08:00:00Z",
        PARAGRAPHS + "<p>渡轮码头终于开放了。</p>" + PARAGRAPHS[:400] + "<p>渡轮码头又见。</p>",
    )
    write_post(
        root,
        "2024/03/2024-03-02-pictures.md",
        "Pictures from the pier",
        "2024-03-02T08:00:00Z",
        "<p>The pier at dawn.</p>"
        '<p><img src="https://matters.news/@x/%E6%96%B0%E5%86%A0%E8%82%BA%E7%82%8E-1.jpg"></p>',
    )
    return root


def test_search_next_space_and_images(archive: Path, isolated_xdg: Path) -> None:
    env = {name: str(isolated_xdg / name) for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME")}
    env |= {"XDG_CACHE_HOME": str(isolated_xdg / "XDG_CACHE_HOME"), "TERM": "xterm-256color"}
    term = Tmux(f"{NEWSTUI} {archive}", size=(80, 24), env=env)
    try:
        term.wait_for("2 of 2 posts")
        term.send("Enter")
        term.wait_for("Top")  # the reader's position, in its header
        assert "渡轮码头" not in term.screen()  # three screens down
        term.send("/")
        term.type("渡轮码头")
        term.wait_for(showing("/渡轮码头: 1 of 2", "渡轮码头终于开放了"))
        term.send("Enter")
        term.send("n")
        term.wait_for(showing("/渡轮码头: 2 of 2", "渡轮码头又见"))
        term.send("Escape")  # clears the search
        term.wait_for(lambda screen: "/渡轮码头" not in screen)
        term.send("G")
        term.wait_for("Bot")
        term.send("Space")  # past the end: the next post (its brief notice: the Pilot tests)
        screen = term.wait_for("[image: 新冠肺炎-1.jpg] [1]")
        assert "2 of 2" in screen.splitlines()[0]
        term.send("1")
        screen = term.wait_for("Link 1")
        assert "matters.news/@x/新冠肺炎-1.jpg" in screen  # decoded for the eye
        term.send("Escape")
        term.send("q")
        term.wait_for("2 of 2 posts")
        term.send("q")
        assert term.exit_status() == 0
    finally:
        term.close()
