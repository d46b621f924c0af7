"""The sidebar of saved searches and labels, like mutt's mailboxes or newsboat's query feeds:
each search with its unread count, each label with its count of stories."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from tui.text import clean_line, pad_cells

# Always offered above the user's own searches.
BUILT_IN = {
    "All posts": "",
    "Unread": "is:unread",
    "Starred": "is:starred",
    "Archived": "is:archived",
}
_WIDTH = 24  # cells inside the sidebar's 28 (border and scroll bar)


@dataclass(frozen=True, slots=True)
class SearchCount:
    name: str
    query: str  # as the filter bar should show it: "@name" for saved ones, "label:x" for labels
    unread: int | None  # None while counting, or when the saved query does not parse
    total: int | None


class SavedSearches(OptionList):
    """Enter (or a click) picks a search or a label; the screen puts its query in the filter bar."""

    DEFAULT_CSS = """
    SavedSearches { width: 28; border: none; border-right: vkey $panel-lighten-2; padding: 0; }
    """
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    @dataclass
    class Picked(Message):
        query: str

    def show_counts(
        self, counts: Sequence[SearchCount], labels: Sequence[SearchCount] = ()
    ) -> None:
        """Searches with their unread counts, then labels with their story counts (total)."""
        highlighted = self.highlighted
        self.clear_options()
        self.add_option(_heading("Searches", "unread"))
        for count in counts:
            self.add_option(Option(_row(count.name, count.unread), id=count.query or "\x00all"))
        if labels:
            self.add_option(_heading("Labels", "stories"))
            for count in labels:
                self.add_option(Option(_row(count.name, count.total), id=count.query))
        # Something is highlighted from the start, so Enter and j/k have a place to act.
        first = 1
        self.highlighted = first if highlighted is None else max(first, highlighted)
        if self.highlighted is not None and self.highlighted >= self.option_count:
            self.highlighted = self.option_count - 1

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        self.post_message(self.Picked("" if option_id == "\x00all" else option_id))


def _heading(title: str, counts: str) -> Option:
    label = Text(pad_cells(title, _WIDTH - 8), style="bold")
    label.append(f"{counts:>8}", style="dim")
    return Option(label, disabled=True)


def _row(name: str, number: int | None) -> Text:
    label = Text(pad_cells(clean_line(name), _WIDTH - 8))
    if number is None:
        label.append("     …", style="dim")
    else:
        label.append(f"{number:>8,}", style="bold" if number else "dim")
    return label
