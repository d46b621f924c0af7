"""The footer: the screen's keys on one line, drawn as one widget.

Textual's Footer rebuilds a widget per key whenever the bindings change (every screen push and
focus change), which costs 20–40 ms a time; this draws the same line in well under a millisecond.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.screen import Screen
from textual.style import Style
from textual.widget import Widget


class KeyBar(Widget, can_focus=False):
    """Shows the focused screen's visible bindings as `key Description` pairs; a click presses the key."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        background: $footer-background;
        color: $footer-foreground;
        .key-bar--key { color: $footer-key-foreground; text-style: bold; }
        .key-bar--description { color: $footer-description-foreground; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) of each shown pair

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen) -> None:
        self.refresh()

    def render(self) -> Content:
        key_style = Style.from_rich_style(self.get_component_rich_style("key-bar--key"))
        text_style = Style.from_rich_style(self.get_component_rich_style("key-bar--description"))
        parts: list[Content] = []
        self._spans = []
        position = 0
        seen: set[str] = set()
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or binding.action in seen:
                continue
            seen.add(binding.action)
            pair = Content.assemble(
                (f" {self.app.get_key_display(binding)} ", key_style),
                (f"{binding.description} ", text_style),
            )
            if not enabled:
                pair = pair.stylize(Style(dim=True))
            self._spans.append((position, position + pair.cell_length, binding.key))
            position += pair.cell_length
            parts.append(pair)
        return Content("").join(parts)

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key.split(",")[0])
                return
