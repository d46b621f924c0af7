"""Tests for the tree fingerprint: any change to a visible entry changes it; no GNU find, none."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from tui.files.fingerprint import TreeFingerprint

pytestmark = pytest.mark.skipif(shutil.which("find") is None, reason="needs find")


def tree(root: Path) -> Path:
    for rel in ("2021/01/a.md", "2021/02/b.md", "c.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(rel, encoding="utf-8")
    return root


def fingerprint(root: Path) -> str | None:
    return TreeFingerprint(root).result()


def test_same_tree_same_fingerprint(tmp_path: Path) -> None:
    root = tree(tmp_path)
    first = fingerprint(root)
    assert first is not None and len(first) == 40
    assert fingerprint(root) == first


@pytest.mark.parametrize(
    "change",
    [
        lambda root: (root / "c.md").write_text("c.mx", encoding="utf-8"),  # same size
        lambda root: (root / "2021/03").mkdir(),
        lambda root: (root / "2021/01/a.md").rename(root / "2021/01/z.md"),
        lambda root: (root / "2021/02/b.md").unlink(),
        lambda root: os.symlink(root / "c.md", root / "link.md"),
    ],
)
def test_every_change_shows(tmp_path: Path, change) -> None:
    root = tree(tmp_path)
    st = (root / "c.md").stat()
    before = fingerprint(root)
    change(root)
    if (root / "c.md").exists():  # even with the old size and mtime put back
        os.utime(root / "c.md", ns=(st.st_atime_ns, st.st_mtime_ns))
    assert fingerprint(root) != before


def test_hidden_entries_do_not_count(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / ".git").mkdir()
    (root / ".git" / "index").write_text("x")
    (root / "2021" / ".draft.md").write_text("x")
    before = fingerprint(root)
    (root / ".git" / "index").write_text("changed")  # a git commit, say
    (root / "2021" / ".draft.md").write_text("changed")
    assert fingerprint(root) == before


def test_no_find_no_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path)
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    assert fingerprint(root) is None


def test_a_find_that_fails_gives_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """BSD and busybox find have no -printf: they exit with an error and give no fingerprint."""
    root = tree(tmp_path)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "find").symlink_to(shutil.which("false") or "/bin/false")
    (tools / "sha1sum").symlink_to(shutil.which("sha1sum") or "/usr/bin/sha1sum")
    monkeypatch.setenv("PATH", str(tools))
    assert fingerprint(root) is None


def test_no_sha1sum_no_fingerprint(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(tmp_path)
    tools = tmp_path / "bin"
    tools.mkdir()
    (tools / "find").symlink_to(shutil.which("find") or "/usr/bin/find")
    monkeypatch.setenv("PATH", str(tools))
    assert fingerprint(root) is None


def test_close_stops_find(tmp_path: Path) -> None:
    walk = TreeFingerprint(tree(tmp_path))
    walk.close()
    assert walk.result() is None
