"""Live reload in the app: posts written, changed or deleted while it runs show up by themselves."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from tests.conftest import workers_done, write_post
from tests.test_app import make_app, settle
from tui.watch import FolderChanges
from tui.widgets.post_table import PostTable


def watching(watcher) -> bool:  # type: ignore[no-untyped-def]
    """Live reload has set up its watches: a file written from now on is reported."""
    return watcher is not None and watcher.watching.is_set()


async def wait_until(app, pilot, predicate, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)
        await workers_done(app)
        await pilot.pause()


async def test_new_changed_and_deleted_posts_appear(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    write_post(root, "2021/a.md", "First post", "2021-01-01")
    old = write_post(root, "2021/b.md", "Second post", "2021-01-02")
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        await wait_until(app, pilot, lambda: watching(app.screen.loader.watcher))
        titles = lambda: [post.title for post in table.posts]  # noqa: E731
        assert titles() == ["Second post", "First post"]

        write_post(root, "2022/c.md", "Brand new post", "2022-05-05")
        await wait_until(app, pilot, lambda: "Brand new post" in titles())
        assert titles()[0] == "Brand new post"

        write_post(root, "2021/a.md", "First post, corrected", "2021-01-01")
        await wait_until(app, pilot, lambda: "First post, corrected" in titles())

        old.unlink()
        await wait_until(app, pilot, lambda: "Second post" not in titles())
        assert len(table.posts) == 2


async def test_posts_changed_before_the_watches_were_set_show_when_their_folder_is_reported(
    tmp_path: Path,
) -> None:
    # The scan lists a folder, the file goes, then the watch on that folder is set: the
    # watching process reports the folder (its entries changed since it started), and every
    # post listed in it is checked again.
    root = tmp_path / "posts"
    write_post(root, "2021/a.md", "First post", "2021-01-01")
    gone = write_post(root, "2021/b.md", "Second post", "2021-01-02")
    write_post(root, "c.md", "Third post", "2021-01-03")
    app = make_app(root)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(app, pilot)
        table = app.screen.query_one(PostTable)
        titles = lambda: {post.title for post in table.posts}  # noqa: E731
        assert titles() == {"First post", "Second post", "Third post"}
        loader = app.screen.loader
        await wait_until(app, pilot, lambda: watching(loader.watcher))
        loader.watcher.stop()  # so that only the report below tells of the changes
        gone.unlink()
        write_post(root, "2021/d.md", "Fourth post", "2021-01-04")
        write_post(root, "2021/sub/e.md", "Fifth post", "2021-01-05")
        (root / "c.md").unlink()
        loader._post_folder_changes(FolderChanges(set(), folders={"2021"}))
        await wait_until(app, pilot, lambda: "Fourth post" in titles())
        # c.md is in root and e.md in a subfolder, neither reported.
        assert titles() == {"First post", "Third post", "Fourth post"}
