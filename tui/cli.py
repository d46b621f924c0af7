"""The `newstui` command: open the app, or list, show, index and back up an archive without it."""

from __future__ import annotations

import io
import os
import signal
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tui import __version__, collector
from tui.text import clean, clean_line, escape_controls, pad_cells

if TYPE_CHECKING:
    import argparse

    from tui.config import Config
    from tui.files.fingerprint import TreeFingerprint

# The rest is imported where it is used: `newstui list` answers in less time than grep over a
# small folder only if Python loads little before it starts find (see cmd_list).

USAGE = """\
newstui [PATH]                      open the posts in PATH (or the config's `posts`)
newstui list PATH [--query Q] [--format table|json|csv|paths] [--stories]
newstui show FILE                   print a post as the reader shows it
newstui index PATH                  build or update the index, with progress
newstui export PATH [--query Q] [--stories] [--sort F] --format epub|html|md -o FILE|-
newstui state export|import FILE    back up or merge read/star/archive/labels
newstui config --path | --check | --init [--force] | --template
"""

EXIT_USAGE = 2


class UserError(Exception):
    """A problem worded for the user: printed as one line, exit status 2."""


def run() -> None:
    """The `newstui` command (its console script, and `python -m tui`)."""
    _start_walk(sys.argv[1:])
    from tui import ending

    ending.activate()
    try:
        code = main()
    finally:
        if _early_walk is not None:  # not taken: the arguments were wrong
            _early_walk[1].close()
    # The process ends here, without waiting for threads (a render the app no longer shows) or
    # the last garbage collection over every object (6 ms of the 80 ms `newstui list` over
    # 10,000 posts); what it started ends with it (tui/ending.py).
    ending.exit_now(code)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    collector.give_back_large_blocks()
    # A file name that is not valid UTF-8 must print as escapes, not crash the listing.
    for stream in (sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="backslashreplace")
    commands = {
        "list": cmd_list,
        "show": cmd_show,
        "index": cmd_index,
        "export": cmd_export,
        "state": cmd_state,
        "config": cmd_config,
    }
    try:
        if args and args[0] in commands:
            # A plain kill (or a hang-up) would leave the indexers' pool processes behind, still
            # reading: kill them and exit through the finally blocks. (The app has its own.)
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT):
                signal.signal(signum, _exit_on_signal)
            return commands[args[0]](args[1:])
        return cmd_open(args)
    except UserError as error:
        print(f"newstui: {clean_line(str(error))}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # `newstui list | head`: the reader went away; that is not an error.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


# `newstui list PATH ...`: find's walk of PATH (see cmd_list), started before the rest of newstui
# loads (~40 ms of imports): the answer waits for the walk.
_early_walk: tuple[Path, TreeFingerprint] | None = None


def _start_walk(args: list[str]) -> None:
    global _early_walk
    if len(args) > 1 and args[0] == "list" and not args[1].startswith("-"):
        from tui.files.fingerprint import TreeFingerprint

        path = Path(args[1])  # as argparse will give it (if it is the path: see _walk)
        _early_walk = (path, TreeFingerprint(path.expanduser()))


def _walk(path: Path) -> TreeFingerprint:
    """The walk of path: the one _start_walk began, if it was of this folder."""
    global _early_walk
    from tui.files.fingerprint import TreeFingerprint

    early, _early_walk = _early_walk, None
    if early is not None:
        if early[0] == path:
            return early[1]
        early[1].close()
    return TreeFingerprint(path.expanduser())


def _exit_on_signal(signum: int, frame: object) -> None:
    from tui import ending

    ending.arm_watchdog(128 + signum)  # should a finally block hang
    ending.stop_children()
    raise SystemExit(128 + signum)


def _load_config() -> Config:
    """The user's config, with its time zone applied; a bad file is reported and defaults used."""
    from tui import config as config_module

    config = config_module.load()
    for problem in config.problems:
        print(f"newstui: {clean_line(problem)}", file=sys.stderr)
    if config.timezone:  # checked by the config: a zone this system has
        # Dates everywhere (table, reader, after:/before:) follow the process's local zone.
        os.environ["TZ"] = config.timezone
        time.tzset()
    return config


def _parser(prog: str, description: str) -> argparse.ArgumentParser:
    import argparse

    return argparse.ArgumentParser(prog=prog, description=description)


def _open_repository(path: Path, config: Config):
    from tui.repository import ArchiveError, Repository

    try:
        return Repository(path, follow_symlinks=config.follow_symlinks)
    except ArchiveError as error:
        raise UserError(str(error)) from None


# ------------------------------------------------------------------------- newstui [PATH]


def cmd_open(args: list[str]) -> int:
    parser = _parser("newstui", "A keyboard-driven terminal browser for folders of news posts.")
    parser.usage = USAGE
    parser.add_argument("path", nargs="?", type=Path, help="the folder of posts")
    parser.add_argument("--no-mouse", action="store_true", help="do not capture the mouse")
    parser.add_argument("--version", action="version", version=f"newstui {__version__}")
    options = parser.parse_args(args)

    config = _load_config()
    path = options.path or config.posts_path
    if path is None:
        raise UserError("no folder given: run `newstui PATH`, or set `posts` in the config")
    _check_terminal()
    repo = _open_repository(path, config)
    _start_multiprocessing_helpers()
    # A cold start of a large folder: the parsers' pool starts on the other CPU while the app
    # loads and draws its first frame, and then parses the first rows too.
    repo.cache.start_early()
    from tui import ending
    from tui.app import NewsApp

    app = NewsApp(repo, config)
    ending.save_terminal()
    app.run(mouse=not options.no_mouse)
    return app.return_code or 0


def _start_multiprocessing_helpers() -> None:
    """Start multiprocessing's resource tracker while stderr is still a real file.

    Indexing a large archive uses a process pool, whose first use starts the tracker with
    sys.stderr's descriptor; inside the app Textual has replaced sys.stderr with one that has
    none, and the pool would fail to start (ValueError: bad value(s) in fds_to_keep).
    """
    from multiprocessing import resource_tracker

    resource_tracker.ensure_running()


def _check_terminal() -> None:
    """Textual needs a real terminal: without one it hangs, and TERM=dumb cannot draw it."""
    if os.environ.get("TERM") == "dumb":
        raise UserError(
            "this terminal (TERM=dumb) cannot show the app; use `newstui list PATH` instead"
        )
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        raise UserError(
            "the app needs a terminal; use `newstui list PATH` to print the posts instead"
        )


# ------------------------------------------------------------------------- list


def cmd_list(args: list[str]) -> int:
    parser = _parser("newstui list", "Print the posts of a folder, newest first.")
    parser.add_argument("path", type=Path)
    parser.add_argument(
        "--query", "-q", default="", help="filter, in the filter bar's query language"
    )
    parser.add_argument(
        "--format",
        "-f",
        choices=["table", "json", "csv", "paths"],
        default="table",
        help="paths: one file name per line, under PATH as given (like grep -l)",
    )
    parser.add_argument(
        "--stories",
        action="store_true",
        help="one row per story (files with the same url); json and csv name the other copies",
    )
    parser.add_argument(
        "--null",
        "-0",
        action="store_true",
        help="with --format paths: end each name with NUL, not a newline (for xargs -0)",
    )
    parser.add_argument(
        "--sort",
        "-s",
        default=None,
        metavar="FIELD",
        help="date (newest first: the default), title, source or author; -FIELD reverses it "
        "(write --sort=-date)",
    )
    options = parser.parse_args(args)
    if options.null and options.format != "paths":
        raise UserError("--null goes with --format paths")

    # find walks the folder (from before this parsed its arguments) while Python loads the rest
    # (see _list).
    fingerprint = _walk(options.path)
    try:
        config = _load_config()
        query = _parse_query(options.query, config)
        order = _parse_sort(options.sort)
        repo = _open_repository(options.path, config)
        try:
            answer = _list(
                repo, query, options.path, options.format, fingerprint, options.stories, order
            )
            _write(answer, options.null)
        finally:
            repo.close()
    finally:
        fingerprint.close()
    return 0


def _list(
    repo, query, path: Path, output: str, fingerprint, stories: bool = False, order=None
) -> str | Paths:
    from tui.query import uses_field

    bodies = uses_field(query, "body")
    printer = _progress_printer if sys.stderr.isatty() else lambda what="": None
    # Answer from the index while find checks the folder in another process (~0.3 s for 100,000
    # files): if nothing changed, that is the answer. Else (or with no index yet) bring the index
    # up to date first. Only reads happen before the check: the body index is built or updated
    # after it, never from an index that may be stale.
    answer = None
    if repo.cache.count() and (not bodies or repo.fulltext.synced(repo.cache.version())):
        answer = _answer(repo, query, path, output, stories, order)
    result = repo.cache.refresh(progress=printer(), fingerprint=fingerprint)
    for problem in result.problems[:20]:
        print(f"newstui: {clean_line(problem)}", file=sys.stderr)
    if answer is None or not result.empty or result.cancelled or _damaged(repo, bodies):
        if bodies:  # the CLI builds the body index when a query needs it (or rebuilds it)
            repo.update_fulltext(progress=printer("indexing bodies"))
        answer = _answer(repo, query, path, output, stories, order)
        if _damaged(repo, bodies):  # damaged again at once: no answer is better than a wrong one
            raise UserError(repo.fulltext.notice or "the body search index is damaged")
    _notices(repo, bodies)
    return answer


class Paths:
    """The answer of --format paths: file names under base, as their bytes (names from
    os.listdir open their files whatever their encoding), each followed by NUL."""

    def __init__(self, base: str, names: bytes) -> None:
        self.base = os.fsencode(base)
        self.names = names


def _write(answer: str | Paths, null: bool) -> None:
    """One file per line (or per NUL), as the bytes of its name, which xargs can open whatever
    its encoding. Only on a terminal are control characters (and bytes that are not UTF-8) shown
    escaped, as they would act on it."""
    if not isinstance(answer, Paths):
        sys.stdout.write(answer)
        return
    end = b"\0" if null else b"\n"
    if sys.stdout.isatty():
        names = answer.names.split(b"\0")[:-1]
        shown = ((answer.base + name).decode("utf-8", "backslashreplace") for name in names)
        data = b"".join(
            escape_controls(line).replace("\n", "\\u000a").encode() + end for line in shown
        )
    elif answer.names:
        # Two calls, not a few per file: 75,000 names take ~40 ms less.
        data = answer.base + answer.names[:-1].replace(b"\0", end + answer.base) + end
    else:
        data = b""
    sys.stdout.flush()
    sys.stdout.buffer.write(data)


def _damaged(repo, bodies: bool) -> bool:
    """Whether a search of the body index found it unreadable (its answer is not to be trusted)."""
    return bodies and repo.fulltext.damaged


def _notices(repo, bodies: bool) -> None:
    """What the indexes had to do (rebuilt, in memory), one line each on stderr."""
    for notice in (repo.cache.notice, repo.fulltext.notice if bodies else None):
        if notice:
            print(f"newstui: {clean_line(notice)}", file=sys.stderr)


def _answer(repo, query, path: Path, output: str, stories: bool = False, order=None) -> str | Paths:
    """The output for the posts in the index that match query (only reads the index), newest
    first or in order (a tui.query.order.Order)."""
    if stories:
        return _answer_stories(repo, query, path, output, order)
    import sqlite3
    from contextlib import suppress
    from functools import cache

    from tui.query import QueryEngine, Term, body_candidates, only_body_terms, uses_field

    fulltext = repo.fulltext if uses_field(query, "body") else None
    fast = order is None  # the shortcuts below answer newest first
    if (
        fast
        and output == "paths"
        and isinstance(query, Term)
        and fulltext
        and not fulltext.in_memory
    ):
        # The commonest case, `--query body:TERM`: the two indexes joined in SQLite.
        with suppress(sqlite3.Error):  # else the general way below
            queries = fulltext.match_queries(query.value) if not query.negated else None
            if queries is not None:
                names = repo.cache.names_matching(fulltext.db_path, queries)
                return Paths(os.path.join(path, ""), names)
    body_search = None
    candidates = None
    if fulltext is not None:
        body_search = cache(fulltext.search)  # the engine asks again for each candidate list
        candidates = body_candidates(query, body_search)
    if fast and output == "paths" and candidates is not None and only_body_terms(query):
        # The full-text index alone answers this: no post needs reading from the cache.
        return _paths(path, repo.cache.paths(candidates))
    # Only the posts the query can match are read from the index.
    posts = repo.cache.load() if candidates is None else repo.cache.load_paths(candidates)
    indices = QueryEngine(posts, lazy=True).filter(
        query, state=repo.state.get, body_search=body_search, hide_archived=False
    )
    if order is not None:
        from tui.query.order import sort_indices

        found = [posts[i] for i in indices]
        indices = [indices[i] for i in sort_indices(found, order)]
    if output == "paths":
        return _paths(path, [posts[i].path for i in indices])
    rows = [_row(posts[i], repo.state.get(posts[i].id)) for i in indices]
    return _format(rows, output)


def _answer_stories(repo, query, path: Path, output: str, order=None) -> str | Paths:
    """--stories: one row per story that matches, its newest copy, with the others' paths.

    Every post is read from the index (a story found by one copy's body needs the others too).
    """
    from functools import cache

    from tui.query import QueryEngine, uses_field
    from tui.stories import group

    body_search = cache(repo.fulltext.search) if uses_field(query, "body") else None
    stories = group(repo.cache.load())
    engine = QueryEngine(stories.rows, lazy=True, copies=stories.copies, shared=stories.shared)
    indices = engine.filter(
        query, state=repo.state.get, body_search=body_search, hide_archived=False
    )
    shown = [stories.rows[i] for i in indices]
    if order is not None:
        from tui.query.order import sort_posts

        shown = sort_posts(shown, order)
    if output == "paths":
        return _paths(path, [post.path for post in shown])
    rows = []
    for post in shown:
        row = _row(post, repo.state.get(post.id))
        row["copies"] = [copy.path for copy in stories.of(post) if copy is not post]
        rows.append(row)
    return _format(rows, output)


def _format(rows: list[dict], output: str) -> str:
    """rows as JSON, CSV or the table."""
    # File names are not cleaned at parse time (they must still open the file): escape their
    # control characters as \uXXXX, which JSON reads back as the same text.
    if output == "json":
        import json

        return escape_controls(json.dumps(rows, ensure_ascii=False, indent=1)) + "\n"
    if output == "csv":
        return escape_controls(_csv(rows))
    return "".join(line + "\n" for line in _table(rows))


def _paths(root: Path, rels: list[str]) -> Paths:
    """The files under root as the user gave it (written by _write)."""
    return Paths(os.path.join(root, ""), b"".join(os.fsencode(rel) + b"\0" for rel in rels))


def _row(post, state) -> dict:
    return {
        "path": post.path,
        "title": post.title,
        "date": post.date.isoformat() if post.date else None,
        "author": post.author,
        "url": post.url,
        "tags": list(post.tags),
        "categories": list(post.categories),
        "problems": list(post.problems),
        "read": state.read,
        "starred": state.starred,
        "archived": state.archived,
        "labels": sorted(state.labels),
    }


def _csv(rows: list[dict]) -> str:
    import csv

    out = io.StringIO()
    fields = [
        "path",
        "title",
        "date",
        "author",
        "url",
        "tags",
        "categories",
        "problems",
        "read",
        "starred",
        "archived",
        "labels",
    ]
    if rows and "copies" in rows[0]:
        fields.append("copies")
    writer = csv.DictWriter(out, fieldnames=fields, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: "; ".join(v) if isinstance(v, list) else v for k, v in row.items()})
    return out.getvalue()


