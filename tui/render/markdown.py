"""The body pipeline: a post's HTML or Markdown body to clean, safe Markdown with numbered links."""

from __future__ import annotations

import html
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from posixpath import basename
from urllib.parse import unquote, urljoin, urlsplit

import html2text
from lxml import etree
from lxml import html as lxml_html
from lxml.etree import _Element, strip_elements
from markdown_it import MarkdownIt

from tui.model import Post, url_host
from tui.render.clean import (
    DROP_TAGS,
    content_root,
    flatten_deep,
    parse_html,
    strip_boilerplate,
)
from tui.text import clean, clean_line, display_url

MAX_INPUT_BYTES = 2_000_000
MAX_OUTPUT_CHARS = 1_000_000
MAX_ELEMENTS = 20_000  # the largest real page seen has about 3,000
# markdown-it's link parsing is quadratic in unclosed brackets ('['*200000 + 'x' + ']('*100000
# took 75 s): a Markdown body with more than this many is shown as plain text.
MAX_BRACKETS = 10_000
CJK_PER_MINUTE = 400
WORDS_PER_MINUTE = 200
LINK_SCHEMES = ("http", "https", "mailto")


@dataclass(slots=True)
class Rendered:
    markdown: str  # the whole document shown in the reader: metadata block, then the article
    links: list[str]  # link targets, 1-based in the text: link N is links[N-1]; absolute URLs
    notes: list[str]  # visible notes such as "body over 2 MB: showing the first 2 MB"


# The seed format's header: an optional <!--epoch-ms--> comment, "[title](url)", a "------" rule.
# Read line by line (seed_header): a regex for it backtracks quadratically on a long line of
# brackets.
_RULE = re.compile(r"[ \t]*-{3,}[ \t]*")


def seed_header(body: str) -> tuple[str, str, int] | None:
    """(title, url, where the header ends) of a seed-format header at the start of body, in time
    linear in its first lines."""
    start = len(body) - len(body.lstrip())
    lines = []
    at = start
    for _ in range(3):
        end = body.find("\n", at)
        lines.append((body[at:] if end < 0 else body[at:end], end))
        if end < 0:
            break
        at = end + 1
    first, end = lines[0]
    if first.startswith("<!--") and first.rstrip(" \t").endswith("-->") and len(first) >= 7:
        lines = lines[1:]  # the comment, with a line of its own
        if not lines or end < 0:
            return None
    (title_line, end), rule = lines[0], lines[1:2]
    line = title_line.strip(" \t")
    if end < 0 or not rule or not line.startswith("[") or not line.endswith(")"):
        return None
    middle = line.rfind("](", 1, len(line) - 1)
    rule_line, rule_end = rule[0]
    if middle < 0 or not _RULE.fullmatch(rule_line):
        return None
    return line[1:middle], line[middle + 2 : -1], len(body) if rule_end < 0 else rule_end + 1


# The seed header's title is Markdown: its backslash escapes (\<, and \‹ from scrapers that escape
# more than Markdown needs) are not part of the title, which _heading escapes again for display.
_MD_UNESCAPE = re.compile(r"\\([^\w\s])")
_HTML_START = re.compile(r"\s*<[a-zA-Z!/?]")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uac00-\ud7af]")
_WORD = re.compile(r"\w+")
_BLANK_LINES = re.compile(r"\n{3,}")
_TRAILING_SPACE = re.compile(r"[ \t]+$", re.M)
_EMPTY_HEADING = re.compile(r"^#{1,6}[ \t]*$", re.M)
_EMPTY_ITEMS = re.compile(r"^[ \t]+\*(?:[ \t]+\*)*[ \t]*$", re.M)  # "* * *" (a rule) is unindented
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")
_markdown_it = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])


