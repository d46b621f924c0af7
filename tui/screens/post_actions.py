"""What both screens do with the post in front of the user: open or copy its url, copy it, pipe it."""

from __future__ import annotations

from typing import TYPE_CHECKING, cast

from textual.binding import Binding
from textual.screen import Screen

from tui.model import Post

if TYPE_CHECKING:
    from tui.app import NewsApp


class PostActions(Screen):
    """A screen with a current post; subclasses say which post that is."""

    POST_BINDINGS = [
        Binding("o", "open_url", "Open url", show=False, id="open_url"),
        Binding("y", "copy_url", "Copy url", show=False, id="copy_url"),
        Binding("Y", "copy_markdown", "Copy Markdown", show=False, id="copy_markdown"),
        Binding("vertical_line", "pipe", "Pipe", show=False, id="pipe"),
    ]

    @property
    def news(self) -> NewsApp:
        return cast("NewsApp", self.app)

    @property
    def current_post(self) -> Post | None:
        raise NotImplementedError

    def action_open_url(self) -> None:
        if post := self.current_post:
            self.news.open_post_url(post)

    def action_copy_url(self) -> None:
        if post := self.current_post:
            self.news.copy_url(post)

    def action_copy_markdown(self) -> None:
        if post := self.current_post:
            self.news.copy_markdown(post)

    def action_pipe(self) -> None:
        if post := self.current_post:
            self.news.pipe_post(post)
