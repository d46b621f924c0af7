"""Generate a synthetic news archive (Jekyll posts, mostly Chinese, scraped HTML) for benchmarks."""

from __future__ import annotations

import argparse
import itertools
import json
import math
import os
import random
import re
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

# Fixed vocabulary: text is sampled from these, so every corpus for a seed is byte-identical.
CJK_WORDS = """
中国 美国 日本 台湾 香港 新加坡 欧洲 俄罗斯 乌克兰 印度 北京 上海 深圳 华盛顿 东京 伦敦
政府 国会 总统 总理 部长 官员 外交部 央行 法院 警方 军队 议员 选举 投票 政策 法律 改革
经济 市场 股市 投资 企业 公司 银行 科技 数据 隐私 监控 网络 平台 算法 芯片 人工智能 能源
疫情 疫苗 病毒 医院 教育 学生 大学 研究 报告 调查 记者 媒体 新闻 舆论 审查 言论 自由 人权
社会 文化 历史 人口 城市 农村 工人 工资 房价 通胀 利率 贸易 关税 出口 进口 供应链 制造业
气候 环境 污染 地震 洪水 台风 干旱 森林 海洋 交通 铁路 航空 汽车 电动车 电池 石油 天然气
美媒 外媒 消息人士 分析人士 专家 学者 发言人 声明 回应 批评 警告 呼吁 承诺 宣布 表示 认为
商议 共享 宝库 国有 民营 监管 罚款 调查 起诉 判决 上诉 抗议 示威 冲突 谈判 协议 合作 竞争
增长 下降 上涨 下跌 创新高 创新低 预计 预测 可能 或将 首次 再度 持续 全面 重大 紧急 最新
为什么 如何 是否 什么 怎样 背后 真相 内幕 独家 深度 解读 观察 评论 专访 特写 回顾 展望
我们 他们 人们 年轻人 老人 家庭 孩子 父母 朋友 社区 邻居 居民 消费者 用户 员工 老板 创业者
今年 去年 明年 本周 上周 近日 日前 周一 周二 周三 周四 周五 周末 上午 下午 晚上 凌晨 季度
蚂蚁集团 腾讯 阿里巴巴 华为 字节跳动 苹果 谷歌 微软 亚马逊 特斯拉 脸书 推特 微信 抖音
的 了 在 是 和 与 对 将 把 被 从 向 为 但 而 也 都 又 还 就 才 已经 正在 不会 没有 可以
""".split()
CJK_PUNCT = [
    "，",
    "，",
    "，",
    "、",
    "：",
    "；",
    "。",
    "？",
    "！",
    "（",
    "）",
    "「",
    "」",
    "《",
    "》",
]
EN_WORDS = """
the of and to in for on with by from data privacy security network policy market economy
China US Taiwan Hong Kong Beijing report analysis update breaking exclusive interview video
AI chip cloud app iPhone Android Google Apple Tesla Huawei TikTok WeChat COVID GDP CEO NBA
government election court police protest trade tariff energy climate vaccine bank stock
""".split()
EMOJI = ["🔥", "📢", "⚡", "🎉", "✅", "📈", "🇨🇳", "😂", "🌏", "💡"]

