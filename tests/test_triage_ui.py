"""Pilot tests for every triage key: the store, the table's marks and the status counts agree."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual import events
from textual.widgets import Input

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui import links
from tui.app import NewsApp
from tui.screens.dialogs import LinkScreen, OutputScreen, PromptScreen
from tui.screens.main import MainScreen
from tui.screens.reader import ReaderScreen
from tui.widgets.article import ArticleView
from tui.widgets.filter_bar import FilterBar
from tui.widgets.post_table import STARRED_MARK, UNREAD_MARK, PostTable
from tui.widgets.status import StatusBar

SIZE = (120, 40)

# Newest first, as the table shows them: (file, title, date, url).
POSTS = [
    ("2024/05/alpha.md", "Alpha market news", "2024-05-05T10:00:00Z", "https://example.com/alpha"),
    ("2024/04/beta.md", "Beta 蚂蚁 report", "2024-04-04T10:00:00Z", "https://example.com/beta"),
    ("2024/03/gamma.md", "Gamma market update", "2024-03-03T10:00:00Z", "https://example.com/g"),
    ("2024/02/delta.md", "Delta sports", "2024-02-02T10:00:00Z", ""),
    ("2024/01/epsilon.md", "Epsilon market close", "2024-01-01T10:00:00Z", "https://example.com/e"),
]
TITLES = [title for _, title, _, _ in POSTS]
LINKED_BODY = (
    '<p>See <a href="https://example.com/one">one</a> and '
    '<a href="https://example.com/two">two</a>.</p>'
)


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    for rel, title, date, url in POSTS:
        extra = {"from": url} if url else {}
        body = LINKED_BODY if rel.endswith("alpha.md") else f"<p>{title} body.</p>"
        write_post(root, rel, title, date, body, author="Desk", **extra)
    return root


# ---------------------------------------------------------------- helpers


def main(app: NewsApp) -> MainScreen:
    screen = app.screen_stack[0] if isinstance(app.screen_stack[0], MainScreen) else None
    assert screen is not None
    return screen


def shown(app: NewsApp) -> list[str]:
    return [post.title for post in main(app).table.posts]


def row_y(posts_table: PostTable, title: str) -> int:
    titles = [post.title for post in posts_table.posts]
    return titles.index(title) + 1 - int(posts_table.scroll_y)  # line 0 is the header


def line(app: NewsApp, title: str) -> str:
    posts_table = main(app).table
    text = posts_table.render_line(row_y(posts_table, title)).text
    assert title in text
    return text


def marks(app: NewsApp, title: str) -> str:
    """The two mark cells of a row: unread/problem, then star."""
    return line(app, title)[1:3]


def state(app: NewsApp, title: str):
    post = next(p for p in main(app).filtering.posts if p.title == title)
    return app.repo.state.get(post.id)


def counts(app: NewsApp) -> str:
    return main(app).query_one(StatusBar).counts


async def started(app: NewsApp, pilot) -> None:
    await settle(app, pilot)
    assert shown(app) == TITLES


async def goto(pilot, app: NewsApp, title: str) -> None:
    main(app).table.move_to(shown(app).index(title))
    await pilot.pause()


async def enter_text(pilot, app: NewsApp, key: str, text: str) -> None:
    """Press `key` (/ or l), fill the input it focuses and press Enter (typing is tested elsewhere)."""
    await pilot.press(key)
    field = app.focused
    assert isinstance(field, Input)
    field.value = text
    await pilot.press("enter")


# ---------------------------------------------------------------- visible state


async def test_fresh_archive_all_unread_and_counted(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        for title in TITLES:
            assert marks(app, title) == f"{UNREAD_MARK} "
        assert counts(app) == "5 of 5 posts · 5 unread"


async def test_unread_rows_bold_read_rows_not(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await goto(pilot, app, "Beta 蚂蚁 report")
        await pilot.press("r")
        posts_table = main(app).table
        posts_table.move_to(0)
        await pilot.pause()

        def bold(title: str) -> bool:
            strip = posts_table.render_line(row_y(posts_table, title))
            return any(seg.style is not None and seg.style.bold for seg in strip)

        assert bold("Gamma market update")
        assert not bold("Beta 蚂蚁 report")


# ---------------------------------------------------------------- r s e


async def test_r_toggles_read(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("r")
        assert state(app, TITLES[0]).read
        assert marks(app, TITLES[0]) == "  "
        assert counts(app) == "5 of 5 posts · 4 unread"
        assert marks(app, TITLES[1]) == f"{UNREAD_MARK} "  # only the cursor row
        await pilot.press("r")
        assert not state(app, TITLES[0]).read
        assert marks(app, TITLES[0]) == f"{UNREAD_MARK} "
        assert counts(app) == "5 of 5 posts · 5 unread"


async def test_s_toggles_star(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("j", "s")
        assert state(app, TITLES[1]).starred
        assert not state(app, TITLES[0]).starred
        assert STARRED_MARK in line(app, TITLES[1])
        assert STARRED_MARK not in line(app, TITLES[0])
        assert counts(app) == "5 of 5 posts · 5 unread · 1 starred"
        await pilot.press("s")
        assert not state(app, TITLES[1]).starred
        assert STARRED_MARK not in line(app, TITLES[1])
        assert counts(app) == "5 of 5 posts · 5 unread"


async def test_e_archives_out_of_view_and_is_archived_shows_it(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await goto(pilot, app, "Gamma market update")
        await pilot.press("e")
        assert state(app, "Gamma market update").archived
        assert "Gamma market update" not in shown(app)
        assert counts(app).startswith("4 of 5 posts")
        await enter_text(pilot, app, "slash", "is:archived")
        assert shown(app) == ["Gamma market update"]
        await pilot.press("e")  # unarchive from the archived view
        assert not state(app, "Gamma market update").archived
        await pilot.press("slash", "escape")
        assert shown(app) == TITLES


async def test_archive_then_undo_brings_it_back(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("e")
        assert shown(app) == TITLES[1:]
        await pilot.press("u")
        assert shown(app) == TITLES
        assert not state(app, TITLES[0]).archived
        assert counts(app) == "5 of 5 posts · 5 unread"


# ---------------------------------------------------------------- labels


async def test_l_adds_and_removes_labels(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("l")
        assert isinstance(app.screen, PromptScreen)
        app.screen.query_one(Input).value = "foo, bar"
        await pilot.press("enter")
        assert not isinstance(app.screen, PromptScreen)
        assert state(app, TITLES[0]).labels == {"foo", "bar"}
        assert state(app, TITLES[1]).labels == frozenset()
        await enter_text(pilot, app, "l", "-foo")
        assert state(app, TITLES[0]).labels == {"bar"}
        await pilot.press("l", "escape")  # Esc cancels: nothing changes
        assert state(app, TITLES[0]).labels == {"bar"}


async def test_l_completes_from_labels_already_used(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("l", *"foo", "enter")
        await pilot.press("j", "l", "f")
        await settle(app, pilot)
        prompt = app.screen.query_one(Input)
        assert prompt._suggestion == "foo"
        await pilot.press("right")  # Input accepts the suggestion with →
        assert prompt.value == "foo"
        await pilot.press("enter")
        assert state(app, TITLES[1]).labels == {"foo"}


async def test_l_tab_completes_as_the_hint_says(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("l", *"foo", "enter")
        await pilot.press("j", "l", "f")
        await settle(app, pilot)
        await pilot.press("tab")
        assert app.screen.query_one(Input).value == "foo"


# ---------------------------------------------------------------- selection


async def test_x_selects_moves_down_and_esc_clears(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        posts_table = main(app).table
        await pilot.press("x")
        assert posts_table.cursor == 1
        await pilot.press("x")
        assert posts_table.cursor == 2
        assert main(app).selected == {post.id for post in main(app).table.posts[:2]}  # story ids
        assert counts(app) == "5 of 5 posts · 5 unread · 2 selected"
        # Selected rows are highlighted: another background than a plain row (the cursor is on 2).
        backgrounds = [
            {seg.style.bgcolor for seg in posts_table.render_line(row_y(posts_table, t))}
            for t in TITLES
        ]
        assert backgrounds[0] == backgrounds[1]
        assert backgrounds[0] != backgrounds[3]
        await pilot.press("k", "x")  # x again unselects
        assert main(app).selected == {main(app).table.posts[0].id}
        await pilot.press("escape")
        assert main(app).selected == set()
        assert counts(app) == "5 of 5 posts · 5 unread"
        after = {
            seg.style.bgcolor for seg in posts_table.render_line(row_y(posts_table, TITLES[0]))
        }
        assert after == backgrounds[3]


async def test_selection_r_acts_on_exactly_the_selected(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("x", "j", "x")  # select rows 0 and 2; the cursor ends on row 3
        await pilot.press("r")
        read = [title for title in TITLES if state(app, title).read]
        assert read == [TITLES[0], TITLES[2]]
        assert [marks(app, t)[0] for t in TITLES] == [
            " ",
            UNREAD_MARK,
            " ",
            UNREAD_MARK,
            UNREAD_MARK,
        ]
        assert counts(app) == "5 of 5 posts · 3 unread · 2 selected"


async def test_selection_s_e_l_act_on_all_of_it(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("j", "x", "x")  # rows 1 and 2
        picked = TITLES[1:3]
        await pilot.press("s")
        assert [t for t in TITLES if state(app, t).starred] == picked
        await enter_text(pilot, app, "l", "team")
        assert [t for t in TITLES if state(app, t).labels == {"team"}] == picked
        await pilot.press("e")
        assert [t for t in TITLES if state(app, t).archived] == picked
        assert shown(app) == [TITLES[0], *TITLES[3:]]


async def test_archived_selection_is_no_longer_selected(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("x", "x", "e")
        assert shown(app) == TITLES[2:]
        assert "selected" not in counts(app)
        await pilot.press("r")
        assert [t for t in TITLES if state(app, t).read] == [TITLES[2]]


async def test_filter_select_all_read_marks_exactly_the_shown(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await enter_text(pilot, app, "slash", "market")
        market = ["Alpha market news", "Gamma market update", "Epsilon market close"]
        assert shown(app) == market
        await pilot.press("asterisk")
        assert counts(app) == "3 of 5 posts · 3 unread · 3 selected"
        await pilot.press("r")
        assert counts(app) == "3 of 5 posts · 0 unread · 3 selected"
        assert [t for t in TITLES if state(app, t).read] == market
        await pilot.press("escape", "escape")  # selection, then the filter
        assert shown(app) == TITLES
        assert counts(app) == "5 of 5 posts · 2 unread"
        assert marks(app, "Beta 蚂蚁 report")[0] == UNREAD_MARK
        assert marks(app, "Delta sports")[0] == UNREAD_MARK


async def test_A_marks_every_shown_post_read(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await enter_text(pilot, app, "slash", "market")
        await pilot.press("A")
        assert [t for t in TITLES if state(app, t).read] == [
            "Alpha market news",
            "Gamma market update",
            "Epsilon market close",
        ]
        assert counts(app) == "3 of 5 posts · 0 unread"
        await pilot.press("u")
        assert not any(state(app, t).read for t in TITLES)


async def test_is_selected_filter_shows_the_selection(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("x", "x")
        await enter_text(pilot, app, "slash", "is:selected")
        assert shown(app) == TITLES[:2]


# ---------------------------------------------------------------- undo


async def test_undo_several_levels(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("r", "j", "s", "j")
        await enter_text(pilot, app, "l", "x1")
        await pilot.press("j", "e")
        assert state(app, TITLES[0]).read
        assert state(app, TITLES[1]).starred
        assert state(app, TITLES[2]).labels == {"x1"}
        assert TITLES[3] not in shown(app)
        await pilot.press("u")
        assert TITLES[3] in shown(app) and not state(app, TITLES[3]).archived
        assert state(app, TITLES[2]).labels == {"x1"}
        await pilot.press("u")
        assert state(app, TITLES[2]).labels == frozenset()
        assert state(app, TITLES[1]).starred
        await pilot.press("u")
        assert not state(app, TITLES[1]).starred
        assert STARRED_MARK not in line(app, TITLES[1])
        assert state(app, TITLES[0]).read
        await pilot.press("u")
        assert not state(app, TITLES[0]).read
        assert marks(app, TITLES[0]) == f"{UNREAD_MARK} "
        assert counts(app) == "5 of 5 posts · 5 unread"
        await pilot.press("u")  # nothing left: no error, nothing changes
        assert counts(app) == "5 of 5 posts · 5 unread"


# ---------------------------------------------------------------- n / N


async def test_n_and_N_jump_between_unread(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        posts_table = main(app).table
        await pilot.press("j", "r", "j", "r")  # rows 1 and 2 read; the cursor stays on 2
        posts_table.move_to(0)
        await pilot.press("n")
        assert posts_table.cursor == 3
        await pilot.press("n")
        assert posts_table.cursor == 4
        await pilot.press("n")  # none left below: stays
        assert posts_table.cursor == 4
        await pilot.press("N", "N")
        assert posts_table.cursor == 0


# ---------------------------------------------------------------- links, clipboard, pipe


@pytest.fixture
def clipboard(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    copied: list[str] = []
    monkeypatch.setattr(NewsApp, "copy_to_clipboard", lambda self, text: copied.append(text))
    return copied


@pytest.fixture
def browser(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    opened: list[str] = []
    monkeypatch.setattr(links, "open_url", lambda url, command="": opened.append(url))
    return opened


async def test_o_without_display_copies_and_says_so(
    archive: Path, clipboard: list[str], browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links, "has_display", lambda: False)
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("o")
        assert browser == []
        assert clipboard == ["https://example.com/alpha"]
        assert any("No display" in str(n.message) for n in app._notifications)


async def test_o_with_display_opens_the_url(
    archive: Path, clipboard: list[str], browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links, "has_display", lambda: True)
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("j", "o")
        assert browser == ["https://example.com/beta"]
        assert clipboard == []
        await goto(pilot, app, "Delta sports")  # no url: said, nothing opened
        await pilot.press("o")
        assert browser == ["https://example.com/beta"]
        assert any("no url" in str(n.message) for n in app._notifications)


async def test_y_copies_the_url(archive: Path, clipboard: list[str]) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("j", "y")
        assert clipboard == ["https://example.com/beta"]


async def test_Y_copies_the_post_as_markdown(archive: Path, clipboard: list[str]) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("Y")
        await settle(app, pilot)
        assert len(clipboard) == 1
        markdown = clipboard[0]
        assert "Alpha market news" in markdown
        assert "https://example.com/one" in markdown
        assert "<a " not in markdown and "<p>" not in markdown


async def test_pipe_shows_the_command_output(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("vertical_line")
        assert isinstance(app.screen, PromptScreen)
        await pilot.press(*"wc -c", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, OutputScreen)
        output = app.screen.output.strip()
        assert output.isdigit() and int(output) > 0
        assert len(app.repo.render(main(app).table.current_post).markdown.encode()) == int(output)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


# ---------------------------------------------------------------- R


async def test_R_rescans_the_folder(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        watcher = main(app).loader.watcher
        if watcher is not None:
            watcher.stop()  # so that only R can find the new file
        write_post(archive, "2025/01/zeta.md", "Zeta arrives", "2025-01-01T10:00:00Z")
        (archive / "2024/02/delta.md").unlink()
        await pilot.press("R")
        await settle(app, pilot)
        assert shown(app) == ["Zeta arrives", *TITLES[:3], TITLES[4]]
        assert counts(app) == "5 of 5 posts · 5 unread"


# ---------------------------------------------------------------- the reader


async def test_opening_in_the_reader_marks_read(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("j", "enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        assert state(app, TITLES[1]).read
        assert marks(app, TITLES[1]) == "  "
        assert not state(app, TITLES[0]).read


async def test_counts_follow_reader_triage_after_going_back(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("s", "escape")
        await pilot.pause()
        assert counts(app) == "5 of 5 posts · 4 unread · 1 starred"


async def test_reader_s_r_J_K(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        reader = app.screen
        assert isinstance(reader, ReaderScreen)
        await pilot.press("s")
        assert state(app, TITLES[0]).starred
        assert STARRED_MARK in line(app, TITLES[0])
        await pilot.press("r")  # opening marked it read; r toggles it back
        assert not state(app, TITLES[0]).read
        assert marks(app, TITLES[0])[0] == UNREAD_MARK
        await pilot.press("J")
        await settle(app, pilot)
        assert reader.current_post is not None and reader.current_post.title == TITLES[1]
        assert state(app, TITLES[1]).read
        assert "Beta 蚂蚁 report body" in reader.query_one(ArticleView).markdown
        await pilot.press("K")
        await settle(app, pilot)
        assert reader.current_post is not None and reader.current_post.title == TITLES[0]
        assert state(app, TITLES[0]).read  # shown again: marked read again
        await pilot.press("K")  # at the top: stays
        assert reader.current_post.title == TITLES[0]
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)
        assert main(app).table.cursor == 0


async def test_reader_digit_opens_the_link_dialog(
    archive: Path, clipboard: list[str], browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links, "has_display", lambda: True)
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        article = app.screen.query_one(ArticleView)
        assert "https://example.com/two" in article.links
        number = article.links.index("https://example.com/two") + 1
        assert number < 10
        await pilot.press(str(number))
        assert isinstance(app.screen, LinkScreen)
        assert app.screen.url == "https://example.com/two"
        assert browser == []  # nothing happens before the user confirms
        await pilot.press("y")
        assert clipboard == ["https://example.com/two"]
        await pilot.press(str(number), "o")
        assert browser == ["https://example.com/two"]
        assert isinstance(app.screen, ReaderScreen)


async def test_reader_y_and_o(
    archive: Path, clipboard: list[str], browser: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(links, "has_display", lambda: False)
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        await pilot.press("y")
        assert clipboard == ["https://example.com/alpha"]
        await pilot.press("o")  # no display: copied instead
        assert clipboard == ["https://example.com/alpha"] * 2
        assert browser == []


# ---------------------------------------------------------------- keys that arrive together


async def press_at_once(pilot, app: NewsApp, *keys: str) -> None:
    """Queue keys the way a terminal delivers a burst (paste, SSH lag): no pause between them."""
    for key in keys:
        character = {
            "slash": "/",
            "escape": "\x1b",
            "enter": "\r",
            "ctrl+u": "\x15",
            "backspace": "\x7f",
        }.get(key, key)
        app.post_message(events.Key(key, character))
    await settle(app, pilot)


async def test_keys_typed_fast_after_slash_go_to_the_filter(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "slash", "r", "e")  # "/re" in one burst: a filter
        assert not any(state(app, t).read or state(app, t).archived for t in TITLES)
        assert main(app).query_one(FilterBar).value == "re"


async def test_editing_keys_in_a_burst_act_in_the_order_typed(archive: Path) -> None:
    # The Input runs ctrl+u and backspace as bindings, once the key has bubbled up to the app:
    # letters right behind them were typed first, then deleted.
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "slash", "x")
        await press_at_once(pilot, app, "ctrl+u", "B", "e")
        assert main(app).query_one(FilterBar).value == "Be"
        await press_at_once(pilot, app, "t", "x", "backspace", "a")
        assert main(app).query_one(FilterBar).value == "Beta"


@pytest.mark.parametrize("opener", ["slash", "l"])  # the filter bar, the labels prompt
async def test_keys_typed_ahead_of_the_focus_go_before_keys_the_input_got(
    archive: Path, opener: str
) -> None:
    # "/bo" in one burst: "/" and "b" queue at the table, "0", which arrived after the focus
    # moved, at the input, and the input's queue ran first ("020body:…" in tmux).
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press(opener)
        field = app.focused
        assert isinstance(field, Input)
        field.post_message(events.Key("0", "0"))
        await pilot.pause()
        assert field.value == "0"
        await main(app).on_key(events.Key("b", "b"))  # the table's queue, bubbled to the screen
        await main(app).on_key(events.Key("o", "o"))
        assert field.value == "bo0" and field.cursor_position == 3
        await pilot.press("1")
        assert field.value == "bo01"


@pytest.mark.parametrize("last", ["enter", "escape"])
async def test_enter_or_escape_typed_fast_after_l_go_to_the_prompt(
    archive: Path, last: str
) -> None:
    # "l 待讀 Enter" in one burst (seen in tmux): the Enter queued at the table with the letters,
    # and was lost there, so the prompt stayed open with its text.
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("l")
        assert isinstance(app.screen, PromptScreen)
        # The table's queue, bubbled to the screen after the prompt took the focus.
        for key, character in (("f", "f"), ("o", "o"), (last, {"enter": "\r"}.get(last, "\x1b"))):
            await main(app).on_key(events.Key(key, character))
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        labelled = [t for t in TITLES if "fo" in state(app, t).labels]
        assert len(labelled) == (1 if last == "enter" else 0)


async def test_keys_that_reach_the_prompt_before_its_input_has_the_focus_are_typed(
    archive: Path,
) -> None:
    # Seen in tmux under load: "l 待讀 Enter" labelled the post "讀". The app hands a key to the
    # focused widget, or to the screen when nothing has the focus yet: the 待 that came in
    # between the prompt's push and its input's focus went to the prompt screen, and was lost.
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        main(app).action_labels()
        prompt = app.screen
        assert isinstance(prompt, PromptScreen)
        assert app.focused is None
        app.post_message(events.Key("待", "待"))  # handed to the prompt screen itself
        await pilot.pause()
        assert app.focused is not None
        app.post_message(events.Key("讀", "讀"))  # handed to the focused input
        await pilot.pause()
        assert prompt.query_one(Input).value == "待讀"
        app.post_message(events.Key("enter", "\r"))
        await pilot.pause()
        assert not isinstance(app.screen, PromptScreen)
        assert sum("待讀" in state(app, t).labels for t in TITLES) == 1


async def test_keys_typed_fast_after_l_go_to_the_prompt(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "l", "f", "o")
        assert isinstance(app.screen, PromptScreen)
        assert app.screen.query_one(Input).value == "fo"


async def test_a_key_typed_ahead_before_the_focus_lands_goes_after_the_text(
    archive: Path,
) -> None:
    # The filter bar gets its Focus event after keys typed ahead may already have come in.
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("slash", *"ab", "enter")
        bar = main(app).query_one(FilterBar)
        assert app.focused is not bar
        bar.type_ahead("c")  # before any Focus: at the cursor, the end of "ab"
        assert bar.value == "abc"


async def test_a_key_typed_fast_after_escape_in_the_filter_acts_on_the_table(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "slash", "a", "escape", "s")  # "/a", then Esc s at once
        assert main(app).query_one(FilterBar).value == ""
        assert state(app, main(app).table.current_post.title).starred


async def test_a_key_typed_fast_after_enter_in_the_filter_acts_on_the_table(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "slash", "B", "e", "t", "a", "enter", "s")
        table = main(app).table
        assert main(app).query_one(FilterBar).value == "Beta"
        assert [post.title for post in table.posts] == ["Beta 蚂蚁 report"]
        assert state(app, "Beta 蚂蚁 report").starred


async def test_a_key_typed_fast_after_escape_in_the_reader_acts_on_the_table(archive: Path) -> None:
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await pilot.press("enter")
        await settle(app, pilot)
        assert isinstance(app.screen, ReaderScreen)
        await press_at_once(pilot, app, "escape", "s")  # back, then star from the table
        assert not isinstance(app.screen, ReaderScreen)
        assert state(app, main(app).table.current_post.title).starred


async def test_esc_and_a_key_in_one_read_are_esc_then_the_key(archive: Path) -> None:
    # A terminal delivers "Esc s" typed quickly (or over SSH) as one alt+s key.
    app = make_app(archive)
    async with app.run_test(size=SIZE) as pilot:
        await started(app, pilot)
        await press_at_once(pilot, app, "slash", "a")
        assert main(app).query_one(FilterBar).value == "a"
        app.post_message(events.Key("alt+s", "s"))
        await settle(app, pilot)
        assert main(app).query_one(FilterBar).value == ""
        assert state(app, main(app).table.current_post.title).starred
