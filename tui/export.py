"""Export posts as one EPUB, one self-contained HTML file or one Markdown file, as the reader renders them."""

from __future__ import annotations

import html
import os
import re
import secrets
import uuid
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from tui import __version__
from tui.model import Post, url_host
from tui.render.markdown import md_escape
from tui.text import clean, clean_line, display_url

if TYPE_CHECKING:
    from tui.files.parse import ParsedPost

FORMATS = ("epub", "html", "md")
SUFFIXES = {"epub": ".epub", "html": ".html", "md": ".md"}
LINK_SCHEMES = ("http://", "https://", "mailto:")


class ExportError(Exception):
    """An export that cannot be done, worded as the one line the user sees."""


class ExportCancelled(Exception):
    """The caller asked the export to stop; nothing was written."""


# --- Text that is safe to put in XML ----------------------------------------------------------

# XML 1.0 allows tab, newline, CR and these ranges only; clean() has already taken C0/C1 controls
# and bidi overrides, this also drops lone surrogates and U+FFFE/U+FFFF, which no XML parser reads.
_NOT_XML = re.compile("[^\t\n\u0020-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def safe_text(text: str) -> str:
    """Post text as it may appear in XHTML: no control, bidi-override or non-XML characters."""
    return _NOT_XML.sub("", clean(text))


def esc(text: str) -> str:
    """Text escaped for XHTML element content and double-quoted attributes."""
    return html.escape(safe_text(text), quote=True)


def linkable(url: str) -> bool:
    """Only web and mail links are kept, as in the reader: never file:, javascript: or a path;
    and no web link whose host cannot be one ("exa mple.com")."""
    url = url.strip()
    if not url.lower().startswith(LINK_SCHEMES):
        return False
    if url.lower().startswith("mailto:"):
        return True
    try:
        host = urlsplit(url).netloc
    except ValueError:
        return False
    return bool(host) and not _BAD_HOST.search(host)


_BAD_HOST = re.compile(r"[\s%<>\\^`{|}\"]")


def href(url: str) -> str:
    """A link target as a valid URI ("]", spaces and non-ASCII percent-encoded, the host in
    punycode), as markdown-it writes its own links."""
    return _markdown().normalizeLink(safe_text(url).strip())


# --- Language ---------------------------------------------------------------------------------

_HAN = re.compile(r"[\u4e00-\u9fff]")
_KANA = re.compile(r"[\u3040-\u30ff]")
_HANGUL = re.compile(r"[\uac00-\ud7af]")
_LATIN = re.compile(r"[A-Za-z]")
LANGUAGE_SAMPLE = 6000  # characters of a post looked at: enough to tell the script apart


@cache
def _han_script(char: str) -> str:
    """ "s" for a character only GB 2312 (mainland, Simplified) can encode, "t" for one only Big5
    (Taiwan and Hong Kong, Traditional) can, "" for one both or neither can (人, 的, 台)."""
    in_gb = _encodes(char, "gb2312")
    in_big5 = _encodes(char, "big5")
    return "s" if in_gb and not in_big5 else "t" if in_big5 and not in_gb else ""


def _encodes(char: str, codec: str) -> bool:
    try:
        char.encode(codec)
    except UnicodeEncodeError:
        return False
    return True


def text_language(text: str) -> str | None:
    """The BCP 47 tag of a post's text: zh-Hans or zh-Hant (by which of the two national character
    sets holds its distinctive characters), ja, ko, en for Latin script, None when it is unclear."""
    sample = text[:LANGUAGE_SAMPLE]
    han = _HAN.findall(sample)
    kana = len(_KANA.findall(sample))
    if kana >= 10 and kana * 4 >= len(han):
        return "ja"
    if len(_HANGUL.findall(sample)) >= 10:
        return "ko"
    if len(han) >= 10:
        scripts = Counter(_han_script(char) for char in han)
        return "zh-Hant" if scripts["t"] > scripts["s"] else "zh-Hans"
    if len(_LATIN.findall(sample)) >= 20:
        return "en"
    return None


def book_language(languages: Iterable[str | None]) -> str:
    """One language for a whole book: the commonest of its posts' ("und", undetermined, if none)."""
    counts = Counter(language for language in languages if language)
    return counts.most_common(1)[0][0] if counts else "und"


# --- One post as a chapter --------------------------------------------------------------------


@dataclass(slots=True)
class Chapter:
    """One exported post: what the contents list needs, and its XHTML or Markdown."""

    title: str  # plain text
    date: str  # plain text, "" when undated
    language: str | None
    content: str  # an XHTML <article> element (epub, html) or the reader's Markdown (md)
    notes: list[str] = field(default_factory=list)


class _Markdown(MarkdownIt):
    """The reader's Markdown to XHTML: no raw HTML, no images, links only to the web and mail."""

    def __init__(self) -> None:
        super().__init__("commonmark", {"html": False, "xhtmlOut": True})
        self.enable(["table", "strikethrough"])
        self.disable("image")  # ![alt](src) stays a link: nothing in an export loads by itself

    def validateLink(self, url: str) -> bool:  # noqa: N802 (markdown-it's name)
        return linkable(url)


_MARKER = re.compile(r"\[(\d{1,4})\]")


@cache
def _markdown() -> _Markdown:
    return _Markdown()


def article_xhtml(markdown: str, links: Sequence[str]) -> str:
    """The reader's article Markdown as XHTML, its numbered references [N] made real links."""
    md = _markdown()
    tokens = md.parse(safe_text(markdown))
    for token in tokens:
        if token.type in ("heading_open", "heading_close"):
            # The post's title is the chapter's h1: the article's headings go one level down.
            token.tag = f"h{min(6, int(token.tag[1]) + 1)}"
        elif token.type == "inline" and token.children:
            token.children = _link_markers(token.children, links)
    return md.renderer.render(tokens, md.options, {})


def _link_markers(children: list[Token], links: Sequence[str]) -> list[Token]:
    """Text tokens' "[N]" become links to links[N-1] (outside existing links); every link gets
    rel="noreferrer"."""
    out: list[Token] = []
    depth = 0
    for token in children:
        if token.type == "link_open":
            depth += 1
            token.attrSet("rel", "noreferrer")
        elif token.type == "link_close":
            depth -= 1
        if token.type != "text" or depth or "[" not in token.content:
            out.append(token)
            continue
        text = token.content
        start = 0
        for match in _MARKER.finditer(text):
            number = int(match[1])
            if not 1 <= number <= len(links) or not linkable(links[number - 1]):
                continue
            if match.start() > start:
                out.append(_text(text[start : match.start()]))
            link = Token("link_open", "a", 1)
            link.attrSet("href", href(links[number - 1]))
            link.attrSet("rel", "noreferrer")
            out += [link, _text(match[0]), Token("link_close", "a", -1)]
            start = match.end()
        if start < len(text):
            out.append(_text(text[start:]))
    return out


def _text(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


def _local_date(post: Post) -> tuple[str, str]:
    """(date and time in the local zone as the reader shows it, ISO 8601), or ("", "")."""
    if post.date is None:
        return "", ""
    local = post.date.astimezone()
    return local.strftime("%Y-%m-%d %H:%M"), local.isoformat(timespec="seconds")


def _read(root: Path, rel: str) -> tuple[ParsedPost, list[str]]:
    """A post file as the reader reads it: a huge one only up to READER_BYTES, which it says."""
    from tui.files import parse_file
    from tui.repository import READER_BYTES, cut_note

    parsed = parse_file(root, rel, max_bytes=READER_BYTES)
    return parsed, [cut_note(parsed.cut_at, parsed.size)] if parsed.cut_at else []


def xhtml_chapter(root: Path, rel: str, number: int) -> Chapter:
    """A post file rendered as the reader renders it, as an XHTML <article> with id post-N."""
    from tui.render import plain_text
    from tui.render.markdown import article_markdown, reading_minutes

    parsed, notes = _read(root, rel)
    post = parsed.post
    try:
        seed, article, links = article_markdown(post, parsed.body, notes)
        body = article_xhtml(article, links)
    except Exception:  # as in the reader: a post that breaks a library still shows its text
        notes.append("the body could not be converted: showing its plain text")
        seed, links = None, []
        article = plain_text(parsed.body)
        body = f"<p>{esc(article)}</p>\n" if article else ""
    title = clean_line(seed[0] if seed else post.title) or "(untitled)"
    url = seed[1] if seed and seed[1] else post.url
    date, iso = _local_date(post)
    meta = [f'<time datetime="{esc(iso)}">{esc(date)}</time>'] if date else []
    meta += [esc(text) for text in (clean_line(post.author), url_host(url)) if text]
    meta.append(f"{reading_minutes(article)} min read")
    parts = [
        f'<article id="post-{number}">',
        "<header>",
        f"<h1>{esc(title)}</h1>",
        f'<p class="meta">{" · ".join(meta)}</p>',
    ]
    if url:
        shown = esc(display_url(url))  # as the reader shows addresses: decoded
        link = (
            f'<a href="{esc(href(url))}" rel="noreferrer">{shown}</a>' if linkable(url) else shown
        )
        parts.append(f'<p class="url">Original: {link}</p>')
    tags = [clean_line(tag) for tag in dict.fromkeys(post.tags + post.categories)]
    if any(tags):
        parts.append(f'<p class="tags">Tags: {esc(", ".join(tag for tag in tags if tag))}</p>')
    for note in [*post.problems, *notes]:
        parts.append(f'<p class="note">{esc(clean_line(note))}</p>')
    parts += ["</header>", body.rstrip("\n")]
    if links:
        items = "".join(
            f'<li><a href="{esc(href(u))}" rel="noreferrer">{esc(display_url(u))}</a></li>\n'
            for u in links
            if linkable(u)
        )
        parts.append(f'<section class="links">\n<h2>Links</h2>\n<ol>\n{items}</ol>\n</section>')
    parts.append("</article>\n")
    language = text_language(title + "\n" + article)
    return Chapter(title, date, language, "\n".join(parts), notes)


def markdown_chapter(root: Path, rel: str, number: int) -> Chapter:
    """A post file as `newstui show` prints it."""
    from tui.render import render_post

    parsed, notes = _read(root, rel)
    rendered = render_post(parsed.post, parsed.body, notes=notes)
    text = clean(rendered.markdown)
    date, _iso = _local_date(parsed.post)
    title = clean_line(parsed.post.title) or "(untitled)"
    return Chapter(title, date, text_language(text), text.rstrip("\n") + "\n", rendered.notes)


# --- Writers ----------------------------------------------------------------------------------


@dataclass(slots=True)
class Book:
    title: str
    posts: Sequence[Post]
    root: Path
    created: datetime = field(default_factory=lambda: datetime.now(UTC))

    @property
    def identifier(self) -> str:
        """The same posts exported again make the same book (readers then replace, not add, it)."""
        key = "newstui\n" + "\n".join(post.path for post in self.posts)
        return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, key)}"


