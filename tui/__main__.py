"""`python -m tui`: the same as the `newstui` command."""

import sys

from tui.cli import main

sys.exit(main())
