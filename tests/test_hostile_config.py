"""Config values as data (issue 21): each bad value is named with file, line and key and falls back
alone; nothing from the config reaches the terminal raw; key remaps mean one thing everywhere."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tui.config import DEFAULT_DATE_FORMAT, TEMPLATE, load
from tui.keymap import resolve

NEWSTUI = Path(sys.executable).parent / "newstui"
HANG_GUARD = 60  # seconds: a hang guard, not a speed requirement

BAD = """\
theme = "nord"
posts = 3
date_format = "\\u001b]2;DF\\u0007%Y"
mark_read_on_open = "yes"
columns = ["marks", "date", "nosuch", "title", "title"]
wat = 1

[column_widths]
source = "wide"
author = true
title = 0
date = 12

[pipes]
wc = 5
words = "wc -w"

[searches]
five = 5
hk = "香港"
bad = "title:("

[keys]
star = 5
read = "f"
"""


@pytest.fixture
def config_file(isolated_xdg: Path) -> Path:
    path = isolated_xdg / "XDG_CONFIG_HOME" / "newstui" / "config.toml"
    path.parent.mkdir(parents=True)
    return path


def test_each_bad_value_falls_back_alone(config_file: Path) -> None:
    config_file.write_text(BAD, encoding="utf-8")
    config = load(config_file)
    # The good values are kept.
    assert config.theme == "nord"
    assert config.column_widths == {"date": 12}
    assert config.pipes == {"words": "wc -w"}
    assert config.searches == {"hk": "香港"}
    assert config.keys == {"read": "f"}
    assert config.columns == ["marks", "date", "title"]
    # The bad ones are defaults, each named with file, line and key.
    assert config.posts == "" and config.date_format == DEFAULT_DATE_FORMAT
    assert config.mark_read_on_open is True
    where = {
        problem.split(": ", 2)[0] + ": " + problem.split(": ", 2)[1] for problem in config.problems
    }
    shown = str(config_file)
    for line, key in [
        (2, "posts"),
        (3, "date_format"),
        (4, "mark_read_on_open"),
        (5, "columns"),
        (6, "wat"),
        (9, "column_widths.source"),
        (10, "column_widths.author"),
        (11, "column_widths.title"),
        (15, "pipes.wc"),
        (19, "searches.five"),
        (21, "searches.bad"),
        (24, "keys.star"),
    ]:
        assert f"{shown}:{line}: {key}" in where, (line, key, sorted(where))
    assert not any("\x1b" in problem or "\x07" in problem for problem in config.problems)


def test_a_width_is_a_number_not_a_flag(config_file: Path) -> None:
    config_file.write_text("[column_widths]\nsource = true\n", encoding="utf-8")
    assert load(config_file).column_widths == {}


def test_check_init_force_and_template(config_file: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(NEWSTUI), "config", *args], capture_output=True, text=True, timeout=HANG_GUARD
        )

    done = run("--check")
    assert done.returncode == 0
    config_file.write_text(BAD, encoding="utf-8")
    done = run("--check")
    assert done.returncode == 1
    assert len(done.stdout.splitlines()) >= 12 and "Traceback" not in done.stderr
    # `S` in the app writes [searches] to a new config: the template must still be had.
    config_file.write_text('[searches]\nhk = "香港"\n', encoding="utf-8")
    done = run("--init")
    assert done.returncode == 2 and "--force" in done.stderr
    assert run("--template").stdout == TEMPLATE
    done = run("--init", "--force")
    assert done.returncode == 0
    assert config_file.read_text(encoding="utf-8") == TEMPLATE
    assert "香港" in config_file.with_name("config.toml.bak").read_text(encoding="utf-8")


def test_missing_theme_and_key_problems_are_named(config_file: Path) -> None:
    config_file.write_text('theme = "nrod"\n[keys]\nstar = "q"\nnosuch = "z"\n', encoding="utf-8")
    done = subprocess.run(
        [str(NEWSTUI), "config", "--check"], capture_output=True, text=True, timeout=HANG_GUARD
    )
    assert done.returncode == 1
    assert "'nrod' does not exist" in done.stdout
    assert "nosuch" in done.stdout and "star" in done.stdout


GROUPS = {
    "table": [("quit", "q"), ("star", "s"), ("read", "r"), ("table.cursor_down", "down,j")],
    "reader": [
        ("reader.star", "s"),
        ("reader.page_down", "space,pagedown"),
        ("reader.back", "escape,q"),
    ],
}


def test_a_plain_id_remaps_every_screen() -> None:
    keymap, warnings = resolve({"star": "f"}, GROUPS)
    assert keymap == {"star": "f", "reader.star": "f"} and warnings == []
    keymap, warnings = resolve({"reader.star": "f"}, GROUPS)
    assert keymap == {"reader.star": "f"} and warnings == []


def test_a_remap_that_shadows_is_refused() -> None:
    keymap, warnings = resolve({"star": "q"}, GROUPS)
    assert keymap == {}  # q is quit on the table, back in the reader
    assert len(warnings) == 2 and all("refused" in w for w in warnings)
    keymap, warnings = resolve({"star": "j", "read": "j"}, GROUPS)
    assert "star" not in keymap and "read" not in keymap
    keymap, warnings = resolve({"nosuch": "z"}, GROUPS)
    assert keymap == {} and "no action has this id" in warnings[0]
