"""A generated corpus of hostile post files (markup, terminal escapes, broken encodings, bombs, odd files)."""

from __future__ import annotations

import os
import random
from pathlib import Path

ESC = "\x1b"
OSC52 = f"{ESC}]52;c;cHduZWQ={chr(7)}"  # would put "pwned" on the clipboard
OSC2 = f"{ESC}]2;pwned{chr(7)}"  # would set the window title
OSC0 = f"{ESC}]0;pwned{ESC}\\"  # the same, ended by ST
CSI_CLEAR = f"{ESC}[2J{ESC}[H"
C1 = "\x9b31m\x9d2;pwned\x9c"  # CSI and OSC as single C1 characters
BIDI = "\u202eevil\u202c \u2066iso\u2069 \u200emarks\u200f\u061c"  # overrides, isolates, marks
CLICK = "[@click=app.screenshot('x.svg','/tmp')]click me[/]"
FAKE_LINK = "[link=https://evil.example]safe bank[/link]"

# Every control and bidi character that must never reach the terminal.
FORBIDDEN = (
    {chr(c) for c in range(0x00, 0x09)}
    | {chr(c) for c in range(0x0B, 0x20)}
    | {"\x7f"}
    | {chr(c) for c in range(0x80, 0xA0)}
    | {chr(c) for c in range(0x202A, 0x202F)}
    | {chr(c) for c in range(0x2066, 0x206A)}
    | {"\u200e", "\u200f", "\u061c"}  # LRM, RLM, ALM
)


def forbidden_in(text: str) -> list[str]:
    """The forbidden characters in text (tabs and newlines are allowed), as escapes for messages."""
    return sorted({f"U+{ord(char):04X}" for char in text if char in FORBIDDEN})


def _yaml(text: str) -> str:
    """A YAML double-quoted scalar; YAML's escapes put the raw control characters back."""
    out = []
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F:
            out.append(f"\\x{ord(char):02x}")
        else:
            out.append(char)
    return '"' + "".join(out) + '"'


def _post(title: str, body: str = "<p>Body.</p>", date: str = "2021-06-24", **extra: str) -> str:
    lines = ["---", "layout: post", f"title: {_yaml(title)}", f"date: {date}"]
    lines += [f"{key}: {value}" for key, value in extra.items()]
    return "\n".join([*lines, "---", body, ""])


def _nested(tag: str, depth: int, inner: str = "deep") -> str:
    if tag == "ul":
        return "<ul><li>" * depth + inner + "</li></ul>" * depth
    return f"<{tag}>" * depth + inner + f"</{tag}>" * depth


