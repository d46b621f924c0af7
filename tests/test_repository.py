"""Repository: rendered posts are kept for the preview-then-reader case, never served stale."""

from __future__ import annotations

import os
from pathlib import Path

from tests.conftest import write_post
from tui.repository import QUICK_BODY, Repository, partial


def test_render_is_kept_until_the_file_or_its_labels_change(tmp_path: Path) -> None:
    path = write_post(tmp_path, "a.md", "Alpha", "2021-06-24", "<p>first version</p>")
    repo = Repository(tmp_path)
    repo.refresh()
    (post,) = repo.posts
    first = repo.render(post)
    assert repo.render(post) is first  # the reader after the preview: no second conversion
    assert "first version" in first.markdown

    path.write_text(path.read_text().replace("first", "second"), encoding="utf-8")
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000))
    assert "second version" in repo.render(post).markdown  # same size, newer file: read again

    repo.state.add_label([post.id], "later")
    assert "later" in repo.render(post).markdown
    repo.close()


def test_quick_render_of_a_long_body_is_partial(tmp_path: Path) -> None:
    body = "<p>" + "长文本。" * (QUICK_BODY // 2) + "</p>"
    write_post(tmp_path, "long.md", "Long", "2021-06-24", body)
    repo = Repository(tmp_path)
    repo.refresh()
    (post,) = repo.posts
    assert partial(repo.render(post, quick=True))
    assert not partial(repo.render(post))
    repo.close()
