"""Read one post file into a Post and its body, recovering from what real archives hold.

Front matter goes through python-frontmatter; broken YAML, legacy encodings, NUL bytes and binary
junk are recovered from here, so that every file becomes a Post and nothing raises.
"""

from __future__ import annotations

import codecs
import html
import os
import re
import stat
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import yaml
from frontmatter.default_handlers import YAMLHandler

from tui.files.scan import mtime_ns as file_mtime_ns
from tui.model import Post
from tui.stories import story_key
from tui.text import clean, clean_line

# The metadata of a post is near its top: one page is read first, and nearly always holds it; on
# a disk the page cache has dropped, a million of them read in half the time of whole files
# (~120 us per file rather than ~240 here). More is read only if the front matter runs on (all
# of it), or if the title has to come from a heading (up to HEAD_BYTES).
FIRST_READ = 4096
HEAD_BYTES = 64 * 1024
# Longest text kept for one field; front matter is untrusted and 100,000 posts stay in memory.
MAX_FIELD = 1000
MAX_TERMS = 100  # tags or categories kept per post
# Real front matter is a few hundred bytes; PyYAML needs seconds for a megabyte of it.
MAX_YAML = 128 * 1024

_YAML = YAMLHandler()  # python-frontmatter's YAML handler
# The base loader leaves every scalar as its text: a title of `no`, `010` or `12:30` stays what the
# author wrote instead of YAML 1.1's False, 8 or 750, and it is the fastest of PyYAML's loaders.
# Dates are then parsed here, by the same code as dates in front matter that YAML refused.
_YAML_LOADER: Any = getattr(yaml, "CBaseLoader", yaml.BaseLoader)
_NULLS = frozenset({"~", "null", "Null", "NULL"})
_POST_SUFFIXES = (".markdown", ".html", ".md")
_KNOWN_KEYS = frozenset({"title", "date", "author", "tags", "categories", "layout"})

_OPEN_RE = re.compile(r"(?:[ \t]*\r?\n)*---[ \t]*(?:\r?\n|\Z)")
_CLOSE_RE = re.compile(r"^(?:---|\.\.\.)[ \t]*\r?$", re.MULTILINE)
_CLOSE_BYTES_RE = re.compile(rb"\n(?:---|\.\.\.)[ \t]*\r?(?:\n|\Z)")
_LEADING_SPACE_BYTES_RE = re.compile(rb"[ \t\r\n]*")
_NAME_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:[-_ ]+|\Z)")
_EPOCH_RE = re.compile(r"\s*<!--\s*(\d{10,13})\s*-->")
_BINARYISH_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufffd]")
# Very common characters of written Chinese, simplified and traditional, for telling GB18030 from Big5.
_COMMON_CJK = "的一是不了人在有我他中大上以到和地出也子你生要就自年可下而之方心多天能好都然日"
_COMMON_CJK += "這個們來為國說時會對過後發經这个们来为国说时会对过后发经"
_SURROGATE_RE = re.compile("[\ud800-\udfff]")
# a zone after the time: " +0800", "+08:00", " -5", " UTC"
_TZ_SUFFIX_RE = re.compile(
    r"(?:\s*([+-])(\d{2}):?(\d{2})|\s+([+-])(\d{1,2})|\s*(?:UTC|GMT|Z))$", re.IGNORECASE
)

