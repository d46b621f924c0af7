"""Tests for the body pipeline: HTML/Markdown body to safe Markdown with numbered links."""

from __future__ import annotations

import random
import re
from datetime import UTC, datetime, timedelta, timezone

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from tui.model import Post
from tui.render import Rendered, plain_text, render_post
from tui.text import clean

URL = "https://www.zaobao.com/realtime/china/story20210624-1160488"
TITLE = "美媒：蚂蚁集团商议与国有企业共享数据宝库"
CST = timezone(timedelta(hours=8))
NOW = datetime(2024, 1, 1, tzinfo=CST)
SEED = f"<!--1624569300000-->\n[{TITLE}]({URL})\n------\n\n"


def make_post(**kw: object) -> Post:
    fields: dict = dict(
        id=URL,
        path="2021/a.md",
        title=TITLE,
        date=datetime(2021, 6, 24, 14, 35, 32, tzinfo=UTC),
        author="联合早报",
        url=URL,
        tags=("联合早报",),
        categories=("联合早报",),
    )
    fields.update(kw)
    return Post(**fields)


def render(body: str, **kw: object) -> Rendered:
    return render_post(make_post(**kw), body, now=NOW)


def article(r: Rendered) -> str:
    """The part after the metadata block's rule."""
    return r.markdown.split("\n---\n", 1)[1]


def test_seed_header_becomes_one_linked_heading() -> None:
    r = render(SEED + "<div><p>正文第一段。</p></div>")
    assert r.markdown.startswith(f"# [{TITLE}]({URL})\n")
    assert r.markdown.count(TITLE) == 1
    assert "\\---" not in r.markdown and "------" not in r.markdown
    assert "1624569300000" not in r.markdown and "<!--" not in r.markdown
    assert "正文第一段。" in article(r)


def test_title_heading_without_seed_and_without_url() -> None:
    assert render("<p>x</p>").markdown.startswith(f"# [{TITLE}]({URL})\n")
    assert render("<p>x</p>", url="").markdown.startswith(f"# {TITLE}\n")


def test_metadata_block() -> None:
    post = make_post(tags=("a", "b"), categories=("b",), problems=("bad YAML",))
    r = render_post(post, "<p>" + "字" * 800 + "</p>", labels=["starred"], now=NOW)
    head = r.markdown.split("\n---\n", 1)[0]
    assert "2021-06-24 22:35" in head  # 14:35 UTC in the now's zone (UTC+8)
    assert "联合早报" in head and "zaobao.com" in head
    assert "Tags: a, b" in head and "Labels: starred" in head
    assert "2 min read" in head  # 800 CJK characters at 400 a minute
    assert "> Problems: bad YAML" in head


def test_reading_time_counts_words_for_latin_text() -> None:
    r = render("<p>" + "word " * 1000 + "</p>")
    assert "5 min read" in r.markdown


def test_boilerplate_is_removed() -> None:
    body = SEED + (
        "<div><nav>NAVTEXT</nav><p>第一段。</p>"
        '<section id="imu"><div id="dfp-ad-imu1">ADTEXT</div></section>'
        '<div class="share-bar">SHARETEXT</div><div class="related-posts">RELATEDTEXT</div>'
        "<script>var SCRIPTTEXT = 1;</script><style>.x{STYLETEXT}</style>"
        "<aside>ASIDETEXT</aside><footer>FOOTERTEXT</footer><form>FORMTEXT</form>"
        '<div class="newsletter-signup">NEWSTEXT</div><p>第二段。</p>'
        '<div class="header-image">KEEPHEADERIMAGE</div><div class="shadow">KEEPSHADOW</div>'
        '<p>text <a href="https://subscribe.zaobao.com/x"><img src="promo.png"></a></p>'
        "</div>"
    )
    text = render(body).markdown
    for gone in ("NAV", "AD", "SHARE", "RELATED", "SCRIPT", "STYLE", "ASIDE", "FOOTER", "FORM"):
        assert gone + "TEXT" not in text
    assert "NEWSTEXT" not in text and "promo.png" not in text and "subscribe" not in text
    assert "KEEPHEADERIMAGE" in text and "KEEPSHADOW" in text
    assert "第一段。" in text and "第二段。" in text


def test_hidden_elements_are_dropped() -> None:
    body = (
        '<div><p>visible</p><h2 class="element-invisible">INV1</h2>'
        '<span class="rdf-meta element-hidden">INV2</span><p hidden>INV3</p>'
        '<p aria-hidden="true">INV4</p><p style="color:red; display: none">INV5</p>'
        '<p style="visibility:hidden">INV6</p><img src="/t.gif" width="1" height="1"></div>'
    )
    text = render(body).markdown
    assert "visible" in text
    assert not re.search(r"INV\d", text)
    assert "t.gif" not in text


