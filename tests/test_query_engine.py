"""QueryEngine against a plain brute-force matcher over a few thousand generated posts."""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.chinese import fold
from tui.index.matches import Matches
from tui.model import Post
from tui.query import (
    ANY,
    And,
    DateTerm,
    IsTerm,
    Not,
    Or,
    Query,
    QueryEngine,
    ResultMemo,
    Term,
    body_candidates,
    parse,
)
from tui.query.engine import _source
from tui.query.parser import narrows

TZ = ZoneInfo("America/New_York")  # has daylight saving, so local midnights are not 24 h apart
NOW = datetime(2024, 3, 31, 1, 30, tzinfo=ZoneInfo("UTC"))  # still March 30th in New York
TODAY = date(2024, 3, 30)

WORDS = [
    *("香港", "警方", "香港警方", "蚂蚁集团", "Covid", "vaccine", "Hong", "Kong", "ab", "x"),
    *("台湾", "台灣", "臺灣", "問題"),  # one word in three scripts, and a Traditional one
]
AUTHORS = ["联合早报", "BBC News", "Reuters", ""]
HOSTS = ["https://www.zaobao.com", "https://bbc.co.uk", "http://Reuters.com:8080", ""]
LABELS = ["todo", "香港", "Later", "kong", "待讀", "待读书"]


@dataclass
class State:
    read: bool = False
    starred: bool = False
    archived: bool = False
    labels: frozenset[str] = frozenset()


DEFAULT = State()


def random_date(rnd: random.Random) -> datetime | None:
    if rnd.random() < 0.1:
        return None
    if rnd.random() < 0.5:  # near "now", where relative dates cut
        moment = NOW - timedelta(minutes=rnd.randint(0, 60 * 24 * 200))
    else:
        moment = datetime(2019, 1, 1, tzinfo=TZ) + timedelta(minutes=rnd.randint(0, 60 * 24 * 1900))
    zone = rnd.choice([TZ, ZoneInfo("UTC"), ZoneInfo("Asia/Shanghai")])
    return moment.astimezone(zone)


def make_world(count: int, seed: int = 7):
    rnd = random.Random(seed)
    posts = []
    states: dict[str, State] = {}
    bodies: dict[str, str] = {}
    for i in range(count):
        title = " ".join(rnd.sample(WORDS, rnd.randint(1, 3)))
        host = rnd.choice(HOSTS)
        url = f"{host}/story/{i}" if host else ""
        post_date = random_date(rnd)
        year = post_date.year if post_date else "undated"
        path = f"{year}/{rnd.choice(['Zaobao', 'bbc'])}-{i}.md"
        posts.append(
            Post(
                id=url or path,
                path=path,
                title=title,
                date=post_date,
                author=rnd.choice(AUTHORS),
                url=url,
                tags=tuple(rnd.sample(["新闻", "China", "港闻"], rnd.randint(0, 2))),
                categories=tuple(rnd.sample(["World", "蚂蚁"], rnd.randint(0, 1))),
                problems=("bad date",) if rnd.random() < 0.05 else (),
            )
        )
        bodies[path] = " ".join(rnd.choices(WORDS + ["body-only"], k=3))
        if rnd.random() < 0.6:
            states[posts[-1].id] = State(
                read=rnd.random() < 0.5,
                starred=rnd.random() < 0.2,
                archived=rnd.random() < 0.1,
                labels=frozenset(rnd.sample(LABELS, rnd.randint(0, 2)))
                if rnd.random() < 0.2
                else frozenset(),
            )
    selected = {post.id for post in posts if rnd.random() < 0.1}
    return posts, states, bodies, selected


POSTS, STATES, BODIES, SELECTED = make_world(2500)
ENGINE = QueryEngine(POSTS, tz=TZ, now=lambda: NOW)


def state(post_id: str) -> State:
    return STATES.get(post_id, DEFAULT)


TITLE_AND_BODY = {post.path: fold(post.title + BODIES[post.path]) for post in POSTS}


def body_search(text: str) -> set[str]:
    return {path for path, full in TITLE_AND_BODY.items() if fold(text) in full}


