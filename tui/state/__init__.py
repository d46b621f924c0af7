"""State layer of newstui: per-post triage state (read, starred, archived, labels)."""

from tui.state.store import DEFAULT_STATE, PostState, StateError, StateStore, clean_label

__all__ = ["DEFAULT_STATE", "PostState", "StateError", "StateStore", "clean_label"]