def render_post(
    post: Post,
    body: str,
    *,
    labels: Sequence[str] = (),
    now: datetime | None = None,
    notes: Sequence[str] = (),
) -> Rendered:
    """Render a post for the reader: a metadata block, then the article, then its numbered links.
    notes: what the caller already knows to say (such as a body cut at reading)."""
    notes = list(notes)
    try:
        seed, article, links = article_markdown(post, body, notes)
    except Exception:  # a reader must still show a post that breaks a library: say so
        notes.append("the body could not be converted: showing its plain text")
        seed, article, links = None, md_escape(plain_text(body[:MAX_INPUT_BYTES])), []
    title, url = seed if seed else (post.title, post.url)
    parts = [_heading(title, url), _meta_lines(post, article, labels, now)]
    if post.problems:
        parts.append("> Problems: " + md_escape(clean_line("; ".join(post.problems))))
    parts.extend(f"> Note: {note}" for note in notes)
    parts += ["---", article]
    if links:
        listed = (f"{i}. {md_escape(display_url(u))}" for i, u in enumerate(links, 1))
        parts.append("## Links\n\n" + "\n".join(listed))
    return Rendered("\n\n".join(p for p in parts if p) + "\n", links, notes)


def article_markdown(
    post: Post, body: str, notes: list[str]
) -> tuple[tuple[str, str] | None, str, list[str]]:
    """The article part alone: (seed heading (title, url) or None, Markdown, link targets)."""
    body = _cap_input(body, notes)
    if _looks_binary(body):
        notes.append("the body looks like binary data: not shown")
        return None, "", []
    # NULs and escapes confuse libxml2 and lxml refuses them in text; they are never text anyway.
    body = _CHAR_REF.sub(_drop_control_ref, clean(body))
    seed = None
    header = seed_header(body)
    if header:
        title, url, end = header
        seed = (clean_line(_MD_UNESCAPE.sub(r"\1", title)), _resolve(url.strip(), post.url) or "")
        body = body[end:]
    if not body.strip():
        return seed, "", []
    if _HTML_START.match(body):
        source = body
    elif body.count("[") > MAX_BRACKETS:
        notes.append(f"body has over {MAX_BRACKETS:,} brackets: shown as plain text")
        return seed, md_escape(body), []
    else:
        source = _markdown_it.render(body)
    doc, cut = parse_html(source)
    if doc is None:
        return seed, "", []
    if cut:
        notes.append("body nested too deeply: the rest of it is not shown")
    strip_elements(doc, *DROP_TAGS, with_tail=False)  # in C, before anything can flatten them
    root = content_root(doc)
    if flatten_deep(root):
        notes.append("deeply nested parts of the body are shown as plain text")
    if sum(1 for _ in root.iter()) > MAX_ELEMENTS:
        # Python-level passes and html2text take seconds on that many tags: plain text instead.
        notes.append(f"body has over {MAX_ELEMENTS:,} elements: shown as plain text")
        links, text = [], _plain_paragraphs(root)
    else:
        strip_boilerplate(root, seed[0] if seed else post.title, post.author)
        links = _number_links(root, post.url)
        _image_placeholders(root)
        _simplify_emphasis(root)
        _collapse_space(root)
        _tidy_emphasis(root)
        _strip_attributes(root)
        text = _html2text(lxml_html.tostring(root, encoding="unicode"))
    if len(text) > MAX_OUTPUT_CHARS:
        text = text[: text.rfind("\n", 0, MAX_OUTPUT_CHARS) + 1 or MAX_OUTPUT_CHARS]
        notes.append("text over 1 MB: showing the first 1 MB")
    return seed, text, links


def plain_text(body: str) -> str:
    """Rough text of a body for a full-text index: cheap, never displayed."""
    text = _SCRIPT_STYLE.sub(" ", body)
    text = _TAG.sub("\n", text)  # a tag breaks like a line: between Chinese characters, nothing
    if "&" in text:
        for entity, char in _COMMON_ENTITIES:  # str.replace is ~50 times faster per entity
            text = text.replace(entity, char)
        if "&" in text:
            text = html.unescape(text)
    # As the reader lays it out (see _collapse_space): white space that breaks a line between two
    # wide characters is dropped, so a phrase the reader shows unbroken is found unbroken.
    text = _WIDE_BREAK.sub("", text)
    return " ".join(_CONTROLS.sub(" ", text).split())


