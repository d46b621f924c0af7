"""The reader bolds what the filter matched, and only where that is safe in Markdown."""

from tui.query import parse
from tui.render.highlight import highlight, match_terms


def test_match_terms_skip_negated_and_non_text_fields() -> None:
    query = parse('香港 -警方 (title:"hong kong" OR body:stocks) author:x is:unread -(a OR b)')
    assert match_terms(query) == ["hong kong", "stocks", "香港"]


def test_highlight_outside_headings_code_and_links() -> None:
    markdown = (
        "# 香港\n\nNews of 香港 and Hong Kong.\n\n```\n香港\n```\n\n## Links\n\n1. https://x/香港\n"
    )
    out = highlight(markdown, ["香港", "hong kong"])
    assert "News of **香港** and **Hong Kong**." in out
    assert out.startswith("# 香港\n")
    assert "```\n香港\n```" in out
    assert out.endswith("1. https://x/香港\n")


def test_lines_with_asterisks_are_left_alone() -> None:
    assert highlight("a *b* 香港\n", ["香港"]) == "a *b* 香港\n"


def test_highlight_marks_either_script_as_written() -> None:
    # 台湾, 台灣 and 臺灣 are one search, so each marks all three, each in its own script.
    for term in ("台湾", "台灣", "臺灣"):
        out = highlight("台湾、台灣和臺灣 Taiwan\n", [term])
        assert out == "**台湾**、**台灣**和**臺灣** Taiwan\n", term
    assert highlight("香港問題。\n", ["香港问题"]) == "**香港問題**。\n"
