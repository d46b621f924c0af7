"""The Post record: its date kept as a timestamp and a shared zone comes back exactly, and the
index cache's packed form restores every post equal to the one stored."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from tui.index.cache import _to_row, _unpack
from tui.model import UNDATED, Post

EIGHT = timezone(timedelta(hours=8))
DATES = [
    datetime(2023, 12, 30, 7, 37, 45, tzinfo=EIGHT),
    datetime(2021, 1, 1, 1, 1, 1, 5, tzinfo=UTC),  # microseconds: exact as a float near now
    datetime(2014, 1, 1, 17, 24, 34, 319000, tzinfo=UTC),
    datetime(1800, 1, 1, 0, 0, 0, 999999, tzinfo=EIGHT),  # and kept whole further away
    datetime(2200, 6, 1, 0, 0, 0, 1, tzinfo=EIGHT),
    datetime(1, 1, 1, tzinfo=EIGHT),  # UTC would be year 0
    datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-8))),
    datetime(1969, 5, 5, tzinfo=timezone(timedelta(hours=5, minutes=30), "IST")),  # named
    datetime(2020, 2, 29, 12, tzinfo=timezone(timedelta(seconds=-3601))),
    None,
]


@pytest.mark.parametrize("date", DATES)
def test_a_date_comes_back_equal_with_its_offset_and_through_the_cache(
    date: datetime | None,
) -> None:
    post = Post("id", "a.md", "Title", date, url="https://a.com/x", extra={"k": "v"})
    assert post.date == date
    if date is None:
        assert post.timestamp == UNDATED
        return
    assert post.date is not None
    assert post.date.isoformat() == date.isoformat()
    assert post.date.tzname() == date.tzname()
    assert post.ts == date.timestamp()
    (back,) = _unpack([_to_row(post, 0, 0)[-1]])  # type: ignore[list-item]
    assert back.date is not None and back.date.isoformat() == date.isoformat()
    assert back.ts == post.ts


def test_microseconds_near_now_survive_the_float_exactly() -> None:
    start = datetime(1835, 1, 1, tzinfo=UTC)
    for step in range(0, 270 * 365 * 86400, 86400 * 997 + 123457):
        date = start + timedelta(seconds=step, microseconds=step % 1_000_000)
        assert Post("a", "a.md", "A", date).date == date


def test_posts_share_their_zone_and_have_no_dict_of_their_own() -> None:
    one = Post("a", "a.md", "A", datetime(2023, 1, 1, tzinfo=timezone(timedelta(hours=8))))
    two = Post("b", "b.md", "B", datetime(2022, 1, 1, tzinfo=timezone(timedelta(hours=8))))
    assert one._when is two._when
    assert not hasattr(one, "__dict__")
    assert one.extra == {} and one.extra is two.extra


def test_the_folded_title_is_the_title_itself_unless_folding_changes_it() -> None:
    plain = Post("a", "a.md", "中国新闻", None)
    assert plain.folded is plain.title
    traditional = Post("b", "b.md", "臺灣 News", None)
    assert traditional.folded == "台湾 news"
    rows = [_to_row(post, 0, 0)[-1] for post in (plain, traditional)]
    restored = _unpack(rows)  # type: ignore[arg-type]
    assert restored == [plain, traditional]
    assert restored[0].folded is restored[0].title


def test_posts_compare_by_value() -> None:
    date = datetime(2023, 1, 1, tzinfo=UTC)
    assert Post("a", "a.md", "A", date, tags=("x",)) == Post("a", "a.md", "A", date, tags=("x",))
    assert Post("a", "a.md", "A", date) != Post("a", "a.md", "A", None)
    assert "title='A'" in repr(Post("a", "a.md", "A", date))


def test_only_a_post_with_extra_keys_or_problems_has_room_for_them() -> None:
    import pickle
    import sys

    plain = Post("a", "a.md", "A", None)
    extra = Post("b", "b.md", "B", None, extra={"comments": "True"})
    noted = Post("c", "c.md", "C", None, "", "", (), (), None, ("title from the file name",))
    assert sys.getsizeof(plain) < sys.getsizeof(extra)  # two slots fewer: 16 bytes a post
    assert (plain.extra, plain.problems) == ({}, ())
    assert extra.extra == {"comments": "True"} and noted.problems == ("title from the file name",)
    assert extra != Post("b", "b.md", "B", None)  # compared by value, whatever the class
    for post in (plain, extra, noted):
        copy = pickle.loads(pickle.dumps(post))
        assert copy == post and type(copy) is type(post)
    rows = [_to_row(post, 0, 0)[-1] for post in (plain, extra, noted)]
    assert _unpack(rows) == [plain, extra, noted]  # type: ignore[arg-type]
