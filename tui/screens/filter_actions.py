"""The main screen's filter: filter bar → query → matches in the table, body search, the counts in
the status line, and the saved-searches sidebar."""

from __future__ import annotations

import asyncio
from collections.abc import Generator, Sequence
from operator import attrgetter

from textual import on
from textual.timer import Timer
from textual.widgets import Input

from tui import collector
from tui.config import Config, ConfigError, save_search
from tui.model import Post
from tui.query import QueryError, uses_field
from tui.query.order import FIELDS as ORDER_FIELDS
from tui.query.order import NEWEST_FIRST, Order
from tui.query.parser import search_name_problem
from tui.render.highlight import match_terms
from tui.repository import Repository
from tui.screens import filtering, loader
from tui.screens.dialogs import PromptScreen
from tui.screens.filtering import Filtering
from tui.screens.loader import ArchiveLoader
from tui.screens.services import Services
from tui.screens.triage_actions import TriageActions
from tui.widgets.filter_bar import FilterBar
from tui.widgets.post_table import PostTable
from tui.widgets.saved_searches import SavedSearches
from tui.widgets.status import StatusBar

# The status line while bodies are indexed: "bodies 40% indexed", after TITLES_ONLY when the
# query uses body: (it searches titles meanwhile).
TITLES_ONLY = "body: titles only, "
_ID = attrgetter("id")


