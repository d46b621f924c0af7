"""screens layer of newstui."""
