"""The interpreter-wide settings: the loaded posts frozen once, the switch interval put back."""

from __future__ import annotations

import gc
import sys

import pytest

from tui import collector


def test_the_loaded_posts_are_frozen_once(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "unfreeze", lambda: calls.append("unfreeze"))
    collector.unfreeze()
    collector.freeze_loaded()
    collector.freeze_loaded()  # a reload, a rescan: garbage of the moment is not pinned
    assert calls == ["unfreeze", "freeze"]
    collector.unfreeze()
    collector.freeze_loaded()
    assert calls == ["unfreeze", "freeze", "unfreeze", "freeze"]
    collector.unfreeze()


def test_quick_thread_switches_are_undone() -> None:
    before = sys.getswitchinterval()
    with collector.quick_thread_switches():
        assert sys.getswitchinterval() == pytest.approx(collector.SWITCH_INTERVAL)
    assert sys.getswitchinterval() == before


def test_the_collector_is_back_when_the_last_pause_ends() -> None:
    """Two pauses in two threads overlap (a preview drawn while the posts load): the first one
    to end must not turn the collector back on under the other."""
    assert gc.isenabled()
    first, second = collector.collector_paused(), collector.collector_paused()
    first.__enter__()
    second.__enter__()
    first.__exit__(None, None, None)
    assert not gc.isenabled()
    second.__exit__(None, None, None)
    assert gc.isenabled()


def test_malloc_gives_back_large_blocks_without_a_crash() -> None:
    collector.give_back_large_blocks()
    collector.give_back_large_blocks()  # twice is the same
    big = [0] * (1 << 20)  # 8 MB: a mapping of its own from now on
    del big
