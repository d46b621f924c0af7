"""Runs a parsed query over many posts quickly: folded haystacks built once, terms narrow index lists."""

from __future__ import annotations

import calendar
import math
from collections.abc import Callable, Container, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from typing import Protocol

from tui.chinese import fold, fold_all
from tui.model import UNDATED, Post, url_host
from tui.query.parser import (
    ANY,
    And,
    DateTerm,
    IsTerm,
    Not,
    Or,
    Query,
    Term,
    narrows,
    uses_field,
)

# Joins fields into one haystack; tui.text.clean strips control characters from post text,
# so a query value cannot match across two fields.
_SEP = "\x1f"
_DAY = timedelta(days=1)


class StateLike(Protocol):
    # Read-only properties, so frozen dataclasses such as tui.state.PostState match.
    @property
    def read(self) -> bool: ...
    @property
    def starred(self) -> bool: ...
    @property
    def archived(self) -> bool: ...
    @property
    def labels(self) -> frozenset[str]: ...


def _fold(text: str) -> str:
    """tui.chinese.fold(text): lowercase, one Chinese script; sharing the original string when
    nothing changes (most Simplified text)."""
    folded = fold(text)
    return text if folded == text else folded


class _Memo(dict[str, str]):
    """_fold() of strings that repeat across posts, each folded once."""

    def __call__(self, text: str) -> str:
        folded = self.get(text)
        if folded is None:
            folded = self[text] = _fold(text)
        return folded


