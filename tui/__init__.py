"""newstui: a keyboard-driven terminal browser for folders of Jekyll-style news posts."""

__version__ = "0.1.0"
