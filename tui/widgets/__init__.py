"""widgets layer of newstui."""
