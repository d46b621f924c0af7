"""The `?` screen: every key of the screen below, from the same bindings the footer and keymap use."""

from __future__ import annotations

from typing import NamedTuple

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Static


class KeyRow(NamedTuple):
    keys: str  # every key bound to the action, as the footer shows them
    description: str
    id: str  # what the config's [keys] table uses to remap it
    action: str
    node: DOMNode  # where the action runs


def key_rows(screen: Screen) -> list[KeyRow]:
    """One row for each described action bound on a screen, its focused widgets and the app."""
    rows: dict[tuple[str, str], KeyRow] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if not binding.description:
            continue
        slot = (binding.description, binding.id or binding.action)
        display = screen.app.get_key_display(binding)
        row = rows.get(slot)
        if row is None:
            rows[slot] = KeyRow(display, binding.description, slot[1], binding.action, active.node)
        elif display not in row.keys.split(" "):
            rows[slot] = row._replace(keys=f"{row.keys} {display}")
    # The screen's own actions first; moving keys of the focused widget after them.
    rank = {id(screen): 0, id(screen.app): 1}
    return sorted(rows.values(), key=lambda row: rank.get(id(row.node), 2))


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,q,question_mark", "dismiss", "Close", id="help.close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__(classes="dialog-screen")
        self.rows = key_rows(screen)

    def compose(self) -> ComposeResult:
        table = Table(box=None, padding=(0, 2), show_header=True, header_style="bold")
        table.add_column("Keys", style="bold")
        table.add_column("Does")
        table.add_column(Text("Id (for [keys] in config)"), style="dim")
        for row in self.rows:
            table.add_row(Text(row.keys), Text(row.description), Text(row.id))
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
