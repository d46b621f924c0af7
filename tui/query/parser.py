"""The search language shared by the filter bar and `newstui list --query`: text -> immutable AST."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from tui.chinese import fold

TEXT_FIELDS = ("title", "author", "tag", "label", "source", "path", "body")
DATE_OPS = ("after", "before", "on")
FIELDS = (*TEXT_FIELDS, "is", *DATE_OPS)
IS_VALUES = ("read", "unread", "starred", "archived", "labelled", "selected", "problem")
ANY = "any"  # the field of a bare word or "quoted phrase"

_DATE_ERROR = "{}: needs a date such as 2021-06 or 3d"
_IS_ERROR = "is: takes read, unread, starred, archived, labelled, selected or problem"
_ABSOLUTE = re.compile(r"([0-9]{4})(?:-([0-9]{2})(?:-([0-9]{2}))?)?")
# Six digits is plenty (2,700 years of days) and keeps int() far from its digit limit.
_RELATIVE = re.compile(r"([0-9]{1,6})([dwmy])")
# What format_query may write without quotes; anything else is quoted so it reads back the same.
_BARE_WORD = re.compile(r"[^\s()\"\-@][^\s()\"]*")
_BARE_VALUE = re.compile(r"[^\s()\"]+")
_KEYWORDS = ("OR", "AND")
_MAX_DEPTH = 100


class QueryError(ValueError):
    """A query that cannot be understood; `position` is the offset in the text to point at."""

    def __init__(self, message: str, position: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class _WholeQueryError(QueryError):
    """A loop or too deep nesting: reported as is (not per saved search), at the outermost @name."""


@dataclass(frozen=True, slots=True)
class Term:
    """Case-insensitive substring match; field is ANY for bare words or one of TEXT_FIELDS."""

    field: str
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class DateTerm:
    """after:/before:/on: with a value kept as written (relative dates resolve at filter time)."""

    op: str
    value: str
    negated: bool = False


@dataclass(frozen=True, slots=True)
class IsTerm:
    value: str  # one of IS_VALUES
    negated: bool = False


@dataclass(frozen=True, slots=True)
class And:
    items: tuple[Query, ...]  # And(()) matches everything


@dataclass(frozen=True, slots=True)
class Or:
    items: tuple[Query, ...]


@dataclass(frozen=True, slots=True)
class Not:
    item: And | Or  # leaves carry their own `negated` flag instead


Query = Term | DateTerm | IsTerm | And | Or | Not
EVERYTHING = And(())


def search_name_problem(name: str) -> str | None:
    """Why name cannot be a saved search's name (@name must read back as it), or None."""
    if not name:
        return "a saved search needs a name"
    if not name.isprintable() or any(char.isspace() for char in name):
        return "a saved search name cannot have spaces or control characters"
    if ")" in name:
        return "a saved search name cannot have a ')' (it would end the @name in a query)"
    return None


def parse(text: str, *, saved: Mapping[str, str] | None = None) -> Query:
    """Parse query text; @name is replaced by the parsed text of saved[name]."""
    return _Parser(text, saved or {}, ()).parse()


def format_query(query: Query) -> str:
    """Canonical text for a query: parse(format_query(q)) == q."""
    if isinstance(query, Term):
        sign = "-" if query.negated else ""
        if query.field == ANY:
            value = query.value
            bare = bool(_BARE_WORD.fullmatch(value)) and value not in _KEYWORDS
            if bare and ":" in value:
                bare = _plain_colon_word(value.partition(":")[0])
            return sign + (value if bare else _quote(value))
        if _BARE_VALUE.fullmatch(query.value):
            return f"{sign}{query.field}:{query.value}"
        return f"{sign}{query.field}:{_quote(query.value)}"
    if isinstance(query, DateTerm):
        return f"{'-' if query.negated else ''}{query.op}:{query.value}"
    if isinstance(query, IsTerm):
        return f"{'-' if query.negated else ''}is:{query.value}"
    if isinstance(query, Not):
        return f"-({format_query(query.item)})"
    if isinstance(query, Or):
        return " OR ".join(format_query(item) for item in query.items)
    # An OR inside an AND needs parentheses, because implicit AND binds tighter.
    return " ".join(
        f"({format_query(item)})" if isinstance(item, Or) else format_query(item)
        for item in query.items
    )


def uses_field(query: Query, field: str) -> bool:
    """Whether the query mentions a field ("title", "is", "after", "date" for any date term, ...)
    or one is: value ("is:archived" or just "archived")."""
    if isinstance(query, And | Or):
        return any(uses_field(item, field) for item in query.items)
    if isinstance(query, Not):
        return uses_field(query.item, field)
    if isinstance(query, Term):
        return query.field == field
    if isinstance(query, DateTerm):
        return field in (query.op, "date")
    return field in ("is", f"is:{query.value}", query.value)