def test_repeated_title_and_byline_are_dropped() -> None:
    body = f'<div><h1>{TITLE}</h1><div class="byline">作者：联合早报</div><p>正文。</p></div>'
    r = render(body)
    assert r.markdown.count(TITLE) == 1
    assert "作者" not in r.markdown
    assert not re.search(r"^#+\s*$", r.markdown, re.M)  # no empty heading left behind


def test_content_root_is_preferred() -> None:
    body = (
        '<div class="site"><div class="promo-column">SIDEBAR</div>'
        '<div class="entry-content"><p>' + "正文" * 50 + "</p></div>"
        "<div>Unrelated footer links</div></div>"
    )
    text = render(body).markdown
    assert "正文正文" in text
    assert "SIDEBAR" not in text and "Unrelated footer" not in text


def test_class_words_do_not_empty_a_page() -> None:
    # Contributions marked up as comments are most of the page: they are the article.
    body = "<div><p>Intro.</p>" + "".join(
        f'<article class="comment"><p>{"Long contribution text here. " * 20}{i}</p></article>'
        for i in range(3)
    )
    text = render(body + "</div>").markdown
    assert text.count("Long contribution") == 60


def test_links_are_numbered_and_resolved() -> None:
    body = (
        '<p><a href="/a">rel</a> <a href="//cdn.example.com/b">proto</a> '
        '<a href="https://x.org/c">abs</a> <a href="/a">again</a> '
        '<a href="javascript:alert(1)">js</a> <a href="file:///etc/passwd">file</a> '
        '<a href="mailto:me@x.org">mail</a> <a href="#top">anchor</a></p>'
    )
    r = render(body)
    assert r.links == [
        "https://www.zaobao.com/a",
        "https://cdn.example.com/b",
        "https://x.org/c",
        "mailto:me@x.org",
    ]
    text = article(r)
    assert "rel [1]" in text and "proto [2]" in text and "abs [3]" in text
    assert "again [1]" in text and "mail [4]" in text
    assert "js" in text and "javascript" not in text and "/etc/passwd" not in text
    assert "anchor" in text and "#top" not in text
    assert "## Links\n\n1. https://www.zaobao.com/a\n2. https://cdn.example.com/b\n" in text


def test_images_become_placeholders() -> None:
    body = (
        '<p><img src="https://x.org/pics/cat%20photo.jpg"></p><p><img alt="A dog" src="d.png">'
        '</p><p><a href="/big.jpg"><img src="small.jpg" alt=""></a></p>'
    )
    r = render(body)
    text = article(r)
    # Images are numbered in the links' sequence, in document order: the digit opens the
    # picture, or the page an image links to.
    assert "[image: cat photo.jpg] [1]" in text
    assert "[image: A dog] [2]" in text
    assert "[image: small.jpg] [3]" in text
    assert "![" not in text
    assert r.links == [
        "https://x.org/pics/cat%20photo.jpg",
        "https://www.zaobao.com/realtime/china/d.png",
        "https://www.zaobao.com/big.jpg",
    ]


def test_links_images_and_bare_urls_share_one_sequence() -> None:
    body = (
        '<p>See <a href="https://a.org/x">this</a>, then <img src="data:image/gif;base64,R0" '
        'data-src="https://cdn.org/%E5%9C%96.jpg"> and https://b.org/watch?v=1. Also '
        "(https://c.org/a_(b)) and https://a.org/x again; 看https://d.org/p看更多</p>"
        "<pre><code>curl https://not-numbered.org/</code></pre>"
        '<p><a href="https://e.org/">https://e.org/</a></p>'
    )
    r = render(body)
    text = article(r)
    assert r.links == [
        "https://a.org/x",
        "https://cdn.org/%E5%9C%96.jpg",
        "https://b.org/watch?v=1",
        "https://c.org/a_(b)",
        "https://d.org/p",
        "https://e.org/",
    ]
    assert "this [1]" in text and "[image: 圖.jpg] [2]" in text
    assert "https://b.org/watch?v=1 [3]." in text
    assert "a_(b) [4])" in text and "https://a.org/x [1] again" in text
    assert "看https://d.org/p [5]看更多" in text
    assert "curl https://not-numbered.org/\n" in text  # code is left as written
    assert "https://e.org/ [6]" in text
    # The list shows addresses decoded; the links themselves stay exactly as written.
    assert "2. https://cdn.org/圖.jpg" in text


