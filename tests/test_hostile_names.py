"""File names and links as data (issue 21): `--format paths` gives each name's own bytes (NUL-separated
with -0), and links that lead out of the posts folder are skipped and counted, unless asked for."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import write_post
from tui import cli
from tui.files.scan import scan

NEWSTUI = Path(sys.executable).parent / "newstui"
HANG_GUARD = 60  # seconds: a hang guard, not a speed requirement


def run(*args: str | bytes) -> subprocess.CompletedProcess:
    done = subprocess.run(
        [os.fsencode(NEWSTUI), *map(os.fsencode, args)], capture_output=True, timeout=HANG_GUARD
    )
    assert b"Traceback" not in done.stderr, done.stderr.decode(errors="replace")
    return done


@pytest.fixture
def names(tmp_path: Path) -> tuple[Path, list[bytes]]:
    root = tmp_path / "posts"
    root.mkdir()
    raw = [b"caf\xe9.md", b"bad\xff\xfe name.md", "新闻.md".encode(), b"new\nline.md"]
    for name in raw:
        with open(os.path.join(os.fsencode(root), name), "wb") as handle:
            handle.write(b"---\ntitle: t\ndate: 2021-06-24\n---\n<p>x</p>\n")
    return root, [os.fsencode(root) + b"/" + name for name in raw]


def test_paths_are_the_names_bytes(names) -> None:
    root, expected = names
    done = run("list", str(root), "--format", "paths", "-0")
    assert done.returncode == 0
    assert sorted(done.stdout.split(b"\0")[:-1]) == sorted(expected)
    assert done.stdout.endswith(b"\0")
    # xargs -0 opens every one of them.
    counted = subprocess.run(
        ["xargs", "-0", "cat"], input=done.stdout, capture_output=True, timeout=HANG_GUARD
    )
    assert counted.returncode == 0 and counted.stdout.count(b"title: t") == 4
    lines = run("list", str(root), "--format", "paths").stdout
    assert b"caf\xe9.md\n" in lines and b"\\udc" not in lines


def test_null_only_with_paths(names) -> None:
    root, _ = names
    done = run("list", str(root), "--null")
    assert done.returncode == 2 and len(done.stderr.splitlines()) == 1


def test_paths_on_a_terminal_are_escaped(monkeypatch, capsysbinary) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    names = [os.fsdecode(b"caf\xe9.md"), "osc\x1b]2;x\x07.md", "a\nb.md"]
    cli._write(cli._paths(Path("/p"), names), null=False)
    shown = capsysbinary.readouterr().out
    assert shown == b"/p/caf\\xe9.md\n/p/osc\\u001b]2;x\\u0007.md\n/p/a\\u000ab.md\n"


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(root, "in.md", "Inside", "2021-06-24")
    outside = tmp_path / "outside"
    write_post(outside, "secret.md", "Secret", "2021-06-24")
    (outside / "passwd").write_text("root:x:0:0\n")
    os.symlink(outside / "passwd", root / "passwd.md")  # the reported case: /etc/passwd
    os.symlink(outside / "secret.md", root / "secret.md")
    os.symlink(outside, root / "folder")
    os.symlink(root / "in.md", root / "alias.md")  # inside: listed once, as before
    return root


def test_links_out_of_the_folder_are_skipped_and_counted(linked: Path) -> None:
    result = scan(linked)
    assert [entry.rel for entry in result.files] == ["in.md"]
    skipped = [p for p in result.problems if "out of the posts folder" in p]
    assert sorted(skipped) == [
        "link out of the posts folder skipped: folder",
        "link out of the posts folder skipped: passwd.md",
        "link out of the posts folder skipped: secret.md",
    ]
    followed = scan(linked, follow_symlinks=True)
    assert sorted(entry.rel for entry in followed.files) == [
        "folder/secret.md",
        "in.md",
        "passwd.md",
    ]


def test_list_and_show_skip_links_out(linked: Path, isolated_xdg: Path) -> None:
    done = run("list", str(linked), "--format", "paths")
    assert done.stdout == os.fsencode(linked) + b"/in.md\n"
    assert b"out of the posts folder" in done.stderr
    config = isolated_xdg / "XDG_CONFIG_HOME" / "newstui" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("follow_symlinks = true\n")
    done = run("list", str(linked), "--format", "paths")
    assert len(done.stdout.splitlines()) == 3


def test_live_reload_skips_links_out(linked: Path, tmp_path: Path) -> None:
    from tui.index import IndexCache

    cache = IndexCache(linked, tmp_path / "c.sqlite")
    cache.refresh()
    os.symlink(tmp_path / "outside" / "secret.md", linked / "late.md")
    result = cache.update_paths(["late.md", "in.md"])
    assert result.added == []
