"""Tests for the full-text body index: search equals a brute-force substring check, updates, fallbacks."""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import threading
from pathlib import Path

import pytest

from tui.files import parse_file, scan
from tui.index import fulltext as fulltext_module
from tui.index.fulltext import FullTextIndex, SearchInterrupted, default_db_path, fold, snippet
from tui.render import plain_text

WORDS = (
    "香港 中国 蚂蚁集团 数据 宝库 人工智能 港 的 了 Hello WORLD privacy Privacy ÄÖÜ straße "
    'AND OR NOT NEAR NEAR( * " "quoted" ( ) - + ^ : a"b 100% _x_ \\ ...'
).split()


def write(root: Path, rel: str, title: str, body: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    title = title.replace("\\", "\\\\").replace('"', '\\"')
    path.write_text(f'---\ntitle: "{title}"\ndate: 2021-06-24\n---\n{body}\n', encoding="utf-8")


def posts_of(root: Path) -> dict[str, tuple[int, int]]:
    """path -> (size, mtime_ns) of every post file, as FullTextIndex.update takes them."""
    return {e.rel: (e.size, e.mtime_ns) for e in scan(root).files}


def first(posts: dict[str, tuple[int, int]], count: int) -> dict[str, tuple[int, int]]:
    return dict(list(posts.items())[:count])


def folded_texts(root: Path) -> dict[str, tuple[str, str]]:
    """path -> (title, plain body text), folded, read from the files: no index involved."""
    texts = {}
    for path in posts_of(root):
        parsed = parse_file(root, path)
        texts[path] = (fold(parsed.post.title), fold(plain_text(parsed.body)))
    return texts


def brute(root: Path, term: str) -> set[str]:
    """Paths whose title or plain body text contains term, ignoring case."""
    needle = fold(term)
    return {path for path, texts in folded_texts(root).items() if any(needle in t for t in texts)}


def make_corpus(root: Path, count: int, seed: int = 1) -> list[str]:
    rng = random.Random(seed)
    texts = []
    for i in range(count):
        title = " ".join(rng.choices(WORDS, k=rng.randint(1, 4)))
        words = rng.choices(WORDS, k=rng.randint(0, 30))
        body = "<div><p>" + "".join(w + rng.choice(["", " ", "，", "\n"]) for w in words) + "</p>"
        body += "<script>var hidden = '秘密';</script></div>"
        write(root, f"2021/{i:03d}.md", title, body)
        texts.append(title + " " + " ".join(words))
    return texts


@pytest.fixture
def corpus(tmp_path: Path) -> tuple[Path, list[str]]:
    root = tmp_path / "posts"
    return root, make_corpus(root, 60)


@pytest.fixture
def indexed(corpus: tuple[Path, list[str]], tmp_path: Path) -> tuple[Path, FullTextIndex]:
    """The corpus and a body index of it, up to date."""
    root, _ = corpus
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.update(posts_of(root))
    return root, index


def test_search_equals_brute_force(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, texts = corpus
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    assert index.update(posts_of(root)) == 60
    rng = random.Random(7)
    terms = set(WORDS) | {"", " ", "港", "香", "ab", "x", "é", "秘密", "hidden", "el", "LD P"}
    terms |= {"hello world", 'NEAR("a" "b")', '"香港"', "香港 OR", "privacy*", "data AND"}
    for text in rng.sample(texts, 20):  # random 1..6-character substrings, some across words
        for _ in range(5):
            start = rng.randrange(len(text))
            terms.add(text[start : start + rng.randint(1, 6)])
    for term in sorted(terms):
        assert index.search(term) == brute(root, term), term
    index.close()


def test_every_one_and_two_character_term_equals_brute_force(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    # A term of 1 character is one word of the index, of 2 characters one pair: one doclist.
    root, index = indexed
    texts = folded_texts(root)
    terms = {text[i : i + n] for title, body in texts.values() for text in (title, body)
             for n in (1, 2) for i in range(len(text) - n + 1)}  # fmt: skip
    terms |= {"zq", "港口", "a,", ", ", "é!", "ß1", "q", "é", "!"}
    where = {path: number for number, path in enumerate(sorted(texts))}
    for term in sorted(terms):
        expected = {path for path, (title, body) in texts.items() if term in title or term in body}
        assert index.search(term) == expected, term
        assert set(index.positions(term, where)) == {where[path] for path in expected}, term
    assert index.match_queries("香港") == [("docs", '"香港"')]
    assert index.match_queries("港") == [("docs", '"港"')]
    assert index.match_queries("Ab") == [("docs", '"ab"')]
    assert index.match_queries('a"') == [("docs", '"a"""')]
    assert index.match_queries("人工智能") == [("docs", '"人工 工智 智能"')]


def test_short_and_long_terms_are_found(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    write(root, "a.md", "一", "<p>香港</p>")
    write(root, "b.md", "other", "<p>Xy</p>")
    write(root, "c.md", "other", "<p>ends with 港</p>")
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.update(posts_of(root))
    assert index.search("一") == {"a.md"}  # a one-character title
    assert index.search("香港") == {"a.md"}  # the whole body is two characters
    assert index.search("港") == {"a.md", "c.md"}  # at the very end of the text
    assert index.search("xY") == {"b.md"}
    assert index.search("一香") == set()  # never across title and body
    assert index.search("<p>") == set()  # tags are not text
    assert index.search("") == {"a.md", "b.md", "c.md"}


def test_pairs_never_match_across_the_title_or_stand_in_for_spaces(tmp_path: Path) -> None:
    # The index holds pairs of characters, a space and the title's end as private marks.
    root = tmp_path / "posts"
    write(root, "a.md", "xab", "<p>bab \uffff\ufffe&quot;q, z</p>")  # "abab" only across
    write(root, "b.md", "abab", "<p>a\u00a0b\u3000c\x01d</p>")
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.update(posts_of(root))
    for term in ("abab", "abba", "b b", "a b cd", "\uffff", "\ufffd\ufffd", '"q', '\ufffd"q, z',
                 "b \ufffd", " ", "q,", ", ", "x", "ab\ufffeba"):  # fmt: skip
        assert index.search(term) == brute(root, term), repr(term)
    assert index.search("abab") == {"b.md"}
    assert index.search("a  b cd") == {"b.md"}  # any run of spaces is one space


def test_update_follows_changes(indexed: tuple[Path, FullTextIndex], tmp_path: Path) -> None:
    root, index = indexed
    assert index.update(posts_of(root)) == 0  # nothing changed
    write(root, "2021/000.md", "new title", "<p>独一无二的内容 zebra</p>")
    os.utime(root / "2021/000.md", ns=(1, 1))  # a distinct mtime even on coarse clocks
    (root / "2021/001.md").unlink()
    write(root, "2021/new.md", "fresh", "<p>zebra</p>")
    progress: list[tuple[int, int]] = []
    assert index.update(posts_of(root), progress=lambda d, t: progress.append((d, t))) == 2
    assert progress[-1] == (2, 2)
    assert index.search("独一无二") == {"2021/000.md"}
    assert index.search("zebra") == {"2021/000.md", "2021/new.md"}
    assert "2021/001.md" not in index.search("")
    for term in ("香港", "data", "港", "a"):
        assert index.search(term) == brute(root, term)
    index.close()
    # A new instance on the same file sees the same index.
    again = FullTextIndex(root, tmp_path / "fts.sqlite")
    assert again.search("zebra") == {"2021/000.md", "2021/new.md"}
    assert again.update(posts_of(root)) == 0


def test_dead_rows_are_reclaimed(tmp_path: Path) -> None:
    root = tmp_path / "posts"
    make_corpus(root, 5)
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.max_dead = 0
    posts = posts_of(root)
    index.update(posts)
    index.update(
        first(posts, 1)
    )  # four dead rows, more than the one live: the next update rebuilds
    index.update(posts)
    conn = sqlite3.connect(tmp_path / "fts.sqlite")
    assert conn.execute("SELECT value FROM meta WHERE key = 'dead'").fetchone()[0] == "0"
    assert index.search("") == set(posts)


def test_limit_to(indexed: tuple[Path, FullTextIndex]) -> None:
    root, index = indexed
    everything = brute(root, "港")
    some = set(sorted(everything)[:3]) | {"not/a/post.md"}
    assert index.search("港", limit_to=some) == set(sorted(everything)[:3])
    assert index.search("人工智能", limit_to=[]) == set()


def test_ready_fraction_and_cancel(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = corpus
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.batch_size = 10
    assert index.ready_fraction() == 0.0
    # Read in this process (few posts): it stops after the post being read, which is committed.
    assert index.update(posts_of(root), is_cancelled=lambda: True) == 1
    assert index.ready_fraction() == pytest.approx(1 / 60)
    assert len(index.search("")) == 1
    assert index.update(posts_of(root)) == 59
    assert index.ready_fraction() == 1.0


@pytest.mark.parametrize("background", [False, True])
def test_close_stops_a_running_update_and_keeps_what_it_wrote(
    corpus: tuple[Path, list[str]], tmp_path: Path, background: bool
) -> None:
    # Quitting the app closes the index while its worker indexes: no error, nothing rebuilt.
    root, _ = corpus
    db = tmp_path / "fts.sqlite"
    index = FullTextIndex(root, db)
    index.batch_size = 10

    def quit_now(done: int, total: int) -> None:
        closer = threading.Thread(target=index.close)  # the app's thread, not the worker's
        closer.start()
        closer.join()

    assert index.update(posts_of(root), progress=quit_now, background=background) == 0
    again = FullTextIndex(root, db)
    assert len(again.search("")) == 10  # the first batch was committed before the close
    assert again.update(posts_of(root)) == 50


def test_pool_path_gives_same_results(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = corpus
    pooled = FullTextIndex(root, tmp_path / "pooled.sqlite")
    pooled.pool_threshold, pooled.chunk_size, pooled.batch_size = 10, 7, 20
    assert pooled.update(posts_of(root)) == 60
    for term in ("香港", "privacy", "a", "straße"):
        assert pooled.search(term) == brute(root, term)


def test_corrupt_database_is_rebuilt(corpus: tuple[Path, list[str]], tmp_path: Path) -> None:
    root, _ = corpus
    db = tmp_path / "fts.sqlite"
    db.write_bytes(b"this is not a database" * 100)
    index = FullTextIndex(root, db)
    assert index.notice is not None and "rebuilt" in index.notice  # said, not silent
    index.update(posts_of(root))
    assert index.search("香港") == brute(root, "香港")
    index.close()
    # Another root's index at the same path is discarded, not mixed in.
    other = FullTextIndex(tmp_path / "elsewhere", db)
    assert other.search("") == set()


def test_database_damaged_mid_use_is_rebuilt(
    corpus: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = corpus
    db = tmp_path / "fts.sqlite"
    index = FullTextIndex(root, db)
    index.update(posts_of(root))
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE docs")
    assert index.search("人工智能") == set()
    assert index.notice is not None
    assert index.update(posts_of(root)) == 60  # starts over
    assert index.search("香港") == brute(root, "香港")


def test_unwritable_folder_falls_back_to_memory(
    corpus: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = corpus
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    index = FullTextIndex(root, blocker / "index" / "fts.sqlite")
    assert index.notice is not None
    assert index.in_memory
    index.update(posts_of(root))
    assert index.search("香港") == brute(root, "香港")
    assert index.search("港") == brute(root, "港")


def test_default_path_is_beside_the_metadata_cache(tmp_path: Path) -> None:
    path = default_db_path(tmp_path)
    assert path.name.endswith(".fts.sqlite")
    assert path.parent.name == "index"
    assert "newstui" in str(path)


def test_snippet() -> None:
    text = "开头 " + "填充" * 50 + " 找到 Needle 这里 " + "尾巴" * 50
    out = snippet(text, "needle", 40)
    assert "Needle" in out
    assert out.startswith("…") and out.endswith("…")
    assert snippet("short text", "zzz", 80) == "short text"
    assert snippet("a\x1b[31mb\nc", "b", 80) == "a [31mb c"  # no control characters survive
    assert snippet("abc", "b", 0) == ""


class Source:
    """An index cache's side of update_from(): a version and the files it stands for."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.current = "v1"
        self.reads = 0

    def version(self) -> str:
        return self.current

    def stats(self) -> tuple[str, dict[str, tuple[int, int]]]:
        self.reads += 1
        return self.current, posts_of(self.root)


def test_update_from_skips_the_version_it_finished(
    corpus: tuple[Path, list[str]], tmp_path: Path
) -> None:
    root, _ = corpus
    db = tmp_path / "fts.sqlite"
    source = Source(root)
    index = FullTextIndex(root, db)
    assert index.update_from(source) == 60 and source.reads == 1
    again = FullTextIndex(root, db)
    assert again.update_from(source) == 0 and source.reads == 1  # not even read
    assert again.ready_fraction() == 1.0
    write(root, "2021/new.md", "zebra", "<p>zebra</p>")
    source.current = "v2"
    assert index.update_from(source) == 1 and index.search("zebra") == brute(root, "zebra")
    # Another list of posts, or a cancelled update: the version is no longer trusted.
    index.update(first(posts_of(root), 5))
    assert index.update_from(source) == 56
    index.update(first(posts_of(root), 5))
    index.batch_size = 10
    assert index.update_from(source, is_cancelled=lambda: True) == 1
    assert index.update_from(source) == 55
    assert index.update_from(source) == 0
    assert index.search("香港") == brute(root, "香港")


def test_positions_agree_with_search(indexed: tuple[Path, FullTextIndex]) -> None:
    root, index = indexed
    paths = sorted(posts_of(root))[:50]  # ten indexed posts are not in the list
    where = {path: i for i, path in enumerate(paths)}
    for term in ("", "香港", "港", "a", "privacy", "NEAR(", '"quoted"', "absent-term"):
        assert set(index.positions(term, where)) == {
            where[p] for p in index.search(term) if p in where
        }
    # A new version of the index: the table follows it, and no answer is remembered across it.
    assert set(index.positions("zebra", where)) == set()
    write(root, "2021/000.md", "zebra", "<p>zebra</p>")
    index.update(posts_of(root))
    assert set(index.positions("zebra", where)) == {where["2021/000.md"]}
    assert set(index.positions("zebra", {})) == set()


def test_an_interrupted_search_says_so_and_harms_nothing(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    root, index = indexed
    where = {path: i for i, path in enumerate(posts_of(root))}
    index.interrupt()  # nothing running: no effect on the next search
    expected = set(index.positions("香港", where))
    # What interrupt() does to a running statement, made certain: SQLite stops it at once.
    index._reader.set_progress_handler(lambda: 1, 1)
    with pytest.raises(SearchInterrupted):
        set(index.positions("privacy", where))
    with pytest.raises(SearchInterrupted):
        index.search("港")
    index._reader.set_progress_handler(None, 1)
    assert index.notice is None
    assert (
        set(index.positions("香港", where)) == expected == {where[p] for p in brute(root, "香港")}
    )


def test_a_search_superseded_before_it_ran_or_read_its_ids_stops(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    # Typing "body:privacy" in a burst can start searches for "p" and "pr": the last one must not
    # wait for theirs, and interrupt() cannot stop Python reading 75,000 ids.
    root, index = indexed
    where = {path: i for i, path in enumerate(posts_of(root))}
    lock, waiting = index._lock, threading.Event()

    class Gate:  # the index's lock, saying when a search waits for it
        def __enter__(self) -> None:
            waiting.set()
            lock.acquire()

        def __exit__(self, *exc: object) -> None:
            lock.release()

    index._lock = Gate()  # type: ignore[assignment]
    errors: list[BaseException] = []

    def search() -> None:
        try:
            set(index.positions("香港", where))
        except SearchInterrupted as error:
            errors.append(error)

    with lock:  # the search before it is still running
        late = threading.Thread(target=search)
        late.start()
        assert waiting.wait(10)
        index.interrupt()
    late.join()
    assert len(errors) == 1
    # SQLite has answered but the ids are not yet read: a newer search stops this one there.
    index._reader.set_progress_handler(lambda: setattr(index, "_interrupts", 99), 1)
    with pytest.raises(SearchInterrupted):
        set(index.positions("privacy", where))
    index._reader.set_progress_handler(None, 1)
    assert set(index.positions("香港", where)) == {where[p] for p in brute(root, "香港")}
    assert index.notice is None


def prepare_held(
    index: FullTextIndex, where: dict[str, int], release: threading.Event, calls: list[str]
) -> threading.Thread:
    """index.prepare(where) in a thread, its table made only once release is set (a table read
    is appended to calls); returns once the table is being made."""
    started = threading.Event()
    read_table = index._read_table

    def slow_table(conn: sqlite3.Connection, where: dict[str, int]) -> list[int]:
        calls.append("table")
        started.set()
        assert release.wait(10)
        return read_table(conn, where)

    index._read_table = slow_table  # type: ignore[method-assign]
    preparing = threading.Thread(target=index.prepare, args=(where,))
    preparing.start()
    assert started.wait(10)
    return preparing


def test_a_search_while_the_table_is_prepared_answers_without_waiting(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    # At a million posts the table takes seconds: the first body: search once waited 7.8 s
    # for it. Meanwhile the paths of the matching rows answer, exactly, for a term in fewer
    # posts than by_path_limit.
    root, index = indexed
    index.by_path_limit = len(posts_of(root))
    where = {path: i for i, path in enumerate(posts_of(root))}
    release = threading.Event()
    preparing = prepare_held(index, where, release, [])
    answers: dict[str, set[int]] = {}

    def search() -> None:
        for term in ("香港", "港", "privacy", "absent-term", ""):
            answers[term] = set(index.positions(term, where))

    searching = threading.Thread(target=search)
    searching.start()
    searching.join(10)
    finished = not searching.is_alive()
    release.set()
    preparing.join()
    searching.join()
    assert finished, "the search waited for the table"
    for term, found in answers.items():
        assert found == {where[p] for p in brute(root, term)}, term
    assert index._current(where) is not None  # and the table is there for the next one
    assert set(index.positions("香港", where)) == answers["香港"]


def test_a_common_term_waits_for_the_table_being_prepared_unless_superseded(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    # 港 in 705,000 of a million posts took 4.7 s by path, while the table took ~2 s more.
    root, index = indexed
    index.by_path_limit = 1
    where = {path: i for i, path in enumerate(posts_of(root))}
    release, calls = threading.Event(), []
    preparing = prepare_held(index, where, release, calls)
    outcomes: list[object] = []

    def search(term: str) -> None:
        try:
            outcomes.append(set(index.positions(term, where)))
        except SearchInterrupted as error:
            outcomes.append(error)

    superseded = threading.Thread(target=search, args=("港",))
    superseded.start()
    superseded.join(0.3)
    assert superseded.is_alive(), "it did not wait for the table"
    index.interrupt()
    superseded.join(10)
    assert isinstance(outcomes.pop(), SearchInterrupted)
    waiting = threading.Thread(target=search, args=("香港",))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive() and not outcomes
    release.set()
    waiting.join(10)
    preparing.join()
    assert outcomes == [{where[p] for p in brute(root, "香港")}]
    assert calls == ["table"], "the search made a table of its own"


def test_a_table_prepared_while_the_index_changed_is_not_kept(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    root, index = indexed
    where = {path: i for i, path in enumerate(posts_of(root))}
    read_table = index._read_table

    def table_then_a_write(conn: sqlite3.Connection, where: dict[str, int]) -> list[int]:
        table = read_table(conn, where)
        write(root, "2021/000.md", "zebra", "<p>zebra</p>")
        index.update(posts_of(root))
        return table

    index._read_table = table_then_a_write  # type: ignore[method-assign]
    index.prepare(where)
    assert index._current(where) is None
    index._read_table = read_table  # type: ignore[method-assign]
    assert set(index.positions("zebra", where)) == {where["2021/000.md"]}


def test_a_search_split_between_two_threads_equals_brute_force(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    # A large index searches the upper half of its rows in a second thread (a 60-post one
    # does too, here); interrupting either half interrupts the search.
    root, index = indexed
    index.split_at = 1
    where = {path: i for i, path in enumerate(posts_of(root))}
    for term in ("香港", "港", "a", "privacy", "人工智能", "NEAR(", "absent-term", ""):
        expected = {where[p] for p in brute(root, term)}
        assert set(index.positions(term, where)) == expected, term
        assert set(index.positions(term, where)) == expected, term  # remembered
    assert index._helper is not None
    index._helper.set_progress_handler(lambda: 1, 1)
    with pytest.raises(SearchInterrupted):
        set(index.positions("straße", where))
    index._helper.set_progress_handler(None, 1)
    assert set(index.positions("straße", where)) == {where[p] for p in brute(root, "straße")}
    assert index.notice is None
    index.close()


@pytest.mark.skipif(sys.platform != "linux", reason="one thread is reniced on Linux only")
def test_a_background_update_writes_at_low_priority(
    corpus: tuple[Path, list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The app builds the body index while someone types: its writing runs in a thread of its
    # own at lower priority, and the thread that asked keeps its own.
    root, _ = corpus
    index = FullTextIndex(root, tmp_path / "fts.sqlite")
    index.batch_size = 20
    own = threading.get_native_id()
    before = os.getpriority(os.PRIO_PROCESS, own)
    writers: list[tuple[int, int]] = []
    original = index._write

    def watched(batch: list[tuple[str, str]], stats: dict[str, tuple[int, int]]) -> None:
        thread = threading.get_native_id()
        writers.append((thread, os.getpriority(os.PRIO_PROCESS, thread)))
        original(batch, stats)

    monkeypatch.setattr(index, "_write", watched)
    assert index.update(posts_of(root), background=True) == 60
    assert len(writers) == 3
    assert all(thread != own and nice == min(19, before + 10) for thread, nice in writers)
    assert os.getpriority(os.PRIO_PROCESS, own) == before
    assert index.search("香港") == brute(root, "香港")
    writers.clear()
    write(root, "2021/000.md", "zebra", "<p>zebra</p>")
    assert index.update(posts_of(root)) == 1  # in the foreground (newstui index): right here
    assert writers == [(own, before)] and index.search("zebra") == {"2021/000.md"}
    index.close()


def test_a_second_connection_that_cannot_be_opened_is_not_damage(
    indexed: tuple[Path, FullTextIndex], monkeypatch: pytest.MonkeyPatch
) -> None:
    # prepare() and a large index's split search open connections of their own; "too many open
    # files" there once marked the index damaged, and a damaged index is rebuilt (an hour at a
    # million posts). The search answers without them, exactly.
    root, index = indexed
    index.split_at = 1
    where = {path: i for i, path in enumerate(posts_of(root))}

    def refused(*args: object, **kwargs: object) -> sqlite3.Connection:
        raise sqlite3.OperationalError("unable to open database file")

    monkeypatch.setattr(fulltext_module.dbfile, "connect", refused)
    index.prepare(where)
    for term in ("香港", "privacy", "absent-term"):
        assert set(index.positions(term, where)) == {where[p] for p in brute(root, term)}, term
    assert not index.damaged
    assert index.notice is None


def _reopened(root: Path, index: FullTextIndex) -> tuple[FullTextIndex, list[str]]:
    """The same index opened again, as by the next start; and the tables it reads from SQLite."""
    index.close()
    again = FullTextIndex(root, index.db_path)
    made: list[str] = []
    read_table = again._read_table

    def counted(conn: sqlite3.Connection, where: dict[str, int]) -> list[int]:
        made.append("table")
        return read_table(conn, where)

    again._read_table = counted  # type: ignore[method-assign]
    return again, made


def test_the_next_start_reads_the_table_back_while_nothing_changed(
    indexed: tuple[Path, FullTextIndex],
) -> None:
    root, index = indexed
    where = {path: i for i, path in enumerate(sorted(posts_of(root)))}
    index.prepare(where)
    assert index.saved_table_path.exists()
    again, made = _reopened(root, index)
    equal = dict(where)  # an equal list, as the next start makes it
    again.prepare(equal)
    for term in ("香港", "privacy", "zebra"):
        assert set(again.positions(term, equal)) == {where[p] for p in brute(root, term)}
    assert made == [], "the table was made again"
    # Another order of the same posts is another list: its table is made, and saved.
    other = {path: i for i, path in enumerate(sorted(where, reverse=True))}
    again.prepare(other)
    assert made == ["table"]
    assert set(again.positions("香港", other)) == {other[p] for p in brute(root, "香港")}
    again.close()


def test_a_write_since_makes_the_saved_table_stale(indexed: tuple[Path, FullTextIndex]) -> None:
    root, index = indexed
    where = {path: i for i, path in enumerate(sorted(posts_of(root)))}
    index.prepare(where)
    write(root, "2021/000.md", "zebra", "<p>zebra</p>")  # a changed post: a new row id
    index.update(posts_of(root))
    again, made = _reopened(root, index)
    again.prepare(where)
    assert made == ["table"]
    assert set(again.positions("zebra", where)) == {where["2021/000.md"]}
    again.close()


@pytest.mark.parametrize("damage", ["truncated", "a row short", "out of range", "garbage"])
def test_a_damaged_saved_table_is_made_again(
    indexed: tuple[Path, FullTextIndex], damage: str
) -> None:
    root, index = indexed
    where = {path: i for i, path in enumerate(sorted(posts_of(root)))}
    index.prepare(where)
    saved = index.saved_table_path
    data = saved.read_bytes()
    if damage == "truncated":
        saved.write_bytes(data[:-2])
    elif damage == "a row short":
        saved.write_bytes(data[:-4])
    elif damage == "out of range":
        saved.write_bytes(data[:-4] + (len(where)).to_bytes(4, "little"))
    else:
        saved.write_bytes(b"\x00" * len(data))
    again, made = _reopened(root, index)
    again.prepare(where)
    assert made == ["table"]
    assert set(again.positions("香港", where)) == {where[p] for p in brute(root, "香港")}
    again.close()