def test_addresses_are_shown_decoded_but_safe() -> None:
    from tui.text import display_url

    url = "https://matters.news/@x/%E6%96%B0%E5%86%A0%E8%82%BA%E7%82%8E-1?q=a%20b%2Fc"
    assert display_url(url) == "https://matters.news/@x/新冠肺炎-1?q=a%20b%2Fc"
    # Bidi overrides, zero-width and ideographic spaces and broken UTF-8 stay encoded.
    assert display_url("https://x.org/%E2%80%AEa%E2%80%8B%E3%80%80%FF%E4%B8") == (
        "https://x.org/%E2%80%AEa%E2%80%8B%E3%80%80%FF%E4%B8"
    )
    assert display_url("https://x.org/\x1b[31m") == "https://x.org/ [31m"


def test_entities_decoded_and_no_control_characters() -> None:
    r = render("<p>a &amp; b &lt;i&gt; &eacute; &#x4e2d;&#27;[31mred&#x9b;\u202e</p>")
    text = article(r)
    assert "a & b <i> é 中" in text
    assert "&amp;" not in text and "&#" not in text
    assert clean(r.markdown) == r.markdown
    assert "\x1b" not in r.markdown


def test_structure_tables_code_paragraphs() -> None:
    body = (
        "<div><p>第一段。</p><p>第二段。</p>"
        "<table><tr><th>名</th><th>值</th></tr><tr><td>a</td><td>1</td></tr></table>"
        "<pre><code>def f():\n    return 1</code></pre><p>- not a list</p></div>"
    )
    text = article(render(body))
    assert "第一段。\n\n第二段。" in text
    assert "名| 值" in text and "a| 1" in text  # html2text's pipe table
    assert "    def f():\n        return 1" in text
    assert not re.search(r"<[a-zA-Z/!]", text)


def test_empty_list_items_and_rules() -> None:
    text = article(render("<p>a</p><hr><ul><li>x</li><li></li><li><script>s</script></li></ul>"))
    assert "* * *" in text and "  * x" in text
    assert not re.search(r"^\s+\*\s*$", text, re.M)


def test_line_breaks_are_kept() -> None:
    text = article(render("<p>line one<br>line two</p>"))
    assert "line one  \nline two" in text


def test_plain_markdown_passes_through() -> None:
    body = "# Hello\n\nSome **bold** text and [a link](/rel).\n\n* one\n* two\n"
    r = render(body)
    text = article(r)
    assert "# Hello" in text and "**bold**" in text
    assert "a link [1]" in text and r.links == ["https://www.zaobao.com/rel"]
    assert "one" in text and "two" in text
    assert "<" not in text


def test_input_over_2_mb_is_cut() -> None:
    r = render("x" * 5_000_000)  # one 5 MB line
    assert any("2 MB" in n for n in r.notes)
    assert "> Note: body over 2 MB" in r.markdown
    assert len(r.markdown) <= 1_100_000


def test_deep_nesting_finishes() -> None:
    for tag in ("ul", "div"):
        inner = "<li>" if tag == "ul" else ""
        body = f"<{tag}>{inner}" * 20_000 + "deep" + f"</{tag}>" * 20_000
        r = render(body)
        assert r.notes
        assert clean(r.markdown) == r.markdown


def test_many_elements_fall_back_to_plain_text() -> None:
    body = "<table>" + "<tr><td>cell</td><td>x</td></tr>" * 12_000 + "</table>"
    r = render(body)
    assert any("elements" in n for n in r.notes)
    assert "cell" in article(r)


def test_binary_junk_is_not_shown() -> None:
    junk = random.Random(1).randbytes(300_000).decode("latin-1")
    r = render(junk)
    assert any("binary" in n for n in r.notes)
    assert clean(r.markdown) == r.markdown


def test_empty_body() -> None:
    r = render("")
    assert r.links == [] and r.markdown.startswith("# ")


def test_plain_text() -> None:
    body = (
        "<div><script>var secret=1;</script><style>p{}</style><!-- c -->"
        "<p>Hello&nbsp;&amp; <b>world</b>&#27;\u202e</p>\n\n<p>中文</p></div>"
    )
    assert plain_text(body) == "Hello & world 中文"


