"""Index layer of newstui: the SQLite cache of post metadata."""

from tui.index.cache import IndexCache, RefreshResult

__all__ = ["IndexCache", "RefreshResult"]
