"""Benchmark newstui at archive scale, as a user sees it, against its targets and against newsboat.

Run from the project root:
    .venv/bin/python bench/run.py [--sizes 10000,100000] [--keep] [--skip-newsboat] [--out DIR]

Per size: make (or reuse) a corpus, then time a cold index, warm starts, filter keystrokes, post
opens and peak memory, then newsboat on the same posts; print a table and write
OUT/results-<size>.json. Every newstui run gets empty XDG folders of its own.
"""

from __future__ import annotations

import argparse
import filecmp
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from generate import generate, to_rss  # noqa: E402  (bench/ is a folder of scripts)
from measure_app import BODY_TERMS, percentile  # noqa: E402
from newsboat import measure_newsboat  # noqa: E402
from tmux_timing import (  # noqa: E402
    BenchTimeout,
    TmuxSession,
    peak_rss_mb,
    send_keys_and_time,
    tmux_session,
)

SIZE = (120, 40)
WARM_RUNS = 5
NEWSTUI = str(Path(sys.executable).with_name("newstui"))
# The main screen's status line: "1,000 of 10,000 posts · …"; the reader's: "3 of 10,000".
_COUNTS = re.compile(r"([\d,]+) of ([\d,]+) posts")
_READER = re.compile(r"\b[\d,]+ of [\d,]+\s*(?:$|[^\s\d,p])")

# name: (description, unit, comparison, target). Targets are for 100,000 posts.
TARGETS: dict[str, tuple[str, str, str, float]] = {
    "cold_first_rows_s": ("cold: launch → first rows", "s", "<=", 1.0),
    "cold_indexed_s": ("cold: launch → indexing finished", "s", "<=", 15.0),
    "warm_first_rows_s": ("warm: launch → first rows (median)", "s", "<=", 0.6),
    "warm_ratio": ("warm start ÷ newsboat's", "×", "<=", 0.6),
    "filter_p95_ms": ("filter keystroke → repaint p95", "ms", "<=", 50.0),
    "open_p95_ms": ("open a typical post → first paint p95", "ms", "<=", 100.0),
    "peak_rss_mb": ("peak RSS (VmHWM)", "MiB", "<=", 300.0),
    # Issue 5, with the bodies step (needs a body index: minutes and GBs at 100,000).
    "body_app_max_ms": ("body:TERM in the app, slowest term", "ms", "<=", 100.0),
    "body_list_ratio": ("`list` body:TERM ÷ grep -rlF, worst term", "×", "<", 1.0),
}


class Crashed(Exception):
    """newstui exited while we waited for it; `screen` is what it left on the pane."""

    def __init__(self, screen: str) -> None:
        super().__init__("newstui exited")
        self.screen = screen


# ------------------------------------------------------------------------------ machine