# --- the brute force ------------------------------------------------------------------------


def months_back(day: date, months: int) -> date:
    year, month = day.year, day.month
    for _ in range(months):
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=TZ)


def span(value: str) -> tuple[datetime, datetime]:
    if value == "today":
        return local(TODAY), local(TODAY + timedelta(days=1))
    if value == "yesterday":
        return local(TODAY - timedelta(days=1)), local(TODAY)
    if value[-1] in "dwmy":
        n = int(value[:-1])
        days = {"d": n, "w": 7 * n}.get(value[-1])
        if days is not None:
            first = TODAY - timedelta(days=days)
        else:
            first = months_back(TODAY, n if value[-1] == "m" else 12 * n)
        return local(first), local(first + timedelta(days=1))
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return local(date(parts[0], 1, 1)), local(date(parts[0] + 1, 1, 1))
    if len(parts) == 2:
        first = date(parts[0], parts[1], 1)
        return local(first), local(next_month(first))
    first = date(*parts)
    return local(first), local(first + timedelta(days=1))


def next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def brute(post: Post, query: Query, use_body: bool = True) -> bool:
    st_ = state(post.id)
    if isinstance(query, And):
        return all(brute(post, item, use_body) for item in query.items)
    if isinstance(query, Or):
        return any(brute(post, item, use_body) for item in query.items)
    if isinstance(query, Not):
        return not brute(post, query.item, use_body)
    if isinstance(query, DateTerm):
        if post.date is None:
            return False
        start, end = span(query.value)
        hit = {
            "after": post.date >= start,
            "before": post.date < start,
            "on": start <= post.date < end,
        }[query.op]
        return hit != query.negated
    if isinstance(query, IsTerm):
        hit = {
            "read": st_.read,
            "unread": not st_.read,
            "starred": st_.starred,
            "archived": st_.archived,
            "selected": post.id in SELECTED,
            "problem": bool(post.problems),
            "labelled": bool(st_.labels),
        }[query.value]
        return hit != query.negated
    assert isinstance(query, Term)
    value = fold(query.value)
    if query.field == "label":
        return any(fold(label) == value for label in st_.labels) != query.negated
    tags = [*post.tags, *post.categories]
    fields = {
        ANY: [post.title, post.author, post.source, *tags],
        "title": [post.title],
        "author": [post.author],
        "source": [post.source],
        "tag": tags,
        "path": [post.path],
        "body": [TITLE_AND_BODY[post.path]] if use_body else [post.title],
    }[query.field]
    hit = any(value in fold(text) for text in fields)
    return hit != query.negated


def expected(query: Query, hide_archived: bool = True, use_body: bool = True) -> list[int]:
    return [
        i
        for i, post in enumerate(POSTS)
        if brute(post, query, use_body)
        and not (hide_archived and state(post.id).archived and not mentions_archived(query))
    ]


def mentions_archived(query: Query) -> bool:
    if isinstance(query, And | Or):
        return any(mentions_archived(item) for item in query.items)
    if isinstance(query, Not):
        return mentions_archived(query.item)
    return isinstance(query, IsTerm) and query.value == "archived"


def run(query: Query, **kwargs) -> list[int]:
    return ENGINE.filter(query, state=state, selected=SELECTED, body_search=body_search, **kwargs)


# --- tests ----------------------------------------------------------------------------------