# Headings, for posts without a title.
_ATX_RE = re.compile(r" {0,3}#{1,6}(?:[ \t]|$)")
_SETEXT_RE = re.compile(r" {0,3}(?:=+|-+)[ \t]*$")
_FENCE_RE = re.compile(r" {0,3}(?:```|~~~)")
_LIST_ITEM_RE = re.compile(r" {0,3}(?:[-*+]|\d+[.)])(?:[ \t]|$)")
_HTAG_RE = re.compile(r"<(/?)h([1-3])(?:\s[^>]{0,500})?>", re.IGNORECASE)
_TAG_RE = re.compile(r"<[^<>]{0,1000}>")
_WHOLE_LINK_RE = re.compile(r"!?\[(.*)\]\(\S*\)")
_LINK_RE = re.compile(r"!?\[([^\[\]]*)\]\([^()\s]*\)")
_EMPHASIS_RE = re.compile(r"\*\*|__|\*|`")
_ESCAPE_RE = re.compile(r'\\(["\\/])')
# The fast path for simple front matter (see _simple_yaml). Anything YAML reads differently is
# refused: tabs, CR, NEL and other line breaks, the BOM, characters YAML does not print.
_NOT_SIMPLE_RE = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
# `key: value` at the margin; the value's trailing spaces are not part of it. YAML refuses a key
# of more than 1024 characters, so long ones go to it.
_SIMPLE_LINE_RE = re.compile(r"([A-Za-z_][A-Za-z0-9_-]{0,99}):(?: +(.*?))? *")
# A plain scalar: no indicator first, no ": " or " #" inside, no ":" last.
_SIMPLE_PLAIN_RE = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@`](?:(?!: | #)[^\n])*(?<!:)")
# A flow-list item: no flow indicators, quotes or comment/mapping marks at all.
_SIMPLE_ITEM_RE = re.compile(r"[^-?:,\[\]{}#&*!|>'\"%@` ][^:,\[\]{}#'\"]*")
_SIMPLE_QUOTED_RE = re.compile(r'"[^"\\]*"|\'[^\']*\'')

_DATE_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y年%m月%d日",
    "%d %B %Y",
    "%d %b %Y",
    "%B %d, %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%b %d %Y",
)


@dataclass(slots=True)
class ParsedPost:
    post: Post
    body: str  # the body as in the file after decoding and cleaning ("" when with_body=False)
    cut_at: int = 0  # when the body was cut (see parse_file's max_bytes): the bytes read
    # The file's stat as it was read (0 when unknown): the index cache keeps it in its rows, a
    # Post does not (at a million posts two int objects each were 76 MiB).
    size: int = 0
    mtime_ns: int = 0


def parse_file(
    root: Path | str, rel: str, *, with_body: bool = True, max_bytes: int = -1
) -> ParsedPost:
    """Read and parse root/rel; never raises. with_body=False reads only what the metadata needs;
    max_bytes (when not -1) caps what is read of a huge file: its body is then cut there and
    cut_at says so. A 200 MB post would otherwise take gigabytes once decoded and converted."""
    size = mtime_ns = cut_at = 0
    try:
        path = os.path.join(os.fspath(root), rel)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
        fd = os.open(path, flags)  # non-blocking: a FIFO named .md must not hang the indexer
        try:
            st = os.fstat(fd)
            size, mtime_ns = st.st_size, file_mtime_ns(st)
            if not stat.S_ISREG(st.st_mode):
                return _with_stat(_unreadable(rel, "not a regular file"), size, mtime_ns)
            if with_body:
                raw, partial = _read(fd, max_bytes, size), False
                if 0 <= max_bytes <= len(raw) < size:
                    raw = _whole_characters(raw)
                    cut_at = len(raw)
            else:
                raw = _read(fd, FIRST_READ, size)
                partial = len(raw) == FIRST_READ and size > FIRST_READ
                if partial and _front_matter_runs_on(raw):
                    raw += _read(fd, -1)
                    partial = False
            # Parsed while the file is open: a title in a heading further down is read on for.
            more = _reader_on(fd, raw, size) if partial else None
            parsed = _parse_safely(raw, rel, partial=partial, with_body=with_body, more=more)
        finally:
            os.close(fd)
    except OSError as error:
        return _with_stat(_unreadable(rel, error.strerror or type(error).__name__), size, mtime_ns)
    except Exception as error:  # "never raises" is the contract
        return _with_stat(_unreadable(rel, type(error).__name__), size, mtime_ns)
    if with_body and cut_at:
        parsed.cut_at = cut_at
    return _with_stat(parsed, size, mtime_ns)


def parse_bytes(raw: bytes, rel: str, *, size: int = 0, mtime_ns: int = 0) -> ParsedPost:
    """Parse a whole file's bytes (body included); pure, never raises."""
    return _with_stat(_parse_safely(raw, rel, partial=False, with_body=True), size, mtime_ns)


