"""The main screen's filter: the posts it runs over, the query typed and what it matches, with body
search and saved-search counts in workers that report back with Messages."""

from __future__ import annotations

import re
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from itertools import repeat

from textual.message import Message
from textual.widget import Widget
from textual.worker import get_current_worker

from tui import collector
from tui.config import Config
from tui.index.fulltext import SearchInterrupted
from tui.model import Post
from tui.query import (
    EVERYTHING,
    PositionSet,
    Query,
    QueryEngine,
    QueryError,
    ResultMemo,
    Term,
    format_query,
    parse,
    uses_field,
)
from tui.query.order import NEWEST_FIRST, Order, parse_order, sort_indices
from tui.query.parser import FIELDS
from tui.repository import Repository
from tui.widgets.saved_searches import BUILT_IN, SearchCount
from tui.widgets.workers import in_background


@dataclass
class BodyMatches(Message):
    """What a body: search found, for the query text it was run for. The collector is paused
    until the screen has shown it (see search_bodies): whoever takes it resumes it once."""

    shown: list[Post]
    text: str
    to_top: bool


@dataclass
class Counted(Message):
    """The saved searches' counts, and each label's."""

    counts: list[SearchCount]
    labels: list[SearchCount]


@dataclass
class CountAgain(Message):
    """Counting was interrupted by the filter bar's body search: count again later."""


# A field name at the end of the text with nothing after it yet ("香港 body:"): still being typed.
_FIELD_TYPED = re.compile(r"(?:^|\s)-?(?:" + "|".join(FIELDS) + r"):$", re.IGNORECASE)

# Posts searched between two looks at the keys (query_steps): a slice takes ~20 ms at a million
# posts, and up to 100,000 posts are searched in one pass as before.
SLICE = 100_000


def finish(steps: Generator[None, None, list[Post]]) -> list[Post]:
    """Run query_steps() to the end: its answer."""
    while True:
        try:
            next(steps)
        except StopIteration as done:
            return done.value


def _in_slices(
    run: Callable[[Sequence[int] | None], list[int]],
    candidates: int | Sequence[int],
    query: Query,
) -> Generator[None, None, list[int]]:
    """run() over the candidates (an int: every post, as many as that), SLICE at a time and
    yielding between slices; the same as run() over them all, since a query matches post by
    post and an answer keeps the candidates' order."""
    count = candidates if isinstance(candidates, int) else len(candidates)
    if count <= SLICE or query == EVERYTHING:
        return run(None if isinstance(candidates, int) else candidates)
    found: list[int] = []
    for start in range(0, count, SLICE):
        if start:
            yield
        end = min(start + SLICE, count)
        part = range(start, end) if isinstance(candidates, int) else candidates[start:end]
        found += run(part)
    return found