Progress = Callable[[int, int], None]


def _chapters(
    book: Book,
    make: Callable[[Path, str, int], Chapter],
    progress: Progress | None,
    is_cancelled: Callable[[], bool] | None,
) -> Iterator[Chapter]:
    total = len(book.posts)
    for number, post in enumerate(book.posts, 1):
        if is_cancelled is not None and is_cancelled():
            raise ExportCancelled
        yield make(book.root, post.path, number)
        if progress is not None:
            progress(number, total)


def _lang(language: str | None, book_lang: str, xml: bool) -> str:
    """lang attributes for an element whose language differs from the book's."""
    if not language or language == book_lang:
        return ""
    value = esc(language)
    return f' lang="{value}" xml:lang="{value}"' if xml else f' lang="{value}"'


def _contents_item(href: str, chapter: Chapter) -> str:
    # The date inside the link: an EPUB contents list allows nothing else in an item.
    date = f' <span class="date">{esc(chapter.date[:10])}</span>' if chapter.date else ""
    return f'<li><a href="{href}">{esc(chapter.title)}{date}</a></li>\n'


# Readable on a phone, an e-reader or paper; Chinese in a CJK font of its script (the Simplified
# and Traditional forms of a character differ in shape) before the generic family.
_FONTS_SANS = (
    '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang SC", '
    '"Hiragino Sans GB", "Microsoft YaHei", "Noto Sans CJK SC", "Source Han Sans SC", '
    '"WenQuanYi Micro Hei", sans-serif'
)
_FONTS_HANT = (
    '-apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "PingFang TC", '
    '"Microsoft JhengHei", "Noto Sans CJK TC", "Source Han Sans TC", sans-serif'
)
_FONTS_JA = (
    '-apple-system, "Segoe UI", "Hiragino Sans", "Yu Gothic", "Noto Sans CJK JP", sans-serif'
)

