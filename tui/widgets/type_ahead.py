"""Keys typed in a burst act in the order they were typed: the one module that leans on Textual
internals for it (Textual is pinned to the minor version this was tested on, >=8.2,<8.3, and
tests/test_type_ahead_hooks.py fails loudly when one of these hooks changes).

The Textual limitation: a key event is queued at the widget that has the focus when the key
arrives, and a binding runs only once the key has bubbled up to the screen or the app. In a
burst ("/abc", "lfoo", "Esc q" in one SSH packet, or keys typed at the first frame) every key is
queued before the first one's binding has moved the focus, so the letters behind "/" go to the
table (and are lost), the ones that arrive later to the input, and the two queues are drained in
no set order ("020body:港 after:2" was seen in tmux). Textual has no public way to type text
into an Input "before" keys it already holds, to run an Input's editing binding (ctrl+u,
backspace) in arrival order, or to tell a key a terminal sent as Esc+key apart from alt+key.
So, here and only here:
- TypeAheadInput overrides Input._on_focus and _on_blur (to know where keys typed ahead of the
  focus go) and Input._on_key (to skip a key that arrived after the focus left, and to run its
  editing bindings, read from Input._bindings, at once);
- esc_then_key() uses textual.keys._character_to_key to rebuild the key name of a character.
"""

from __future__ import annotations

from textual import events
from textual.keys import _character_to_key
from textual.widgets import Input


class TypeAheadInput(Input):
    """Textual queues each key at the widget focused when it arrives. In a burst the first letters
    wait behind the key that moved the focus here, at the widget that had it (its screen types
    them in with type_ahead()), and the later ones queue here. Keys typed ahead are older than any
    this input got itself, so they go before those."""

    _ahead_at: int | None = None  # where the next key typed ahead goes; None: at the cursor

    def _on_focus(self, event: events.Focus) -> None:
        super()._on_focus(event)
        if self._ahead_at is None:  # else keys typed ahead came in before this Focus
            self._ahead_at = self.cursor_position

    def _on_blur(self, event: events.Blur) -> None:
        super()._on_blur(event)
        self._ahead_at = None

    async def _on_key(self, event: events.Key) -> None:
        # A key queued here before the focus moved on ("Esc q" in one packet: the q is here when
        # Esc leaves) skips the Input (no prevent_default: Textual would call Input._on_key next)
        # and bubbles to the screen, which runs it as the table's key.
        if self.screen.focused is not self:  # has_focus changes only once Blur is handled
            event.prevent_default()
        elif await self.act_at_once(event.key):
            event.stop()
            event.prevent_default()
        elif bindings := self._bindings.key_to_bindings.get(event.key):
            # An editing key (ctrl+u, backspace, ctrl+w, ...) would act only once it had bubbled
            # up to the app, after letters queued behind it were typed: "/ ctrl+u abc" in one
            # burst cleared "abc". Act in arrival order instead.
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[0].action)

    async def act_at_once(self, key: str) -> bool:
        """A subclass's keys that must act ahead of what follows (Enter, Esc); True if it did."""
        return False

    def type_ahead(self, text: str) -> None:
        """Type text that was typed before the focus got here, after any typed ahead before it."""
        value, cursor = self.value, self.cursor_position
        at = cursor if self._ahead_at is None else min(self._ahead_at, len(value))
        self.value = value[:at] + text + value[at:]
        self._ahead_at = at + len(text)
        self.cursor_position = cursor + len(text) if cursor >= at else cursor


def esc_then_key(event: events.Key) -> list[events.Key]:
    """A terminal sends Esc and a key typed right behind it in one read, which parses as alt+key
    ("Esc q" over SSH): the two keys it was."""
    character = event.character or ""
    name = character if character.isalnum() else _character_to_key(character)
    return [events.Key("escape", "\x1b"), events.Key(name, character)]
