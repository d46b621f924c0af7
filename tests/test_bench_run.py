"""The benchmark runner's pure parts: screen parsing, percentiles, corpus reuse, the report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import measure_app  # noqa: E402  (bench/ is a folder of scripts)
import run  # noqa: E402


def screen(status: str) -> str:
    return status.ljust(120) + "\n" + "row".ljust(120) + "\n" * 38


def test_counts_read_the_status_line_only() -> None:
    text = screen(" newstui  /tmp/c  1,000 of 100,000 posts · 1,000 unread")
    assert run.counts(text) == (1000, 100000)
    assert run.counts(screen(" newstui  /tmp/c") + "5 of 6 posts") is None


def test_first_rows_needs_a_shown_post() -> None:
    assert run.first_rows(screen(" newstui  3 of 3 posts"))
    assert not run.first_rows(screen(" newstui  0 of 3 posts"))
    assert not run.first_rows(screen(" newstui  /tmp/c"))


def test_indexed_waits_for_every_post_and_no_activity() -> None:
    done = run.indexed(10000)
    assert done(screen(" newstui  10,000 of 10,000 posts · 10,000 unread"))
    assert not done(screen(" newstui  10,000 of 10,000 posts    indexing 9,000 of 10,000 files"))
    assert not done(screen(" newstui  9,000 of 9,000 posts"))


def test_in_reader_tells_the_reader_from_the_main_screen() -> None:
    reader = " newstui  联合早报  3 of 10,000".ljust(120) + "\n  正文\n" + "\n" * 37
    assert run.in_reader(reader)
    assert not run.in_reader(screen(" newstui  /tmp/c  10,000 of 10,000 posts · 3 unread"))
    assert not run.in_reader(" newstui  联合早报  3 of 10,000\n" + "\n" * 39)  # no text yet


def test_percentile_is_nearest_rank() -> None:
    samples = [float(n) for n in range(1, 101)]
    assert measure_app.percentile(samples, 95) == 95.0
    assert measure_app.percentile(samples, 50) == 50.0
    assert measure_app.percentile([7.0], 95) == 7.0
    assert measure_app.percentile([], 95) is None


def test_filter_keys_type_then_delete_each_word() -> None:
    keys = measure_app.filter_keys()
    assert keys[:4] == [("供", "供"), ("应", "供应"), ("链", "供应链"), ("backspace", "供应")]
    assert 25 <= len(keys) <= 45
    text = ""
    for key, after in keys:  # replaying the keys gives the stated filter text each time
        text = text[:-1] if key == "backspace" else text + key
        assert text == after


def test_corpus_is_generated_then_reused(tmp_path: Path) -> None:
    path, made = run.ensure_corpus(tmp_path, 12, seed=3)
    assert made and run.count_posts(path) == 12
    marker = next(path.rglob("*.md")).stat().st_mtime_ns
    again, made = run.ensure_corpus(tmp_path, 12, seed=3)
    assert again == path and not made
    assert next(path.rglob("*.md")).stat().st_mtime_ns == marker
    # Another seed with the same name: ours (stamped), so it is regenerated.
    _, made = run.ensure_corpus(tmp_path, 12, seed=4)
    assert made and run.matches_seed(path, 4) and not run.matches_seed(path, 3)


def test_a_foreign_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "corpus12").mkdir()
    (tmp_path / "corpus12" / "mine.md").write_text("keep me")
    with pytest.raises(SystemExit):
        run.ensure_corpus(tmp_path, 12, seed=0)
    assert (tmp_path / "corpus12" / "mine.md").read_text() == "keep me"


def test_report_marks_pass_fail_and_ratios() -> None:
    figures = {"warm_first_rows_s": 0.3, "filter_p95_ms": 80.0, "peak_rss_mb": 120.0}
    figures["warm_ratio"] = 0.3 / 2.0
    result = {
        "size": 100000,
        "seed": 0,
        "corpus": "/tmp/c",
        "figures": figures,
        "newsboat": {"warm_s": 2.0},
        "errors": {"cold": "newstui exited"},
        "checks": run.checks(figures),
    }
    text = run.report(result)
    warm = next(line for line in text.splitlines() if line.startswith("warm: launch"))
    assert "PASS" in warm and "2.00" in warm and warm.split()[-2] == "0.15"  # ratio
    assert "FAIL: filter_p95_ms" in text
    assert "error in cold: newstui exited" in text
    assert {c["name"]: c["pass"] for c in result["checks"]}["cold_indexed_s"] is None
