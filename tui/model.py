"""The Post record shared by every layer: metadata only, never the body (100,000 bodies do not fit in memory)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit


@dataclass(slots=True)
class Post:
    """One post file's metadata. All text fields are already sanitised (see tui.text.clean)."""

    id: str  # its story's key (tui.stories.story_key): the normalised url, else the path
    path: str  # POSIX path relative to the archive root
    title: str
    date: datetime | None  # timezone-aware
    author: str = ""
    url: str = ""
    tags: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)  # other front-matter keys, as display text
    problems: tuple[str, ...] = ()  # short notes on what had to be recovered
    size: int = 0
    mtime_ns: int = 0

    @property
    def source(self) -> str:
        """The host of the post's url, without a leading www. ("zaobao.com"), else the author."""
        host = url_host(self.url)
        return host or self.author

    @property
    def timestamp(self) -> float:
        """Seconds since the epoch, for sorting; undated posts sort last."""
        return self.date.timestamp() if self.date else float("-inf")


def url_host(url: str) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