# About 30 sources: (author, host, url path template, tag).
SOURCES = [
    ("联合早报", "www.zaobao.com", "/realtime/china/story{d}-{n}", "联合早报"),
    ("联合早报", "www.zaobao.com", "/realtime/world/story{d}-{n}", "联合早报"),
    ("BBC中文", "www.bbc.com", "/zhongwen/simp/world-{n}", "BBC"),
    ("纽约时报中文网", "cn.nytimes.com", "/china/{d}/{slug}/", "NYT"),
    ("德国之声", "www.dw.com", "/zh/{slug}/a-{n}", "DW"),
    ("美国之音", "www.voachinese.com", "/a/{slug}-{d}/{n}.html", "VOA"),
    ("自由亚洲电台", "www.rfa.org", "/mandarin/yataibaodao/{slug}-{d}.html", "RFA"),
    ("端传媒", "theinitium.com", "/article/{d}-{slug}/", "端传媒"),
    ("iYouPort", "www.iyouport.org", "/{slug}/", "iYouPort"),
    ("Nei.st", "nei.st", "/post/{n}", "Nei.st"),
    ("Huli", "huli.example.org", "/{d}/{slug}.html", "Huli"),
    ("學界野武士", "medium.com", "/@samurai/{slug}-{n}", "medium"),
    ("SparkTake", "medium.com", "/@sparktake2016/{slug}-{n}", "medium"),
    ("李飛步", "matters.news", "/@lifeibu/{slug}-{n}", "matters"),
    ("島民", "matters.news", "/@islander/{slug}-{n}", "matters"),
    ("财新网", "www.caixin.com", "/{d}/{n}.html", "财新"),
    ("澎湃新闻", "www.thepaper.cn", "/newsDetail_forward_{n}", "澎湃"),
    ("界面新闻", "www.jiemian.com", "/article/{n}.html", "界面"),
    ("南华早报", "www.scmp.com", "/news/china/article/{n}/{slug}", "SCMP"),
    ("路透中文", "cn.reuters.com", "/article/{slug}-idCNKCS{n}", "Reuters"),
    ("法广", "www.rfi.fr", "/cn/中国/{d}-{slug}", "RFI"),
    ("中央社", "www.cna.com.tw", "/news/aopl/{d}{n}.aspx", "中央社"),
    ("明报", "news.mingpao.com", "/ins/{slug}/article/{d}/s00004/{n}", "明报"),
    ("立场新闻", "www.thestandnews.com", "/politics/{slug}", "立场"),
    ("36氪", "36kr.com", "/p/{n}", "36氪"),
    ("虎嗅", "www.huxiu.com", "/article/{n}.html", "虎嗅"),
    ("少数派", "sspai.com", "/post/{n}", "少数派"),
    ("Anonymous", "telegra.ph", "/{slug}-{d}", "telegraph"),
    ("張潔平", "www.patreon.com", "/posts/{slug}-{n}", "patreon"),
    ("卿子衿", "www.douban.com", "/note/{n}/", "豆瓣"),
]
# Some sources publish far more than others.
SOURCE_CUM_WEIGHTS = list(itertools.accumulate(1 / (i + 1) ** 0.8 for i in range(len(SOURCES))))
SECTIONS = ["国际", "中国", "财经", "科技", "评论", "社会", "文化", "体育", "健康", "观点"]

START = datetime(2014, 1, 1, tzinfo=UTC)
SPAN_SECONDS = 10 * 365 * 86400  # ~10 years

# Body size (bytes of HTML): log-normal with median 20 KB and 99th percentile 150 KB.
SIZE_MEDIAN = 20_000
SIZE_SIGMA = math.log(150_000 / SIZE_MEDIAN) / 2.326
SIZE_CAP = 400_000
HUGE_SIZE = 700_000
# Rare variants sit at fixed positions so that even small corpora hold them.
HUGE_EVERY, HUGE_AT = 10_000, 997  # ~0.01% of posts are ~700 KB (one once count >= 1000)
BAD_YAML_EVERY, BAD_YAML_AT = 200, 5  # ~0.5%: title with a stray backslash
NO_FRONT_EVERY, NO_FRONT_AT = 500, 3  # ~0.2%: no front matter


def _words(rng: random.Random, n: int, en_rate: float = 0.05) -> str:
    out = []
    for _ in range(n):
        if rng.random() < en_rate:
            out.append(" " + rng.choice(EN_WORDS) + " ")
        else:
            out.append(rng.choice(CJK_WORDS))
    return "".join(out)


def _sentence(rng: random.Random) -> str:
    parts = [_words(rng, rng.randint(3, 9)) for _ in range(rng.randint(1, 4))]
    return "，".join(parts) + rng.choice("。。。？！")


def _paragraph(rng: random.Random) -> str:
    return "".join(_sentence(rng) for _ in range(rng.randint(2, 8)))