def narrows(new: Query, old: Query) -> bool:
    """Whether every post that matches `new` also matches `old`, so `new` need only search old's
    matches: typing one more letter narrows. Conservative: False when it cannot tell."""
    if uses_field(new, "is:archived") and not uses_field(old, "is:archived"):
        return False  # the engine hides archived posts from queries that do not ask for them
    return _narrows(new, old)


def _narrows(new: Query, old: Query) -> bool:
    if new == old:
        return True
    if isinstance(old, And):
        return all(_narrows(new, item) for item in old.items)
    if isinstance(new, And):
        return any(_narrows(item, old) for item in new.items)
    if isinstance(new, Term) and isinstance(old, Term):
        return (
            not new.negated
            and not old.negated
            and new.field == old.field
            # label: is an exact match: label:ab finds none of label:a's posts
            and (
                fold(old.value) == fold(new.value)
                if old.field == "label"
                else fold(old.value) in fold(new.value)
            )
        )
    return False


def negate(query: Query) -> Query:
    """The query that matches exactly what `query` does not, in canonical form."""
    if isinstance(query, Term | DateTerm | IsTerm):
        return _replace_negated(query, not query.negated)
    if isinstance(query, Not):
        return query.item
    return Not(query)


def _replace_negated(leaf: Term | DateTerm | IsTerm, negated: bool) -> Query:
    if isinstance(leaf, Term):
        return Term(leaf.field, leaf.value, negated)
    if isinstance(leaf, DateTerm):
        return DateTerm(leaf.op, leaf.value, negated)
    return IsTerm(leaf.value, negated)


def _make(kind: type[And] | type[Or], items: list[Query]) -> Query:
    """And/Or with nested groups of the same kind flattened and single items unwrapped."""
    flat: list[Query] = []
    for item in items:
        flat.extend(item.items if isinstance(item, kind) else (item,))
    return flat[0] if len(flat) == 1 else kind(tuple(flat))


def _plain_colon_word(prefix: str) -> bool:
    """Whether a word with this text before its colon is a plain word rather than a field."""
    lower = prefix.lower()
    if lower in FIELDS:
        return False
    # URLs, times (12:30) and non-Latin prefixes are plain words; a Latin one is a typo.
    return lower in ("http", "https") or not (prefix.isascii() and prefix.isalpha())


