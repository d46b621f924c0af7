"""Post text is data from the internet: one place that makes it safe and measures it in terminal cells."""

from __future__ import annotations

import re

from rich.cells import cell_len, split_graphemes

# C0 controls except tab and newline, DEL, C1 controls, and the bidi embedding/override/isolate
# characters that can make text display differently from what it is.
_UNSAFE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_UNSAFE_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SPACES = re.compile(r"\s+")


_UNSAFE_BUT_NEWLINE = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def escape_controls(text: str) -> str:
    """Show control characters as \\uXXXX instead of removing them (for data output: lossless)."""
    return _UNSAFE_BUT_NEWLINE.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def clean(text: str) -> str:
    """Remove terminal control characters, keeping tabs and newlines (for bodies)."""
    return _UNSAFE.sub("", text)


def clean_line(text: str) -> str:
    """Make text safe for one line of display: no controls, runs of whitespace folded to one space."""
    return _SPACES.sub(" ", _UNSAFE_LINE.sub(" ", text)).strip()


def truncate_cells(text: str, width: int, ellipsis: str = "…") -> str:
    """Cut text to at most `width` terminal cells, ending with an ellipsis; never half a wide char."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    budget = width - cell_len(ellipsis)
    used = 0
    # By grapheme, as cell_len counts: an emoji sequence is never cut before its joiner.
    for start, _end, size in split_graphemes(text)[0]:
        if used + size > budget:
            return text[:start] + ellipsis
        used += size
    return text


def truncate_cells_left(text: str, width: int, ellipsis: str = "…") -> str:
    """Like truncate_cells, but keeps the end (for paths: the folder name matters most)."""
    if width <= 0:
        return ""
    if cell_len(text) <= width:
        return text
    budget = width - cell_len(ellipsis)
    used = 0
    cut = len(text)
    for start, _end, size in reversed(split_graphemes(text)[0]):
        if used + size > budget:
            break
        used += size
        cut = start
    return ellipsis + text[cut:]


def pad_cells(text: str, width: int) -> str:
    """Truncate or right-pad text to exactly `width` cells."""
    text = truncate_cells(text, width)
    return text + " " * (width - cell_len(text))
