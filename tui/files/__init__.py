"""files layer of newstui: find post files under a root (scan) and read each into a Post (parse)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tui.files.scan import FileEntry, ScanResult, is_post_file, scan

if TYPE_CHECKING:
    from tui.files.parse import ParsedPost, parse_bytes, parse_file

__all__ = [
    "FileEntry",
    "ParsedPost",
    "ScanResult",
    "is_post_file",
    "parse_bytes",
    "parse_file",
    "scan",
]


def __getattr__(name: str) -> Any:
    # The parser (frontmatter, PyYAML) is loaded on first use: a warm start never parses a file.
    if name in ("ParsedPost", "parse_bytes", "parse_file"):
        from tui.files import parse

        return getattr(parse, name)
    raise AttributeError(name)