_SCRIPT_STYLE = re.compile(
    r"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.I | re.S
)
_TAG = re.compile(r"<[^>]*>")
# Wide characters (CSS's East Asian Wide, less Hangul, whose text is spaced): CJK and kana,
# their punctuation, fullwidth forms.
_WIDE_CHARS = (
    "\u2e80-\u303f\u3040-\u30ff\u3100-\u312f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6"
)
_WIDE = re.compile(f"[{_WIDE_CHARS}]")
_WIDE_BREAK = re.compile(rf"(?<=[{_WIDE_CHARS}])[ \t\r\f]*\n\s*(?=[{_WIDE_CHARS}])")
# &amp; last (an index does not mind "&amp;lt;" decoding twice).
_COMMON_ENTITIES = (
    ("&nbsp;", " "),
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&#39;", "'"),
    ("&amp;", "&"),
)
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


# --- Pipeline steps --------------------------------------------------------------------------


def _cap_input(body: str, notes: list[str]) -> str:
    if len(body) * 4 <= MAX_INPUT_BYTES:  # cannot be over the cap: skip the encode
        return body
    data = body.encode("utf-8", "replace")
    if len(data) <= MAX_INPUT_BYTES:
        return body
    notes.append("body over 2 MB: showing the first 2 MB")
    return data[:MAX_INPUT_BYTES].decode("utf-8", "ignore")


def _drop_control_ref(match: re.Match[str]) -> str:
    """A numeric character reference to a control character (&#27;) goes before parsing."""
    try:
        code = int(match[1], 10) if match[1] else int(match[2], 16)
        char = chr(code)
    except (ValueError, OverflowError):
        return ""
    if code == 0 or 0xD800 <= code <= 0xDFFF or clean(char) != char:
        return ""
    return match[0]


_CHAR_REF = re.compile(r"&#(?:([0-9]+)|[xX]([0-9a-fA-F]+));?")


def _looks_binary(body: str) -> bool:
    """Binary junk read as text: many control or replacement characters near the start."""
    sample = body[:4096]
    bad = len(_BINARY.findall(sample))
    return bad > 0.1 * len(sample)


_BINARY = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\ufffd]")


def _plain_paragraphs(root: _Element) -> str:
    """The text of a tree, one paragraph per block element: the fallback for huge pages."""
    for el in root.iter(*_BLOCKS):
        el.tail = "\n" + (el.tail or "")
    lines = (clean_line(line) for line in "".join(root.itertext()).split("\n"))
    return "\n\n".join(line for line in lines if line)


def _resolve(href: str, base: str) -> str | None:
    """An absolute http(s)/mailto URL for a link target, or None if it must not be linked."""
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    try:
        url = urljoin(base, href) if base else href
        if url.startswith("//"):
            url = "https:" + url
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    if scheme not in LINK_SCHEMES:
        return None
    return clean_line(url).replace(" ", "%20")


def _number_links(root: _Element, base: str) -> list[str]:
    """Number every link, image and bare url in document order, one sequence for all: the text
    of a link is followed by its number [N], an image gets it in its placeholder, a bare url in
    the text after it. Links are unwrapped (their targets are in the returned list)."""
    numbers: dict[str, int] = {}

    def number(url: str) -> int:
        return numbers.setdefault(url, len(numbers) + 1)

    inside = 0  # depth of elements whose text is not searched for urls: links, code
    for event, el in etree.iterwalk(root, events=("start", "end")):
        if not isinstance(el.tag, str):  # comments and processing instructions
            if event == "end" and el.tail and not inside:
                el.tail = _number_bare_urls(el.tail, number)
            continue
        if event == "start":
            if el.tag == "a":
                _number_link(el, base, number)
            elif el.tag == "img" and not el.get("data-newstui-link"):
                url = _image_url(el, base)
                if url:
                    el.set("data-newstui-link", str(number(url)))
            if el.tag in _NO_URL_SEARCH:
                inside += 1
            elif el.text and not inside:
                el.text = _number_bare_urls(el.text, number)
        else:
            if el.tag in _NO_URL_SEARCH:
                inside -= 1
            if el.tail and not inside and el is not root:
                el.tail = _number_bare_urls(el.tail, number)
    # Unwrapped by renaming: html2text writes a <span>'s content as is. (drop_tag() looks the
    # element up in its parent, which is quadratic on a page of 20,000 links.)
    for a in root.iter("a"):
        a.tag = "span"
    return list(numbers)


