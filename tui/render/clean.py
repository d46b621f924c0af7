"""Boilerplate removal on an lxml tree: the rules as one table, and the functions that apply them."""

from __future__ import annotations

import re
import unicodedata

from lxml import html as lxml_html
from lxml.etree import _Element

# --- The rules -------------------------------------------------------------------------------

# Elements that are never article text.
DROP_TAGS = frozenset(
    "script style noscript iframe form nav header footer aside button svg template object embed "
    "input select textarea canvas audio video dialog menu link meta title head".split()
)

# Words in class/id that mark a container as boilerplate. Class and id values are split into
# tokens ("dfp-ad-imu1" -> dfp, ad, imu1) and each token is tested. Exact words match a whole
# token only, so "ad" does not catch "shadow" or "address"; prefixes match the start of a token,
# so "advert" catches "advertisement". "header" is deliberately absent ("header-image" is content).
BOILERPLATE_WORDS = frozenset(
    "ad ads adv dfp banner promo promos sponsored share shares sharing social related comment "
    "comments respond disqus subscribe subscription newsletter breadcrumb breadcrumbs cookie "
    "cookies consent popup modal sidebar widget widgets menu navbar nav pagination pager "
    "toolbar print tagcloud outbrain taboola signup login copyright".split()
)
BOILERPLATE_PREFIXES = (
    "advert",
    "adsbygoogle",
    "adslot",
    "sponsor",
    "sharedaddy",
    "sharethis",
    "addthis",
    "relatedpost",
    "newsletter",
    "breadcrumb",
    "cookie",
    "popup",
    "subscri",
)
# Hidden or machine-only elements.
HIDDEN_WORDS = frozenset(
    "hidden element-hidden element-invisible rdf-meta invisible visually-hidden sr-only "
    "screen-reader-text screen-reader".split()
)
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# Class tokens that carry the post's own tags or categories (WordPress puts "tag-social" on the
# <article>): user words, not layout, so they never mark boilerplate.
USER_TOKEN = re.compile(r"^(?:tag|category|cat|format|status|post|type|node|page)-")
# Link targets that an image-only link points at when it is an advert for the site itself.
PROMO_URL = re.compile(r"subscri|promo|newsletter|signup|sign-up|utm_campaign|/ads?/|doubleclick")
# Where the article text lives, most specific first; the first that holds enough text wins.
CONTENT_ROOTS = (
    "entry-content article-body article-content articlebody article__body article-text "
    "post-content post-body post-entry story-body story-content field-name-body "
    "content-body main-content".split()
)
# The content root must hold at least this share of the page's text to be trusted.
ROOT_MIN_SHARE = 0.25
# The class/id rules together never remove more than this share of the content root's text
# (except link lists): a generic word on the prose's wrappers must not empty the page.
DROP_MAX_SHARE = 0.5
# Bylines: elements with these class words are dropped when they only repeat the author.
BYLINE_WORDS = frozenset("byline author username submitted meta entry-meta post-meta".split())
BYLINE_PREFIX = re.compile(r"^\s*(?:by|written by|文|作者|记者|撰文|編輯|编辑)\s*[/:：|]?\s*", re.I)
# Deeper nesting than this is flattened to text: html2text is quadratic in depth.
MAX_DEPTH = 100

_ROOT_RANK = {word: rank for rank, word in enumerate(CONTENT_ROOTS)}
_TOKEN_SPLIT = re.compile(r"[\s_-]+")
_KEEP_TAGS = frozenset(("html", "body", "article", "main"))


# --- Helpers ---------------------------------------------------------------------------------


def _names(el: _Element) -> list[str]:
    """The class and id values of an element, whitespace-separated, lowercased."""
    value = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
    return value.split()


def _tokens(names: list[str]) -> list[str]:
    tokens: list[str] = []
    for name in names:
        if USER_TOKEN.match(name):
            continue
        tokens.extend(t for t in _TOKEN_SPLIT.split(name) if t)
    return tokens


def is_boilerplate(el: _Element) -> bool:
    """Does the element's class or id mark it as an ad, share bar, menu, comments...?"""
    names = _names(el)
    if not names:
        return False
    if any(n in BOILERPLATE_WORDS for n in names):
        return True
    for token in _tokens(names):
        if token in BOILERPLATE_WORDS or token.startswith(BOILERPLATE_PREFIXES):
            return True
    return False


def is_hidden(el: _Element) -> bool:
    if el.get("hidden") is not None or el.get("aria-hidden", "").lower() == "true":
        return True
    style = el.get("style")
    if style and HIDDEN_STYLE.search(style):
        return True
    return any(n in HIDDEN_WORDS for n in _names(el))


def is_pixel(el: _Element) -> bool:
    """A tracking pixel: an image declared 0 or 1 pixel wide or high."""
    return el.get("width", "").strip() in ("0", "1", "0px", "1px") or el.get(
        "height", ""
    ).strip() in ("0", "1", "0px", "1px")