def _quote(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _check_date(value: str) -> str | None:
    """The normalised date value (absolute, relative, today or yesterday), or None if invalid."""
    value = value.lower()
    if value in ("today", "yesterday") or _RELATIVE.fullmatch(value):
        return value
    match = _ABSOLUTE.fullmatch(value)
    if not match:
        return None
    year, month, day = match.groups()
    try:
        date(int(year), int(month or 1), int(day or 1))
    except ValueError:
        return None
    return value


class _Parser:
    """Recursive descent over the raw text, so every error knows its position."""

    def __init__(
        self, text: str, saved: Mapping[str, str], stack: tuple[str, ...], depth: int = 0
    ) -> None:
        self.text = text
        self.pos = 0
        self.saved = saved
        self.stack = stack  # saved searches being expanded, to refuse recursion
        self.depth = depth  # nesting of (), - and @, bounded so hostile input cannot blow the stack

    def parse(self) -> Query:
        self._skip_space()
        if self.pos == len(self.text):
            return EVERYTHING
        query = self._or()
        if self.pos < len(self.text):  # only a stray ")" stops _or early
            raise QueryError("unbalanced parenthesis", self.pos)
        return query

    def _skip_space(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos].isspace():
            pos += 1
        self.pos = pos

    def _keyword(self) -> str | None:
        """The keyword (OR/AND) at the current position, if a whole word."""
        for word in _KEYWORDS:
            end = self.pos + len(word)
            if self.text.startswith(word, self.pos) and (
                end == len(self.text) or self.text[end].isspace() or self.text[end] in '()"'
            ):
                return word
        return None

    def _or(self) -> Query:
        items = [self._and()]
        while self._keyword() == "OR":
            self._after_keyword("OR")
            items.append(self._and())
        return _make(Or, items)

    def _after_keyword(self, word: str) -> None:
        """Step over OR/AND, which must have a term after it too."""
        start = self.pos
        self.pos += len(word)
        self._skip_space()
        if self.pos == len(self.text) or self.text[self.pos] == ")" or self._keyword():
            raise QueryError(f"{word} needs a term on each side", start)

    def _and(self) -> Query:
        items = [self._unary()]
        while True:
            self._skip_space()
            if self.pos == len(self.text) or self.text[self.pos] == ")":
                break
            keyword = self._keyword()
            if keyword == "OR":
                break
            if keyword == "AND":
                self._after_keyword("AND")
            items.append(self._unary())
        return _make(And, items)

    def _unary(self) -> Query:
        self._skip_space()
        start = self.pos
        text = self.text
        if start == len(text) or text[start] == ")" or self._keyword():
            word = self._keyword()
            if word:
                raise QueryError(f"{word} needs a term on each side", start)
            raise QueryError("unbalanced parenthesis", start)
        if text[start] == "-":
            self.pos += 1
            if self.pos == len(text) or text[self.pos].isspace() or text[self.pos] == ")":
                raise QueryError("- must be followed by a term, e.g. -word", start)
            self._deeper(start)
            query = negate(self._unary())
            self.depth -= 1
            return query
        if text[start] == "(":
            self.pos += 1
            self._skip_space()
            if self.pos < len(text) and text[self.pos] == ")":
                raise QueryError("empty parentheses", start)
            if self.pos == len(text):
                raise QueryError("unbalanced parenthesis", start)
            self._deeper(start)
            query = self._or()
            self.depth -= 1
            if self.pos == len(text) or text[self.pos] != ")":
                raise QueryError("unbalanced parenthesis", start)
            self.pos += 1
            return query
        if text[start] == '"':
            return Term(ANY, self._quoted())
        if text[start] == "@":
            return self._saved(start)
        return self._word(start)

    def _deeper(self, start: int) -> None:
        self.depth += 1
        if self.depth > _MAX_DEPTH:
            raise _WholeQueryError("the query is nested too deeply", start)

    def _quoted(self) -> str:
        """Read a "phrase" at self.pos; backslash escapes \\" and \\\\."""
        start = self.pos
        text = self.text
        out: list[str] = []
        pos = start + 1
        while pos < len(text):
            char = text[pos]
            if char == '"':
                self.pos = pos + 1
                if not out:
                    raise QueryError('empty quotes ""', start)
                return "".join(out)
            if char == "\\" and pos + 1 < len(text) and text[pos + 1] in '"\\':
                pos += 1
                char = text[pos]
            out.append(char)
            pos += 1
        raise QueryError("unclosed quote", start)

    def _bare(self) -> str:
        text = self.text
        pos = self.pos
        while pos < len(text) and not text[pos].isspace() and text[pos] not in '()"':
            pos += 1
        word = text[self.pos : pos]
        self.pos = pos
        return word

    def _name(self) -> str:
        """A saved search's name after @: anything up to whitespace or a closing parenthesis."""
        text = self.text
        pos = self.pos
        while pos < len(text) and not text[pos].isspace() and text[pos] != ")":
            pos += 1
        name = text[self.pos : pos]
        self.pos = pos
        return name

    def _saved(self, start: int) -> Query:
        self.pos += 1
        name = self._name()
        if not name:
            raise QueryError("@ needs a saved search name", start)
        if name not in self.saved:
            raise QueryError(f"unknown saved search @{name}", start)
        if name in self.stack:
            raise _WholeQueryError(f"saved search @{name} refers to itself", start)
        self._deeper(start)
        inner = _Parser(self.saved[name], self.saved, (*self.stack, name), self.depth)
        self.depth -= 1
        try:
            query = inner.parse()
        except _WholeQueryError as error:
            raise _WholeQueryError(error.message, start) from None
        except QueryError as error:
            raise QueryError(f"in saved search @{name}: {error.message}", start) from None
        if query == EVERYTHING:
            raise QueryError(f"saved search @{name} is empty", start)
        return query

    def _word(self, start: int) -> Query:
        word = self._bare()
        prefix, colon, value = word.partition(":")
        if not colon:
            return Term(ANY, word)
        field = prefix.lower()
        if field not in FIELDS:
            if _plain_colon_word(prefix):
                return Term(ANY, word)
            known = ", ".join(FIELDS)
            raise QueryError(f"unknown field '{prefix}:' (known: {known})", start)
        if not value and self.pos < len(self.text) and self.text[self.pos] == '"':
            value = self._quoted()
        if field in DATE_OPS:
            normal = _check_date(value)
            if normal is None:
                raise QueryError(_DATE_ERROR.format(field), start)
            return DateTerm(field, normal)
        if field == "is":
            value = value.lower()
            value = "labelled" if value == "labeled" else value  # either spelling
            if value not in IS_VALUES:
                raise QueryError(_IS_ERROR, start)
            return IsTerm(value)
        if not value:
            raise QueryError(f"{field}: needs a value, e.g. {field}:word", start)
        return Term(field, value)
