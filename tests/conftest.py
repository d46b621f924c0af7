"""Shared fixtures: every test runs with its own XDG folders, so no user config, cache or state leaks in."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SAMPLE_POSTS = ROOT / "sample_posts"


@pytest.fixture(autouse=True)
def isolated_xdg(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        (home / name).mkdir()
        monkeypatch.setenv(name, str(home / name))
    monkeypatch.delenv("NO_COLOR", raising=False)
    # Draw as a truecolor terminal does, whatever terminal runs the tests (the post table's
    # cursor differs in 16 colours); tests of 16 colours unset it and set TERM=xterm.
    monkeypatch.setenv("COLORTERM", "truecolor")
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


@pytest.fixture
def no_delays(monkeypatch: pytest.MonkeyPatch) -> None:
    """The preview and sparkline wait for typing or the cursor to pause; in a test they need not
    wait, only run, so what is drawn does not depend on how fast the machine is."""
    from tui.screens import main as main_screen

    for name in ("PREVIEW_DELAY", "TYPING_PAUSE", "TIMELINE_DELAY"):
        monkeypatch.setattr(main_screen, name, 0.001)


@pytest.fixture
def sample(tmp_path: Path) -> Path:
    """A copy of sample_posts/ whose header path is the same on every machine."""
    root = tmp_path / "sample_posts"
    shutil.copytree(SAMPLE_POSTS, root)
    return root


async def workers_done(app) -> None:
    """Wait for the app's workers. An exclusive worker replaced by a newer one (the preview when
    the cursor moves) ends cancelled: that is normal here, not a failure."""
    from textual.worker import WorkerCancelled

    for _ in range(5):
        try:
            await app.workers.wait_for_complete()
            return
        except WorkerCancelled:
            continue
