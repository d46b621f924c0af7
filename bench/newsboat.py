"""Measure newsboat on the same posts (as one local RSS file), as a user sees it, for comparison."""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from tmux_timing import (  # noqa: E402  (bench/ is a folder of scripts, not a package)
    BenchTimeout,
    TmuxSession,
    peak_rss_mb,
    send_keys_and_time,
    tmux_session,
)

FEED_TITLE = "newstui bench corpus"  # the channel title bench/generate.py's to_rss writes
CONFIG = """\
auto-reload no
show-read-feeds yes
show-read-articles yes
browser true
confirm-exit no
notify-program ""
"""

# The count column is 11 cells wide and cut: "(10000/1000 newstui…" at 10,000 items.
_FEED_LOADED = re.compile(r"\(\d+/\d*\)?\s*" + re.escape(FEED_TITLE))


def ensure_newsboat() -> str:
    """The newsboat binary, installed with apt-get if missing."""
    path = shutil.which("newsboat")
    if path is None:
        subprocess.run("apt-get update && apt-get install -y newsboat", shell=True, check=True)
        path = shutil.which("newsboat")
    if path is None:
        raise RuntimeError("newsboat is not installed")
    return path


def feed_loaded(screen: str) -> bool:
    """The feed list shows our feed with its item counts (before loading it shows the url)."""
    return _FEED_LOADED.search(screen) is not None


def article_list_shown(screen: str) -> bool:
    lines = screen.splitlines()
    return len(lines) > 1 and "Articles in feed" in lines[0] and lines[1].lstrip().startswith("1 ")


def search_done(screen: str) -> bool:
    first = screen.split("\n", 1)[0]
    return "Search results" in first or "No results" in screen


def _quit(session: TmuxSession, timeout: float) -> None:
    """Quit cleanly so newsboat saves its cache and drops its lock for the next launch."""
    deadline = time.perf_counter() + timeout
    while not session.pane_dead():
        if time.perf_counter() > deadline:
            raise BenchTimeout("newsboat did not quit", session.capture())
        session.send_keys("q")
        time.sleep(0.2)


def measure_newsboat(
    rss: Path,
    *,
    size: tuple[int, int] = (120, 40),
    query: str = "供应链",
    timeout: float = 300.0,
) -> dict[str, float | None]:
    """Seconds for: cold (reload + open the feed), warm (open from cache), search; peak RSS MiB.

    A figure that did not finish within `timeout` seconds is None; later steps are then skipped.
    """
    binary = ensure_newsboat()
    env = dict(os.environ)
    if "utf" not in env.get("LANG", "").lower():
        env["LANG"] = "C.UTF-8"  # newsboat garbles CJK without a UTF-8 locale
    result: dict[str, float | None] = {
        "cold_s": None,
        "cold_reload_s": None,
        "warm_s": None,
        "search_s": None,
        "peak_rss_mb": None,
    }
    with tempfile.TemporaryDirectory(prefix="newstui-newsboat-") as tmp:
        urls, config, cache = Path(tmp, "urls"), Path(tmp, "config"), Path(tmp, "cache.db")
        urls.write_text(f"file://{Path(rss).resolve()}\n")
        config.write_text(CONFIG)
        base = [binary, "-u", str(urls), "-c", str(cache), "-C", str(config)]
        try:
            # Cold: reload the feed from the RSS file, then open it.
            with tmux_session([*base, "-r"], size=size, env=env) as s:
                result["cold_reload_s"] = s.wait_for(feed_loaded, timeout=timeout)
                s.send_keys("Enter")
                result["cold_s"] = s.wait_for(article_list_shown, timeout=timeout)
                result["peak_rss_mb"] = peak_rss_mb(s.pane_pid())
                _quit(s, timeout)
            # Warm: start from the cache, open the feed, then search it.
            with tmux_session(base, size=size, env=env) as s:
                s.wait_for(feed_loaded, timeout=timeout)
                s.send_keys("Enter")
                result["warm_s"] = s.wait_for(article_list_shown, timeout=timeout)
                send_keys_and_time(s, "/", "Search for:", timeout=timeout)
                result["search_s"] = send_keys_and_time(
                    s, [query, "Enter"], search_done, timeout=timeout
                )
                rss_mb = peak_rss_mb(s.pane_pid())
                result["peak_rss_mb"] = max(result["peak_rss_mb"] or 0.0, rss_mb)
                _quit(s, timeout)
        except BenchTimeout:
            pass
    return result


def show_screens(rss: Path, *, size: tuple[int, int] = (120, 40), timeout: float = 300.0) -> None:
    """Print newsboat's feed list and article list, to check the predicates by eye."""
    binary = ensure_newsboat()
    env = dict(os.environ, LANG="C.UTF-8")
    with tempfile.TemporaryDirectory(prefix="newstui-newsboat-") as tmp:
        urls, config = Path(tmp, "urls"), Path(tmp, "config")
        urls.write_text(f"file://{Path(rss).resolve()}\n")
        config.write_text(CONFIG)
        command = [binary, "-u", str(urls), "-c", str(Path(tmp, "c.db")), "-C", str(config), "-r"]
        with tmux_session(command, size=size, env=env) as s:
            s.wait_for(feed_loaded, timeout=timeout)
            print(s.capture())
            s.send_keys("Enter")
            s.wait_for(article_list_shown, timeout=timeout)
            print(s.capture())


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("rss", type=Path, help="RSS file, e.g. from bench/generate.py --rss")
    p.add_argument("--query", default="供应链", help="search text (default: %(default)s)")
    p.add_argument("--timeout", type=float, default=300.0, help="seconds per step")
    p.add_argument("--show", action="store_true", help="print the screens instead of timing")
    args = p.parse_args()
    if args.show:
        show_screens(args.rss, timeout=args.timeout)
        return 0
    figures = measure_newsboat(args.rss, query=args.query, timeout=args.timeout)
    for name, value in figures.items():
        if value is None:
            text = "n/a" if name == "peak_rss_mb" else f"> {args.timeout:.0f} (timeout)"
        else:
            text = f"{value:.3f}"
        print(f"newsboat {name:14} {text}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
