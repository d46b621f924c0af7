"""The reader: one post full-screen, scrolled with the keyboard, with its links a digit away."""

from __future__ import annotations

from collections.abc import Callable

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.timer import Timer

from tui import triage
from tui.config import Config
from tui.model import Post
from tui.repository import Repository
from tui.screens.post_actions import PostActions
from tui.screens.services import Services
from tui.state import StateError
from tui.widgets.article import ArticleView
from tui.widgets.key_bar import KeyBar
from tui.widgets.status import StatusBar

LINK_DIGIT_WAIT = 0.7  # seconds to wait for a second digit before opening link N


class ReaderScreen(PostActions):
    BINDINGS = [
        Binding("question_mark", "app.help", "Help", id="reader.help"),
        Binding("escape,q", "app.pop_screen", "Back", id="reader.back"),
        Binding("j,down", "scroll('down')", "Down", show=False, id="reader.down"),
        Binding("k,up", "scroll('up')", "Up", show=False, id="reader.up"),
        Binding("space,pagedown,f", "page('down')", "Page down", show=False, id="reader.page_down"),
        Binding("b,pageup", "page('up')", "Page up", show=False, id="reader.page_up"),
        Binding("g,home", "edge('top')", "Top", show=False, id="reader.top"),
        Binding("G,end", "edge('bottom')", "Bottom", show=False, id="reader.bottom"),
        Binding("J", "step(1)", "Next post", id="reader.next"),
        Binding("K", "step(-1)", "Previous post", id="reader.previous"),
        Binding("s", "star", "Star", id="reader.star"),
        Binding("r", "toggle_read", "Read", show=False, id="reader.read"),
        Binding("e", "toggle_archive", "Archive", show=False, id="reader.archive"),
        Binding("l", "labels", "Labels", show=False, id="reader.labels"),
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
        posts: tuple[Post, ...],
        index: int,
        follow: Callable[[int, Post], None] | None = None,
        terms: list[str] | None = None,
        changed: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(services)
        self.terms = terms or []  # the filter's words, highlighted
        self.repo = repo
        self.config = config
        self.posts = posts  # in the table's order, as it was when the reader opened
        self.index = index  # of the post shown
        self.follow = follow  # J/K tell the table, so it shows the same post when the reader closes
        self.changed = changed or (lambda: None)  # triage here: the table redraws its rows
        self._digits = ""
        self._digit_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ArticleView(id="article")
        yield KeyBar()

    @property
    def article(self) -> ArticleView:
        return self.query_one(ArticleView)

    @property
    def current_post(self) -> Post | None:
        if 0 <= self.index < len(self.posts):
            return self.posts[self.index]
        return None

    def on_mount(self) -> None:
        self.article.focus()
        self.load_post()

    def load_post(self) -> None:
        post = self.current_post
        if post is None:
            self.app.pop_screen()
            return
        status = self.query_one(StatusBar)
        status.archive = post.source
        status.counts = f"{self.index + 1:,} of {len(self.posts):,}"
        if self.config.mark_read_on_open and not self.repo.state.get(post.id).read:
            try:
                self.repo.state.set_read([post.id], True)
            except StateError as error:
                self.notify(f"Not saved: {error}", severity="error", markup=False)
            self.changed()
        self.article.show_post(self.repo, post, terms=self.terms, key=post.path)

    @on(ArticleView.Loaded)
    def _loaded(self, event: ArticleView.Loaded) -> None:
        for note in event.notes:
            self.notify(note, severity="warning", markup=False)

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

    def action_step(self, step: int) -> None:
        index = self.index + step
        if 0 <= index < len(self.posts):
            self.index = index
            if self.follow is not None:
                self.follow(index, self.posts[index])
            self.load_post()
        else:
            self.notify("No more posts")

    def action_star(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_star, [self.current_post]):
            self.changed()

    def action_toggle_read(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_read, [self.current_post]):
            self.changed()

    def action_toggle_archive(self) -> None:
        if self.current_post and self.services.triage(triage.toggle_archive, [self.current_post]):
            self.changed()

    def action_labels(self) -> None:
        if self.current_post:
            self.services.edit_labels([self.current_post], self.changed)

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
