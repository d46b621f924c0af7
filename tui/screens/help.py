"""The `?` screen: every key of the screen below, from the same bindings the footer and keymap use."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


def key_rows(screen: Screen) -> list[tuple[str, str, str]]:
    """(keys, description, id) for each action bound on a screen and the app, merged by action."""
    rows: dict[tuple[str, str], list[str]] = {}
    order: list[tuple[str, str]] = []
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        slot = (binding.description, binding.id or binding.action)
        if slot not in rows:
            rows[slot] = []
            order.append(slot)
        display = screen.app.get_key_display(binding)
        if display not in rows[slot]:
            rows[slot].append(display)
    return [(" ".join(rows[slot]), slot[0], slot[1]) for slot in order]


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = key_rows(screen)

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("Keys", style="bold")
        table.add_column("Does")
        table.add_column("Id (for [keys] in config)", style="dim")
        for keys, description, binding_id in self.rows:
            table.add_row(Text(keys), Text(description), Text(binding_id))
        with Vertical(classes="dialog dialog-wide"):
            yield Static(Content("Keys"), classes="dialog-title")
            with VerticalScroll(classes="dialog-output"):
                yield Static(table)
            yield Static(
                Content(
                    'In the filter: words, "phrases", -not, OR, title: author: tag: source: '
                    "path: body: is:unread|starred|archived after:3d before:2021-06 on:today @saved"
                ),
                classes="dialog-hint",
            )
            yield Static(Content("Esc, q or ? closes"), classes="dialog-hint")
