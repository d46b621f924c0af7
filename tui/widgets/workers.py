"""Every background task of the app starts here: a thread worker whose failure is reported to the
App (a TaskFailed message: one status line, a traceback in the log) and never ends the app."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial, wraps
from typing import TYPE_CHECKING, Any, Protocol

from textual.message import Message

if TYPE_CHECKING:
    from textual.app import App


@dataclass
class TaskFailed(Message):
    """A background task raised: posted to the App, which reports it (NewsApp._task_failed)."""

    description: str
    error: Exception


class WorkerHost(Protocol):
    """Anything that runs workers: a widget, a screen, the App."""

    @property
    def app(self) -> App[Any]: ...

    def run_worker(
        self,
        work: Callable[[], Any],
        name: str | None = "",
        group: str = "default",
        description: str = "",
        exit_on_error: bool = True,
        start: bool = True,
        exclusive: bool = False,
        thread: bool = False,
    ) -> Any: ...


def in_background(
    host: WorkerHost,
    task: Callable[[], object],
    *,
    group: str,
    description: str,
    exclusive: bool = False,
) -> Any:
    """Run task in a thread worker of host (cancelled when host goes away); exclusive: a newer
    one of the group replaces it. Textual's exit_on_error would end the app on any exception and
    Worker.StateChanged does not bubble, so the task reports its own failure to the App."""
    app = host.app  # here, on the UI thread

    def run() -> object:
        try:
            return task()
        except Exception as error:
            app.post_message(TaskFailed(description, error))
            raise

    return host.run_worker(
        run,
        thread=True,
        exit_on_error=False,
        group=group,
        description=description,
        exclusive=exclusive,
    )


def background(*, group: str, description: str, exclusive: bool = False) -> Any:
    """A method that runs in the background when called, as in_background() runs it."""

    def decorate(method: Callable[..., object]) -> Callable[..., Any]:
        @wraps(method)
        def start(self: WorkerHost, *args: Any, **kwargs: Any) -> Any:
            return in_background(
                self,
                partial(method, self, *args, **kwargs),
                group=group,
                description=description,
                exclusive=exclusive,
            )

        return start

    return decorate
