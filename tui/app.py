"""The Textual app: builds the main screen over a repository and owns what every screen shares (links, clipboard, pipes)."""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
from collections.abc import Callable, Iterable, Sequence
from functools import partial

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.keys import _character_to_key
from textual.screen import Screen
from textual.suggester import SuggestFromList

from tui import links, triage
from tui.config import Config
from tui.locations import styles_dir
from tui.model import Post
from tui.repository import Repository
from tui.screens.dialogs import LabelSuggester, LinkScreen, OutputScreen, PromptScreen
from tui.screens.help import HelpScreen, key_rows
from tui.screens.main import MainScreen
from tui.state import StateError, StateStore

PIPE_TIMEOUT = 30  # seconds a piped command may run


class NewsApp(App[None]):
    TITLE = "newstui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit")]

    def __init__(self, repo: Repository, config: Config | None = None) -> None:
        super().__init__()
        self.repo = repo
        self.config = config or Config()
        if self.config.theme:
            self.theme = self.config.theme

    def on_load(self) -> None:
        # Workers render posts and build indexes in threads; a 1 ms GIL switch interval (not 5)
        # lets the UI thread answer a key at once while one of them computes.
        self._switch_interval = sys.getswitchinterval()
        sys.setswitchinterval(0.001)

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.repo, self.config)

    def on_mount(self) -> None:
        if self.config.keys:
            self.set_keymap(self.config.keys)
        # Textual ignores SIGTERM and SIGHUP (a dropped SSH connection) and dies without restoring
        # the terminal; an event-loop handler exits cleanly (a plain signal.signal handler hangs).
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGHUP):
            loop.add_signal_handler(signum, self.exit)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and self._esc_then_key(event):
            # A terminal sends Esc and a key typed right behind it in one read, which parses as
            # alt+key ("Esc q" over SSH). With no alt binding for it, it was Esc, then the key.
            character = event.character or ""
            name = character if character.isalnum() else _character_to_key(character)
            for key in (events.Key("escape", "\x1b"), events.Key(name, character)):
                key.set_sender(self)
                await super().on_event(key)
            return
        await super().on_event(event)

    def _esc_then_key(self, event: events.Key) -> bool:
        character = event.character or ""
        return (
            event.key.startswith("alt+")
            and not event.is_forwarded
            and len(character) == 1
            and character.isprintable()
            and event.key not in self.screen.active_bindings
        )

    def on_unmount(self) -> None:
        sys.setswitchinterval(self._switch_interval)
        self.repo.close()

    def triage(
        self, verb: Callable[[StateStore, Sequence[Post]], str], posts: Sequence[Post]
    ) -> bool:
        """Run one triage verb and say what it did; a failed write is reported, never lost silently."""
        if not posts:
            self.notify("No post here", severity="warning")
            return False
        try:
            self.notify(verb(self.repo.state, posts), markup=False)
        except StateError as error:
            self.notify(f"Not saved: {error}", severity="error", markup=False)
            return False
        return True

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every bound action of the screen, from the same bindings as the keys."""
        yield from super().get_system_commands(screen)
        for row in key_rows(screen):
            yield SystemCommand(
                row.description,
                f"{row.keys}  ({row.id})",
                partial(self.run_action, row.action, row.node),
            )

    def edit_labels(self, posts: Sequence[Post], done: Callable[[], None]) -> None:
        """Ask which labels to add (name) or remove (-name), with completion from those in use."""

        def chosen(text: str | None) -> None:
            if text and self.triage(lambda store, ps: triage.edit_labels(store, ps, text), posts):
                done()

        count = f"{len(posts)} post{'s' if len(posts) != 1 else ''}"
        self.push_screen(
            PromptScreen(
                f"Labels for {count}",
                "name adds · -name removes · commas separate · Tab completes",
                LabelSuggester(self.repo.state.labels()),
            ),
            chosen,
        )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # ---------------------------------------------------------------- links and clipboard

    def confirm_link(self, url: str, label: str = "Link") -> None:
        """Show a link's full address first; only then open or copy it."""

        def chosen(choice: str | None) -> None:
            if choice == "open":
                self.open_url(url)
            elif choice == "copy":
                self.copy_to_clipboard(url)
                self.notify("Link copied", markup=False)

        self.push_screen(LinkScreen(url, label), chosen)

    def open_url(self, url: str, new_tab: bool = True) -> None:  # overrides App.open_url
        if not links.openable(url):
            self.notify("Only http, https and mailto links open", severity="warning")
            return
        if not self.config.browser and not links.has_display():
            self.copy_to_clipboard(url)
            self.notify("No display here (SSH?): copied the url instead", markup=False)
            return
        try:
            links.open_url(url, self.config.browser)
        except OSError as error:
            self.copy_to_clipboard(url)
            self.notify(
                f"Could not open a browser ({error}): copied the url",
                severity="warning",
                markup=False,
            )

    def open_post_url(self, post: Post) -> None:
        if post.url:
            self.open_url(post.url)
        else:
            self.notify("This post has no url", severity="warning")

    def copy_url(self, post: Post) -> None:
        if post.url:
            self.copy_to_clipboard(post.url)
            self.notify("Url copied (OSC 52)")
        else:
            self.notify("This post has no url", severity="warning")

    @work(thread=True, group="copy", description="copying a post")
    def copy_markdown(self, post: Post) -> None:
        markdown = self.repo.render(post).markdown
        self.call_from_thread(self.copy_to_clipboard, markdown)
        self.call_from_thread(
            self.notify, f"Copied the post as Markdown ({len(markdown):,} characters)"
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
        self.push_screen(PromptScreen("Pipe to command", hint, suggester), chosen)

    @work(thread=True, group="pipe", description="piping a post")
    def run_pipe(self, post: Post, command: str) -> None:
        markdown = self.repo.render(post).markdown
        try:
            done = subprocess.run(
                command,
                shell=True,
                input=markdown,
                capture_output=True,
                text=True,
                timeout=PIPE_TIMEOUT,
            )
            output = done.stdout + (done.stderr and f"\n{done.stderr}")
            title = f"{command} (exit status {done.returncode})"
        except subprocess.TimeoutExpired:
            output, title = "", f"{command}: stopped after {PIPE_TIMEOUT} s"
        except OSError as error:
            output, title = str(error), f"{command}: could not run"
        self.call_from_thread(self.push_screen, OutputScreen(title, output))
