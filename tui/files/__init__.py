"""files layer of newstui."""
