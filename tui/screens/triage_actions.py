"""Triage in the post table: read, star, archive, labels, the selection, undo, next unread."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from tui import triage
from tui.model import Post
from tui.repository import Repository
from tui.screens.post_actions import PostActions
from tui.screens.services import Services
from tui.state import StateError, StateStore
from tui.stories import Stories, group
from tui.widgets.post_table import PostTable, RowFlags

Verb = Callable[[StateStore, Sequence[Post]], str]


class TriageActions(PostActions):
    """The table's triage keys. The screen says what follows a change (rows_changed, refilter)."""

    def __init__(self, repo: Repository, services: Services) -> None:
        super().__init__(services)
        self.repo = repo
        self.selected: set[str] = set()  # ids of the selected stories (post.id)
        self.stories: Stories = group([])  # the files behind the table's rows

    @property
    def table(self) -> PostTable:
        return self.query_one(PostTable)

    def rows_changed(self) -> None:
        """Flags changed (read, starred, selected): redraw the rows and what counts them."""
        self.table.refresh_rows()

    def refilter(self) -> None:
        """Triage changed which posts the filter shows (archive, undo): filter again."""
        self.rows_changed()

    def targets(self) -> list[Post]:
        """The selected posts that are shown, or else the one under the cursor."""
        if self.selected:
            shown = [post for post in self.table.posts if post.id in self.selected]
            if shown:
                return shown
        post = self.table.current_post
        return [post] if post else []

    def flags_for(self, post: Post) -> RowFlags:
        state = self.repo.state.get(post.id)
        return RowFlags(
            unread=not state.read,
            starred=state.starred,
            selected=post.id in self.selected,
            copies=self.stories.count(post),
            problem=bool(post.problems),
        )

    def _triage(
        self, verb: Verb, posts: list[Post] | None = None, *, refilter: bool = False
    ) -> None:
        if self.services.triage(verb, self.targets() if posts is None else posts):
            if refilter:
                self.refilter()
            else:
                self.rows_changed()

    def action_toggle_read(self) -> None:
        self._triage(triage.toggle_read)

    def action_toggle_star(self) -> None:
        self._triage(triage.toggle_star)

    def action_toggle_archive(self) -> None:
        posts = self.targets()
        # Archived posts leave the view, so they leave the selection too.
        self.selected -= {post.id for post in posts}
        self._triage(triage.toggle_archive, posts, refilter=True)

    def action_mark_all_read(self) -> None:
        self._triage(triage.mark_read, list(self.table.posts))

    def action_labels(self) -> None:
        posts = self.targets()
        if posts:
            self.services.edit_labels(posts, self.rows_changed)

    def action_select(self) -> None:
        post = self.table.current_post
        if post is None:
            return
        self.selected.symmetric_difference_update({post.id})
        self.table.move_to(self.table.cursor + 1)
        self.rows_changed()

    def action_select_all(self) -> None:
        self.selected.update(post.id for post in self.table.posts)
        self.rows_changed()

    def action_undo(self) -> None:
        try:
            done = self.repo.state.undo()
        except StateError as error:
            self.notify(f"Could not undo: {error}", severity="error", markup=False)
            return
        self.notify(f"Undone: {done}" if done else "Nothing to undo", markup=False)
        self.refilter()

    def _step_unread(self, step: int) -> None:
        posts = self.table.posts
        index = self.table.cursor + step
        while 0 <= index < len(posts):
            if not self.repo.state.get(posts[index].id).read:
                self.table.move_to(index)
                return
            index += step
        self.notify("No more unread posts")

    def action_next_unread(self) -> None:
        self._step_unread(1)

    def action_previous_unread(self) -> None:
        self._step_unread(-1)

    def poll_state(self) -> None:
        """Pick up triage done by another newstui on the same archive (another SSH session)."""
        if self.repo.state.poll():
            self.rows_changed()