_STYLE_COMMON = f"""\
body {{ font-family: {_FONTS_SANS}; line-height: 1.75; }}
:lang(zh-Hant) {{ font-family: {_FONTS_HANT}; }}
:lang(ja) {{ font-family: {_FONTS_JA}; }}
h1 {{ font-size: 1.5em; line-height: 1.35; margin: 0 0 0.4em; }}
h2 {{ font-size: 1.25em; }} h3 {{ font-size: 1.1em; }}
p.meta, p.url, p.tags, p.note, .links, span.date {{ font-size: 0.85em; color: #555; }}
p.meta, p.url, p.tags, p.note {{ margin: 0.2em 0; }}
p.url {{ overflow-wrap: anywhere; }}
p.note {{ font-style: italic; }}
article > header {{ border-bottom: 1px solid #ccc; padding-bottom: 0.6em; margin-bottom: 1em; }}
blockquote {{ margin: 1em 0; padding-left: 1em; border-left: 3px solid #ccc; color: #444; }}
pre {{ white-space: pre-wrap; overflow-wrap: anywhere; background: #f4f4f4; padding: 0.6em; }}
code {{ font-family: ui-monospace, Menlo, Consolas, "Noto Sans Mono CJK SC", monospace; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 0.2em 0.5em; }}
.links ol {{ overflow-wrap: anywhere; }}
a {{ color: #1a55a0; }}
"""

