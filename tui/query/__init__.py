"""query layer of newstui."""
