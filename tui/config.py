"""The user's config file (TOML in the XDG config folder): defaults, loading, and a commented template."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tui import locations

TEMPLATE = """\
# newstui configuration. Every key is optional; delete what you do not need.

# The folder a bare `newstui` opens.
# posts = "~/posts"

# Any Textual theme: textual-dark, textual-light, nord, gruvbox, dracula, monokai, ...
# theme = "textual-dark"

# strftime format for the date column, and the time zone dates are shown in
# (an IANA name such as "Asia/Shanghai"; empty means the machine's local zone).
# date_format = "%Y-%m-%d %H:%M"
# timezone = ""

# Opening a post in the reader marks it read.
# mark_read_on_open = true

# Post files and folders reached through a symbolic link that leads out of the posts folder are
# skipped (and counted in the scan's problems) unless this is true.
# follow_symlinks = false

# Index post bodies for body: searches in the background, after the posts are listed (about 1.5
# times the size of the posts, in ~/.cache/newstui). When false, the body index is built the first
# time a body: query is typed.
# index_bodies = true

# The order of the post table: date (newest first), title, source or author; "-title" reverses
# it ("-date": oldest first). Titles sort by code point after folding case and Chinese script.
# sort = "date"

# Show titles, the reader and the preview in one Chinese script: "s2t" (Traditional), "t2s"
# (Simplified) or "off". The files are never changed; a key in the reader toggles it per post.
# chinese = "off"

# Columns of the post table, in order: marks, date, source, author, title, tags, path.
# columns = ["marks", "date", "source", "title", "tags"]
# Fixed widths for columns, in terminal cells (the title takes what is left).
# [column_widths]
# source = 14

# The command `o` runs to open a post's url ({url} is replaced; without it the url is appended).
# When empty, newstui uses the system browser, or copies the url when there is no display.
# browser = "firefox {url}"

# Named shell commands offered by `|` (the post's Markdown goes to their standard input).
# [pipes]
# wc = "wc -m"

# Saved searches: shown in the sidebar with unread counts, and usable as @name in a query.
# [searches]
# hk = "香港 after:1w"
# starred = "is:starred"