_STYLE_HTML = (
    _STYLE_COMMON
    + """\
body { max-width: 42em; margin: 0 auto; padding: 1em 1.2em 4em; color: #1d1d1d; background: #fff; }
nav li { margin: 0.3em 0; }
article { margin-top: 3em; }
@media (prefers-color-scheme: dark) {
  body { color: #ddd; background: #1b1b1b; } a { color: #8ab4f8; }
  p.meta, p.url, p.tags, p.note, .links, span.date, blockquote { color: #aaa; }
  pre { background: #2a2a2a; }
}
@media print {
  body { max-width: none; padding: 0; } nav { break-after: page; }
  article { break-before: page; margin-top: 0; } a { color: inherit; }
}
"""
)


def write_html(book: Book, out: IO[bytes], progress=None, is_cancelled=None) -> None:
    """One self-contained HTML file: contents, then the posts; no scripts, nothing loaded."""
    import tempfile

    chapters: list[tuple[Chapter, int]] = []  # with the size of its XHTML, content dropped
    # The contents list comes first but is known only at the end: posts wait in a temporary file.
    with tempfile.TemporaryFile() as body:
        for chapter in _chapters(book, xhtml_chapter, progress, is_cancelled):
            data = chapter.content.encode()
            body.write(data)
            chapter.content = ""
            chapters.append((chapter, len(data)))
        lang = book_language(chapter.language for chapter, _size in chapters)
        head = [
            "<!DOCTYPE html>",
            f'<html lang="{esc(lang)}">',
            "<head>",
            '<meta charset="utf-8" />',
            '<meta name="viewport" content="width=device-width, initial-scale=1" />',
            # Nothing in this file may load anything, whatever a post contained.
            '<meta http-equiv="Content-Security-Policy" '
            "content=\"default-src 'none'; style-src 'unsafe-inline'\" />",
            '<meta name="referrer" content="no-referrer" />',
            f'<meta name="generator" content="newstui {esc(__version__)}" />',
            f"<title>{esc(book.title)}</title>",
            f"<style>\n{_STYLE_HTML}</style>",
            "</head>",
            "<body>",
            "<header>",
            f"<h1>{esc(book.title)}</h1>",
            f'<p class="meta">{_count(len(chapters))} · exported '
            f"{book.created.astimezone():%Y-%m-%d %H:%M}</p>",
            "</header>",
            '<nav id="contents">',
            "<h2>Contents</h2>",
            "<ol>",
        ]
        out.write(("\n".join(head) + "\n").encode())
        for number, (chapter, _size) in enumerate(chapters, 1):
            out.write(_contents_item(f"#post-{number}", chapter).encode())
        out.write(b"</ol>\n</nav>\n")
        body.seek(0)
        for chapter, size in chapters:
            chunk = body.read(size)
            attribute = _lang(chapter.language, lang, xml=False)
            if attribute:
                chunk = chunk.replace(b"<article ", f"<article{attribute} ".encode(), 1)
            out.write(chunk)
        out.write(b"</body>\n</html>\n")


