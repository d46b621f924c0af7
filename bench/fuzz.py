"""Fuzz the parser, the renderer and the query parser with hypothesis: nothing raises, hangs or emits escapes.

python bench/fuzz.py --seconds 60      # what `make fuzz` runs
"""

from __future__ import annotations

import argparse
import functools
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tui.files import parse_bytes  # noqa: E402
from tui.query import QueryError, parse  # noqa: E402
from tui.render import plain_text, render_post  # noqa: E402

EXAMPLE_SECONDS = 5  # one example taking longer than this is a hang
# What must never reach the terminal: C0 controls but tab and newline, DEL, C1, bidi controls.
FORBIDDEN = frozenset(
    [chr(c) for c in range(0x20) if c not in (9, 10)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
)

# Pieces that real and hostile posts are made of; text is drawn from them and from anything.
NASTY = [
    "\x1b]52;c;cHduZWQ=\x07",
    "\x1b]2;pwned\x07",
    "\x1b[2J",
    "\x9b31m",
    "\x9d0;x\x9c",
    "\u202e",
    "\u2066",
    "\x00",
    "&#27;",
    "&#x9b;",
    "&#0;",
    "&#xd800;",
    "&#99999999;",
    "[/]",
    "[@click=app.quit]x[/]",
    "[link=file:///etc/passwd]x[/link]",
    "\\",
    '"',
    "'",
    "*a",
    "&a",
    "!!python/object:os.system",
    "---",
    "\r\n",
    "\ufeff",
    "蚂蚁集团",
    "👩‍👩‍👧",
    "e\u0301",
    "\u200d",
    "<!--1624569300000-->",
]
TAGS = ["p", "div", "a", "ul", "li", "ol", "table", "tr", "td", "h1", "h2", "pre", "code"]
TAGS += ["script", "style", "img", "section", "blockquote", "b", "em", "br", "iframe", "svg"]
HREFS = ["https://e.com/a", "/etc/passwd", "file:///etc/passwd", "javascript:alert(1)", "#x"]
HREFS += ["mailto:a@b.c", "//e.com", "http://[::1", "data:text/html,x", ""]

text = st.lists(st.one_of(st.sampled_from(NASTY), st.text(max_size=20)), max_size=8).map("".join)


@st.composite
def html(draw: st.DrawFn, depth: int = 0) -> str:
    """A small, often broken, HTML fragment."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        kind = draw(st.integers(0, 4 if depth < 4 else 1))
        if kind <= 1:
            parts.append(draw(text))
        elif kind == 2:
            tag = draw(st.sampled_from(TAGS))
            attrs = ""
            if tag == "a":
                attrs = f' href="{draw(st.sampled_from(HREFS))}"'
            elif tag == "img":
                attrs = f' src="{draw(st.sampled_from(HREFS))}" alt="{draw(text)}"'
            close = draw(st.booleans())
            parts.append(f"<{tag}{attrs}>{draw(html(depth + 1))}" + (f"</{tag}>" if close else ""))
        elif kind == 3:
            depth_n = draw(st.integers(1, 3000))
            tag = draw(st.sampled_from(["div", "ul", "li", "b", "table"]))
            parts.append(f"<{tag}>" * depth_n + draw(text))
        else:
            parts.append(draw(st.sampled_from(["<", ">", "</", "<!--", "<![CDATA[", "&", "&#"])))
    return "".join(parts)


@st.composite
def front_matter(draw: st.DrawFn) -> str:
    keys = ["title", "date", "author", "from", "tags", "categories", "layout", "comments", "x"]
    lines = []
    for _ in range(draw(st.integers(0, 6))):
        key = draw(st.one_of(st.sampled_from(keys), text))
        value = draw(
            st.one_of(
                text,
                st.sampled_from(
                    [
                        "2021-06-24T14:35:32.226Z",
                        "0000-00-00",
                        "99999-01-01",
                        "1624569300000",
                        "[ a, b ]",
                        "&a [1, 2]",
                        "*a",
                        "{a: [/]}",
                        "|",
                        '"unclosed',
                    ]
                ),
            )
        )
        quote = draw(st.sampled_from(["", '"', "'"]))
        lines.append(f"{key}: {quote}{value}{quote}")
    return "\n".join(lines)


@st.composite
def post_bytes(draw: st.DrawFn) -> bytes:
    """A post file: structured (front matter + HTML or Markdown) or random bytes, in some encoding."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=2000))
    body = draw(st.one_of(html(), text))
    closing = draw(st.sampled_from(["---\n", "...\n", ""]))
    doc = f"---\n{draw(front_matter())}\n{closing}{body}"
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "gb18030", "big5", "utf-16"]))
    data = doc.encode(encoding, "replace")
    if draw(st.booleans()):
        data += draw(st.binary(max_size=50))
    return data


class Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise Hang(f"one example took over {EXAMPLE_SECONDS} s")


signal.signal(signal.SIGALRM, lambda signum, frame: _alarm(signum, frame))


def bounded(check: Callable[..., None]) -> Callable[..., None]:
    """Run one example under an alarm, so a hang fails the run instead of stalling it."""

    @functools.wraps(check)  # hypothesis reads the wrapped signature
    def run(*args: object, **kwargs: object) -> None:
        signal.alarm(EXAMPLE_SECONDS)
        try:
            check(*args, **kwargs)
        finally:
            signal.alarm(0)

    return run


def assert_clean(what: str, value: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in value if c in FORBIDDEN})
    assert not bad, f"{what} holds control characters {bad}: {value[:200]!r}"


def check_parse_and_render(data: bytes) -> None:
    parsed = parse_bytes(data, "2021/06/2021-06-24-fuzz.md")
    post = parsed.post
    for name in ("title", "author", "url"):
        assert_clean(name, getattr(post, name))
        assert "\n" not in getattr(post, name)
    for term in (*post.tags, *post.categories, *post.problems, *post.extra, *post.extra.values()):
        assert_clean("term", term)
    assert post.title, "every post has a title"
    rendered = render_post(post, parsed.body, labels=["[/]"])
    assert_clean("markdown", rendered.markdown)
    for link in rendered.links:
        assert link.startswith(("http://", "https://", "mailto:")), link
    assert_clean("plain text", plain_text(parsed.body))


def check_query(query: str) -> None:
    try:
        parse(query, saved={"a": "b", "loop": "@loop"})
    except QueryError:
        pass


QUERY_PIECES = ["(", ")", '"', "-", "OR", "AND", "title:", "is:", "after:", "3d", "@a", "@loop"]
query_text = st.lists(
    st.one_of(st.sampled_from(QUERY_PIECES), st.text(max_size=10)), max_size=30
).map(" ".join)


def run_for(test: Callable[[], None], seconds: float) -> tuple[int, float]:
    """Run a hypothesis test repeatedly (fresh random seeds) until `seconds` have passed."""
    start = time.monotonic()
    rounds = 0
    while time.monotonic() - start < seconds:
        test()
        rounds += 1
    return rounds, time.monotonic() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60, help="total time, about")
    parser.add_argument("--examples", type=int, default=50, help="examples per hypothesis round")
    options = parser.parse_args(argv)

    config = settings(
        max_examples=options.examples,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=True,
    )
    parse_render = config(given(post_bytes())(bounded(check_parse_and_render)))
    raw_render = config(given(st.binary(max_size=5000))(bounded(check_parse_and_render)))
    queries = config(given(query_text)(bounded(check_query)))
    # Time split: the body pipeline is what real input hits hardest.
    plan = [
        ("parse+render (structured)", parse_render, 0.6),
        ("parse+render (random bytes)", raw_render, 0.2),
        ("query parser", queries, 0.2),
    ]
    failed = False
    for name, test, share in plan:
        try:
            rounds, took = run_for(test, options.seconds * share)
            print(f"{name}: {rounds * options.examples:,} examples in {took:.0f} s, no failures")
        except Exception as error:  # hypothesis has already printed the falsifying example
            print(f"{name}: FAILED: {type(error).__name__}: {error}"[:2000])
            failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
