"""The query language: parse filter-bar / --query text and run it over posts."""

from tui.query.engine import (
    PositionSet,
    QueryEngine,
    ResultMemo,
    StateLike,
    body_candidates,
    only_body_terms,
)
from tui.query.parser import (
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

__all__ = [
    "ANY",
    "EVERYTHING",
    "And",
    "DateTerm",
    "IsTerm",
    "Not",
    "Or",
    "Query",
    "PositionSet",
    "QueryEngine",
    "ResultMemo",
    "QueryError",
    "StateLike",
    "Term",
    "body_candidates",
    "format_query",
    "negate",
    "only_body_terms",
    "parse",
    "uses_field",
]
