"""The export dialog: which format and which file, before `newstui export`'s work runs in the app."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, ProgressBar, RadioButton, RadioSet, Static
from textual.worker import get_current_worker

from tui.export import (
    FORMATS,
    SUFFIXES,
    Book,
    ExportCancelled,
    ExportError,
    check_target,
    export_to_file,
)
from tui.model import Post
from tui.text import clean_line
from tui.widgets.workers import in_background

FORMAT_LABELS = {"epub": "EPUB e-book", "html": "one HTML page", "md": "Markdown"}
HINT = "Enter exports · Tab, then ← → picks the format · Esc cancels"


@dataclass(frozen=True, slots=True)
class ExportRequest:
    format: str
    path: Path


def default_path(fmt: str, posts_root: Path, now: datetime | None = None) -> Path:
    """newstui-2026-12-01-2350.epub in the working folder, or the home folder when that is in
    the posts folder (an export is never written there)."""
    stamp = (now or datetime.now()).strftime("%Y-%m-%d-%H%M")
    folder = Path.cwd()
    if folder.resolve().is_relative_to(posts_root.resolve()):
        folder = Path.home()
    return folder / f"newstui-{stamp}{SUFFIXES[fmt]}"


class FormatChoice(RadioSet):
    """The formats side by side: the arrows pick one at once (no Space needed), and Enter
    exports from here as it does from the name (RadioSet's Enter would only toggle)."""

    BINDINGS = [Binding("enter", "screen.submit", "Export", show=False)]

    def action_next_button(self) -> None:
        super().action_next_button()
        self.action_toggle_button()

    def action_previous_button(self) -> None:
        super().action_previous_button()
        self.action_toggle_button()


class ExportScreen(ModalScreen[ExportRequest | None]):
    """Asks for the format and the file name; a name that cannot be written keeps the dialog open
    with the reason. Every key typed here goes to the name or the format, never to the screen
    below (a ModalScreen: only the app's own ctrl+c and the palette pass)."""

    BINDINGS = [Binding("escape", "dismiss", "Cancel", id="export.cancel")]

    def __init__(self, what: str, posts_root: Path, start: Path | None = None) -> None:
        super().__init__(classes="dialog-screen")
        self.what = what  # "12 selected posts": our words, no post text
        self.posts_root = posts_root
        self.format = FORMATS[0]
        self.start = start or default_path(self.format, posts_root)
        self._confirmed: Path | None = None  # an existing file the user chose to replace

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="export-dialog"):
            yield Static(Content(f"Export {self.what}"), classes="dialog-title")
            # Not select_on_focus: back from the format, the next key must not replace the name.
            yield Input(value=str(self.start), id="export-path", select_on_focus=False)
            with FormatChoice(id="export-format"):
                for fmt in FORMATS:
                    yield RadioButton(FORMAT_LABELS[fmt], value=fmt == self.format, name=fmt)
            yield Static(Content(HINT), classes="dialog-hint", id="export-hint")

    def on_mount(self) -> None:
        path = self.query_one("#export-path", Input)
        path.focus()
        path.cursor_position = len(path.value)

    @on(RadioSet.Changed)
    def _format_changed(self, event: RadioSet.Changed) -> None:
        event.stop()
        self.format = event.pressed.name or FORMATS[0]
        path = self.query_one("#export-path", Input)
        name = Path(path.value.strip())
        if name.suffix.lower() in SUFFIXES.values():  # else it is the user's own choice
            path.value = str(name.with_suffix(SUFFIXES[self.format]))
            path.cursor_position = len(path.value)

    @on(Input.Submitted, "#export-path")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_submit()

    def action_submit(self) -> None:
        text = self.query_one("#export-path", Input).value.strip()
        if not text:
            self._problem("give a file name")
            return
        try:
            target = check_target(Path(text).expanduser(), self.posts_root)
        except ExportError as error:
            self._problem(str(error))
            return
        if target.exists() and target != self._confirmed:
            self._confirmed = target  # the same name again replaces it
            self._problem(f"{target} exists: Enter again replaces it")
            return
        # A name typed with a known suffix says the format (".md" never holds an EPUB).
        by_suffix = {suffix: fmt for fmt, suffix in SUFFIXES.items()}
        self.dismiss(ExportRequest(by_suffix.get(target.suffix.lower(), self.format), target))

    def _problem(self, text: str) -> None:
        hint = self.query_one("#export-hint", Static)
        hint.update(Content(clean_line(text)))  # the path is the user's: data, never markup
        hint.add_class("dialog-problem")


