"""Search and position in the article viewer: matches over drawn lines, highlighted, n/N order."""

from __future__ import annotations

from textual.app import App, ComposeResult

from tests.conftest import workers_done
from tui.widgets.article import ArticleView, SearchableText, search_pattern


def matches(lines: list[str], query: str) -> list[tuple[tuple[int, int, int], ...]]:
    pattern = search_pattern(query)
    assert pattern is not None
    return [match.pieces for match in SearchableText(lines).find(pattern)]


def test_search_is_case_insensitive_and_literal() -> None:
    assert matches(["Hong Kong and hong kong", "a.b"], "HONG kong") == [
        ((0, 0, 9),),
        ((0, 14, 23),),
    ]
    assert matches(["a.b axb"], "a.b") == [((0, 0, 3),)]
    assert search_pattern("   ") is None


def test_search_finds_chinese_in_either_script() -> None:
    assert matches(["台灣的新聞", "台湾新闻"], "台湾") == [((0, 0, 2),), ((1, 0, 2),)]
    assert matches(["台湾新闻"], "臺灣") == [((0, 0, 2),)]


def test_search_runs_over_line_breaks() -> None:
    # Chinese is broken inside words; a Latin phrase at a space; both still match.
    assert matches(["一二三香", "港四五"], "香港") == [((0, 3, 4), (1, 0, 1))]
    assert matches(["the harbour", "   board met"], "harbour board") == [
        ((0, 4, 11), (1, 3, 8)),
    ]


PARAGRAPHS = [f"Paragraph {n}: filler text to scroll past." for n in range(60)]


class ArticleApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ArticleView()


async def shown(pilot, markdown: str) -> ArticleView:
    view = pilot.app.query_one(ArticleView)
    view.show(markdown)
    await workers_done(pilot.app)
    await pilot.pause()
    return view


async def test_search_moves_to_matches_in_order_and_wraps() -> None:
    text = "\n\n".join(PARAGRAPHS[:20] + ["The 港口 harbour"] + PARAGRAPHS[20:50] + ["港口 again"])
    async with ArticleApp().run_test(size=(60, 20)) as pilot:
        view = await shown(pilot, text)
        assert view.position == "Top"
        assert view.search("港口") == 2
        first = view.matches[0].line
        assert (
            view.scroll_y <= first < view.scroll_y + view.scrollable_content_region.height
        )  # the first match is on screen
        assert view.position.endswith("%")
        assert view.next_match(1) == (2, False)
        assert (
            view.scroll_y
            <= view.matches[1].line
            < view.scroll_y + view.scrollable_content_region.height
        )
        assert view.next_match(1) == (1, True)  # round the end, back to the first
        assert view.next_match(-1) == (2, True)
        view.clear_search()
        assert view.matches == [] and view.search_query == ""


async def test_matches_are_drawn_highlighted() -> None:
    async with ArticleApp().run_test(size=(60, 10)) as pilot:
        view = await shown(pilot, "Find the word here and the word there.")
        view.search("word")
        await pilot.pause()
        line = view.render_line(0)
        styled = [segment for segment in line if segment.text == "word"]
        assert len(styled) == 2
        assert all(segment.style and segment.style.reverse for segment in styled)
        assert sum(1 for segment in styled if segment.style and segment.style.underline) == 1


async def test_position_goes_top_percent_bot() -> None:
    async with ArticleApp().run_test(size=(60, 12)) as pilot:
        view = await shown(pilot, "\n\n".join(PARAGRAPHS))
        assert view.position == "Top" and not view.at_end
        positions = []
        view.scroll_to(y=view.max_scroll_y // 2, animate=False)
        await pilot.pause()
        positions.append(view.position)
        view.scroll_end(animate=False)
        await pilot.pause()
        positions.append(view.position)
        assert positions == ["50%", "Bot"] and view.at_end
        short = await shown(pilot, "One line.")
        assert short.position == "All" and short.at_end
