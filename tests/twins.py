"""An archive made like a real one with copies: twins across _posts/ and archived/YYYY-MM-DD/, one
url in many files under different titles, tracking parameters, fragments and trailing slashes."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_post

VIDEO = "https://www.youtube.com/watch?v=abc123"
ESSAY = "https://essay.example.org/2021/12/essay"

# (file, title, date, url): newest first. Six files, three stories with copies, two lone posts.
FILES = [
    ("_posts/2021-12-31-video.md", "Video: sixth upload", "2021-12-31T10:00:00Z", VIDEO),
    ("_posts/2021-12-30-essay.md", "Essay on harbours", "2021-12-30T12:00:00Z", ESSAY + "/"),
    ("archived/2021-12-30/essay.md", "Essay on harbours", "2021-12-30T09:00:00Z", ESSAY),
    (
        "_posts/2021-12-29-video.md",
        "Video: fifth title",
        "2021-12-29T10:00:00Z",
        VIDEO + "&utm_source=rss&utm_medium=feed",
    ),
    ("_posts/2021-12-28-lone.md", "Lone market report", "2021-12-28T10:00:00Z", ""),
    ("archived/2021-12-27/video.md", "Video: fourth", "2021-12-27T10:00:00Z", VIDEO + "#t=30"),
    (
        "_posts/2021-12-26-market.md",
        "Market wrap",
        "2021-12-26T10:00:00Z",
        "HTTPS://News.Example.com/market?fbclid=IwAR0",
    ),
    (
        "archived/2021-12-25/market.md",
        "Market wrap (copy)",
        "2021-12-25T10:00:00Z",
        "https://news.example.com/market",
    ),
    ("archived/2021-12-24/video.md", "Video: third", "2021-12-24T10:00:00Z", VIDEO),
    (
        "_posts/2021-12-23-other.md",
        "Other news",
        "2021-12-23T10:00:00Z",
        "https://other.example.com/1",
    ),
    ("archived/2021-12-22/video.md", "Video: second", "2021-12-22T10:00:00Z", VIDEO + "&fbclid=x"),
    ("archived/2021-12-21/video.md", "Video: first", "2021-12-21T10:00:00Z", VIDEO),
]
STORIES = [
    "Video: sixth upload",
    "Essay on harbours",
    "Lone market report",
    "Market wrap",
    "Other news",
]


def write_twins(root: Path) -> Path:
    for rel, title, date, url in FILES:
        extra = {"from": url} if url else {}
        write_post(root, rel, title, date, f"<p>{title}. Body of {rel}.</p>", **extra)
    return root