QUERIES = [
    "",
    "香港",
    "香港 警方",
    "HONG kong",
    '"hong kong"',
    "-香港",
    "covid OR 蚂蚁",
    "a b OR -x",
    "-(香港 OR vaccine) ab",
    "title:kong -author:bbc",
    "author:联合",
    "source:zaobao.com",
    "source:reuters -source:bbc",
    "source:联合早报",  # no url: source is the author
    "tag:港闻",
    "tag:香港 OR tag:china",
    "label:todo",
    "label:LATER -label:香港",
    "-label:kong",
    "label:待读",  # the label 待讀 (folded), not 待读书: a label matches whole
    "is:labelled",
    "-is:labelled 香港",
    "台湾",
    "臺灣 -問題",
    "title:台灣 OR author:聯合",
    "body:臺灣",
    "path:zaobao",
    "path:2023/",
    "body:body-only",
    "-body:香港 x",
    "is:read",
    "is:unread is:starred",
    "-is:starred",
    "is:archived",
    "-is:archived",
    "is:selected OR is:problem",
    "-is:selected",
    "after:2024",
    "after:2024-03",
    "before:2020",
    "on:2023-11",
    "on:2024-03-10",  # the day the clocks changed in New York
    "-on:2021",
    "-after:1y",
    "after:3d",
    "on:yesterday",
    "on:today OR on:1d",
    "after:2w before:1w",
    "after:6m",
    "on:1m",
    "-(after:2022 before:2023)",
    "is:unread source:zaobao after:1w",
    "(香港 OR kong) -(is:read OR label:todo) after:2020",
]


@pytest.mark.parametrize("text", QUERIES)
def test_filter_matches_brute_force(text: str) -> None:
    query = parse(text)
    got = run(query)
    assert got == expected(query)
    assert run(query, hide_archived=False) == expected(query, hide_archived=False)


def test_queries_select_something_but_not_everything() -> None:
    # Guards the test data: a query matching nothing or everything would prove little.
    for text in QUERIES[1:]:
        if "is:archived" in text:
            continue
        count = len(expected(parse(text), hide_archived=False))
        assert 0 < count < len(POSTS), text


def test_archived_posts_are_hidden_unless_asked_for() -> None:
    everything = run(parse(""))
    archived = {i for i, post in enumerate(POSTS) if state(post.id).archived}
    assert archived and not archived & set(everything)
    assert set(run(parse("is:archived"))) == archived
    assert len(run(parse(""), hide_archived=False)) == len(POSTS)


def test_body_without_a_full_text_index_searches_titles() -> None:
    query = parse("body:香港")
    got = ENGINE.filter(query, state=state, selected=SELECTED)
    assert got == expected(query, use_body=False)
    assert got != run(query)


def test_states_shortcut_gives_the_same_answers() -> None:
    def no_labels_or_archive(post_id: str) -> State:
        found = STATES.get(post_id, DEFAULT)
        return State(found.read, found.starred)

    # Labels and archived flags must then come from the mapping, not from state().
    for text in ["", "later", "-kong", "tag:todo OR x", "香港", "is:read"]:
        query = parse(text)
        shortcut = ENGINE.filter(
            query, state=no_labels_or_archive, selected=SELECTED, states=STATES
        )
        assert shortcut == run(query), text


def test_matches_one_post() -> None:
    query = parse("香港 -is:read")
    for i in range(200):
        hit = ENGINE.matches(i, query, state=state, selected=SELECTED, body_search=body_search)
        assert hit == brute(POSTS[i], query)


def test_date_edges_in_local_time() -> None:
    def post(moment: datetime) -> Post:
        return Post(id=str(moment), path="p.md", title="t", date=moment)

    new_year = datetime(2021, 1, 1, tzinfo=TZ)
    posts = [post(new_year), post(new_year - timedelta(microseconds=1)), post(new_year)]
    posts[2] = Post(id="u", path="u.md", title="t", date=None)
    engine = QueryEngine(posts, tz=TZ, now=lambda: NOW)

    def ids(text: str) -> list[int]:
        return engine.filter(parse(text), state=lambda _: DEFAULT)

    assert ids("after:2021") == [0]
    assert ids("before:2021") == [1]
    assert ids("on:2020") == [1]
    assert ids("on:2020-12-31") == [1]
    assert ids("-on:2021") == [1]  # undated posts match no date term, negated or not
    assert ids("-(on:2021)") == [1]
    assert ids("-(on:2021 t)") == [1, 2]  # ...but a negated group is plain logic
    utc = QueryEngine(posts, tz=ZoneInfo("UTC"), now=lambda: NOW)
    # In UTC both are on 2021-01-01 (05:00 and 04:59:59.999999).
    assert utc.filter(parse("on:2021-01-01"), state=lambda _: DEFAULT) == [0, 1]


