"""The archive as newstui sees it: the posts of one folder (through the index cache), bodies on demand, triage state."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Collection, Iterable
from contextlib import suppress
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING

from tui.index import FullTextIndex, IndexCache, RefreshResult, snapshot
from tui.index.fulltext import default_db_path as fulltext_db_path
from tui.index.life import BodyIndexLife
from tui.model import Post
from tui.state import StateStore
from tui.stories import Stories, group

if TYPE_CHECKING:
    from tui.render import Rendered

QUICK_BODY = 48_000  # characters of a long body rendered first, for the first screen
RENDER_CACHE = 8  # rendered posts kept (a huge one is a few MB of Markdown)
PARTIAL_NOTE = "showing the beginning while the rest is prepared"
# Of a huge file the reader reads only this much: the renderer converts the first 2 MB of a body
# anyway (tui.render's MAX_INPUT_BYTES), and a whole 200 MB post held 850 MB in the app.
READER_BYTES = 4 << 20


def partial(rendered: Rendered) -> bool:
    return PARTIAL_NOTE in rendered.notes


def cut_note(read: int, size: int) -> str:
    return f"the file is {size / 1e6:,.0f} MB: only its first {read / 1e6:,.0f} MB was read"


class ArchiveError(Exception):
    """A folder newstui cannot open, worded as the one line the user sees."""


def check_folder(path: Path) -> Path:
    """The folder as an absolute path, or ArchiveError saying what is wrong with it."""
    path = path.expanduser()
    if not path.exists():
        raise ArchiveError(f"no such folder: {path}")
    if not path.is_dir():
        raise ArchiveError(f"not a folder: {path} (give the folder that holds the posts)")
    if not os.access(path, os.R_OK | os.X_OK):
        raise ArchiveError(f"cannot read folder: {path} (permission denied)")
    return path.resolve()


def newest_first(posts: Iterable[Post]) -> list[Post]:
    # Timsort merges already-sorted runs in linear time, so re-sorting after a batch is cheap.
    # Two stable sorts on plain attributes, not one on (ts, path) tuples: no tuple per post.
    ordered = sorted(posts, key=_PATH, reverse=True)
    ordered.sort(key=_TS, reverse=True)
    return ordered


_PATH = attrgetter("path")
_TS = attrgetter("ts")


def merge(
    posts: list[Post], updated: Iterable[Post] = (), removed: Iterable[str] = ()
) -> list[Post]:
    """A new newest-first list with posts added or replaced (by path) and paths removed."""
    replaced = {post.path: post for post in updated}
    gone = set(removed)
    if not replaced and not gone:
        return posts
    kept = [post for post in posts if post.path not in gone and post.path not in replaced]
    return newest_first(kept + list(replaced.values()))


def apply(posts: list[Post], result: RefreshResult) -> list[Post]:
    """A refresh's additions, changes and removals applied to a newest-first list."""
    if not posts and not result.removed:
        # A cold start: a refresh's posts are one per path already, so no dict by path (a
        # million entries) is needed to tell which replace which.
        return newest_first([*result.changed, *result.added])
    return merge(posts, (*result.changed, *result.added), result.removed)


