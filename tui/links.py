"""Which links newstui will follow, and how it opens them: a browser where there is a display, the clipboard where there is not."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import webbrowser

OPENABLE_SCHEMES = ("http://", "https://", "mailto:")


def openable(url: str) -> bool:
    """Only web and mail links open: never a local path, javascript:, file: or anything else."""
    return url.strip().lower().startswith(OPENABLE_SCHEMES)


def has_display() -> bool:
    """Whether a browser could show anything: over SSH without X forwarding it could not."""
    if sys.platform in ("darwin", "win32"):
        return not os.environ.get("SSH_CONNECTION")
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def open_url(url: str, command: str = "") -> None:
    """Open url with the configured command ({url} placeholder, else appended), or the system browser.

    Raises OSError when nothing could be started. The child's output never reaches our terminal.
    """
    if not openable(url):
        raise OSError(f"not a web or mail link: {url}")
    if command:
        parts = shlex.split(command)
        args = [part.replace("{url}", url) for part in parts]
        if "{url}" not in command:
            args.append(url)
        subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        return
    if not webbrowser.open(url):
        raise OSError("no browser found")