_NO_URL_SEARCH = frozenset(("a", "pre", "code"))
# A bare url in text: up to a space, a non-ASCII character (Chinese text often follows a url
# without a space) or a character that cannot be in one; trailing punctuation is not part of it.
_BARE_URL = re.compile(r"(?<![A-Za-z0-9])https?://[!#$%&*+,\-./0-9:;=?@A-Z\\^_a-z|~()\[\]]+")
_URL_TRAILER = ".,;:!?*"


def _number_bare_urls(text: str, number: Callable[[str], int]) -> str:
    if "://" not in text:
        return text

    def mark(match: re.Match[str]) -> str:
        url = match[0].rstrip(_URL_TRAILER)
        while url.endswith((")", "]")) and url.count(url[-1]) > url.count(
            "(" if url[-1] == ")" else "["
        ):
            url = url[:-1].rstrip(_URL_TRAILER)  # a url in brackets: (see https://x.org/a)
        resolved = _resolve(url, "")
        if not resolved or url.endswith("://"):
            return match[0]
        return f"{url} [{number(resolved)}]{match[0][len(url) :]}"

    return _BARE_URL.sub(mark, text)


def _number_link(a: _Element, base: str, number: Callable[[str], int]) -> None:
    """Follow a linkable <a>'s text with its number, or give it to the lone image it wraps."""
    url = _resolve(a.get("href") or "", base)
    images = a.findall(".//img")
    has_text = bool(a.text_content().strip())
    if not url or not (has_text or images):
        return
    n = number(url)
    if len(images) == 1 and not has_text:
        images[0].set("data-newstui-link", str(n))  # the placeholder will carry it
    elif len(a):
        last = a[-1]
        last.tail = (last.tail or "") + f" [{n}]"
    else:
        a.text = (a.text or "") + f" [{n}]"


_IMAGE_SOURCES = ("data-src", "data-lazy-src", "data-original", "src")


def _image_url(img: _Element, base: str) -> str | None:
    """The address of an image's picture: lazy-loading pages keep the real one in data-src."""
    for name in _IMAGE_SOURCES:
        url = _resolve(img.get(name) or "", base)
        if url:
            return url
    return None


def _image_placeholders(root: _Element) -> None:
    """Replace each <img> by a one-line text placeholder: [image: alt] or [image: file.jpg]."""
    for img in list(root.iter("img")):
        label = clean_line(img.get("alt") or img.get("title") or "")
        if not label:
            src = next((img.get(name) for name in _IMAGE_SOURCES if img.get(name)), "")
            label = _file_name(src)
        label = label.replace("[", "(").replace("]", ")")
        text = f"[image: {label}]"
        if img.get("data-newstui-link"):
            text += f" [{img.get('data-newstui-link')}]"
        # An image inside a sentence stays inline; otherwise it gets a line of its own.
        inline = _has_text_beside(img)
        img.tag = "span" if inline else "p"
        img.attrib.clear()
        img.text = f" {text} " if inline else text


def _has_text_beside(img: _Element) -> bool:
    if img.tail and img.tail.strip():
        return True
    prev = img.getprevious()
    if prev is not None:
        return bool(prev.tail and prev.tail.strip())
    parent = img.getparent()
    return bool(parent is not None and parent.text and parent.text.strip())


# --- White space, as a browser lays it out ----------------------------------------------------
# Scraped pages are pretty-printed: every tag on a line of its own, so a Chinese sentence with a
# link in it reads "推出了\n  </span>\n  <a>\n   <span>\n    麦金塔电脑". html2text writes each of
# those breaks as a space, some twice ("推出了  麦金塔电脑  [2] ，"), and a space inside
# <strong> leaves "** 标题 **", which Markdown does not read as bold. A browser shows neither:
# white space collapses across tags, and a line break between two Chinese or Japanese characters
# is dropped (CSS Text 3, segment break transformation). So does this pass, before html2text.

