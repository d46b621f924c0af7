"""Stories: which urls are the same story, grouping files newest first, and the query engine over stories."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.model import Post
from tui.query import QueryEngine, parse
from tui.state import DEFAULT_STATE
from tui.stories import _normalised, canonical_id, group, normalise_url, story_key


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/news/1",
        "HTTPS://Example.COM/news/1",
        "https://example.com/news/1/",
        "https://example.com:443/news/1",
        "https://example.com/news/1#comments",
        "https://example.com/news/1?utm_source=rss&utm_medium=feed",
        "https://example.com/news/1?fbclid=IwAR0abc",
        "https://example.com/news/1?UTM_Campaign=x&gclid=1#top",
    ],
)
def test_what_does_not_change_the_page_is_the_same_story(url: str) -> None:
    assert normalise_url(url) == "https://example.com/news/1"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/news/1", "http://example.com/news/1"),  # another scheme
        ("https://example.com/news/1", "https://www.example.com/news/1"),  # another host
        ("https://example.com/News/1", "https://example.com/news/1"),  # paths keep their case
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),  # real parameters count
        ("https://example.com/a?id=1&p=2", "https://example.com/a?p=2&id=1"),  # and their order
        ("https://example.com:8080/a", "https://example.com/a"),
    ],
)
def test_what_changes_the_page_is_another_story(a: str, b: str) -> None:
    assert normalise_url(a) != normalise_url(b)


def test_other_parameters_stay_in_order_and_escapes_compare_in_upper_case() -> None:
    assert normalise_url("https://x.org/p?b=2&utm_term=z&a=1&fbclid=q") == "https://x.org/p?b=2&a=1"
    assert normalise_url("https://x.org/%e4%b8%ad/") == normalise_url("https://x.org/%E4%B8%AD")
    assert normalise_url("https://x.org/") == normalise_url("https://X.org")


_URL_PARTS = st.sampled_from(
    [
        "https",
        "HTTP",
        "h-t",
        "://",
        "/",
        "a",
        "B",
        "é",
        "中",
        ".",
        ":",
        "80",
        ":443",
        "@",
        "[",
        "]",
        "?",
        "#",
        "%",
        "%e4",
        "&",
        "=",
        "utm_x",
        " ",
        "\t",
        "\n",
        "\x00",
        "xn--",
        "İ",
    ]
)


@given(st.lists(_URL_PARTS, max_size=12).map("".join))
def test_the_quick_check_gives_what_the_long_way_gives(url: str) -> None:
    # normalise_url keeps most urls as they are without urlsplit (see _normal): never otherwise.
    assert normalise_url(url) == (_normalised(url) if "://" in url else url)


def test_urls_already_normal_are_kept_and_the_rest_normalised() -> None:
    for url in (
        "https://www.zaobao.com.sg/news/china/story2021-1",
        "http://a.b/中文/x",
        "https://h",
    ):
        assert normalise_url(url) is url
    for url in ("https://a.com:443/x", "HTTPS://a.com/x", "https://A.com/x", "https://a.com/x/"):
        assert normalise_url(url) == _normalised(url) != url


def test_text_that_is_not_a_url_with_a_scheme_is_kept_as_written() -> None:
    for text in ("www.example.com/a/", "联合早报", "", "https://[broken/"):
        assert normalise_url(text) == text


def test_a_file_without_url_is_its_own_story_and_old_ids_map_to_story_keys() -> None:
    assert story_key("", "_posts/2021-01-01-a.md") == "_posts/2021-01-01-a.md"
    assert story_key("https://A.com/x/", "p.md") == "https://a.com/x"
    # A state export from before stories: raw urls become story keys, paths stay paths.
    assert canonical_id("https://A.com/x/?utm_source=t") == "https://a.com/x"
    assert canonical_id("archived/2021-12-30/a b#c.md") == "archived/2021-12-30/a b#c.md"


def _post(path: str, url: str, title: str, day: int, **more) -> Post:
    return Post(
        id=story_key(url, path),
        path=path,
        title=title,
        date=datetime(2021, 12, day, tzinfo=UTC),
        url=url,
        **more,
    )


# Newest first, as the repository keeps them.
FILES = [
    _post(
        "_posts/2021-12-31-video.md", "https://youtu.be/v?utm_source=x", "Video, third title", 31
    ),
    _post("_posts/2021-12-30-essay.md", "https://essay.org/a/", "The essay", 30, author="Ann"),
    _post("archived/2021-12-30/essay.md", "https://essay.org/a", "The essay (archived)", 30),
    _post("_posts/2021-12-29-lone.md", "", "A lone post", 29, tags=("misc",)),
    _post("_posts/2021-12-28-video.md", "https://YOUTU.BE/v", "Video, second title", 28),
    _post("archived/2021-12-27/video.md", "https://youtu.be/v#t=3", "Video, first", 27),
]


def test_group_keeps_one_row_per_story_newest_copy_first() -> None:
    stories = group(FILES)
    assert [post.title for post in stories.rows] == [
        "Video, third title",
        "The essay",
        "A lone post",
    ]
    video, essay, lone = stories.rows
    assert [p.path for p in stories.of(video)] == [
        "_posts/2021-12-31-video.md",
        "_posts/2021-12-28-video.md",
        "archived/2021-12-27/video.md",
    ]
    assert stories.count(essay) == 2 and stories.of(lone) == [lone] and stories.count(lone) == 1
    # Every file is in exactly one story.
    every = [p.path for row in stories.rows for p in stories.of(row)]
    assert sorted(every) == sorted(p.path for p in FILES)


def test_group_without_copies_is_the_list_itself() -> None:
    lone = [FILES[3]]
    stories = group(lone)
    assert stories.rows is lone and stories.copies == {}


def _engine() -> tuple[QueryEngine, list[Post]]:
    stories = group(FILES)
    return QueryEngine(stories.rows, copies=stories.copies), list(stories.rows)


def _titles(query: str, **options) -> list[str]:
    engine, rows = _engine()
    found = engine.filter(parse(query), state=lambda _id: DEFAULT_STATE, **options)
    return [rows[i].title for i in found]


def test_a_story_matches_when_any_copy_does() -> None:
    assert _titles("first") == ["Video, third title"]  # the oldest copy's title
    assert _titles("path:archived/") == ["Video, third title", "The essay"]
    assert _titles("-path:archived/") == ["A lone post"]
    assert _titles("title:archived") == ["The essay"]
    assert _titles("on:2021-12-27") == []  # a story's date is its newest copy's
    assert _titles("tag:misc OR author:ann") == ["The essay", "A lone post"]


def test_copies_that_agree_keep_one_shared_text() -> None:
    engine, rows = _engine()
    video = rows.index(next(p for p in rows if p.title.startswith("Video")))
    # The three video copies share author, source and tags: the column's one text, not a join.
    meta = engine.haystack("meta")
    assert "\x1f\x1f" not in meta[video] and meta[video].count("youtu.be") == 1
    # Their titles differ: each one is searched.
    assert engine.haystack("title")[video].count("video") == 3


@pytest.mark.parametrize("value", ["archived", "video", "2021-12-3", "essay", "_posts/", "zz"])
def test_a_path_term_tests_every_file_of_a_story(value: str) -> None:
    stories = group(FILES)

    def has(row: Post) -> bool:
        return any(value in copy.path.lower() for copy in stories.of(row))

    rows = list(stories.rows)
    assert _titles(f"path:{value}") == [r.title for r in rows if has(r)]
    assert _titles(f"-path:{value}") == [r.title for r in rows if not has(r)]
    within = [r.title for r in rows if has(r) and "video" in r.title.lower()]
    assert _titles(f"video path:{value}") == within


def test_body_search_finds_a_story_by_any_copy() -> None:
    def body_search(text: str) -> set[str]:
        return {"archived/2021-12-27/video.md"} if text == "rare" else set()

    assert _titles("body:rare", body_search=body_search) == ["Video, third title"]
    engine, _rows = _engine()
    assert engine.by_path["archived/2021-12-27/video.md"] == 0


def test_state_and_labels_of_a_story_reach_its_rows_and_every_file_over_files() -> None:
    key = story_key("https://essay.org/a", "")
    states = {key: DEFAULT_STATE.__class__(archived=True, labels=frozenset({"keep"}))}

    def state(post_id: str):
        return states.get(post_id, DEFAULT_STATE)

    engine, rows = _engine()
    shown = engine.filter(parse(""), state=state, states=states)
    assert [rows[i].title for i in shown] == ["Video, third title", "A lone post"]
    # Over files (newstui list without --stories) both copies carry the story's state.
    files = QueryEngine(FILES)
    for options in ({"states": states}, {}):
        assert len(files.filter(parse(""), state=state, **options)) == 4
        found = files.filter(parse("label:keep"), state=state, hide_archived=False, **options)
        assert [FILES[i].path for i in found] == [
            "_posts/2021-12-30-essay.md",
            "archived/2021-12-30/essay.md",
        ]


# ----- state kept per story ----------------------------------------------------------------


def test_an_export_from_before_stories_imports_under_story_keys(tmp_path) -> None:
    import json

    from tui.state import StateStore

    export = tmp_path / "old.json"
    posts = {
        # Two raw urls of one story: the newer entry's flags win, labels are unioned.
        "https://essay.org/a/": {
            "read": True,
            "archived": True,
            "labels": ["old"],
            "updated_at": "2021-01-01T00:00:00Z",
        },
        "https://essay.org/a?utm_source=rss": {
            "read": True,
            "archived": False,
            "labels": ["new"],
            "updated_at": "2022-01-01T00:00:00Z",
        },
        "_posts/2021-12-29-lone.md": {"starred": True, "updated_at": "2021-01-01T00:00:00Z"},
    }
    export.write_text(json.dumps({"version": 1, "posts": posts}), encoding="utf-8")
    with StateStore(tmp_path / "state.sqlite") as store:
        assert store.import_json(export) == 2
        essay = store.get(story_key("https://essay.org/a", ""))
        assert essay.read and not essay.archived and essay.labels == {"old", "new"}
        assert store.get("_posts/2021-12-29-lone.md").starred
        assert set(store.snapshot()) == {"https://essay.org/a", "_posts/2021-12-29-lone.md"}


def test_a_state_file_from_before_stories_moves_to_story_keys(tmp_path) -> None:
    import sqlite3

    from tui.state import StateStore

    path = tmp_path / "state.sqlite"
    with StateStore(path):
        pass
    db = sqlite3.connect(path, isolation_level=None)
    db.executemany(
        "INSERT INTO post_state (post_id, read, starred, archived, updated_at, seq)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [
            ("https://essay.org/a/", 1, 0, 1, 100.0, 1),
            ("https://ESSAY.org/a#x", 0, 1, 0, 200.0, 2),  # newer: its flags win
            ("https://youtu.be/v", 1, 0, 0, 50.0, 3),  # already a story key: untouched
            ("p/lone.md", 0, 1, 0, 50.0, 4),
        ],
    )
    db.executemany(
        "INSERT INTO post_label (post_id, label) VALUES (?, ?)",
        [("https://essay.org/a/", "one"), ("https://ESSAY.org/a#x", "two")],
    )
    db.execute("PRAGMA user_version = 1")
    db.close()
    with StateStore(path) as store:
        snapshot = dict(store.snapshot())
        assert set(snapshot) == {"https://essay.org/a", "https://youtu.be/v", "p/lone.md"}
        essay = snapshot["https://essay.org/a"]
        assert not essay.read and essay.starred and not essay.archived
        assert essay.labels == {"one", "two"}
        assert snapshot["https://youtu.be/v"].read and snapshot["p/lone.md"].starred
        # And the store goes on working: a later change to the story is kept.
        store.set_archived(["https://essay.org/a"], True)
    with StateStore(path) as again:
        assert again.get("https://essay.org/a").archived
