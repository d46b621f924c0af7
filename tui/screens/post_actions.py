"""What both screens share: keys that act in the order they were typed, and what they do with the
post in front of the user (open or copy its url, copy it, pipe it)."""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.screen import Screen

from tui.model import Post
from tui.screens.dialogs import PromptScreen
from tui.screens.services import Services
from tui.widgets.type_ahead import TypeAheadInput


class PostActions(Screen):
    """A screen with a current post; subclasses say which post that is."""

    POST_BINDINGS = [
        Binding("o", "open_url", "Open url", show=False, id="open_url"),
        Binding("y", "copy_url", "Copy url", show=False, id="copy_url"),
        Binding("Y", "copy_markdown", "Copy Markdown", show=False, id="copy_markdown"),
        Binding("vertical_line", "pipe", "Pipe", show=False, id="pipe"),
    ]

    def __init__(self, services: Services) -> None:
        super().__init__()
        self.services = services

    @property
    def current_post(self) -> Post | None:
        raise NotImplementedError

    def catch_up(self) -> None:
        """Bring the screen up to date with keys already typed, before a binding acts."""

    def typing_target(self) -> TypeAheadInput | None:
        """Where letters typed in a burst behind a key that opened it belong (the filter bar)."""
        return None

    async def on_key(self, event: events.Key) -> None:
        # Textual routes each key to the widget focused when it arrives, and runs bindings only
        # once the key has bubbled up to the app. In a burst ("/abc" or "lfoo" in one SSH packet,
        # or typed at the first frame) every key bubbles past here before the first binding has
        # moved the focus, and the letters are lost. So bindings run here, in arrival order, and
        # letters behind a key that opened the filter or a prompt are typed into it.
        printable = event.is_printable and bool(event.character)
        screen = self.app.screen
        if screen is not self:
            if isinstance(screen, PromptScreen):
                # "l 待讀 Enter" in one burst: the letters and the Enter were meant for the prompt.
                if screen.take_ahead(event):
                    event.stop()
            elif isinstance(screen, PostActions) and self not in self.app.screen_stack:
                # Typed right behind the key that closed this screen ("Esc q"): it was meant for
                # the screen below, now on top.
                event.stop()
                await screen.on_key(event)
            return
        target = self.typing_target()
        if target is not None and printable:
            target.type_ahead(event.character or "")
            event.stop()
            return
        active = self.active_bindings.get(event.key)
        if active is not None and active.enabled:
            event.stop()
            self.catch_up()
            await self.app.run_action(active.binding.action, active.node)

    def action_open_url(self) -> None:
        if post := self.current_post:
            self.services.open_post_url(post)

    def action_copy_url(self) -> None:
        if post := self.current_post:
            self.services.copy_url(post)

    def action_copy_markdown(self) -> None:
        if post := self.current_post:
            self.services.copy_markdown(post)

    def action_pipe(self) -> None:
        if post := self.current_post:
            self.services.pipe_post(post)
