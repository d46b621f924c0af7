"""Shared fixtures: every test runs with its own XDG folders, so no user config, cache or state leaks in."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POSTS = ROOT / "sample_posts"


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        (home / name).mkdir()
        monkeypatch.setenv(name, str(home / name))
    monkeypatch.delenv("NO_COLOR", raising=False)
    return home


def write_post(
    root: Path, rel: str, title: str, date: str, body: str = "<p>Body text.</p>", **extra: str
) -> Path:
    """A small Jekyll-style post file; extra keys go into the front matter as written."""
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["---", "layout: post", f'title: "{title}"', f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    lines += ["---", body]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
