"""An Input that keeps the order of keys typed in a burst, across two of Textual's key queues."""

from __future__ import annotations

from textual import events
from textual.widgets import Input


class TypeAheadInput(Input):
    """Textual queues each key at the widget focused when it arrives. In a burst ("/abc" or
    "lfoo" in one SSH packet) the first letters wait behind the key that moved the focus here,
    at the widget that had it (its screen types them in with type_ahead()), and the later ones
    queue here; the two queues run in no set order ("020body:港 after:2" was seen in tmux).
    Keys typed ahead are older than any this input got itself, so they go before those."""

    _ahead_at: int | None = None  # where the next key typed ahead goes; None: at the cursor

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        if self._ahead_at is None:  # else keys typed ahead came in before this Focus
            self._ahead_at = self.cursor_position

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._ahead_at = None

    def type_ahead(self, text: str) -> None:
        """Type text that was typed before the focus got here, after any typed ahead before it."""
        value, cursor = self.value, self.cursor_position
        at = cursor if self._ahead_at is None else min(self._ahead_at, len(value))
        self.value = value[:at] + text + value[at:]
        self._ahead_at = at + len(text)
        self.cursor_position = cursor + len(text) if cursor >= at else cursor