_BLOCKS = frozenset(
    "address article aside blockquote br dd details div dl dt figcaption figure footer form h1 h2"
    " h3 h4 h5 h6 header hr li main nav ol p pre section summary table tbody td tfoot th thead"
    " tr ul".split()
)
_HTML_SPACE = re.compile(r"([ \t\n\r\f]+)")  # not a no-break space: that one is meant
_NO_SPACE_BEFORE = frozenset("，。、；：！？）」』】〉》〕｝…")
_NO_SPACE_AFTER = frozenset("（「『【〈《〔｛")
_EMPHASIS = ("em", "i", "strong", "b", "u", "s", "strike", "del")


def _collapse_space(root: _Element) -> None:
    """White space in running text as a browser shows it (see above); <pre> is left as it is."""
    slots: list[tuple[_Element, str, list[str]]] = []  # each text and tail, split at white space
    spaces: list[tuple[list[str], int]] = []  # the white space since the last word
    before = ""  # the character before it ("" at a block's edge)
    breaks = False  # whether it holds a line break

    def settle(after: str) -> None:
        """Keep one space of it, or none, now that the next character is known."""
        nonlocal breaks
        gone = (
            (breaks and _wide(before) and _wide(after))
            or before in _NO_SPACE_AFTER
            or after in _NO_SPACE_BEFORE
        )
        for n, (tokens, i) in enumerate(spaces):
            tokens[i] = " " if n == 0 and not gone else ""
        spaces.clear()
        breaks = False

    def boundary() -> None:  # a block's edge: html2text lays out what is around it
        nonlocal before
        settle("")
        before = ""

    def take(el: _Element, attr: str, text: str | None) -> None:
        nonlocal before, breaks
        if not text:
            return
        tokens = _HTML_SPACE.split(text)
        for i, token in enumerate(tokens):
            if not token:
                continue
            if token[0] in " \t\n\r\f":
                spaces.append((tokens, i))
                breaks = breaks or "\n" in token or "\r" in token
            else:
                settle(token[0])
                before = token[-1]
        slots.append((el, attr, tokens))

    pre = 0
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag if isinstance(el.tag, str) else ""
        if event == "start":
            if tag in _BLOCKS:
                boundary()
            if tag == "pre":
                pre += 1
            elif not pre and tag:
                take(el, "text", el.text)
        else:
            if tag == "pre":
                pre -= 1
            if tag in _BLOCKS:
                boundary()
            if not pre and el is not root:
                take(el, "tail", el.tail)
    boundary()
    for el, attr, tokens in slots:
        setattr(el, attr, "".join(tokens))


def _wide(char: str) -> bool:
    return bool(char) and _WIDE.match(char) is not None


# Bold and italic as Markdown can write them. Pages built by editors split one bold phrase into
# several tags ("<strong>再次审视 </strong><strong>微信</strong>"), nest bold in bold, and embolden
# lone punctuation ("<strong>》</strong>"). html2text writes those as "审视****微信" and "**》**",
# which Markdown does not read as emphasis: the reader showed the asterisks.
_KIND = {"strong": "strong", "b": "strong", "em": "em", "i": "em"}


def _simplify_emphasis(root: _Element) -> None:
    """Bold (and italic) inside bold is plain within it; bold with no letter or digit in it is
    plain; bold next to bold, with at most white space between, is one bold run."""
    for el in list(root.iter(*_KIND)):
        kind = _KIND[el.tag]
        if any(_KIND.get(up.tag) == kind for up in el.iterancestors(*_KIND)) or not any(
            char.isalnum() for char in el.text_content()
        ):
            el.tag = "span"
    # Spans mean nothing to html2text (links are spans by now): without them, the bold of a
    # link's text ("<strong>以打击</strong><a><strong>示威活动</strong></a>") sits next to the bold
    # before it. strip_tags works in C: drop_tag() is quadratic over many siblings.
    etree.strip_tags(root, "span")
    for el in list(root.iter(*_KIND)):
        if el.getparent() is None:  # merged into the one before it
            continue
        kind = _KIND[el.tag]
        while (following := el.getnext()) is not None and _KIND.get(following.tag) == kind:
            if (el.tail or "").strip():
                break
            gap = el.tail or ""
            if len(el):
                el[-1].tail = (el[-1].tail or "") + gap + (following.text or "")
            else:
                el.text = (el.text or "") + gap + (following.text or "")
            el.extend(following)  # moves its children
            el.tail = following.tail
            following.getparent().remove(following)


