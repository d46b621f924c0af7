"""The installed `newstui` CLI over the hostile corpus: every file listed once, no escapes, no tracebacks."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hostile import HOSTILE_NAMES, forbidden_in, make_hostile_corpus, make_hostile_names

NEWSTUI = Path(sys.executable).parent / "newstui"
HANG_GUARD = 20  # seconds: a hang guard, not a speed requirement


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    root = tmp_path_factory.mktemp("hostile") / "posts"
    return root, make_hostile_corpus(root)


def run(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run newstui with this test's XDG folders; output as bytes, so nothing is hidden by decoding."""
    return subprocess.run(
        [str(NEWSTUI), *args],
        capture_output=True,
        timeout=HANG_GUARD,
        env={**os.environ, **(env or {})},
        **kwargs,
    )


def check_output(done: subprocess.CompletedProcess, *, csv_text: bool = False) -> str:
    out = done.stdout.decode("utf-8")  # a UnicodeDecodeError fails the test too
    err = done.stderr.decode("utf-8")
    if csv_text:
        out = out.replace("\r\n", "\n")  # the csv module's line ending is not an escape
    assert "Traceback" not in err, err
    assert forbidden_in(out) == [], [line for line in out.splitlines() if forbidden_in(line)]
    assert forbidden_in(err) == []
    return out


@pytest.mark.parametrize("form", ["json", "csv"])
def test_list_every_file_once_without_escapes(corpus, form) -> None:
    root, expected = corpus
    done = run("list", str(root), "--format", form)
    assert done.returncode == 0, done.stderr
    out = check_output(done, csv_text=form == "csv")
    rows = json.loads(out) if form == "json" else list(csv.DictReader(io.StringIO(out)))
    paths = [row["path"] for row in rows]
    assert sorted(paths) == sorted(expected)  # links, FIFOs, loops and hidden files not listed
    for row in rows:
        assert row["title"].strip(), row["path"]
        assert expected[row["path"]] in row["title"], row["path"]


def test_list_table_shows_every_title(corpus) -> None:
    root, expected = corpus
    done = run("list", str(root))
    assert done.returncode == 0, done.stderr
    lines = check_output(done).splitlines()
    assert len(lines) == len(expected)
    table = "\n".join(lines)
    short = [title for title in expected.values() if title and len(title) < 40]
    for title in short:
        assert title in table


def test_list_twice_uses_the_cache_and_agrees(corpus) -> None:
    root, _ = corpus
    first = run("list", str(root), "--format", "json")
    second = run("list", str(root), "--format", "json")
    assert first.returncode == second.returncode == 0
    assert json.loads(first.stdout) == json.loads(second.stdout)


@pytest.mark.parametrize("form", ["json", "csv", "paths"])
def test_list_hostile_file_names_are_escaped(tmp_path, form) -> None:
    root = tmp_path / "posts"
    make_hostile_names(root)
    done = run("list", str(root), "--format", form)
    assert done.returncode == 0
    if form == "paths":  # a pipe gets each name's own bytes, for xargs (a terminal: escaped)
        assert sorted(done.stdout.splitlines()) == sorted(
            os.fsencode(root / name) for name in HOSTILE_NAMES
        )
        return
    check_output(done, csv_text=form == "csv")
    if form == "json":
        assert len(json.loads(done.stdout)) == 3


def test_list_says_when_a_file_name_cannot_be_listed(tmp_path) -> None:
    root = tmp_path / "posts"
    root.mkdir()
    (root / "ok.md").write_text("---\ntitle: ok\n---\nx\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"bad\xff\xfename.md"), "wb") as file:
        file.write(b"---\ntitle: bad name\n---\nx\n")
    done = run("list", str(root), "--format", "json")
    assert done.returncode == 0
    check_output(done)
    listed = len(json.loads(done.stdout))
    assert listed == 2  # indexed like any other, its name printed with escapes


def test_show_every_post(corpus, capsysbinary) -> None:
    """Every post through `show` in this process (a process each took 30 s of the suite), and a
    few as whole processes: the same command, what a user runs."""
    from tui.cli import cmd_show

    root, expected = corpus
    for number, rel in enumerate(sorted(expected)):
        if number % 20 == 0:
            done = run("show", str(root / rel))
        else:
            returncode = cmd_show([str(root / rel)])
            out, err = capsysbinary.readouterr()
            done = subprocess.CompletedProcess(["show", rel], returncode, out, err)
        assert done.returncode == 0, (rel, done.stderr[-500:])
        out = check_output(done)
        assert out.startswith("# "), rel  # the heading with the title
        if expected[rel]:
            assert expected[rel].replace("[", "\\[").split("\\")[0] in out, rel


def test_show_refuses_folders_and_missing_files(corpus, tmp_path) -> None:
    root, _ = corpus
    for args in (["show", str(root)], ["show", str(tmp_path / "missing.md")]):
        done = run(*args)
        assert done.returncode == 2
        check_output(done)
        err = done.stderr.decode()
        assert len(err.strip().splitlines()) == 1, err


def test_list_refuses_missing_path_and_file(corpus, tmp_path) -> None:
    root, _ = corpus
    for target in (tmp_path / "missing", root / "markup" / "close.md"):
        done = run("list", str(target))
        assert done.returncode == 2
        check_output(done)
        assert len(done.stderr.decode().strip().splitlines()) == 1, done.stderr


def test_app_without_a_terminal_says_use_list(corpus) -> None:
    root, _ = corpus
    for env in ({}, {"TERM": "dumb"}):
        done = run(str(root), env=env, stdin=subprocess.DEVNULL)
        assert done.returncode == 2
        check_output(done)
        err = done.stderr.decode()
        assert "newstui list" in err
        assert len(err.strip().splitlines()) == 1, err


@pytest.mark.parametrize("form", ["json", "paths"])
def test_body_query_finds_a_file_whose_name_cannot_be_decoded(tmp_path, form) -> None:
    """Both indexes key such a name the same way (it once crashed the body index)."""
    root = tmp_path / "posts"
    root.mkdir()
    (root / "ok.md").write_text("---\ntitle: ok\n---\nhello\n", encoding="utf-8")
    with open(os.path.join(os.fsencode(root), b"bad\xff\xfename.md"), "wb") as file:
        file.write(b"---\ntitle: bad name\n---\nhello there\n")
    for _ in range(2):  # building the body index, then answering from it
        done = run("list", str(root), "--query", "body:hello", "--format", form)
        assert done.returncode == 0, done.stderr
        if form == "json":
            check_output(done)
        lines = json.loads(done.stdout) if form == "json" else done.stdout.splitlines()
        assert len(lines) == 2
        if form == "paths":  # the name's own bytes
            assert os.path.join(os.fsencode(root), b"bad\xff\xfename.md") in lines
