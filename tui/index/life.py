"""The body index's life as the app sees it: absent, building (how far), ready, or failed (why)."""

from __future__ import annotations


class BodyIndexLife:
    """Where the background build of the body index stands. Changed on the UI thread only.

    `ready` stays true once a build has finished, through later catch-ups and failures: the
    index then answers body: searches, if perhaps without the newest posts.
    """

    def __init__(self) -> None:
        self.ready = False  # a build finished: body: searches the index
        self.running = False  # a build or catch-up is under way
        self.error = ""  # why the last update failed, until one works
        self.fraction = 0.0  # of all posts indexed, while building

    def begin(self) -> bool:
        """Whether to start an update now: not while the first build runs (a new one would
        only cancel it); a catch-up after that replaces the one running."""
        if self.running and not self.ready:
            return False
        self.running = True
        return True

    def advance(self, fraction: float) -> None:
        self.fraction = fraction

    def finished(self) -> None:
        self.running = False
        self.error = ""
        self.ready = True

    def failed(self, error: str) -> None:
        self.running = False
        self.error = error

    @property
    def percent(self) -> str:
        return f"{int(self.fraction * 100)}%"