def _tidy_emphasis(root: _Element) -> None:
    """Move white space at the start and end of <em>/<strong> out of it: html2text would
    otherwise write "** text **", which Markdown does not read as emphasis."""
    for el in reversed(list(root.iter(*_EMPHASIS))):  # innermost first
        inside = [
            (node, attr)
            for node in el.iter()
            for attr in (("text",) if node is el else ("text", "tail"))
            if getattr(node, attr)
        ]
        if not inside or not "".join(getattr(n, a) for n, a in inside).strip():
            continue
        first, attr = inside[0]
        text = getattr(first, attr)
        if text[0].isspace():
            setattr(first, attr, text.lstrip())
            _append_before(el, " ")
        last, attr = inside[-1]
        text = getattr(last, attr)
        if text[-1].isspace():
            setattr(last, attr, text.rstrip())
            el.tail = " " + (el.tail or "")
        # Markdown does not close "**…钱。**他": a closing mark after punctuation needs a space
        # or punctuation after it (html2text's forced space did that, and spaced Chinese out).
        # The punctuation goes after the mark instead: "**…钱**。他". The same before an
        # opening mark: "他**「引文」**" opens only as "他「**引文」**".
        text = getattr(last, attr)
        after = _text_after(el)[:1]
        if after and not after.isspace() and not _punctuation(after):
            kept = len(text)
            while kept and _punctuation(text[kept - 1]):
                kept -= 1
            if 0 < kept < len(text):
                setattr(last, attr, text[:kept])
                el.tail = text[kept:] + (el.tail or "")
        first, attr = inside[0]
        text = getattr(first, attr)
        before = _text_before(el)[-1:]
        if before and not before.isspace() and not _punctuation(before):
            moved = 0
            while moved < len(text) and _punctuation(text[moved]):
                moved += 1
            if 0 < moved < len(text):
                setattr(first, attr, text[moved:])
                _append_before(el, text[:moved])


def _punctuation(char: str) -> bool:
    """Punctuation or a symbol, as Markdown's emphasis rules count them."""
    return unicodedata.category(char)[0] in "PS"


def _text_before(el: _Element) -> str:
    """Text that comes just before an element in its block (the end of it is what counts)."""
    node: _Element = el
    while True:
        previous = node.getprevious()
        if previous is not None:
            if previous.tail:
                return previous.tail
            if previous.tag in _BLOCKS:
                return ""
            text = "".join(previous.itertext())
            node = previous
        else:
            parent = node.getparent()
            if parent is None:
                return ""
            text = parent.text or ""
            if not text and parent.tag in _BLOCKS:
                return ""
            node = parent
        if text:
            return text


def _text_after(el: _Element) -> str:
    """Text that comes just after an element in its block (the start of it is what counts)."""
    node: _Element | None = el
    while node is not None:
        if node.tail:
            return node.tail
        following = node.getnext()
        if following is not None:
            if following.tag in _BLOCKS:
                return ""
            text = "".join(following.itertext())
            if text:
                return text
            node = following
        else:
            node = node.getparent()
            if node is not None and node.tag in _BLOCKS:
                return ""
    return ""


def _append_before(el: _Element, text: str) -> None:
    previous = el.getprevious()
    if previous is not None:
        previous.tail = (previous.tail or "") + text
    elif (parent := el.getparent()) is not None:
        parent.text = (parent.text or "") + text


def _strip_attributes(root: _Element) -> None:
    """Drop the attributes html2text does not use: less for its pure-Python parser to read."""
    for el in root.iter("*"):
        if el.attrib:
            kept = [(k, v) for k, v in el.attrib.items() if k in _KEEP_ATTRIBUTES]
            el.attrib.clear()  # by name would fail: libxml2 recovers attribute names lxml rejects
            for name, value in kept:
                el.set(name, value)


_KEEP_ATTRIBUTES = frozenset(("colspan", "rowspan", "start"))