def _link_text(rng: random.Random) -> str:
    return _words(rng, rng.randint(5, 12))


def _chunks(rng: random.Random) -> list[bytes]:
    """Precomputed HTML fragments; bodies are built by sampling these (fast, still varied)."""
    chunks: list[bytes] = []
    for i in range(3000):
        kind = i % 10
        if kind < 7:
            html = f"<p>{_paragraph(rng)}</p>\n"
        elif kind == 7:
            html = (
                f'<figure><img src="https://img.example.com/{rng.getrandbits(48):x}.jpg" '
                f'alt="{_words(rng, 3)}" width="800"><figcaption>{_words(rng, 8)}</figcaption>'
                "</figure>\n"
            )
        elif kind == 8:
            html = f"<h2>{_words(rng, rng.randint(4, 10))}</h2>\n<p>{_paragraph(rng)}</p>\n"
        else:
            html = (
                f"<blockquote><p>{_sentence(rng)}</p></blockquote>\n"
                f'<p>{_sentence(rng)}<a href="https://example.com/{rng.getrandbits(32):x}">'
                f"{_link_text(rng)}</a>{_sentence(rng)}</p>\n"
            )
        chunks.append(html.encode())
    return chunks


def make_title(rng: random.Random) -> str:
    target = rng.randint(20, 60)
    parts: list[str] = []
    n = 0
    while n < target:
        r = rng.random()
        if r < 0.08:
            w = rng.choice(EN_WORDS)
            parts.append(" " + w + " ")
        elif r < 0.12:
            w = str(rng.randint(2, 2024))
            parts.append(w)
        elif r < 0.20:
            w = rng.choice(CJK_PUNCT[:3] + ["：", "？"])
            parts.append(w)
        else:
            w = rng.choice(CJK_WORDS)
            parts.append(w)
        n += len(w)
    title = "".join(parts).strip()
    title = re.sub(r"\s+", " ", title)
    if rng.random() < 0.03:
        title = rng.choice(EMOJI) + title
    return title


_SLUG_BAD = re.compile(r'[\s/\\:*?"<>|#%]+')


def _slug(title: str, n: int) -> str:
    slug = _SLUG_BAD.sub("-", title[:30]).strip("-")
    return slug or f"post-{n}"


def make_url(rng: random.Random, source: tuple[str, str, str, str], when: datetime, n: int) -> str:
    _, host, template, _ = source
    slug = f"{rng.choice(EN_WORDS).lower()}-{rng.choice(EN_WORDS).lower()}-{rng.getrandbits(20):x}"
    path = template.format(d=when.strftime("%Y%m%d"), n=1_000_000 + n * 7, slug=slug)
    return f"https://{host}{path}"


def _date_text(rng: random.Random, when: datetime) -> tuple[str, datetime]:
    """The front-matter date in one of the formats real archives use, and its local wall time."""
    r = rng.random()
    if r < 0.02:
        return when.strftime("%Y-%m-%d"), when
    if r < 0.05:
        local = when.astimezone(timezone(timedelta(hours=2)))
        return local.strftime("%Y-%m-%dT%H:%M:%S+02:00"), local
    if r < 0.08:
        return when.strftime("%Y-%m-%dT%H:%M:%SZ"), when
    if r < 0.35:
        local = when.astimezone(timezone(timedelta(hours=8)))
        return local.strftime("%Y-%m-%dT%H:%M:%S+08:00"), local
    if r < 0.45:
        return when.strftime("%Y-%m-%dT%H:%M:%S+00:00"), when
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z", when


def _body_size(rng: random.Random, n: int) -> int:
    if n % HUGE_EVERY == HUGE_AT:
        return HUGE_SIZE + rng.randint(-20_000, 20_000)
    return min(SIZE_CAP, int(rng.lognormvariate(math.log(SIZE_MEDIAN), SIZE_SIGMA)))


