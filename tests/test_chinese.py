"""Chinese script folding and display conversion (tui.chinese), from OpenCC's tables."""

from __future__ import annotations

import json
from pathlib import Path

from tui import chinese


def test_one_search_for_three_scripts() -> None:
    assert chinese.fold("台湾") == chinese.fold("台灣") == chinese.fold("臺灣") == "台湾"
    assert chinese.fold("香港問題") == chinese.fold("香港问题")
    assert chinese.fold("裡") == chinese.fold("裏") == "里"


def test_fold_keeps_length_and_is_idempotent() -> None:
    text = "臺灣、香港與澳門的問題 Hong Kong"
    folded = chinese.fold_script(text)
    assert len(folded) == len(text)
    assert chinese.fold_script(folded) == folded
    table = chinese.fold_table()
    assert all(value not in table for value in table.values())


def test_table_is_cached_per_machine(isolated_xdg: Path, monkeypatch) -> None:
    # A second process (here: a second load) reads the cache instead of asking OpenCC again.
    monkeypatch.setattr(chinese, "_table", None)
    first = chinese.fold_table()
    cached = list((isolated_xdg / "XDG_CACHE_HOME" / "newstui").glob("chinese-fold-*.json"))
    assert len(cached) == 1
    assert {int(k): v for k, v in json.loads(cached[0].read_text()).items()} == first
    monkeypatch.setattr(chinese, "_table", None)
    monkeypatch.setattr(chinese, "_build_table", lambda: {})  # would be wrong: must not run
    assert chinese.fold_table() == first


def test_display_conversion_uses_phrases() -> None:
    assert chinese.convert("头发和发展", "s2t") == "頭髮和發展"
    assert chinese.convert("頭髮和發展", "t2s") == "头发和发展"
    assert chinese.convert("台灣", "off") == "台灣"
