"""tui.files.parse: front matter, recovery, decoding, fallbacks, and that it never raises."""

from __future__ import annotations

import codecs
import importlib
import os
import time
import unicodedata
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tui.files import ParsedPost, parse_bytes, parse_file
from tui.model import Post

parse_module = importlib.import_module("tui.files.parse")

SEED = """---
layout: post
title: "Managing the Aftermath"
date: 2024-01-20T07:04:00.000Z
author: Ryan Hass, Yu-Jie Chen &#38; more
from: https://www.chinafile.example/conversation/aftermath
tags: [ 中参馆 ]
comments: True
categories: [ 中参馆 ]
---
<!--1705734240000-->
[Managing the Aftermath](https://www.chinafile.example/conversation/aftermath)
------

<div><p>Body text.</p></div>
"""


def post_of(text: str | bytes, rel: str = "2021/06/post.md") -> Post:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    return parse_bytes(raw, rel).post


def fm(*lines: str, body: str = "Body.\n") -> str:
    return "---\n" + "".join(line + "\n" for line in lines) + "---\n" + body


def assert_clean(post: Post) -> None:
    fields = [post.title, post.author, post.url, *post.tags, *post.categories, *post.problems]
    fields += [*post.extra, *post.extra.values()]
    for text in fields:
        assert text == text.strip()
        for char in text:
            assert unicodedata.category(char) not in ("Cc", "Cs"), repr(text)


# -- the normal case -------------------------------------------------------------------------------


def test_seed_post_fields() -> None:
    parsed = parse_bytes(SEED.encode(), "2024/2024-01-20-x.md", size=5, mtime_ns=7)
    post = parsed.post
    assert post.title == "Managing the Aftermath"
    assert post.date == datetime(2024, 1, 20, 7, 4, tzinfo=UTC)
    assert post.author == "Ryan Hass, Yu-Jie Chen & more"
    assert post.url == "https://www.chinafile.example/conversation/aftermath"
    assert post.id == post.url
    assert post.path == "2024/2024-01-20-x.md"
    assert post.tags == ("中参馆",)
    assert post.categories == ("中参馆",)
    assert post.extra == {"comments": "True"}
    assert post.problems == ()
    assert (parsed.size, parsed.mtime_ns) == (5, 7)  # beside the post, not in it
    assert not hasattr(post, "size") and not hasattr(post, "mtime_ns")
    assert parsed.body == SEED.split("---\n", 2)[2]


def test_body_is_exactly_what_follows_the_front_matter() -> None:
    text = fm("title: T", body="\n  first line\r\n\tindented\n\n")
    assert parse_bytes(text.encode(), "a.md").body == "\n  first line\n\tindented\n\n"


def test_body_is_cleaned_of_terminal_controls() -> None:
    text = fm("title: T", body="red \x1b[31mtext\x1b[0m\x07 bidi \u202eevil\n")
    assert parse_bytes(text.encode(), "a.md").body == "red [31mtext[0m bidi evil\n"


def test_post_without_url_uses_rel_as_id() -> None:
    post = post_of(fm("title: T", "date: 2021-06-24"), rel="x/y.md")
    assert post.id == "x/y.md" and post.url == ""


def test_url_comes_from_from_then_link_then_url() -> None:
    assert post_of(fm("title: T", "url: u3", "link: u2", "from: u1")).url == "u1"
    post = post_of(fm("title: T", "url: u3", "link: u2"))
    assert post.url == "u2"
    assert post.extra == {"url": "u3"}
    assert post_of(fm("title: T", "url: u3")).url == "u3"
    assert post_of(fm("title: T", 'from: ""', "url: u3")).url == "u3"


def test_extra_holds_every_other_key_as_text_except_layout() -> None:
    post = post_of(
        fm(
            "title: T",
            "layout: post",
            "comments: True",
            "draft: no",
            "weight: 010",
            "series: [a, b]",
            "meta:",
            "  k: v",
            "empty:",
        )
    )
    assert post.extra == {
        "comments": "True",
        "draft": "no",
        "weight": "010",
        "series": "a, b",
        "meta": "k: v",
        "empty": "",
    }


def test_keys_are_matched_case_insensitively() -> None:
    post = post_of(fm("Title: Upper", "DATE: 2021-06-24", "Tags: [a]"))
    assert post.title == "Upper"
    assert post.date == datetime(2021, 6, 24, tzinfo=UTC)
    assert post.tags == ("a",)


