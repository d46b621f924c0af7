"""The config file: parsing, errors that name file and line, remapped keys, `posts` for a bare newstui."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_post
from tests.test_app import make_app, settle
from tui import cli
from tui.config import Config, load, write_template
from tui.widgets.post_table import PostTable


def test_template_parses_and_init_never_overwrites(tmp_path: Path) -> None:
    path, _ = write_template(tmp_path / "config.toml")
    assert load(path).problem is None
    try:
        write_template(path)
    except FileExistsError:
        pass
    else:
        raise AssertionError("write_template overwrote a config")


def test_errors_name_file_and_line_and_fall_back_to_defaults(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('theme = "nord"\nposts = 3\n', encoding="utf-8")
    config = load(path)
    assert config.problem is not None
    assert f"{path}:2: posts:" in config.problem
    assert config.posts == ""  # the default, for that value only
    assert config.theme == "nord"
    path.write_text("theme = \n", encoding="utf-8")
    assert "line 1" in (load(path).problem or "")


async def test_remapped_star_key(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    write_post(root, "a.md", "One", "2021-01-01")
    app = make_app(root, Config(keys={"star": "f"}))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        post = app.screen.query_one(PostTable).current_post
        await pilot.press("f")
        assert app.repo.state.get(post.id).starred
        await pilot.press("s")  # no longer bound
        assert app.repo.state.get(post.id).starred


def test_bare_newstui_opens_the_configured_folder(
    tmp_path: Path, monkeypatch, isolated_xdg: Path
) -> None:
    root = tmp_path / "posts"
    write_post(root, "a.md", "One", "2021-01-01")
    config_dir = isolated_xdg / "XDG_CONFIG_HOME" / "newstui"
    config_dir.mkdir(parents=True)
    (config_dir / "config.toml").write_text(f'posts = "{root}"\n', encoding="utf-8")
    opened: list[Path] = []
    monkeypatch.setattr(cli, "_check_terminal", lambda: None)
    monkeypatch.setattr("tui.app.NewsApp.run", lambda self, **kwargs: opened.append(self.repo.root))
    assert cli.main([]) == 0
    assert opened == [root.resolve()]


def test_index_bodies_can_be_turned_off(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    assert Config().index_bodies
    path.write_text("index_bodies = false\n", encoding="utf-8")
    assert load(path).index_bodies is False
    path.write_text('index_bodies = "no"\n', encoding="utf-8")
    assert "should be true/false" in (load(path).problem or "")