class QueryEngine:
    """Holds per-post folded text (lowercase, one Chinese script: tui.chinese.fold) for one list
    of posts; rebuild it when the list changes."""

    def __init__(
        self,
        posts: Sequence[Post],
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        lazy: bool = False,
        copies: Mapping[str, Sequence[Post]] | None = None,
    ) -> None:
        """lazy=True leaves even the bare words' haystack to the first query that needs it: the
        app builds engines in a worker, so keys never wait for it; `newstui list` may not need it.

        copies, optional, makes this an engine over stories (tui.stories.Stories): posts are the
        stories' rows and copies maps a story key to every file of a story that has several. A
        story's text is then all its files' text (a word in any copy's title finds the story),
        body: and path: search every copy, and its date is its row's (the newest copy's).
        """
        self.posts = posts
        self._tz = tz  # None: the system's local time zone
        self._now = now
        self._ids = [post.id for post in posts]
        self._copies = copies or {}
        # Positions of the stories with several files (few): their text is joined from them all.
        self._shared = (
            [i for i, post_id in enumerate(self._ids) if post_id in self._copies]
            if self._copies
            else []
        )
        # The per-field lists are built on first use, so 100,000 posts do not carry six lowercase
        # copies of their text (memory budget).
        self._fields: dict[str, list[str]] = {}
        if not lazy:
            self.haystack(ANY)
        # NaN for undated posts: every comparison with NaN is False, so they never match a date.
        self._time = [math.nan if post.ts == UNDATED else post.ts for post in posts]
        self._problem = [bool(post.problems) for post in posts]
        for i in self._shared:
            self._problem[i] = any(copy.problems for copy in self._copies[self._ids[i]])
        self._by_id = {post_id: index for index, post_id in enumerate(self._ids)}
        # Over files, the copies of a story share its id (and its state): id -> every position.
        self._twins: dict[str, list[int]] = {}
        if len(self._by_id) < len(self._ids):
            for index, post_id in enumerate(self._ids):
                self._twins.setdefault(post_id, []).append(index)
            self._twins = {key: found for key, found in self._twins.items() if len(found) > 1}

    def positions_of(self, post_id: str) -> list[int]:
        """The positions of the posts with this id (several over files when a story has copies)."""
        twins = self._twins.get(post_id)
        if twins is not None:
            return twins
        index = self._by_id.get(post_id)
        return [] if index is None else [index]

    def haystack(self, field: str) -> list[str]:
        """Folded text of one field for every post (built once, on first use)."""
        hay = self._fields.get(field)
        if hay is None:
            posts = self.posts
            if field == ANY:  # bare words: one joined haystack per post
                hosts: dict[str, str] = {}
                same = _Memo()  # authors, sources and tags repeat: fold each once
                titles = fold_all([post.title for post in posts])
                hay = [
                    _SEP.join(
                        (
                            title,
                            same(post.author),
                            same(_source(post, hosts)),
                            same(_SEP.join((*post.tags, *post.categories))),
                        )
                    )
                    for title, post in zip(titles, posts, strict=True)
                ]
            elif field == "author":
                same = _Memo()
                hay = [same(post.author) for post in posts]
            elif field == "source":
                hosts, same = {}, _Memo()
                hay = [same(_source(post, hosts)) for post in posts]
            elif field == "tag":
                same = _Memo()
                hay = [same(_SEP.join((*post.tags, *post.categories))) for post in posts]
            elif field == "path":
                hay = [_fold(post.path) for post in posts]
            else:  # title, and body: when there is no full-text index
                hay = fold_all([post.title for post in posts])
            if self._shared:
                text = _FIELD_TEXT.get(field, _FIELD_TEXT["title"])
                hosts = {}
                for i in self._shared:
                    copies = self._copies[self._ids[i]]
                    hay[i] = _SEP.join(_fold(text(copy, hosts)) for copy in copies)
            self._fields[field] = hay
        return hay

    @cached_property
    def by_path(self) -> dict[str, int]:
        """path -> index of each post (one object per engine: a body index keys a table on it)."""
        found = {post.path: index for index, post in enumerate(self.posts)}
        for i in self._shared:
            found.update((copy.path, i) for copy in self._copies[self._ids[i]])
        return found

    def filter(
        self,
        query: Query,
        *,
        state: Callable[[str], StateLike],
        selected: Container[str] = frozenset(),
        body_search: Callable[[str], set[str]] | None = None,
        hide_archived: bool = True,
        states: Mapping[str, StateLike] | None = None,
        within: list[int] | None = None,
        body_positions: Callable[[str], set[int]] | None = None,
    ) -> list[int]:
        """Indices of the matching posts, in order.

        state(post.id) gives a post's read/starred/archived/labels; selected holds post ids;
        body_search(text) gives the paths whose title or body contains text (else body: searches
        titles). states, optional, maps post id -> state for every post whose state is not the
        default (StateStore.snapshot()): with it, labels and archived posts are found by scanning
        it rather than by calling state() for every post. within, optional, limits the search to
        these indices: what a broader query matched (see parser.narrows) with the same states.
        body_positions, optional, is body_search answering with indices into posts (faster when
        most posts match: FullTextIndex.positions with this engine's by_path).
        """
        run = _Run(self, state, selected, body_search, states, body_positions)
        indices = run.eval(query, within)
        if hide_archived and not uses_field(query, "is:archived"):
            if states is not None:
                archived = {
                    i for pid, st in states.items() if st.archived for i in self.positions_of(pid)
                }
                if archived:
                    indices = [i for i in indices if i not in archived]
            else:
                ids = self._ids
                indices = [i for i in indices if not state(ids[i]).archived]
        return indices

    def matches(
        self,
        index: int,
        query: Query,
        *,
        state: Callable[[str], StateLike],
        selected: Container[str] = frozenset(),
        body_search: Callable[[str], set[str]] | None = None,
    ) -> bool:
        """Whether one post matches (archived posts are not hidden here)."""
        run = _Run(self, state, selected, body_search, None, None)
        return bool(run.eval(query, [index]))

    def today(self) -> date:
        now = self._now() if self._now else datetime.now(self._tz)
        if now.tzinfo is not None:
            now = now.astimezone(self._tz)  # astimezone(None) means the system's zone
        return now.date()

    def span(self, term: DateTerm, today: date) -> tuple[float, float]:
        """[start, end) in epoch seconds of a date value: a day, month or year, local time."""
        value = term.value
        last: date | None
        try:
            if value == "today":
                first = today
                last = today + _DAY
            elif value == "yesterday":
                first = today - _DAY
                last = today
            elif value[-1] in "dwmy":
                count = int(value[:-1])
                unit = value[-1]
                if unit == "d":
                    first = today - count * _DAY
                elif unit == "w":
                    first = today - 7 * count * _DAY
                else:
                    first = _months_back(today, count * (12 if unit == "y" else 1))
                last = first + _DAY
            else:
                parts = [int(part) for part in value.split("-")]
                year = parts[0]
                if len(parts) == 1:
                    first = date(year, 1, 1)
                    last = date(year + 1, 1, 1) if year < 9999 else None
                elif len(parts) == 2:
                    first = date(year, parts[1], 1)
                    last = _months_back(first, -1) if (year, parts[1]) < (9999, 12) else None
                else:
                    first = date(year, parts[1], parts[2])
                    last = first + _DAY if first < date.max else None
        except (OverflowError, ValueError):
            return (-math.inf, -math.inf)  # further back than dates go: nothing is "on" it
        return (self._midnight(first), self._midnight(last) if last else math.inf)

    def _midnight(self, day: date) -> float:
        try:
            if self._tz is None:
                return datetime(day.year, day.month, day.day).timestamp()  # naive = local time
            return datetime(day.year, day.month, day.day, tzinfo=self._tz).timestamp()
        except (OverflowError, OSError, ValueError):
            return -math.inf if day.year < 1970 else math.inf