# -- titles ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021", "2021"),
        ("1.50", "1.50"),
        ("2021-06-24", "2021-06-24"),
        ("no", "no"),
        ("12:30", "12:30"),
        ("'quoted'", "quoted"),
        ('"Tom &amp; Jerry"', "Tom & Jerry"),
        ('"a\\tb\\u0007c"', "a b c"),
        ('"bidi \\u202eevil"', "bidi evil"),
        ("[a, b]", "a, b"),
    ],
)
def test_title_becomes_its_text(value: str, expected: str) -> None:
    post = post_of(fm(f"title: {value}", "date: 2021-06-24"))
    assert post.title == expected
    assert_clean(post)


def test_title_never_holds_a_lone_surrogate() -> None:
    # libyaml refuses the escape (so the line is recovered as written); PyYAML would decode it
    post = post_of(fm('title: "lone \\ud800 surrogate"', "date: 2021-06-24"))
    assert post.title.startswith("lone ")
    assert_clean(post)
    assert parse_module._line("a\ud800b") == "a\ufffdb"


def test_title_is_one_line_and_capped() -> None:
    post = post_of(fm('title: "a\\nb   c"', "date: 2021-06-24"))
    assert post.title == "a b c"
    long = post_of(fm("title: " + "x" * 5000, "date: 2021-06-24")).title
    assert len(long) <= parse_module.MAX_FIELD and long.endswith("…")


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("# Hello *world*\n\ntext\n", "Hello world"),
        ("intro\n\n## Second level ##\n", "Second level"),
        ("Setext title\n============\n\ntext\n", "Setext title"),
        ("Setext two\n---\n", "Setext two"),
        (
            "<!--1624569300000-->\n[Seed title](https://x.example/a)\n------\n\n<div>x</div>\n",
            "Seed title",
        ),
        ("[[冷戰物語]被反殺啦](https://x.example/b)\n------\n", "[冷戰物語]被反殺啦"),
        ("<div><h1 class='t'>HTML <b>title</b> &amp; more</h1></div>", "HTML title & more"),
        ("<p>x</p>\n<H3>Third</H3>\n# later\n", "Third"),
        ("```\n# not a heading\n```\n\n# Real\n", "Real"),
        ("<h2>  </h2>\n<h2>Second try</h2>", "Second try"),
        ("![logo](l.png) text\n\n# [Linked](u) heading\n", "Linked heading"),
    ],
)
def test_missing_title_comes_from_the_first_heading(body: str, expected: str) -> None:
    post = post_of(fm("date: 2021-06-24", body=body))
    assert post.title == expected
    assert "title taken from heading" in post.problems


def test_list_item_over_dashes_is_not_a_setext_heading() -> None:
    post = post_of(fm("date: 2021-06-24", body="- item\n---\n"), rel="2021-06-24-from-name.md")
    assert post.title == "from-name"


def test_missing_title_and_heading_fall_back_to_the_file_name() -> None:
    post = post_of(fm("date: 2021-06-24", body="just text\n"), rel="2021/06/2021-06-24-my slug.md")
    assert post.title == "my slug"
    assert "title taken from file name" in post.problems
    assert post_of("plain", rel="a/notes.markdown").title == "notes"
    assert post_of("plain", rel="a/2021-06-24.HTML").title == "2021-06-24"
    assert post_of("plain", rel="weird.name.md").title == "weird.name"
    assert post_of("plain", rel="").title == "untitled"


def test_empty_title_value_falls_back() -> None:
    for value in ('""', "", "~", "null"):
        post = post_of(fm(f"title: {value}", "date: 2021-06-24", body="# From heading\n"))
        assert post.title == "From heading", value


