"""The [keys] section of the config as Textual's keymap: an action id means the same action on every screen, and a remap that would shadow another key is refused with a warning."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tui.config import Config

# (binding id, its keys as Textual writes them: "j,down") for one screen: every binding active
# there at once (the app's, the screen's, its focused widget's).
Group = Sequence[tuple[str, str]]


def resolve(
    keys: Mapping[str, str], groups: Mapping[str, Group]
) -> tuple[dict[str, str], list[str]]:
    """The Textual keymap for the config's [keys], and a warning for each remap refused.

    A plain id (`star`) remaps that action on every screen that has it (`star` in the table,
    `reader.star` in the reader); a screen's id (`reader.star`) remaps it there only. A remap is
    refused on a screen where its key is already another action's, or another remap's.
    """
    ids = {binding for group in groups.values() for binding, _ in group}
    keymap: dict[str, str] = {}
    warnings: list[str] = []
    for name, value in keys.items():
        targets = sorted(i for i in ids if i == name or "." not in name and _plain(i) == name)
        if not targets:
            warnings.append(f"[keys] {name}: no action has this id (? lists them); ignored")
            continue
        for target in targets:
            keymap[target] = value
    refused: set[str] = set()
    for screen, group in groups.items():
        for binding, key, other in _clashes(group, keymap):
            if binding not in refused:
                refused.add(binding)
                warnings.append(
                    f"[keys] {_name(binding, keys)} = {keymap[binding]!r} refused on the {screen}:"
                    f" {key} is already {other}"
                )
    return {i: k for i, k in keymap.items() if i not in refused}, warnings


def _plain(binding: str) -> str | None:
    """The plain id a screen's binding answers to (reader.star: star); the app's own bindings
    (app.quit, ctrl+c) only by their full id."""
    screen, _, name = binding.rpartition(".")
    return None if screen == "app" else name


def _name(binding: str, keys: Mapping[str, str]) -> str:
    return binding if binding in keys else binding.rpartition(".")[2]


def _clashes(group: Group, keymap: Mapping[str, str]) -> Iterable[tuple[str, str, str]]:
    """(remapped binding, key, what else has that key) on one screen."""
    owners: dict[str, list[str]] = {}
    for binding, default in group:
        for key in _split(keymap.get(binding, default)):
            owners.setdefault(key, []).append(binding)
    for key, bindings in owners.items():
        if len(bindings) < 2:
            continue
        for binding in bindings:
            if binding in keymap and key in _split(keymap[binding]):
                others = [b for b in bindings if b != binding]
                yield binding, key, " and ".join(others)


def _split(keys: str) -> list[str]:
    return [key.strip() for key in keys.split(",") if key.strip()]


def app_groups() -> dict[str, list[tuple[str, str]]]:
    """The bindings of each of the app's screens (imports Textual and the screens)."""
    from textual.binding import Binding

    from tui.app import NewsApp
    from tui.screens.main import MainScreen
    from tui.screens.reader import ReaderScreen
    from tui.widgets.post_table import PostTable

    def bindings(*classes: type) -> list[tuple[str, str]]:
        found: dict[str, str] = {}
        for cls in classes:
            for klass in reversed(cls.__mro__):
                for item in vars(klass).get("BINDINGS", ()):
                    if isinstance(item, Binding) and item.id:
                        found[item.id] = item.key
        return list(found.items())

    return {
        "table": bindings(NewsApp, MainScreen, PostTable),
        "reader": bindings(NewsApp, ReaderScreen),
    }


def app_problems(config: Config) -> list[str]:
    """What the app would warn about at start: a missing theme, unknown ids, refused remaps."""
    problems = []
    if config.theme:
        from textual.theme import BUILTIN_THEMES

        if config.theme not in BUILTIN_THEMES:
            problems.append(
                f"{config.path}: theme {config.theme!r} does not exist; using the default"
                f" (themes: {', '.join(sorted(BUILTIN_THEMES))})"
            )
    if config.keys:
        problems.extend(resolve(config.keys, app_groups())[1])
    return problems
