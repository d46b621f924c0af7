"""The query language: every construct, precedence, canonical formatting and every error message."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.query import (
    ANY,
    EVERYTHING,
    And,
    DateTerm,
    IsTerm,
    Not,
    Or,
    Query,
    QueryError,
    Term,
    format_query,
    negate,
    parse,
    uses_field,
)


def w(value: str, negated: bool = False) -> Term:
    return Term(ANY, value, negated)


def error(text: str, saved: dict[str, str] | None = None) -> QueryError:
    with pytest.raises(QueryError) as info:
        parse(text, saved=saved)
    return info.value


# --- constructs -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\u3000\t\n"])
def test_empty_query_is_everything(text: str) -> None:
    assert parse(text) == EVERYTHING == And(())
    assert format_query(EVERYTHING) == ""


def test_words_are_anded() -> None:
    assert parse("香港 警方") == And((w("香港"), w("警方")))
    assert parse("香港") == w("香港")
    assert parse("a AND b") == parse("a b")


def test_full_width_space_separates_words() -> None:
    assert parse("香港\u3000警方") == And((w("香港"), w("警方")))


def test_quoted_phrase_keeps_spaces_and_escapes() -> None:
    assert parse('"hong kong" x') == And((w("hong kong"), w("x")))
    assert parse(r'"say \"hi\" \\ ok"') == w('say "hi" \\ ok')
    assert parse(r'"a\b"') == w("a\\b")  # a backslash before anything else is kept


def test_negation_forms() -> None:
    assert parse("-香港") == w("香港", True)
    assert parse("-title:x") == Term("title", "x", True)
    assert parse('-"hong kong"') == w("hong kong", True)
    assert parse("-(a b)") == Not(And((w("a"), w("b"))))
    assert parse("-(a OR b)") == Not(Or((w("a"), w("b"))))
    assert parse("-(a)") == w("a", True)
    assert parse("--a") == w("a")
    assert parse("-(-(a b))") == And((w("a"), w("b")))
    assert parse("-is:read") == IsTerm("read", True)
    assert parse("-after:2021") == DateTerm("after", "2021", True)


def test_dash_inside_a_word_is_not_negation() -> None:
    assert parse("covid-19") == w("covid-19")


def test_implicit_and_binds_tighter_than_or() -> None:
    a, b, c, d = (w(x) for x in "abcd")
    assert parse("a b OR c") == Or((And((a, b)), c))
    assert parse("a OR b c") == Or((a, And((b, c))))
    assert parse("a b OR c d") == Or((And((a, b)), And((c, d))))
    assert parse("a AND b OR c") == Or((And((a, b)), c))
    assert parse("a OR b OR c") == Or((a, b, c))


def test_lowercase_or_is_a_word() -> None:
    assert parse("a or b") == And((w("a"), w("or"), w("b")))
    assert parse('"OR"') == w("OR")
    assert parse("ORAL") == w("ORAL")


def test_parentheses_group_and_flatten() -> None:
    a, b, c, d = (w(x) for x in "abcd")
    assert parse("(a OR b) c") == And((Or((a, b)), c))
    assert parse("a (b c)") == And((a, b, c))
    assert parse("((a))") == a
    assert parse("(a OR b) OR (c OR d)") == Or((a, b, c, d))
    assert parse("a(b OR c)") == And((a, Or((b, c))))


@pytest.mark.parametrize("field", ["title", "author", "tag", "source", "path", "body"])
def test_text_fields(field: str) -> None:
    assert parse(f"{field}:x") == Term(field, "x")
    assert parse(f'{field}:"hong kong"') == Term(field, "hong kong")
    assert parse(f"{field.upper()}:X") == Term(field, "X")


def test_field_values_may_hold_colons_and_urls() -> None:
    assert parse("source:zaobao.com") == Term("source", "zaobao.com")
    assert parse("source:https://x.com/a") == Term("source", "https://x.com/a")
    assert parse("path:2021/06") == Term("path", "2021/06")


@pytest.mark.parametrize("value", ["read", "unread", "starred", "archived", "selected", "problem"])
def test_is_values(value: str) -> None:
    assert parse(f"is:{value}") == IsTerm(value)
    assert parse(f"is:{value.upper()}") == IsTerm(value)


@pytest.mark.parametrize(
    "value",
    ["2021", "2021-06", "2021-06-24", "2024-02-29", "3d", "2w", "6m", "1y", "0d", "today"]
    + ["yesterday"],
)
def test_date_values(value: str) -> None:
    for op in ("after", "before", "on"):
        assert parse(f"{op}:{value}") == DateTerm(op, value)
        assert parse(f'{op}:"{value}"') == DateTerm(op, value)


def test_date_values_are_normalised_to_lowercase() -> None:
    assert parse("after:3D") == DateTerm("after", "3d")
    assert parse("on:Today") == DateTerm("on", "today")


def test_colon_words_that_are_not_fields_are_plain_words() -> None:
    assert parse("https://x.com/a") == w("https://x.com/a")
    assert parse("HTTP://x") == w("HTTP://x")
    assert parse("12:30") == w("12:30")
    assert parse(":x") == w(":x")
    assert parse("香港:y") == w("香港:y")
    assert parse('"foo:bar"') == w("foo:bar")


def test_saved_searches_are_expanded() -> None:
    saved = {"hk": '香港 OR "hong kong"', "news": "@hk is:unread", "neg": "-x"}
    hk = Or((w("香港"), w("hong kong")))
    assert parse("@hk", saved=saved) == hk
    assert parse("@hk a", saved=saved) == And((hk, w("a")))
    assert parse("@news", saved=saved) == And((hk, IsTerm("unread")))
    assert parse("-@hk", saved=saved) == Not(hk)
    assert parse("-@neg", saved=saved) == w("x")
    assert parse("@news b", saved=saved) == And((hk, IsTerm("unread"), w("b")))


# --- errors ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("a after:x", "after: needs a date such as 2021-06 or 3d", 2),
        ("before:2021-13", "before: needs a date such as 2021-06 or 3d", 0),
        ("on:2021-02-30", "on: needs a date such as 2021-06 or 3d", 0),
        ("on:3x", "on: needs a date such as 2021-06 or 3d", 0),
        ("on:1234567d", "on: needs a date such as 2021-06 or 3d", 0),
        ("on:0000", "on: needs a date such as 2021-06 or 3d", 0),
        ("on:", "on: needs a date such as 2021-06 or 3d", 0),
        ("on:٢٠٢١", "on: needs a date such as 2021-06 or 3d", 0),
        ('a "hong kong', "unclosed quote", 2),
        ('title:"x', "unclosed quote", 6),
        ('"a\\"', "unclosed quote", 0),
        ("(a", "unbalanced parenthesis", 0),
        ("a (b (c)", "unbalanced parenthesis", 2),
        ("a)", "unbalanced parenthesis", 1),
        (")", "unbalanced parenthesis", 0),
        ("(", "unbalanced parenthesis", 0),
        ("-(", "unbalanced parenthesis", 1),
        ("()", "empty parentheses", 0),
        ("a OR", "OR needs a term on each side", 2),
        ("OR a", "OR needs a term on each side", 0),
        ("(a OR) b", "OR needs a term on each side", 3),
        ("a AND", "AND needs a term on each side", 2),
        ("a AND OR b", "AND needs a term on each side", 2),
        ("-OR", "OR needs a term on each side", 1),
        ("a -", "- must be followed by a term, e.g. -word", 2),
        ("-)", "- must be followed by a term, e.g. -word", 0),
        ('""', 'empty quotes ""', 0),
        ("title:", "title: needs a value, e.g. title:word", 0),
        ('body:""', 'empty quotes ""', 5),
        ("is:new", "is: takes read, unread, starred, archived, labelled, selected or problem", 0),
        ("is:", "is: takes read, unread, starred, archived, labelled, selected or problem", 0),
        ("a @x", "unknown saved search @x", 2),
        ("@", "@ needs a saved search name", 0),
    ],
)
def test_error_messages(text: str, message: str, position: int) -> None:
    err = error(text)
    assert (err.message, err.position) == (message, position)
    assert str(err) == message
    assert isinstance(err, ValueError)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    assert parse("(" * 100 + "a" + ")" * 100) == w("a")
    for text in ["(" * 5000 + "a" + ")" * 5000, "-" * 5000 + "a", "-(" * 3000 + "a"]:
        assert error(text).message == "the query is nested too deeply"
    chain = {f"s{i}": f"@s{i + 1}" for i in range(3000)} | {"s3000": "x"}
    assert (error("a @s0", chain).message, error("a @s0", chain).position) == (
        "the query is nested too deeply",
        2,
    )
    assert parse("@s2950", saved=chain) == w("x")


def test_unknown_field_lists_the_known_ones() -> None:
    err = error("a foo:bar")
    assert err.message == (
        "unknown field 'foo:' (known: title, author, tag, label, source, path, body, is, after, before, on)"
    )
    assert err.position == 2


def test_saved_search_errors() -> None:
    saved = {"a": "x @b", "b": "@a", "self": "@self", "bad": "(x", "empty": " ", "ok": "y"}
    err = error("z @a", saved)
    assert (err.message, err.position) == ("saved search @a refers to itself", 2)
    assert error("@self", saved).message == "saved search @self refers to itself"
    err = error("q @bad", saved)
    assert (err.message, err.position) == ("in saved search @bad: unbalanced parenthesis", 2)
    assert error("@empty", saved).message == "saved search @empty is empty"
    assert error("@ok @nope", saved).message == "unknown saved search @nope"
    assert error("@ok").message == "unknown saved search @ok"  # no mapping given


# --- format_query, uses_field, negate -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "canonical"),
    [
        ("a  AND   b", "a b"),
        ("(a OR b) c", "(a OR b) c"),
        ("a b OR c", "a b OR c"),
        ("a (b OR c) OR d", "a (b OR c) OR d"),
        ("-(a b) -c", "-(a b) -c"),
        ('TITLE:"hong kong" Title:x', 'title:"hong kong" title:x'),
        ("https://x.com 12:30", "https://x.com 12:30"),
        ('"OR" "-x" "@y" "a:b" "a b"', '"OR" "-x" "@y" "a:b" "a b"'),
        (r'"x\"y"', r'"x\"y"'),
        ("title:-x title:@y title:OR", "title:-x title:@y title:OR"),
        ("-is:read after:3D on:2021", "-is:read after:3d on:2021"),
    ],
)
def test_format_query_is_canonical(text: str, canonical: str) -> None:
    assert format_query(parse(text)) == canonical
    assert parse(canonical) == parse(text)


def test_uses_field() -> None:
    query = parse("a (title:x OR -is:archived) before:2020")
    assert uses_field(query, "title")
    assert uses_field(query, "is")
    assert uses_field(query, "is:archived")
    assert uses_field(query, "archived")
    assert not uses_field(query, "is:read")
    assert uses_field(query, "before")
    assert uses_field(query, "date")
    assert not uses_field(query, "after")
    assert uses_field(query, ANY)
    assert not uses_field(query, "tag")
    assert not uses_field(parse("-(a is:starred)"), "is:archived")
    assert uses_field(parse("-(a is:archived)"), "is:archived")
    assert not uses_field(EVERYTHING, "is:archived")


def test_negate_is_an_involution() -> None:
    for text in ["a", "a b", "a OR b", "-(a b)", "is:read", "on:2021"]:
        query = parse(text)
        assert negate(negate(query)) == query
        assert negate(query) != query


# --- properties -----------------------------------------------------------------------------

_text = st.text(min_size=1, max_size=8)
_dates = st.sampled_from(["2021", "2021-06", "2021-06-24", "3d", "2w", "6m", "1y", "today"])
_leaves = st.one_of(
    st.builds(Term, st.just(ANY), _text, st.booleans()),
    st.builds(
        Term,
        st.sampled_from(["title", "author", "tag", "source", "path", "body"]),
        _text,
        st.booleans(),
    ),
    st.builds(DateTerm, st.sampled_from(["after", "before", "on"]), _dates, st.booleans()),
    st.builds(
        IsTerm,
        st.sampled_from(["read", "unread", "starred", "archived", "selected", "problem"]),
        st.booleans(),
    ),
)


def _group(kind: type[And] | type[Or], items: list[Query]) -> Query:
    """Canonical And/Or, written independently of the parser: flatten same kind, unwrap one."""
    flat: list[Query] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else [item])
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _not(query: Query) -> Query:
    if isinstance(query, Term):
        return Term(query.field, query.value, not query.negated)
    if isinstance(query, DateTerm):
        return DateTerm(query.op, query.value, not query.negated)
    if isinstance(query, IsTerm):
        return IsTerm(query.value, not query.negated)
    if isinstance(query, Not):
        return query.item
    return Not(query)


queries = st.recursive(
    _leaves,
    lambda children: st.one_of(
        st.lists(children, min_size=2, max_size=4).map(lambda items: _group(And, items)),
        st.lists(children, min_size=2, max_size=4).map(lambda items: _group(Or, items)),
        children.map(_not),
    ),
    max_leaves=12,
)


@settings(max_examples=400, deadline=None)
@given(queries)
def test_format_then_parse_round_trips(query: Query) -> None:
    assert parse(format_query(query)) == query


_syntax = st.text(alphabet=st.sampled_from(list('()"-@:\\ \u3000abOR AND香港titleis:after2021-6d')))


@settings(max_examples=600, deadline=None)
@given(st.one_of(st.text(max_size=30), _syntax))
def test_any_text_parses_or_raises_query_error(text: str) -> None:
    try:
        query = parse(text, saved={"a": "b OR c", "b": "@a"})
    except QueryError as err:
        assert 0 <= err.position <= len(text)
        return
    assert parse(format_query(query)) == query
