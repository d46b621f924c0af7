"""The layers below the widgets never import Textual, so they stay testable and usable from the CLI."""

from __future__ import annotations

import subprocess
import sys

CORE_MODULES = [
    "tui.model",
    "tui.text",
    "tui.linebreak",
    "tui.locations",
    "tui.config",
    "tui.links",
    "tui.triage",
    "tui.files",
    "tui.index",
    "tui.state",
    "tui.query",
    "tui.render",
    "tui.repository",
    "tui.pool",
    "tui.collector",
    "tui.failures",
    "tui.export",
]


def test_core_layers_do_not_import_textual() -> None:
    code = (
        f"import sys\nfor name in {CORE_MODULES!r}:\n    __import__(name)\n"
        "bad = sorted(m for m in sys.modules if m == 'textual' or m.startswith('textual.'))\n"
        "print(','.join(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "", f"textual imported by the core: {done.stdout}"
