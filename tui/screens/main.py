"""The main screen: status line, filter bar, the post table and a preview that follows the cursor."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from time import monotonic

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Input
from textual.worker import get_current_worker

from tui import triage
from tui.config import Config, ConfigError, save_search
from tui.index.fulltext import SearchInterrupted
from tui.model import Post
from tui.query import Query, QueryEngine, QueryError, ResultMemo, parse, uses_field
from tui.render.highlight import match_terms
from tui.repository import Repository, merge
from tui.screens.dialogs import PromptScreen
from tui.screens.post_actions import PostActions
from tui.screens.reader import ReaderScreen
from tui.state import StateError
from tui.watch import FolderChanges, FolderWatcher
from tui.widgets.article import ArticleView
from tui.widgets.filter_bar import FilterBar
from tui.widgets.key_bar import KeyBar
from tui.widgets.post_table import DEFAULT_COLUMNS, Column, PostTable, RowFlags
from tui.widgets.saved_searches import BUILT_IN, SavedSearches, SearchCount
from tui.widgets.status import StatusBar
from tui.widgets.timeline import Timeline

FIRST_ROWS = 200  # shown straight from the index before the full list is loaded
PREVIEW_DELAY = 0.12  # seconds the cursor must rest before the preview renders
PUBLISH_EVERY = 0.5  # seconds between table updates while indexing (at least)
# The status line while bodies are indexed: "bodies 40% indexed", after TITLES_ONLY when the
# query uses body: (it searches titles meanwhile).
TITLES_ONLY = "body: titles only, "
TYPING_PAUSE = 0.3  # seconds without a key in the filter before the preview is redrawn
TIMELINE_DELAY = 0.3  # seconds of quiet typing before the sparkline is redrawn

COLUMNS = {column.key: column for column in DEFAULT_COLUMNS} | {
    "author": Column("author", "Author", 12, min_width=6, priority=30),
    "path": Column("path", "Path", 24, min_width=8, priority=10),
}


@dataclass
class FolderChanged(Message):
    """Posted from the watcher's thread (post_message is thread-safe and never blocks it)."""

    changes: FolderChanges


