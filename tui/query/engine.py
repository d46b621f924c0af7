"""Runs a parsed query over many posts quickly: folded columns built once, terms narrow index lists
in C-level passes (a million posts in about a tenth of a second)."""

from __future__ import annotations

import calendar
import math
import threading
from collections.abc import Callable, Container, Mapping, Sequence
from datetime import date, datetime, timedelta, tzinfo
from functools import cached_property
from itertools import compress, filterfalse, repeat
from operator import attrgetter
from typing import Protocol

from tui.chinese import fold
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
_ID = attrgetter("id")
_FOLDED = attrgetter("folded")
_TS = attrgetter("ts")
_PATH = attrgetter("path")
_PROBLEMS = attrgetter("problems")
# Fields whose values repeat across posts (a few thousand authors, sources, tag sets).
_SHARED_VALUES = ("author", "source", "tag")
# The column a bare word searches besides the title: author, source and tags in one text (few
# distinct values, like each of them).
_META = "meta"
# Up to this many posts the title column is a fresh copy of the titles, made in one sweep so
# that they lie one after another in memory: a search walks them 1.3-2 times as fast as the
# posts' own strings, spread among each post's other fields. Beyond it, the posts' own strings:
# at a million posts the copies were ~140 MB of the 1 GB that newstui may hold.
FRESH_TITLES = 300_000
# How many values' containing() answers an engine keeps.
_CONTAINING_KEPT = 8


