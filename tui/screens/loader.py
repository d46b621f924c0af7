"""Loading an archive for the main screen: the index, the scan, live reload and the body index.

A widget with nothing to show (toolong's pattern): its workers report to it with Messages, and
what the screen shows (the posts, what is being done, the body index's progress) goes up to it."""

from __future__ import annotations

import sqlite3
import threading
from dataclasses import dataclass, field
from time import monotonic

from textual import on
from textual.message import Message
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, WorkerState, get_current_worker

from tui import collector, ending
from tui.config import Config
from tui.index.life import BodyIndexLife
from tui.model import Post
from tui.query import QueryEngine
from tui.repository import Repository, merge
from tui.stories import Stories, group
from tui.watch import FolderChanges, FolderWatcher
from tui.widgets.workers import in_background

FIRST_ROWS = 200  # shown straight from the index before the full list is loaded
PUBLISH_EVERY = 0.5  # seconds between table updates while indexing (at least)
# ...and a table update while indexing only once the posts waiting for it are this share of
# those shown: each update merges, groups and prepares an engine over every post shown (~5 s at
# a million, on the cores the parsers need), so their cost adds up to about 1 / PUBLISH_GROWTH
# times the last one's rather than growing with the square of the count (a cold index of a
# million posts in the app took 225 s, the same index without the app 99 s). At 0.5 the updates
# of a cold index of a million posts (14) held its thread 29 s of its 168 (traced at load 5-7).
PUBLISH_GROWTH = 1.0
# Seconds after live reload changed the posts before their snapshot is written for the next start
# (at a million posts a second of work in the background, so not at every change).
SNAPSHOT_AFTER = 20.0
# At most this long, the whole list waits for the first rows to be on screen (see _load).
FIRST_PAINT_WAIT = 1.0


# ---------------------------------------------------------------- for the screen


@dataclass
class PostsLoaded(Message):
    """A new list of posts, newest first, and the query engine over it.
    version: the repository's, so that an older list arriving late is dropped. partial: more
    posts are still coming (the first rows, or a batch of an index still being built), about
    `expected` files in all when that is known: the filter answers over what is listed so far
    and says so."""

    posts: list[Post]  # one per story: its newest copy (stories.rows)
    engine: QueryEngine | None
    version: int | None = None
    stories: Stories = field(default_factory=lambda: group([]))  # the files behind posts
    partial: bool = False
    expected: int | None = None  # files, when partial and known


@dataclass
class EngineReady(Message):
    """The query engine of a list already shown can now search words (QueryEngine.prepare)."""

    engine: QueryEngine


@dataclass
class Activity(Message):
    """What the loader is doing, for the status line ("" when done)."""

    text: str


@dataclass
class BodyIndexChanged(Message):
    """The body index advanced, finished or failed: the screen's `body_index` says how it stands."""

    finished: bool = False


def stories_loaded(
    stories: Stories,
    version: int | None = None,
    *,
    partial: bool = False,
    expected: int | None = None,
) -> PostsLoaded:
    """The message for a list of stories, with its query engine, not yet prepared: send it with
    ArchiveLoader.send_list, which prepares the engine once the list is on its way to the screen."""
    engine = QueryEngine(stories.rows, copies=stories.copies, shared=stories.shared, lazy=True)
    return PostsLoaded(list(stories.rows), engine, version, stories, partial, expected)


# ---------------------------------------------------------------- from the workers to the loader


@dataclass
class _Scanned(Message, bubble=False):
    problems: list[str] = field(default_factory=list)


@dataclass
class _Reloaded(Message, bubble=False):
    summary: str  # "2 new, 1 changed"


@dataclass
class _FolderChanged(Message, bubble=False):
    """Posted from the watcher's thread (post_message is thread-safe and never blocks it)."""

    changes: FolderChanges


@dataclass
class _BodyProgress(Message, bubble=False):
    fraction: float  # of every post

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, _BodyProgress)


@dataclass
class _BodiesIndexed(Message, bubble=False):
    notice: str | None = None  # what the body index had to do (rebuilt when damaged)


@dataclass
class _BodyIndexFailed(Message, bubble=False):
    error: str


