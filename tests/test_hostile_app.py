"""The app over the hostile corpus (Pilot): nothing crashes, titles show as text, links never open on their own."""

from __future__ import annotations

import subprocess
import sys
import webbrowser
from pathlib import Path

import pytest

from tests.conftest import workers_done
from tests.hostile import CLICK, FAKE_LINK, forbidden_in, make_hostile_corpus
from tests.test_app import make_app, settle
from tui import links
from tui.index.cache import default_db_path
from tui.locations import data_dir
from tui.screens.dialogs import LinkScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView
from tui.widgets.filter_bar import FilterBar
from tui.widgets.post_table import PostTable

SIZE = (200, 50)
# Posts of many thousand Markdown blocks, or one enormous paragraph: Textual's Markdown widget
# needs minutes for them (see test_post_of_many_paragraphs_opens_without_hanging), so the tour skips them.
HUGE = ("size/one_line.md", "size/many_elements.md", "size/big_markdown.md")
HANG_GUARD = 60  # seconds: a hang guard, not a speed requirement (a loaded CI machine is slow)

# Files opened while a test watches (an audit hook cannot be removed, so it is switched on and off).
_watch: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _watch is not None and event == "open" and args and isinstance(args[0], str | bytes):
        _watch.append(str(args[0]))


sys.addaudithook(_audit)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("hostile") / "posts"
    return root, make_hostile_corpus(root)