def _with_stat(parsed: ParsedPost, size: int, mtime_ns: int) -> ParsedPost:
    parsed.size, parsed.mtime_ns = size, mtime_ns
    return parsed


# -- reading ---------------------------------------------------------------------------------------


def _read(fd: int, limit: int, size: int = -1) -> bytes:
    """Read up to limit bytes (all when limit < 0), looping over short reads.

    With the file's size known, one read usually does: the read that would find the end is
    skipped. Each system call lets the app's UI thread take the interpreter for up to 5 ms, so
    the first rows of a cold start wait on every call saved here.
    """
    chunks = []
    total = 0
    while limit < 0 or total < limit:
        want = 1 << 20 if limit < 0 else limit - total
        chunk = os.read(fd, want)
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
        if 0 < size <= total:
            break  # the end as fstat saw it; a file still growing is read again when it changes
    return b"".join(chunks)


def _whole_characters(raw: bytes) -> bytes:
    """raw without a UTF-8 character cut in half at its end: one broken character would make the
    whole file fail as UTF-8 and be decoded as something else."""
    start = len(raw) - 1
    while start >= max(0, len(raw) - 4) and raw[start] & 0xC0 == 0x80:
        start -= 1  # continuation bytes
    if start >= 0 and raw[start] >= 0xC0:
        needed = 2 if raw[start] < 0xE0 else 3 if raw[start] < 0xF0 else 4
        if len(raw) - start < needed:
            return raw[:start]
    return raw


def _front_matter_runs_on(head: bytes) -> bool:
    """True if the head opens front matter that it does not close (so more must be read)."""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True  # cannot look at UTF-16 bytes cheaply; such files are rare, read them whole
    head = head.removeprefix(codecs.BOM_UTF8).lstrip(b" \t\r\n")
    return head.startswith(b"---") and _CLOSE_BYTES_RE.search(head, 3) is None


def _unreadable(rel: str, reason: str) -> ParsedPost:
    return _name_only(rel, f"unreadable: {reason}")


def _name_only(rel: str, problem: str) -> ParsedPost:
    """A post known only by its file name (unreadable, or binary junk)."""
    problems = [problem]
    when = _date_from_name(rel)
    if when is None:
        problems.append("no date")
    post = Post(
        id=rel,
        path=rel,
        title=_title_from_name(rel),
        date=when,
        problems=tuple(problems),
    )
    return ParsedPost(post, "")


# -- parsing ---------------------------------------------------------------------------------------


# More of a file being read: (all the bytes read so far, whether that is still not the whole file).
_More = Callable[[], tuple[bytes, bool]]


def _reader_on(fd: int, head: bytes, size: int) -> _More:
    """What reads the rest of the first HEAD_BYTES of an open file, after its head."""

    def more() -> tuple[bytes, bool]:
        try:
            raw = head + _read(fd, HEAD_BYTES - len(head), size - len(head))
        except OSError:
            return head, True
        return raw, len(raw) == HEAD_BYTES and size > HEAD_BYTES

    return more


def _parse_safely(
    raw: bytes, rel: str, *, partial: bool, with_body: bool, more: _More | None = None
) -> ParsedPost:
    try:
        return _parse(raw, rel, partial=partial, with_body=with_body, more=more)
    except Exception as error:  # a bug here must cost one post its metadata, no more
        return _unreadable(rel, f"parser error ({type(error).__name__})")


def _parse(
    raw: bytes, rel: str, *, partial: bool, with_body: bool, more: _More | None = None
) -> ParsedPost:
    if not with_body:
        # Metadata only: decode just the front matter and the start of the body, unless the title
        # has to come from a heading further down (read more of the file for it, if there is more).
        cut = _metadata_window(raw)
        if cut < len(raw) or more is not None:
            parsed = _parse_text(raw[:cut], rel, partial=True, window=True)
            if parsed is not None:
                return parsed
            if more is not None:
                raw, partial = more()
    parsed = _parse_text(raw, rel, partial=partial, window=False, body=with_body)
    assert parsed is not None
    return parsed