class ExportProgress(Horizontal):
    """A line above the key bar while an export runs: where it goes, and how far it is."""

    # Not docked: docked widgets overlap, and the key bar is docked at the bottom already. As
    # the screen's last child it takes the line above the key bar.
    DEFAULT_CSS = """
    ExportProgress {
        height: 1;
        background: $panel;
        padding: 0 1;
        & > Static { width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }
        & > ProgressBar { width: auto; margin-left: 2; }
    }
    """

    def __init__(self, target: Path) -> None:
        super().__init__(id="export-progress")
        self.target = target

    def compose(self) -> ComposeResult:
        yield Static(Content(f"Exporting to {clean_line(str(self.target))}"))
        yield ProgressBar(show_eta=False)

    def advance(self, done: int, total: int) -> None:
        self.query_one(ProgressBar).update(total=total, progress=done)


@dataclass
class ExportDone(Message):
    """Posted by the export worker when it ends (written, refused, or cancelled)."""

    path: Path | None  # None: nothing written
    count: int
    problem: str = ""


def export_posts(screen: Screen, posts: Sequence[Post], what: str, title: str, root: Path) -> None:
    """Ask for format and file, then export posts in a worker with a progress line; the screen
    gets an ExportDone message (handled by on_export_done below, or the screen's own)."""
    if not posts:
        screen.notify("Nothing to export", severity="warning")
        return
    if screen.query(ExportProgress):
        screen.notify("An export is already running", severity="warning")
        return
    posts = list(posts)  # the worker gets its own copy: the table's list is replaced as it changes

    def chosen(request: ExportRequest | None) -> None:
        if request is None:
            return
        bar = ExportProgress(request.path)
        screen.mount(bar)
        book = Book(title, posts, root)
        in_background(
            screen,
            partial(_export, screen, bar, book, request),
            group="export",
            description="exporting",
        )

    screen.app.push_screen(ExportScreen(what, root), chosen)


def _export(screen: Screen, bar: ExportProgress, book: Book, request: ExportRequest) -> None:
    """In a worker thread: write the book; the result goes back as a message (thread-safe)."""
    worker = get_current_worker()
    app = screen.app

    def on_screen(callback: Callable[[], object]) -> None:
        # The app may be ending (quit cancels this worker): then there is nothing to update.
        if not worker.is_cancelled:
            with suppress(RuntimeError):
                app.call_from_thread(callback)

    def progress(done: int, total: int) -> None:
        on_screen(lambda: bar.advance(done, total))

    try:
        path = export_to_file(
            book,
            request.format,
            request.path,
            progress=progress,
            is_cancelled=lambda: worker.is_cancelled,
        )
    except ExportCancelled:
        screen.post_message(ExportDone(None, len(book.posts)))
        return
    except ExportError as error:
        screen.post_message(ExportDone(None, len(book.posts), str(error)))
        return
    except Exception as error:
        # Said here, and raised on to the one failure path (in_background: the log, the status).
        problem = f"export failed: {type(error).__name__}: {error}"
        screen.post_message(ExportDone(None, len(book.posts), problem))
        raise
    finally:

        def remove_bar() -> None:
            bar.remove()

        on_screen(remove_bar)
    screen.post_message(ExportDone(path, len(book.posts)))


def report(screen: Screen, done: ExportDone) -> None:
    """The message when an export ends: the path written, or why nothing was."""
    if done.path is not None:
        count = f"{done.count:,} post" + ("" if done.count == 1 else "s")
        screen.notify(f"Exported {count} to {done.path}", markup=False, timeout=8)
    elif done.problem:
        screen.notify(clean_line(done.problem), severity="error", markup=False, timeout=8)
