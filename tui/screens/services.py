"""What every screen can do with a post (open or copy its url, copy it, pipe it, triage it), over a
small interface to the UI rather than the App class, so screens need not know the App."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable, Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any, Protocol

from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.suggester import SuggestFromList

from tui import ending, links, triage
from tui.config import Config
from tui.model import Post
from tui.repository import Repository
from tui.screens.dialogs import LabelSuggester, LinkScreen, OutputScreen, PromptScreen
from tui.state import StateError, StateStore
from tui.widgets.workers import WorkerHost, in_background

PIPE_TIMEOUT = 30  # seconds a piped command may run


class UI(WorkerHost, Protocol):
    """What the services need from the UI (the App has all of it)."""

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None: ...

    def copy_to_clipboard(self, text: str) -> None: ...

    def push_screen(self, screen: Screen[Any], callback: Any = None) -> Any: ...

    def call_from_thread(self, callback: Callable[..., Any], *args: Any) -> Any: ...


class Services:
    """The services of one archive: the screens hold one and call it directly."""

    def __init__(self, ui: UI, repo: Repository, config: Config) -> None:
        self.ui = ui
        self.repo = repo
        self.config = config

    def triage(
        self, verb: Callable[[StateStore, Sequence[Post]], str], posts: Sequence[Post]
    ) -> bool:
        """Run one triage verb and say what it did; a failed write is reported, never lost silently."""
        if not posts:
            self.ui.notify("No post here", severity="warning")
            return False
        try:
            self.ui.notify(verb(self.repo.state, posts), markup=False)
        except StateError as error:
            self.ui.notify(f"Not saved: {error}", severity="error", markup=False)
            return False
        return True

    def edit_labels(self, posts: Sequence[Post], done: Callable[[], None]) -> None:
        """Ask which labels to add (name) or remove (-name), with completion from those in use."""

        def chosen(text: str | None) -> None:
            if text and self.triage(lambda store, ps: triage.edit_labels(store, ps, text), posts):
                done()

        count = f"{len(posts)} post{'s' if len(posts) != 1 else ''}"
        self.ui.push_screen(
            PromptScreen(
                f"Labels for {count}",
                "name adds · -name removes · commas separate · Tab completes",
                LabelSuggester(self.repo.state.labels()),
            ),
            chosen,
        )

    # ---------------------------------------------------------------- links and clipboard

    def confirm_link(self, url: str, label: str = "Link") -> None:
        """Show a link's full address first; only then open or copy it."""

        def chosen(choice: str | None) -> None:
            if choice == "open":
                self.open_url(url)
            elif choice == "copy":
                self.ui.copy_to_clipboard(url)
                self.ui.notify("Link copied", markup=False)

        self.ui.push_screen(LinkScreen(url, label), chosen)

    def open_url(self, url: str) -> None:
        if not links.openable(url):
            self.ui.notify("Only http, https and mailto links open", severity="warning")
            return
        if not self.config.browser and not links.has_display():
            self.ui.copy_to_clipboard(url)
            self.ui.notify("No display here (SSH?): copied the url instead", markup=False)
            return
        try:
            links.open_url(url, self.config.browser)
        except OSError as error:
            self.ui.copy_to_clipboard(url)
            self.ui.notify(
                f"Could not open a browser ({error}): copied the url",
                severity="warning",
                markup=False,
            )

    def open_post_url(self, post: Post) -> None:
        if post.url:
            self.open_url(post.url)
        else:
            self.ui.notify("This post has no url", severity="warning")

    def copy_url(self, post: Post) -> None:
        if post.url:
            self.ui.copy_to_clipboard(post.url)
            self.ui.notify("Url copied (OSC 52)")
        else:
            self.ui.notify("This post has no url", severity="warning")

    def copy_markdown(self, post: Post) -> None:
        def copy() -> None:
            markdown = self.repo.render(post).markdown
            self.ui.call_from_thread(self.ui.copy_to_clipboard, markdown)
            self.ui.call_from_thread(
                self.ui.notify, f"Copied the post as Markdown ({len(markdown):,} characters)"
            )

        in_background(
            self.ui,
            copy,
            group="copy",
            description="copying a post",
        )

    # ---------------------------------------------------------------- pipes

    def pipe_post(self, post: Post) -> None:
        """Ask for a shell command (or a named pipe from the config) and feed it the post's Markdown."""

        def chosen(command: str | None) -> None:
            if command and command.strip():
                self.run_pipe(post, self.config.pipes.get(command.strip(), command))

        names = sorted(self.config.pipes)
        hint = "The post's Markdown goes to its standard input" + (
            f" · named: {', '.join(names)}" if names else ""
        )
        suggester = SuggestFromList(names) if names else None
        self.ui.push_screen(PromptScreen("Pipe to command", hint, suggester), chosen)

    def run_pipe(self, post: Post, command: str) -> None:
        # {url}, {title} and {path} are the post's, shell-quoted: data, never shell code.
        line = links.shell_line(command, pipe_values(self.repo.root, post))

        def pipe() -> None:
            title, output = run_command(line, self.repo.render(post).markdown)
            self.ui.call_from_thread(self.ui.push_screen, OutputScreen(title, output))

        in_background(
            self.ui,
            pipe,
            group="pipe",
            description="piping a post",
        )


def pipe_values(root: Path, post: Post) -> dict[str, str]:
    """What a pipe command's placeholders stand for."""
    return {"url": post.url, "title": post.title, "path": os.path.join(root, post.path)}


def run_command(command: str, text: str) -> tuple[str, str]:
    """Run a shell command with text on its standard input: (a title saying how it ended, its output).

    In a session of its own, so that it and whatever it starts (its process group) are killed
    when it times out or newstui ends (tui/ending.py); never reading the app's terminal."""
    try:
        process = subprocess.Popen(
            command,
            shell=True,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    except OSError as error:
        return f"{command}: could not run", str(error)
    ending.add_group(process.pid)
    try:
        stdout, stderr = process.communicate(text, timeout=PIPE_TIMEOUT)
    except subprocess.TimeoutExpired:
        with suppress(OSError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return f"{command}: stopped after {PIPE_TIMEOUT} s", ""
    finally:
        ending.remove_group(process.pid)
    return f"{command} (exit status {process.returncode})", stdout + (stderr and f"\n{stderr}")