class ArchiveLoader(Widget):
    """Lists the archive from its index, brings the index up to date, watches the folder, and
    keeps the body index in step, in the background."""

    DEFAULT_CSS = "ArchiveLoader { display: none; }"

    def __init__(self, repo: Repository, config: Config) -> None:
        super().__init__()
        self.repo = repo
        self.config = config
        self.body_index: BodyIndexLife = repo.body_index
        self.watcher: FolderWatcher | None = None
        self._watch_lock = threading.Lock()  # a rescan's worker may start while one still runs
        self._snapshot_timer: Timer | None = None
        self._shown = threading.Event()  # the screen has drawn the last list sent (list_shown)

    def load(self) -> None:
        in_background(
            self,
            self._load,
            exclusive=True,
            group="index",
            description="loading the archive",
        )

    def _load(self) -> None:
        worker = get_current_worker()
        post = self.post_message
        newest = self.repo.load_newest(FIRST_ROWS)
        # Whether the index holds the whole folder, or only what an interrupted cold index got
        # to (newstui quit or killed during it), and then how many files its walk had found.
        whole, files = self.repo.cache.walk()
        if newest:
            # Filterable at once (an engine over 200 posts costs nothing); the rest is coming.
            partial = len(newest) == FIRST_ROWS or not whole
            expected = files if partial else None
            self.send_list(stories_loaded(group(newest), partial=partial, expected=expected))
            # Reading the whole list takes this thread ~0.4 s at 100,000 posts: started at once,
            # it shares the interpreter with the UI thread drawing the first rows and makes
            # them ~0.1 s later (warm start at 100,000 posts: 0.64 s, 30,000: 0.54 s). (When
            # they are the whole list, reading it again costs nothing: no wait.)
            if partial:
                self._shown.wait(FIRST_PAINT_WAIT)
        # The posts, their stories and their engine's columns live as long as the app: built
        # with the collector paused, then frozen out of its reach. A full collection walks every
        # list it holds element by element: at a million posts the posts took 0.3-0.6 s of each,
        # the lists of the stories with copies 0.1-0.5 s, the columns and the list shown as much
        # again, every few seconds while typing.
        with collector.collector_paused():
            posts = self.repo.load()
            if posts:
                # What an interrupted index listed is not the whole list: the refresh goes on.
                self.publish(partial=not whole, expected=None if whole else files, after_paint=True)
        if posts:
            collector.freeze_loaded()
        # Watch before the scan, so nothing written while it runs is missed. (The watches are set
        # up in a process of their own, tui.watch: seconds at a million files, off this one.)
        self._start_watching()
        shown = posts
        waiting: list[Post] = []  # parsed since the last update of the table
        next_publish = monotonic() + PUBLISH_EVERY
        to_parse: int | None = None  # files this refresh parses in all, once progress says

        parsed = 0  # files this refresh has parsed so far
        walked: int | None = None  # to_parse as the batch before saw it

        def on_batch(batch: list[Post]) -> None:
            nonlocal shown, next_publish, parsed, walked
            waiting.extend(batch)
            parsed += len(batch)
            # The posts stay for good: out of the collector's reach, its full collections (each
            # time the heap grew by a quarter) do not walk every post so far again, holding the
            # keys 30-130 ms at 100,000 posts and seconds at a million.
            collector.keep_for_good()
            # The last batches are not shown on their own: the whole list follows at once
            # (publish()), and an update over nearly every post just before it is a second engine
            # over every post (7 s at a million, traced: the pool was done, the update held up
            # the last writes). Near the end: the files left to parse are under a quarter of the
            # posts listed, and the walk found none since the batch before.
            listed = len(shown) + len(waiting)
            near_end = (
                to_parse is not None and to_parse == walked and 4 * (to_parse - parsed) < listed
            )
            walked = to_parse
            due = (
                monotonic() >= next_publish
                and len(waiting) >= PUBLISH_GROWTH * len(shown)
                and not near_end
            )
            if due or len(shown) + len(waiting) <= FIRST_ROWS:
                started = monotonic()
                # Merged here, not at every batch: a merge walks every post shown so far, and
                # 100,000 posts come in over a hundred batches but a few dozen updates.
                shown = merge(shown, waiting)
                waiting.clear()
                # Roughly: those listed before this refresh and every file it parses.
                expected = None if to_parse is None else max(len(posts) + to_parse, len(shown))
                self.send_list(stories_loaded(group(shown), partial=True, expected=expected))
                # Building the engine holds up the indexing: keep it to a fifth of the time, so
                # 100,000 posts are not slowed by a hundred rebuilds.
                spent = monotonic() - started
                next_publish = monotonic() + max(PUBLISH_EVERY, 4 * spent)

        def progress(done: int, total: int) -> None:
            nonlocal to_parse
            to_parse = total
            post(Activity(f"indexing {done:,} of {total:,} files"))

        result = self.repo.refresh(
            on_batch=on_batch,
            progress=progress,
            is_cancelled=lambda: worker.is_cancelled or ending.underway(),
        )
        if worker.is_cancelled:
            return
        # Also when nothing was ever listed: the screen learns that an empty folder is all there is.
        # The index is done: the status line says so as the whole list goes up, not once its
        # engine is ready too (~2 s later at a million posts; the filter searches the list
        # before it meanwhile).
        done = Activity("")
        if not result.empty or self.repo.posts is not posts or not whole or not posts:
            self.publish(then=done)
        else:
            post(done)
        post(_Scanned(list(result.problems)))
        # For the next start, when the index changed since the last snapshot (a cold index, or
        # files changed while newstui was closed): in chunks, while keys are answered.
        self.repo.save_snapshot(is_cancelled=lambda: worker.is_cancelled or ending.underway())

    def list_shown(self) -> None:
        """From the screen, once a list it was sent is on screen: the whole list may load, its
        engine may be prepared."""
        self._shown.set()

    def publish(
        self,
        *,
        partial: bool = False,
        expected: int | None = None,
        then: Message | None = None,
        after_paint: bool = False,
    ) -> None:
        """From a worker thread: show the repository's current posts (the engine is built here,
        off the UI); partial: more are coming, about `expected` files in all; then, after_paint:
        see send_list."""
        version = self.repo.version
        self.send_list(
            stories_loaded(self.repo.stories(), version, partial=partial, expected=expected),
            then=then,
            after_paint=after_paint,
        )

    def send_list(
        self, loaded: PostsLoaded, *, then: Message | None = None, after_paint: bool = False
    ) -> None:
        """From a worker thread: send a list to the screen (and then `then`, if given), then
        prepare its engine (a million posts' columns take about two seconds: the list shows
        first, and until the engine is ready the filter searches the list before it).
        after_paint: prepare it once the screen has drawn the list (at most FIRST_PAINT_WAIT
        later), not meanwhile: the UI thread shares the interpreter with this one, and the whole
        list of a warm start was drawn at half speed."""
        self._shown.clear()
        self.post_message(loaded)
        if then is not None:
            self.post_message(then)
        if loaded.engine is not None:
            if after_paint:
                self._shown.wait(FIRST_PAINT_WAIT)
            loaded.engine.prepare()
            self.post_message(EngineReady(loaded.engine))

    @on(_Scanned)
    def _scanned(self, event: _Scanned) -> None:
        self.post_message(Activity(""))
        if self.config.index_bodies or self.repo.has_fulltext():
            self.start_fulltext()  # the body index follows the posts, in the background
        if event.problems:
            self.notify(
                f"{len(event.problems)} problems while scanning: {event.problems[0]}",
                severity="warning",
                markup=False,
            )

    # ---------------------------------------------------------------- live reload

    def _start_watching(self) -> None:
        with self._watch_lock:
            if self.watcher is None:
                self.watcher = FolderWatcher(self.repo.root, self._post_folder_changes)
                self.watcher.start()

    def _post_folder_changes(self, changes: FolderChanges) -> None:
        """Called from the watcher's thread."""
        self.post_message(_FolderChanged(changes))

    @on(_FolderChanged)
    def _folder_changed(self, event: _FolderChanged) -> None:
        changes = event.changes
        if changes.rescan:
            error = self.watcher.error if self.watcher else None
            if error:
                self.notify(f"Live reload: {error} (R rescans)", severity="warning", markup=False)
            self.load()
        elif changes.paths or changes.folders:
            paths, folders = set(changes.paths), set(changes.folders)
            in_background(
                self,
                lambda: self._reload_paths(paths, folders),
                group="reload",
                description="reading changed posts",
            )

    def _reload_paths(self, paths: set[str], folders: set[str]) -> None:
        if folders:
            paths.update(self.repo.paths_in(folders))
        result = self.repo.update_paths(paths)
        if result.empty:
            return
        self.publish()
        parts = [
            f"{count:,} {what}"
            for count, what in (
                (len(result.added), "new"),
                (len(result.changed), "changed"),
                (len(result.removed), "removed"),
            )
            if count
        ]
        self.post_message(_Reloaded(", ".join(parts)))

    @on(_Reloaded)
    def _reloaded(self, event: _Reloaded) -> None:
        if self.body_index.ready:
            self.start_fulltext()
        self.notify(f"Posts: {event.summary}", timeout=4, markup=False)
        if self._snapshot_timer is None:  # at most one snapshot per SNAPSHOT_AFTER while posts come
            self._snapshot_timer = self.set_timer(SNAPSHOT_AFTER, self._save_snapshot)

    def _save_snapshot(self) -> None:
        """The snapshot of the posts after live reload changed them, so that the next start
        reads it rather than the index row by row (a stale one is never read)."""
        self._snapshot_timer = None

        def save() -> None:
            worker = get_current_worker()
            self.repo.save_snapshot(is_cancelled=lambda: worker.is_cancelled or ending.underway())

        in_background(
            self, save, exclusive=True, group="snapshot", description="keeping a snapshot"
        )

    def on_unmount(self) -> None:
        if self.watcher is not None:
            self.watcher.stop(wait=not ending.underway())

    # ---------------------------------------------------------------- body index

    def start_fulltext(self) -> None:
        """Bring the body index up to date with the posts, in the background (at once if it is)."""
        if self.body_index.begin():
            # Exclusive: a catch-up still running is replaced by this one.
            in_background(
                self,
                self._update_fulltext,
                exclusive=True,
                group="fulltext",
                description="indexing bodies",
            )

    def _update_fulltext(self) -> None:
        worker = get_current_worker()
        post = self.post_message

        def progress(done: int, total: int) -> None:
            # Of all posts, not of this run's: a run resumed after a quit starts where it was.
            post(_BodyProgress(self.repo.fulltext.ready_fraction()))

        try:
            self.repo.update_fulltext(
                progress=progress,
                is_cancelled=lambda: worker.is_cancelled or ending.underway(),
                background=True,
            )
        except (sqlite3.Error, OSError) as error:
            # A full disk, say: the posts stay usable and body: searches titles; the next
            # refresh tries again.
            post(_BodyIndexFailed(str(error)))
            return
        if not worker.is_cancelled:
            post(_BodiesIndexed(self.repo.fulltext.take_notice()))

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        # An unexpected error in the body index's worker (the App reports it): it is no longer
        # running, so the next refresh may try again.
        if event.state == WorkerState.ERROR and event.worker.group == "fulltext":
            self.body_index.failed(str(event.worker.error))
            self.post_message(BodyIndexChanged())

    @on(_BodyProgress)
    def _body_progress(self, event: _BodyProgress) -> None:
        self.body_index.advance(event.fraction)
        self.post_message(BodyIndexChanged())

    @on(_BodyIndexFailed)
    def _body_index_failed(self, event: _BodyIndexFailed) -> None:
        self.body_index.failed(event.error)
        meanwhile = "may miss new posts" if self.body_index.ready else "searches titles"
        self.notify(
            f"Body index not updated ({event.error}); body: {meanwhile} until it is.",
            severity="warning",
            markup=False,
        )
        self.post_message(BodyIndexChanged())

    @on(_BodiesIndexed)
    def _bodies_indexed(self, event: _BodiesIndexed) -> None:
        if event.notice:
            self.notify(event.notice, severity="warning", timeout=10, markup=False)
        self.body_index.finished()
        self.post_message(BodyIndexChanged(finished=True))

    def prepare_body_search(self, engine: QueryEngine) -> None:
        """Match the body index's rows to the posts shown before a body: query needs it."""

        def prepare() -> None:
            if self.body_index.ready:
                self.repo.fulltext.prepare(engine.by_path)

        in_background(
            self,
            prepare,
            exclusive=True,
            group="body-table",
            description="preparing body search",
        )