def _metadata_window(raw: bytes) -> int:
    """How many leading bytes hold the metadata: the front matter and a little after it."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return len(raw)
    start = _LEADING_SPACE_BYTES_RE.match(raw, 3 if raw.startswith(codecs.BOM_UTF8) else 0)
    at = start.end() if start else 0
    if not raw.startswith(b"---", at):
        return 4096
    closed = _CLOSE_BYTES_RE.search(raw, at + 3)
    return len(raw) if closed is None else max(closed.end() + 256, 4096)


def _parse_text(
    raw: bytes,
    rel: str,
    *,
    partial: bool,
    window: bool,
    body: bool = False,
) -> ParsedPost | None:
    """Parse decoded bytes; with window=True, None when the title must come from the body."""
    problems: list[str] = []
    if not raw:
        problems.append("empty file")
    text, suspect = _decode(raw, partial, problems)
    if "\x00" in text:
        text = text.replace("\x00", "")
        problems.append("NUL bytes removed")
        suspect = True
    if suspect and _looks_binary(text):
        return _name_only(rel, "binary file")

    meta, body_start = _front_matter(text, problems)
    built = _build_post(meta, text, body_start, rel, problems, headings=not window)
    if built is None:
        return None
    return ParsedPost(built, clean(text[body_start:]) if body else "")


def _decode(raw: bytes, partial: bool, problems: list[str]) -> tuple[str, bool]:
    """Decode by BOM, then UTF-8, GB18030, Big5, else UTF-8 with replacement.

    Returns the text and whether it could be binary (anything but clean UTF-8). A partial read may
    end inside a character: the incremental decoders leave that tail out instead of failing.
    """
    if raw.startswith(codecs.BOM_UTF8):
        text = _try_decode(raw[3:], "utf-8", partial)
        if text is not None:
            return text, False
        problems.append("invalid UTF-8 replaced")
        return _decode_with(raw[3:], "utf-8", partial, "replace"), True
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _try_decode(raw, "utf-16", partial)
        if text is not None:
            return text, False
        problems.append("invalid UTF-16 replaced")
        return _decode_with(raw, "utf-16", partial, "replace"), True
    text = _try_decode(raw, "utf-8", partial)
    if text is not None:
        return text.removeprefix("\ufeff"), False
    gb = _try_decode(raw, "gb18030", partial)
    big5 = _try_decode(raw, "big5", partial)
    # Every valid Big5 byte string is also valid GB18030 (as nonsense), so "the first that decodes"
    # alone would never pick Big5: when both decode, keep the one that reads as common Chinese.
    if gb is not None and (big5 is None or _common_cjk(gb) >= _common_cjk(big5)):
        problems.append("decoded as gb18030")
        return gb, True
    if big5 is not None:
        problems.append("decoded as big5")
        return big5, True
    problems.append("not valid text in any known encoding; bad bytes replaced")
    return _decode_with(raw, "utf-8", partial, "replace"), True


def _common_cjk(text: str) -> int:
    sample = text[:4096]
    return sum(sample.count(char) for char in _COMMON_CJK)


def _try_decode(raw: bytes, encoding: str, partial: bool) -> str | None:
    try:
        return _decode_with(raw, encoding, partial, "strict")
    except UnicodeDecodeError:
        return None


def _decode_with(raw: bytes, encoding: str, partial: bool, errors: str) -> str:
    if partial:
        return codecs.getincrementaldecoder(encoding)(errors).decode(raw, final=False)
    return raw.decode(encoding, errors)


def _looks_binary(text: str) -> bool:
    """Binary if the start is mostly control characters or undecodable bytes, or if nothing but
    NULs was there (text has had its NULs removed)."""
    if not text:
        return True
    sample = text[:4096]
    return len(_BINARYISH_RE.findall(sample)) * 10 > len(sample)


def _front_matter(text: str, problems: list[str]) -> tuple[dict[str, Any], int]:
    """Split off and load the front matter; return its keys and where the body starts."""
    opened = _OPEN_RE.match(text)
    if opened is None:
        return {}, 0
    start = opened.end()
    closed = _CLOSE_RE.search(text, start)
    if closed is not None:
        fm = text[start : closed.start()]
        body_start = closed.end()
        if text.startswith("\n", body_start):
            body_start += 1
        return _load_yaml(fm, problems), body_start

    # No closing line: take the leading lines that look like front matter, leave the rest as body.
    end = start
    for line in text[start:].splitlines(keepends=True):
        stripped = line.strip()
        if stripped and not (
            line[0] in " \t#"
            or stripped.startswith("- ")
            or stripped == "-"
            or _key_split(stripped)
        ):
            break
        end += len(line)
    meta = _recover(text[start:end])
    problems.append(f"front matter not closed; recovered {_count(len(meta), 'key')}")
    return meta, end


def _load_yaml(fm: str, problems: list[str]) -> dict[str, Any]:
    if len(fm) > MAX_YAML:
        meta = _recover(fm)
        problems.append(f"front matter too long for YAML; recovered {_count(len(meta), 'key')}")
        return meta
    data: Any = _simple_yaml(fm)
    if data is None:
        try:
            data = _YAML.load(fm, Loader=_YAML_LOADER)
        except Exception:  # yaml raises many kinds
            data = fm  # not None and not a dict: recover below
    if data is None:
        return {}  # empty, or only comments
    if isinstance(data, dict):
        return data
    meta = _recover(fm)
    problems.append(f"front matter YAML did not parse; recovered {_count(len(meta), 'key')}")
    return meta


def _simple_yaml(fm: str) -> dict[str, str | list[str]] | None:
    """Front matter of plain `key: value` lines, read by hand as the base loader reads it; None for
    anything less obvious (block scalars, anchors, nesting, escapes, continuations), left to YAML.

    YAML costs about half of indexing a post, and nearly every real post needs none of it.
    """
    if "\r" in fm:
        if fm.count("\r") != fm.count("\r\n"):
            return None
        fm = fm.replace("\r\n", "\n")
    if _NOT_SIMPLE_RE.search(fm):
        return None
    meta: dict[str, str | list[str]] = {}
    for line in fm.split("\n"):
        if not line:
            continue
        match = _SIMPLE_LINE_RE.fullmatch(line)
        if match is None:
            return None
        value = _simple_value(match[2] or "")
        if value is None:
            return None
        meta[match[1]] = value
    return meta or None


def _simple_value(text: str) -> str | list[str] | None:
    """One value as the base loader gives it, or None if it is not obviously simple."""
    if not text:
        return ""
    first = text[0]
    if first == "[":
        if text[-1] != "]":
            return None
        inner = text[1:-1]
        if not inner.strip(" "):
            return []
        parts = [part.strip(" ") for part in inner.split(",")]
        if len(parts) > 1 and not parts[-1]:
            parts.pop()  # [a, b, ] is [a, b]
        items = []
        for part in parts:
            if _SIMPLE_ITEM_RE.fullmatch(part):
                items.append(part)
            elif _SIMPLE_QUOTED_RE.fullmatch(part):
                items.append(part[1:-1])
            else:
                return None
        return items
    if first in "\"'":
        return text[1:-1] if _SIMPLE_QUOTED_RE.fullmatch(text) else None
    return text if _SIMPLE_PLAIN_RE.fullmatch(text) else None


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _key_split(line: str) -> tuple[str, str] | None:
    """Split `key: value` at the first colon followed by a space or the end of the line."""
    at = line.find(":")
    while at != -1:
        if at + 1 == len(line) or line[at + 1] in " \t":
            key = line[:at].strip()
            if len(key) >= 2 and key[0] == key[-1] and key[0] in "'\"":
                key = key[1:-1].strip()
            if key and key[0] not in "-[{#&*!|>%@`" and len(key) <= 100:
                return key, line[at + 1 :].strip()
            return None
        at = line.find(":", at + 1)
    return None


def _recover(fm: str) -> dict[str, Any]:
    """Read front matter that YAML refused, line by line: `key: value`, quoted values,
    `[a, b]` lists, `- item` lists; indented or unrecognised lines continue the last value."""
    meta: dict[str, Any] = {}
    key: str | None = None
    for line in fm.splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped == "-" or stripped.startswith("- "):
            if key is not None:
                value = meta[key]
                item = _unquote(stripped[1:].strip())
                if isinstance(value, list):
                    if len(value) < MAX_TERMS * 10:
                        value.append(item)
                elif value == "":
                    meta[key] = [item]
            continue
        split = _key_split(stripped) if line[0] not in " \t" or key is None else None
        if split is not None:
            key, value_text = split
            if value_text in ("|", ">", "|-", ">-", "|+", ">+"):
                value_text = ""
            meta[key] = _parse_value(value_text)
        elif key is not None and isinstance(meta[key], str) and len(meta[key]) < MAX_FIELD:
            meta[key] = f"{meta[key]} {_unquote(stripped)}".strip()
    return meta


def _parse_value(text: str) -> Any:
    if len(text) >= 2 and text[0] == "[" and text[-1] == "]":
        return [_unquote(part.strip()) for part in text[1:-1].split(",") if part.strip()]
    return _unquote(text)


def _unquote(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return _ESCAPE_RE.sub(r"\1", text[1:-1])  # other backslashes stay, as the author meant
    if len(text) >= 2 and text[0] == text[-1] == "'":
        return text[1:-1].replace("''", "'")
    return text


# -- building the Post -----------------------------------------------------------------------------


def _build_post(
    meta: dict[str, Any],
    text: str,
    body_start: int,
    rel: str,
    problems: list[str],
    *,
    headings: bool = True,
) -> Post | None:
    """The Post for these front-matter keys; None if it needs a heading and headings=False."""
    keys: dict[str, Any] = {}  # lower-cased name -> original key, first one wins
    for name in meta:
        keys.setdefault(str(name).strip().lower(), name)

    def get(name: str) -> Any:
        original = keys.get(name)
        if original is None:
            return None
        value = meta[original]
        return None if value.__class__ is str and value in _NULLS else value

    used = set(_KNOWN_KEYS)

    url = ""
    for name in ("from", "link", "url"):
        value = get(name)
        if value is not None and value != "":
            url = _line(_display(value[0] if isinstance(value, list) and value else value))
            if url:
                used.add(name)
                break

    title = _line(_display(get("title")), unescape=True)
    if not title:
        if not headings:
            return None
        title = _title_from_heading(text[body_start : body_start + HEAD_BYTES])
        if title:
            problems.append("title taken from heading")
        else:
            title = _title_from_name(rel)
            problems.append("title taken from file name")

    when: datetime | None = None
    value = get("date")
    if value is not None and value != "":
        when = _to_datetime(value)
        if when is None:
            shown = _line(_display(value))[:60].rstrip()
            problems.append(f"invalid date: {shown}" if shown else "invalid date")
    if when is None:
        when = _date_from_name(rel)
        if when is not None:
            problems.append("date taken from file name")
        else:
            when = _date_from_comment(text, body_start)
            if when is not None:
                problems.append("date taken from <!--timestamp--> comment")
            else:
                problems.append("no date")

    tags = _terms(get("tags"))
    if not tags and get("tag") is not None:
        tags = _terms(get("tag"))
        used.add("tag")
    categories = _terms(get("categories"))
    if not categories and get("category") is not None:
        categories = _terms(get("category"))
        used.add("category")

    extra: dict[str, str] = {}
    for lowered, original in keys.items():
        if lowered in used:
            continue
        name = _line(lowered if original is None else str(original))[:100]
        if name:
            extra[name] = _line(_display(meta[original]))

    return Post(
        id=story_key(url, rel),
        path=rel,
        title=title,
        date=when,
        author=_line(_display(get("author")), unescape=True),
        url=url,
        tags=tags,
        categories=categories,
        extra=extra,
        problems=tuple(problems),
    )


def _line(text: str, *, unescape: bool = False) -> str:
    """One safe display line: no controls or lone surrogates, entities decoded if asked, capped."""
    if unescape and "&" in text:
        text = html.unescape(text)
    text = clean_line(text)
    if len(text) > MAX_FIELD:
        text = text[: MAX_FIELD - 1].rstrip() + "…"
    if text.isascii():
        return text
    return _SURROGATE_RE.sub(
        "\ufffd", text
    )  # lone surrogates (YAML "\ud800", odd file names) cannot be printed


def _display(value: Any, depth: int = 0) -> str:
    """Front-matter value as display text; bounded, as YAML aliases can nest a value exponentially."""
    if value is None:
        return ""
    if isinstance(value, str):
        return "" if value in _NULLS else value[: MAX_FIELD * 4]
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, bytes | bytearray):
        return f"({len(value)} bytes)"
    if isinstance(value, list | tuple | set | frozenset | dict):
        if depth >= 4:
            return "…"
        items = value.items() if isinstance(value, dict) else value
        parts: list[str] = []
        total = 0
        for item in items:
            if isinstance(item, tuple) and isinstance(value, dict):
                part = f"{_display(item[0], depth + 1)}: {_display(item[1], depth + 1)}"
            else:
                part = _display(item, depth + 1)
            parts.append(part)
            total += len(part) + 2
            if total > MAX_FIELD:
                parts.append("…")
                break
        return ", ".join(parts)
    return str(value)[: MAX_FIELD * 4]


def _terms(value: Any) -> tuple[str, ...]:
    """Tags or categories: a list, or one string (split on commas when it has them)."""
    if value is None:
        return ()
    if isinstance(value, str):
        items: list[Any] = re.split(r"[,，]", value) if ("," in value or "，" in value) else [value]
    elif isinstance(value, list | tuple | set | frozenset):
        items = list(value)
    else:
        items = [value]
    seen: dict[str, None] = {}
    for item in items:
        term = _line(_display(item))[:200]
        if term and term not in seen:
            seen[term] = None
            if len(seen) >= MAX_TERMS:
                break
    return tuple(seen)


# -- dates -----------------------------------------------------------------------------------------


def _to_datetime(value: Any) -> datetime | None:
    """A timezone-aware datetime from a front-matter value, or None if it is not a valid date."""
    try:
        if isinstance(value, datetime):
            result = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        elif isinstance(value, date):
            result = datetime(value.year, value.month, value.day, tzinfo=UTC)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            result = _from_epoch(value)
        elif isinstance(value, str):
            parsed = _parse_date_text(value)
            if parsed is None:
                return None
            result = parsed
        else:
            return None
        if result.utcoffset() is None:
            result = result.replace(tzinfo=UTC)
        result.astimezone(UTC)  # raises OverflowError for dates at the very ends of the range
        return result
    except (ValueError, OverflowError, OSError, TypeError):
        return None


def _from_epoch(number: float) -> datetime:
    # 13-digit numbers are milliseconds (as in the <!--1624569300000--> comments), else seconds
    seconds = number / 1000 if abs(number) >= 100_000_000_000 else number
    return datetime.fromtimestamp(seconds, UTC)


def _parse_date_text(text: str) -> datetime | None:
    text = _unquote(text.strip()).strip()
    if not text or len(text) > 64:
        return None
    if text.isdigit() and 10 <= len(text) <= 13:
        return _from_epoch(int(text))
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    # "2021-06-24 10:00:00 +0800" (Jekyll's own format), "... UTC"
    offset: timezone | None = None
    zone = _TZ_SUFFIX_RE.search(text)
    if zone is not None and zone.start() > 0:
        sign, hours, mins = (zone[1], zone[2], zone[3]) if zone[1] else (zone[4], zone[5], "0")
        if sign:
            minutes = int(hours) * 60 + int(mins)
            offset = timezone(timedelta(minutes=-minutes if sign == "-" else minutes))
        else:
            offset = UTC
        bare = text[: zone.start()].strip()
        try:
            return datetime.fromisoformat(bare).replace(tzinfo=offset)
        except ValueError:
            pass
    else:
        bare = text
    for form in _DATE_FORMATS:
        try:
            return datetime.strptime(bare, form).replace(tzinfo=offset or UTC)
        except ValueError:
            continue
    try:
        return parsedate_to_datetime(text)  # "Thu, 24 Jun 2021 10:00:00 +0000"
    except (TypeError, ValueError, IndexError):
        return None


def _date_from_name(rel: str) -> datetime | None:
    match = _NAME_DATE_RE.match(_stem(rel))
    if match is None:
        return None
    try:
        return datetime(int(match[1]), int(match[2]), int(match[3]), tzinfo=UTC)
    except ValueError:
        return None


def _date_from_comment(text: str, body_start: int) -> datetime | None:
    match = _EPOCH_RE.match(text, body_start, body_start + 200)
    if match is None:
        return None
    try:
        return _from_epoch(int(match[1]))
    except (ValueError, OverflowError, OSError):
        return None


# -- titles ----------------------------------------------------------------------------------------


def _stem(rel: str) -> str:
    name = rel.rsplit("/", 1)[-1]
    lowered = name.lower()
    for suffix in _POST_SUFFIXES:
        if lowered.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    base, dot, _ = name.rpartition(".")
    return base if dot and base else name


def _title_from_name(rel: str) -> str:
    """The file name without its extension and without a leading YYYY-MM-DD- prefix."""
    stem = _stem(rel)
    match = _NAME_DATE_RE.match(stem)
    candidates = (stem[match.end() :] if match else stem, stem, rel.rsplit("/", 1)[-1])
    for candidate in candidates:
        title = _line(candidate)
        if title:
            return title
    return "untitled"


def _title_from_heading(body: str) -> str:
    """The text of the first heading: `# x`, setext, <h1>-<h3>, or the seed's `[title](url)` + `------`."""
    md_title, md_at = _markdown_heading(body)
    tries = 0
    for match in _HTAG_RE.finditer(body, 0, md_at):
        if match[1]:
            continue
        tries += 1
        if tries > 50:  # a page of unclosed <h1>s is junk, not worth a quadratic search
            break
        close = re.compile(rf"</h{match[2]}\s*>", re.IGNORECASE).search(
            body, match.end(), match.end() + 5000
        )
        if close is None:
            continue
        title = _inline_text(body[match.end() : close.start()])
        if title:
            return title
    return md_title


