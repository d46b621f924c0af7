"""The user's config file (TOML in the XDG config folder): defaults, loading, and a commented template."""

from __future__ import annotations

import json
import os
import re
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

# Index post bodies for body: searches in the background, after the posts are listed (about 1.5
# times the size of the posts, in ~/.cache/newstui). When false, the body index is built the first
# time a body: query is typed.
# index_bodies = true

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


class ConfigError(ValueError):
    """A config file problem, worded for the user: file, line and what is wrong."""


@dataclass(slots=True)
class Config:
    posts: str = ""
    theme: str = ""
    date_format: str = "%Y-%m-%d %H:%M"
    timezone: str = ""
    mark_read_on_open: bool = True
    index_bodies: bool = True
    columns: list[str] = field(default_factory=lambda: ["marks", "date", "source", "title", "tags"])
    column_widths: dict[str, int] = field(default_factory=dict)
    browser: str = ""
    pipes: dict[str, str] = field(default_factory=dict)
    searches: dict[str, str] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)
    path: Path | None = None
    problem: str | None = None  # set when the file was bad and defaults are in use

    @property
    def posts_path(self) -> Path | None:
        return Path(self.posts).expanduser() if self.posts else None


_COLUMNS = {"marks", "date", "source", "author", "title", "tags", "path"}


def load(path: Path | None = None) -> Config:
    """Read the config; on any problem return the defaults with `problem` saying what went wrong."""
    path = path or locations.config_file()
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as error:
        return Config(path=path, problem=f"{path}: cannot read ({error.strerror}); using defaults")
    try:
        return parse(raw.decode("utf-8", errors="replace"), path)
    except ConfigError as error:
        return Config(path=path, problem=f"{error}; using defaults")


def parse(text: str, path: Path) -> Config:
    import tomllib  # here: without a config file, `newstui list` need not load it (~15 ms)

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    config = Config(path=path)
    for key, value in data.items():
        if not hasattr(config, key) or key in ("path", "problem"):
            raise ConfigError(f"{path}:{_line_of(text, key)}: unknown key '{key}'")
        expected = type(getattr(config, key))
        if not isinstance(value, expected):
            raise ConfigError(
                f"{path}:{_line_of(text, key)}: '{key}' should be {expected.__name__}, "
                f"not {type(value).__name__}"
            )
        if isinstance(value, dict) and not all(isinstance(v, (str, int)) for v in value.values()):
            raise ConfigError(f"{path}:{_line_of(text, key)}: values in [{key}] must be strings")
        setattr(config, key, value)
    unknown = [c for c in config.columns if c not in _COLUMNS]
    if unknown or not config.columns:
        raise ConfigError(
            f"{path}:{_line_of(text, 'columns')}: unknown column {unknown[0] if unknown else '(none)'!r}"
            f" (known: {', '.join(sorted(_COLUMNS))})"
        )
    return config


def _line_of(text: str, key: str) -> int:
    """The line where a key or [table] is set, for messages; 1 if it cannot be found."""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith((f"{key} ", f"{key}=", f"[{key}]")):
            return number
    return 1


def write_template(path: Path | None = None) -> Path:
    """Write the commented default config, never over an existing file."""
    path = path or locations.config_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "x", encoding="utf-8") as handle:
        handle.write(TEMPLATE)
    return path


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def save_search(name: str, query: str, path: Path | None = None) -> Path:
    """Add or replace `name = "query"` under [searches], keeping the rest of the file as written.

    The file is replaced atomically (a temporary file renamed over it), so a crash cannot leave
    half a config behind.
    """
    if not _BARE_KEY.fullmatch(name):
        raise ConfigError("a saved search name may use letters, digits, - and _ only")
    path = path or locations.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"{name} = {json.dumps(query, ensure_ascii=False)}"
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
            (i for i in range(start + 1, end) if re.match(rf"\s*{re.escape(name)}\s*=", lines[i])),
            None,
        )
        if existing is None:
            lines.insert(start + 1, line)
        else:
            lines[existing] = line
    new_text = "\n".join(lines) + "\n"
    parse(new_text, path)  # never write a file we could not read back
    path.parent.mkdir(parents=True, exist_ok=True)
    import tempfile

    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, delete=False
    ) as handle:
        handle.write(new_text)
    os.replace(handle.name, path)
    return path