class Calls:
    """Everything that could start a browser or a program, recorded instead of run."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.browser: list[str] = []
        self.popen: list[object] = []
        self.notes: list[str] = []
        monkeypatch.setattr(
            webbrowser, "open", lambda url, *a, **k: self.browser.append(url) or True
        )

        real_popen = subprocess.Popen

        def popen(args, *a, **k):
            if isinstance(args, list) and "-printf" in args and args[0].endswith("find"):
                return real_popen(args, *a, **k)  # the index's folder check: tui.files.fingerprint
            if args == ["sha1sum"]:
                return real_popen(args, *a, **k)  # which hashes find's output there
            if isinstance(args, list) and args[1:3] == ["-m", "tui.watch"]:
                return real_popen(args, *a, **k)  # live reload's watching process (tui.watch)
            self.popen.append(args)
            raise OSError("no programs in tests")

        monkeypatch.setattr(subprocess, "Popen", popen)
        monkeypatch.setattr(links, "has_display", lambda: True)

    def watch_notify(self, app) -> None:
        original = app.notify

        def notify(message, *args, **kwargs):
            self.notes.append(str(message))
            return original(message, *args, **kwargs)

        app.notify = notify


async def settle_quickly(app, pilot) -> None:
    """settle() with one round less: a render thread, then the Markdown update it starts."""
    await workers_done(app)
    await pilot.pause()
    await workers_done(app)


def table_text(table: PostTable) -> str:
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_scroll_every_row_shows_titles_as_text(corpus, monkeypatch) -> None:
    root, expected = corpus
    calls = Calls(monkeypatch)
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("z")  # no preview: the title column gets the width
        table = app.screen.query_one(PostTable)
        assert sorted(post.path for post in table.posts) == sorted(expected)
        seen = [table_text(table)]
        for _ in range(len(table.posts)):
            await pilot.press("j")
            seen.append(table_text(table))
        await pilot.press("g")
        seen.append(table_text(table))
        await pilot.press("G")
        seen.append(table_text(table))
        text = "\n".join(seen)
        for title in (
            "[/]",
            "[bold red]not markup[/]",
            CLICK,
            FAKE_LINK,
            "$accent [on $error]x[/]",
        ):
            assert title in text
        assert forbidden_in(text) == []
        assert app.is_running
    assert calls.browser == [] and calls.popen == []


async def test_preview_and_reader_for_every_post(corpus, monkeypatch) -> None:
    """J in the reader steps through every post: the reader and the preview behind it render each."""
    global _watch
    root, expected = corpus
    calls = Calls(monkeypatch)
    monkeypatch.setattr("tui.screens.main.PREVIEW_DELAY", 0.001)
    app = make_app(root)
    _watch = []
    try:
        calls.watch_notify(app)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            app.screen.query_one(FilterBar).value = " ".join(f'-path:"{path}"' for path in HUGE)
            await pilot.pause()
            table = app.screen.query_one(PostTable)
            preview = app.screen.query_one("#preview", ArticleView)
            assert len(table.posts) == len(expected) - len(HUGE)
            await pilot.press("enter")
            for index in range(len(table.posts)):
                if index:
                    await pilot.press("J")
                await settle_quickly(app, pilot)
                post = table.current_post
                assert isinstance(app.screen, ReaderScreen), post.path
                article = app.screen.query_one(ArticleView)
                assert article.shown_key == post.path
                assert preview.shown_key[0] == post.path
                assert all(links.openable(url) for url in article.links), article.links
                assert forbidden_in(article.markdown) == [], post.path
                assert forbidden_in(article.text) == [], post.path
            await pilot.press("G", "escape", "g", "enter", "escape", "q")
            await pilot.pause()
    finally:
        opened, _watch = _watch, None
    assert app.return_code in (0, None)
    assert not [path for path in opened if "passwd" in path or "shadow" in path]
    assert calls.browser == [] and calls.popen == []
    assert all(forbidden_in(note) == [] for note in calls.notes)


async def _open_reader_at(app, pilot, path: str) -> ReaderScreen:
    table = app.screen.query_one(PostTable)
    table.move_to(next(i for i, post in enumerate(table.posts) if post.path == path))
    await pilot.press("enter")
    await settle(app, pilot)
    assert isinstance(app.screen, ReaderScreen)
    return app.screen


async def test_numbered_links_go_through_the_link_screen(corpus, monkeypatch) -> None:
    root, _ = corpus
    calls = Calls(monkeypatch)
    app = make_app(root)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        reader = await _open_reader_at(app, pilot, "links/local.md")
        targets = reader.article.links
        assert "https://example.com/ok" in targets
        assert all(links.openable(url) for url in targets)
        for number in range(1, len(targets) + 1):
            await pilot.press(str(number))  # under 10 links: one digit opens at once
            assert isinstance(app.screen, LinkScreen)
            await pilot.press("o")
            await pilot.pause()
        assert calls.browser == targets
        assert calls.popen == []


async def test_local_links_are_refused_and_nothing_is_clickable(corpus, monkeypatch) -> None:
    global _watch
    root, _ = corpus
    calls = Calls(monkeypatch)
    app = make_app(root)
    _watch = []
    try:
        calls.watch_notify(app)
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            reader = await _open_reader_at(app, pilot, "links/local.md")
            # The reader draws plain lines: no segment carries a link a click could follow.
            segments = [seg for line in reader.article._lines for seg in line]
            assert segments and not any(seg.style and seg.style.link for seg in segments)
            for href in ("/etc/passwd", "file:///etc/passwd", "javascript:alert(1)"):
                app.services.confirm_link(href)
                await pilot.pause()
                assert isinstance(app.screen, LinkScreen)
                await pilot.press("o")
                await pilot.pause()
                assert not isinstance(app.screen, LinkScreen)
            assert app.is_running
    finally:
        opened, _watch = _watch, None
    assert calls.browser == [] and calls.popen == []
    assert sum("Only http" in note for note in calls.notes) == 3
    assert not [path for path in opened if "passwd" in path]


async def test_post_url_that_is_not_web_is_not_opened(corpus, monkeypatch) -> None:
    root, _ = corpus
    calls = Calls(monkeypatch)
    app = make_app(root)
    calls.watch_notify(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for path in ("links/post_url.md", "links/post_url_js.md"):
            await _open_reader_at(app, pilot, path)
            await pilot.press("o", "escape", "o")
            await pilot.pause()
        assert app.is_running
    assert calls.browser == [] and calls.popen == []


async def test_hostile_labels_and_notifications(corpus, monkeypatch) -> None:
    root, _ = corpus
    calls = Calls(monkeypatch)
    app = make_app(root)
    calls.watch_notify(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("l")
        await pilot.press(*"[/],[@click=app.quit]x,[b]\x1b]2;t\x07")
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("asterisk", "r", "s", "e", "u", "u", "u")
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("escape", "l", "tab", "enter")
        await settle(app, pilot)
        assert app.is_running
    assert any("[/]" in note for note in calls.notes)
    assert all(forbidden_in(note) == [] for note in calls.notes)


async def test_unwritable_data_folder_runs_in_memory(corpus, monkeypatch, tmp_path) -> None:
    root, _ = corpus
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    # mkdir under a regular file fails even for root, unlike chmod.
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocker / "cache"))
    calls = Calls(monkeypatch)
    app = make_app(root)
    calls.watch_notify(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("s")
        await pilot.pause()
        table = app.screen.query_one(PostTable)
        assert app.repo.state.get(table.current_post.id).starred
        assert app.is_running
    assert any("until you quit" in note for note in calls.notes), calls.notes
    assert any("index cache is unavailable" in note for note in calls.notes), calls.notes


async def test_corrupt_cache_is_rebuilt_and_corrupt_state_kept(corpus, monkeypatch) -> None:
    root, expected = corpus
    cache = default_db_path(root)
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_bytes(b"\x00garbage\xff" * 1000)
    state = data_dir() / "state.sqlite"
    state.parent.mkdir(parents=True, exist_ok=True)
    garbage = b"SQLite format 3\x00" + b"\xde\xad\xbe\xef" * 2000
    state.write_bytes(garbage)
    calls = Calls(monkeypatch)
    app = make_app(root)
    calls.watch_notify(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        assert len(app.screen.query_one(PostTable).posts) == len(expected)
        await pilot.press("s")
        assert app.is_running
    backups = list(state.parent.glob("state.sqlite.corrupt-*"))
    assert [path.read_bytes() for path in backups] == [garbage]
    assert any("damaged" in note for note in calls.notes), calls.notes


_SHOW_IN_READER = """
import asyncio, sys
from pathlib import Path
from tests.test_app import make_app, settle
from tui.widgets.post_table import PostTable

async def main(root, path):
    app = make_app(Path(root))
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        await pilot.press("z")
        table = app.screen.query_one(PostTable)
        table.move_to(next(i for i, p in enumerate(table.posts) if p.path == path))
        await pilot.press("enter")
        await settle(app, pilot)
        print(app.screen.query_one("ArticleView").shown_key)

asyncio.run(main(sys.argv[1], sys.argv[2]))
"""


def test_post_of_many_paragraphs_opens_without_hanging(corpus) -> None:
    root, _ = corpus
    try:
        done = subprocess.run(
            [sys.executable, "-c", _SHOW_IN_READER, str(root), "size/big_markdown.md"],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
            cwd=Path(__file__).resolve().parent.parent,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"the reader was still loading after {HANG_GUARD} s")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "size/big_markdown.md"