class Repository:
    """One archive folder: its posts newest first, their bodies, and the triage state store."""

    def __init__(
        self,
        root: Path,
        *,
        cache: IndexCache | None = None,
        state: StateStore | None = None,
        follow_symlinks: bool = False,
    ):
        self.root = check_folder(root)
        self.cache = cache or IndexCache(self.root, follow_symlinks=follow_symlinks)
        self.state = state if state is not None else StateStore()
        self.posts: list[Post] = []  # replaced whole, never mutated in place: other threads read it
        self.version = 0  # goes up with every change to `posts`, so readers can drop stale copies
        # The index cache's version that `posts` are, row for row, when known: the snapshot of
        # posts is written for it (see save_snapshot).
        self.synced: str | None = None
        self._snapshot: str | None = None  # the version of the snapshot on disk, when known whole
        self._lock = threading.Lock()  # a refresh and a live reload may finish at the same time
        self._fulltext: FullTextIndex | None = None
        self._stories = group(self.posts)
        self.body_index = BodyIndexLife()  # how the background build stands (the app's view)
        # The last few documents: the preview and then the reader show the same post.
        self._rendered: dict[tuple, Rendered] = {}

    def stories(self) -> Stories:
        """The current posts as stories (grouped once per version of `posts`; linear)."""
        stories = self._stories
        if stories.files is not self.posts:
            stories = self._stories = group(self.posts)
        return stories

    def load_newest(self, limit: int) -> list[Post]:
        return self.cache.load_newest(limit)

    def load(self) -> list[Post]:
        """Every post in the index, newest first (and their stories, for stories())."""
        stories, synced, read = self.cache.load_stories()
        files = stories.files
        posts = files if isinstance(files, list) else list(files)
        with self._lock:
            self.posts = posts
            self._stories = stories if stories.files is posts else group(posts)
            self.synced = synced
            self._snapshot = synced if read else None
            self.version += 1
        return posts

    def _apply(self, result: RefreshResult) -> None:
        with self._lock:
            if not result.empty:
                self.posts = apply(self.posts, result)
                self.version += 1
            versions = result.versions
            self.synced = versions[1] if versions and versions[0] == self.synced else None

    def save_snapshot(self, *, is_cancelled: Callable[[], bool] | None = None) -> bool:
        """Write the snapshot of the posts and their stories that the next start reads (tui.index.
        snapshot), unless it read or wrote the one of this version, or the posts are not known to be
        the index's (another process wrote to it meanwhile: the next start reads the index, and
        writes it then). Whether it wrote one. In chunks, so the UI thread answers keys meanwhile
        (a million posts take about a second)."""
        with self._lock:
            posts, synced = self.posts, self.synced
        cache = self.cache
        if synced is None or cache.in_memory or not posts:
            return False
        if self._snapshot == synced:
            return False
        stories = self.stories()
        if stories.files is not posts:
            return False  # the posts changed meanwhile: the next refresh writes it
        try:
            done = snapshot.write(cache.snapshot_path, synced, stories, is_cancelled=is_cancelled)
        except OSError:
            return False  # a full disk, say: the next start reads the index as before
        if done:
            self._snapshot = synced
        return done

    def refresh(
        self,
        *,
        on_batch: Callable[[list[Post]], None] | None = None,
        progress: Callable[[int, int], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
    ) -> RefreshResult:
        """Bring the index up to date with the folder and apply the differences to `posts`."""
        result = self.cache.refresh(on_batch=on_batch, progress=progress, is_cancelled=is_cancelled)
        self._apply(result)
        return result

    def paths_in(self, folders: Collection[str]) -> set[str]:
        """The rels of the posts listed in these folders ("" for root; not their subfolders)
        and of every name in them now: what live reload checks again when a folder's entries
        changed unwatched (update_paths skips what is not a post file)."""
        found = {post.path for post in self.posts if post.path.rpartition("/")[0] in folders}
        for folder in folders:
            with suppress(OSError):
                prefix = f"{folder}/" if folder else ""
                found.update(prefix + name for name in os.listdir(self.root / folder))
        return found

    def update_paths(self, rels: Iterable[str]) -> RefreshResult:
        result = self.cache.update_paths(rels)
        self._apply(result)
        return result

    # ---------------------------------------------------------------- full-text search

    @property
    def fulltext(self) -> FullTextIndex:
        """The body index, opened on first use (the app builds it in the background, the CLI when
        a query searches bodies)."""
        if self._fulltext is None:
            self._fulltext = FullTextIndex(self.root)
        return self._fulltext

    def has_fulltext(self) -> bool:
        """Whether a body index was built before (then it is kept up to date in the background)."""
        return self._fulltext is not None or fulltext_db_path(self.root).exists()

    def update_fulltext(
        self,
        *,
        progress: Callable[[int, int], None] | None = None,
        is_cancelled: Callable[[], bool] | None = None,
        background: bool = False,
    ) -> int:
        """Bring the body index in step with the index cache (at once when it already is)."""
        return self.fulltext.update_from(
            self.cache, progress=progress, is_cancelled=is_cancelled, background=background
        )

    def render(self, post: Post, *, quick: bool = False) -> Rendered:
        """The reader's document for a post, read fresh from its file (it may have changed).

        quick=True renders only the beginning of a long body (QUICK_BODY characters), so the
        first screen of a 700 KB post shows at once; `partial(rendered)` tells whether it was cut.
        """
        from tui.files import parse_file
        from tui.render import render_post

        labels = sorted(self.state.get(post.id).labels)
        key = self._render_key(post, labels, quick)
        with self._lock:
            cached = self._rendered.get(key) if key else None
        if cached is not None:
            return cached
        parsed = parse_file(self.root, post.path, max_bytes=READER_BYTES)
        body = parsed.body
        cut = quick and len(body) > QUICK_BODY
        notes = [cut_note(parsed.cut_at, parsed.size)] if parsed.cut_at else []
        body = body[:QUICK_BODY] if cut else body
        rendered = render_post(parsed.post, body, labels=labels, notes=notes)
        if cut:
            rendered.notes.append(PARTIAL_NOTE)
        if key:
            with self._lock:
                self._rendered[key] = rendered
                while len(self._rendered) > RENDER_CACHE:
                    self._rendered.pop(next(iter(self._rendered)))
        return rendered

    def _render_key(self, post: Post, labels: list[str], quick: bool) -> tuple | None:
        """The file as it is now (a stat), its labels and the kind of render; None if unreadable."""
        version = self.file_version(post)
        return None if version is None else (post.path, *version, tuple(labels), quick)

    def file_version(self, post: Post) -> tuple[int, int] | None:
        """(mtime_ns, size) of post's file as it is now (a stat); None if it cannot be read."""
        try:
            stat = (self.root / post.path).stat()
        except OSError:
            return None
        return stat.st_mtime_ns, stat.st_size

    def close(self) -> None:
        if self._fulltext is not None:
            self._fulltext.close()
        self.cache.close()
        self.state.close()