# -- dates -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2021-06-24", datetime(2021, 6, 24, tzinfo=UTC)),
        ("2021-06-24T07:04:00.000Z", datetime(2021, 6, 24, 7, 4, tzinfo=UTC)),
        ("2021-06-24T07:04:00Z", datetime(2021, 6, 24, 7, 4, tzinfo=UTC)),
        (
            "2017-12-05T06:45:00+02:00",
            datetime(2017, 12, 5, 6, 45, tzinfo=timezone(timedelta(hours=2))),
        ),
        ("2021-06-24 10:00:00", datetime(2021, 6, 24, 10, tzinfo=UTC)),
        ("2021-06-24T10:00", datetime(2021, 6, 24, 10, tzinfo=UTC)),
        (
            "2015-09-30 21:05:00 +0800",
            datetime(2015, 9, 30, 21, 5, tzinfo=timezone(timedelta(hours=8))),
        ),
        ("2001-12-14 21:59:43.10 -5", datetime(2001, 12, 15, 2, 59, 43, 100000, tzinfo=UTC)),
        ("'2021-06-24 10:00:00 UTC'", datetime(2021, 6, 24, 10, tzinfo=UTC)),
        ("2021/06/24", datetime(2021, 6, 24, tzinfo=UTC)),
        ("2021/06/24 10:30", datetime(2021, 6, 24, 10, 30, tzinfo=UTC)),
        ("24 June 2021", datetime(2021, 6, 24, tzinfo=UTC)),
        ("Jun 24, 2021", datetime(2021, 6, 24, tzinfo=UTC)),
        ("2021年06月24日", datetime(2021, 6, 24, tzinfo=UTC)),
        ("Thu, 24 Jun 2021 10:00:00 +0000", datetime(2021, 6, 24, 10, tzinfo=UTC)),
        ("1624569300000", datetime(2021, 6, 24, 21, 15, tzinfo=UTC)),
        ("1624569300", datetime(2021, 6, 24, 21, 15, tzinfo=UTC)),
    ],
)
def test_dates_are_timezone_aware(value: str, expected: datetime) -> None:
    post = post_of(fm("title: T", f"date: {value}"), rel="x.md")
    assert post.date == expected
    assert post.date is not None and post.date.utcoffset() is not None
    assert post.problems == ()


def test_offset_is_kept_not_converted() -> None:
    post = post_of(fm("title: T", "date: 2014-03-17T16:45:28+01:00"))
    assert post.date is not None
    assert post.date.utcoffset() == timedelta(hours=1)
    assert post.date.hour == 16


def test_date_and_datetime_objects() -> None:
    to_datetime = parse_module._to_datetime
    assert to_datetime(date(2021, 6, 24)) == datetime(2021, 6, 24, tzinfo=UTC)
    assert to_datetime(datetime(2021, 6, 24, 5)) == datetime(2021, 6, 24, 5, tzinfo=UTC)
    aware = datetime(2021, 6, 24, 5, tzinfo=timezone(timedelta(hours=-3)))
    assert to_datetime(aware) == aware and to_datetime(aware).tzinfo == aware.tzinfo
    assert to_datetime(True) is None
    assert to_datetime(["2021-06-24"]) is None
    assert to_datetime(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=5)))) is None


@pytest.mark.parametrize(
    "value", ["2021-13-45", "2021-02-30", "soon", "tomorrow at noon", "[2021]"]
)
def test_invalid_date_is_a_problem_and_falls_back(value: str) -> None:
    post = post_of(fm("title: T", f"date: {value}"), rel="2020/2020-05-01-x.md")
    assert post.date == datetime(2020, 5, 1, tzinfo=UTC)
    assert any(problem.startswith("invalid date: ") for problem in post.problems)
    assert "date taken from file name" in post.problems


def test_missing_date_comes_from_the_file_name() -> None:
    post = post_of(fm("title: T"), rel="2019/2019-10-20-some-slug.md")
    assert post.date == datetime(2019, 10, 20, tzinfo=UTC)
    assert post.problems == ("date taken from file name",)


def test_missing_date_comes_from_the_epoch_comment() -> None:
    post = post_of(fm("title: T", body="\n<!--1624569300000-->\n[T](u)\n------\n"), rel="x.md")
    assert post.date == datetime(2021, 6, 24, 21, 15, tzinfo=UTC)
    assert post.problems == ("date taken from <!--timestamp--> comment",)


def test_no_date_anywhere() -> None:
    post = post_of(fm("title: T", body="text <!--1624569300000-->"), rel="2021-99-99-x.md")
    assert post.date is None
    assert post.problems == ("no date",)


# -- tags and categories ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("tags: [ Matters ]", ("Matters",)),
        ("tags: [a, b, a, '', c]", ("a", "b", "c")),
        ("tags: one tag", ("one tag",)),
        ("tags: a, b ,, c", ("a", "b", "c")),
        ("tags: 经济，零售", ("经济", "零售")),
        ("tags: [2019, 3.5, true]", ("2019", "3.5", "true")),
        ("tags: [[x, y], z]", ("x, y", "z")),
        ("tags:\n  - one\n  - two", ("one", "two")),
        ("tags:", ()),
        ("tags: []", ()),
        ("tag: solo", ("solo",)),
    ],
)
def test_tags(line: str, expected: tuple[str, ...]) -> None:
    post = post_of(fm("title: T", "date: 2021-06-24", line))
    assert post.tags == expected
    assert "tag" not in post.extra and "tags" not in post.extra