def _count(n: int) -> str:
    return f"{n:,} post" + ("" if n == 1 else "s")


def write_markdown(book: Book, out: IO[bytes], progress=None, is_cancelled=None) -> None:
    """The posts as `newstui show` prints them, separated by rules, after a contents list."""
    import tempfile

    titles: list[str] = []
    with tempfile.TemporaryFile() as body:
        for chapter in _chapters(book, markdown_chapter, progress, is_cancelled):
            body.write(("\n* * *\n\n" if titles else "").encode() + chapter.content.encode())
            date = f" ({chapter.date[:10]})" if chapter.date else ""
            titles.append(_markdown_escape(chapter.title) + date)
        lines = [f"# {_markdown_escape(book.title)}", "", _count(len(titles)) + ":", ""]
        lines += [f"{n}. {title}" for n, title in enumerate(titles, 1)]
        out.write(("\n".join(lines) + "\n\n* * *\n\n").encode())
        body.seek(0)
        while chunk := body.read(1 << 20):
            out.write(chunk)


def _markdown_escape(text: str) -> str:
    return md_escape(clean_line(text))


_CONTAINER = """\
<?xml version="1.0" encoding="UTF-8"?>
<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">
<rootfiles>
<rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/>
</rootfiles>
</container>
"""

_STYLE_EPUB = (
    _STYLE_COMMON
    + """\
nav ol { padding-left: 1.5em; } nav li { margin: 0.3em 0; }
"""
)


def _xhtml_page(title: str, lang: str | None, body: str, *, epub_ns: bool = False) -> str:
    ns = ' xmlns:epub="http://www.idpf.org/2007/ops"' if epub_ns else ""
    if lang:
        ns += f' lang="{esc(lang)}" xml:lang="{esc(lang)}"'
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        f'<html xmlns="http://www.w3.org/1999/xhtml"{ns}>\n'
        f'<head>\n<meta charset="utf-8" />\n<title>{esc(title)}</title>\n'
        '<link rel="stylesheet" type="text/css" href="style.css" />\n</head>\n'
        f"<body>\n{body}</body>\n</html>\n"
    )


def write_epub(book: Book, out: IO[bytes], progress=None, is_cancelled=None) -> None:
    """An EPUB 3 book (with an EPUB 2 NCX for older readers): one chapter per post, a contents
    page, one stylesheet; every file is written here, nothing is fetched or embedded."""
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as epub:
        # The OCF rule readers check first: "mimetype" is the first entry, stored uncompressed.
        epub.writestr(
            zipfile.ZipInfo("mimetype", _zip_time(book)),
            b"application/epub+zip",
            compress_type=zipfile.ZIP_STORED,
        )
        _add(epub, book, "META-INF/container.xml", _CONTAINER)
        _add(epub, book, "OEBPS/style.css", _STYLE_EPUB)
        chapters: list[Chapter] = []
        for chapter in _chapters(book, xhtml_chapter, progress, is_cancelled):
            name = f"chapter-{len(chapters) + 1:05d}.xhtml"
            # A post whose language is unclear inherits the book's, from the package document.
            page = _xhtml_page(chapter.title, chapter.language, chapter.content)
            _add(epub, book, f"OEBPS/{name}", page)
            chapter.content = ""  # only the contents list is needed from here on
            chapters.append(chapter)
        lang = book_language(chapter.language for chapter in chapters)
        _add(epub, book, "OEBPS/nav.xhtml", _nav(book, chapters, lang))
        _add(epub, book, "OEBPS/toc.ncx", _ncx(book, chapters))
        _add(epub, book, "OEBPS/content.opf", _package(book, chapters, lang))


def _zip_time(book: Book) -> tuple[int, int, int, int, int, int]:
    local = book.created.astimezone()
    return (max(local.year, 1980), local.month, local.day, local.hour, local.minute, local.second)


def _add(epub: zipfile.ZipFile, book: Book, name: str, text: str) -> None:
    info = zipfile.ZipInfo(name, _zip_time(book))
    info.compress_type = zipfile.ZIP_DEFLATED
    epub.writestr(info, text.encode())