def _table(rows: list[dict]) -> Iterator[str]:
    from datetime import datetime

    width = os.get_terminal_size().columns if sys.stdout.isatty() else 160
    title_width = max(20, width - 2 - 11 - 16 - 3)
    for row in rows:
        marks = ("★" if row["starred"] else " ") + (" " if row["read"] else "●")
        date = (
            datetime.fromisoformat(row["date"]).astimezone().strftime("%Y-%m-%d")
            if row["date"]
            else "—".ljust(10)
        )
        source = pad_cells(clean_line(row["author"]), 16)
        title = clean_line(row["title"])
        if row["problems"]:
            title += f"  [{clean_line(row['problems'][0])}]"
        if row["labels"]:
            title += "  #" + " #".join(row["labels"])
        if row.get("copies"):
            title = f"×{len(row['copies']) + 1} {title}"
        yield f"{marks} {date} {source} {pad_cells(title, title_width).rstrip()}"


def _progress_printer(what: str = "indexing"):
    def progress(done: int, total: int) -> None:
        print(
            f"\r{what} {done:,} of {total:,} files",
            end="" if done < total else "\n",
            file=sys.stderr,
        )

    return progress


# ------------------------------------------------------------------------- show


def cmd_show(args: list[str]) -> int:
    parser = _parser(
        "newstui show", "Print a post as the reader shows it (plain Markdown when piped)."
    )
    parser.add_argument("file", type=Path)
    options = parser.parse_args(args)

    from tui.files import parse_file
    from tui.render import render_post

    path = options.file.expanduser()
    if not path.exists():
        raise UserError(f"no such file: {path}")
    if path.is_dir():
        raise UserError(f"{path} is a folder: give a post file (or use `newstui list`)")
    from tui.repository import READER_BYTES, cut_note

    parsed = parse_file(path.parent, path.name, max_bytes=READER_BYTES)
    notes = [cut_note(parsed.cut_at, parsed.size)] if parsed.cut_at else []
    rendered = render_post(parsed.post, parsed.body, notes=notes)
    text = clean(rendered.markdown)
    if sys.stdout.isatty():
        from rich.console import Console
        from rich.markdown import Markdown

        Console().print(Markdown(text, hyperlinks=False))
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    for note in rendered.notes:
        print(f"newstui: {clean_line(note)}", file=sys.stderr)
    return 0