def test_categories_string_and_list() -> None:
    post = post_of(fm("title: T", 'categories: "经济, 零售"'))
    assert post.categories == ("经济", "零售")
    post = post_of(fm("title: T", "category: News"))
    assert post.categories == ("News",)


# -- YAML that does not parse ----------------------------------------------------------------------


RECOVERY = [
    ('title: "C:\\Users 的秘密"', "C:\\Users 的秘密"),
    ('title: "say \\"hi\\" \\q"', 'say "hi" \\q'),
    ('title: "unbalanced', '"unbalanced'),
    ("title: Foo: Bar", "Foo: Bar"),
    ("\ttitle: tab indented", "tab indented"),
    ("title: @at", "@at"),
    ("title: 'x' trailing", "'x' trailing"),
]


@pytest.mark.parametrize(("line", "title"), RECOVERY)
def test_broken_yaml_is_recovered_line_by_line(line: str, title: str) -> None:
    text = fm(
        line,
        "date: 2021-06-24T10:00:00+08:00",
        "author: Someone",
        "from: https://example.org/a",
        "tags: [ a, 'b' ]",
        "categories:",
        "  - c1",
        '  - "c2"',
        "layout: post",
        "# a comment",
        "comments: True",
    )
    post = post_of(text)
    assert post.title == title
    assert post.date == datetime(2021, 6, 24, 10, tzinfo=timezone(timedelta(hours=8)))
    assert post.author == "Someone"
    assert post.url == "https://example.org/a"
    assert post.tags == ("a", "b")
    assert post.categories == ("c1", "c2")
    assert post.extra == {"comments": "True"}
    assert post.problems == ("front matter YAML did not parse; recovered 8 keys",)


@pytest.mark.parametrize(
    ("line", "title"),
    [
        ('title: "He said \\"hi\\" \\\\ back"', 'He said "hi" \\ back'),
        ("title:\t\t'tabbed'", "tabbed"),
        ("title: 'It''s: fine'", "It's: fine"),
    ],
)
def test_tricky_but_valid_yaml_needs_no_recovery(line: str, title: str) -> None:
    post = post_of(fm(line, "date: 2021-06-24"))
    assert post.title == title
    assert post.problems == ()


def test_tab_indentation_and_continuation_lines() -> None:
    text = "---\ntitle: first part\n\tsecond part\ntags:\n\t- x\ndate: 2021-06-24\n---\nbody"
    post = post_of(text)
    assert post.title == "first part second part"
    assert post.tags == ("x",)
    assert post.problems[0].startswith("front matter YAML did not parse")


def test_block_scalar_in_recovery() -> None:
    text = fm("title: >", "  folded", "  title", 'bad: "\\q"')
    assert post_of(text).title == "folded title"


def test_front_matter_that_is_not_a_mapping() -> None:
    post = post_of(fm("just a sentence", body="# Heading\n"), rel="2021-06-24-x.md")
    assert post.title == "Heading"
    assert post.problems[0] == "front matter YAML did not parse; recovered 0 keys"


def test_recovery_counts_one_key_in_the_singular() -> None:
    post = post_of(fm('title: "\\q"'))
    assert "front matter YAML did not parse; recovered 1 key" in post.problems


def test_unclosed_front_matter() -> None:
    text = "---\ntitle: Open\ndate: 2021-06-24\n\nThe body starts here.\nMore.\n"
    parsed = parse_bytes(text.encode(), "x.md")
    assert parsed.post.title == "Open"
    assert parsed.post.date == datetime(2021, 6, 24, tzinfo=UTC)
    assert parsed.post.problems == ("front matter not closed; recovered 2 keys",)
    assert parsed.body == "The body starts here.\nMore.\n"


def test_empty_and_comment_only_front_matter() -> None:
    post = post_of("---\n---\n# Title\n", rel="2021-06-24-x.md")
    assert post.title == "Title"
    assert post.problems == ("title taken from heading", "date taken from file name")
    post = post_of("---\n# only a comment\n---\nbody", rel="2021-06-24-x.md")
    assert post.problems == ("title taken from file name", "date taken from file name")


