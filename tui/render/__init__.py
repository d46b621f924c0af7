"""Body rendering: a post's HTML or Markdown body to clean Markdown for the reader and `newstui show`."""

from tui.render.markdown import Rendered, plain_text, render_post

__all__ = ["Rendered", "plain_text", "render_post"]
