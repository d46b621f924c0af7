"""Small modal dialogs: a link to confirm, a line of text to ask for, a block of output to show."""

from __future__ import annotations

from collections.abc import Callable

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Input, Static

from tui.links import openable
from tui.text import clean, clean_line, display_url
from tui.widgets.type_ahead import TypeAheadInput


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
            # Shown decoded (IRI form, Chinese as Chinese); opened and copied exactly as it is.
            yield Static(Content(display_url(self.url)), classes="dialog-url")
            hint = (
                "o/Enter open · y copy · Esc cancel"
                if openable(self.url)
                else "Only http, https and mailto links open · y copy · Esc cancel"
            )
            yield Static(Content(hint), classes="dialog-hint")

    def action_choose(self, choice: str) -> None:
        self.dismiss(choice)


class LabelSuggester(Suggester):
    """Completes the label being typed: after a comma, and after the - that removes one."""

    def __init__(self, labels: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.labels = labels

    async def get_suggestion(self, value: str) -> str | None:
        head, comma, last = value.rpartition(",")
        stripped = last.lstrip()
        prefix = last[: len(last) - len(stripped)]
        if stripped.startswith("-"):
            prefix, stripped = prefix + "-", stripped[1:]
        if not stripped:
            return None
        for label in self.labels:
            if label.lower().startswith(stripped.lower()) and label != stripped:
                return f"{head}{comma}{prefix}{label}"
        return None


class PromptScreen(ModalScreen[str | None]):
    """Asks for one line of text, with completion. Returns the text, or None on Esc."""

    BINDINGS = [
        Binding("escape", "dismiss", "Cancel", id="prompt.cancel"),
        Binding("tab", "complete", "Complete", show=False, id="prompt.complete"),
    ]

    def __init__(
        self,
        title: str,
        hint: str = "",
        suggester: Suggester | None = None,
        value: str = "",
        check: Callable[[str], str | None] | None = None,
    ) -> None:
        """check, optional, says why a text cannot be taken (or None): the prompt then stays
        open and shows the reason, so what is typed next still goes into it."""
        super().__init__(classes="dialog-screen")
        self.check = check
        self.prompt_title = title
        self.hint = hint
        self.suggester = suggester
        self.value = value
        self._typed_ahead = ""  # keys that arrived before the input was there to take them
        self._key_ahead = ""  # and Enter or Esc behind them

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Content(self.prompt_title), classes="dialog-title")
            yield TypeAheadInput(value=self.value, suggester=self.suggester)
            if self.hint:
                yield Static(Content(self.hint), classes="dialog-hint")
            if self.check is not None:
                yield Static(Content(""), classes="dialog-hint", id="prompt-problem")

    def on_mount(self) -> None:
        if self._typed_ahead:
            self.query_one(TypeAheadInput).type_ahead(self._typed_ahead)
        if self._key_ahead:
            self._take_key(self._key_ahead)

    def on_key(self, event: events.Key) -> None:
        # The app hands a key to the focused widget, or to the screen while nothing has the
        # focus: keys that come in between this prompt's push and its input's focus arrive here
        # ("l 待讀" labelled "讀" under load). Keys the input had stop there, or bubble past
        # a screen that is no longer on top; Esc is the cancel binding's, focus or not.
        if self.app.screen is self and event.key != "escape" and self.take_ahead(event):
            event.stop()

    def take_ahead(self, event: events.Key) -> bool:
        """A key typed before the input had the focus (here, or queued at the screen below):
        a letter goes into the input, Enter or Esc takes or cancels it. True if it was one."""
        if event.is_printable and event.character:
            self.type_ahead(event.character)
        elif event.key in ("enter", "escape"):
            self.key_ahead(event.key)
        else:
            return False
        return True

    def type_ahead(self, text: str) -> None:
        """Text typed right behind the key that opened this prompt (see PostActions.on_key)."""
        if self.is_mounted:  # else on_mount types it, in order, once the input is there
            self.query_one(TypeAheadInput).type_ahead(text)
        else:
            self._typed_ahead += text

    def key_ahead(self, key: str) -> None:
        """Enter or Esc typed right behind the text typed ahead (see type_ahead): take the text,
        or cancel, as the input would have (once it is there)."""
        if self.is_mounted:
            self._take_key(key)
        else:
            self._key_ahead = key

    def _take_key(self, key: str) -> None:
        if key == "escape":
            self.dismiss(None)
        else:
            self.take(self.query_one(TypeAheadInput).value)

    def action_complete(self) -> None:
        prompt = self.query_one(Input)
        prompt.cursor_position = len(prompt.value)
        prompt.action_cursor_right()  # at the end of the text this accepts the suggestion

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.take(event.value)

    def take(self, text: str) -> None:
        """Close with text, unless check says why it cannot be taken."""
        problem = self.check(text) if self.check is not None else None
        if problem:
            for shown in self.query("#prompt-problem").results(Static):  # (not yet if typed ahead)
                shown.update(Content(clean_line(problem)))
            return
        self.dismiss(text)


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