def _file_name(src: str) -> str:
    if not src or src.startswith("data:"):
        return "image"
    try:
        path = urlsplit(src).path
    except ValueError:
        return "image"
    return clean_line(unquote(basename(path.rstrip("/")))) or "image"


class _Converter(html2text.HTML2Text):
    """html2text, without the space it puts after emphasis before anything but a Latin letter or
    digit, or before emphasis after a Chinese character: "**粗体**。" and "**bold**," are emphasis
    to Markdown as they are (with `*`, which, unlike `_`, opens and closes inside a word too), and
    a space before "。" is a typo in Chinese."""

    def handle_tag(self, tag: str, attrs: dict[str, str | None], start: bool) -> None:
        # html2text puts a space before an opening "*" after a letter, for "_" marks, which
        # Markdown does not read inside a word; it split Chinese text ("人** *原來").
        if start and tag in ("em", "i", "u") and _wide(self.preceding_data[-1:]):
            self.preceding_data = ""
        super().handle_tag(tag, attrs, start)

    def handle_data(self, data: str, entity_char: bool = False) -> None:
        if self.preceding_stressed and data and not (data[0].isalnum() and not _wide(data[0])):
            self.preceding_stressed = False
        super().handle_data(data, entity_char)


def _html2text(source: str) -> str:
    converter = _Converter()
    converter.emphasis_mark = "*"  # see _Converter
    converter.body_width = 0
    converter.unicode_snob = True
    converter.ignore_links = True  # already numbered by _number_links
    converter.ignore_images = True  # already replaced by placeholders
    converter.single_line_break = False
    text = converter.handle(source)
    text = clean(text)  # entities such as &#27; decode to real control characters
    text = _TRAILING_SPACE.sub(_keep_line_break, text)
    text = _EMPTY_HEADING.sub("", text)  # headings whose only content was removed
    text = _EMPTY_ITEMS.sub("", text)  # list items whose only content was removed
    return _BLANK_LINES.sub("\n\n", text).strip("\n")


def _keep_line_break(match: re.Match[str]) -> str:
    """Trailing spaces go, except the two that make html2text's <br> a Markdown line break."""
    at_line_start = match.start() == 0 or match.string[match.start() - 1] == "\n"
    return "  " if len(match[0]) >= 2 and not at_line_start else ""


# --- Metadata block --------------------------------------------------------------------------


def md_escape(text: str) -> str:
    """Text shown as itself in Markdown: its special characters backslash-escaped."""
    return _MD_SPECIAL.sub(r"\\\1", text)


def _heading(title: str, url: str) -> str:
    title = md_escape(clean_line(title)) or "(untitled)"
    if not url:
        return f"# {title}"
    url = clean_line(url)
    for char, code in ((" ", "%20"), ("(", "%28"), (")", "%29"), ("<", "%3C"), (">", "%3E")):
        url = url.replace(char, code)
    return f"# [{title}]({url})"


def _meta_lines(post: Post, article: str, labels: Sequence[str], now: datetime | None) -> str:
    first: list[str] = []
    if post.date is not None:
        local = post.date.astimezone(now.tzinfo if now and now.tzinfo else None)
        first.append(local.strftime("%Y-%m-%d %H:%M"))
    if post.author:
        first.append(post.author)
    host = url_host(post.url)
    if host and host != post.author:
        first.append(host)
    first.append(f"{reading_minutes(article)} min read")
    lines = [" · ".join(md_escape(clean_line(p)) for p in first if clean_line(p))]
    tags = list(dict.fromkeys(post.tags + post.categories))
    if tags:
        lines.append("Tags: " + ", ".join(md_escape(clean_line(t)) for t in tags))
    if labels:
        lines.append("Labels: " + ", ".join(md_escape(clean_line(x)) for x in labels))
    return "  \n".join(lines)  # two trailing spaces: a Markdown line break, not a paragraph


def reading_minutes(text: str) -> int:
    """Estimated reading time: CJK at ~400 characters a minute, other scripts ~200 words."""
    cjk = len(_CJK.findall(text))
    words = len(_WORD.findall(_CJK.sub(" ", text)))
    return max(1, math.ceil(cjk / CJK_PER_MINUTE + words / WORDS_PER_MINUTE))