class ResultMemo:
    """The last few queries' matches under one engine and one state: typing a letter searches only
    what the shorter query matched (see parser.narrows), and backspacing finds its answer here."""

    def __init__(self, size: int = 8) -> None:
        self.size = size
        self._key: object = None
        self._found: dict[Query, list[int]] = {}

    def lookup(self, key: object, query: Query) -> tuple[list[int] | None, list[int] | None]:
        """(the matches if this query ran under the same key, else the smallest list to search)."""
        if key != self._key:
            self._key, self._found = key, {}
        if query in self._found:
            return self._found[query], None
        broader = [found for old, found in self._found.items() if narrows(query, old)]
        return None, min(broader, key=len, default=None)

    def store(self, query: Query, indices: list[int]) -> None:
        self._found.pop(query, None)
        self._found[query] = indices
        while len(self._found) > self.size:
            self._found.pop(next(iter(self._found)))


def body_candidates(query: Query, body_search: Callable[[str], set[str]]) -> set[str] | None:
    """Paths that include every match of query, found with body_search alone; None when the
    query's matches are not limited by a body: term (then every post is a candidate).

    `newstui list` loads only these posts from the index: `body:香港 after:2024` reads the few
    hundred posts that mention 香港, not all 100,000.
    """
    if isinstance(query, Term):
        if query.field == "body" and not query.negated:
            return set(body_search(query.value))
        return None
    if isinstance(query, And):
        found = None
        for item in query.items:
            paths = body_candidates(item, body_search)
            if paths is not None:
                found = paths if found is None else found & paths
        return found
    if isinstance(query, Or):
        union: set[str] = set()
        for item in query.items:
            paths = body_candidates(item, body_search)
            if paths is None:
                return None
            union |= paths
        return union
    return None  # Not, dates, is: anything can match them


def only_body_terms(query: Query) -> bool:
    """Whether query is body: terms joined by AND and OR, nothing else: then body_candidates()
    is exactly its matches (with archived posts, which `newstui list` shows)."""
    if isinstance(query, Term):
        return query.field == "body" and not query.negated
    if isinstance(query, And | Or):
        return all(only_body_terms(item) for item in query.items)
    return False


def _source(post: Post, hosts: dict[str, str]) -> str:
    """post.source, parsing each distinct scheme://host once (urlsplit dominates 100,000 posts)."""
    url = post.url
    start = url.find("://")
    if start < 0:
        return post.source
    end = url.find("/", start + 3)
    key = url if end < 0 else url[:end]
    host = hosts.get(key)
    if host is None:
        host = hosts[key] = url_host(key)
    return host or post.author


# A field's text of one post, for the stories whose haystack entry joins every copy's.
_FIELD_TEXT: dict[str, Callable[[Post, dict[str, str]], str]] = {
    ANY: lambda post, hosts: _SEP.join(
        (post.title, post.author, _source(post, hosts), *post.tags, *post.categories)
    ),
    "author": lambda post, hosts: post.author,
    "source": lambda post, hosts: _source(post, hosts),
    "tag": lambda post, hosts: _SEP.join((*post.tags, *post.categories)),
    "path": lambda post, hosts: post.path,
    "title": lambda post, hosts: post.title,
}


