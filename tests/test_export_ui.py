"""The export dialog through the Pilot: format and name, refused names keep it open, keys stay in it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Input, Static

from tui.screens.export import ExportRequest, ExportScreen


class Below(Screen[None]):
    """A screen with the main screen's triage keys, recording any that reach it."""

    BINDINGS = [Binding(key, f"leak('{key}')") for key in ("q", "r", "s", "e", "u", "x", "A")]

    def __init__(self) -> None:
        super().__init__()
        self.leaked: list[str] = []

    def action_leak(self, key: str) -> None:
        self.leaked.append(key)


class DialogApp(App[None]):
    def __init__(self, screen: ExportScreen) -> None:
        super().__init__()
        self.dialog = screen
        self.below = Below()
        self.result: ExportRequest | None | str = "open"

    def on_mount(self) -> None:
        self.push_screen(self.below)
        self.push_screen(self.dialog, self._done)

    def _done(self, result: ExportRequest | None) -> None:
        self.result = result

    @property
    def leaked(self) -> list[str]:
        return self.below.leaked


async def test_choose_format_and_name(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    app = DialogApp(ExportScreen("3 selected posts", posts, start=tmp_path / "a.epub"))
    async with app.run_test() as pilot:
        await pilot.pause()
        name = app.screen.query_one("#export-path", Input)
        assert app.screen.focused is name and name.value == str(tmp_path / "a.epub")
        await pilot.press("tab", "right", "right")  # Markdown: the arrows choose at once
        await pilot.pause()
        assert name.value == str(tmp_path / "a.md")
        await pilot.press("left")
        await pilot.pause()
        assert name.value == str(tmp_path / "a.html")
        await pilot.press("enter")  # from the formats, as from the name
        await pilot.pause()
    assert app.result == ExportRequest("html", tmp_path / "a.html")
    assert app.leaked == []


async def test_refused_name_keeps_the_dialog_and_the_keys(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    app = DialogApp(ExportScreen("the 10 posts shown", posts, start=posts / "x.epub"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("enter")  # inside the posts folder: refused
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        hint = str(app.screen.query_one("#export-hint", Static).render())
        assert "inside the posts folder" in hint
        name = app.screen.query_one("#export-path", Input)
        name.value = "/nonexistent-newstui/"
        name.cursor_position = len(name.value)
        await pilot.press(*"qrseuxA", "question_mark", "enter")  # into the name, not commands
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "no such folder" in str(app.screen.query_one("#export-hint", Static).render())
        assert name.value == "/nonexistent-newstui/qrseuxA?"
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
    assert app.leaked == []


async def test_an_existing_file_is_replaced_only_when_asked_twice(tmp_path: Path) -> None:
    posts = tmp_path / "posts"
    posts.mkdir()
    (tmp_path / "old.md").write_text("mine")
    app = DialogApp(ExportScreen("1 selected post", posts, start=tmp_path / "old.epub"))
    async with app.run_test() as pilot:
        await pilot.pause()
        await pilot.press("tab", "right", "right", "enter")  # old.md, which exists
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        assert "Enter again" in str(app.screen.query_one("#export-hint", Static).render())
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == ExportRequest("md", tmp_path / "old.md")


async def test_app_exports_the_selection_else_the_posts_shown(tmp_path: Path) -> None:
    from tests.conftest import write_post
    from tests.test_app import make_app, settle
    from tui.screens.export import ExportProgress

    root = tmp_path / "posts"
    for n, title in enumerate(("Alpha harbour", "Beta [bold]market[/]", "Gamma harbour")):
        write_post(root, f"2021/post-{n}.md", title, f"2021-06-{10 + n:02d}")
    out = tmp_path / "out"
    out.mkdir()
    app = make_app(root)
    said: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
        await settle(app, pilot)
        await pilot.press("x", "x", "E")  # the two newest selected (x moves down)
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ExportScreen) and dialog.what == "2 selected posts"
        dialog.query_one("#export-path", Input).value = str(out / "two.epub")
        await pilot.press("tab", "right", "enter")  # HTML
        await settle(app, pilot)
        assert not app.screen.query(ExportProgress)  # gone when done
        page = (out / "two.html").read_text()
        assert page.count("<article ") == 2 and "Beta [bold]market[/]" in page
        assert said[-1] == f"Exported 2 posts to {out / 'two.html'}"
        await pilot.press("escape", "slash", *"harbour", "enter", "E")  # nothing selected
        await pilot.pause()
        assert app.screen.what == "the 2 posts shown"
        app.screen.query_one("#export-path", Input).value = str(out / "shown.md")
        await pilot.press("enter")
        await settle(app, pilot)
        text = (out / "shown.md").read_text()
        assert "Alpha harbour" in text and "Gamma harbour" in text and "Beta" not in text
        assert said[-1] == f"Exported 2 posts to {out / 'shown.md'}"


async def test_palette_offers_export_and_a_failure_keeps_the_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import write_post
    from tests.test_app import make_app, settle
    from tui import export
    from tui.screens.export import ExportProgress

    root = tmp_path / "posts"
    write_post(root, "2021/a.md", "A post", "2021-06-10")

    def boom(root: Path, rel: str, number: int) -> export.Chapter:
        raise RuntimeError("boom")

    monkeypatch.setattr(export, "xhtml_chapter", boom)
    app = make_app(root)
    said: list[str] = []
    async with app.run_test(size=(100, 30)) as pilot:
        app.notify = lambda message, **kw: said.append(str(message))  # type: ignore[method-assign]
        await settle(app, pilot)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        assert "export" in commands["Export"].help
        await commands["Export"].callback()  # as the palette runs it
        await pilot.pause()
        assert isinstance(app.screen, ExportScreen)
        app.screen.query_one("#export-path", Input).value = str(tmp_path / "x.epub")
        await pilot.press("enter")
        await settle(app, pilot)
        assert app.is_running and not app.screen.query(ExportProgress)
        assert said[-1] == "export failed: RuntimeError: boom"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts"]