def norm(text: str) -> str:
    """Text for comparing a heading with the title: NFKC, no spaces or punctuation, lowercase."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(c for c in text if c.isalnum())


def title_variants(title: str) -> set[str]:
    """The title, and the title without a " - Site name" suffix or prefix."""
    variants = {norm(title)}
    for sep in (" - ", " | ", " – ", " — ", " _ "):
        if sep in title:
            head, _, tail = title.rpartition(sep)
            variants.add(norm(head))
            first, _, rest = title.partition(sep)
            variants.add(norm(rest))
    variants.discard("")
    return variants


def _text_len(el: _Element) -> int:
    """Characters of text under an element, whitespace folded (libxml2 does it, fast)."""
    return int(el.xpath("string-length(normalize-space())"))


def _remove(el: _Element) -> None:
    """Remove an element but keep its tail text (the text that follows it in its parent)."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail and tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


# --- The passes ------------------------------------------------------------------------------


def flatten_deep(root: _Element, max_depth: int = MAX_DEPTH) -> bool:
    """Replace each subtree deeper than max_depth by its text; True if anything was flattened."""
    flattened = False
    stack: list[tuple[_Element, int]] = [(root, 0)]
    while stack:
        el, depth = stack.pop()
        if depth >= max_depth and len(el):
            text = " ".join(t.strip() for t in el.itertext() if t.strip())
            for child in list(el):
                el.remove(child)
            el.text = text
            flattened = True
            continue
        stack.extend((child, depth + 1) for child in el)
    return flattened


def content_root(doc: _Element) -> _Element:
    """The element that holds the article: a known content class, else <article>, else <main>."""
    total = _text_len(doc) or 1
    by_word: dict[str, list[_Element]] = {}
    singles: dict[str, list[_Element]] = {"article": [], "main": []}
    for el in doc.iter("*"):
        if el.tag in singles:
            singles[el.tag].append(el)
        for name in _names(el):
            if name in _ROOT_RANK:
                by_word.setdefault(name, []).append(el)
    for word in sorted(by_word, key=_ROOT_RANK.__getitem__):
        best = max(by_word[word], key=_text_len)
        if _text_len(best) >= ROOT_MIN_SHARE * total:
            return best
    for tag, found in singles.items():
        outer = [el for el in found if not any(a.tag == tag for a in el.iterancestors())]
        if len(outer) != 1:  # several: a listing or a conversation, not one article
            continue
        if _text_len(outer[0]) >= ROOT_MIN_SHARE * total:
            return outer[0]
    body = doc.find("body")
    return body if body is not None else doc


def strip_boilerplate(root: _Element, title: str = "", author: str = "") -> None:
    """Remove everything the rules above mark as not article text, in place, under root."""
    titles = title_variants(title) if title else set()
    author_key = norm(author)
    doomed: list[_Element] = []
    by_class: list[_Element] = []
    stack = list(reversed(root))
    while stack:  # document order, not descending into what is already removed
        el = stack.pop()
        if _is_noise(el, titles, author_key):
            doomed.append(el)
            continue
        if el.tag not in _KEEP_TAGS and is_boilerplate(el):
            by_class.append(el)
            continue
        stack.extend(reversed(el))
    # Class words are guesses: when they would remove most of the text, they have hit the prose
    # (a "conversation" of contributions marked up as comments), so then only link lists go.
    total = _text_len(root) or 1
    if sum(map(_text_len, by_class)) > DROP_MAX_SHARE * total:
        by_class = [el for el in by_class if _link_density(el) >= 0.5 or not _text_len(el)]
    for el in doomed + by_class:
        _remove(el)


def _is_noise(el: _Element, titles: set[str], author_key: str) -> bool:
    """Tag, hidden, pixel, promo-link, repeated-title and byline rules (the class words aside)."""
    if not isinstance(el.tag, str):  # comments and processing instructions
        return True
    tag = el.tag.lower()
    if tag in DROP_TAGS or is_hidden(el):
        return True
    if tag == "img":
        return is_pixel(el)
    if tag == "a":
        return _is_promo_image_link(el)
    if tag in ("h1", "h2") and titles and norm(el.text_content()) in titles:
        return True
    return bool(author_key) and _is_byline(el, author_key)


def _link_density(el: _Element) -> float:
    text = _text_len(el)
    if not text:
        return 0.0
    return sum(_text_len(a) for a in el.iter("a")) / text


def _is_promo_image_link(el: _Element) -> bool:
    href = (el.get("href") or "").lower()
    if not PROMO_URL.search(href):
        return False
    return not el.text_content().strip() and el.find(".//img") is not None


def _is_byline(el: _Element, author_key: str) -> bool:
    tokens = set(_names(el)) | set(_tokens(_names(el)))
    if not tokens & BYLINE_WORDS:
        return False
    text = el.text_content().strip()
    if len(text) > len(author_key) + 40:
        return False
    key = norm(BYLINE_PREFIX.sub("", text))
    return key == author_key or key.startswith(author_key) and len(key) < len(author_key) + 12


def parse_html(text: str) -> tuple[_Element | None, bool]:
    """Parse HTML leniently; returns (document, whether libxml2 cut the document as too deep)."""
    parser = lxml_html.HTMLParser(recover=True, huge_tree=False, remove_comments=True)
    try:
        doc = lxml_html.document_fromstring(text, parser=parser)
    except Exception:  # lxml raises ParserError on empty or junk-only documents
        return None, False
    cut = any("depth" in e.message.lower() for e in parser.error_log)
    return doc, cut