def machine() -> dict[str, Any]:
    cpu = ""
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu": cpu,
        "ram_gib": round(mem_kb / 1024 / 1024, 1),
        "loadavg": os.getloadavg(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def load() -> float:
    return round(os.getloadavg()[0], 2)


# ------------------------------------------------------------------------------ corpus


def corpus_name(size: int) -> str:
    return f"corpus{size // 1000}k" if size % 1000 == 0 else f"corpus{size}"


def count_posts(folder: Path) -> int:
    return sum(name.endswith(".md") for _, _, names in os.walk(folder) for name in names)


def matches_seed(folder: Path, seed: int) -> bool:
    """Does the folder hold the first post generate() writes for this seed, byte for byte?"""
    with tempfile.TemporaryDirectory(prefix="newstui-seed-") as tmp:
        generate(Path(tmp), 1, seed)
        (first,) = Path(tmp).rglob("*.md")
        theirs = folder / first.relative_to(tmp)
        return theirs.is_file() and filecmp.cmp(first, theirs, shallow=False)


def ensure_corpus(out: Path, size: int, seed: int) -> tuple[Path, bool]:
    """The corpus for (size, seed) under out, reused when it matches; True if made now."""
    path = out / corpus_name(size)
    stamp = out / f"{corpus_name(size)}.json"
    want = {"count": size, "seed": seed}
    if path.exists():
        if count_posts(path) == size and matches_seed(path, seed):
            if not stamp.exists():
                stamp.write_text(json.dumps(want))
            return path, False
        if not stamp.exists():
            raise SystemExit(f"{path} exists but is not a {size}-post corpus of seed {seed}")
        shutil.rmtree(path)  # ours, from another size or seed
    print(f"generating {size:,} posts in {path} …", file=sys.stderr)
    generate(path, size, seed)
    stamp.write_text(json.dumps(want))
    return path, True


def ensure_rss(corpus: Path) -> Path:
    """The corpus as one RSS file beside it, reused when complete."""
    rss = corpus.with_suffix(".xml")
    if rss.is_file() and rss.stat().st_size > 16:
        with open(rss, "rb") as f:
            f.seek(-16, os.SEEK_END)
            if f.read().endswith(b"</rss>\n"):
                return rss
    print(f"writing {rss} …", file=sys.stderr)
    partial = rss.with_suffix(".xml.part")
    to_rss(corpus, partial)
    partial.replace(rss)
    return rss


# ------------------------------------------------------------------------------ newstui in tmux


def newstui_env(home: Path) -> dict[str, str]:
    """Empty XDG folders of its own, and a UTF-8 locale for the CJK titles."""
    env = dict(os.environ)
    for name in ("CACHE", "DATA", "CONFIG"):
        folder = home / name.lower()
        folder.mkdir(parents=True, exist_ok=True)
        env[f"XDG_{name}_HOME"] = str(folder)
    if "utf" not in env.get("LANG", "").lower():
        env["LANG"] = "C.UTF-8"
    return env


def status_line(screen: str) -> str:
    return screen.split("\n", 1)[0]


def counts(screen: str) -> tuple[int, int] | None:
    """(shown, total) from the main screen's status line."""
    match = _COUNTS.search(status_line(screen))
    if match is None:
        return None
    return int(match.group(1).replace(",", "")), int(match.group(2).replace(",", ""))


def watching(session: TmuxSession, test: Callable[[str], bool]) -> Callable[[str], bool]:
    """The test, plus: raise Crashed if the program is gone (checked every half second)."""
    last = time.perf_counter()

    def check(screen: str) -> bool:
        nonlocal last
        if test(screen):
            return True
        if time.perf_counter() - last > 0.5:
            last = time.perf_counter()
            if session.pane_dead():
                raise Crashed(session.capture())
        return False

    return check


def first_rows(screen: str) -> bool:
    shown = counts(screen)
    return shown is not None and shown[0] > 0


def indexed(size: int) -> Callable[[str], bool]:
    def test(screen: str) -> bool:
        line = status_line(screen)
        return "indexing" not in line and counts(screen) == (size, size)

    return test


def in_reader(screen: str) -> bool:
    line = status_line(screen)
    lines = screen.splitlines()
    body = any(text.strip() for text in lines[1:-2])
    return " posts" not in line and _READER.search(line) is not None and body


def quit_app(session: TmuxSession, timeout: float = 60.0) -> float:
    """Press q (repeatedly: a screen may be on top) until the program exits; seconds taken."""
    start = time.perf_counter()
    while not session.pane_dead():
        if time.perf_counter() - start > timeout:
            raise BenchTimeout("newstui did not quit", session.capture())
        session.send_keys("q")
        time.sleep(0.1)
    return time.perf_counter() - start


def save_screen(out: Path, name: str, screen: str) -> str:
    path = out / f"screen-{name}.txt"
    path.write_text(screen)
    return str(path)


def measure_cold(corpus: Path, size: int, env: dict[str, str], timeout: float) -> dict[str, Any]:
    result: dict[str, Any] = {}
    with tmux_session([NEWSTUI, str(corpus)], size=SIZE, env=env) as s:
        result["cold_first_rows_s"] = s.wait_for(watching(s, first_rows), timeout=timeout)
        result["cold_first_rows_load"] = load()
        result["cold_indexed_s"] = s.wait_for(watching(s, indexed(size)), timeout=timeout)
        result["cold_indexed_load"] = load()
        result["cold_peak_rss_mb"] = peak_rss_mb(s.pane_pid())
        result["cold_quit_s"] = quit_app(s)
    return result


def measure_index_command(corpus: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    # Metadata only, as the app indexes on a cold start: the body (full-text) index of 100,000
    # posts reads every byte of them (~3 GB) and takes minutes; body: search builds it lazily.
    start = time.perf_counter()
    done = subprocess.run(
        [NEWSTUI, "index", "--no-bodies", str(corpus)],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        stdin=subprocess.DEVNULL,
    )
    seconds = time.perf_counter() - start
    summary = done.stdout.strip().splitlines()[-1:] or [done.stderr.strip()[-300:]]
    return {
        "index_command_s": seconds if done.returncode == 0 else None,
        "index_command_load": load(),
        "index_command_output": summary[0],
        "index_command_status": done.returncode,
    }


def run_timed(command: list[str], env: dict[str, str], timeout: float) -> tuple[float, str]:
    """Seconds a command takes as a whole process, and its stdout; raises if it fails."""
    start = time.perf_counter()
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL
    )
    seconds = time.perf_counter() - start
    if done.returncode not in (0, 1):  # grep -l says 1 when nothing matched
        raise RuntimeError(f"{command[0]} failed: {done.stderr.strip()[-500:]}")
    return seconds, done.stdout


def measure_bodies(corpus: Path, env: dict[str, str], timeout: float) -> dict[str, Any]:
    """The body index: `newstui index` builds it; then `newstui list --query body:TERM` against
    `grep -rlF TERM` over the same folder, each a whole process, median of 7 after one untimed
    run (page cache warm). `--format paths` prints what grep -l prints, one file per line;
    `--format csv` (timed too) reads every matching post's metadata as well."""
    # As installed: Python's compiled modules are kept (this machine's shell turns that off).
    env = {name: value for name, value in env.items() if name != "PYTHONDONTWRITEBYTECODE"}
    build_s, _ = run_timed([NEWSTUI, "index", str(corpus)], env, timeout)
    terms: list[dict[str, Any]] = []
    for term in BODY_TERMS:
        listing = [NEWSTUI, "list", str(corpus), "--query", f"body:{term}", "--format"]
        grep = ["grep", "-rlF", term, str(corpus)]
        run_timed(listing + ["paths"], env, timeout)
        run_timed(grep, env, timeout)
        ours, csv_s, theirs, count, grep_count = [], [], [], 0, 0
        for _ in range(7):  # at 10,000 posts both take ~80 ms, give or take 3
            seconds, out = run_timed(listing + ["paths"], env, timeout)
            ours.append(seconds)
            count = len(out.splitlines())
            seconds, out = run_timed(grep, env, timeout)
            theirs.append(seconds)
            grep_count = len(out.splitlines())
            csv_s.append(run_timed(listing + ["csv"], env, timeout)[0])
        terms.append(
            {
                "term": term,
                "list_s": statistics.median(ours),
                "list_csv_s": statistics.median(csv_s),
                "grep_s": statistics.median(theirs),
                "list_count": count,
                "grep_count": grep_count,
            }
        )
    return {
        "body_index_s": build_s,
        "body_index_load": load(),
        "body_terms": terms,
        "body_list_s": statistics.median(t["list_s"] for t in terms),
        "body_grep_s": statistics.median(t["grep_s"] for t in terms),
        "body_list_ratio": max(t["list_s"] / t["grep_s"] for t in terms),
    }


def measure_warm(corpus: Path, env: dict[str, str], runs: int, timeout: float) -> dict[str, Any]:
    samples, loads, quits = [], [], []
    for _ in range(runs):
        with tmux_session([NEWSTUI, str(corpus)], size=SIZE, env=env) as s:
            samples.append(s.wait_for(watching(s, first_rows), timeout=timeout))
            loads.append(load())
            quits.append(quit_app(s))
    return {
        "warm_first_rows_s": statistics.median(samples),
        "warm_samples_s": samples,
        "warm_first_rows_load": statistics.median(loads),
        "warm_quit_s": statistics.median(quits),
    }


def run_measure_app(
    corpus: Path, env: dict[str, str], profile: Path | None = None
) -> dict[str, Any]:
    """bench/measure_app.py in its own process (Pilot, in-process timings) with the warm cache."""
    command = [sys.executable, str(BENCH / "measure_app.py"), str(corpus)]
    if profile is not None:
        command += ["--profile", str(profile)]
    done = subprocess.run(
        command, env=env, capture_output=True, text=True, timeout=1800, stdin=subprocess.DEVNULL
    )
    if done.returncode != 0:
        raise RuntimeError(f"measure_app failed: {done.stderr.strip()[-2000:]}")
    return json.loads(done.stdout)


def top_functions(profile: Path, count: int = 25) -> str:
    """The profile's functions by cumulative time, as pstats prints them."""
    import io
    import pstats

    text = io.StringIO()
    pstats.Stats(str(profile), stream=text).sort_stats("cumulative").print_stats(count)
    return text.getvalue()


def _tmux_key(key: str) -> str:
    return "BSpace" if key == "backspace" else key


def measure_session(
    corpus: Path, size: int, env: dict[str, str], app: dict[str, Any], timeout: float
) -> dict[str, Any]:
    """One warm session as a user: filter (coarse timings), open a few posts and the largest,
    then read the peak memory."""
    result: dict[str, Any] = {}
    with tmux_session([NEWSTUI, str(corpus)], size=SIZE, env=env) as s:
        s.wait_for(watching(s, indexed(size)), timeout=timeout)
        # Filter: time only keys whose result count differs from the last one, so that the
        # status line tells when the new rows are up.
        s.send_keys("/")
        time.sleep(0.3)
        timed: list[float] = []
        shown = size
        for row in app["filter"]["keys"]:
            expected = row["count"]
            key = _tmux_key(row["key"])
            if expected != shown:
                test = watching(s, lambda screen, e=expected: counts(screen) == (e, size))
                timed.append(send_keys_and_time(s, key, test, timeout=30))
            else:
                s.send_keys(key)
                time.sleep(0.3)
            shown = expected
        result["tmux_filter_timed_keys"] = len(timed)
        result["tmux_filter_p50_ms"] = statistics.median(timed) * 1000 if timed else None
        result["tmux_filter_p95_ms"] = (percentile(timed, 95) or 0) * 1000 if timed else None
        result["tmux_filter_load"] = load()
        s.send_keys("Escape")
        s.wait_for(watching(s, lambda screen: counts(screen) == (size, size)), timeout=30)
        # Open three posts from the top, coarsely timed to the reader's status line.
        opens = []
        for _ in range(3):
            opens.append(send_keys_and_time(s, "Enter", watching(s, in_reader), timeout=60))
            time.sleep(0.5)
            s.send_keys("Escape")
            s.wait_for(watching(s, lambda screen: counts(screen) is not None), timeout=30)
            s.send_keys("j", "j", "j")
            time.sleep(0.3)
        result["tmux_open_ms"] = [t * 1000 for t in opens]
        # The largest post, found by its path.
        huge = app.get("huge", {}).get("path")
        if huge:
            stem = Path(huge).stem
            s.send_keys("/")
            time.sleep(0.2)
            s.send_keys("-l", f"path:{stem}")
            s.wait_for(watching(s, lambda screen: counts(screen) == (1, size)), timeout=30)
            s.send_keys("Enter")
            time.sleep(0.3)
            result["tmux_open_largest_ms"] = 1000 * send_keys_and_time(
                s, "Enter", watching(s, in_reader), timeout=120
            )
            time.sleep(2.0)
            s.send_keys("j", "j", "j", "G")
            time.sleep(2.0)
            s.send_keys("Escape")
            time.sleep(0.5)
        result["peak_rss_mb"] = peak_rss_mb(s.pane_pid())
        result["peak_rss_load"] = load()
        result["session_quit_s"] = quit_app(s)
    return result


# ------------------------------------------------------------------------------ one size


def measure_size(size: int, args: argparse.Namespace, out: Path, timeout: float) -> dict[str, Any]:
    corpus, made = ensure_corpus(out, size, args.seed)
    figures: dict[str, Any] = {}
    errors: dict[str, str] = {}

    def step(name: str, fn: Callable[[], dict[str, Any]]) -> None:
        print(f"[{size:,}] {name} …", file=sys.stderr)
        try:
            figures.update(fn())
        except (BenchTimeout, Crashed) as error:
            errors[name] = f"{error} (screen: {save_screen(out, f'{name}-{size}', error.screen)})"
        except (RuntimeError, subprocess.SubprocessError, OSError, ValueError) as error:
            errors[name] = str(error)[-2000:]
        if name in errors:
            print(f"[{size:,}] {name}: {errors[name]}", file=sys.stderr)

    app: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="newstui-bench-home-") as tmp:
        cold_env = newstui_env(Path(tmp, "cold"))  # a first run: bodies index in the background
        warm_env = newstui_env(Path(tmp, "warm"))
        # Warm starts must not build the body index bit by bit: the bodies step times it whole.
        config = Path(warm_env["XDG_CONFIG_HOME"], "newstui", "config.toml")
        config.parent.mkdir(parents=True, exist_ok=True)
        config.write_text("index_bodies = false\n", encoding="utf-8")
        step("cold", lambda: measure_cold(corpus, size, cold_env, timeout))
        step("index", lambda: measure_index_command(corpus, warm_env, timeout))
        step("warm", lambda: measure_warm(corpus, warm_env, args.runs, timeout))
        if not args.skip_bodies:
            step("bodies", lambda: measure_bodies(corpus, warm_env, args.bodies_timeout))

        def in_process() -> dict[str, Any]:
            app.update(run_measure_app(corpus, warm_env))
            figures.update(flatten_app(app))
            if app.get("error"):
                raise RuntimeError(f"measure_app: {app['error']}")
            return {}

        step("measure_app", in_process)
        if app.get("filter"):
            step("session", lambda: measure_session(corpus, size, warm_env, app, timeout))
        if args.profile and app:
            # A separate pass: cProfile roughly doubles the times, so it never runs while timing.
            profile = out / f"measure_app-{size}.prof"

            def profiled() -> dict[str, Any]:
                run_measure_app(corpus, warm_env, profile)
                return {"profile": str(profile)}

            step("profile", profiled)

    newsboat: dict[str, Any] = {}
    if not args.skip_newsboat:

        def boat() -> dict[str, Any]:
            rss = ensure_rss(corpus)
            newsboat.update(measure_newsboat(rss, size=SIZE, timeout=args.newsboat_timeout))
            newsboat["load"] = load()
            return {}

        step("newsboat", boat)
    if made and not args.keep:
        shutil.rmtree(corpus)
        rss = corpus.with_suffix(".xml")
        rss.unlink(missing_ok=True)
        corpus.with_name(f"{corpus.name}.json").unlink(missing_ok=True)

    warm, boat_warm = figures.get("warm_first_rows_s"), newsboat.get("warm_s")
    if warm is not None and boat_warm:
        figures["warm_ratio"] = warm / boat_warm
    return {
        "size": size,
        "seed": args.seed,
        "corpus": str(corpus),
        "figures": figures,
        "newsboat": newsboat,
        "errors": errors,
        "checks": checks(figures),
        "measure_app": app,
    }