def test_relative_dates_count_from_local_midnight() -> None:
    engine = QueryEngine([], tz=TZ, now=lambda: NOW)
    assert engine.today() == TODAY
    midnight = datetime(2024, 3, 27, tzinfo=TZ).timestamp()
    assert engine.span(DateTerm("after", "3d"), TODAY)[0] == midnight
    feb29 = datetime(2024, 2, 29, tzinfo=TZ).timestamp()
    assert engine.span(DateTerm("on", "1m"), date(2024, 3, 31)) == (
        feb29,
        datetime(2024, 3, 1, tzinfo=TZ).timestamp(),
    )
    # Dates beyond what datetime holds do not crash.
    assert engine.span(DateTerm("after", "999999y"), TODAY)[0] == float("-inf")
    assert engine.span(DateTerm("on", "9999"), TODAY)[1] == float("inf")
    assert engine.span(DateTerm("on", "9999-12-31"), TODAY)[1] == float("inf")


def test_system_time_zone_is_the_default() -> None:
    engine = QueryEngine([])
    assert engine.today() == datetime.now().date() or engine.today() == date.today()
    start, end = engine.span(DateTerm("on", "2021-06-24"), TODAY)
    assert start == datetime(2021, 6, 24).timestamp() and end > start


@pytest.mark.parametrize(
    "url",
    [
        "https://www.zaobao.com/a/b",
        "https://WWW.Zaobao.com",
        "http://x.com:80?q=/a",
        "https://user@host.org/p",
        "ftp://[::1]/x",
        "https://[bad/x",
        "zaobao.com/x",
        "//x.com/a",
        " https://x.com/a",
        "",
    ],
)
def test_source_shortcut_equals_post_source(url: str) -> None:
    post = Post(id="i", path="p", title="t", date=None, author="Auth", url=url)
    assert _source(post, {}) == post.source


# Random queries over the same vocabulary, checked against the brute force.
_value = st.sampled_from(["香港", "kong", "ab", "x", "todo", "bbc", "2023", "新闻", "zz"])
_leaves = st.one_of(
    st.builds(
        Term,
        st.sampled_from([ANY, "title", "author", "tag", "source", "path", "body"]),
        _value,
        st.booleans(),
    ),
    st.builds(
        DateTerm,
        st.sampled_from(["after", "before", "on"]),
        st.sampled_from(["2021", "2023-06", "2024-03-10", "3d", "2w", "6m", "1y", "yesterday"]),
        st.booleans(),
    ),
    st.builds(
        IsTerm,
        st.sampled_from(["read", "unread", "starred", "selected", "problem"]),
        st.booleans(),
    ),
)
_queries = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=3).map(lambda items: And(tuple(items))),
        st.lists(children, min_size=2, max_size=3).map(lambda items: Or(tuple(items))),
        children.map(Not),  # not canonical, but the engine must evaluate it all the same
    ),
    max_leaves=6,
)


@settings(max_examples=60, deadline=None)
@given(_queries)
def test_random_queries_match_brute_force(query: Query) -> None:
    assert run(query, hide_archived=False) == expected(query, hide_archived=False)
    assert run(query) == expected(query)


def body_positions(text: str) -> Matches:
    """body_search as FullTextIndex.positions answers it: one flag per post."""
    by_path = ENGINE.by_path
    return Matches.of(len(by_path), {by_path[path] for path in body_search(text)})


@pytest.mark.parametrize(
    "text", ["body:香港", "-body:香港", "body:香港 -body:kong", "body:x OR title:kong", "body:zz"]
)
def test_body_positions_answer_as_body_search(text: str) -> None:
    query = parse(text)
    for hide in (True, False):
        assert run(query, body_positions=body_positions, hide_archived=hide) == expected(
            query, hide_archived=hide
        )


@settings(max_examples=60, deadline=None)
@given(_queries)
def test_random_queries_with_body_positions_match_brute_force(query: Query) -> None:
    assert run(query, body_positions=body_positions) == expected(query)