def _markdown_heading(body: str) -> tuple[str, int]:
    """The first Markdown heading's text and offset, or ("", len(body))."""
    offset = 0
    previous = ""
    previous_at = 0
    in_fence = False
    for line in body.split("\n"):
        line_at = offset
        offset += len(line) + 1
        line = line.rstrip("\r")
        if _FENCE_RE.match(line):
            in_fence = not in_fence
            previous = ""
            continue
        if in_fence:
            continue
        if line.lstrip().startswith("#"):
            atx = _ATX_RE.match(line)
            if atx is not None:
                text = line[atx.end() : atx.end() + 2000].strip()
                unclosed = text.rstrip(
                    "#"
                )  # "## Title ##": the closing run needs a space before it
                if unclosed != text and (not unclosed or unclosed[-1] in " \t"):
                    text = unclosed
                title = _inline_text(text)
                if title:
                    return title, line_at
                previous = ""
                continue
        if previous and _SETEXT_RE.match(line) and line.strip():
            if not (line.strip()[0] == "-" and _LIST_ITEM_RE.match(previous)):
                title = _inline_text(previous)
                if title:
                    return title, previous_at
        if line.strip():
            previous, previous_at = line, line_at
        else:
            previous = ""
    return "", len(body)


def _inline_text(text: str) -> str:
    """Heading markup to plain text: tags, links, images and emphasis marks removed."""
    # Tags first, then a cap: the link patterns below backtrack, so they get a bounded input.
    text = _TAG_RE.sub(" ", text).strip()[:2000]
    whole = _WHOLE_LINK_RE.fullmatch(text)
    if whole is not None:
        text = whole[1]
    text = _LINK_RE.sub(r"\1", text)
    text = _EMPHASIS_RE.sub("", text)
    return _line(text, unescape=True)