def flatten_app(app: dict[str, Any]) -> dict[str, Any]:
    """The headline figures of measure_app's result (None where it stopped before them)."""

    def get(*keys: str) -> Any:
        value: Any = app
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    return {
        "posts_loaded": get("posts_loaded"),
        "filter_p50_ms": get("filter", "p50_ms"),
        "filter_p95_ms": get("filter", "p95_ms"),
        "filter_lost": get("filter", "lost"),
        "filter_isolated_p50_ms": get("filter_isolated", "p50_ms"),
        "filter_isolated_p95_ms": get("filter_isolated", "p95_ms"),
        "open_p50_ms": get("open", "typical", "p50_ms"),
        "open_p95_ms": get("open", "typical", "p95_ms"),
        "open_median_size": get("open", "median_size"),
        "open_all_max_ms": get("open", "all", "max_ms"),
        "open_lost": get("open", "lost"),
        "largest_size": get("huge", "size"),
        "largest_first_paint_ms": get("huge", "first_paint_ms"),
        "largest_loaded_s": get("huge", "fully_loaded_s"),
        "largest_scroll_p50_ms": get("huge", "scroll_p50_ms"),
        "largest_scroll_p95_ms": get("huge", "scroll_p95_ms"),
        "largest_scroll_max_ms": get("huge", "scroll_max_ms"),
        "largest_scrolls_while_loading": get("huge", "scrolls_while_loading"),
        "largest_scroll_y": get("huge", "scroll_y"),
        "open_cold_p50_ms": get("open", "cold", "p50_ms"),
        "open_cold_p95_ms": get("open", "cold", "p95_ms"),
        "body_app_p50_ms": get("body", "p50_ms"),
        "body_app_max_ms": get("body", "max_ms"),
        "body_app_terms": get("body", "terms"),
        "app_load": load(),
    }


