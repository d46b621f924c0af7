"""tui.files.scan: which files are found, and that nothing inside the root can make it loop or raise."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest

from tui.files import FileEntry, ScanResult, is_post_file, scan
from tui.files.scan import iter_scan

# tui.files re-exports the function scan(), which hides the submodule of the same name
scan_module = importlib.import_module("tui.files.scan")


def write(root: Path, rel: str, text: str = "x") -> Path:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def rels(result: ScanResult) -> list[str]:
    return sorted(entry.rel for entry in result.files)


def test_is_post_file() -> None:
    for name in ("a.md", "A.MD", "b.markdown", "c.Markdown", "d.html", "E.HTML", ".md"):
        assert is_post_file(name), name
    for name in ("a.txt", "a.htm", "a.md.bak", "md", "a.mdx", "a.html~", ""):
        assert not is_post_file(name), name


def test_finds_post_files_recursively_with_posix_rel_paths(tmp_path: Path) -> None:
    write(tmp_path, "2021/06/2021-06-24-a.md")
    write(tmp_path, "2021/06/b.markdown")
    write(tmp_path, "2020/c.HTML")
    write(tmp_path, "top.md")
    write(tmp_path, "notes.txt")
    write(tmp_path, "2021/image.png")
    result = scan(tmp_path)
    assert rels(result) == [
        "2020/c.HTML",
        "2021/06/2021-06-24-a.md",
        "2021/06/b.markdown",
        "top.md",
    ]
    assert result.problems == []


def test_reports_size_and_mtime_from_stat(tmp_path: Path) -> None:
    path = write(tmp_path, "a/post.md", "hello world")
    os.utime(path, ns=(1_600_000_000_123_456_789, 1_600_000_000_123_456_789))
    [entry] = scan(tmp_path).files
    st = path.stat()
    assert entry == FileEntry("a/post.md", st.st_size, st.st_mtime_ns)
    assert entry.size == 11
    assert entry.mtime_ns == 1_600_000_000_123_456_789


def test_skips_hidden_files_and_folders(tmp_path: Path) -> None:
    write(tmp_path, ".hidden.md")
    write(tmp_path, ".git/HEAD.md")
    write(tmp_path, "a/.cache/x.md")
    write(tmp_path, "a/visible.md")
    assert rels(scan(tmp_path)) == ["a/visible.md"]


def test_a_folder_named_like_a_post_is_walked_not_listed(tmp_path: Path) -> None:
    write(tmp_path, "odd.md/inner.md")
    assert rels(scan(tmp_path)) == ["odd.md/inner.md"]


def test_accepts_str_root_and_empty_folder(tmp_path: Path) -> None:
    result = scan(str(tmp_path))
    assert result.files == [] and result.problems == []


def test_missing_root_is_a_problem_not_an_exception(tmp_path: Path) -> None:
    result = scan(tmp_path / "nope")
    assert result.files == []
    assert result.problems == ["unreadable folder: . (No such file or directory)"]


def test_root_that_is_a_file(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md")
    result = scan(path)
    assert result.files == [] and result.problems == ["unreadable folder: . (Not a directory)"]


def test_follows_symlinked_folders_outside_root_when_asked(tmp_path: Path) -> None:
    root = tmp_path / "root"
    outside = tmp_path / "outside"
    write(outside, "2019/x.md")
    write(root, "own.md")
    (root / "linked").symlink_to(outside, target_is_directory=True)
    assert rels(scan(root, follow_symlinks=True)) == ["linked/2019/x.md", "own.md"]


def test_symlink_loop_to_an_ancestor_is_skipped_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "a/post.md")
    (tmp_path / "a" / "b").symlink_to(tmp_path / "a", target_is_directory=True)
    (tmp_path / "a" / "up").symlink_to(tmp_path, target_is_directory=True)
    result = scan(tmp_path)
    assert rels(result) == ["a/post.md"]
    assert sorted(result.problems) == ["symlink loop skipped: a/b", "symlink loop skipped: a/up"]


def test_link_to_itself_is_reported(tmp_path: Path) -> None:
    (tmp_path / "self").symlink_to(tmp_path / "self")
    (tmp_path / "self.md").symlink_to(tmp_path / "self.md")
    result = scan(tmp_path)
    assert result.files == []
    assert sorted(result.problems) == [
        "symlink loop skipped: self",
        "symlink loop skipped: self.md",
    ]


def test_two_links_to_the_same_outside_folder_walk_it_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    write(tmp_path, "shared/x.md")
    (root / "b-link").symlink_to(tmp_path / "shared", target_is_directory=True)
    (root / "a-link").symlink_to(tmp_path / "shared", target_is_directory=True)
    result = scan(root, follow_symlinks=True)
    assert rels(result) == ["a-link/x.md"]  # links are taken in sorted order: stable across scans
    assert result.problems == ["folder already listed as a-link, skipped: b-link"]


def test_link_to_a_real_folder_inside_root_lists_files_under_the_real_path(tmp_path: Path) -> None:
    write(tmp_path, "zzz/real.md")
    (tmp_path / "aaa").symlink_to(tmp_path / "zzz", target_is_directory=True)
    result = scan(tmp_path)
    assert rels(result) == ["zzz/real.md"]
    assert result.problems == ["folder already listed as zzz, skipped: aaa"]


def test_symlink_to_a_listed_file_is_not_listed_twice(tmp_path: Path) -> None:
    write(tmp_path, "z/real.md")
    (tmp_path / "a-link.md").symlink_to(tmp_path / "z" / "real.md")
    result = scan(tmp_path)
    assert rels(result) == ["z/real.md"]  # the real path wins even though the link sorts first
    assert result.problems == []


def test_hard_links_are_listed_once(tmp_path: Path) -> None:
    path = write(tmp_path, "a.md")
    os.link(path, tmp_path / "b.md")
    assert len(scan(tmp_path).files) == 1


def test_symlink_to_a_file_outside_root_is_listed_once(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    target = write(tmp_path, "elsewhere.md", "abc")
    (root / "one.md").symlink_to(target)
    (root / "two.md").symlink_to(target)
    result = scan(root, follow_symlinks=True)
    assert [(e.rel, e.size) for e in result.files] == [("one.md", 3)]


def test_symlink_to_a_non_post_file_is_ignored(tmp_path: Path) -> None:
    target = write(tmp_path, "notes.txt")
    (tmp_path / "link").symlink_to(target)
    result = scan(tmp_path)
    assert result.files == [] and result.problems == []


def test_dangling_links_are_skipped_and_reported(tmp_path: Path) -> None:
    write(tmp_path, "ok.md")
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "gone-folder").symlink_to(tmp_path / "missing-folder")
    result = scan(tmp_path)
    assert rels(result) == ["ok.md"]
    assert sorted(result.problems) == [
        "dangling link skipped: gone.md",
        "dangling link skipped: sub/gone-folder",
    ]


def test_unreadable_folder_is_reported_simulated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "2021/05/ok.md")
    write(tmp_path, "2021/06/secret.md")
    real_open = os.open
    blocked = os.path.join(str(tmp_path), "2021", "06")

    def fake_open(path: str, flags: int, *args: object) -> int:
        if os.fspath(path) == blocked:
            raise PermissionError(13, "Permission denied", path)
        return real_open(path, flags, *args)

    monkeypatch.setattr(scan_module.os, "open", fake_open)
    result = scan(tmp_path)
    assert rels(result) == ["2021/05/ok.md"]
    assert result.problems == ["unreadable folder: 2021/06 (Permission denied)"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads folders whatever their mode")
def test_unreadable_folder_is_reported_chmod(tmp_path: Path) -> None:
    write(tmp_path, "2021/05/ok.md")
    write(tmp_path, "2021/06/secret.md")
    locked = tmp_path / "2021" / "06"
    locked.chmod(0)
    try:
        result = scan(tmp_path)
    finally:
        locked.chmod(0o755)
    assert rels(result) == ["2021/05/ok.md"]
    assert result.problems == ["unreadable folder: 2021/06 (Permission denied)"]


def test_entry_that_fails_to_stat_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(tmp_path, "a.md")
    write(tmp_path, "b.md")
    real_stat = os.stat

    def fake_stat(path: str, **kwargs: object) -> os.stat_result:
        if path == "b.md":
            raise OSError(5, "Input/output error")
        return real_stat(path, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(scan_module.os, "stat", fake_stat)
    result = scan(tmp_path)
    assert rels(result) == ["a.md"]
    assert result.problems == ["unreadable entry skipped: b.md (Input/output error)"]


def test_stopping_early_closes_every_folder(tmp_path: Path) -> None:
    for rel in ("2021/01/a.md", "2021/02/b.md", "2022/01/c.md"):
        write(tmp_path, rel)
    before = len(os.listdir("/proc/self/fd"))
    walk = iter_scan(tmp_path, [])
    next(walk)  # three folders deep, each with a descriptor open
    walk.close()
    list(iter_scan(tmp_path, []))
    assert len(os.listdir("/proc/self/fd")) == before


def test_many_files_scan_quickly(tmp_path: Path) -> None:
    # A smoke test of the fast path, not a benchmark: 3,000 files in 30 folders.
    for folder in range(30):
        directory = tmp_path / f"{2000 + folder}"
        directory.mkdir()
        for n in range(100):
            (directory / f"{2000 + folder}-01-01-post-{n}.md").touch()
    result = scan(tmp_path)
    assert len(result.files) == 3000
    assert len({entry.rel for entry in result.files}) == 3000


def test_iter_scan_walks_newest_names_first_and_matches_scan(tmp_path: Path) -> None:
    for rel in ("2020/12/b.md", "2021/01/a.md", "2021/02/c.md", "2021/02/d.md", "x.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    (tmp_path / "2021" / ".hidden.md").write_text("x")
    problems: list[str] = []
    rels = [entry.rel for entry in iter_scan(tmp_path, problems)]
    assert rels == ["x.md", "2021/02/d.md", "2021/02/c.md", "2021/01/a.md", "2020/12/b.md"]
    assert problems == []
    assert [entry.rel for entry in scan(tmp_path).files] == rels
