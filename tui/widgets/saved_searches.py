"""The sidebar of saved searches, like mutt's mailboxes or newsboat's query feeds: each with its unread count."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import on
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


@dataclass(frozen=True, slots=True)
class SearchCount:
    name: str
    query: str  # as the filter bar should show it: "@name" for saved ones
    unread: int | None  # None while counting, or when the saved query does not parse
    total: int | None


class SavedSearches(OptionList):
    """Enter (or a click) picks a search; the screen puts its query in the filter bar."""

    DEFAULT_CSS = """
    SavedSearches { width: 28; border: none; border-right: vkey $panel-lighten-2; padding: 0; }
    """

    @dataclass
    class Picked(Message):
        query: str

    def show_counts(self, counts: list[SearchCount]) -> None:
        highlighted = self.highlighted
        self.clear_options()
        width = 24
        for count in counts:
            label = Text(pad_cells(clean_line(count.name), width - 8))
            if count.unread is None:
                label.append("     …", style="dim")
            else:
                label.append(f"{count.unread:>8,}", style="bold" if count.unread else "dim")
            self.add_option(Option(label, id=count.query or "\x00all"))
        if highlighted is not None and self.option_count:
            self.highlighted = min(highlighted, self.option_count - 1)

    @on(OptionList.OptionSelected)
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        option_id = event.option.id or ""
        self.post_message(self.Picked("" if option_id == "\x00all" else option_id))
