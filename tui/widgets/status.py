"""The one-line header: which archive, how many posts are shown of how many, and what is going on."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive
from textual.timer import Timer
from textual.widget import Widget

from tui.text import clean_line, truncate_cells, truncate_cells_left


class StatusBar(Widget):
    """Counts on the left, activity (indexing progress, notices) on the right. Text, never markup."""

    DEFAULT_CSS = """
    StatusBar { height: 1; background: $panel; color: $foreground; }
    """

    archive: reactive[str] = reactive("")
    counts: reactive[str] = reactive("")
    activity: reactive[str] = reactive("")
    marks: reactive[str] = reactive("")  # the reader's post: ★, archived, labels
    position: reactive[str] = reactive("")  # the reader's scroll position: Top, 42%, Bot
    # An unexpected failure (tui/app.py): shown instead of the activity for a while, so that
    # the next progress line of a running index does not hide it at once.
    failure: reactive[str] = reactive("")
    FAILURE_SECONDS = 15.0
    _failure_timer: Timer | None = None

    def report_failure(self, line: str) -> None:
        self.failure = line
        if self._failure_timer is not None:
            self._failure_timer.stop()
        self._failure_timer = self.set_timer(self.FAILURE_SECONDS, self._forget_failure)

    def _forget_failure(self) -> None:
        self.failure = ""

    def render(self) -> Content:
        # Counts matter most, then the position, the marks and the activity; the folder gets
        # what room is left, cut from the left.
        head = Content.assemble((" newstui ", "bold reverse"), " ", self.counts, "  ")
        position = Content.styled(f" {self.position} ", "bold") if self.position else Content("")
        if self.marks:
            room = self.size.width - head.cell_length - position.cell_length - 1
            head += Content.styled(truncate_cells(clean_line(self.marks), room), "bold") + "  "
        room = self.size.width - head.cell_length - position.cell_length - 1
        activity = truncate_cells(clean_line(self.failure or self.activity), room)
        style = "bold $text-error" if self.failure else ""
        right = (Content.styled(activity + " ", style) if activity else Content("")) + position
        room = self.size.width - head.cell_length - right.cell_length - 1
        archive = truncate_cells_left(clean_line(self.archive), room)
        left = head + Content.styled(archive, "dim")
        gap = self.size.width - left.cell_length - right.cell_length
        if gap < 1:
            return left.truncate(max(0, self.size.width - right.cell_length), ellipsis=True) + right
        return left + " " * gap + right
