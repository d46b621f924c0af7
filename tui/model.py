"""The Post record shared by every layer: metadata only, never the body (100,000 bodies do not fit in memory)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from types import MappingProxyType
from typing import cast
from urllib.parse import urlsplit

from tui.chinese import fold

_NO_EXTRA: Mapping[str, str] = MappingProxyType({})
_ZONES: dict[tuple[object, str | None], timezone] = {}  # one object per fixed offset (see zone)
_EPOCH = datetime(1970, 1, 1)  # naive: local times near year 1 and 9999 are reached from it
_EXACT = 2.0**32  # seconds from the epoch within which a float keeps microseconds exactly
UNDATED = float("-inf")  # an undated post's timestamp: it sorts last, newest first


class Post:
    """One post file's metadata. All text fields are already sanitised (see tui.text.clean).

    A plain class with __slots__, not a dataclass, because a million of them are held at once:
    the date is kept as its timestamp (a float, which sorting and filtering want anyway) and a
    time zone shared by every post with that offset, not as a datetime with a zone of its own
    (~150 bytes a post); no dict for the other front-matter keys when there are none; not the
    file's size and mtime, which the index cache keeps in its rows and the parser hands it beside
    the post (tui.files.parse.ParsedPost): 80 bytes a post, and two stores fewer per post in a
    warm start. Posts compare equal when every field is equal, as the dataclass did.

    A post with other front-matter keys or recovery notes (few) is a NotedPost, which has slots
    for them; every other post reads the class's empty defaults: two slots fewer make a post 16
    bytes smaller (16 MB at a million).
    """

    __slots__ = (
        "id",
        "path",
        "title",
        "folded",
        "ts",
        "_when",
        "author",
        "url",
        "tags",
        "categories",
    )

    id: str  # its story's key (tui.stories.story_key): the normalised url, else the path
    path: str  # POSIX path relative to the archive root
    title: str
    # tui.chinese.fold(title), what searches compare: the same object as title when folding
    # changes nothing; computed where posts are parsed (the pool), so a load never folds
    folded: str
    ts: float  # the date's timestamp (seconds since the epoch); UNDATED when there is none
    # None (undated), the shared zone of a date in whole seconds, or else the datetime itself
    _when: timezone | datetime | None
    author: str
    url: str
    tags: tuple[str, ...]
    categories: tuple[str, ...]
    _extra: Mapping[str, str] | None = None  # see NotedPost
    problems: tuple[str, ...] = ()  # short notes on what had to be recovered

    def __new__(cls, *args: object, **kwargs: object) -> Post:
        """A NotedPost when it has extra keys or problems (args as __init__'s; none when
        unpickling, which asks for its class itself)."""
        if cls is Post and (kwargs.get("extra") or kwargs.get("problems") or any(args[8:10])):
            cls = NotedPost
        return object.__new__(cls)

    def __init__(
        self,
        id: str,
        path: str,
        title: str,
        date: datetime | None,  # timezone-aware
        author: str = "",
        url: str = "",
        tags: tuple[str, ...] = (),
        categories: tuple[str, ...] = (),
        extra: Mapping[str, str] | None = None,  # other front-matter keys, as display text
        problems: tuple[str, ...] = (),
    ) -> None:
        self.id = id
        self.path = path
        self.title = title
        folded = fold(title)
        self.folded = title if folded == title else folded
        self.date = date
        self.author = author
        self.url = url
        self.tags = tags
        self.categories = categories
        if extra or problems:
            _note(self, extra, problems)

    @property
    def date(self) -> datetime | None:
        """The post's date, timezone-aware, as it was given (equal, with the same offset)."""
        when = self._when
        if when is None or isinstance(when, datetime):
            return when
        try:
            return datetime.fromtimestamp(self.ts, when)
        except (OverflowError, ValueError, OSError):  # in year 1 or 9999, UTC is out of range
            local = timedelta(seconds=self.ts) + when.utcoffset(None)  # never UTC on the way
            return (_EPOCH + local).replace(tzinfo=when)

    @date.setter
    def date(self, value: datetime | None) -> None:
        if value is None:
            self.ts, self._when = UNDATED, None
            return
        self.ts = ts = value.timestamp()
        zone = value.tzinfo
        # A fixed offset comes back exactly from (ts, zone): whole seconds always, microseconds
        # between 1834 and 2106 (a float's step there is under half a microsecond). Anything else
        # (another kind of zone, microseconds further away) is kept whole.
        if type(zone) is timezone and (not value.microsecond or -_EXACT < ts < _EXACT):
            self._when = shared_zone(zone)
        else:
            self._when = value

    def stored_date(self) -> tuple[float, int] | str | None:
        """The date as the index cache stores it: (timestamp, offset in seconds) when stored_post()
        can rebuild it exactly, else its ISO text; None when undated."""
        when = self._when
        if when is None:
            return None
        if isinstance(when, datetime):
            return when.isoformat()
        offset = when.utcoffset(None)
        if offset.microseconds or shared_zone(timezone(offset)) is not when:
            # A named zone: its ISO text keeps only the offset, as the cache always did.
            date = self.date
            assert date is not None
            return date.isoformat()
        return (self.ts, offset.days * 86400 + offset.seconds)

    @property
    def timestamp(self) -> float:
        """Seconds since the epoch, for sorting; undated posts sort last (UNDATED)."""
        return self.ts

    @property
    def extra(self) -> Mapping[str, str]:
        """Other front-matter keys, as display text (read-only)."""
        return self._extra or _NO_EXTRA

    @property
    def source(self) -> str:
        """The host of the post's url, without a leading www. ("zaobao.com"), else the author."""
        host = url_host(self.url)
        return host or self.author

    def _fields(self) -> tuple[object, ...]:
        return (
            self.id,
            self.path,
            self.title,
            self.date,
            self.author,
            self.url,
            self.tags,
            self.categories,
            dict(self.extra),
            self.problems,
        )

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Post):
            return NotImplemented
        return self._fields() == other._fields()

    __hash__ = None  # type: ignore[assignment]  # mutable and compared by value, as before

    def __repr__(self) -> str:
        names = ("id", "path", "title", "date", "author", "url", "tags", "categories", "extra")
        values = zip((*names, "problems"), self._fields(), strict=True)
        return "Post(" + ", ".join(f"{name}={value!r}" for name, value in values) + ")"


