"""Body rendering: a post's HTML or Markdown body to clean Markdown for the reader and `newstui show`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tui.render.markdown import Rendered, plain_text, render_post

__all__ = ["Rendered", "plain_text", "render_post"]


def __getattr__(name: str) -> Any:
    # lxml and html2text are loaded when the first post is rendered, not at start-up.
    if name in __all__:
        from tui.render import markdown

        return getattr(markdown, name)
    raise AttributeError(name)