class MainScreen(PostActions):
    BINDINGS = [
        # Help and Quit first: the footer cuts from the right in narrow terminals.
        Binding("question_mark", "app.help", "Help", id="help"),
        Binding("q", "app.quit", "Quit", id="quit"),
        Binding("slash", "focus_filter", "Filter", id="filter"),
        Binding("escape", "clear", "Clear", show=False, id="clear"),
        Binding("r", "toggle_read", "Read", id="read"),
        Binding("s", "toggle_star", "Star", id="star"),
        Binding("e", "toggle_archive", "Archive", id="archive"),
        Binding("l", "labels", "Labels", id="labels"),
        Binding("x", "select", "Select", id="select"),
        Binding("asterisk", "select_all", "Select all", show=False, id="select_all"),
        Binding("A", "mark_all_read", "All read", show=False, id="mark_all_read"),
        Binding("u", "undo", "Undo", id="undo"),
        Binding("n", "next_unread", "Next unread", show=False, id="next_unread"),
        Binding("N", "previous_unread", "Previous unread", show=False, id="previous_unread"),
        *PostActions.POST_BINDINGS,
        Binding("R", "rescan", "Rescan", show=False, id="rescan"),
        Binding("B", "toggle_searches", "Searches", show=False, id="searches"),
        Binding("S", "save_search", "Save search", show=False, id="save_search"),
        Binding("v", "toggle_layout", "Layout", show=False, id="layout"),
        Binding("z", "toggle_zoom", "Zoom", show=False, id="zoom"),
    ]

    def __init__(self, repo: Repository, config: Config) -> None:
        super().__init__()
        self.repo = repo
        self.config = config
        self.posts: list[Post] = []  # every post, newest first
        self.engine: QueryEngine | None = None
        self.query_text = ""
        self.selected: set[str] = set()  # paths of selected posts
        self._preview_timer: Timer | None = None
        self._matches: Sequence[Post] = []  # what the filter found, newest first
        self._results = ResultMemo()  # recent filters' matches: typing narrows, backspace recalls
        self._timeline_timer: Timer | None = None
        self._shown_version = -1  # the repository version on screen; older publishes are dropped
        self.watcher: FolderWatcher | None = None
        self.fulltext_ready = False  # the body index is up to date with the posts
        self._count_timer: Timer | None = None
        self.match_terms: list[str] = []  # what the filter matched, highlighted in the reader
        self._fulltext_running = False
        self._fulltext_error = ""  # why the last update of the body index failed, until one works
        self._body_progress = "0%"  # of the body index, while it is built
        self._searching_bodies = False  # a filter_bodies worker is running (see apply_filter)

    # ---------------------------------------------------------------- layout

    @property
    def current_post(self) -> Post | None:
        return self.table.current_post

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield StatusBar(id="status")
            yield Timeline(id="timeline")
        yield FilterBar(
            placeholder='/ to filter: words, "phrase", title: author: tag: source: is:unread after:3d …',
            id="filter",
        )
        with Container(id="panes", classes="side"):
            yield SavedSearches(id="searches")
            columns = [COLUMNS[key] for key in self.config.columns if key in COLUMNS]
            columns = [
                Column(
                    c.key,
                    c.label,
                    self.config.column_widths.get(c.key, c.width),
                    c.min_width,
                    c.priority,
                )
                for c in columns
            ]
            yield PostTable(
                id="posts",
                columns=columns,
                flags=self.flags_for,
                date_format=self.config.date_format,
            )
            yield ArticleView(id="preview")
        yield KeyBar()

    @property
    def table(self) -> PostTable:
        return self.query_one(PostTable)

    @property
    def preview(self) -> ArticleView:
        return self.query_one("#preview", ArticleView)

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    def on_resize(self) -> None:
        # Below 100 columns the preview goes under the table, whatever the layout.
        self.set_class(self.size.width < 100, "-narrow")

    def on_mount(self) -> None:
        self.on_resize()  # the narrow layout from the first frame, not after it
        self.status.archive = str(self.repo.root)
        self.query_one(FilterBar).leave_to = self.table
        self.table.focus()
        for notice in (self.repo.state.notice, self.repo.cache.notice, self.config.problem):
            if notice:
                self.notify(notice, severity="warning", timeout=10, markup=False)
        self.load_archive()
        self.set_interval(2.0, self.poll_state)

    # ---------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, group="index", description="loading the archive")
    def load_archive(self) -> None:
        worker = get_current_worker()
        call = self.app.call_from_thread
        newest = self.repo.load_newest(FIRST_ROWS)
        if newest:
            call(self.show_posts, newest, None)
        posts = self.repo.load()
        if posts:
            self.publish()
        # Watch before the scan, so nothing written while it runs is missed; but not before the
        # first rows are painted: setting up thousands of folder watches takes ~0.2 s.
        call(self.start_watching)
        shown = posts
        next_publish = monotonic() + PUBLISH_EVERY

        def on_batch(batch: list[Post]) -> None:
            nonlocal shown, next_publish
            shown = merge(shown, batch)
            if monotonic() >= next_publish or len(shown) <= FIRST_ROWS:
                started = monotonic()
                call(self.show_posts, shown, QueryEngine(shown))
                # Showing holds up the indexing (engine, filter, table): keep it to a fifth of
                # the time, so 100,000 posts are not slowed by a hundred rebuilds.
                spent = monotonic() - started
                next_publish = monotonic() + max(PUBLISH_EVERY, 4 * spent)

        def progress(done: int, total: int) -> None:
            call(self.set_activity, f"indexing {done:,} of {total:,} files")

        result = self.repo.refresh(
            on_batch=on_batch, progress=progress, is_cancelled=lambda: worker.is_cancelled
        )
        if worker.is_cancelled:
            return
        if not result.empty or self.repo.posts is not posts:
            self.publish()
        call(self.set_activity, "")
        if self.config.index_bodies or self.repo.has_fulltext():
            call(self.start_fulltext)  # the body index follows the posts, in the background
        if result.problems:
            call(
                self.notify,
                f"{len(result.problems)} problems while scanning: {result.problems[0]}",
                severity="warning",
                markup=False,
            )

    def publish(self) -> None:
        """From a worker thread: show the repository's current posts (the engine is built here, off the UI)."""
        posts, version = self.repo.posts, self.repo.version
        self.app.call_from_thread(self.show_posts, posts, QueryEngine(posts), version)

    def show_posts(
        self, posts: list[Post], engine: QueryEngine | None, version: int | None = None
    ) -> None:
        if version is not None:
            if version < self._shown_version:
                return  # a slower worker finished after a newer list was shown
            self._shown_version = version
        self.posts = posts
        self.engine = engine
        if engine is not None:
            # The posts and their engine live as long as the app: out of the collector's reach,
            # they spare each full collection a walk over them (~80 ms at 10,000 posts).
            gc.freeze()
        self.apply_filter()
        self.recount_searches()
        if engine is not None and self.fulltext_ready:
            self.prepare_body_search()
        post = self.table.current_post
        if post is not None and self.preview.shown_key not in (None, self._preview_key(post)):
            self.update_preview()  # the post under the cursor changed on disk

    # ---------------------------------------------------------------- live reload

    def start_watching(self) -> None:
        if self.watcher is None:
            self.watcher = FolderWatcher(self.repo.root, self._post_folder_changes)
            self.watcher.start()

    def _post_folder_changes(self, changes: FolderChanges) -> None:
        """Called from the watcher's thread."""
        self.post_message(FolderChanged(changes))

    @on(FolderChanged)
    def _folder_changed(self, event: FolderChanged) -> None:
        if event.changes.rescan:
            error = self.watcher.error if self.watcher else None
            if error:
                self.notify(f"Live reload: {error} (R rescans)", severity="warning", markup=False)
            self.load_archive()
        elif event.changes.paths:
            self.reload_paths(event.changes.paths)

    @work(thread=True, group="reload", description="reading changed posts")
    def reload_paths(self, paths: set[str]) -> None:
        result = self.repo.update_paths(paths)
        if result.empty:
            return
        self.publish()
        if self.fulltext_ready:
            self.app.call_from_thread(self.start_fulltext)
        parts = [
            f"{count:,} {what}"
            for count, what in (
                (len(result.added), "new"),
                (len(result.changed), "changed"),
                (len(result.removed), "removed"),
            )
            if count
        ]
        self.app.call_from_thread(self.notify, f"Posts: {', '.join(parts)}", timeout=4)

    def on_unmount(self) -> None:
        gc.unfreeze()
        if self.watcher is not None:
            self.watcher.stop()

    def set_activity(self, text: str) -> None:
        self.status.activity = text

    def action_rescan(self) -> None:
        self.notify("Rescanning the folder…")
        self.load_archive()

    # ---------------------------------------------------------------- filtering

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_one(FilterBar).value:  # else typing has moved on already
            self.catch_up()

    def catch_up(self) -> None:
        """Apply the filter bar's text if the screen has not yet (its Changed message comes later
        than keys typed in the same burst, such as "Enter s")."""
        value = self.query_one(FilterBar).value
        if value != self.query_text:
            self.query_text = value
            self.apply_filter(to_top=True)  # a new filter starts at its newest post

    def apply_filter(self, *, to_top: bool = False) -> None:
        """Show the posts that match the filter bar's query; a bad query keeps the previous rows."""
        filter_bar = self.query_one(FilterBar)
        try:
            query = parse(self.query_text, saved=self.config.searches)
        except QueryError as error:
            filter_bar.add_class("-invalid")
            self.set_activity(f"query: {error.message}")
            return
        filter_bar.remove_class("-invalid")
        self.match_terms = match_terms(query)
        if self.status.activity.startswith("query:"):
            self.set_activity("")
        if self.engine is None:
            self.show_matches(self.posts if not self.query_text.strip() else [], to_top)
        elif uses_field(query, "body") and self.fulltext_ready:
            if self._searching_bodies:
                self.repo.fulltext.interrupt()  # superseded: its answer would be dropped anyway
            self.filter_bodies(query, self.query_text, to_top)
        else:
            if uses_field(query, "body"):
                if not self._fulltext_error:  # else the next refresh tries again, not each key
                    self.start_fulltext()  # meanwhile body: searches titles
                self.show_body_progress()
            self.show_matches(self.run_query(query), to_top)

    def run_query(self, query: Query, *, bodies: bool = False) -> list[Post]:
        """The posts that match; bodies=True searches body: terms in the full-text index."""
        engine = self.engine
        assert engine is not None
        body_positions = self._body_positions(engine) if bodies else None
        posts, selected = self.posts, self.selected
        uses_selection = bool(selected) and uses_field(query, "selected")
        selected_ids = (
            {post.id for post in posts if post.path in selected} if uses_selection else frozenset()
        )

        def run(within: list[int] | None = None) -> list[int]:
            return engine.filter(
                query,
                state=self.repo.state.get,
                states=self.repo.state.snapshot(),
                selected=selected_ids,
                body_positions=body_positions,
                within=within,
            )

        # Reuse recent results on the UI thread only (body searches run in a worker), and never
        # when the selection counts: it changes without a trace.
        if bodies or uses_selection:
            return [posts[index] for index in run()]
        found, within = self._results.lookup((engine, self.repo.state.changes), query)
        indices = found if found is not None else run(within)
        self._results.store(query, indices)
        return [posts[index] for index in indices]

    @work(thread=True, exclusive=True, group="filter", description="searching bodies")
    def filter_bodies(self, query: Query, text: str, to_top: bool) -> None:
        """Body search reads an index on disk: off the UI thread, and dropped if typing moved on."""
        self._searching_bodies = True
        try:
            shown = self.run_query(query, bodies=True)
        except SearchInterrupted:
            return  # a newer query is on its way
        finally:
            self._searching_bodies = False
        if not get_current_worker().is_cancelled and text == self.query_text:
            self.app.call_from_thread(self.show_matches, shown, to_top)

    def _body_positions(self, engine: QueryEngine) -> Callable[[str], set[int]]:
        fulltext = self.repo.fulltext
        return lambda text: fulltext.positions(text, engine.by_path)

    # ---------------------------------------------------------------- saved searches

    @property
    def searches(self) -> SavedSearches:
        return self.query_one(SavedSearches)

    def action_toggle_searches(self) -> None:
        sidebar = self.searches
        sidebar.display = not sidebar.display
        if sidebar.display:
            self.app.set_focus(sidebar)
            self.count_searches()
        else:
            self.app.set_focus(self.table)

    @on(SavedSearches.Picked)
    def _search_picked(self, event: SavedSearches.Picked) -> None:
        self.query_one(FilterBar).value = event.query
        self.app.set_focus(self.table)

    def recount_searches(self) -> None:
        """After triage or new posts: recount once things settle, and only while the sidebar shows."""
        if self.searches.display:
            if self._count_timer is not None:
                self._count_timer.stop()
            self._count_timer = self.set_timer(0.5, self.count_searches)

    @work(thread=True, exclusive=True, group="searches", description="counting saved searches")
    def count_searches(self) -> None:
        engine, posts = self.engine, self.posts
        entries = list(BUILT_IN.items()) + [(name, f"@{name}") for name in self.config.searches]
        if engine is None:
            return
        snapshot = self.repo.state.snapshot()
        read = {post_id for post_id, state in snapshot.items() if state.read}
        body_positions = self._body_positions(engine) if self.fulltext_ready else None
        counts = []
        for name, text in entries:
            try:
                query = parse(text, saved=self.config.searches)
            except QueryError:
                counts.append(SearchCount(name, text, None, None))
                continue
            try:
                indices = engine.filter(
                    query, state=self.repo.state.get, states=snapshot, body_positions=body_positions
                )
            except SearchInterrupted:  # the filter bar's search stopped this one: count again
                self.app.call_from_thread(self.recount_searches)
                return
            unread = sum(1 for index in indices if posts[index].id not in read)
            counts.append(SearchCount(name, text, unread, len(indices)))
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self.searches.show_counts, counts)

    def action_save_search(self) -> None:
        text = self.query_text.strip()
        if not text:
            self.notify("Type a filter first (/), then S saves it", severity="warning")
            return

        def chosen(name: str | None) -> None:
            if not name or not name.strip():
                return
            name = name.strip()
            try:
                path = save_search(name, text, self.config.path)
            except (ConfigError, OSError) as error:
                self.notify(f"Not saved: {error}", severity="error", markup=False)
                return
            self.config.searches[name] = text
            self.notify(f"Saved as @{name} in {path}", markup=False)
            self.recount_searches()

        self.app.push_screen(
            PromptScreen("Save this filter as", f"{text}  ·  letters, digits, - and _"), chosen
        )

    def show_matches(self, shown: Sequence[Post], to_top: bool = False) -> None:
        self._matches = shown  # newest first, whatever order the table shows them in
        self.table.set_posts(shown, keep_cursor=not to_top)
        self.update_counts()
        # The preview may need new highlights even if the cursor stayed; wait for typing to pause.
        self._schedule_preview(TYPING_PAUSE)
        # The sparkline walks every shown post: draw it once typing pauses, not on each key.
        if self._timeline_timer is not None:
            self._timeline_timer.stop()
        self._timeline_timer = self.set_timer(TIMELINE_DELAY, self._update_timeline)

    # ---------------------------------------------------------------- full-text index

    def start_fulltext(self) -> None:
        """Bring the body index up to date with the posts, in the background (at once if it is)."""
        if self._fulltext_running and not self.fulltext_ready:
            return  # the first build is under way: a new worker would only cancel it
        self._fulltext_running = True
        self.update_fulltext()  # exclusive: a catch-up still running is replaced by this one

    @work(thread=True, exclusive=True, group="fulltext", description="indexing bodies")
    def update_fulltext(self) -> None:
        worker = get_current_worker()
        call = self.app.call_from_thread

        def progress(done: int, total: int) -> None:
            # Of all posts, not of this run's: a run resumed after a quit starts where it was.
            self._body_progress = f"{int(self.repo.fulltext.ready_fraction() * 100)}%"
            call(self.show_body_progress)

        try:
            self.repo.update_fulltext(
                progress=progress, is_cancelled=lambda: worker.is_cancelled, background=True
            )
        except (sqlite3.Error, OSError) as error:
            # A full disk, say: the posts stay usable and body: searches titles; the next
            # refresh tries again.
            call(self._fulltext_failed, str(error))
            return
        if not worker.is_cancelled:
            call(self._fulltext_updated)

    def _fulltext_failed(self, error: str) -> None:
        self._fulltext_running = False
        self._fulltext_error = error
        self._clear_body_progress()
        meanwhile = "may miss new posts" if self.fulltext_ready else "searches titles"
        self.notify(
            f"Body index not updated ({error}); body: {meanwhile} until it is.",
            severity="warning",
            markup=False,
        )

    def show_body_progress(self) -> None:
        """While the body index is built: how far it is, and what body: does meanwhile."""
        if self.fulltext_ready or self.status.activity.startswith("query:"):
            return
        during = TITLES_ONLY if "body:" in self.query_text else ""
        if self._fulltext_error:
            self.set_activity(f"{during}bodies not indexed ({self._fulltext_error})")
        else:
            self.set_activity(f"{during}bodies {self._body_progress} indexed")

    def _clear_body_progress(self) -> None:
        if self.status.activity.startswith(("bodies ", TITLES_ONLY)):
            self.set_activity("")

    def _fulltext_updated(self) -> None:
        self._fulltext_running = False
        self._fulltext_error = ""
        self.fulltext_ready = True
        self._clear_body_progress()
        if "body:" in self.query_text:
            # The body results replace a titles-only stand-in: if the cursor is still on its
            # first row, it belongs on the newest match, not on the first title match.
            self.apply_filter(to_top=self.table.cursor == 0)
        self.recount_searches()  # saved body: searches counted titles until now
        self.prepare_body_search()

    @work(thread=True, exclusive=True, group="body-table", description="preparing body search")
    def prepare_body_search(self) -> None:
        """Match the body index's rows to the posts shown before a body: query needs it."""
        engine = self.engine
        if engine is not None and self.fulltext_ready:
            self.repo.fulltext.prepare(engine.by_path)

    def _update_timeline(self) -> None:
        self.query_one(Timeline).show(self._matches)

    def update_counts(self) -> None:
        shown = self.table.posts
        states = self.repo.state.snapshot()
        read = starred = 0
        if states:
            ids = {post.id for post in shown}
            for post_id, state in states.items():
                if post_id in ids:
                    read += state.read
                    starred += state.starred
        parts = [f"{len(shown):,} of {len(self.posts):,} posts", f"{len(shown) - read:,} unread"]
        if starred:
            parts.append(f"{starred:,} starred")
        if self.selected:
            parts.append(f"{len(self.selected):,} selected")
        self.status.counts = " · ".join(parts)

    def action_focus_filter(self) -> None:
        # Focus at once (not deferred): keys typed right behind "/" must land in the filter.
        self.app.set_focus(self.query_one(FilterBar))

    def on_screen_resume(self) -> None:
        self.refresh_rows()  # the reader may have starred or read posts
        self._schedule_preview(PREVIEW_DELAY)  # and moved the cursor

    def typing_target(self) -> FilterBar | None:
        filter_bar = self.query_one(FilterBar)
        return filter_bar if self.app.focused is filter_bar else None

    def action_clear(self) -> None:
        """Esc in the table: clear the selection, else the filter. (The filter bar handles its own Esc.)"""
        filter_bar = self.query_one(FilterBar)
        if self.selected:
            self.selected.clear()
            self.refresh_rows()
        elif filter_bar.value:
            filter_bar.value = ""

    # ---------------------------------------------------------------- preview and reader

    @on(PostTable.Highlighted)
    def _highlighted(self) -> None:
        if not self.is_current:
            return  # the reader moved the cursor (J/K): it shows the post itself
        # While a filter is typed, wait for a pause: a preview per key would slow the typing.
        self._schedule_preview(TYPING_PAUSE if self.typing_target() else PREVIEW_DELAY)

    def _schedule_preview(self, delay: float) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()
        self._preview_timer = self.set_timer(delay, self.update_preview)

    def update_preview(self) -> None:
        post = self.table.current_post
        if post is None:
            self.preview.show("*No post selected.*", key=None)
        elif self.preview.shown_key != self._preview_key(post) and self.preview.display:
            self.preview.show_post(
                self.repo, post, terms=self.match_terms, key=self._preview_key(post)
            )
        elif not self.preview.display:
            self.prepare(post)

    @work(thread=True, exclusive=True, group="prepare", description="preparing the post")
    def prepare(self, post: Post) -> None:
        """With the preview hidden, still read the post under a resting cursor: Enter then shows
        it at once (the repository keeps the last few rendered)."""
        self.repo.render(post, quick=True)

    def _preview_key(self, post: Post) -> tuple:
        """What the preview shows depends on the file's version and on the words highlighted."""
        return (post.path, post.mtime_ns, tuple(self.match_terms))

    @on(PostTable.Opened)
    def _opened(self, event: PostTable.Opened) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()  # the reader reads the post now: no second reading
        self.app.push_screen(ReaderScreen(self.repo, self.config, self.table, self.match_terms))

    def action_toggle_layout(self) -> None:
        panes = self.query_one("#panes")
        panes.set_class(not panes.has_class("below"), "below")
        panes.set_class(not panes.has_class("below"), "side")

    def action_toggle_zoom(self) -> None:
        self.preview.display = not self.preview.display
        self.update_preview()

    # ---------------------------------------------------------------- triage

    def targets(self) -> list[Post]:
        """The selected posts that are shown, or else the one under the cursor."""
        if self.selected:
            shown = [post for post in self.table.posts if post.path in self.selected]
            if shown:
                return shown
        post = self.table.current_post
        return [post] if post else []

    def flags_for(self, post: Post) -> RowFlags:
        state = self.repo.state.get(post.id)
        return RowFlags(
            unread=not state.read,
            starred=state.starred,
            selected=post.path in self.selected,
            problem=bool(post.problems),
        )

    def refresh_rows(self) -> None:
        self.table.refresh_rows()
        self.update_counts()
        self.recount_searches()

    def _triage(self, verb, posts: list[Post] | None = None, *, refilter: bool = False) -> None:
        if self.news.triage(verb, self.targets() if posts is None else posts):
            if refilter:
                self.apply_filter()
            else:
                self.refresh_rows()

    def action_toggle_read(self) -> None:
        self._triage(triage.toggle_read)

    def action_toggle_star(self) -> None:
        self._triage(triage.toggle_star)

    def action_toggle_archive(self) -> None:
        posts = self.targets()
        # Archived posts leave the view, so they leave the selection too.
        self.selected -= {post.path for post in posts}
        self._triage(triage.toggle_archive, posts, refilter=True)

    def action_mark_all_read(self) -> None:
        self._triage(triage.mark_read, list(self.table.posts))

    def action_labels(self) -> None:
        posts = self.targets()
        if posts:
            self.news.edit_labels(posts, self.refresh_rows)

    def action_select(self) -> None:
        post = self.table.current_post
        if post is None:
            return
        self.selected.symmetric_difference_update({post.path})
        self.table.move_to(self.table.cursor + 1)
        self.refresh_rows()

    def action_select_all(self) -> None:
        self.selected.update(post.path for post in self.table.posts)
        self.refresh_rows()

    def action_undo(self) -> None:
        try:
            done = self.repo.state.undo()
        except StateError as error:
            self.notify(f"Could not undo: {error}", severity="error", markup=False)
            return
        self.notify(f"Undone: {done}" if done else "Nothing to undo", markup=False)
        self.apply_filter()

    def _step_unread(self, step: int) -> None:
        posts = self.table.posts
        index = self.table.cursor + step
        while 0 <= index < len(posts):
            if not self.repo.state.get(posts[index].id).read:
                self.table.move_to(index)
                return
            index += step
        self.notify("No more unread posts")

    def action_next_unread(self) -> None:
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def poll_state(self) -> None:
        """Pick up triage done by another newstui on the same archive (another SSH session)."""
        if self.repo.state.poll():
            self.refresh_rows()
