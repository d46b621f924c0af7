"""The main screen: status line, filter bar, the post table and a preview that follows the cursor.

It composes and wires the parts: the loader (screens/loader.py) brings the posts, the filter
(screens/filter_actions.py over screens/filtering.py) shows what matches, triage keys come from
screens/triage_actions.py, and what can be done with a post from screens/services.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal
from textual.timer import Timer

from tui import collector
from tui.config import Config
from tui.model import Post
from tui.query.order import NEWEST_FIRST
from tui.repository import Repository
from tui.screens import loader
from tui.screens.filter_actions import FilterActions
from tui.screens.post_actions import PostActions
from tui.screens.reader import ReaderScreen
from tui.screens.services import Services
from tui.text import clean_line
from tui.widgets.article import ArticleView
from tui.widgets.filter_bar import FilterBar
from tui.widgets.key_bar import KeyBar
from tui.widgets.post_table import DEFAULT_COLUMNS, Column, PostTable
from tui.widgets.saved_searches import SavedSearches
from tui.widgets.status import StatusBar
from tui.widgets.timeline import Timeline
from tui.widgets.workers import in_background

if TYPE_CHECKING:
    from tui.screens import export

PREVIEW_DELAY = 0.12  # seconds the cursor must rest before the preview renders
TYPING_PAUSE = 0.3  # seconds without a key in the filter before the preview is redrawn
# Seconds the preview waits after the first screen of a long post before drawing the rest.
PREVIEW_REST = 1.0
TIMELINE_DELAY = 0.3  # seconds of quiet typing before the sparkline is redrawn

COLUMNS = {column.key: column for column in DEFAULT_COLUMNS} | {
    "author": Column("author", "Author", 12, min_width=6, priority=30),
    "path": Column("path", "Path", 24, min_width=8, priority=10),
}


class MainScreen(FilterActions):
    # The table has the focus from the first frame. Textual's default ("*") would give it to the
    # filter bar, first in the layout, until a focus() call moved it: keys typed in between went
    # to one widget and the next ones to another, and their order was lost ("/market" in one
    # burst read and archived a post under load, then opened the filter).
    AUTO_FOCUS = "#posts"

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
        Binding("E", "export", "Export", id="export"),
        Binding("R", "rescan", "Rescan", show=False, id="rescan"),
        Binding("B", "toggle_searches", "Searches", show=False, id="searches"),
        Binding("S", "save_search", "Save search", show=False, id="save_search"),
        Binding("O", "sort_next", "Sort", id="sort"),
        Binding("I", "sort_reverse", "Reverse order", show=False, id="sort_reverse"),
        Binding("v", "toggle_layout", "Layout", show=False, id="layout"),
        Binding("z", "toggle_zoom", "Zoom", show=False, id="zoom"),
    ]

    def __init__(self, repo: Repository, config: Config, services: Services) -> None:
        super().__init__(repo, config, services)
        self._preview_timer: Timer | None = None
        self._timeline_timer: Timer | None = None
        self._shown_version = -1  # the repository version on screen; older publishes are dropped
        self._changes_at_suspend: int | None = None  # the state's changes when the reader opened

    # ---------------------------------------------------------------- layout

    @property
    def current_post(self) -> Post | None:
        return self.table.current_post

    def compose(self) -> ComposeResult:
        with Horizontal(id="header"):
            yield StatusBar(id="status")
            yield Timeline(id="timeline")
        yield FilterBar(
            leave_to="#posts",
            placeholder='/ to filter: words, "phrase", title: author: tag: source: is:unread after:3d …',
            id="filter",
        )
        with Container(id="panes", classes="side"):
            yield SavedSearches(id="searches")
            widths = self.config.column_widths
            columns = [
                Column(c.key, c.label, widths.get(c.key, c.width), c.min_width, c.priority)
                for c in (COLUMNS[key] for key in self.config.columns if key in COLUMNS)
            ]
            yield PostTable(
                id="posts",
                columns=columns,
                flags=self.flags_for,
                date_format=self.config.date_format,
            )
            yield ArticleView(id="preview", rest_after=PREVIEW_REST)
        yield KeyBar()
        yield self.loader

    @property
    def preview(self) -> ArticleView:
        return self.query_one("#preview", ArticleView)

    def on_resize(self) -> None:
        # Below 100 columns the preview goes under the table, whatever the layout.
        self.set_class(self.size.width < 100, "-narrow")

    def on_mount(self) -> None:
        self.table.script = self.config.chinese
        order = self.filtering.order
        if order != NEWEST_FIRST:  # the header marks the order from the start
            self.mark_order(order)
        self.on_resize()  # the narrow layout from the first frame, not after it
        self.status.archive = str(self.repo.root)
        for notice in (self.repo.state.notice, self.repo.cache.notice, self.config.problem):
            if notice:
                self.notify(notice, severity="warning", timeout=10, markup=False)
        self.loader.load()
        self.set_interval(2.0, self.poll_state)

    # ---------------------------------------------------------------- what the loader reports

    @on(loader.PostsLoaded)
    def show_posts(self, event: loader.PostsLoaded) -> None:
        if event.version is not None:
            if event.version < self._shown_version:
                return  # a slower worker finished after a newer list was shown
            self._shown_version = event.version
        self.filtering.set_posts(event.posts, event.engine)
        self.filtering.listing(event.partial, event.expected, len(event.stories.files))
        self.stories = event.stories
        self.table.show_copies(bool(event.stories.copies))
        if event.version is not None:
            collector.freeze_loaded()  # the first full list (not a batch of a cold index)
        self.apply_filter()
        self.recount_searches()
        if event.engine is not None and self.body_index.ready:
            self.loader.prepare_body_search(event.engine)
        self.call_after_refresh(self.loader.list_shown)
        post = self.table.current_post
        if post is not None and self.preview.shown_key not in (None, self._preview_key(post)):
            self.update_preview()  # the post under the cursor changed on disk

    @on(loader.Activity)
    def _activity(self, event: loader.Activity) -> None:
        self.set_activity(event.text)

    @on(loader.BodyIndexChanged)
    def _body_index_changed(self, event: loader.BodyIndexChanged) -> None:
        if self.body_index.running:
            self.show_body_progress()
            return
        self._clear_body_progress()
        if not event.finished:
            return  # failed: body: searches titles meanwhile, and says so
        if "body:" in self.filtering.text:
            # The body results replace a titles-only stand-in: if the cursor is still on its
            # first row, it belongs on the newest match, not on the first title match.
            self.apply_filter(to_top=self.table.cursor == 0)
        self.recount_searches()  # saved body: searches counted titles until now
        if self.filtering.engine is not None:
            self.loader.prepare_body_search(self.filtering.engine)

    def action_rescan(self) -> None:
        self.notify("Rescanning the folder…")
        self.loader.load()

    def matches_shown(self) -> None:
        # The preview may need new highlights even if the cursor stayed; wait for typing to pause.
        self._schedule_preview(TYPING_PAUSE)
        # The sparkline walks every shown post: draw it once typing pauses, not on each key.
        if self._timeline_timer is not None:
            self._timeline_timer.stop()
        self._timeline_timer = self.set_timer(TIMELINE_DELAY, self._update_timeline)

    def _update_timeline(self) -> None:
        self.query_one(Timeline).show(self.filtering.matches)

    # ---------------------------------------------------------------- preview and reader

    def on_screen_suspend(self) -> None:
        self._changes_at_suspend = self.repo.state.changes

    def on_screen_resume(self) -> None:
        suspended = self._changes_at_suspend
        if suspended is not None and self.repo.state.changes != suspended:
            # The reader triaged posts: one it archived leaves the default view at once.
            self.refilter()
        else:
            self.rows_changed()
        self._schedule_preview(PREVIEW_DELAY)  # the reader may have moved the cursor

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
        terms = self.filtering.match_terms
        if post is None:
            self.preview.show("*No post selected.*", key=None)
        elif self.preview.display:
            key = self._preview_key(post)  # a stat of the file: once
            if self.preview.shown_key != key:
                self.preview.show_post(
                    self.repo, post, terms=terms, key=key, script=self.config.chinese
                )
        else:
            # With the preview hidden, still read the post under a resting cursor: Enter then
            # shows it at once (the repository keeps the last few rendered).
            in_background(
                self,
                lambda: self.repo.render(post, quick=True),
                exclusive=True,
                group="prepare",
                description="preparing the post",
            )

    def _preview_key(self, post: Post) -> tuple:
        """What the preview shows depends on the file as it is on disk (a stat: a post does not
        keep its file's) and on the words highlighted."""
        return (post.path, self.repo.file_version(post), tuple(self.filtering.match_terms))

    @on(PostTable.Opened)
    def _opened(self, event: PostTable.Opened) -> None:
        if self._preview_timer is not None:
            self._preview_timer.stop()  # the reader reads the post now: no second reading
        self.preview.stop()  # nor the rest of a long one drawn here while the reader draws it
        self.app.push_screen(
            ReaderScreen(
                self.repo,
                self.config,
                self.services,
                self.table.posts,
                self.table.cursor,
                self.follow,
                self.filtering.match_terms,
                self.table.refresh_rows,
                copies=self.stories.of,
            )
        )

    def follow(self, index: int, post: Post) -> None:
        """The reader moved to another post (J/K): the table's cursor goes with it."""
        posts = self.table.posts
        if not (index < len(posts) and posts[index].path == post.path):
            # The table changed under the reader (a live reload): find the post by its path.
            index = next((i for i, p in enumerate(posts) if p.path == post.path), -1)
        if index >= 0:
            self.table.move_to(index)

    def action_export(self) -> None:
        """Export the selection (every selected post, shown or not: a reading list can be
        gathered over several searches), else the posts shown (screens/export.py)."""
        if self.selected:
            # In the table's order, then those the filter hides, newest first.
            shown = [post for post in self.table.posts if post.id in self.selected]
            seen = {post.id for post in shown}  # the selection holds story ids
            hidden = [
                post
                for post in self.filtering.posts
                if post.id in self.selected and post.id not in seen
            ]
            posts = shown + hidden
            what = f"{len(posts):,} selected post" + ("" if len(posts) == 1 else "s")
        else:
            posts = list(self.table.posts)
            what = f"the {len(posts):,} post" + (" shown" if len(posts) == 1 else "s shown")
        title = clean_line(self.filtering.text) or self.repo.root.name
        # Loaded here, not at start: with it come the Markdown and HTML libraries (0.1-0.3 s
        # before the first rows), which the preview loads in its worker anyway.
        from tui.screens import export

        export.export_posts(self, posts, what, title, self.repo.root)

    def on_export_done(self, message: export.ExportDone) -> None:
        from tui.screens import export

        export.report(self, message)

    def action_toggle_layout(self) -> None:
        panes = self.query_one("#panes")
        panes.set_class(not panes.has_class("below"), "below")
        panes.set_class(not panes.has_class("below"), "side")

    def action_toggle_zoom(self) -> None:
        self.preview.display = not self.preview.display
        self.update_preview()
