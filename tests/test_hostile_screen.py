"""What the screen shows of values that are not post text (issue 21): the cursor row in 16 colours, a
notification of Chinese text over the table/preview divider, the date column's format."""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.color import Color, ColorSystem

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tests.test_terminals import screen_lines
from tui.config import Config
from tui.widgets.post_table import PostTable


@pytest.fixture(autouse=True)
def _no_delays(no_delays: None) -> None:
    """Every test here: timers fire at once (see conftest.no_delays)."""


def _luminance(color: Color) -> float:
    def channel(value: int) -> float:
        value /= 255
        return value / 12.92 if value <= 0.03928 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = color.get_truecolor()
    return 0.2126 * channel(red) + 0.7152 * channel(green) + 0.0722 * channel(blue)


def contrast16(foreground: Color, background: Color) -> float:
    """The WCAG contrast ratio of two colours as a 16-colour terminal shows them."""
    fore, back = (
        _luminance(color.downgrade(ColorSystem.STANDARD)) for color in (foreground, background)
    )
    light, dark = max(fore, back), min(fore, back)
    return (light + 0.05) / (dark + 0.05)


@pytest.mark.parametrize("theme", ["", "nord", "textual-light"])
async def test_cursor_row_is_readable_in_16_colours(
    sample: Path, monkeypatch: pytest.MonkeyPatch, theme: str
) -> None:
    monkeypatch.setenv("TERM", "xterm")
    monkeypatch.delenv("COLORTERM", raising=False)
    app = make_app(sample, Config(theme=theme))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.console.color_system == "standard"
        table = app.screen.query_one(PostTable)
        for segment in table.render_line(1):  # the cursor row
            style = segment.style
            if segment.text.strip() and style and style.color and style.bgcolor:
                assert contrast16(style.color, style.bgcolor) >= 3, (segment.text, style)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_chinese_notification_over_the_divider(sample: Path, size) -> None:
    message = "Labels +待办 +重要 +新闻 +香港 +经济 +科技 +政治"
    app = make_app(sample)
    async with app.run_test(size=size, notifications=True) as pilot:
        await settle(app, pilot)
        app.notify(message, markup=False)
        await pilot.pause()
        await pilot.pause()
        lines = "".join(line.strip() for line in screen_lines(app))
        # The toast may wrap the words, but not a character may be lost.
        for word in message.split():
            assert word in lines.replace(" ", "") or word in lines, (word, screen_lines(app))


async def test_date_format_output_never_reaches_the_screen_raw(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    write_post(root, "a.md", "One", "2021-06-24")
    app = make_app(root, Config(date_format="%Y\x1b]2;DF\x07"))
    async with app.run_test(size=(100, 20)) as pilot:
        await settle(app, pilot)
        text = "".join(screen_lines(app))
        assert "2021" in text and "\x1b" not in text and "\x07" not in text


async def test_archive_in_the_reader_leaves_the_table_after_esc(sample: Path) -> None:
    app = make_app(sample)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        post = table.current_post
        shown = len(table.posts)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("e", "escape")
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        assert app.repo.state.get(post.id).archived
        assert post.path not in {p.path for p in table.posts}
        assert len(table.posts) == shown - 1


async def test_star_remapped_means_star_in_the_reader_too(sample: Path) -> None:
    app = make_app(sample, Config(keys={"star": "f"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        post = app.screen.query_one(PostTable).current_post
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("f")
        await pilot.pause()
        assert app.repo.state.get(post.id).starred


async def test_missing_theme_and_shadowing_remap_are_warned_not_fatal(sample: Path) -> None:
    config = Config(theme="nrod", keys={"star": "q", "nosuch": "z"})
    app = make_app(sample, config)
    notes: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
        notes.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert app.is_running
        await pilot.press("s")  # still star: the remap to q was refused
        await pilot.pause()
        post = app.screen.query_one(PostTable).current_post
        assert app.repo.state.get(post.id).starred
    text = "\n".join(notes)
    assert "'nrod' does not exist" in text and "nosuch" in text and "refused" in text


async def test_a_rebuilt_body_index_is_said_in_the_app(sample: Path) -> None:
    from tui.index.fulltext import default_db_path

    path = default_db_path(sample)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"SQLite format 3\x00" + b"\xde\xad" * 4000)  # damaged
    app = make_app(sample)
    notes: list[str] = []
    original = app.notify

    def notify(message, *args, **kwargs):  # type: ignore[no-untyped-def]
        notes.append(str(message))
        return original(message, *args, **kwargs)

    app.notify = notify  # type: ignore[method-assign]
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await settle(app, pilot)
    assert any("body search index was damaged" in note for note in notes), notes
