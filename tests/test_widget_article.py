"""ArticleView's drawing: a long document drawn with pauses comes out exactly as Rich draws it."""

from __future__ import annotations

import io

from rich.cells import cell_len
from rich.console import Console

from tui.widgets import article
from tui.widgets.article import first_screen, reader_markdown, render_lines

DOCUMENT = "\n\n".join(
    [
        "# 标题 Title",
        *(f"第{n}段。" + "香港新闻，" * 30 for n in range(20)),
        "```\ncode block\n\nwith a blank line inside\n```",
        "1. one\n2. two\n3. three",
        "> a quote\n> on two lines",
        "* * *",
        "A heading\n---------",
        *(f"Paragraph {n} with [a link](https://example.com/{n})." for n in range(20)),
    ]
)


def texts(lines) -> list[str]:
    return [line.text for line in lines]


def test_lines_are_richs_own() -> None:
    console = Console(width=60, file=io.StringIO(), force_terminal=True, markup=False)
    document = reader_markdown()(DOCUMENT, hyperlinks=False)
    expected = console.render_lines(document, console.options.update(width=60), pad=False)
    ours = [text.rstrip() for text in texts(render_lines(DOCUMENT, 60))]
    assert ours == ["".join(s.text for s in line).rstrip() for line in expected]


def test_pauses_change_nothing_and_a_cancel_stops_early(monkeypatch) -> None:
    monkeypatch.setattr(article, "WORK_SLICE", 0)  # pause after every segment
    monkeypatch.setattr(article, "WORK_PAUSE", 0)
    whole = texts(render_lines(DOCUMENT, 60))
    assert texts(render_lines(DOCUMENT, 60, lambda: False)) == whole
    cut = render_lines(DOCUMENT, 60, lambda: True)
    assert len(cut) < len(whole)


def test_first_screen_ends_at_a_blank_line_outside_code() -> None:
    head = first_screen(DOCUMENT, 300)
    assert DOCUMENT.startswith(head) and 300 <= cell_len(head) and len(head) < len(DOCUMENT)
    # Counted in cells: Chinese text makes a first screen of half as many characters.
    assert len(first_screen(DOCUMENT, 300)) < len(
        first_screen(DOCUMENT.replace("香港新闻", "news"), 300)
    )
    assert head.endswith("\n\n") and head.count("```") % 2 == 0
    assert first_screen("short", 300) == "short"


def test_chinese_in_table_cells_wraps_and_keeps_every_character() -> None:
    cell = "這是一個很長的說明，用來測試表格中的中文換行，不應該以標點符號開頭。"
    table = f"| 名稱 | 說明 |\n|---|---|\n| 港口 | {cell} |\n"
    lines = [line.text.strip() for line in render_lines(table, 40)]
    body = lines[next(i for i, line in enumerate(lines) if line.startswith("─")) + 1 :]
    shown = "".join(line.removeprefix("港口").strip() for line in body)
    assert shown == cell  # Rich alone cut it short with "…"
    assert not any(line and line[0] in "，。" for line in lines)