@settings(max_examples=80, deadline=None)
@given(_queries)
def test_body_candidates_hold_every_match(query: Query) -> None:
    """`newstui list` runs the query over these posts only: it must find the same posts."""
    candidates = body_candidates(query, body_search)
    if candidates is None:
        return
    assert {POSTS[i].path for i in run(query, hide_archived=False)} <= candidates
    subset = [post for post in POSTS if post.path in candidates]
    engine = QueryEngine(subset, tz=TZ, now=lambda: NOW, lazy=True)
    found = engine.filter(query, state=state, selected=SELECTED, body_search=body_search)
    assert [subset[i].path for i in found] == [POSTS[i].path for i in run(query)]


def test_body_candidates_only_where_a_body_term_must_match() -> None:
    assert body_candidates(parse("body:香港"), body_search) == body_search("香港")
    both = body_candidates(parse("body:香港 body:kong kong"), body_search)
    assert both == body_search("香港") & body_search("kong")
    either = body_candidates(parse("body:香港 OR body:ab"), body_search)
    assert either == body_search("香港") | body_search("ab")
    for text in ("香港", "-body:香港", "body:香港 OR kong", "-(body:香港 body:ab)", "after:2023"):
        assert body_candidates(parse(text), body_search) is None, text


# --- narrowing: typing one more letter searches only the last matches ----------------------


@pytest.mark.parametrize(
    ("new", "old", "narrower"),
    [
        ("香港警", "香港", True),
        ("Kong", "kon", True),  # case-insensitive, like matching
        ("title:kong", "title:ko", True),
        ("title:kong", "kong", False),  # another field
        ("kong x", "kong", True),
        ("kong x", "kong ab", False),
        ("kong", "", True),  # everything matches the empty query
        ("-kong", "-kon", False),  # negations broaden as they grow
        ("kong OR x", "kong", False),
        ("(香港 OR x) ab", "ab", True),
        ("after:2023 kong", "after:2023", True),
        ("is:read kong", "is:read", True),
        ("is:archived", "", False),  # archived posts are hidden from the empty query
        ("is:archived kong", "is:archived", True),
    ],
)
def test_narrows(new: str, old: str, narrower: bool) -> None:
    assert narrows(parse(new), parse(old)) is narrower


@settings(max_examples=80, deadline=None)
@given(_queries, _queries)
def test_a_narrower_query_matches_within_the_broader_ones_matches(new: Query, old: Query) -> None:
    if isinstance(new, IsTerm) and new.value == "selected":
        new = IsTerm("archived", new.negated)  # the leaves never draw it: see that it holds too
    for query in (And((new, old)), new):  # And(new, old) always narrows old
        if narrows(query, old):
            assert set(run(query)) <= set(run(old))
            assert run(query, within=run(old)) == run(query)


def test_result_memo_recalls_and_narrows() -> None:
    memo = ResultMemo(size=2)  # keeps tuples, which the collector stops tracking
    kong, kon, ab = parse("kong"), parse("kon"), parse("ab")
    assert memo.lookup("v1", kon) == (None, None)
    memo.store(kon, [1, 2, 3])
    assert memo.lookup("v1", kon) == ((1, 2, 3), None)  # backspacing back to it
    assert memo.lookup("v1", kong) == (None, (1, 2, 3))  # typing on: search only those
    memo.store(parse(""), [1, 2, 3, 4])
    assert memo.lookup("v1", kong) == (None, (1, 2, 3))  # the smallest broader list
    memo.store(ab, [4])
    assert memo.lookup("v1", kon) == (None, (1, 2, 3, 4))  # the oldest entry was dropped
    assert memo.lookup("v2", ab) == (None, None)  # new posts or states: start over


def test_matches_answer_with_the_engine_s_own_position_objects() -> None:
    import numpy as np

    positions = tuple(range(3000))  # above 256, each int is an object of its own
    found = Matches(3000, np.array([5, 300, 2999], dtype=np.int32))
    answer = found.sorted(positions)
    assert answer == [5, 300, 2999] == list(found)
    assert all(a is positions[a] for a in answer)
    assert found.keep(positions[250:], negated=False) == [300, 2999]