def make_hostile_corpus(root: Path) -> dict[str, str]:
    """Write hostile posts under root; return rel path -> text the listed title must contain
    ("" when any non-empty title will do). Links, FIFOs and loops are made too but not returned:
    they must not be listed (or, for a link to a listed file, not listed twice)."""
    rng = random.Random(1)
    root.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}

    def text(rel: str, content: str, title: str, encoding: str = "utf-8") -> None:
        raw(rel, content.encode(encoding, "surrogateescape"), title)

    def raw(rel: str, content: bytes, title: str) -> None:
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        expected[rel] = title

    # Rich / Textual markup in every field.
    text("markup/close.md", _post("[/]"), "[/]")
    text("markup/bold.md", _post("[bold red]not markup[/]"), "[bold red]not markup[/]")
    text(
        "markup/click.md",
        _post(CLICK, f"<p>{CLICK}</p>", author=_yaml(CLICK), tags=f"[ {_yaml('[/]')} ]"),
        CLICK,
    )
    text("markup/link.md", _post(FAKE_LINK, f"<p>{FAKE_LINK}</p>"), FAKE_LINK)
    text(
        "markup/author.md",
        _post("markup in author and tags", author=_yaml("[/]"), tags=_yaml("[b]x[/b], [/]")),
        "markup in author and tags",
    )
    text("markup/var.md", _post("$accent [on $error]x[/] ${x}"), "$accent [on $error]x[/]")

    # Terminal escapes: raw in the file, via YAML escapes, via HTML entities.
    text(
        "escape/osc52.md",
        _post(f"clip{OSC52}board", f"<p>copy{OSC52}me</p>", author=_yaml(OSC52)),
        "clip",
    )
    text(
        "escape/osc2.md",
        _post(f"title{OSC2}set", f"<p>{OSC0}{OSC2}</p>", tags=f"[ {_yaml(OSC2)} ]"),
        "title",
    )
    text("escape/csi.md", _post(f"{CSI_CLEAR}clear screen", f"<p>{CSI_CLEAR}x</p>"), "clear screen")
    text("escape/c1.md", _post(f"c1{C1}control", f"<p>{C1}</p>", author=_yaml(C1)), "c1")
    text("escape/bidi.md", _post(f"bidi {BIDI}", f"<p>{BIDI}</p>"), "bidi")
    raw(
        "escape/raw_bytes.md",
        b"---\ntitle: raw \x1b]2;pwned\x07 bytes\ndate: 2021-06-24\nauthor: \x9b\x1b[31m\n---\n"
        b"<p>\x1b]52;c;cHduZWQ=\x07 body \x1b[2J</p>\n",
        "raw",
    )
    text(
        "escape/entities.md",
        _post(
            "entity &#27;]2;pwned&#7; title",
            "<p>&#27;]52;c;cHduZWQ=&#7; &#x1b;[2J &#155;31m &#8238;rtl &#x9d;2;x&#x9c;</p>"
            "<pre>&#27;]2;pwned&#7;</pre>",
        ),
        "entity",
    )
    text(
        "escape/markdown_body.md",
        f"---\ntitle: markdown escapes\ndate: 2021-06-24\n---\n# head {OSC2}\n\n"
        f"* item {OSC52}\n\n```\ncode {CSI_CLEAR} {C1}\n```\n\n`{OSC2}`\n",
        "markdown escapes",
    )

    # Links the reader must not follow on its own.
    text(
        "links/local.md",
        _post(
            "local links",
            '<p><a href="/etc/passwd">passwd</a> <a href="file:///etc/passwd">file</a> '
            '<a href="javascript:alert(1)">js</a> <a href="../../../etc/shadow">up</a> '
            '<a href="https://example.com/ok">web</a> <a href="mailto:a@example.com">mail</a> '
            '<a href="https://exa mple.com/\x1b]2;x\x07">bad</a></p>',
        ),
        "local links",
    )
    text(
        "links/markdown.md",
        "---\ntitle: markdown links\ndate: 2021-06-24\n---\n"
        "[passwd](/etc/passwd) [file](file:///etc/passwd) [js](javascript:alert(1)) "
        "<https://example.com/auto> ![img](file:///etc/passwd) [data](data:text/html,<b>x</b>)\n",
        "markdown links",
    )
    text(
        "links/post_url.md",
        _post("url is a file", **{"from": "file:///etc/passwd"}),
        "url is a file",
    )
    text(
        "links/post_url_js.md",
        _post("url is javascript", **{"from": _yaml(f"javascript:alert(1){OSC2}")}),
        "url is javascript",
    )

    # Sizes and depths.
    text("size/nested_lists.md", _post("nested lists", _nested("ul", 20_000)), "nested lists")
    text("size/nested_divs.md", _post("nested divs", _nested("div", 20_000)), "nested divs")
    text(
        "size/nested_md.md",
        "---\ntitle: nested markdown\ndate: 2021-06-24\n---\n"
        + "".join("  " * i + "- x\n" for i in range(1000))
        + ">" * 5000
        + " quote\n",
        "nested markdown",
    )
    text(
        "size/big_markdown.md",
        "---\ntitle: big markdown\ndate: 2021-06-24\n---\n"
        + "".join(
            f"## part {i}\n\nsome *text* and [a link](https://e.com/{i}).\n\n" for i in range(6000)
        ),
        "big markdown",
    )
    text(
        "size/one_line.md",
        _post("one 5 MB line", "<p>" + "字" * 1_700_000 + "</p>"),
        "one 5 MB line",
    )
    text("size/many_elements.md", _post("many elements", "<p>x</p>" * 30_000), "many elements")
    text("size/long_title.md", _post("长" * 10_000), "长长长")
    text(
        "size/huge_front_matter.md",
        "---\ntitle: huge front matter\ndate: 2021-06-24\n"
        + "".join(f"key{i}: {'v' * 100}\n" for i in range(3000))
        + "---\n<p>x</p>\n",
        "huge front matter",
    )
    text(
        "size/yaml_bomb.md",
        "---\ntitle: yaml bomb\ndate: 2021-06-24\n"
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{','.join('*' + chr(97 + i) for _ in range(9))}]\n"
            for i in range(8)
        )
        + "tags: *i\n---\n<p>x</p>\n",
        "yaml bomb",
    )

    # Front matter that is not a mapping, or not YAML.
    text("fm/list.md", "---\n- title\n- a list\n---\n# list front matter\n", "")
    text("fm/scalar.md", "---\njust a scalar\n---\n# scalar front matter\n", "")
    text("fm/unclosed.md", "---\ntitle: unclosed\ndate: 2021-06-24\n<p>body</p>\n", "unclosed")
    text("fm/backslash.md", '---\ntitle: "back\\slash \\q"\ndate: 2021-06-24\n---\nx\n', "back")
    text("fm/empty.md", "", "")
    text("fm/only_dashes.md", "---\n---\n", "")
    text("fm/date_zero.md", _post("date zero", date="0000-00-00"), "date zero")
    text("fm/date_far.md", _post("date far", date="99999-01-01"), "date far")
    text("fm/date_huge_epoch.md", _post("date epoch", date="99999999999999999999"), "date epoch")
    text("fm/title_number.md", "---\ntitle: 1e999\ndate: 2021-06-24\n---\nx\n", "1e999")
    text("fm/title_map.md", "---\ntitle: {a: [/], b: 1}\ndate: 2021-06-24\n---\nx\n", "")

    # Encodings and binary junk.
    raw("enc/binary.md", bytes(rng.randrange(256) for _ in range(20_000)), "")
    raw("enc/nul.md", _post("nul\x00title", "<p>a\x00b</p>").encode(), "nul")
    raw(
        "enc/invalid_utf8.md",
        b"---\ntitle: bad \xff\xfe utf8 \xc3\x28\ndate: 2021-06-24\n---\n<p>\xed\xa0\x80</p>\n",
        "",
    )
    text("enc/utf16.md", "\ufeff" + _post("UTF-16 标题"), "UTF-16 标题", "utf-16-le")
    text("enc/gbk.md", _post("国有企业共享数据宝库，中国的经济"), "国有企业共享数据宝库", "gbk")
    text("enc/big5.md", _post("這個國家的經濟發展"), "這個國家的經濟發展", "big5")
    text(
        "enc/surrogate.md",
        '---\ntitle: "lone \\ud800 surrogate"\ndate: 2021-06-24\n---\nx\n',
        "lone",
    )

    # Unicode that stresses cell widths.
    text("unicode/emoji.md", _post("👩‍👩‍👧‍👦 family 🇨🇳 flag e\u0301\u0301\u0301 zalgo"), "family")
    text("unicode/zwj.md", _post("zero\u200bwidth\u200d\ufeffjoiners"), "zero")
    text("unicode/rtl.md", _post("مرحبا بالعالم שלום עולם"), "مرحبا")
    text("unicode/wide.md", _post("ｆｕｌｌｗｉｄｔｈ　全角　ﾊﾝｶｸ"), "全角")

    # A full scraped page.
    text(
        "page.html",
        _post(
            "full page",
            "<!DOCTYPE html><html><head><title>t</title><script>alert(1)</script>"
            "<style>body{}</style></head><body onload='x()'><nav>menu</nav>"
            "<iframe src='file:///etc/passwd'></iframe><article><p>Article</p></article>"
            "<form action='javascript:x'><input></form></body></html>",
        ),
        "full page",
    )

    # Hostile file names (the path is printed by `newstui list` too).
    text("names/[@click=app.quit]x.md", "no front matter, a markup name\n", "[@click=app.quit]x")

    # Files that are not plain post files: none of these may be listed (again).
    (root / "links").mkdir(exist_ok=True)
    os.symlink("..", root / "links" / "loop")  # a folder link back up
    os.symlink("nowhere.md", root / "links" / "dangling.md")
    os.symlink("../markup/close.md", root / "links" / "alias.md")  # already listed as the target
    os.symlink("self.md", root / "links" / "self.md")
    os.mkfifo(root / "links" / "fifo.md")  # a reader opening it must not hang
    (root / ".hidden.md").write_text(_post("hidden"), encoding="utf-8")
    (root / "folder.md").mkdir()  # a folder named like a post
    return expected


HOSTILE_NAMES = ("osc\x1b]2;pwned\x07name.md", "c1\x9bname.md", "rtl\u202ename.md")


def make_hostile_names(root: Path) -> dict[str, str]:
    """Posts whose file names hold escapes, C1 and bidi characters (kept apart: see the CLI tests)."""
    root.mkdir(parents=True, exist_ok=True)
    for name in HOSTILE_NAMES:
        (root / name).write_text("no front matter\n", encoding="utf-8")
    return {name: "name" for name in HOSTILE_NAMES}


if __name__ == "__main__":
    import sys

    target = Path(sys.argv[1] if len(sys.argv) > 1 else "hostile_posts")
    print(f"{len(make_hostile_corpus(target))} posts written to {target}")