# Remap any action by its id (see `?` in the app for ids and current keys).
# [keys]
# star = "f"
"""


DEFAULT_DATE_FORMAT = "%Y-%m-%d %H:%M"
DEFAULT_COLUMNS = ("marks", "date", "source", "title", "tags")


class ConfigError(ValueError):
    """A config file problem, worded for the user: file, line and what is wrong."""


@dataclass(slots=True)
class Config:
    posts: str = ""
    theme: str = ""
    date_format: str = DEFAULT_DATE_FORMAT
    timezone: str = ""
    mark_read_on_open: bool = True
    index_bodies: bool = True
    follow_symlinks: bool = False
    sort: str = "date"
    chinese: str = "off"
    columns: list[str] = field(default_factory=lambda: list(DEFAULT_COLUMNS))
    column_widths: dict[str, int] = field(default_factory=dict)
    browser: str = ""
    pipes: dict[str, str] = field(default_factory=dict)
    searches: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    # One line per bad value (file:line: key: what is wrong; what is used instead). Only that
    # value falls back to its default: the rest of the file is used.
    problems: list[str] = field(default_factory=list)

    @property
    def problem(self) -> str | None:
        """Every problem, one per line, for a notice; None when there is none."""
        return "\n".join(self.problems) if self.problems else None

    @property
    def posts_path(self) -> Path | None:
        return Path(self.posts).expanduser() if self.posts else None


COLUMNS = ("marks", "date", "source", "author", "title", "tags", "path")
_COLUMNS = set(COLUMNS)
MAX_COLUMN_WIDTH = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
# A key as Textual names it (j, ctrl+d, question_mark, f5), or several separated by commas.
_KEY_NAME = re.compile(r"[A-Za-z0-9_+\-]+")


def load(path: Path | None = None) -> Config:
    """Read the config; each problem is recorded in `problems` and only its value falls back."""
    path = path or locations.config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as error:
        return Config(
            path=path, problems=[f"{_shown(path)}: cannot read ({error.strerror}); using defaults"]
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        return Config(
            path=path, problems=[f"{_shown(path)}:{line}: not UTF-8 text; using defaults"]
        )
    try:
        return parse(text, path)
    except ConfigError as error:
        return Config(path=path, problems=[f"{error}; using defaults"])


def parse(text: str, path: Path) -> Config:
    """The config in text. Raises ConfigError only when the file is not TOML at all; a bad value
    is a problem in the result, and its default is used."""
    import tomllib  # here: without a config file, `newstui list` need not load it (~15 ms)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{_shown(path)}: {error}") from None
    config = Config(path=path)
    where = _Where(text, path)
    for key, value in data.items():
        check = _CHECKS.get(key)
        if check is None:
            config.problems.append(where(key, None, f"unknown key {key!r}; ignored"))
            continue
        try:
            setattr(config, key, check(value, where, key, config.problems))
        except _Bad as bad:
            config.problems.append(where(key, None, f"{bad}; using the default"))
    return config


class _Bad(ValueError):
    """What is wrong with one value."""


class _Where:
    """file:line: key: for a message, finding the line of a key or of a key in a [table]."""

    def __init__(self, text: str, path: Path) -> None:
        self.lines = text.splitlines()
        self.path = _shown(path)

    def __call__(self, key: str, item: str | None, message: str) -> str:
        name = key if item is None else f"{key}.{_show_key(item)}"
        return f"{self.path}:{self.line(key, item)}: {name}: {message}"

    def line(self, key: str, item: str | None) -> int:
        names = {key, f'"{key}"'}
        table = None
        for number, line in enumerate(self.lines, start=1):
            stripped = line.strip()
            if stripped.startswith("["):
                table = stripped.strip("[] ")
                if item is None and table == key:
                    return number
                continue
            name = stripped.split("=", 1)[0].strip()
            if item is None and table is None and name in names:
                return number
            if item is not None:
                if table is None and name in {f"{key}.{item}", f'{key}."{item}"'}:
                    return number
                if table == key and name in {item, f'"{item}"', f"'{item}'"}:
                    return number
        return 1


def _show_key(name: str) -> str:
    return name if re.fullmatch(r"[A-Za-z0-9_-]+", name) else json.dumps(name, ensure_ascii=True)


def _shown(path: Path) -> str:
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def _type_name(value: object) -> str:
    names = {bool: "true/false", int: "a number", float: "a number", str: "text"}
    return names.get(type(value), "a table" if isinstance(value, dict) else "a list")


def _expect(value: object, kind: type) -> None:
    # bool is an int to Python, never to a config file: `width = true` is not a width of 1.
    if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
        raise _Bad(f"should be {_type_name(kind())}, not {_type_name(value)} ({value!r})")


def _text(value: object) -> str:
    _expect(value, str)
    assert isinstance(value, str)
    if _CONTROL.search(value):
        raise _Bad("holds control characters")
    return value


def _plain(value: object, where: _Where, key: str, problems: list[str]) -> object:
    return _text(value)


def _flag(value: object, where: _Where, key: str, problems: list[str]) -> bool:
    _expect(value, bool)
    return bool(value)


def _date_format(value: object, where: _Where, key: str, problems: list[str]) -> str:
    text = _text(value)
    from datetime import datetime

    try:
        shown = datetime(2021, 6, 24, 13, 5).strftime(text)
    except ValueError as error:
        raise _Bad(f"not a strftime format ({error})") from None
    if not shown.strip():
        raise _Bad("shows nothing")
    if _CONTROL.search(shown):
        raise _Bad("shows control characters")
    return text


def _timezone(value: object, where: _Where, key: str, problems: list[str]) -> str:
    text = _text(value)
    if text and text != "UTC" and not _zone_file(text).is_file():
        raise _Bad(f"unknown time zone {text!r}; using the system's")
    return text


def _zone_file(name: str) -> Path:
    base = Path("/usr/share/zoneinfo")
    target = (base / name).resolve()
    return target if target.is_relative_to(base.resolve()) else base / "-"


def _columns(value: object, where: _Where, key: str, problems: list[str]) -> list[str]:
    _expect(value, list)
    assert isinstance(value, list)
    columns: list[str] = []
    for item in value:
        if not isinstance(item, str) or item not in _COLUMNS:
            problems.append(
                where(key, None, f"unknown column {item!r} left out (known: {', '.join(COLUMNS)})")
            )
        elif item in columns:
            problems.append(where(key, None, f"column {item!r} twice; shown once"))
        else:
            columns.append(item)
    if not columns:
        raise _Bad("no column left")
    return columns


def _table(
    check: Callable[[str, object], object],
) -> Callable[[object, _Where, str, list[str]], dict]:
    """A [table] whose entries are checked one by one: a bad one is left out, alone."""

    def table(value: object, where: _Where, key: str, problems: list[str]) -> dict:
        _expect(value, dict)
        assert isinstance(value, dict)
        good = {}
        for name, item in value.items():
            try:
                good[name] = check(name, item)
            except _Bad as bad:
                problems.append(where(key, name, f"{bad}; left out"))
        return good

    return table


def _width(name: str, value: object) -> int:
    if name not in _COLUMNS:
        raise _Bad(f"not a column (known: {', '.join(COLUMNS)})")
    _expect(value, int)
    assert isinstance(value, int)
    if not 1 <= value <= MAX_COLUMN_WIDTH:
        raise _Bad(f"{value} is not a width from 1 to {MAX_COLUMN_WIDTH}")
    return value


def _named_text(name: str, value: object) -> str:
    if not name.strip() or _CONTROL.search(name):
        raise _Bad("the name is empty or holds control characters")
    text = _text(value)
    if not text.strip():
        raise _Bad("is empty")
    return text


def _search(name: str, value: object) -> str:
    from tui.query.parser import search_name_problem

    problem = search_name_problem(name)
    if problem:
        raise _Bad(problem)
    text = _named_text(name, value)
    from tui.query import QueryError
    from tui.query import parse as parse_query

    try:
        parse_query(text)
    except QueryError as error:
        raise _Bad(f"bad query: {error.message}") from None
    return text


def _sort(value: object) -> str:
    text = _text(value)
    from tui.query.order import parse_order

    try:
        parse_order(text)
    except ValueError as error:
        raise _Bad(str(error)) from None
    return text


def _chinese(value: object) -> str:
    text = _text(value)
    if text not in ("off", "s2t", "t2s"):
        raise _Bad('takes "s2t", "t2s" or "off"')
    return text


def _keys(name: str, value: object) -> str:
    text = _named_text(name, value)
    keys = [key.strip() for key in text.split(",")]
    if not all(_KEY_NAME.fullmatch(key) for key in keys):
        raise _Bad(f"{text!r} is not a key name such as f, ctrl+d or question_mark")
    return ",".join(keys)


_CHECKS: dict[str, Callable[[object, _Where, str, list[str]], object]] = {
    "posts": _plain,
    "theme": _plain,
    "date_format": _date_format,
    "timezone": _timezone,
    "mark_read_on_open": _flag,
    "index_bodies": _flag,
    "follow_symlinks": _flag,
    "sort": lambda value, where, key, problems: _sort(value),
    "chinese": lambda value, where, key, problems: _chinese(value),
    "columns": _columns,
    "column_widths": _table(_width),
    "browser": _plain,
    "pipes": _table(_named_text),
    "searches": _table(_search),
    "keys": _table(_keys),
}


def write_template(path: Path | None = None, *, force: bool = False) -> tuple[Path, Path | None]:
    """Write the commented default config. Never over an existing file unless force, and then
    the old one is kept beside it as config.toml.bak; returns (written, kept)."""
    path = path or locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    kept = None
    if force and path.exists():
        kept = path.with_name(path.name + ".bak")
        os.replace(path, kept)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(TEMPLATE)
    return path, kept


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _search_ok(text: str, path: Path, name: str) -> bool:
    config = parse(text, path)
    return name in config.searches


def save_search(name: str, query: str, path: Path | None = None) -> Path:
    """Add or replace `name = "query"` under [searches], keeping the rest of the file as written.

    The file is replaced atomically (a temporary file renamed over it), so a crash cannot leave
    half a config behind.
    """
    from tui.query.parser import search_name_problem

    problem = search_name_problem(name)
    if problem:
        raise ConfigError(problem)
    path = path or locations.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    # A TOML bare key when it can be one; else a quoted key (@台灣要聞, @a.b).
    key = name if _BARE_KEY.fullmatch(name) else json.dumps(name, ensure_ascii=False)
    line = f"{key} = {json.dumps(query, ensure_ascii=False)}"
    lines = text.splitlines()
    start = next((i for i, item in enumerate(lines) if item.strip() == "[searches]"), None)
    if start is None:
        lines += ["", "[searches]", line] if lines else ["[searches]", line]
    else:
        end = next(
            (i for i in range(start + 1, len(lines)) if lines[i].lstrip().startswith("[")),
            len(lines),
        )
        existing = next(
            (i for i in range(start + 1, end) if re.match(rf"\s*{re.escape(key)}\s*=", lines[i])),
            None,
        )
        if existing is None:
            lines.insert(start + 1, line)
        else:
            lines[existing] = line
    new_text = "\n".join(lines) + "\n"
    if not _search_ok(new_text, path, name):  # never write a file we could not read back
        raise ConfigError(f"{query!r} cannot be saved as a search")
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False
    ) as handle:
        handle.write(new_text)
    os.replace(handle.name, path)
    return path
