"""Triage verbs over the state store, with the toggle rule every reader uses: if any target lacks the mark, set it on all."""

from __future__ import annotations

from collections.abc import Sequence

from tui.model import Post
from tui.state import StateStore, clean_label


def _plural(count: int) -> str:
    return f"{count} post{'s' if count != 1 else ''}"


def toggle_read(store: StateStore, posts: Sequence[Post]) -> str:
    value = any(not store.get(post.id).read for post in posts)
    store.set_read([post.id for post in posts], value)
    return f"{_plural(len(posts))} marked {'read' if value else 'unread'}"


def toggle_star(store: StateStore, posts: Sequence[Post]) -> str:
    value = any(not store.get(post.id).starred for post in posts)
    store.set_starred([post.id for post in posts], value)
    return f"{'Starred' if value else 'Unstarred'} {_plural(len(posts))}"


def toggle_archive(store: StateStore, posts: Sequence[Post]) -> str:
    value = any(not store.get(post.id).archived for post in posts)
    store.set_archived([post.id for post in posts], value)
    return f"{'Archived' if value else 'Unarchived'} {_plural(len(posts))}"


def mark_read(store: StateStore, posts: Sequence[Post]) -> str:
    changed = store.set_read([post.id for post in posts], True)
    return f"{_plural(changed)} marked read"


def edit_labels(store: StateStore, posts: Sequence[Post], text: str) -> str:
    """`name` adds a label, `-name` removes it; several may be given, separated by commas."""
    ids = [post.id for post in posts]
    done: list[str] = []
    for item in (part.strip() for part in text.split(",")):
        remove = item.startswith("-")
        try:
            label = clean_label(item[1:] if remove else item)
        except ValueError:
            continue  # empty, or nothing left once control characters are gone
        if remove:
            store.remove_label(ids, label)
        else:
            store.add_label(ids, label)
        done.append(f"{'-' if remove else '+'}{label}")
    return f"Labels {' '.join(done)} on {_plural(len(posts))}" if done else "No labels changed"
