"""The app in small and plain terminals: 60x20 and 80x24, NO_COLOR, 16 colours, wide text, CLI flags."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from rich.cells import cell_len, split_graphemes
from rich.color import ColorSystem
from textual.widget import Widget

from tests.conftest import workers_done, write_post
from tui import __version__, cli
from tui.app import NewsApp
from tui.config import Config
from tui.model import Post
from tui.repository import Repository
from tui.screens.reader import ReaderScreen
from tui.text import clean_line, truncate_cells
from tui.widgets.article import ArticleView
from tui.widgets.key_bar import KeyBar
from tui.widgets.post_table import PostTable

ROOT = Path(__file__).resolve().parent.parent
SMALL = {"60x20": (60, 20), "80x24": (80, 24)}

FAMILY = "👨\u200d👩\u200d👧\u200d👦"  # one grapheme, two cells, seven code points
WIDE_POSTS = [
    # (title, author, tags); the first tag starts with "T:" so the tags column can be found.
    ("美媒：蚂蚁集团商议与国有企业共享数据宝库", "联合早报", '[ "T:联合早报", 中国 ]'),
    ("Café au lait ☕ and crème brûlée 🍮", "Zoë Ünal", '[ "T:Food 🍜", Paris ]'),
    (f"Family trip {FAMILY} to 東京 🇯🇵 ❤️ " * 3, f"王小明 {FAMILY}", f'[ "T:旅行 {FAMILY}", "🇯🇵" ]'),
    ("ｶﾀｶﾅ half-width and ＦＵＬＬＷＩＤＴＨ letters", "ｱｲｳ", '[ "T:ＡＢＣ", x ]'),
    ("Combining: e\u0301 a\u0308 o\u0302 n\u0303 " * 4, "Ḿ\u0301arta", '[ "T:e\u0301", "ü" ]'),
    (
        "👍🏽 Thumbs with skin tone, 🏳️\u200d🌈 flag, 1️⃣ keycap",
        "😀😀😀😀😀😀😀😀",
        '[ "T:😀", "✅" ]',
    ),
]


def make_app(root: Path, config: Config | None = None) -> NewsApp:
    return NewsApp(Repository(root), config or Config())


async def settle(app: NewsApp, pilot, timers: bool = True) -> None:
    """Wait for the preview and sparkline timers, then for the loading and rendering workers."""
    if timers:
        await pilot.pause(0.05)
    for _ in range(3):
        await workers_done(app)
        await pilot.pause()


def screen_lines(app: NewsApp) -> list[str]:
    """The terminal's text as a user sees it, one string per row."""
    # The compositor is private, but it is exactly what the driver writes to the terminal.
    return ["".join(s.text for s in strip) for strip in app.screen._compositor.render_strips()]


def table_lines(table: PostTable) -> list[str]:
    """The header and every drawn post row (the table is short enough to show them all)."""
    return [table.render_line(y).text for y in range(len(table.posts) + 1)]


@pytest.fixture(autouse=True)
def _no_delays(no_delays: None) -> None:
    """Every test here: timers fire at once (see conftest.no_delays)."""


@pytest.fixture
def wide(tmp_path: Path) -> Path:
    root = tmp_path / "wide"
    for n, (title, author, tags) in enumerate(WIDE_POSTS):
        write_post(
            root,
            f"2024/05/2024-05-{n + 1:02d}-post.md",
            title,
            f"2024-05-{n + 1:02d}T08:00:00Z",
            author=author,
            tags=tags,
            **{"from": f"https://{n}.example/{n}"},
        )
    return root


# ------------------------------------------------------------------------- small terminals


@pytest.mark.parametrize("size", SMALL.values(), ids=SMALL.keys())
async def test_usable_in_a_small_terminal(sample: Path, size: tuple[int, int]) -> None:
    app = make_app(sample)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        screen = app.screen
        table = screen.query_one(PostTable)
        assert table.size.width > 0 and table.size.height >= 3  # header and two rows at least

        lines = screen_lines(app)
        assert len(lines) == size[1]
        assert all(cell_len(line) == size[0] for line in lines)
        # The newest posts' titles are on screen (cut to the column, but there).
        shown = "\n".join(lines)
        for post in table.posts[:2]:
            assert post.title[:12] in shown
        assert "/ Filter" in lines[-1]  # the footer shows keys

        # Nothing overlaps: the header, filter, table, preview and footer each get their own rows.
        parts: list[Widget] = [
            screen.query_one("#header"),
            screen.query_one("#filter"),
            table,
            screen.query_one("#preview"),
            screen.query_one(KeyBar),
        ]
        for part in parts:
            assert part.region.width > 0 and part.region.height > 0, part
            assert screen.region.contains_region(part.region), part
        for i, one in enumerate(parts):
            for other in parts[i + 1 :]:
                assert not one.region.overlaps(other.region), (one, other)

        await pilot.press("enter")
        await settle(app, pilot, timers=False)
        assert isinstance(app.screen, ReaderScreen)
        article = app.screen.query_one(ArticleView)
        assert article.size.height > size[1] // 2
        lines = screen_lines(app)
        assert "Back" in lines[-1]
        assert "The lighthouse on Kelp Island" in "\n".join(lines)  # the body, not only its header
        await pilot.press("escape")
        assert app.screen.query_one(PostTable) is table


