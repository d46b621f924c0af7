"""The log of unexpected failures: a traceback per failure, appended under the XDG state folder."""

from __future__ import annotations

import os
import traceback
from datetime import datetime
from pathlib import Path

from tui import locations

LOG_NAME = "newstui.log"
LOG_LIMIT = 1_000_000  # bytes: past this the log starts again (the newest failures matter)


def log_path() -> Path:
    return locations.state_dir() / LOG_NAME


def record(what: str, error: BaseException) -> Path | None:
    """Append what failed and its traceback to the log; the log's path, or None if it cannot be
    written (a read-only home, say: the failure is still reported on screen)."""
    path = log_path()
    text = "".join(traceback.format_exception(error))
    stamp = datetime.now().astimezone().isoformat(timespec="seconds")
    entry = f"--- {stamp} pid {os.getpid()}: {what}\n{text}\n"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > LOG_LIMIT else "a"
        with path.open(mode, encoding="utf-8", errors="backslashreplace") as log:
            log.write(entry)
    except OSError:
        return None
    return path