class PositionSet(Protocol):
    """What a body index answers for a term: positions in the engine's list of posts."""

    def sorted(self, positions: Sequence[int]) -> list[int]: ...
    def keep(self, cands: Sequence[int], negated: bool) -> list[int]: ...


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
    of posts, a column per field; rebuild it when the list changes.

    Built for a million posts: every pass over the posts, when it is built and at each query, is
    a C-level one (map, compress, filter over lists), not a Python loop per post; and the text
    is held once: a title column (the post's own str where folding changes nothing), and author,
    source and tag columns whose few distinct values are shared by all the posts that have them.
    A bare word is looked for in the titles and in the distinct values of the other three, whose
    posts are then found by their value (tui.text.clean keeps the separator out of post text, so
    this is the same as searching title, author, source and tags joined by it).
    """

    def __init__(
        self,
        posts: Sequence[Post],
        *,
        tz: tzinfo | None = None,
        now: Callable[[], datetime] | None = None,
        lazy: bool = False,
        copies: Mapping[str, Sequence[Post]] | None = None,
        shared: Sequence[int] | None = None,
    ) -> None:
        """lazy=True leaves even the title column to prepare() or the first query that needs it
        (`newstui list` may not need it).

        copies, optional, makes this an engine over stories (tui.stories.Stories): posts are the
        stories' rows and copies maps a story key to every file of a story that has several. A
        story's text is then all its files' text (a word in any copy's title finds the story),
        body: and path: search every copy, and its date is its row's (the newest copy's).
        shared, optional: the positions in posts of the stories in copies, when the caller knows
        them (tui.stories.Stories.shared); else they are found by looking up every post's key.

        Nothing is worked out per post here: the list is sent to the screen right after this, and
        at a million posts a tuple of their ids and a lookup of each took 0.3-0.5 s before it.
        """
        self.posts = posts
        self._tz = tz  # None: the system's local time zone
        self._now = now
        self._copies = copies or {}
        if shared is not None:
            self._shared = shared
        # Columns are built on first use, so a million posts do not carry a folded copy of a
        # field nobody searches (memory budget).
        self._fields: dict[str, Sequence[str]] = {}
        self._distinct: dict[str, frozenset[str]] = {}
        self._containing: dict[tuple[str, str], frozenset[str]] = {}  # see containing()
        self._containing_lock = threading.Lock()
        if not lazy:
            self.prepare()

    @cached_property
    def _ids(self) -> tuple[str, ...]:
        """Each post's id (its story key), for state terms: made on the first that needs it
        (7 MB at a million posts)."""
        return tuple(map(_ID, self.posts))

    @cached_property
    def _shared(self) -> Sequence[int]:
        """Positions of the stories with several files (few): their text is joined from them all."""
        if not self._copies:
            return []
        shared = map(self._copies.__contains__, map(_ID, self.posts))
        return list(compress(range(len(self.posts)), shared))

    def _copies_at(self, i: int) -> Sequence[Post]:
        """The files of the story at position i, one of _shared."""
        return self._copies[self.posts[i].id]

    @property
    def ready(self) -> bool:
        """Whether the columns a bare word needs are built (see prepare)."""
        return "title" in self._fields and _META in self._fields

    def prepare(self) -> None:
        """Build the columns a bare word needs: the app does it in a worker after showing the
        list (about a second at a million posts), and filters over an earlier list meanwhile."""
        self.haystack("title")
        self.haystack(_META)

    def haystack(self, field: str) -> Sequence[str]:
        """Folded text of one field (title, author, source, tag or path) for every post, built
        once on first use; a story with copies has all of theirs, joined (but its path, which is
        its row's own: see _copy_paths)."""
        hay = self._fields.get(field)
        if hay is None:
            posts = self.posts
            if field == "title":
                hay = list(map(_FOLDED, posts))  # folded where they were parsed
                if len(hay) <= FRESH_TITLES:
                    fresh = list(map(str.lower, hay))  # lower() of folded text is the same text
                    if fresh == hay:
                        hay = fresh
            elif field == "path":
                hay = list(map(_fold, map(_PATH, posts)))
            elif field == _META:
                hay = _meta_column(posts)
            else:  # few distinct values: each is folded once, and shared
                same = _Memo()
                hosts: dict[str, str] = {}
                hay = list(map(same, map(_FIELD_TEXT[field], posts, repeat(hosts))))
            if self._shared and field != "path":  # (paths: see _copy_paths)
                text = _FIELD_TEXT[field]
                hosts = {}
                for i in self._shared:
                    # Each distinct text once: copies that agree (one author and source under
                    # two urls, as archives often have) keep the one text the column shares.
                    texts = dict.fromkeys(_fold(text(copy, hosts)) for copy in self._copies_at(i))
                    if len(texts) > 1 or hay[i] not in texts:
                        hay[i] = _SEP.join(texts)
            # A tuple: once a collection has seen that it holds only strings, the collector
            # leaves it alone (a list of a million is walked element by element at every full
            # collection).
            hay = self._fields[field] = tuple(hay)
        return hay

    @cached_property
    def _copy_paths(self) -> list[tuple[int, str]]:
        """(position, folded path) of each file of a story with copies but its row's own: a path:
        term tests them beside the path column. Joined into one text per story, as other fields
        are, they were ~50 MB at a million posts (every path differs; titles and authors agree)."""
        own = self.haystack("path")
        return [
            (i, path)
            for i in self._shared
            for path in map(_fold, map(_PATH, self._copies_at(i)))
            if path != own[i]
        ]

    def distinct(self, field: str) -> frozenset[str]:
        """The distinct values of a column with few (author, source, tag, meta)."""
        values = self._distinct.get(field)
        if values is None:
            values = self._distinct[field] = frozenset(self.haystack(field))
        return values

    def containing(self, field: str, value: str) -> frozenset[str]:
        """The distinct values of a column with few (distinct()) that contain value. Kept for the
        last few values: a filter searched in slices asks once per slice, and typing a letter
        more looks only among the values that held the text before it (5,536 distinct author,
        source and tag texts at 100,000 generated posts, each looked through once per slice)."""
        key = (field, value)
        with self._containing_lock:  # workers count saved searches meanwhile
            found = self._containing.pop(key, None)
            narrower = [
                values
                for (other, text), values in self._containing.items()
                if other == field and text in value
            ]
        if found is None:
            among = min(narrower, key=len) if narrower else self.distinct(field)
            found = frozenset(text for text in among if value in text)
        with self._containing_lock:
            self._containing[key] = found  # the newest
            while len(self._containing) > _CONTAINING_KEPT:
                self._containing.pop(next(iter(self._containing)))
        return found

    @cached_property
    def positions(self) -> tuple[int, ...]:
        """0, 1, ... len(posts) - 1, made once: every answer holds these int objects instead of
        making its own (an answer of most of a million posts held ~25 MB of them), and a query
        with no terms answers this list itself. Never changed by its users."""
        return tuple(range(len(self.posts)))

    @cached_property
    def times(self) -> list[float]:
        """Each post's date in epoch seconds; NaN for undated posts: every comparison with NaN
        is False, so they never match a date, negated or not."""
        return [math.nan if ts == UNDATED else ts for ts in map(_TS, self.posts)]

    @cached_property
    def problems(self) -> list[bool]:
        problem = list(map(bool, map(_PROBLEMS, self.posts)))
        for i in self._shared:
            problem[i] = any(copy.problems for copy in self._copies_at(i))
        return problem

    @cached_property
    def by_path(self) -> dict[str, int]:
        """path -> index of each post (one object per engine: a body index keys a table on it).
        Its values are the int objects of positions: new ones were 28 MB at a million posts."""
        found = dict(zip(map(_PATH, self.posts), self.positions, strict=True))
        for i in self._shared:
            found.update((copy.path, i) for copy in self._copies_at(i))
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
        within: Sequence[int] | None = None,
        body_positions: Callable[[str], PositionSet] | None = None,
    ) -> list[int]:
        """Indices of the matching posts, in order.

        state(post.id) gives a post's read/starred/archived/labels; selected holds post ids;
        body_search(text) gives the paths whose title or body contains text (else body: searches
        titles). states, optional, maps post id -> state for every post whose state is not the
        default (StateStore.snapshot()): with it, state terms are answered from sets of ids
        rather than by calling state() for every post. within, optional, limits the search to
        these indices: what a broader query matched (see parser.narrows) with the same states.
        body_positions, optional, is body_search answering with indices into posts (faster when
        most posts match: FullTextIndex.positions with this engine's by_path).
        """
        run = _Run(self, state, selected, body_search, states, body_positions)
        indices = run.eval(query, within)
        if hide_archived and not uses_field(query, "is:archived") and indices:
            if states is not None:
                archived = {post_id for post_id, st in states.items() if st.archived}
                if archived:
                    ids = self._ids
                    indices = [i for i in indices if ids[i] not in archived]
            else:
                ids = self._ids
                indices = [i for i in indices if not state(ids[i]).archived]
        return indices if type(indices) is list else list(indices)  # positions, shared

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
        self._found: dict[Query, Sequence[int]] = {}

    def lookup(
        self, key: object, query: Query
    ) -> tuple[Sequence[int] | None, Sequence[int] | None]:
        """(the matches if this query ran under the same key, else the smallest list to search)."""
        if key != self._key:
            self._key, self._found = key, {}
        if query in self._found:
            return self._found[query], None
        broader = [found for old, found in self._found.items() if narrows(query, old)]
        return None, min(broader, key=len, default=None)

    def store(self, query: Query, indices: Sequence[int]) -> None:
        self._found.pop(query, None)
        # Kept as a tuple, which the collector stops tracking once it has seen it holds only
        # ints: eight answers of up to a million kept as lists made every full collection walk
        # them (0.2-1.5 s on a loaded machine at a million posts, while a key waited).
        self._found[query] = tuple(indices)
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


def _meta_column(posts: Sequence[Post]) -> list[str]:
    """Each post's author, source and tags as one folded text, shared by every post with the
    same four values. One loop with no call per post but the lookups (a million posts are
    about a second): the host is worked out once per scheme://host, the text once per value."""
    hosts: dict[str, str] = {}
    texts: dict[tuple[str, str, tuple[str, ...], tuple[str, ...]], str] = {}
    column: list[str] = []
    append = column.append
    for post in posts:
        url = post.url
        start = url.find("://")
        if start < 0:
            source = post.source
        else:
            end = url.find("/", start + 3)
            key = url if end < 0 else url[:end]
            host = hosts.get(key)
            if host is None:
                host = hosts[key] = url_host(key)
            source = host or post.author
        values = (post.author, source, post.tags, post.categories)
        text = texts.get(values)
        if text is None:
            text = texts[values] = _fold(
                _SEP.join((post.author, source, *post.tags, *post.categories))
            )
        append(text)
    return column


# A field's text of one post (hosts: _source's memo).
_FIELD_TEXT: dict[str, Callable[[Post, dict[str, str]], str]] = {
    "author": lambda post, hosts: post.author,
    "source": lambda post, hosts: _source(post, hosts),
    "tag": lambda post, hosts: _SEP.join((*post.tags, *post.categories)),
    _META: lambda post, hosts: _SEP.join(
        (post.author, _source(post, hosts), *post.tags, *post.categories)
    ),
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
    """One filter call: evaluates term by term, each narrowing a list of candidate indices.

    Each term is one list comprehension over the candidates (every post at first): in CPython
    3.11 they beat map/compress pipelines, and a term that can match no post costs nothing."""

    def __init__(
        self,
        engine: QueryEngine,
        state: Callable[[str], StateLike],
        selected: Container[str],
        body_search: Callable[[str], set[str]] | None,
        states: Mapping[str, StateLike] | None,
        body_positions: Callable[[str], PositionSet] | None,
    ) -> None:
        self.engine = engine
        self.state = state
        self.selected = selected
        self.body_search = body_search
        self.body_positions = body_positions
        self.states = states
        self._labels: dict[str, frozenset[str]] | None = None
        self._today: date | None = None

    def eval(self, query: Query, cands: Sequence[int] | None) -> Sequence[int]:
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
                rest = list(filterfalse(hits.__contains__, rest))
                if not rest:
                    break
            return list(filter(hits.__contains__, everything))
        if isinstance(query, Not):
            everything = self._all() if cands is None else cands
            misses = set(self.eval(query.item, cands))
            return list(filterfalse(misses.__contains__, everything))
        if isinstance(query, DateTerm):
            return self._date(query, cands)
        return self._is(query, cands)

    def _all(self) -> Sequence[int]:
        return self.engine.positions

    def _term(self, term: Term, cands: Sequence[int] | None) -> Sequence[int]:
        if term.field == "body" and self.body_positions is not None:
            found = self.body_positions(term.value)
            if cands is None and not term.negated:
                return found.sorted(self._all())
            return found.keep(self._all() if cands is None else cands, term.negated)
        if term.field == "body" and self.body_search is not None:
            by_path = self.engine.by_path
            paths = self.body_search(term.value)
            return self._keep(cands, {by_path[p] for p in paths if p in by_path}, term.negated)
        engine, value, negated = self.engine, fold(term.value), term.negated
        if term.field == "label":
            labelled = {pid for pid, labels in self._labels_by_id().items() if value in labels}
            return self._by_value(engine._ids, labelled, cands, negated)
        if term.field in _SHARED_VALUES:
            hits = engine.containing(term.field, value)
            return self._by_value(engine.haystack(term.field), hits, cands, negated)
        cands = engine.positions if cands is None else cands
        if term.field == "path":
            own = _scan(engine.haystack("path"), value, cands, negated)
            copies = {i for i, path in engine._copy_paths if value in path}
            if not copies:
                return own
            if negated:  # no file of the story may have it
                return list(filterfalse(copies.__contains__, own))
            return self._keep(cands, copies.union(own), negated)
        titles = engine.haystack("title")  # title:, and body: without a full-text index
        if term.field != ANY:
            return _scan(titles, value, cands, negated)
        meta = engine.haystack(_META)
        if _SEP in value:  # it could span title and the rest, as in the text they make together
            joined = list(map(_SEP.join, zip(titles, meta, strict=True)))
            return _scan(joined, value, cands, negated)
        hits = engine.containing(_META, value)
        if not hits:
            return _scan(titles, value, cands, negated)
        return _scan_either(titles, value, meta, hits, cands, negated)

    def _by_value(
        self,
        column: Sequence[str],
        hits: Container[str],
        cands: Sequence[int] | None,
        negated: bool,
    ) -> Sequence[int]:
        """The candidates whose value in column is one of hits (not one, if negated)."""
        if not hits:
            return [] if not negated else self._all() if cands is None else cands
        if cands is None:
            every = self.engine.positions
            if negated:
                return [i for i, text in zip(every, column, strict=True) if text not in hits]
            return [i for i, text in zip(every, column, strict=True) if text in hits]
        if negated:
            return [i for i in cands if column[i] not in hits]
        return [i for i in cands if column[i] in hits]

    def _keep(self, cands: Sequence[int] | None, found: set[int], negated: bool) -> Sequence[int]:
        everything = self._all() if cands is None else cands
        if negated:
            return list(filterfalse(found.__contains__, everything))
        if cands is None:
            return sorted(found)
        return list(filter(found.__contains__, cands))

    def _labels_by_id(self) -> dict[str, frozenset[str]]:
        """post id -> its folded labels, for posts with labels; built once per filter call."""
        if self._labels is None:
            if self.states is not None:
                pairs = [(pid, st.labels) for pid, st in self.states.items() if st.labels]
            else:
                state = self.state
                pairs = [(pid, state(pid).labels) for pid in dict.fromkeys(self.engine._ids)]
            self._labels = {
                pid: frozenset(fold(label) for label in labels) for pid, labels in pairs if labels
            }
        return self._labels

    def _date(self, term: DateTerm, cands: Sequence[int] | None) -> Sequence[int]:
        if self._today is None:
            self._today = self.engine.today()
        start, end = self.engine.span(term, self._today)
        time = self.engine.times
        indices = self.engine.positions if cands is None else cands
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

    def _is(self, term: IsTerm, cands: Sequence[int] | None) -> Sequence[int]:
        ids = self.engine._ids
        indices = self.engine.positions if cands is None else cands
        want = not term.negated
        if term.value == "selected":
            selected = self.selected
            return [i for i in indices if (ids[i] in selected) is want]
        if term.value == "problem":
            problem = self.engine.problems
            return [i for i in indices if problem[i] is want]
        if term.value == "labelled":
            return self._by_value(ids, self._labels_by_id().keys(), cands, not want)
        if term.value == "unread":
            want = not want
        name = "read" if term.value == "unread" else term.value
        if self.states is not None:
            found = {pid for pid, st in self.states.items() if getattr(st, name)}
            return self._by_value(ids, found, cands, not want)
        state = self.state
        return [i for i in indices if getattr(state(ids[i]), name) == want]


def _scan(hay: Sequence[str], value: str, cands: Sequence[int], negated: bool) -> Sequence[int]:
    """The candidates (QueryEngine.positions: every post) whose text in hay holds value (does not,
    if negated). List comprehensions: in CPython 3.11 they beat map/compress pipelines here."""
    if len(cands) == len(hay):  # every post: no lookup by index
        if negated:
            return [i for i, text in zip(cands, hay, strict=True) if value not in text]
        return [i for i, text in zip(cands, hay, strict=True) if value in text]
    if negated:
        return [i for i in cands if value not in hay[i]]
    return [i for i in cands if value in hay[i]]


def _scan_either(
    titles: Sequence[str],
    value: str,
    meta: Sequence[str],
    hits: Container[str],
    cands: Sequence[int],
    negated: bool,
) -> Sequence[int]:
    """_scan over titles, where a post whose meta value is one of hits matches too (one pass
    that skips the second test when the first holds)."""
    if len(cands) == len(titles):
        if negated:
            return [
                i
                for i, t, m in zip(cands, titles, meta, strict=True)
                if not (value in t or m in hits)
            ]
        return [i for i, t, m in zip(cands, titles, meta, strict=True) if value in t or m in hits]
    if negated:
        return [i for i in cands if not (value in titles[i] or meta[i] in hits)]
    return [i for i in cands if value in titles[i] or meta[i] in hits]
