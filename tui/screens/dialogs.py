"""Small modal dialogs: a link to confirm, a line of text to ask for, a block of output to show."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import SuggestFromList
from textual.widgets import Input, Static

from tui.links import openable
from tui.text import clean, clean_line


class LinkScreen(ModalScreen[str | None]):
    """Shows a link's full address before anything happens to it. Returns "open", "copy" or None."""

    BINDINGS = [
        Binding("o,enter", "choose('open')", "Open", id="link.open"),
        Binding("y", "choose('copy')", "Copy", id="link.copy"),
        Binding("escape,q", "dismiss", "Cancel", id="link.cancel"),
    ]

    def __init__(self, url: str, label: str = "Link") -> None:
        super().__init__(classes="dialog-screen")
        self.url = url
        self.label = label

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.label), classes="dialog-title")
            yield Static(Content(clean_line(self.url)), classes="dialog-url")
            hint = (
                "o/Enter open · y copy · Esc cancel"
                if openable(self.url)
                else "Only http, https and mailto links open · y copy · Esc cancel"
            )
            yield Static(Content(hint), classes="dialog-hint")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line of text, with completion from a list. Returns the text, or None on Esc."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="prompt.cancel")]

    def __init__(
        self, title: str, hint: str = "", suggestions: list[str] | None = None, value: str = ""
    ):
        super().__init__(classes="dialog-screen")
        self.prompt_title = title
        self.hint = hint
        self.suggestions = suggestions or []
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.prompt_title), classes="dialog-title")
            suggester = (
                SuggestFromList(self.suggestions, case_sensitive=False)
                if self.suggestions
                else None
            )
            yield Input(value=self.value, suggester=suggester)
            if self.hint:
                yield Static(Content(self.hint), classes="dialog-hint")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(event.value)


class OutputScreen(ModalScreen[None]):
    """Shows a command's output as plain text (it may echo post text: never markup)."""

    BINDINGS = [Binding("escape,q,enter", "dismiss", "Close", id="output.close")]

    def __init__(self, title: str, output: str) -> None:
        super().__init__(classes="dialog-screen")
        self.output_title = title
        self.output = output

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog dialog-wide"):
            yield Static(Content(clean_line(self.output_title)), classes="dialog-title")
            with VerticalScroll(classes="dialog-output"):
                yield Static(Content(clean(self.output) or "(no output)"))
            yield Static(Content("Esc or q closes"), classes="dialog-hint")