def test_front_matter_after_blank_lines_and_with_crlf() -> None:
    text = "\r\n\n---\r\ntitle: CRLF\r\ndate: 2021-06-24\r\n---\r\nbody\r\n"
    parsed = parse_bytes(text.encode(), "x.md")
    assert parsed.post.title == "CRLF"
    assert parsed.post.problems == ()
    assert parsed.body == "body\n"


def test_yaml_alias_bomb_is_bounded() -> None:
    lines = ["title: T", "a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 12):
        prev = chr(ord("a") + level - 1)
        name = chr(ord("a") + level)
        lines.append(f"{name}: &{name} [{', '.join(['*' + prev] * 10)}]")
    started = time.perf_counter()
    post = post_of(fm(*lines))
    assert time.perf_counter() - started < 2
    assert all(len(value) <= parse_module.MAX_FIELD for value in post.extra.values())


def test_huge_front_matter_skips_yaml() -> None:
    text = fm("title: Big", "tags: [" + "a, " * 100_000 + "b]")
    started = time.perf_counter()
    post = post_of(text)
    assert time.perf_counter() - started < 2
    assert post.title == "Big"
    assert post.tags == ("a", "b")
    assert post.problems == ("front matter too long for YAML; recovered 2 keys", "no date")


def test_deeply_nested_yaml_does_not_raise() -> None:
    post = post_of(fm("title: T", "x: " + "[" * 5000 + "]" * 5000))
    assert post.title == "T"


# -- decoding --------------------------------------------------------------------------------------


def test_utf8_bom() -> None:
    raw = codecs.BOM_UTF8 + fm("title: 标题", "date: 2021-06-24").encode()
    assert post_of(raw).title == "标题"
    assert post_of(raw).problems == ()


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_with_bom(encoding: str) -> None:
    text = fm("title: 十六位", "date: 2021-06-24")
    raw = text.encode(encoding)
    if encoding == "utf-16-le":
        raw = codecs.BOM_UTF16_LE + raw
    elif encoding == "utf-16-be":
        raw = codecs.BOM_UTF16_BE + raw
    parsed = parse_bytes(raw, "x.md")
    assert parsed.post.title == "十六位"
    assert parsed.post.problems == ()
    assert parsed.body == "Body.\n"


def test_gbk_file_is_decoded_as_gb18030() -> None:
    raw = fm("title: 老茶馆的最后一个春天", "date: 2017-04-11", body="正文。\n").encode("gbk")
    parsed = parse_bytes(raw, "x.md")
    assert parsed.post.title == "老茶馆的最后一个春天"
    assert parsed.post.problems == ("decoded as gb18030",)
    assert parsed.body == "正文。\n"


def test_big5_file_is_decoded_as_big5() -> None:
    raw = fm("title: 臺灣的夜市文化", "date: 2017-04-11", body="這是我們的時代。\n").encode("big5")
    parsed = parse_bytes(raw, "x.md")
    assert parsed.post.title == "臺灣的夜市文化"
    assert parsed.post.problems == ("decoded as big5",)


def test_undecodable_bytes_are_replaced() -> None:
    body = "A plain English body that is long enough to outweigh a few bad bytes. " * 5
    raw = (
        fm("title: caf\xe9 ok", "date: 2021-06-24", body=body).encode("utf-8") + b"\x80\xff\xfe" * 2
    )
    post = post_of(raw)
    assert post.title.startswith("caf")
    assert post.problems == ("not valid text in any known encoding; bad bytes replaced",)


def test_nul_bytes_are_stripped() -> None:
    raw = fm("title: Nul\x00 title", "date: 2021-06-24").encode() + b"more\x00text"
    parsed = parse_bytes(raw, "x.md")
    assert parsed.post.title == "Nul title"
    assert parsed.post.problems == ("NUL bytes removed",)
    assert parsed.body == "Body.\nmoretext"


def test_utf16_without_bom_reads_after_nul_stripping() -> None:
    raw = fm("title: Plain", "date: 2021-06-24").encode("utf-16-le")
    post = post_of(raw)
    assert post.title == "Plain"
    assert post.problems == ("NUL bytes removed",)


@pytest.mark.parametrize(
    "raw",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 8,
        b"\x00" * 100,
        bytes((i * 37 + 11) % 256 for i in range(5000)),
        b"\x7fELF\x02\x01\x01" + b"\x00" * 9 + b"\x03\x00>\x00" * 50,
    ],
)
def test_binary_junk_still_becomes_a_post(raw: bytes) -> None:
    parsed = parse_bytes(raw, "2021/2021-06-24-picture.md")
    assert parsed.post.title == "picture"
    assert parsed.post.date == datetime(2021, 6, 24, tzinfo=UTC)
    assert parsed.post.problems == ("binary file",)
    assert parsed.body == ""