class NotedPost(Post):
    """A post with other front-matter keys or recovery notes (see Post)."""

    __slots__ = ("_extra", "problems")


def _note(post: Post, extra: Mapping[str, str] | None, problems: tuple[str, ...]) -> None:
    noted = cast(NotedPost, post)  # made one by Post.__new__ or stored_post
    noted._extra = extra or None
    noted.problems = problems


def stored_post(
    id: str,
    path: str,
    title: str,
    folded: str,
    ts: float,
    zone: timezone | None,
    author: str,
    url: str,
    tags: tuple[str, ...],
    categories: tuple[str, ...],
    extra: Mapping[str, str] | None,
    problems: tuple[str, ...],
    new: Callable[[type[Post]], Post] = object.__new__,
) -> Post:
    """A post as the index cache keeps it, its date as (ts, zone): no datetime is made, which is
    most of the time a warm start of a million posts takes. A plain function for map() over
    columns of fields (tui.index.snapshot); zone None: undated (ts UNDATED). One statement per
    field and no method call: a third quicker than assigning tuples in a classmethod."""
    post = new(NotedPost if extra or problems else Post)
    post.id = id
    post.path = path
    post.title = title
    post.folded = folded
    post.ts = ts
    post._when = zone
    post.author = author
    post.url = url
    post.tags = tags
    post.categories = categories
    if extra or problems:
        _note(post, extra, problems)
    return post


def shared_zone(zone: timezone) -> timezone:
    """One timezone object for every post with this offset (and name): a cache load would
    otherwise make one per post."""
    key = (zone.utcoffset(None), zone.tzname(None))
    found = _ZONES.get(key)
    if found is None:
        found = _ZONES.setdefault(key, zone)
    return found


def url_host(url: str) -> str:
    if not url:
        return ""
    try:
        host = urlsplit(url if "//" in url else "//" + url).hostname or ""
    except ValueError:
        return ""
    return host.removeprefix("www.")
