"""`python -m tui`: the same as the `newstui` command."""

from tui.cli import run

run()
