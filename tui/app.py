"""The Textual app: start-up (config, theme, keymap, signals) and the main screen over a repository."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterable
from contextlib import ExitStack
from functools import partial

from textual import events, on
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from tui import collector, ending, failures
from tui.config import Config
from tui.keymap import app_groups, resolve
from tui.locations import styles_dir
from tui.query.order import FIELDS as ORDER_FIELDS
from tui.query.order import Order
from tui.repository import Repository
from tui.screens.help import HelpScreen, key_rows
from tui.screens.main import MainScreen
from tui.screens.services import Services
from tui.widgets.status import StatusBar
from tui.widgets.type_ahead import esc_then_key
from tui.widgets.workers import TaskFailed


class NewsApp(App[None]):
    TITLE = "newstui"
    CSS_PATH = [styles_dir() / "app.tcss"]
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = [Binding("ctrl+c", "quit", "Quit", show=False, priority=True, id="app.quit")]

    def __init__(self, repo: Repository, config: Config | None = None) -> None:
        super().__init__()
        self.repo = repo
        self.config = config or Config()
        self.services = Services(self, repo, self.config)
        if self.config.theme:
            if self.config.theme in self.available_themes:
                self.theme = self.config.theme
            else:  # shown with the config's other problems when the main screen mounts
                self.config.problems.append(
                    f"{self.config.path}: theme {self.config.theme!r} does not exist; "
                    "using the default"
                )
        # An action id means the same action on every screen; remaps that would shadow a key
        # are refused (tui.keymap), and said at start like the config's problems.
        self.keymap, refused = resolve(self.config.keys, app_groups())
        self.config.problems.extend(refused)

    def on_load(self) -> None:
        self._settings = ExitStack()  # interpreter-wide, undone when the app ends
        self._settings.enter_context(collector.quick_thread_switches())
        # Thread workers on daemon threads: quitting does not wait for them (tui/ending.py).
        asyncio.get_running_loop().set_default_executor(ending.daemon_threads())

    def get_default_screen(self) -> MainScreen:
        return MainScreen(self.repo, self.config, self.services)

    def on_mount(self) -> None:
        if self.keymap:
            self.set_keymap(self.keymap)
        # Textual ignores SIGTERM and SIGHUP (a dropped SSH connection): end with 128+signal.
        loop = asyncio.get_running_loop()
        self._signals = {
            signum: signal.signal(signum, partial(self._on_signal, loop))
            for signum in (signal.SIGTERM, signal.SIGHUP, signal.SIGINT)
        }
        ending.watch_terminal()

    def _on_signal(self, loop: asyncio.AbstractEventLoop, signum: int, frame: object) -> None:
        """In the main thread between two bytecodes, wherever it was: only what is safe anywhere."""
        ending.begin()
        if signum == signal.SIGHUP:
            # The terminal is gone: Textual's SIGCONT handler (the kernel sends SIGCONT with the
            # hang-up) must not re-enter application mode on it; see tui/ending.py.
            signal.signal(signal.SIGCONT, signal.SIG_DFL)
            ending.arm_watchdog(128 + signum)
        else:
            ending.arm_watchdog(128 + signum, before=ending.restore_terminal)
        loop.call_soon_threadsafe(partial(self.exit, return_code=128 + signum))

    async def action_quit(self) -> None:
        """q and ctrl+c: should the orderly exit hang, the process ends anyway (tui/ending.py)."""
        ending.begin()
        ending.arm_watchdog(0, before=ending.restore_terminal)
        self.exit()

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key) and event.key == "ctrl+j" and not event.is_forwarded:
            # Enter typed before newstui had the terminal (keys typed as it starts) arrives as a
            # line feed: the terminal still turned carriage returns into line feeds then.
            event = events.Key("enter", "\r")
            event.set_sender(self)
        if isinstance(event, events.Key) and self._esc_then_key(event):
            # A terminal sends Esc and a key typed right behind it in one read, which parses as
            # alt+key ("Esc q" over SSH). With no alt binding for it, it was Esc, then the key.
            for key in esc_then_key(event):
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

    @on(TaskFailed)
    def _task_failed(self, event: TaskFailed) -> None:
        """The one failure path (every worker starts in tui/widgets/workers.py): a failure is one
        line on screen and a traceback in the log, and the app runs on."""
        what, error = event.description, event.error
        path = failures.record(what, error)
        where = f"see {path}" if path else "the log could not be written"
        line = f"{what} failed: {type(error).__name__}: {error} ({where})"
        bars = self.screen.query(StatusBar)
        if bars:
            bars.first().report_failure(line)  # drawn as text, never markup
        else:
            self.notify(line, severity="error", markup=False)

    def on_unmount(self) -> None:
        for signum, handler in self._signals.items():  # an App in a test: the runner's again
            signal.signal(signum, handler)
        self._settings.close()
        if not ending.underway():  # an App in a test, or one embedded: leave things as found
            collector.unfreeze()
            self.repo.close()
        # else the process ends in a moment: closing would checkpoint SQLite's write-ahead log
        # first (seconds after a cold index), and unfreezing would hand a million posts back to
        # the collector, whose next full collection would hold the exit for 3-7 s.

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """The command palette offers every bound action of the screen, from the same bindings as the keys."""
        yield from super().get_system_commands(screen)
        for row in key_rows(screen):
            yield SystemCommand(
                row.description,
                f"{row.keys}  ({row.id})",
                partial(self.run_action, row.action, row.node),
            )
        if isinstance(screen, MainScreen):  # every order by name, not only O's next one
            for field in ORDER_FIELDS:
                for reverse in (False, True):
                    order = Order(field, reverse)
                    yield SystemCommand(
                        f"Sort {order.describe()}",
                        f'the table\'s order, kept while filtering (sort = "{order}")',
                        partial(screen.sort_by, order),
                    )

    def action_help(self) -> None:
        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def open_url(self, url: str, new_tab: bool = True) -> None:  # overrides App.open_url
        """Links clicked in Textual widgets go through the same checks as every other."""
        self.services.open_url(url)
