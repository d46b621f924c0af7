"""Where newstui keeps its own files: XDG cache, data and config folders, never the posts folder."""

from __future__ import annotations

from pathlib import Path

import platformdirs

APP = "newstui"


def cache_dir() -> Path:
    return Path(platformdirs.user_cache_dir(APP, appauthor=False))


def data_dir() -> Path:
    return Path(platformdirs.user_data_dir(APP, appauthor=False))


def state_dir() -> Path:
    """The log of unexpected failures lives here (~/.local/state/newstui)."""
    return Path(platformdirs.user_state_dir(APP, appauthor=False))


def config_dir() -> Path:
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def config_file() -> Path:
    return config_dir() / "config.toml"


def styles_dir() -> Path:
    """styles/ beside the package in a source checkout, tui/styles inside an installed wheel."""
    source_tree = Path(__file__).resolve().parent.parent / "styles"
    if source_tree.is_dir():
        return source_tree
    return Path(__file__).resolve().parent / "styles"