def _months_back(day: date, months: int) -> date:
    """The same day of the month `months` earlier (negative: later), clamped to the month's end."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    if not 1 <= year <= 9999:
        raise OverflowError("date out of range")
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


# Cheap terms first, so the expensive ones (state lookups, full-text search) see fewer posts.
def _cost(query: Query) -> int:
    if isinstance(query, DateTerm):
        return 0
    if isinstance(query, Term):
        return 3 if query.field == "body" else 1
    if isinstance(query, IsTerm):
        return 1 if query.value in ("selected", "problem") else 2
    return 4


class _Run:
    """One filter call: evaluates term by term, each narrowing a list of candidate indices."""

    def __init__(
        self,
        engine: QueryEngine,
        state: Callable[[str], StateLike],
        selected: Container[str],
        body_search: Callable[[str], set[str]] | None,
        states: Mapping[str, StateLike] | None,
        body_positions: Callable[[str], set[int]] | None,
    ) -> None:
        self.engine = engine
        self.state = state
        self.selected = selected
        self.body_search = body_search
        self.body_positions = body_positions
        self.states = states
        self._labels: dict[int, frozenset[str]] | None = None
        self._today: date | None = None

    def eval(self, query: Query, cands: list[int] | None) -> list[int]:
        """The members of cands (None: every post) that match, in order."""
        if isinstance(query, Term):
            return self._term(query, cands)
        if isinstance(query, And):
            for item in sorted(query.items, key=_cost):
                cands = self.eval(item, cands)
                if not cands:
                    return []
            return self._all() if cands is None else cands
        if isinstance(query, Or):
            everything = self._all() if cands is None else cands
            hits: set[int] = set()
            rest = everything
            for item in query.items:
                hits.update(self.eval(item, rest))
                rest = [i for i in rest if i not in hits]
                if not rest:
                    break
            return [i for i in everything if i in hits]
        if isinstance(query, Not):
            everything = self._all() if cands is None else cands
            misses = set(self.eval(query.item, cands))
            return [i for i in everything if i not in misses]
        if isinstance(query, DateTerm):
            return self._date(query, cands)
        return self._is(query, cands)

    def _all(self) -> list[int]:
        return list(range(len(self.engine.posts)))

    def _term(self, term: Term, cands: list[int] | None) -> list[int]:
        if term.field == "body" and self.body_positions is not None:
            return self._keep(cands, self.body_positions(term.value), term.negated)
        if term.field == "body" and self.body_search is not None:
            by_path = self.engine.by_path
            found = {by_path[p] for p in self.body_search(term.value) if p in by_path}
            return self._keep(cands, found, term.negated)
        value = fold(term.value)
        if term.field == "label":
            labelled = self._labels_by_post()
            found = {i for i, labels in labelled.items() if value in labels}
            return self._keep(cands, found, term.negated)
        hay = self.engine.haystack(term.field)
        if cands is None:
            if term.negated:
                return [i for i, h in enumerate(hay) if value not in h]
            return [i for i, h in enumerate(hay) if value in h]
        if term.negated:
            return [i for i in cands if value not in hay[i]]
        return [i for i in cands if value in hay[i]]

    def _keep(self, cands: list[int] | None, found: set[int], negated: bool) -> list[int]:
        everything = self._all() if cands is None else cands
        if negated:
            return [i for i in everything if i not in found]
        if cands is None:
            return sorted(found)
        return [i for i in cands if i in found]

    def _labels_by_post(self) -> dict[int, frozenset[str]]:
        """index -> folded labels, for posts with labels; built once per filter call."""
        if self._labels is None:
            if self.states is not None:
                at = self.engine.positions_of
                pairs = [
                    (i, st.labels) for pid, st in self.states.items() if st.labels for i in at(pid)
                ]
            else:
                state = self.state
                pairs = [(i, state(post_id).labels) for i, post_id in enumerate(self.engine._ids)]
            self._labels = {
                i: frozenset(fold(label) for label in labels)
                for i, labels in pairs
                if i is not None and labels
            }
        return self._labels

    def _date(self, term: DateTerm, cands: list[int] | None) -> list[int]:
        if self._today is None:
            self._today = self.engine.today()
        start, end = self.engine.span(term, self._today)
        time = self.engine._time
        indices = range(len(time)) if cands is None else cands
        # Written as plain comparisons so NaN (undated) fails them whether negated or not.
        if term.op == "after":
            if term.negated:
                return [i for i in indices if time[i] < start]
            return [i for i in indices if time[i] >= start]
        if term.op == "before":
            if term.negated:
                return [i for i in indices if time[i] >= start]
            return [i for i in indices if time[i] < start]
        if term.negated:
            return [i for i in indices if time[i] < start or time[i] >= end]
        return [i for i in indices if start <= time[i] < end]

    def _is(self, term: IsTerm, cands: list[int] | None) -> list[int]:
        ids = self.engine._ids
        indices = range(len(ids)) if cands is None else cands
        want = not term.negated
        if term.value == "selected":
            selected = self.selected
            return [i for i in indices if (ids[i] in selected) is want]
        if term.value == "problem":
            problem = self.engine._problem
            return [i for i in indices if problem[i] is want]
        if term.value == "labelled":
            labelled = self._labels_by_post()
            return [i for i in indices if (i in labelled) is want]
        state = self.state
        if term.value == "archived":
            return [i for i in indices if state(ids[i]).archived == want]
        if term.value == "starred":
            return [i for i in indices if state(ids[i]).starred == want]
        if term.value == "unread":
            want = not want
        return [i for i in indices if state(ids[i]).read == want]