@pytest.mark.parametrize("size", SMALL.values(), ids=SMALL.keys())
async def test_help_and_quit_are_in_the_footer(sample: Path, size: tuple[int, int]) -> None:
    app = make_app(sample)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        footer = screen_lines(app)[-1]
        assert "? Help" in footer and "q Quit" in footer


# ------------------------------------------------------------------------- colours


async def test_no_color(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(sample)
    assert app.no_color
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert table.posts[0].title[:12] in "\n".join(screen_lines(app))
        # Without colour the cursor is reverse video, so it can still be seen.
        assert all(segment.style and segment.style.reverse for segment in table.render_line(1))
        assert not any(segment.style and segment.style.reverse for segment in table.render_line(2))


async def test_plain_xterm(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert table.posts[0].title[:12] in "\n".join(screen_lines(app))
        # In 16 colours the cursor row still stands out from the other rows.
        cursor, row = table.render_line(1), table.render_line(2)
        assert _background16(cursor) != _background16(row)


async def test_selection_shows_in_16_colours(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await pilot.press("x", "x")  # select the first two rows; the cursor is on the third
        selected, plain = table.render_line(1), table.render_line(4)
        styled = any(s.style and (s.style.underline or s.style.reverse) for s in selected)
        assert styled or _background16(selected) != _background16(plain)


def _background16(strip) -> set[int | None]:
    """The ANSI colour numbers a 16-colour terminal would paint behind these cells."""
    return {
        segment.style.bgcolor.downgrade(ColorSystem.STANDARD).number
        if segment.style and segment.style.bgcolor
        else None
        for segment in strip
    }


# ------------------------------------------------------------------------- wide text


@pytest.mark.parametrize("size", [(80, 24), (120, 30)], ids=["80x24", "120x30"])
async def test_wide_characters_and_emoji_align(wide: Path, size: tuple[int, int]) -> None:
    app = make_app(wide, Config(columns=["marks", "date", "author", "title", "tags"]))
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await pilot.press("z")  # the preview away: the table gets the whole width
        table = app.screen.query_one(PostTable)
        assert len(table.posts) == len(WIDE_POSTS)
        lines = table_lines(table)
        width = table.scrollable_content_region.width
        assert [cell_len(line) for line in lines] == [width] * len(lines)

        # Every column starts at the same cell in every row as its label in the header.
        header, rows = lines[0], lines[1:]
        finders: dict[str, Callable[[Post], str]] = {
            "Author": lambda post: clean_line(post.author)[:3],
            "Title": lambda post: clean_line(post.title)[:4],
            "Tags": lambda post: "T:",
        }
        shown = [label for label in finders if label in header]
        assert "Title" in shown and (size[0] < 120 or shown == ["Author", "Title", "Tags"])
        for label in shown:
            start = cell_len(header[: header.index(label)])
            for post, line in zip(table.posts, rows, strict=True):
                text = finders[label](post)
                assert cell_len(line[: line.index(text)]) == start, (label, line)


def test_titles_are_cut_between_graphemes() -> None:
    title = FAMILY * 20
    boundaries = {end for _, end, _ in split_graphemes(title)[0]}
    for width in range(3, 30):
        cut = truncate_cells(title, width)
        assert cut.endswith("…")
        assert len(cut) - 1 in boundaries, (width, cut)
        assert cell_len(cut) >= width - 1, (width, cut)


# ------------------------------------------------------------------------- command line


def test_no_mouse_is_accepted(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runs: list[dict] = []
    monkeypatch.setattr(cli, "_check_terminal", lambda: None)
    monkeypatch.setattr(NewsApp, "run", lambda self, **kwargs: runs.append(kwargs))
    assert cli.main(["--no-mouse", str(sample)]) == 0
    assert cli.main([str(sample)]) == 0
    assert [run.get("mouse") for run in runs] == [False, True]


def test_unknown_option_is_refused(sample: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["--no-such-option", str(sample)])
    assert exit_info.value.code == 2
    assert "unrecognized arguments: --no-such-option" in capsys.readouterr().err


def _newstui(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tui", *args],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
        stdin=subprocess.DEVNULL,
    )


def test_help_prints_usage() -> None:
    done = _newstui("--help")
    assert done.returncode == 0, done.stderr
    assert "newstui [PATH]" in done.stdout
    assert "--no-mouse" in done.stdout and "--version" in done.stdout


def test_version() -> None:
    done = _newstui("--version")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"newstui {__version__}"
