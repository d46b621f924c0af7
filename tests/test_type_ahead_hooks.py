"""Fails loudly when a Textual internal that tui/widgets/type_ahead.py relies on changes: then
keys typed in a burst may silently lose their order. Check that module before raising the pin."""

from __future__ import annotations

import inspect
from importlib.metadata import version

from textual import events, keys
from textual.widgets import Input

from tui.widgets.type_ahead import TypeAheadInput, esc_then_key


def test_textual_is_the_pinned_minor_version() -> None:
    major, minor = (int(part) for part in version("textual").split(".")[:2])
    assert (major, minor) == (8, 2), "type_ahead.py was tested on Textual 8.2 only"


def test_input_still_has_the_private_handlers_overridden() -> None:
    for name in ("_on_focus", "_on_blur", "_on_key"):
        method = Input.__dict__.get(name) or getattr(Input, name, None)
        assert method is not None, f"Input.{name} is gone"
        assert list(inspect.signature(method).parameters) == ["self", "event"], name
    assert inspect.iscoroutinefunction(Input._on_key)
    assert not inspect.iscoroutinefunction(TypeAheadInput._on_focus)


def test_input_bindings_map_keys_to_bindings() -> None:
    field = TypeAheadInput()
    assert field._bindings.key_to_bindings["backspace"][0].action == "delete_left"


def test_character_to_key_still_names_keys() -> None:
    assert keys._character_to_key("/") == "slash"
    split = esc_then_key(events.Key("alt+slash", "/"))
    assert [(key.key, key.character) for key in split] == [("escape", "\x1b"), ("slash", "/")]
