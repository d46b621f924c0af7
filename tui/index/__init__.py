"""Index layer of newstui: the SQLite cache of post metadata."""

from tui.index.cache import IndexCache, RefreshResult
from tui.index.fulltext import FullTextIndex as FullTextIndex

__all__ = ["IndexCache", "RefreshResult"]