class Filtering:
    """The filter's model. Its workers run on the host widget (the main screen), which gets their Messages."""

    def __init__(self, host: Widget, repo: Repository, config: Config, selected: set[str]) -> None:
        self.host = host
        self.repo = repo
        self.config = config
        self.selected = (
            selected  # ids of the selected stories (the screen's selection, for is:selected)
        )
        self.posts: list[Post] = []  # every post, newest first
        self.engine: QueryEngine | None = None
        self.text = ""  # the query the matches are for
        self.match_terms: list[str] = []  # what the filter matched, highlighted in the reader
        self.matches: Sequence[Post] = []  # what the filter found, newest first
        self._results = ResultMemo()  # recent filters' matches: typing narrows, backspace recalls
        self.order = parse_order(config.sort)  # the table's order (the config checked it)
        self._ranks: tuple[object, Order, dict[int, int]] | None = None  # see ordered()
        self._searching_bodies = False  # a body search worker is running
        # More posts are coming: the matches are among those listed so far (and before the first
        # list, none has come yet).
        self.partial = True
        # The newest list whose engine can search words, and whether the last answer came from
        # it rather than from the list shown (whose engine was still being prepared).
        self._searchable: tuple[list[Post], QueryEngine] | None = None
        self.searched_earlier = False
        self.expected: int | None = None  # about how many posts the whole list will hold

    def set_posts(self, posts: list[Post], engine: QueryEngine | None) -> None:
        self.posts = posts
        self.engine = engine
        if engine is not None and engine.ready:
            self._searchable = (posts, engine)

    def engine_ready(self, engine: QueryEngine) -> bool:
        """The engine of a list can now search words: whether the shown answer came from an
        earlier list meanwhile (then the filter should run again)."""
        if engine is not self.engine:
            return False  # a newer list came since
        self._searchable = (self.posts, engine)
        return self.searched_earlier

    def listing(self, partial: bool, expected_files: int | None, files: int) -> None:
        """Whether posts is the whole list, and if not about how long it will be: the loader
        counts files, the table shows stories, so the estimate keeps the ratio seen so far."""
        self.partial = partial
        self.expected = None
        if partial and expected_files and files:
            expected = round(expected_files * len(self.posts) / files)
            # Not when it says nothing (a cold walk that has not yet found more than is listed).
            self.expected = expected if expected > len(self.posts) else None

    def describe_counts(self, shown: int) -> str:
        """ "12 of 7,425 posts", and while more are coming " listed so far, ~29,591 in all"."""
        listed = self._searchable[0] if self.searched_earlier and self._searchable else self.posts
        text = f"{shown:,} of {len(listed):,} posts"
        if self.partial or self.searched_earlier:
            text += " listed so far"
            if self.expected:
                text += f", ~{self.expected:,} in all"
        return text

    def ordered(self, shown: Sequence[Post]) -> Sequence[Post]:
        """shown (newest first) in the table's order. Every post's place in that order is worked
        out once per list of posts and order (~0.2 s at 100,000), so a keystroke only sorts its
        matches by a number."""
        if self.order == NEWEST_FIRST or len(shown) < 2:
            return shown
        posts = self.posts
        if self._ranks is None or self._ranks[0] is not posts or self._ranks[1] != self.order:
            order = sort_indices(posts, self.order)
            ranks = dict(
                zip(map(id, map(posts.__getitem__, order)), range(len(order)), strict=True)
            )
            self._ranks = (posts, self.order, ranks)
        ranks = self._ranks[2]
        # A post not in the list (the first rows, before the whole list) goes after the rest.
        # C-level passes only: a million matches are sorted in well under a second.
        keys = list(map(ranks.get, map(id, shown), repeat(len(ranks))))
        return list(map(shown.__getitem__, sorted(range(len(shown)), key=keys.__getitem__)))

    def parse(self) -> Query:
        """The query typed; QueryError if it does not parse. A field name typed without its
        value yet leaves the answer to the rest of the text: typing "body:" shows what it showed
        before the word "body", not what the word "body" matched on the way."""
        try:
            return parse(self.text, saved=self.config.searches)
        except QueryError:
            head = _FIELD_TYPED.sub("", self.text)
            if head == self.text:
                raise
            return parse(head, saved=self.config.searches)

    def run_query(
        self, query: Query, *, bodies: bool = False, selected: frozenset[str] | None = None
    ) -> list[Post]:
        """The posts that match; bodies=True searches body: terms in the full-text index.
        selected: the selection as it was when the search started (for a worker)."""
        return finish(self.query_steps(query, bodies=bodies, selected=selected))

    def query_steps(
        self, query: Query, *, bodies: bool = False, selected: frozenset[str] | None = None
    ) -> Generator[None, None, list[Post]]:
        """run_query a slice of the posts at a time (SLICE), yielding between slices: a caller on
        the UI thread can let keys in meanwhile and drop an answer that typing has overtaken
        (finish() runs it to the end)."""
        engine, posts = self.engine, self.posts
        assert engine is not None
        if not bodies:  # (a body search runs in a worker, and its engine may build columns)
            # The engine's columns may still be being built in the loader's worker: building
            # them here too would hold up the keys for as long. Answer from the last list that
            # can, and say so.
            self.searched_earlier = query != EVERYTHING and not engine.ready
            if self.searched_earlier:
                if self._searchable is None:
                    return []
                posts, engine = self._searchable
        body_positions = self._body_positions(engine) if bodies else None
        selected = frozenset(self.selected) if selected is None else selected
        uses_selection = bool(selected) and uses_field(query, "selected")
        selected_ids = selected if uses_selection else frozenset()
        states = self.repo.state.snapshot()  # one for every slice

        def run(within: Sequence[int] | None = None) -> list[int]:
            return engine.filter(
                query,
                state=self.repo.state.get,
                states=states,
                selected=selected_ids,
                body_positions=body_positions,
                within=within,
            )

        # Reuse recent results on the UI thread only (body searches run in a worker), and never
        # when the selection counts: it changes without a trace.
        if bodies or uses_selection:
            return list(map(posts.__getitem__, run()))
        found, within = self._results.lookup((engine, self.repo.state.changes), query)
        if found is None:
            found = yield from _in_slices(run, len(posts) if within is None else within, query)
        self._results.store(query, found)
        if len(found) == len(posts):  # every post (an answer keeps their order): no copy
            return posts  # (a million posts' copy took ~0.1 s of the UI thread, at each Esc too)
        return list(map(posts.__getitem__, found))

    def search_bodies(self, query: Query, to_top: bool) -> None:
        """Body search reads an index on disk: off the UI thread, and dropped if typing moved on."""
        if self._searching_bodies:
            self.repo.fulltext.interrupt()  # superseded: its answer would be dropped anyway
        text, selected = self.text, frozenset(self.selected)

        def search() -> None:
            if get_current_worker().is_cancelled:
                return  # a newer query came before this one began: its answer would be dropped
            # No automatic collection from here until the answer is on screen: the lists of a
            # common word's matches (705,000 posts at a million) are young, and each of the
            # collections the drawing then set off walked them (30 ms each, traced).
            collector.pause()
            handed = False  # to the screen, which resumes the collector
            self._searching_bodies = True
            try:
                shown = self.run_query(query, bodies=True, selected=selected)
                if not get_current_worker().is_cancelled:
                    handed = self.host.post_message(BodyMatches(shown, text, to_top))
            except SearchInterrupted:
                pass  # a newer query is on its way
            finally:
                self._searching_bodies = False
                if not handed:
                    collector.resume()

        in_background(
            self.host,
            search,
            exclusive=True,
            group="filter",
            description="searching bodies",
        )

    def _body_positions(self, engine: QueryEngine) -> Callable[[str], PositionSet]:
        fulltext = self.repo.fulltext
        return lambda text: fulltext.positions(text, engine.by_path)

    def count_searches(self) -> None:
        """Count the saved searches' matches and unread posts, in a worker."""
        engine, posts = self.engine, self.posts
        if engine is None:
            return
        entries = list(BUILT_IN.items()) + [(name, f"@{name}") for name in self.config.searches]
        # Each label as a folder: what picking it shows (label:NAME, archived posts hidden).
        labels = [(name, format_query(Term("label", name))) for name in self.repo.state.labels()]
        bodies = self.repo.body_index.ready

        def count() -> None:
            snapshot = self.repo.state.snapshot()
            read, _starred = self.repo.state.flagged()
            body_positions = self._body_positions(engine) if bodies else None
            counts: list[SearchCount] = []
            for name, text in [*entries, *labels]:
                try:
                    query = parse(text, saved=self.config.searches)
                except QueryError:
                    counts.append(SearchCount(name, text, None, None))
                    continue
                try:
                    indices = engine.filter(
                        query,
                        state=self.repo.state.get,
                        states=snapshot,
                        body_positions=body_positions,
                    )
                except SearchInterrupted:  # the filter bar's search stopped this one
                    self.host.post_message(CountAgain())
                    return
                unread = sum(1 for index in indices if posts[index].id not in read)
                counts.append(SearchCount(name, text, unread, len(indices)))
            if not get_current_worker().is_cancelled:
                split = len(entries)
                self.host.post_message(Counted(counts[:split], counts[split:]))

        in_background(
            self.host,
            count,
            exclusive=True,
            group="searches",
            description="counting saved searches",
        )
