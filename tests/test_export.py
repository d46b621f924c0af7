"""`newstui export`: EPUB structure, one HTML file, Markdown as `show` prints it, hostile posts, errors."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from tests.conftest import write_post
from tests.hostile import forbidden_in, make_hostile_corpus
from tui import export

NEWSTUI = Path(sys.executable).parent / "newstui"
HANG_GUARD = 60  # seconds: a hang guard, not a speed requirement
XHTML = "{http://www.w3.org/1999/xhtml}"
OPF = "{http://www.idpf.org/2007/opf}"

SIMPLIFIED = "台风来之前，社区做了这五件事。居民们说这里的变化很大，我们应该记住这些经验。"
TRADITIONAL = "離島渡輪上的一天。這裡的居民們說，颱風來臨之前，灣區的漁船都會回港避風。"

# What no exported page may contain: anything that runs, restyles the page or loads by itself.
ACTIVE = (
    "script",
    "img",
    "iframe",
    "object",
    "embed",
    "style",
    "link",
    "svg",
    "math",
    "video",
    "audio",
    "source",
    "picture",
    "form",
    "input",
    "base",
    "meta",
    "frame",
    "applet",
)


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(NEWSTUI), *args], capture_output=True, timeout=HANG_GUARD, env=dict(os.environ)
    )


@pytest.fixture
def posts(tmp_path: Path) -> Path:
    root = tmp_path / "posts"
    write_post(
        root,
        "2021/2021-06-24-a.md",
        "Chip shortage explained",
        "2021-06-24 10:00:00 +0800",
        '<p>See <a href="https://example.com/report">the report</a> and '
        '<a href="javascript:alert(1)">this</a>.</p><p><img src="https://example.com/p.png" '
        'alt="A chart"></p>',
        author="Reporter",
        **{"from": "https://news.example.com/chips"},
    )
    write_post(
        root, "2022/2022-11-11-b.md", "双十一的购物小票", "2022-11-11", f"<p>{SIMPLIFIED}</p>"
    )
    write_post(
        root, "2020/2020-02-09-c.md", "離島渡輪上的一天", "2020-02-09", f"<p>{TRADITIONAL}</p>"
    )
    return root


def epub_pages(data: bytes) -> tuple[zipfile.ZipFile, etree._Element, list[etree._Element]]:
    """The book, its package document and its chapters (in spine order, nav left out)."""
    book = zipfile.ZipFile(io.BytesIO(data))
    container = etree.fromstring(book.read("META-INF/container.xml"))
    opf_path = container.find(".//{*}rootfile").get("full-path")
    assert opf_path == "OEBPS/content.opf"
    package = etree.fromstring(book.read(opf_path))
    manifest = {item.get("id"): item for item in package.iter(f"{OPF}item")}
    chapters = []
    for ref in package.iter(f"{OPF}itemref"):
        item = manifest[ref.get("idref")]
        if "nav" in (item.get("properties") or ""):
            continue
        chapters.append(etree.fromstring(book.read("OEBPS/" + item.get("href"))))  # well-formed
    return book, package, chapters


def check_page(page: etree._Element, number: int) -> None:
    """An EPUB chapter: our head (charset, title, our stylesheet), a body with nothing active."""
    head = page.find(f"{XHTML}head")
    assert [etree.QName(e).localname for e in head] == ["meta", "title", "link"], number
    assert head.find(f"{XHTML}link").get("href") == "style.css"
    check_inert(page.find(f"{XHTML}body"), page=f"chapter {number}")


def check_inert(tree: etree._Element, *, page: str) -> None:
    """Nothing from a post can run, restyle or load: only links, and only to the web and mail."""
    for element in tree.iter("*"):
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        assert name not in ACTIVE, f"{page}: <{name}>"
        for attribute, value in element.attrib.items():
            attribute = etree.QName(attribute).localname
            assert not attribute.startswith("on"), f"{page}: {attribute}"
            assert attribute not in ("src", "srcset", "poster", "data", "action", "background")
            if attribute == "style":
                assert value.startswith("text-align:"), f"{page}: style={value}"
            if attribute == "href":
                internal = value.startswith(("#post-", "chapter-"))
                assert internal or value.startswith(("http://", "https://", "mailto:")), value
    text = etree.tostring(tree, encoding="unicode", method="text")
    assert forbidden_in(text) == [], page


def test_epub_structure_chapters_and_text(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "book.epub"
    done = run("export", str(posts), "--format", "epub", "-o", str(out))
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data[30:38] == b"mimetype"  # the first local header's name, readable without unzipping
    book, package, chapters = epub_pages(data)
    first = book.infolist()[0]
    assert first.filename == "mimetype" and first.compress_type == zipfile.ZIP_STORED
    assert book.read("mimetype") == b"application/epub+zip"
    assert book.testzip() is None
    assert package.get("version") == "3.0"
    assert package.find(f".//{OPF}item[@properties='nav']") is not None
    nav = etree.fromstring(book.read("OEBPS/nav.xhtml"))
    assert nav.find(f".//{XHTML}nav").get("{http://www.idpf.org/2007/ops}type") == "toc"
    assert len(nav.findall(f".//{XHTML}nav//{XHTML}li")) == 3
    # Newest first, each with its title, date and text.
    titles = [page.findtext(f".//{XHTML}h1") for page in chapters]
    assert titles == ["双十一的购物小票", "Chip shortage explained", "離島渡輪上的一天"]
    text = [etree.tostring(page, encoding="unicode", method="text") for page in chapters]
    assert SIMPLIFIED in text[0] and TRADITIONAL in text[2]
    assert "2021-06-24" in text[1] and "Reporter" in text[1] and "news.example.com" in text[1]
    for number, page in enumerate(chapters, 1):
        check_page(page, number)
    # Links stay links (the reader's [N] marker too); javascript: is text; the image a caption.
    links = [a.get("href") for a in chapters[1].iter(f"{XHTML}a")]
    assert "https://news.example.com/chips" in links  # the original
    assert links.count("https://example.com/report") >= 2  # the marker and the links list
    assert not any("javascript" in link for link in links)
    assert "[image: A chart]" in text[1]
    assert "https://example.com/p.png" in links  # the caption's number links to the image
    assert b"<script" not in data and b"<img" not in data
    # Language: the commonest of the posts' (Simplified, English, Traditional: a tie goes to the
    # first seen), and each chapter says its own.
    language = package.findtext(".//{http://purl.org/dc/elements/1.1/}language")
    assert language == "zh-Hans"
    assert [page.get("lang") for page in chapters] == ["zh-Hans", "en", "zh-Hant"]


def test_html_is_one_file_with_contents_and_no_scripts(posts: Path) -> None:
    done = run("export", str(posts), "--format", "html", "-o", "-")
    assert done.returncode == 0, done.stderr
    page = done.stdout.decode()
    tree = lxml_html.document_fromstring(page)
    head = tree.find("head")
    assert [e.tag for e in head.iter("style")] == ["style"]  # ours, in the head
    assert "Noto Sans CJK SC" in head.findtext("style") and "PingFang TC" in head.findtext("style")
    policy = head.find("meta[@http-equiv='Content-Security-Policy']").get("content")
    assert policy.startswith("default-src 'none'")
    body = tree.find("body")
    articles = body.findall(".//article")
    assert [a.get("id") for a in articles] == ["post-1", "post-2", "post-3"]
    contents = [a.get("href") for a in body.find(".//nav").iter("a")]
    assert contents == ["#post-1", "#post-2", "#post-3"]
    assert articles[2].get("lang") == "zh-Hant"  # the book is zh-Hans
    assert TRADITIONAL in articles[2].text_content()
    check_inert(body, page="html body")
    assert "<script" not in page and "<img" not in page


def test_markdown_is_what_show_prints(posts: Path, tmp_path: Path) -> None:
    out = tmp_path / "all.md"
    done = run("export", str(posts), "--format", "md", "-o", str(out))
    assert done.returncode == 0, done.stderr
    text = out.read_text()
    shown = [
        run("show", str(posts / rel)).stdout.decode()
        for rel in ("2022/2022-11-11-b.md", "2021/2021-06-24-a.md", "2020/2020-02-09-c.md")
    ]
    assert text.index(shown[0]) < text.index(shown[1]) < text.index(shown[2])
    assert text.count("\n* * *\n") == 3  # after the contents list, then between posts


def test_query_and_limit(posts: Path, tmp_path: Path) -> None:
    done = run("export", str(posts), "-q", "title:chip", "-f", "md", "-o", "-")
    assert done.returncode == 0 and done.stdout.decode().count("\n# ") == 1
    done = run("export", str(posts), "--limit", "2", "-f", "html", "-o", "-")
    assert done.stdout.decode().count("<article ") == 2


def test_hostile_corpus_exports_inert(tmp_path: Path) -> None:
    root = tmp_path / "hostile"
    make_hostile_corpus(root)
    write_post(
        root,
        "own/attack.md",
        "</title><script>alert(1)</script>]]>&amp;",
        "2030-01-01",
        '<p>Before <img src="https://evil.example/pixel.png" onerror="alert(1)"></p>'
        '<link rel="stylesheet" href="https://evil.example/x.css">'
        "<style>@import url(https://evil.example/y.css);</style>"
        '<svg onload="alert(1)"><image href="https://evil.example/z.png"/></svg>'
        '<p><a href="javascript:alert(1)">js</a> <a href="https://ok.example/">ok</a></p>'
        "<pre>![tracker](https://evil.example/t.png) <script>alert(2)</script></pre>",
    )
    write_post(
        root,
        "own/markdown.md",
        "markdown attack",
        "2030-01-02",
        "![tracker](https://evil.example/t.png)\n\n<img src=https://evil.example/u.png>\n\n"
        "[x](javascript:alert(1)) <script>alert(3)</script> [y](data:text/html,hi)\n",
    )
    epub_file = tmp_path / "hostile.epub"
    done = run("export", str(root), "-f", "epub", "-o", str(epub_file))
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr.decode()
    _book, _package, chapters = epub_pages(epub_file.read_bytes())
    assert len(chapters) >= 50
    for number, page in enumerate(chapters, 1):
        check_page(page, number)
    text = etree.tostring(chapters[1], encoding="unicode", method="text")
    assert "</title><script>alert(1)</script>]]>" in text  # the title, shown as written
    # The image's address is only a link behind its caption's number; the rest is text.
    uses = {
        (etree.QName(element).localname, name)
        for element in chapters[1].iter()
        for name, value in element.attrib.items()
        if "evil.example" in value
    }
    assert uses == {("a", "href")}
    html_done = run("export", str(root), "-f", "html", "-o", "-")
    assert html_done.returncode == 0
    tree = lxml_html.document_fromstring(html_done.stdout.decode())
    check_inert(tree.find("body"), page="html")
    assert len(tree.findall(".//article")) == len(chapters)


def test_errors_exit_2_and_leave_no_file(posts: Path, tmp_path: Path) -> None:
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "x.epub"
    cases = [
        ("bad query", ["-q", "(unclosed", "-o", str(target)]),
        ("empty result", ["-q", "nothing-matches-this", "-o", str(target)]),
        ("no such folder", ["-o", str(out_dir / "missing" / "x.epub")]),
        ("a folder", ["-o", str(out_dir)]),
        ("unwritable", ["-o", "/proc/newstui-export-test.epub"]),
        ("inside the posts", ["-o", str(posts / "export.epub")]),
    ]
    for what, args in cases:
        done = run("export", str(posts), "-f", "epub", *args)
        err = done.stderr.decode()
        assert done.returncode == 2, (what, err)
        assert err.count("\n") == 1 and err.startswith("newstui: "), (what, err)
        assert os.listdir(out_dir) == [], what
    assert not (posts / "export.epub").exists()
    # A failed export leaves an earlier file as it was.
    target.write_bytes(b"earlier")
    done = run("export", str(posts), "-f", "epub", "-q", "nothing-matches", "-o", str(target))
    assert done.returncode == 2 and target.read_bytes() == b"earlier"
    assert os.listdir(out_dir) == ["x.epub"]


def test_a_failure_or_cancel_halfway_writes_nothing(
    posts: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui.repository import Repository

    repo = Repository(posts)
    repo.refresh()
    posts_list = repo.posts
    repo.close()
    book = export.Book("t", posts_list, posts)
    calls = iter(range(100))
    with pytest.raises(export.ExportCancelled):
        export.export_to_file(
            book, "epub", tmp_path / "a.epub", is_cancelled=lambda: next(calls) >= 1
        )
    real = export.xhtml_chapter

    def fail_second(root: Path, rel: str, number: int) -> export.Chapter:
        if number == 2:
            raise OSError(5, "Input/output error")
        return real(root, rel, number)

    monkeypatch.setattr(export, "xhtml_chapter", fail_second)
    with pytest.raises(export.ExportError):
        export.export_to_file(book, "html", tmp_path / "a.html")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["posts"]


def test_text_language() -> None:
    assert export.text_language(SIMPLIFIED) == "zh-Hans"
    assert export.text_language(TRADITIONAL) == "zh-Hant"
    assert export.text_language("これは日本語の文章です。ひらがなとカタカナ") == "ja"
    assert export.text_language("An English sentence about the weather.") == "en"
    assert export.text_language("12345") is None
    assert export.book_language(["zh-Hant", None, "zh-Hant", "en"]) == "zh-Hant"
    assert export.book_language([None]) == "und"


def test_article_markers_become_links_outside_code() -> None:
    out = export.article_xhtml(
        "Read this [1] and [3].\n\n    code [1]\n\n# Heading\n\n[real](https://a.example/) [2]",
        ["https://one.example/", "javascript:alert(1)"],
    )
    assert '<a href="https://one.example/" rel="noreferrer">[1]</a>' in out
    assert "[3]" in out and "[2]" in out and "javascript" not in out
    assert "<code>code [1]\n</code>" in out
    assert "<h2>Heading</h2>" in out
    assert '<a href="https://a.example/" rel="noreferrer">real</a>' in out


def test_stories_make_one_chapter_per_story(posts: Path) -> None:
    for rel, date in (
        ("_posts/2023-01-02-essay.md", "2023-01-02"),
        ("archived/essay.md", "2023-01-01"),
    ):
        write_post(
            posts,
            rel,
            "An essay kept twice",
            date,
            "<p>Essay.</p>",
            **{"from": "https://blog.example/essay?utm_source=x"},
        )
    files = run("export", str(posts), "-f", "html", "-o", "-").stdout.decode()
    stories = run("export", str(posts), "--stories", "-f", "html", "-o", "-").stdout.decode()
    listed = run("list", str(posts), "--stories", "--format", "paths").stdout.decode()
    assert files.count("<article ") == 5
    assert stories.count("<article ") == 4 == len(listed.splitlines())
    assert stories.count("<h1>An essay kept twice</h1>") == 1


def test_sort_orders_the_chapters_as_list_does(posts: Path) -> None:
    done = run("export", str(posts), "--sort", "title", "-f", "html", "-o", "-")
    assert done.returncode == 0, done.stderr
    titles = lxml_html.document_fromstring(done.stdout.decode()).xpath("//article//h1/text()")
    listed = run("list", str(posts), "--sort", "title", "--format", "json").stdout.decode()
    assert titles == [row["title"] for row in __import__("json").loads(listed)]
    assert titles[0] == "Chip shortage explained"
    done = run("export", str(posts), "--sort", "size", "-f", "md", "-o", "-")
    assert done.returncode == 2 and done.stderr.decode().startswith("newstui: bad --sort")
