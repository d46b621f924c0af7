"""Post text is data from the internet: one place that makes it safe and measures it in terminal cells."""

from __future__ import annotations

import re
import unicodedata

from rich.cells import cell_len, split_graphemes

# C0 controls except tab and newline, DEL, C1 controls, and the bidi marks (ALM, LRM, RLM) and
# embedding/override/isolate characters that can make text display differently from what it is.
_BIDI_AND_C1 = r"\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069"
_UNSAFE = re.compile(rf"[\x00-\x08\x0b-\x1f{_BIDI_AND_C1}]")
_UNSAFE_LINE = re.compile(rf"[\x00-\x1f{_BIDI_AND_C1}]")
_SPACES = re.compile(r"\s+")


_UNSAFE_BUT_NEWLINE = re.compile(rf"[\x00-\x09\x0b-\x1f{_BIDI_AND_C1}]")


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


_PERCENT_RUN = re.compile(r"(?:%[0-9A-Fa-f]{2})+")


def display_url(url: str) -> str:
    """An address as people read it (its IRI form, RFC 3987): percent-encoded UTF-8 shown as the
    characters it stands for (matters.news/@x/新冠肺炎浩劫-…). Only for showing: opening and
    copying use the url as it is. ASCII escapes (%20, %2F) stay encoded, as they change what the
    address means, and so do spaces, controls and bidi or other invisible formatting characters."""
    return clean_line(_PERCENT_RUN.sub(_decode_run, url)) if "%" in url else clean_line(url)


# The byte length of a UTF-8 sequence by its first byte (no overlong or out-of-range leads).
_UTF8_LEADS = ((2, (0xC2, 0xDF)), (3, (0xE0, 0xEF)), (4, (0xF0, 0xF4)))


def _decode_run(match: re.Match[str]) -> str:
    escapes = match[0]
    data = bytes.fromhex(escapes.replace("%", ""))
    out: list[str] = []
    index = 0
    while index < len(data):
        lead = data[index]
        size = next((n for n, first in _UTF8_LEADS if first[0] <= lead <= first[1]), 0)
        char = None
        if size:
            try:
                char = data[index : index + size].decode("utf-8")
            except UnicodeDecodeError:
                char = None
        if char and _shown_decoded(char):
            out.append(char)
            index += size
        else:
            out.append(escapes[index * 3 : index * 3 + 3])
            index += 1
    return "".join(out)


def _shown_decoded(char: str) -> bool:
    # Letters, marks, numbers, punctuation and symbols; never separators (spaces), controls,
    # format characters (bidi, zero-width) or unassigned and private code points.
    return unicodedata.category(char)[0] in "LMNPS"