class FilterActions(TriageActions):
    """The filter's part of the main screen, over a Filtering model; the loader brings the posts."""

    def __init__(self, repo: Repository, config: Config, services: Services) -> None:
        super().__init__(repo, services)
        self.config = config
        self.loader = ArchiveLoader(repo, config)
        self.filtering = Filtering(self, repo, config, self.selected)
        self.body_index = repo.body_index
        self._count_timer: Timer | None = None

    @property
    def status(self) -> StatusBar:
        return self.query_one(StatusBar)

    @property
    def searches(self) -> SavedSearches:
        return self.query_one(SavedSearches)

    def set_activity(self, text: str) -> None:
        self.status.activity = text

    def show_body_progress(self) -> None:
        """While the body index is built: how far it is, and what body: does meanwhile."""
        if self.body_index.ready or self.status.activity.startswith("query:"):
            return
        during = TITLES_ONLY if "body:" in self.filtering.text else ""
        if self.body_index.error:
            self.set_activity(f"{during}bodies not indexed ({self.body_index.error})")
        else:
            self.set_activity(f"{during}bodies {self.body_index.percent} indexed")

    def _clear_body_progress(self) -> None:
        if self.status.activity.startswith(("bodies ", TITLES_ONLY)):
            self.set_activity("")

    # ---------------------------------------------------------------- filtering

    @on(Input.Changed, "#filter")
    async def _filter_changed(self, event: Input.Changed) -> None:
        if event.value == self.query_one(FilterBar).value:  # else typing has moved on already
            await self._catch_up_typing()

    def catch_up(self) -> None:
        """Apply the filter bar's text if the screen has not yet (its Changed message comes later
        than keys typed in the same burst, such as "Enter s")."""
        value = self.query_one(FilterBar).value
        if value != self.filtering.text:
            self.filtering.text = value
            self.apply_filter(to_top=True)  # a new filter starts at its newest post

    async def _catch_up_typing(self) -> None:
        """catch_up, letting keys in between slices of a long search: in a burst ("pol" in one
        read) the first letter's Changed comes before the other letters are typed in, and at a
        million posts its answer took ~0.3 s. A key typed meanwhile stops the search; the
        Changed of the text it makes comes next."""
        filter_bar = self.query_one(FilterBar)
        value, shown = filter_bar.value, self.filtering.text
        if value == shown:
            return
        self.filtering.text = value
        for _ in self._filter_steps(to_top=True):
            await asyncio.sleep(0)  # the event loop hands the keys waiting to the filter bar
            if filter_bar.value != value:
                self.filtering.text = shown  # still the text whose answer the table shows
                return

    def apply_filter(self, *, to_top: bool = False) -> None:
        """Show the posts that match the filter bar's query; a bad query keeps the previous rows."""
        for _ in self._filter_steps(to_top=to_top):
            pass

    def _filter_steps(self, *, to_top: bool) -> Generator[None, None, None]:
        """apply_filter, yielding between slices of a long search (Filtering.query_steps); what
        it shows, it shows after the last one, so one left unfinished changes nothing."""
        filter_bar, model = self.query_one(FilterBar), self.filtering
        try:
            query = model.parse()
        except QueryError as error:
            filter_bar.add_class("-invalid")
            self.set_activity(f"query: {error.message}")
            return
        bodies = uses_field(query, "body")
        titles_only = False  # body: searches titles while the body index is not ready
        if model.engine is None:
            shown: Sequence[Post] | None = model.posts if not model.text.strip() else []
        elif bodies and self.body_index.ready:
            shown = None  # a worker searches, and reports back (BodyMatches)
        else:
            titles_only = bodies
            if titles_only and not self.body_index.error:  # else the next refresh tries again
                self.loader.start_fulltext()  # meanwhile body: searches titles
            shown = yield from model.query_steps(query)
        filter_bar.remove_class("-invalid")
        model.match_terms = match_terms(query)
        if self.status.activity.startswith("query:"):
            self.set_activity("")
        if shown is None:
            model.search_bodies(query, to_top)
            return
        if titles_only:
            self.show_body_progress()
        self.show_matches(shown, to_top)

    @on(loader.EngineReady)
    def _engine_ready(self, event: loader.EngineReady) -> None:
        if self.filtering.engine_ready(event.engine):
            self.apply_filter()  # the answer came from an earlier list: now from the whole one

    @on(filtering.BodyMatches)
    def _body_matches(self, event: filtering.BodyMatches) -> None:
        try:
            if event.text == self.filtering.text:  # else typing has moved on
                self.show_matches(event.shown, event.to_top)
        finally:
            self.call_after_refresh(collector.resume)  # paused by the search (see BodyMatches)

    def show_matches(self, shown: Sequence[Post], to_top: bool = False) -> None:
        self.filtering.matches = shown  # newest first, whatever order the table shows them in
        self.table.set_posts(self.filtering.ordered(shown), keep_cursor=not to_top)
        self.update_counts()
        self.matches_shown()

    def matches_shown(self) -> None:
        """The table shows new matches: what follows them (the preview, the sparkline) may redraw."""

    def update_counts(self) -> None:
        shown = self.table.posts
        if self.filtering.posts:
            self.table.empty_text = "No posts match"
        else:  # a cold walk that has not found a post yet, or a folder without any
            self.table.empty_text = (
                "Looking for posts…" if self.filtering.partial else "No posts in this folder"
            )
        read_ids, starred_ids = self.repo.state.flagged()
        # C-level passes over the posts shown, and none when no post is read (or starred).
        read = sum(map(read_ids.__contains__, map(_ID, shown))) if read_ids else 0
        starred = sum(map(starred_ids.__contains__, map(_ID, shown))) if starred_ids else 0
        parts = [self.filtering.describe_counts(len(shown)), f"{len(shown) - read:,} unread"]
        if starred:
            parts.append(f"{starred:,} starred")
        if self.selected:
            parts.append(f"{len(self.selected):,} selected")
        if self.filtering.order != NEWEST_FIRST:
            parts.append(self.filtering.order.describe())
        self.status.counts = " · ".join(parts)

    def action_focus_filter(self) -> None:
        # Focus at once (not deferred): keys typed right behind "/" must land in the filter.
        self.app.set_focus(self.query_one(FilterBar))

    def typing_target(self) -> FilterBar | None:
        filter_bar = self.query_one(FilterBar)
        return filter_bar if self.app.focused is filter_bar else None

    def action_clear(self) -> None:
        """Esc in the table: clear the selection, else the filter. (The filter bar handles its own Esc.)"""
        filter_bar = self.query_one(FilterBar)
        if self.selected:
            self.selected.clear()
            self.rows_changed()
        elif filter_bar.value:
            filter_bar.value = ""

    # ---------------------------------------------------------------- order

    def set_order(self, order: Order) -> None:
        """Sort the table by order from now on: through filtering, reloads and rescans."""
        self.filtering.order = order
        self.mark_order(order)
        self.show_matches(self.filtering.matches)

    def mark_order(self, order: Order) -> None:
        """The header marks the column: ▼ for newest first or Z to A, ▲ for A to Z."""
        self.table.show_sort(order)

    def sort_by(self, order: Order) -> None:
        """A sort the user asked for (key or palette): set, and said briefly."""
        self.set_order(order)
        self.notify(f"Sorted {order.describe()}", timeout=2)

    def action_sort_next(self) -> None:
        """Sort by the next field (date, title, source, author), in its natural direction."""
        fields = ORDER_FIELDS
        self.sort_by(Order(fields[(fields.index(self.filtering.order.field) + 1) % len(fields)]))

    def action_sort_reverse(self) -> None:
        self.sort_by(self.filtering.order.toggled())

    @on(PostTable.SortRequested)
    def _header_clicked(self, event: PostTable.SortRequested) -> None:
        """A click on a column's label: that order from now on (a second click reverses it)."""
        self.set_order(event.order)

    # ---------------------------------------------------------------- after triage

    def rows_changed(self) -> None:
        self.table.refresh_rows()
        self.update_counts()
        self.recount_searches()

    def refilter(self) -> None:
        self.apply_filter()

    # ---------------------------------------------------------------- saved searches

    def action_toggle_searches(self) -> None:
        sidebar = self.searches
        sidebar.display = not sidebar.display
        if sidebar.display:
            self.app.set_focus(sidebar)
            self.filtering.count_searches()
        else:
            self.app.set_focus(self.table)

    @on(SavedSearches.Picked)
    def _search_picked(self, event: SavedSearches.Picked) -> None:
        self.query_one(FilterBar).value = event.query
        self.app.set_focus(self.table)

    @on(filtering.CountAgain)
    def recount_searches(self) -> None:
        """After triage or new posts: recount once things settle, and only while the sidebar shows."""
        if self.searches.display:
            if self._count_timer is not None:
                self._count_timer.stop()
            self._count_timer = self.set_timer(0.5, self.filtering.count_searches)

    @on(filtering.Counted)
    def _counted(self, event: filtering.Counted) -> None:
        self.searches.show_counts(event.counts, event.labels)

    def action_save_search(self) -> None:
        text = self.filtering.text.strip()
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

        def problem(name: str) -> str | None:
            return search_name_problem(name.strip())

        self.app.push_screen(
            PromptScreen(
                "Save this filter as",
                f"{text}  ·  any name without spaces, used as @name",
                check=problem,
            ),
            chosen,
        )
