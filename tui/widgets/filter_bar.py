"""The filter bar: an Input that hands focus back to the table itself, so keys typed right after Enter or Esc land there."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.widget import Widget

from tui.widgets.type_ahead import TypeAheadInput


class FilterBar(TypeAheadInput):
    BINDINGS = [Binding("escape", "clear_and_leave", "Clear filter", show=False, id="filter.clear")]

    def __init__(self, *, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)
        self.leave_to: Widget | None = None  # where Enter and Esc send the focus

    async def _on_key(self, event: events.Key) -> None:
        # Keys queue at the widget focused when they arrive: in a burst ("Esc q" in one packet)
        # the q is already here when Esc moves the focus on. Such a key skips the Input (no
        # prevent_default: Textual would call Input._on_key next) and bubbles to the screen,
        # which runs it as the table's key. Enter, Esc and the editing keys act at once, ahead of
        # what follows.
        if self.screen.focused is not self:  # has_focus changes only once Blur is handled
            event.prevent_default()
        elif event.key in ("escape", "enter"):
            event.stop()
            event.prevent_default()
            if event.key == "escape":
                self.action_clear_and_leave()
            else:
                await self.action_submit()
        elif bindings := self._bindings.key_to_bindings.get(event.key):
            # An editing key (ctrl+u, backspace, ctrl+w, ...) would act only once it had bubbled
            # up to the app, after letters queued behind it were typed: "/ ctrl+u abc" in one
            # burst cleared "abc". Act in arrival order instead.
            event.stop()
            event.prevent_default()
            await self.run_action(bindings[0].action)

    async def action_submit(self) -> None:
        await super().action_submit()
        self._leave()

    def action_clear_and_leave(self) -> None:
        self.value = ""
        self._leave()

    def _leave(self) -> None:
        # Focus synchronously: a key already queued behind Enter must reach the table, not this input.
        if self.leave_to is not None:
            self.app.set_focus(self.leave_to)