html_chunks = st.sampled_from(
    [
        "<p>",
        "</p>",
        "<div class='ad'>",
        "</div>",
        "<a href='javascript:x'>",
        "<a href='//h/x'>",
        "</a>",
        "<img src='a.png'>",
        "<ul><li>",
        "<table><tr><td>",
        "&#27;",
        "&amp;",
        "<!--1-->",
        "\n------\n",
        "[t](u)",
        "<script>",
        "\x00",
        "\x1b[31m",
        "\u202e",
        "<br>",
        "**",
        "中文",
    ]
)
bodies = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(html_chunks, st.text(max_size=10)), max_size=40).map("".join),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(body=bodies, title=st.text(max_size=30), url=st.text(max_size=30))
def test_never_raises_never_emits_controls(body: str, title: str, url: str) -> None:
    r = render_post(make_post(title=clean(title), url=url), body, now=NOW)
    assert clean(r.markdown) == r.markdown
    assert all(clean(n) == n for n in r.notes)
    assert not any("could not be converted" in n for n in r.notes)  # the fallback hides bugs
    assert all(link.startswith(("http://", "https://", "mailto:")) for link in r.links)
    assert clean(plain_text(body)) == plain_text(body)


# --- White space as a browser shows it (pretty-printed scraped pages) ------------------------


def test_line_breaks_between_chinese_characters_are_dropped_across_tags() -> None:
    body = (
        "<div><p>\n  <span>\n   向股东们推出了\n  </span>\n  <a href='https://x.org/mac'>\n"
        "   <span>\n    麦金塔电脑\n   </span>\n  </a>\n  <span>\n   ，这是第一款\n  </span>\n</p></div>"
    )
    assert "向股东们推出了麦金塔电脑 [1]，这是第一款" in article(render(body))


def test_spaces_in_latin_text_collapse_to_one_and_stay() -> None:
    body = "<p>Read\n  <a href='https://x.org/a'>\n   the report\n  </a>\n  now, <i>please</i>.</p>"
    assert "Read the report [1] now, *please*." in article(render(body))


def test_a_chinese_space_without_a_line_break_is_kept() -> None:
    # Only a break between wide characters goes (CSS Text 3): a typed space was meant.
    assert "台湾 香港" in article(render("<p>台湾 香港</p>"))
    assert "중국 대만" in article(render("<p>중국\n대만</p>"))  # Hangul is spaced: kept


def test_bold_wrapped_in_spans_and_spaces_is_still_bold() -> None:
    body = (
        "<p>\n <strong>\n  <span>\n   <span>\n    苹果的主要商品之一\n   </span>\n  </span>\n"
        " </strong>\n</p><p>生产力：\n <strong> 让人们通过最少的努力 </strong>\n。</p>"
    )
    text = article(render(body))
    assert "**苹果的主要商品之一**" in text
    assert "生产力：**让人们通过最少的努力**。" in text


def test_preformatted_text_keeps_its_space() -> None:
    body = "<pre>a  =  1\n\n    b\n</pre><p>x</p>"
    assert "a  =  1" in article(render(body))


def test_bold_that_ends_or_starts_with_chinese_punctuation_is_still_bold() -> None:
    body = "<p>斯隆认识到，<strong>关键是心理学。</strong>他是</p><p>他<b>「引文」</b>说</p>"
    text = article(render(body))
    assert "斯隆认识到，**关键是心理学**。他是" in text
    assert "他「**引文**」说" in text


def unrendered_marks(markdown: str) -> list[str]:
    """The emphasis marks Markdown reads as text (the reader would show the asterisks)."""
    found = []
    for token in MarkdownIt("gfm-like").parse(markdown):
        for child in token.children or []:
            if child.type == "text" and "*" in child.content:
                found.append(child.content)
    return found


def test_bold_split_into_several_tags_is_one_bold_run() -> None:
    # As scraped from real pages: bold cut in two, bold inside a link, bold punctuation alone.
    body = (
        "<p>让我们再次\n<strong>\n 审视\n</strong>\n<strong>\n 微信的规定\n</strong>\n</p>"
        "<p>以<strong>打击</strong>\n<a href='https://x.org/a'>\n <strong>示威活动</strong>\n</a>\n。</p>"
        "<p><strong>美方认为导弹</strong><strong>。</strong>美方</p>"
        "<p><strong>外层<b>里层</b>外层</strong></p>"
    )
    text = article(render(body))
    assert "让我们再次**审视微信的规定**" in text
    assert "以**打击示威活动** [1]。" in text
    assert "**美方认为导弹**。美方" in text
    assert "**外层里层外层**" in text
    assert not unrendered_marks(text)


def test_bold_italic_after_chinese_text_is_not_spaced_out() -> None:
    body = "<p>观点。<strong><em>原來那些人生。</em></strong></p><p>我們<em>所認定</em>的</p>"
    text = article(render(body))
    assert "观点。***原來那些人生。***" in text  # its 。 stays inside: a new paragraph follows
    assert "我們*所認定*的" in text
    assert not unrendered_marks(text)
