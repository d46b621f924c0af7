"""render layer of newstui."""
