"""The filter bar: an Input that hands focus back to the table itself, so keys typed right after Enter or Esc land there."""

from __future__ import annotations

from textual.binding import Binding

from tui.widgets.type_ahead import TypeAheadInput


class FilterBar(TypeAheadInput):
    BINDINGS = [Binding("escape", "clear_and_leave", "Clear filter", show=False, id="filter.clear")]

    def __init__(self, *, leave_to: str, placeholder: str = "", id: str | None = None) -> None:
        super().__init__(placeholder=placeholder, id=id, select_on_focus=False)
        # Where Enter and Esc send the focus (a selector on its screen): known from the start,
        # as keys typed at the first frame may reach Enter before the screen has mounted.
        self.leave_to = leave_to

    async def act_at_once(self, key: str) -> bool:
        # Enter and Esc leave at once, so the keys queued behind them reach the table.
        if key == "escape":
            self.action_clear_and_leave()
        elif key == "enter":
            await self.action_submit()
        return key in ("escape", "enter")

    async def action_submit(self) -> None:
        await super().action_submit()
        self._leave()

    def action_clear_and_leave(self) -> None:
        self.value = ""
        self._leave()

    def _leave(self) -> None:
        # Focus synchronously: a key already queued behind Enter must reach the table, not this input.
        self.app.set_focus(self.screen.query_one(self.leave_to))
