"""Marks what the filter matched in a rendered post, so the reader shows why a post was found."""

from __future__ import annotations

import re

from tui.chinese import fold_script
from tui.query.parser import ANY, And, Not, Or, Query, Term

HIGHLIGHTED_FIELDS = (ANY, "title", "body")
MAX_TERMS = 20


def match_terms(query: Query) -> list[str]:
    """The words and phrases a post was found by (negated ones excluded), longest first."""
    found: list[str] = []

    def walk(node: Query, negated: bool) -> None:
        if isinstance(node, Term):
            if (
                node.field in HIGHLIGHTED_FIELDS
                and not (node.negated or negated)
                and node.value.strip()
            ):
                found.append(node.value)
        elif isinstance(node, And | Or):
            for item in node.items:
                walk(item, negated)
        elif isinstance(node, Not):
            walk(node.item, not negated)

    walk(query, False)
    unique = sorted(set(found), key=len, reverse=True)
    return unique[:MAX_TERMS]


def highlight(markdown: str, terms: list[str]) -> str:
    """Wrap matches in **bold**, outside headings, code and the link list. Matching ignores case
    and Chinese script (臺灣 marks 台湾 too), and marks the text as it is written."""
    if not terms:
        return markdown
    # Script folding is one character for one, so a match in the folded line is at the same
    # place in the line itself.
    pattern = re.compile("|".join(re.escape(fold_script(term)) for term in terms), re.IGNORECASE)
    out: list[str] = []
    in_fence = False
    in_links = False
    for line in markdown.splitlines(keepends=True):
        stripped = line.lstrip()
        if stripped.startswith(("```", "~~~")):
            in_fence = not in_fence
        elif stripped.startswith("## Links"):
            in_links = True
        elif stripped.startswith("#"):
            pass  # headings are bold already
        elif not in_fence and not in_links and not line.startswith(("    ", "\t")):
            # Asterisks in the text would pair up with ours: leave such lines alone.
            if "*" not in line:
                line = _mark(line, pattern)
        out.append(line)
    return "".join(out)


def _mark(line: str, pattern: re.Pattern[str]) -> str:
    out: list[str] = []
    end = 0
    for match in pattern.finditer(fold_script(line)):
        start, stop = match.span()
        out += [line[end:start], "**", line[start:stop], "**"]
        end = stop
    if not out:
        return line
    out.append(line[end:])
    return "".join(out)