# ------------------------------------------------------------------------- index


def cmd_index(args: list[str]) -> int:
    parser = _parser("newstui index", "Build or update the index of a folder, showing progress.")
    parser.add_argument("path", type=Path)
    parser.add_argument(
        "--no-bodies",
        action="store_true",
        help="skip the full-text index of bodies (body: queries)",
    )
    parser.add_argument(
        "--rebuild",
        action="store_true",
        help="throw both indexes away and read every file again",
    )
    options = parser.parse_args(args)
    repo = _open_repository(options.path, _load_config())
    if options.rebuild:
        repo.cache.rebuild()
        if not options.no_bodies:
            repo.fulltext.rebuild()
    repo.load()

    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn("{task.description:<8}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, transient=False) as bar:
        posts = bar.add_task("posts", total=None)
        result = repo.refresh(
            progress=lambda done, total: bar.update(posts, completed=done, total=total)
        )
        bar.update(posts, completed=len(repo.posts), total=len(repo.posts))
        repo.save_snapshot()  # what the app's next start reads (tui.index.snapshot)
        if not options.no_bodies:
            bodies = bar.add_task("bodies", total=None)
            repo.update_fulltext(
                progress=lambda done, total: bar.update(bodies, completed=done, total=total)
            )
            # Already in step (nothing to read), or done: every post is indexed.
            bar.update(bodies, completed=len(repo.posts), total=len(repo.posts))
    _notices(repo, not options.no_bodies)
    print(
        f"{repo.cache.count():,} posts indexed: {len(result.added):,} new, "
        f"{len(result.changed):,} changed, {len(result.removed):,} removed"
        + ("" if options.no_bodies else "; bodies indexed for body: search")
    )
    for problem in result.problems[:20]:
        print(f"  {clean_line(problem)}", file=sys.stderr)
    repo.close()
    return 0


# ------------------------------------------------------------------------- export


def cmd_export(args: list[str]) -> int:
    parser = _parser(
        "newstui export",
        "Write the matching posts, newest first, as one EPUB, HTML or Markdown file.",
    )
    parser.add_argument("path", type=Path)
    parser.add_argument(
        "--query", "-q", default="", help="filter, in the filter bar's query language"
    )
    parser.add_argument("--format", "-f", choices=["epub", "html", "md"], required=True)
    parser.add_argument(
        "--output", "-o", required=True, help="the file to write; - for standard output"
    )
    parser.add_argument(
        "--stories",
        action="store_true",
        help="one chapter per story (files with the same url): its newest copy",
    )
    parser.add_argument(
        "--sort",
        "-s",
        default=None,
        metavar="FIELD",
        help="the chapters' order, as for list: date (newest first: the default), title, source "
        "or author; -FIELD reverses it (write --sort=-date)",
    )
    parser.add_argument("--limit", type=int, default=0, help="only the first N, in that order")
    parser.add_argument("--title", default="", help="the book's title (default: the query)")
    options = parser.parse_args(args)

    from tui import export

    to_stdout = options.output == "-"
    if to_stdout and options.format == "epub" and sys.stdout.isatty():
        raise UserError("an EPUB is binary: give a file name with -o, or pipe standard output")
    config = _load_config()
    query = _parse_query(options.query, config)
    order = _parse_sort(options.sort)
    repo = _open_repository(options.path, config)
    try:
        target = None
        if not to_stdout:  # an unwritable path is reported before any work
            try:
                target = export.check_target(Path(options.output), repo.root)
            except export.ExportError as error:
                raise UserError(str(error)) from None
        posts = _matching(repo, query, stories=options.stories)
        if order is not None:
            from tui.query.order import sort_posts

            posts = sort_posts(posts, order)
        if options.limit > 0:
            posts = posts[: options.limit]
        if not posts:
            what = f"match {options.query!r}" if options.query else "are in the folder"
            raise UserError(f"no posts {what}: nothing exported")
        title = clean_line(options.title or options.query or repo.root.name) or "newstui"
        book = export.Book(title, posts, repo.root)
        progress = _export_progress(len(posts)) if sys.stderr.isatty() else None
        if target is None:
            export.export_to_stream(book, options.format, sys.stdout.buffer, progress=progress)
        else:
            try:
                export.export_to_file(book, options.format, target, progress=progress)
            except export.ExportError as error:
                raise UserError(str(error)) from None
            print(f"exported {len(posts):,} posts to {target}", file=sys.stderr)
    finally:
        repo.close()
    return 0


def _parse_sort(text: str | None):
    """--sort's Order, or None for the index's own order (newest first)."""
    if text is None:
        return None
    from tui.query.order import NEWEST_FIRST, parse_order

    try:
        order = parse_order(text)
    except ValueError as error:
        raise UserError(f"bad --sort: {error}") from None
    return None if order == NEWEST_FIRST else order


def _parse_query(text: str, config: Config):
    from tui.query import QueryError, parse

    try:
        return parse(text, saved=config.searches)
    except QueryError as error:
        message = f"bad query: {error.message} (at character {error.position + 1})"
        raise UserError(message) from None


def _matching(repo, query, *, stories: bool = False) -> list:
    """The posts of an up-to-date index that match query, newest first (archived ones too, as
    `newstui list` prints them); with stories, each matching story's newest copy, as
    `newstui list --stories` prints them."""
    from tui.query import QueryEngine, uses_field
    from tui.stories import group

    printer = _progress_printer if sys.stderr.isatty() else lambda what="": None
    repo.load()
    result = repo.refresh(progress=printer())
    for problem in result.problems[:20]:
        print(f"newstui: {clean_line(problem)}", file=sys.stderr)
    body_search = None
    if uses_field(query, "body"):
        repo.update_fulltext(progress=printer("indexing bodies"))
        body_search = repo.fulltext.search
    posts = repo.posts
    engine = QueryEngine(posts)
    if stories:
        grouped = group(posts)
        posts = grouped.rows
        engine = QueryEngine(posts, copies=grouped.copies)
    indices = engine.filter(
        query, state=repo.state.get, body_search=body_search, hide_archived=False
    )
    return [posts[i] for i in indices]


def _export_progress(total: int):
    def progress(done: int, total: int = total) -> None:
        print(
            f"\rexporting {done:,} of {total:,} posts",
            end="" if done < total else "\n",
            file=sys.stderr,
        )

    return progress


# ------------------------------------------------------------------------- state


def cmd_state(args: list[str]) -> int:
    parser = _parser(
        "newstui state", "Back up or merge the triage state (read, starred, archived, labels)."
    )
    parser.add_argument("action", choices=["export", "import"])
    parser.add_argument("file", help="the JSON file; - is standard output / input")
    options = parser.parse_args(args)

    from tui.state import StateStore

    store = StateStore()
    try:
        if store.notice:
            print(f"newstui: {clean_line(store.notice)}", file=sys.stderr)
        if options.action == "export":
            return _export_state(store, options.file)
        if options.file == "-":
            text = sys.stdin.buffer.read()
        else:
            try:
                text = Path(options.file).read_bytes()
            except OSError as error:
                raise UserError(f"cannot read {options.file}: {error.strerror}") from None
        if store.in_memory:
            raise UserError("the state file cannot be written: nothing merged")
        try:
            count = store.import_json(options.file, text=text)
        except ValueError as error:
            raise UserError(str(error)) from None
        print(f"merged: {count:,} posts changed")
    finally:
        store.close()
    return 0


def _export_state(store, target: str) -> int:
    """Write the export to target (- for standard output); an empty one is refused: a backup
    of nothing must not look like a backup."""
    text, count = store.export_text()
    if count == 0:
        print(
            f"newstui: nothing to export: no post is read, starred, archived or labelled in "
            f"{store.path}; no file written",
            file=sys.stderr,
        )
        return 1
    if target == "-":
        sys.stdout.write(text)
        return 0
    from tui.state.store import write_atomic

    path = Path(target).expanduser()
    if not path.parent.is_dir():
        raise UserError(f"cannot write {target}: no such folder {path.parent}")
    try:
        write_atomic(path, text)
    except OSError as error:
        raise UserError(f"cannot write {target}: {error.strerror or error}") from None
    print(f"exported the state of {count:,} posts to {target}")
    return 0


# ------------------------------------------------------------------------- config


def cmd_config(args: list[str]) -> int:
    parser = _parser(
        "newstui config", "Show, check or write the config file (a commented template)."
    )
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--path", action="store_true", help="print the config file's path")
    group.add_argument("--init", action="store_true", help="write the commented template")
    group.add_argument("--template", action="store_true", help="print the commented template")
    group.add_argument(
        "--check", action="store_true", help="print every problem; exit status 1 if any"
    )
    parser.add_argument(
        "--force", action="store_true", help="with --init: replace a config (kept as .bak)"
    )
    options = parser.parse_args(args)
    from tui import config as config_module

    if options.force and not options.init:
        raise UserError("--force goes with --init")
    if options.path:
        print(config_module.locations.config_file())
        return 0
    if options.template:
        sys.stdout.write(config_module.TEMPLATE)
        return 0
    if options.check:
        return _check_config(config_module.load())
    try:
        path, kept = config_module.write_template(force=options.force)
    except FileExistsError as error:
        raise UserError(
            f"{error.filename} already exists; not overwriting it (--force replaces it and "
            "keeps it as .bak; --template prints the template)"
        ) from None
    except OSError as error:
        raise UserError(f"cannot write the config: {error.strerror or error}") from None
    print(f"wrote {path}" + (f" (the old one is {kept})" if kept else ""))
    return 0


def _check_config(config: Config) -> int:
    """Print the config's problems and the app's (theme, keys); 1 if there are any."""
    from tui.keymap import app_problems

    problems = [*config.problems, *app_problems(config)]
    for problem in problems:
        print(clean_line(problem))
    if problems:
        return 1
    print(f"{config.path}: no problems" if config.path and config.path.exists() else "no config")
    return 0


if __name__ == "__main__":
    sys.exit(main())
