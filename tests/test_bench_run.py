"""The benchmark runner's pure parts: reading the screen, what is typed, statistics, corpus reuse,
the report."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import run  # noqa: E402  (bench/ is a folder of scripts)


def screen(status: str, bar: str = " / to filter") -> str:
    return status.ljust(120) + "\n" + bar.ljust(120) + "\n" + "row".ljust(120) + "\n" * 37


def test_counts_read_the_status_line_only() -> None:
    text = screen(" newstui  1,000 of 100,000 posts · 1,000 unread  /tmp/c")
    assert run.counts(text) == (1000, 100000)
    assert run.counts(screen(" newstui  /tmp/c") + "5 of 6 posts") is None


def test_a_partial_list_is_neither_whole_nor_an_answer() -> None:
    partial = screen(" newstui  7,425 of 7,425 posts listed so far, ~26,945 in all · 7,425 unread")
    assert run.partial(partial) and run.first_rows(partial)
    assert not run.whole_list(7425)(partial)
    assert not run.results(7425, 7425)(partial)
    whole = screen(" newstui  26,945 of 26,945 posts · 26,945 unread")
    assert run.whole_list(26945)(whole) and not run.whole_list(26946)(whole)
    assert run.results(747, 26945)(screen(" newstui  747 of 26,945 posts · 747 unread"))


def test_first_rows_needs_a_shown_post() -> None:
    assert run.first_rows(screen(" newstui  3 of 3 posts"))
    assert not run.first_rows(screen(" newstui  0 of 3 posts"))
    assert not run.first_rows(screen(" newstui  /tmp/c"))


def test_indexed_waits_for_every_story_and_no_activity() -> None:
    done = run.indexed(9000)
    assert done(screen(" newstui  9,000 of 9,000 posts · 9,000 unread"))
    assert not done(screen(" newstui  9,000 of 9,000 posts    indexing 9,500 of 10,000 files"))
    assert not done(screen(" newstui  8,000 of 8,000 posts"))


def test_body_building_reads_the_progress() -> None:
    assert run.body_building(screen(" newstui  9 of 9 posts · 9 unread    bodies 40% indexed"))
    assert not run.body_building(screen(" newstui  9 of 9 posts · 9 unread"))


def test_an_answer_needs_the_text_in_the_bar_and_new_counts() -> None:
    complete = run.results(40, 900)
    answer = run.answer_for("chi", (120, 400), complete)
    listed = " newstui  {} of 400 posts listed so far · 0 unread"
    assert not answer(screen(listed.format(120), " chi"))  # the echo, counts not yet new
    assert not answer(screen(listed.format(30), " ch"))
    assert answer(screen(listed.format(30), " chi"))
    assert not answer(screen(" newstui  30 of 400 posts · 0 unread", " chi"))  # not said partial
    assert answer(screen(" newstui  40 of 900 posts · 40 unread", " chi"))


def test_in_reader_tells_the_reader_from_the_main_screen() -> None:
    reader = " newstui  3 of 10,000  zaobao".ljust(120) + "\n 标题\n\n 日期\n 正文\n" + "\n" * 35
    assert run.in_reader(reader)
    assert run.in_reader(reader.replace("zaobao", "36kr.com"))  # a host that starts with digits
    assert not run.in_reader(screen(" newstui  10,000 of 10,000 posts · 3 unread"))
    assert not run.in_reader(" newstui  3 of 10,000\n" + "\n" * 39)  # no text yet


def test_typed_replays_keys_and_every_text_has_a_count() -> None:
    assert run.typed(["t", "e", "s", "x", run.BACKSPACE, "l"]) == [
        "t", "te", "tes", "tesx", "tes", "tesl",
    ]  # fmt: skip
    texts = set(run.filter_texts())
    assert "" in texts and run.BURST in texts and run.FIRST_SESSION_QUERY in texts
    for keys in run.FILTER_QUERIES:
        assert set(run.typed(keys)) <= texts
    backspaces = sum(keys.count(run.BACKSPACE) for keys in run.FILTER_QUERIES)
    assert backspaces <= 2  # few keys answered from a memo


def test_spread_and_checks_use_the_median() -> None:
    assert run.spread([]) == {"n": 0, "min": None, "median": None, "max": None}
    assert run.spread([3.0, 1.0, 200.0]) == {"n": 3, "min": 1.0, "median": 3.0, "max": 200.0}
    figures = {"filter_key_ms": run.spread([50.0, 90.0, 400.0])}
    assert run.checks(figures, 100_000)["filter_key_ms"] is True
    figures = {"filter_key_ms": run.spread([150.0, 250.0])}
    assert run.checks(figures, 100_000)["filter_key_ms"] is False
    assert run.checks(figures, 1_000_000)["filter_key_ms"] is True  # 300 ms at a million
    assert run.checks(figures, 30_000)["cold_whole_s"] is None


def test_corpus_is_generated_then_reused(tmp_path: Path) -> None:
    path, stamp, made = run.ensure_corpus(tmp_path, 12, seed=3)
    assert made and sum(1 for _ in path.rglob("*.md")) == 12
    assert stamp["shape"] == "archive" and stamp["stories"] <= 12
    marker = next(path.rglob("*.md")).stat().st_mtime_ns
    again, stamp2, made = run.ensure_corpus(tmp_path, 12, seed=3)
    assert again == path and not made and stamp2 == stamp
    assert next(path.rglob("*.md")).stat().st_mtime_ns == marker
    # Another seed with the same name: ours (stamped), so it is regenerated.
    _, _, made = run.ensure_corpus(tmp_path, 12, seed=4)
    assert made and run.matches_seed(path, 4) and not run.matches_seed(path, 3)


def test_a_foreign_folder_is_never_replaced(tmp_path: Path) -> None:
    (tmp_path / "corpus12").mkdir()
    (tmp_path / "corpus12" / "mine.md").write_text("keep me")
    with pytest.raises(SystemExit):
        run.ensure_corpus(tmp_path, 12, seed=0)
    assert (tmp_path / "corpus12" / "mine.md").read_text() == "keep me"
    assert run.corpus_name(1_000_000) == "corpus1m" and run.corpus_name(30_000) == "corpus30k"


def test_report_prints_each_figure_with_its_target_and_verdict() -> None:
    figures = {name: run.spread([]) for name in run.FIGURES}
    figures["warm_first_rows_s"] = run.spread([0.3, 0.4, 0.35])
    figures["filter_key_ms"] = run.spread([80.0, 150.0, 140.0])
    result = {
        "size": 100_000,
        "corpus": "/tmp/c",
        "stamp": {"stories": 90_000},
        "figures": figures,
        "samples": {"warm_load": [1.0, 2.5]},
        "newsboat": {},
        "errors": {"cold": "newstui exited"},
        "checks": run.checks(figures, 100_000),
    }
    text = run.report(result)
    warm = next(line for line in text.splitlines() if line.startswith("warm start: launch → first"))
    assert "0.35 s" in warm and "0.30–0.40" in warm and "≤ 0.60 s" in warm and "PASS" in warm
    assert "FAIL: filter_key_ms" in text
    assert "error in cold: newstui exited" in text
    assert "load 1.00–2.50" in text


def test_only_adds_the_steps_a_step_starts_from() -> None:
    assert run.wanted(None) == set(run.STEPS)
    assert run.wanted("first-session") == {"first-session", "index", "counts"}
    assert run.wanted("cold") == {"cold"}
    with pytest.raises(SystemExit):
        run.wanted("colde")


def test_page_cache_reads_or_evicts_every_post_file(tmp_path: Path) -> None:
    (tmp_path / "2024" / "01").mkdir(parents=True)
    (tmp_path / "2024" / "01" / "a.md").write_text("---\ntitle: a\n---\nbody\n")
    (tmp_path / "b.md").write_text("---\ntitle: b\n---\n")
    (tmp_path / "notes.txt").write_text("not a post")
    files = run.post_files(tmp_path)
    assert sorted(Path(f).name for f in files) == ["a.md", "b.md"]
    assert run.page_cache(files, keep=True) >= 0
    assert run.page_cache(files, keep=False) >= 0
