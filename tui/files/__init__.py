"""files layer of newstui: find post files under a root (scan) and read each into a Post (parse)."""

from tui.files.parse import ParsedPost, parse_bytes, parse_file
from tui.files.scan import FileEntry, ScanResult, is_post_file, scan

__all__ = [
    "FileEntry",
    "ParsedPost",
    "ScanResult",
    "is_post_file",
    "parse_bytes",
    "parse_file",
    "scan",
]
