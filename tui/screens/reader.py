"""The reader: one post full-screen, paged and searched as in a pager, with its links a digit away."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer
from textual.widgets import Input

from tui import triage
from tui.chinese import fold_script
from tui.config import Config
from tui.model import Post
from tui.repository import Repository
from tui.screens.post_actions import PostActions
from tui.screens.services import Services
from tui.state import StateError
from tui.text import clean_line, truncate_cells
from tui.widgets.article import ArticleView
from tui.widgets.filter_bar import FilterBar
from tui.widgets.key_bar import KeyBar
from tui.widgets.post_table import STARRED_MARK
from tui.widgets.status import StatusBar

LINK_DIGIT_WAIT = 0.7  # seconds to wait for a second digit before opening link N
NEXT_POST_NOTICE = 2.0  # seconds the "next post" notice stays: a glance, not a dialog


class ReaderScreen(PostActions):
    AUTO_FOCUS = "#article"  # from the first frame, as the main screen's table (see there)

    BINDINGS = [
        Binding("question_mark", "app.help", "Help", id="reader.help"),
        Binding("escape", "back", "Back", id="reader.back"),  # clears a search first
        Binding("q", "app.pop_screen", "Back", show=False, id="reader.quit"),
        Binding("slash", "search", "Search", id="reader.search"),
        Binding("n", "next(1)", "Next match / unread post", show=False, id="reader.next_match"),
        Binding(
            "N", "next(-1)", "Previous match / unread post", show=False, id="reader.previous_match"
        ),
        Binding("j,down", "scroll('down')", "Down", show=False, id="reader.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="reader.up"),
        Binding("space", "space", "Page down, then next post", show=False, id="reader.space"),
        # Not f: `star = "f"` in the config stars here too (the table has no f).
        Binding("pagedown", "page('down')", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page('up')", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "edge('top')", "Top", show=False, id="reader.top"),
        Binding("G,end", "edge('bottom')", "Bottom", show=False, id="reader.bottom"),
        Binding("J", "step(1)", "Next post", id="reader.next"),
        Binding("K", "step(-1)", "Previous post", id="reader.previous"),
        Binding("c", "next_copy", "Next copy", show=False, id="reader.next_copy"),
        Binding("s", "star", "Star", id="reader.star"),
        Binding("r", "toggle_read", "Read", show=False, id="reader.read"),
        Binding("e", "toggle_archive", "Archive", show=False, id="reader.archive"),
        Binding("l", "labels", "Labels", show=False, id="reader.labels"),
        Binding("T", "toggle_script", "Script", show=False, id="reader.chinese"),
        *PostActions.POST_BINDINGS,
        *(
            Binding(
                str(digit), f"link_digit({digit})", "Link N", show=False, id=f"reader.link_{digit}"
            )
            for digit in range(10)
        ),
    ]

    def __init__(
        self,
        repo: Repository,
        config: Config,
        services: Services,
        posts: Sequence[Post],
        index: int,
        follow: Callable[[int, Post], None] | None = None,
        terms: list[str] | None = None,
        changed: Callable[[], None] | None = None,
        *,
        copies: Callable[[Post], list[Post]] | None = None,
    ) -> None:
        super().__init__(services)
        # Every file of a post's story, newest first: `c` shows the next one.
        self.copies = copies or (lambda post: [post])
        self.copy = 0  # which copy of the current story is shown
        self.terms = terms or []  # the filter's words, highlighted
        self.repo = repo
        self.config = config
        # In the table's order, as it was when the reader opened: the table's own list (never
        # changed in place), not a copy (a million posts' copy per reader held ~8 MB each, and
        # every full collection walked the copies of readers not yet collected).
        self.posts = posts
        self.index = index  # of the post shown
        self.follow = follow  # J/K tell the table, so it shows the same post when the reader closes
        self.changed = changed or (lambda: None)  # triage here: the table redraws its rows
        self._digits = ""
        self._scripts: dict[str, str] = {}  # path -> the script `c` chose for that post
        self._digit_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ArticleView(id="article")
        yield FilterBar(
            leave_to="#article",
            placeholder="search the article: Enter keeps it, Esc clears",
            id="search",
        )
        yield KeyBar()

    @property
    def search_bar(self) -> FilterBar:
        return self.query_one("#search", FilterBar)

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def row(self) -> Post | None:
        """The table's row for the story shown (its newest copy)."""
        if 0 <= self.index < len(self.posts):
            return self.posts[self.index]
        return None

    @property
    def current_post(self) -> Post | None:
        """The copy shown: the row's file, unless `c` moved on to another copy."""
        row = self.row
        if row is None:
            return None
        copies = self.copies(row)
        return copies[self.copy % len(copies)]

    def on_mount(self) -> None:
        self._show_search_bar(False)
        self.load_post()

    def load_post(self, copy: int = 0) -> None:
        row = self.row
        if row is None:
            self.app.pop_screen()
            return
        copies = self.copies(row)
        self.copy = copy % len(copies)
        post = copies[self.copy]
        status = self.query_one(StatusBar)
        status.archive = post.source
        status.counts = f"{self.index + 1:,} of {len(self.posts):,}"
        status.activity = ""
        self.search_bar.value = ""
        if len(copies) > 1:
            # The copies' folders and dates differ (the text may too): say which one this is.
            when = post.date.astimezone().strftime("%Y-%m-%d") if post.date else "no date"
            status.archive = f"{post.path} · {when}"
            status.counts += f" · copy {self.copy + 1} of {len(copies)} (c: next)"
        if self.config.mark_read_on_open and not self.repo.state.get(post.id).read:
            try:
                self.repo.state.set_read([post.id], True)
            except StateError as error:
                self.notify(f"Not saved: {error}", severity="error", markup=False)
            self.changed()
        self.show_marks()
        script = self._scripts.get(post.path, self.config.chinese)
        self.article.show_post(self.repo, post, terms=self.terms, key=post.path, script=script)

    def action_toggle_script(self) -> None:
        """Show this post in one Chinese script, or as written (the config's `chinese` is where
        each post starts). From as written it converts to the script the post is not in."""
        post = self.current_post
        if post is None:
            return
        script = self._scripts.get(post.path, self.config.chinese)
        if script != "off":
            script = "off"
        elif self.config.chinese != "off":
            script = self.config.chinese
        else:  # a title with Traditional characters: show Simplified, else Traditional
            script = "t2s" if fold_script(post.title) != post.title else "s2t"
        self._scripts[post.path] = script
        shown = {"off": "as written", "s2t": "in Traditional", "t2s": "in Simplified"}[script]
        self.notify(f"Chinese shown {shown}", timeout=2)
        self.load_post()

    def show_marks(self) -> None:
        """The post's marks in the header: ★, archived, its labels."""
        post = self.current_post
        if post is None:
            return
        state = self.repo.state.get(post.id)
        marks = [STARRED_MARK] if state.starred else []
        if state.archived:
            marks.append("archived")
        marks += [f"[{clean_line(label)}]" for label in sorted(state.labels)]
        self.query_one(StatusBar).marks = " ".join(marks)

    def rows_changed(self) -> None:
        """Triage here: the header's marks and the table's rows."""
        self.show_marks()
        self.changed()

    @on(ArticleView.Loaded)
    def _loaded(self, event: ArticleView.Loaded) -> None:
        for note in event.notes:
            self.notify(note, severity="warning", markup=False)
        if self.search_bar.value:  # typed while the post was still being drawn
            self._search(self.search_bar.value)

    @on(ArticleView.Moved)
    def _moved(self, event: ArticleView.Moved) -> None:
        self.query_one(StatusBar).position = event.position

    # --- Search ------------------------------------------------------------------------------

    def action_search(self) -> None:
        self._show_search_bar(True)
        # Focus at once (not deferred): keys typed right behind "/" must land in the search.
        self.app.set_focus(self.search_bar)

    def _show_search_bar(self, shown: bool) -> None:
        """The search bar takes the key bar's line while it is open, so the article does not
        change height (and a match just scrolled to stays on screen)."""
        self.search_bar.display = shown
        self.query_one(KeyBar).display = not shown

    def typing_target(self) -> FilterBar | None:
        bar = self.search_bar
        return bar if self.app.focused is bar else None

    def catch_up(self) -> None:
        if self.search_bar.value != self.article.search_query:
            self._search(self.search_bar.value)

    @on(Input.Changed, "#search")
    def _search_changed(self, event: Input.Changed) -> None:
        if event.value == self.search_bar.value:  # else typing has moved on already
            self._search(event.value)

    @on(Input.Submitted, "#search")
    def _search_submitted(self) -> None:
        self._show_search_bar(False)

    def on_descendant_blur(self) -> None:
        if self.search_bar.display and not self.search_bar.has_focus:
            self._show_search_bar(False)

    def _search(self, query: str) -> None:
        count = self.article.search(query)
        if not query.strip():
            self.query_one(StatusBar).activity = ""
            return
        self._show_match(1 if count else 0)

    def _show_match(self, number: int) -> None:
        count = len(self.article.matches)
        query = truncate_cells(clean_line(self.article.search_query), 20)
        text = f"/{query}: {number} of {count}" if count else f"/{query}: not found"
        self.query_one(StatusBar).activity = text

    def action_back(self) -> None:
        """Esc: clear a search first, then leave the reader."""
        if self.article.search_query:
            self.search_bar.value = ""
            self._show_search_bar(False)
            self.article.clear_search()
            self.query_one(StatusBar).activity = ""
        else:
            self.app.pop_screen()

    def action_next(self, step: int) -> None:
        """n/N: the next or previous match while searching, else the next or previous unread post."""
        if self.article.search_query:
            number, wrapped = self.article.next_match(step)
            if not number:
                self._show_match(0)
                return
            self._show_match(number)
            if wrapped:
                where = "top" if step > 0 else "bottom"
                self.notify(f"Search went round to the {where}", timeout=NEXT_POST_NOTICE)
            return
        state = self.repo.state
        order = (
            range(self.index + 1, len(self.posts)) if step > 0 else range(self.index - 1, -1, -1)
        )
        unread = next((i for i in order if not state.get(self.posts[i].id).read), None)
        if unread is None:
            self.notify("No more unread posts" if step > 0 else "No unread post before this one")
        else:
            self._go(unread)

    def action_scroll(self, direction: str) -> None:
        if direction == "down":
            self.article.scroll_down(animate=False)
        else:
            self.article.scroll_up(animate=False)

    def action_page(self, direction: str) -> None:
        if direction == "down":
            self.article.scroll_page_down(animate=False)
        else:
            self.article.scroll_page_up(animate=False)

    def action_edge(self, edge: str) -> None:
        if edge == "top":
            self.article.scroll_home(animate=False)
        else:
            self.article.scroll_end(animate=False)

    def action_next_copy(self) -> None:
        row = self.row
        if row is not None and len(self.copies(row)) > 1:
            self.load_post(self.copy + 1)
        else:
            self.notify("This post has no other copies")

    def action_step(self, step: int) -> None:
        index = self.index + step
        if 0 <= index < len(self.posts):
            self._go(index)
        else:
            self.notify("No more posts")

    def action_space(self) -> None:
        """Space pages down; on the last page it goes on to the next post, as neomutt's pager does."""
        if not self.article.at_end:
            self.article.scroll_page_down(animate=False)
        elif self.index + 1 < len(self.posts):
            self._go(self.index + 1)
            title = truncate_cells(clean_line(self.posts[self.index].title), 50)
            self.notify(f"Next post: {title}", timeout=NEXT_POST_NOTICE, markup=False)
        else:
            self.notify("End of the last post")

    def _go(self, index: int) -> None:
        """Show post `index` of the list; the table's cursor follows."""
        self.index = index
        if self.follow is not None:
            self.follow(index, self.posts[index])
        self.load_post()

    def action_star(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_star, [self.current_post]):
            self.rows_changed()

    def action_toggle_read(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_read, [self.current_post]):
            self.rows_changed()

    def action_toggle_archive(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_archive, [self.current_post]):
            self.rows_changed()

    def action_labels(self) -> None:
        if self.current_post:
            self.services.edit_labels([self.current_post], self.rows_changed)

    def action_link_digit(self, digit: int) -> None:
        """Digits pick link N from the numbered list; a second digit within a moment makes 10–99."""
        self._digits += str(digit)
        if self._digit_timer is not None:
            self._digit_timer.stop()
        if len(self._digits) >= len(str(len(self.article.links))):
            self._open_link_number()
        else:
            self._digit_timer = self.set_timer(LINK_DIGIT_WAIT, self._open_link_number)

    def _open_link_number(self) -> None:
        number, self._digits = int(self._digits or 0), ""
        links = self.article.links
        if 1 <= number <= len(links):
            self.services.confirm_link(links[number - 1], f"Link {number}")
        else:
            self.notify(f"No link {number} (this post has {len(links)})")