def _nav(book: Book, chapters: list[Chapter], lang: str) -> str:
    items = "".join(
        _contents_item(f"chapter-{n:05d}.xhtml", chapter) for n, chapter in enumerate(chapters, 1)
    )
    body = (
        f'<h1>{esc(book.title)}</h1>\n<p class="meta">{_count(len(chapters))}</p>\n'
        f'<nav epub:type="toc" id="toc">\n<h2>Contents</h2>\n<ol>\n{items}</ol>\n</nav>\n'
    )
    return _xhtml_page(book.title, lang, body, epub_ns=True)


def _ncx(book: Book, chapters: list[Chapter]) -> str:
    points = "".join(
        f'<navPoint id="p{n}" playOrder="{n}"><navLabel><text>{esc(chapter.title)}</text>'
        f'</navLabel><content src="chapter-{n:05d}.xhtml"/></navPoint>\n'
        for n, chapter in enumerate(chapters, 1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" version="2005-1">\n'
        f'<head><meta name="dtb:uid" content="{book.identifier}"/></head>\n'
        f"<docTitle><text>{esc(book.title)}</text></docTitle>\n"
        f"<navMap>\n{points}</navMap>\n</ncx>\n"
    )


def _package(book: Book, chapters: list[Chapter], lang: str) -> str:
    items = "".join(
        f'<item id="c{n}" href="chapter-{n:05d}.xhtml" media-type="application/xhtml+xml"/>\n'
        for n in range(1, len(chapters) + 1)
    )
    spine = "".join(f'<itemref idref="c{n}"/>\n' for n in range(1, len(chapters) + 1))
    modified = book.created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<package xmlns="http://www.idpf.org/2007/opf" version="3.0" '
        f'unique-identifier="book-id" xml:lang="{esc(lang)}">\n'
        '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/">\n'
        f'<dc:identifier id="book-id">{book.identifier}</dc:identifier>\n'
        f"<dc:title>{esc(book.title)}</dc:title>\n"
        f"<dc:language>{esc(lang)}</dc:language>\n"
        f"<dc:creator>newstui</dc:creator>\n"
        f'<meta property="dcterms:modified">{modified}</meta>\n'
        "</metadata>\n<manifest>\n"
        '<item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/>\n'
        '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>\n'
        '<item id="css" href="style.css" media-type="text/css"/>\n'
        f'{items}</manifest>\n<spine toc="ncx">\n<itemref idref="nav"/>\n{spine}</spine>\n'
        "</package>\n"
    )


WRITERS = {"epub": write_epub, "html": write_html, "md": write_markdown}


# --- Where it goes ----------------------------------------------------------------------------


def check_target(target: Path, posts_root: Path) -> Path:
    """The absolute output path, or ExportError saying why it cannot be written (before any work)."""
    target = Path(os.path.abspath(target.expanduser()))
    if target.is_dir():
        raise ExportError(f"{target} is a folder: give a file name")
    folder = target.parent
    if not folder.is_dir():
        raise ExportError(f"cannot write {target}: no such folder {folder}")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError(f"cannot write {target}: permission denied")
    root = posts_root.resolve()
    if target.resolve().is_relative_to(root):
        # It would become a post of the archive on the next scan; newstui never writes there.
        raise ExportError(f"{target} is inside the posts folder: write the export elsewhere")
    return target


def export_to_file(
    book: Book,
    fmt: str,
    target: Path,
    *,
    progress: Progress | None = None,
    is_cancelled: Callable[[], bool] | None = None,
) -> Path:
    """Write the book to target atomically: a temporary file beside it, renamed when complete.

    Raises ExportError (nothing written) or ExportCancelled (nothing written)."""
    target = check_target(target, book.root)
    temporary = target.with_name(f".{target.name}.{secrets.token_hex(4)}.part")
    try:
        # O_EXCL: never write through a link someone left under that name; mode 0o666 less the
        # umask, as any file the user creates (mkstemp's 0o600 would surprise them).
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    except OSError as error:
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from None
    try:
        with os.fdopen(fd, "wb") as out:
            WRITERS[fmt](book, out, progress, is_cancelled)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, target)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise ExportError(f"cannot write {target}: {error.strerror or error}") from None
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
    return target


def export_to_stream(
    book: Book, fmt: str, out: IO[bytes], *, progress: Progress | None = None
) -> None:
    """Write the book to a stream (standard output), all at once when it is complete."""
    import io

    buffer = io.BytesIO()  # a failure halfway must not leave half a document on the stream
    WRITERS[fmt](book, buffer, progress)
    out.write(buffer.getvalue())
    out.flush()