def checks(figures: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for name, (label, unit, op, target) in TARGETS.items():
        value = figures.get(name)
        passed = None if value is None else value <= target if op == "<=" else value < target
        rows.append(
            {"name": name, "label": label, "value": value, "target": target, "unit": unit,
             "op": op, "pass": passed}
        )  # fmt: skip
    return rows


# ------------------------------------------------------------------------------ report


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "—"
    if unit == "ms" or (isinstance(value, float) and value >= 100):
        return f"{value:,.0f}"
    if isinstance(value, float):
        return f"{value:.2f}" if value < 10 else f"{value:.1f}"
    return f"{value:,}" if isinstance(value, int) else str(value)


def report(result: dict[str, Any]) -> str:
    f, nb = result["figures"], result["newsboat"]
    verdict = {c["name"]: c for c in result["checks"]}

    def ratio(a: Any, b: Any) -> str:
        return f"{a / b:.2f}" if a is not None and b else "—"

    rows: list[tuple[str, str, str, str, str, str, str]] = []

    def row(label: str, name: str | None, value: Any, unit: str, boat: Any = None,
            load_key: str | None = None, boat_unit: str = "") -> None:  # fmt: skip
        check = verdict.get(name or "")
        target = f"{check['op']} {_fmt(check['target'])}" if check else ""
        state = "" if not check else ("—" if check["pass"] is None else
                                      "PASS" if check["pass"] else "FAIL")  # fmt: skip
        boat_text = _fmt(boat, boat_unit) if boat is not None else ""
        rows.append(
            (label, f"{_fmt(value, unit)} {unit}", target, state, boat_text,
             ratio(value, boat) if boat is not None else "", _fmt(f.get(load_key or "")))
        )  # fmt: skip

    row("cold: launch → first rows", "cold_first_rows_s", f.get("cold_first_rows_s"), "s",
        nb.get("cold_reload_s"), "cold_first_rows_load")  # fmt: skip
    row("cold: launch → indexed", "cold_indexed_s", f.get("cold_indexed_s"), "s",
        nb.get("cold_s"), "cold_indexed_load")  # fmt: skip
    row("cold: `newstui index --no-bodies`", None, f.get("index_command_s"), "s", None,
        "index_command_load")  # fmt: skip
    row("warm: launch → first rows (median)", "warm_first_rows_s", f.get("warm_first_rows_s"),
        "s", nb.get("warm_s"), "warm_first_rows_load")  # fmt: skip
    row("warm start ÷ newsboat's", "warm_ratio", f.get("warm_ratio"), "×")
    row("filter key → repaint p50 (typing)", None, f.get("filter_p50_ms"), "ms", None, "app_load")
    row("filter key → repaint p95 (typing)", "filter_p95_ms", f.get("filter_p95_ms"), "ms",
        None, "app_load")  # fmt: skip
    row("filter p50 / idle between keys", None, f.get("filter_isolated_p50_ms"), "ms")
    row("filter p95 / idle between keys", None, f.get("filter_isolated_p95_ms"), "ms")
    boat_search = nb.get("search_s")
    row("filter in tmux p50 (coarse)", None, f.get("tmux_filter_p50_ms"), "ms",
        None if boat_search is None else boat_search * 1000, "tmux_filter_load", "ms")  # fmt: skip
    row("filter in tmux p95 (coarse)", None, f.get("tmux_filter_p95_ms"), "ms")
    row("open typical post → paint p50", None, f.get("open_p50_ms"), "ms", None, "app_load")
    row("open typical post → paint p95", "open_p95_ms", f.get("open_p95_ms"), "ms", None,
        "app_load")  # fmt: skip
    row("open, no rest on the row (cold) p50", None, f.get("open_cold_p50_ms"), "ms")
    row("open, no rest on the row (cold) p95", None, f.get("open_cold_p95_ms"), "ms")
    row(f"open largest ({_fmt(f.get('largest_size'))} B) → paint", None,
        f.get("largest_first_paint_ms"), "ms")  # fmt: skip
    row("largest: fully loaded", None, f.get("largest_loaded_s"), "s")
    row("largest: j while loading → frame p50", None, f.get("largest_scroll_p50_ms"), "ms")
    row("largest: j while loading → frame p95", None, f.get("largest_scroll_p95_ms"), "ms")
    row("largest: j while loading → frame max", None, f.get("largest_scroll_max_ms"), "ms")
    row("`newstui index` with bodies", None, f.get("body_index_s"), "s", None, "body_index_load")
    row("body: `list --format paths` median (grep -rlF at right)", None, f.get("body_list_s"),
        "s", f.get("body_grep_s"), None, "s")  # fmt: skip
    for term in f.get("body_terms") or []:
        row(f"  body:{term['term']} list ({term['list_count']:,}) vs grep "
            f"({term['grep_count']:,})", None, term["list_s"], "s", term["grep_s"], None, "s")  # fmt: skip
        if term.get("list_csv_s") is not None:
            row("    the same as --format csv", None, term["list_csv_s"], "s")
    for term in f.get("body_app_terms") or []:
        row(f"  body:{term['term']} in the app ({term['count']:,})", None, term["ms"], "ms")
    row("peak RSS after a session", "peak_rss_mb", f.get("peak_rss_mb"), "MiB",
        nb.get("peak_rss_mb"), "peak_rss_load", "MiB")  # fmt: skip

    header = ("figure", "newstui", "target", "", "newsboat", "ratio", "load")
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        f"newstui at {result['size']:,} posts (seed {result['seed']}, {result['corpus']})",
        "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip(),
    ]
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    failing = [c["name"] for c in result["checks"] if c["pass"] is False]
    lines.append(f"FAIL: {', '.join(failing)}" if failing else "no target failed")
    for name, error in result["errors"].items():
        lines.append(f"error in {name}: {error}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", default="10000,100000", help="post counts, comma-separated")
    p.add_argument("--keep", action="store_true", help="keep the corpora this run generates")
    p.add_argument("--skip-newsboat", action="store_true")
    p.add_argument(
        "--skip-bodies", action="store_true", help="no body index (minutes and GBs at 100,000)"
    )
    p.add_argument("--bodies-timeout", type=float, default=3600.0, help="seconds to build it")
    p.add_argument("--out", type=Path, default=BENCH / "corpora", help="corpora and results")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--runs", type=int, default=WARM_RUNS, help="warm starts to take the median of")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per newstui step")
    p.add_argument(
        "--profile", action="store_true", help="also profile the in-process part (a second pass)"
    )
    p.add_argument("--newsboat-timeout", type=float, default=400.0, help="seconds per step")
    args = p.parse_args()
    sizes = [int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip()]
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    if not shutil.which("tmux"):
        raise SystemExit("tmux is not installed")
    # As an installed package has them: compiled modules, up to date. Without this, a shell with
    # PYTHONDONTWRITEBYTECODE (this machine's) compiles every changed module at every start.
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", str(BENCH.parent / "tui")],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    host = machine()
    command = shlex.join([sys.executable, *sys.argv])
    intro = (
        f"machine: {host['nproc']} CPUs, {host['cpu']}, {host['ram_gib']} GiB RAM, "
        f"load average {' '.join(f'{x:.2f}' for x in host['loadavg'])} at start, "
        f"Python {host['python']}, Linux {host['kernel']}\ncommand: {command}"
    )
    print(intro, flush=True)
    for size in sizes:
        started = time.perf_counter()
        result = measure_size(size, args, out, args.timeout)
        result.update(machine=host, command=command, seconds=time.perf_counter() - started)
        (out / f"results-{size}.json").write_text(json.dumps(result, ensure_ascii=False, indent=1))
        print()
        print(report(result))
        profile = result["figures"].get("profile")
        if profile:
            print(f"\nprofile of the in-process part ({profile}):")
            print(top_functions(Path(profile)))
        print(
            f"(took {result['seconds']:.0f} s; JSON in {out / f'results-{size}.json'})", flush=True
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