def _fill(rng: random.Random, chunks: list[bytes], size: int) -> bytes:
    # Sample in batches; a fragment averages ~600 bytes.
    out: list[bytes] = []
    n = 0
    while n < size:
        batch = rng.choices(chunks, k=max(1, (size - n) // 700 + 1))
        for c in batch:
            out.append(c)
            n += len(c)
            if n >= size:
                break
    return b"".join(out)


def _seed_body(
    rng: random.Random, chunks: list[bytes], title: str, url: str, when: datetime, size: int
) -> bytes:
    crawled = int(when.timestamp() * 1000) + rng.randint(0, 3_600_000)
    head = f"<!--{crawled}-->\n[{title}]({url})\n------\n\n<div>".encode()
    mid = _fill(rng, chunks, max(0, size - 600))
    cut = min(len(mid), 1 + mid.find(b"\n", len(mid) // 3))
    ad = b'<section id="imu"><div id="dfp-ad-imu1"></div></section>\n'
    tail = (
        f'<a href="https://subscribe.example.com/?utm_source=site&amp;id={rng.getrandbits(24)}">'
        f'<img src="https://img.example.com/subscribe-{rng.randint(1, 9)}.png" '
        'alt="subscribe" width="640"></a></div>\n'
    ).encode()
    return head + mid[:cut] + ad + mid[cut:] + tail


_PAGE_SCRIPT = (
    b"<script>window.dataLayer=window.dataLayer||[];function gtag(){dataLayer.push(arguments)}"
    b"gtag('js',new Date());gtag('config','UA-000000-1');"
    b"(function(){var s=document.createElement('script');s.async=true;"
    b"s.src='https://cdn.example.com/analytics.js';document.head.appendChild(s)})();</script>\n"
)
_PAGE_STYLE = (
    b"<style>body{margin:0;font-family:'PingFang SC','Noto Sans CJK SC',sans-serif}"
    b".nav a{padding:0 8px;color:#333}.share-bar{display:flex;gap:4px}"
    b".related li{list-style:none}footer{font-size:12px;color:#888}</style>\n"
)


def _page_body(
    rng: random.Random,
    chunks: list[bytes],
    title: str,
    source: tuple[str, str, str, str],
    size: int,
) -> bytes:
    author, host, _, _ = source
    nav = "".join(f'<a href="https://{host}/{s}">{s}</a>' for s in rng.sample(SECTIONS, 6))
    related = "".join(
        f'<li><a href="https://{host}/r/{rng.getrandbits(32):x}">{_link_text(rng)}</a></li>'
        for _ in range(rng.randint(3, 8))
    )
    head = (
        f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title} - {author}</title>\n"
    ).encode()
    top = (
        f'</head>\n<body>\n<nav class="nav">{nav}</nav>\n'
        f'<header class="site-header"><a href="https://{host}/">{author}</a></header>\n'
        f'<article>\n<h1 class="entry-title">{title}</h1>\n'
        f'<div class="entry-meta"><span class="byline">{author}</span></div>\n'
        '<div class="entry-content">\n'
    ).encode()
    bottom = (
        "</div>\n</article>\n"
        '<div class="share-bar"><a href="https://twitter.com/share">Twitter</a>'
        '<a href="https://www.facebook.com/sharer.php">Facebook</a>'
        '<a href="https://t.me/share">Telegram</a><a href="#">微信</a></div>\n'
        f'<aside class="related"><h3>相关文章</h3><ul>{related}</ul></aside>\n'
        f"<footer><p>© {author} 版权所有 All rights reserved.</p></footer>\n"
    ).encode()
    fixed = len(head) + len(top) + len(bottom) + 2 * len(_PAGE_SCRIPT) + len(_PAGE_STYLE) + 20
    mid = _fill(rng, chunks, max(0, size - fixed))
    return (
        head
        + _PAGE_SCRIPT
        + _PAGE_STYLE
        + top
        + mid
        + bottom
        + _PAGE_SCRIPT
        + b"</body>\n</html>\n"
    )


def _yaml_str(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _front_matter(
    rng: random.Random,
    n: int,
    title: str,
    date_text: str,
    source: tuple[str, str, str, str],
    url: str,
) -> bytes:
    """Jekyll front matter as the archives write it; ~0.2% of posts have none, ~0.5% a title
    YAML cannot parse."""
    if n % NO_FRONT_EVERY == NO_FRONT_AT:
        return b""
    title_yaml = _yaml_str(title)
    if n % BAD_YAML_EVERY == BAD_YAML_AT:
        # A stray backslash: an unknown escape in a double-quoted YAML string fails to parse.
        cut = len(title_yaml) // 2
        title_yaml = title_yaml[:cut] + "\\" + rng.choice("qkz") + title_yaml[cut:]
    author, _, _, tag = source
    tags = [tag] + ([rng.choice(SECTIONS)] if rng.random() < 0.3 else [])
    lines = [
        "---",
        "layout: post",
        f"title: {title_yaml}",
        f"date: {date_text}",
        f"author: {author}",
        f"from: {url}",
        f"tags: [ {', '.join(tags)} ]",
        f"categories: [ {tag} ]",
    ]
    if rng.random() < 0.03:
        lines.append("comments: True")
    lines.append("---\n")
    return "\n".join(lines).encode()


def generate(
    out: Path, count: int, seed: int = 0, twins: float = 0.0, traditional: float = 0.0
) -> None:
    """Write `count` posts under out/YYYY/MM/YYYY-MM-DD-slug.md; identical output for a seed.

    twins: the share of posts that are another copy of an earlier post's url (with a trailing
    slash, a tracking parameter or a #fragment added, a new title and date), half of them under
    out/archived/YYYY-MM-DD/ as real archives keep them; a tenth of those copy the first url,
    so one url is shared by many files. 0 leaves the corpus as it was.

    traditional: the share of posts written in Traditional Chinese (title and body converted by
    OpenCC, as Hong Kong and Taiwan sources write them): each post number n with n % 100 below
    traditional * 100. 0 leaves the corpus as it was.
    """
    rng = random.Random(seed)
    twin_rng = random.Random(f"twins-{seed}")  # its own sequence: twins=0 changes nothing
    urls: list[str] = []
    chunks = _chunks(random.Random(f"chunks-{seed}"))
    if traditional:
        from tui.chinese import convert

        chunks_t = [convert(chunk.decode(), "s2t").encode() for chunk in chunks]
    out = Path(out)
    made_dirs: set[Path] = set()
    used: set[str] = set()
    for n in range(count):
        source = rng.choices(SOURCES, cum_weights=SOURCE_CUM_WEIGHTS)[0]
        when = START + timedelta(
            seconds=rng.randrange(SPAN_SECONDS), milliseconds=rng.randrange(1000)
        )
        date_text, local = _date_text(rng, when)
        title = make_title(rng)
        url = make_url(rng, source, when, n)
        archived = False
        if twins and urls and twin_rng.random() < twins:
            base = urls[0] if twin_rng.random() < 0.1 else twin_rng.choice(urls)
            url = base + twin_rng.choice(["", "/", "?utm_source=rss&utm_medium=feed", "#top"])
            archived = twin_rng.random() < 0.5
        elif twins:
            urls.append(url)
        size = _body_size(rng, n)
        script = chunks
        if n % 100 < round(traditional * 100):
            title, script = convert(title, "s2t"), chunks_t
        if rng.random() < 0.6:
            body = _seed_body(rng, script, title, url, when, size)
        else:
            body = _page_body(rng, script, title, source, size)

        front = _front_matter(rng, n, title, date_text, source, url)

        folder = out / f"{local.year:04d}" / f"{local.month:02d}"
        if archived:
            folder = out / "archived" / f"{local:%Y-%m-%d}"
        if folder not in made_dirs:
            folder.mkdir(parents=True, exist_ok=True)
            made_dirs.add(folder)
        name = f"{local:%Y-%m-%d}-{_slug(title, n)}"
        if name in used:
            name = f"{name}-{n}"
        used.add(name)
        with open(folder / f"{name}.md", "wb") as f:
            f.write(front + body)


# --- archives of a million posts ----------------------------------------------------------------
#
# Shaped like the archives people mirror (issue 19): seed-format posts (front matter, then the
# crawl header and the scraped HTML), median ~4 KB, originals under _posts/YYYY/MM/ and copies
# and older saves under archived/YYYY-MM-DD/, a tenth of the files another copy of an earlier
# post's url. Every post is a pure function of (seed, n), so any number of processes write the
# same corpus, and a post's twin can recompute the url it copies.

ARCHIVE_MEDIAN = 4_000  # bytes of body; p99 ~40 KB
ARCHIVE_SIGMA = math.log(40_000 / ARCHIVE_MEDIAN) / 2.326
ARCHIVE_HUGE_EVERY, ARCHIVE_HUGE_AT = 100_000, 4_997  # ~700 KB: one once count > 5,000
ARCHIVE_TWINS = 0.1  # files that copy an earlier post's url (the same story)
ARCHIVE_SHARED = 0.01  # of those, copies of post 0's url: one story kept in many files
ARCHIVE_ARCHIVED = 0.2  # originals kept under archived/YYYY-MM-DD/ too
ARCHIVE_PAGES = 0.15  # full-page scrapes; the rest are seed bodies
CHUNK_POSTS = 5_000  # posts per task of the process pool

_archive_chunks: dict[int, list[bytes]] = {}
_MASK = (1 << 64) - 1
# Title tokens, weighted as _title draws them: mostly CJK words, some Latin words, numbers and
# punctuation (a few hundred thousand draws per second with one choices() call per title).
_TITLE_TOKENS = (
    CJK_WORDS * 8
    + [f" {w} " for w in EN_WORDS] * 1
    + [str(y) for y in range(2000, 2025)]
    + ["，", "，", "：", "？", "、"] * 6
)


def _mix(seed: int, n: int, what: int) -> int:
    """splitmix64 of (seed, n, what): a cheap, well-spread number for the decisions below."""
    z = (seed * 0x9E3779B97F4A7C15 + n * 0xBF58476D1CE4E5B9 + what * 0x94D049BB133111EB) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def _has_url(n: int) -> bool:
    return n % NO_FRONT_EVERY != NO_FRONT_AT  # see _front_matter


def _is_twin(seed: int, n: int) -> bool:
    return n > 0 and _has_url(n) and _mix(seed, n, 1) < ARCHIVE_TWINS * 2**64


def _archive_base(seed: int, n: int) -> int:
    """The original post whose url post n carries (n itself when it is not a twin). Posts
    without front matter have no url, so they are neither: the stories are the files less the
    twins, exactly."""
    while _is_twin(seed, n):
        pick = _mix(seed, n, 2)
        n = 0 if pick < ARCHIVE_SHARED * 2**64 else pick % n
        n -= not _has_url(n)
    return n


def _archive_title(rng: random.Random) -> str:
    title = "".join(rng.choices(_TITLE_TOKENS, k=rng.randint(8, 24))).strip()
    title = re.sub(r"\s+", " ", title)
    return rng.choice(EMOJI) + title if rng.random() < 0.03 else title


def _archive_head(
    seed: int, n: int
) -> tuple[random.Random, tuple[str, str, str, str], datetime, str]:
    """Post n's generator (past its source, date and url), source, date and own url."""
    rng = random.Random(_mix(seed, n, 0))
    source = rng.choices(SOURCES, cum_weights=SOURCE_CUM_WEIGHTS)[0]
    when = START + timedelta(seconds=rng.randrange(SPAN_SECONDS), milliseconds=rng.randrange(1000))
    _, host, template, _ = source
    words = f"{rng.choice(EN_WORDS).lower()}-{rng.choice(EN_WORDS).lower()}-{n:x}"
    path = template.format(d=when.strftime("%Y%m%d"), n=1_000_000 + n * 7, slug=words)
    return rng, source, when, f"https://{host}{path}"


def archive_post(seed: int, n: int) -> tuple[str, bytes]:
    """Post n of the archive for a seed: its path under the corpus and its bytes."""
    chunks = _archive_chunks.get(seed)
    if chunks is None:
        chunks = _archive_chunks[seed] = _chunks(random.Random(f"chunks-{seed}"))
    rng, source, when, url = _archive_head(seed, n)
    date_text, local = _date_text(rng, when)
    title = _archive_title(rng)
    archived = rng.random() < ARCHIVE_ARCHIVED
    base = _archive_base(seed, n)
    if base != n:
        extra = random.Random(_mix(seed, n, 3))
        url = _archive_head(seed, base)[3] + extra.choice(
            ["", "/", "?utm_source=rss&utm_medium=feed", "#top"]
        )
        archived = extra.random() < 0.7
    if n % ARCHIVE_HUGE_EVERY == ARCHIVE_HUGE_AT:
        size = HUGE_SIZE + rng.randint(-20_000, 20_000)
    else:
        size = min(SIZE_CAP, int(rng.lognormvariate(math.log(ARCHIVE_MEDIAN), ARCHIVE_SIGMA)))
    if rng.random() < ARCHIVE_PAGES:
        body = _page_body(rng, chunks, title, source, size)
    else:
        body = _seed_body(rng, chunks, title, url, when, size)
    front = _front_matter(rng, n, title, date_text, source, url)
    slug = _slug(title, n)[:24].rstrip("-")
    if archived:
        rel = f"archived/{local:%Y-%m-%d}/{slug}-{n:x}.md"
    else:
        rel = f"_posts/{local.year:04d}/{local.month:02d}/{local:%Y-%m-%d}-{slug}-{n:x}.md"
    return rel, front + body


def _write_archive_chunk(task: tuple[Path, int, int, int]) -> tuple[int, int]:
    """Write posts start..end-1; (twins written, bytes written)."""
    out, seed, start, end = task
    made: set[str] = set()
    twins = size = 0
    for n in range(start, end):
        rel, data = archive_post(seed, n)
        folder, _, _ = rel.rpartition("/")
        if folder not in made:
            (out / folder).mkdir(parents=True, exist_ok=True)
            made.add(folder)
        with open(out / rel, "wb") as f:
            f.write(data)
        twins += _is_twin(seed, n)
        size += len(data)
    return twins, size


def generate_archive(
    out: Path, count: int, seed: int = 0, jobs: int | None = None
) -> dict[str, int]:
    """Write `count` archive-shaped posts under out (see archive_post), with `jobs` processes
    (default: one per CPU); the same files for a seed whatever the number of processes.
    Returns the count, the stories (files less twins) and the bytes written."""
    import multiprocessing

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tasks = [(out, seed, a, min(count, a + CHUNK_POSTS)) for a in range(0, count, CHUNK_POSTS)]
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    if jobs == 1:
        results = [_write_archive_chunk(task) for task in tasks]
    else:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_write_archive_chunk, tasks, chunksize=1)
    twins = sum(r[0] for r in results)
    return {"count": count, "stories": count - twins, "bytes": sum(r[1] for r in results)}


# --- RSS -------------------------------------------------------------------------------------

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_MD_LINK = re.compile(r"^\[(.*)\]\((\S+)\)\s*$", re.M)
_HTML_TITLE = re.compile(r"<title>(.*?)</title>", re.S)


def _split(text: str) -> tuple[dict[str, str], str]:
    """Simple front-matter split: `key: value` lines between two `---` lines."""
    if not text.startswith("---\n"):
        return {}, text
    end = text.find("\n---\n", 3)
    if end < 0:
        return {}, text
    meta = {}
    for line in text[4:end].splitlines():
        key, sep, value = line.partition(":")
        if sep:
            meta[key.strip()] = value.strip()
    return meta, text[end + 5 :]


def _parse_date(text: str) -> datetime | None:
    try:
        d = datetime.fromisoformat(text)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def _x(s: str) -> str:
    return escape(_XML_BAD.sub("", s))


def to_rss(corpus: Path, rss: Path) -> None:
    """Write every post under `corpus` as one RSS 2.0 file (newest first) for newsboat."""
    corpus, items = Path(corpus), []
    for path in sorted(corpus.rglob("*.md")):
        text = path.read_text("utf-8", errors="replace")
        meta, body = _split(text)
        title = meta.get("title", "")
        if len(title) >= 2 and title[0] == title[-1] == '"':
            title = title[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        url = meta.get("from", "")
        if not title:
            m = _MD_LINK.search(body) or _HTML_TITLE.search(body)
            title = m.group(1) if m else path.stem
            if m and m.re is _MD_LINK and not url:
                url = m.group(2)
        date = _parse_date(meta.get("date", ""))
        # Bodies are read again when writing: 100,000 of them do not belong in memory.
        items.append((date.timestamp() if date else 0.0, path, title, url, date, meta))
    items.sort(key=lambda item: item[0], reverse=True)
    with open(rss, "w", encoding="utf-8") as f:
        f.write('<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0">\n<channel>\n')
        f.write("<title>newstui bench corpus</title>\n<link>https://example.com/</link>\n")
        f.write(f"<description>{_x(str(corpus))}</description>\n")
        for _, path, title, url, date, meta in items:
            body = _split(path.read_text("utf-8", errors="replace"))[1]
            f.write("<item>\n")
            f.write(f"<title>{_x(title)}</title>\n")
            if url:
                f.write(f"<link>{_x(url)}</link>\n")
            if date:
                f.write(f"<pubDate>{format_datetime(date)}</pubDate>\n")
            if meta.get("author"):
                f.write(f"<author>{_x(meta['author'])}</author>\n")
            guid = url or path.relative_to(corpus).as_posix()
            f.write(f'<guid isPermaLink="false">{_x(guid)}</guid>\n')
            f.write(f"<description>{_x(body)}</description>\n</item>\n")
        f.write("</channel>\n</rss>\n")


def write_stamp(out: Path, stamp: dict[str, object]) -> Path:
    """The corpus's description beside it (OUT.json): what bench/run.py checks before reusing it."""
    path = Path(out).with_name(Path(out).name + ".json")
    path.write_text(json.dumps(stamp, indent=1) + "\n", encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("out", type=Path, help="folder to write the posts into")
    p.add_argument("--count", type=int, required=True)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument(
        "--shape",
        choices=["pages", "archive"],
        default="pages",
        help="pages: YYYY/MM/, HTML median 20 KB (default); archive: seed-format posts of median"
        " 4 KB under _posts/ and archived/YYYY-MM-DD/ with shared urls, written by --jobs processes",
    )
    p.add_argument("--jobs", type=int, help="archive: processes (default: one per CPU)")
    p.add_argument("--rss", type=Path, help="also write the corpus as one RSS 2.0 file")
    p.add_argument(
        "--twins", type=float, default=0.0, help="pages: share of posts that copy an earlier url"
    )
    p.add_argument(
        "--traditional",
        type=float,
        default=0.0,
        help="pages: share of posts in Traditional Chinese (0 to 1; default 0)",
    )
    args = p.parse_args(argv)
    t0 = time.perf_counter()
    if args.shape == "archive":
        stamp: dict[str, object] = {"shape": "archive", "seed": args.seed}
        stamp.update(generate_archive(args.out, args.count, args.seed, args.jobs))
        stamp["generated_s"] = round(time.perf_counter() - t0, 1)
        print(f"wrote {write_stamp(args.out, stamp)}", file=sys.stderr)
    else:
        generate(args.out, args.count, args.seed, args.twins, args.traditional)
    t1 = time.perf_counter()
    print(f"generated {args.count} posts in {args.out} in {t1 - t0:.1f} s", file=sys.stderr)
    if args.rss:
        to_rss(args.out, args.rss)
        print(f"wrote {args.rss} in {time.perf_counter() - t1:.1f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
