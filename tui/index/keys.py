"""File names as SQLite text, in both indexes alike (their tables can then be joined on them)."""

from __future__ import annotations

import os

_RAW_NAME = "\x00raw:"  # marks a key holding a file name's bytes in hex


def path_key(rel: str) -> str:
    """rel as SQLite text. A name with undecodable bytes (surrogate escapes) is kept as hex, so
    such a file is indexed like any other instead of being dropped."""
    try:
        rel.encode()
    except UnicodeEncodeError:
        return _RAW_NAME + os.fsencode(rel).hex()
    return rel


def key_path(key: str) -> str:
    """The rel that path_key() turned into key."""
    if key[:1] != "\x00":  # nearly always: 100,000 calls should not cost a startswith each
        return key
    return os.fsdecode(bytes.fromhex(key[len(_RAW_NAME) :])) if key.startswith(_RAW_NAME) else key
