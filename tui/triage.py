"""Triage verbs over the state store, with the toggle rule every reader uses: if any target lacks the mark, set it on all."""

from __future__ import annotations

from collections.abc import Sequence

from tui.model import Post
from tui.state import StateStore, clean_label


def _plural(count: int) -> str:
    return f"{count} post{'s' if count != 1 else ''}"


def _toggler(field: str, set_field: str, words: tuple[str, str]):
    """A verb that sets `field` on every post when any lacks it, else clears it on all."""

    def toggle(store: StateStore, posts: Sequence[Post]) -> str:
        value = any(not getattr(store.get(post.id), field) for post in posts)
        getattr(store, set_field)([post.id for post in posts], value)
        return words[0 if value else 1].format(_plural(len(posts)))

    return toggle


toggle_read = _toggler("read", "set_read", ("{} marked read", "{} marked unread"))
toggle_star = _toggler("starred", "set_starred", ("Starred {}", "Unstarred {}"))
toggle_archive = _toggler("archived", "set_archived", ("Archived {}", "Unarchived {}"))


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
