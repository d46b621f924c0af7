"""A long filter search gives way to keys typed meanwhile (Pilot, and the model below it): in a
burst only the last text's answer is shown, and one overtaken is never left on screen."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from textual import events
from textual.widgets import Input

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui.config import Config
from tui.query import QueryEngine, parse
from tui.repository import Repository
from tui.screens import filter_actions, filtering
from tui.screens.filtering import Filtering, finish
from tui.widgets.filter_bar import FilterBar
from tui.widgets.post_table import PostTable

AUTHORS = ["adam", "adams", "madden"]
TITLES = ["police report", "poll results", "pop music", "open data", "weather", "polar bears"]


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    for n in range(30):
        title = f"{TITLES[n % len(TITLES)]} {n}"
        write_post(
            root, f"_posts/2024-05-{n % 28 + 1:02d}-p{n}.md", title, f"2024-05-{n % 28 + 1:02d}"
        )
    return root


def titles(app) -> list[str]:
    return sorted(post.title for post in app.screen.query_one(PostTable).posts)


def expected(text: str) -> list[str]:
    return sorted(
        f"{TITLES[n % len(TITLES)]} {n}" for n in range(30) if text in TITLES[n % len(TITLES)]
    )


async def typed_in_one_read(app, pilot, keys: list[str]) -> None:
    """The first key, and the rest queued at the app once the search for the text it makes has
    begun: as a terminal's one read of a burst is handed over, key by key, while the app is
    already at work on the first (Pilot.press waits for the app to be idle after each key)."""
    search = QueryEngine.filter
    rest = [events.Key(key, {"backspace": "\x7f"}.get(key, key)) for key in keys[1:]]

    def first_search(engine, query, **options):
        while rest:
            app.post_message(rest.pop(0))
        return search(engine, query, **options)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(QueryEngine, "filter", first_search)
        await pilot.press(keys[0])
        await settle(app, pilot)


async def test_a_burst_shows_only_its_last_text(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(filtering, "SLICE", 1)  # a slice per post: many chances to give way
    shown: list[str] = []
    show = filter_actions.FilterActions.show_matches

    def spy(self, matches, to_top=False) -> None:
        shown.append(self.filtering.text)
        show(self, matches, to_top)

    monkeypatch.setattr(filter_actions.FilterActions, "show_matches", spy)
    app = make_app(archive)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        shown.clear()
        await typed_in_one_read(app, pilot, ["p", "o", "l"])
        assert app.screen.query_one(FilterBar).value == "pol"
        assert titles(app) == expected("pol")
        assert shown == ["pol"]  # the first letter's search gave way to the rest of the burst


async def test_an_overtaken_search_leaves_the_text_of_the_answer_shown(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A search typing overtakes leaves nothing behind: typing back to its text ('p', 'x',
    backspace, the search for 'p' overtaken while the bar said 'px') searches it again."""
    monkeypatch.setattr(filtering, "SLICE", 1)
    app = make_app(archive)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        bar = screen.query_one(FilterBar)

        def type_in(text: str) -> None:  # the bar's text, its Changed left out
            with bar.prevent(Input.Changed):
                bar.value = text

        async def typed_meanwhile(delay: float) -> None:
            type_in("px")

        type_in("p")
        monkeypatch.setattr(filter_actions, "asyncio", SimpleNamespace(sleep=typed_meanwhile))
        await screen._catch_up_typing()
        assert screen.filtering.text == ""  # what the table still shows the answer to
        assert len(titles(app)) == 30
        monkeypatch.undo()
        type_in("p")
        await screen._catch_up_typing()
        assert screen.filtering.text == "p"
        assert titles(app) == expected("p")


async def test_a_search_up_to_a_slice_is_one_pass(archive: Path) -> None:
    """Up to SLICE posts (100,000) a key's answer is found as before, in one pass: shown
    before the next key is taken in."""
    app = make_app(archive)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("slash")
        await typed_in_one_read(app, pilot, ["p", "x"])
        assert titles(app) == []
        assert app.screen.filtering.text == "px"


def test_a_search_in_slices_answers_as_one_pass(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = Repository(archive)
    repo.refresh()
    posts = sorted(repo.load(), key=lambda post: post.path)
    assert len(posts) == 30
    model = Filtering.__new__(Filtering)  # the model alone, with no screen to report to
    Filtering.__init__(model, None, repo, Config(), set())  # type: ignore[arg-type]
    model.set_posts(posts, QueryEngine(posts))
    texts = ["p", "po", "pol", "-pol", "pol OR data", "weather", "zzz", ""]
    whole = {text: [post.path for post in model.run_query(parse(text))] for text in texts}
    assert whole["pol"] and whole["-pol"] and whole["pol OR data"] != whole["pol"]
    for size in (1, 4, 7):
        monkeypatch.setattr(filtering, "SLICE", size)
        model._results = filtering.ResultMemo()  # nothing narrowed from the answers above
        for text in texts:
            steps = model.query_steps(parse(text))
            assert [post.path for post in finish(steps)] == whole[text], (size, text)
    repo.close()


def test_a_query_every_post_matches_answers_the_list_itself(archive: Path) -> None:
    """No copy of the list when every post matches (the empty filter, shown at each Escape):
    at a million posts the copy took ~0.1 s of the UI thread."""
    repo = Repository(archive)
    repo.refresh()
    posts = repo.load()
    model = Filtering.__new__(Filtering)  # the model alone, with no screen to report to
    Filtering.__init__(model, None, repo, Config(), set())  # type: ignore[arg-type]
    model.set_posts(posts, QueryEngine(posts))
    for text in ("", "-zzz"):
        assert model.run_query(parse(text)) is posts
        assert finish(model.query_steps(parse(text))) is posts  # (the answer remembered)
    assert model.run_query(parse("pol")) == [post for post in posts if "pol" in post.folded]
    repo.close()


def test_values_containing_a_text_are_found_among_those_of_a_shorter_one(
    archive: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """QueryEngine.containing answers as a look at every distinct value would, whether it looks
    among a shorter text's answer, remembers the value or has forgotten it."""
    repo = Repository(archive)
    repo.refresh()
    posts = repo.load()
    engine = QueryEngine(posts)
    every = engine.distinct("meta") | engine.distinct("author")
    for field in ("meta", "author", "meta"):
        for value in ["a", "ad", "adm", "d", "zz", "zzq", "", "ad"]:
            brute = {text for text in engine.distinct(field) if value in text}
            assert engine.containing(field, value) == brute, (field, value)
    assert every
    monkeypatch.setattr(engine, "distinct", lambda field: pytest.fail("looked at every value"))
    assert engine.containing("meta", "adm") <= engine.containing("meta", "ad")
    repo.close()