def test_empty_file() -> None:
    post = post_of(b"", rel="2021-06-24-empty.md")
    assert post.title == "empty"
    assert post.problems == (
        "empty file",
        "title taken from file name",
        "date taken from file name",
    )


# -- reading files ---------------------------------------------------------------------------------


def test_parse_file_reads_stat_and_body(tmp_path: Path) -> None:
    path = tmp_path / "2021" / "2021-06-24-a.md"
    path.parent.mkdir()
    path.write_bytes(SEED.encode())
    os.utime(path, ns=(1_600_000_000_000_000_001, 1_600_000_000_000_000_001))
    parsed = parse_file(tmp_path, "2021/2021-06-24-a.md")
    assert isinstance(parsed, ParsedPost)
    assert parsed.size == len(SEED.encode())
    assert parsed.mtime_ns == 1_600_000_000_000_000_001
    assert parsed.body.startswith("<!--1705734240000-->")
    meta = parse_file(str(tmp_path), "2021/2021-06-24-a.md", with_body=False)
    assert meta.body == ""
    assert meta.post == parsed.post


def test_metadata_only_matches_full_parse_for_many_shapes(tmp_path: Path) -> None:
    cases = {
        "fm.md": fm("title: T", "date: 2021-06-24").encode(),
        "2021-06-24-noFM.md": (("x\n" * 30000) + "# Deep\n").encode(),
        "html.md": fm(
            "date: 2021-06-24", body="<p>" + "y" * 30000 + "</p><h1>Late H1</h1>" + "w" * 70000
        ).encode(),
        "epoch.md": fm("title: T", body="<!--1624569300000-->\n" + "z" * 100000).encode(),
        "gbk.md": fm("title: 中文", body="正文" * 40000).encode("gbk"),
        "utf16.md": fm("title: 十六", body="正文" * 40000).encode("utf-16"),
    }
    for name, raw in cases.items():
        (tmp_path / name).write_bytes(raw)
        full = parse_file(tmp_path, name)
        meta = parse_file(tmp_path, name, with_body=False)
        assert meta.post == full.post, name
        assert meta.body == ""
    assert parse_file(tmp_path, "html.md", with_body=False).post.title == "Late H1"
    assert parse_file(tmp_path, "2021-06-24-noFM.md", with_body=False).post.title == "Deep"
    assert parse_file(tmp_path, "gbk.md", with_body=False).post.problems == (
        "decoded as gb18030",
        "no date",
    )


def test_front_matter_longer_than_the_head_is_read_whole(tmp_path: Path) -> None:
    filler = "\n".join(f"key{i}: {'v' * 60}" for i in range(1100))
    text = fm("date: 2021-06-24", filler, "title: After the filler", body="body " * 100)
    assert parse_module.HEAD_BYTES < len(text.encode()) < parse_module.MAX_YAML
    (tmp_path / "long.md").write_text(text, encoding="utf-8")
    post = parse_file(tmp_path, "long.md", with_body=False).post
    assert post.title == "After the filler"
    assert post.problems == ()


