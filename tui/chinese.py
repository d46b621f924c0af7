"""Chinese scripts: one search for 台湾, 台灣 and 臺灣 (folding), and showing a post in one script."""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import threading
from functools import cache
from pathlib import Path
from typing import Any

from tui import locations

# The code points OpenCC's character tables cover: CJK radicals, Extension A, the unified block,
# compatibility ideographs and the supplementary planes' extensions.
_RANGES = ((0x2E80, 0x2FE0), (0x3400, 0xA000), (0xF900, 0xFB00), (0x20000, 0x2FA20))
DIRECTIONS = ("s2t", "t2s")  # the config's `chinese = ...` values besides "off"
_lock = threading.Lock()
_table: dict[int, int] | None = None
_folds: re.Pattern[str] | None = None  # finds a character that folds (see fold_script)


def fold(text: str) -> str:
    """The form every search compares in: lowercase, and every Traditional or variant character
    as its Simplified form (OpenCC's character table). Text already in lowercase is not copied
    by lower() (a million paths made as many strings only to drop them)."""
    return fold_script(text if text.islower() else text.lower())


def fold_script(text: str) -> str:
    """Only the script folding, no case: one character for one, so a position in the folded
    text is the same position in text."""
    if text.isascii():
        return text
    if _folds is None:
        fold_table()
    assert _folds is not None
    # str.translate looks up every character (~2.5 M characters/s of Chinese), a search for
    # one that folds goes ~40 M/s: Simplified text, most of an archive, pays only the search.
    if _folds.search(text) is None:
        return text
    return text.translate(fold_table())


def fold_table() -> dict[int, int]:
    """Traditional/variant code point -> Simplified code point, from OpenCC's t2s tables.

    Built once per machine and OpenCC version (~60 ms: OpenCC converts every CJK code point)
    and kept in the cache folder, so `newstui list` and the body indexer's pool processes load
    it in a millisecond without importing OpenCC.
    """
    global _table, _folds
    if _table is None:
        with _lock:
            if _table is None:
                table = _load_table()
                # A class of BMP characters compiles to a bitmap (one test per character); the
                # few astral ones (extension B and on) are one range, so any of them translates.
                bmp = "".join(re.escape(chr(code)) for code in sorted(table) if code < 0x10000)
                _folds = re.compile(f"[{bmp}]|[\U00020000-\U0003ffff]")
                _table = table
    return _table


def _load_table() -> dict[int, int]:
    stamp = _opencc_stamp()
    path = locations.cache_dir() / f"chinese-fold-{stamp}.json"
    try:
        pairs = json.loads(path.read_text(encoding="utf-8"))
        return {int(key): value for key, value in pairs.items()}
    except (OSError, ValueError, AttributeError):
        pass
    table = _build_table()
    try:  # only a cache: an unwritable folder costs the build next time, nothing else
        _write(path, json.dumps(table))
    except OSError:
        pass
    return table


def _opencc_stamp() -> str:
    """Names the installed OpenCC data: its tables' sizes and times (no import needed)."""
    spec = importlib.util.find_spec("opencc")
    parts = [str(spec.origin if spec else None)]
    if spec and spec.origin:
        share = Path(spec.origin).parent / "clib" / "share" / "opencc"
        for name in ("TSCharacters.ocd2", "TSCharactersExt.ocd2"):
            try:
                status = (share / name).stat()
                parts.append(f"{status.st_size}:{status.st_mtime_ns}")
            except OSError:
                parts.append("-")
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:12]


def _build_table() -> dict[int, int]:
    chars = [chr(code) for start, end in _RANGES for code in range(start, end)]
    # One character a line: OpenCC's phrase tables cannot join two of them, so what comes back
    # is its character table (plus its normalisation of compatibility ideographs).
    converted = _converter("t2s").convert("\n".join(chars)).split("\n")
    if len(converted) != len(chars):
        raise RuntimeError("OpenCC changed the number of lines")
    table = {
        ord(char): ord(out)
        for char, out in zip(chars, converted, strict=True)
        if out != char and len(out) == 1
    }
    # Whatever a character folds to folds no further: fold(fold(x)) == fold(x).
    for key, value in table.items():
        seen = {key}
        while value in table and value not in seen:
            seen.add(value)
            value = table[value]
        table[key] = value
    return table


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


@cache
def _converter(direction: str) -> Any:
    import opencc  # only to build the table or to convert for display: its import costs ~15 ms

    return opencc.OpenCC(f"{direction}.json")


def convert(text: str, direction: str) -> str:
    """text in one script for display: "s2t" (to Traditional) or "t2s" (to Simplified), by
    OpenCC's phrase and character tables (头发 -> 頭髮, 发展 -> 發展); anything else: text."""
    if direction not in DIRECTIONS or text.isascii():
        return text
    return str(_converter(direction).convert(text))
