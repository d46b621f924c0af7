"""state layer of newstui."""