def test_head_cut_inside_a_character_is_not_an_encoding_problem(tmp_path: Path) -> None:
    # No title, so the metadata read has to look for a heading in the first 64 KiB, which ends
    # in the middle of a three-byte character.
    head = fm("date: 2021-06-24", body="# 标题\n")
    filler_bytes = parse_module.HEAD_BYTES - len(head.encode()) - 1
    text = head + "a" + "中" * (filler_bytes // 3 + 10)
    (tmp_path / "cut.md").write_text(text, encoding="utf-8")
    post = parse_file(tmp_path, "cut.md", with_body=False).post
    assert post.title == "标题"
    assert post.problems == ("title taken from heading",)


def test_missing_file_is_unreadable_not_an_exception(tmp_path: Path) -> None:
    parsed = parse_file(tmp_path, "2021/2021-06-24-gone.md")
    assert parsed.post.title == "gone"
    assert parsed.post.problems == ("unreadable: No such file or directory",)
    assert parsed.post.date == datetime(2021, 6, 24, tzinfo=UTC)
    assert parsed.post.id == "2021/2021-06-24-gone.md"
    assert parsed.body == ""


def test_folder_is_unreadable(tmp_path: Path) -> None:
    (tmp_path / "dir.md").mkdir()
    post = parse_file(tmp_path, "dir.md").post
    assert post.title == "dir"
    assert post.problems[0] == "unreadable: not a regular file"


def test_fifo_does_not_hang(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe.md")
    started = time.perf_counter()
    post = parse_file(tmp_path, "pipe.md", with_body=False).post
    assert time.perf_counter() - started < 2
    assert post.problems[0] == "unreadable: not a regular file"


def test_permission_denied_simulated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked.md").write_text("x")

    def refuse(*args: object, **kwargs: object) -> int:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(parse_module.os, "open", refuse)
    post = parse_file(tmp_path, "locked.md").post
    assert post.title == "locked"
    assert post.problems == ("unreadable: Permission denied", "no date")


def test_read_error_after_open_keeps_stat(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "bad.md").write_text("hello")

    def fail(*args: object) -> bytes:
        raise OSError(5, "Input/output error")

    monkeypatch.setattr(parse_module.os, "read", fail)
    parsed = parse_file(tmp_path, "bad.md")
    assert parsed.post.problems[0] == "unreadable: Input/output error"
    assert parsed.size == 5


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_permission_denied_chmod(tmp_path: Path) -> None:
    path = tmp_path / "locked.md"
    path.write_text("x")
    path.chmod(0)
    try:
        post = parse_file(tmp_path, "locked.md").post
    finally:
        path.chmod(0o644)
    assert post.problems[0] == "unreadable: Permission denied"


def test_internal_error_costs_one_post_only(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args: object, **kwargs: object) -> object:
        raise RuntimeError("bug")

    monkeypatch.setattr(parse_module, "_build_post", boom)
    parsed = parse_bytes(fm("title: T").encode(), "2021-06-24-x.md")
    assert parsed.post.title == "x"
    assert parsed.post.problems == ("unreadable: parser error (RuntimeError)",)


# -- never raises ----------------------------------------------------------------------------------


RELS = st.sampled_from(["2021/06/2021-06-24-slug.md", "x.md", "", "a/.md", "b/\udcff\x1b.md"])


@settings(max_examples=300, deadline=None)
@given(raw=st.binary(max_size=3000), rel=RELS)
def test_parse_bytes_never_raises_on_arbitrary_bytes(raw: bytes, rel: str) -> None:
    parsed = parse_bytes(raw, rel)
    assert parsed.post.title
    assert_clean(parsed.post)
    assert parsed.post.date is None or parsed.post.date.utcoffset() is not None


YAMLISH = st.text(
    alphabet=st.sampled_from(list("ab:-[]{}'\"\\#&*!|>%@,\t \n\x00\x1b\u202e中Z0123456789T+.")),
    max_size=200,
)


@settings(max_examples=300, deadline=None)
@given(front=YAMLISH, body=st.text(max_size=200), encoding=st.sampled_from(["utf-8", "utf-16"]))
def test_parse_bytes_never_raises_on_yaml_like_front_matter(
    front: str, body: str, encoding: str
) -> None:
    text = f"---\ntitle: {front}\ndate: {front[:30]}\n---\n{body}"
    parsed = parse_bytes(text.encode(encoding, "surrogatepass"), "2021-06-24-x.md")
    assert parsed.post.title
    assert_clean(parsed.post)


def test_metadata_of_a_long_post_reads_its_first_page_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A cold index reads a million heads off the disk: each one page, not the whole file.
    text = fm("title: 标题", "date: 2021-06-24", body="<p>" + "正文" * 20000 + "</p>")
    (tmp_path / "long.md").write_text(text, encoding="utf-8")
    read: list[int] = []
    real_read = os.read

    def counting_read(fd: int, n: int) -> bytes:
        chunk = real_read(fd, n)
        read.append(len(chunk))
        return chunk

    monkeypatch.setattr(os, "read", counting_read)
    post = parse_file(tmp_path, "long.md", with_body=False).post
    assert (post.title, post.problems) == ("标题", ())
    assert sum(read) == parse_module.FIRST_READ
