"""widgets layer of newstui."""

from tui.widgets.post_table import Column, PostTable, RowFlags

__all__ = ["Column", "PostTable", "RowFlags"]
