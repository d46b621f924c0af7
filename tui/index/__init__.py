"""index layer of newstui."""
