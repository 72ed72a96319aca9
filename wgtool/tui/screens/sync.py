"""Sync with a git remote from inside the UI: progress as it happens, then a clear result."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, Log, ProgressBar, Static

from wgtool import api
from wgtool.api import WgError, terminal_safe
from wgtool.tui.messages import RecordChanged, SyncProgress
from wgtool.tui.render import error_words, remedy_words
from wgtool.tui.screens.base import WgModal


class SyncScreen(WgModal[None]):
    """Fetch, join and push the record with one remote (``wgtool sync REMOTE``)."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Sync", id="sync-start", tooltip="Start the sync"),
    ]
    AUTO_FOCUS = "#sync-button"

    def __init__(self, remote: str = "origin") -> None:
        super().__init__()
        self.remote = remote
        self.running = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="sync-dialog"):
            yield Static(Text("Sync with a remote", "bold"), classes="dialog-title")
            with Horizontal(id="sync-remote"):
                yield Label("Remote", classes="inline-label")
                yield Input(self.remote, id="remote", compact=True)
                yield Button("Sync", id="sync-button", variant="primary", compact=True)
            yield ProgressBar(total=None, show_eta=False, id="sync-progress")
            yield Log(id="sync-log", max_lines=2000)
            yield Static(id="sync-result")
            with Horizontal(classes="buttons"):
                yield Button("Close", id="close", compact=True)

    def on_mount(self) -> None:
        self.query_one("#sync-progress").display = False

    @on(Button.Pressed, "#sync-button")
    @on(Input.Submitted, "#remote")
    def action_start(self) -> None:
        if self.running:
            return
        remote = self.query_one("#remote", Input).value.strip() or "origin"
        self.running = True
        self.query_one("#sync-button", Button).disabled = True
        self.query_one("#sync-progress").display = True
        self.query_one("#sync-result", Static).update("")
        self.query_one("#sync-log", Log).write_line(f"Syncing with {terminal_safe(remote)}…")
        self.run_sync(remote)

    @work(thread=True, exclusive=True, group="sync")
    def run_sync(self, remote: str) -> None:
        lines: list[str] = []
        problems: list[str] = []
        failure: str | None = None
        with self.wg_app.core() as wg:
            try:
                report = wg.exchange.sync(
                    remote, progress=lambda line: self.post_message(SyncProgress(line))
                )
            except WgError as error:
                failure = error_words(error)
            else:
                lines = [str(line) for line in report.lines()]
                lines += [remedy_words(r, remote) for r in report.remedies]
                problems = [str(p) for p in report.problems]
                # The clone's own sync hook, as after 'wgtool sync': its failure is one line.
                hook_problem = api.hooks.after_sync(wg.record.store, report)
                if hook_problem is not None:
                    lines.append(hook_problem)
        self.app.call_from_thread(self.finished, lines, problems, failure)

    def on_sync_progress(self, message: SyncProgress) -> None:
        self.query_one("#sync-log", Log).write_line(
            terminal_safe(message.line, keep_newlines=False)
        )

    def finished(self, lines: list[str], problems: list[str], failure: str | None) -> None:
        self.running = False
        self.query_one("#sync-button", Button).disabled = False
        self.query_one("#sync-progress").display = False
        log = self.query_one("#sync-log", Log)
        for line in lines:
            log.write_line(terminal_safe(line, keep_newlines=False))
        result = self.query_one("#sync-result", Static)
        if failure is not None:
            result.update(Text(terminal_safe(failure), "bold red"))
            self.notify(terminal_safe(failure), severity="error", markup=False)
            return
        if problems:
            text = Text("Synced with problems:\n", "bold red")
            for problem in problems:
                text.append(f"  {terminal_safe(problem)}\n")
            result.update(text)
        else:
            result.update(Text("Synced: the record is up to date with the remote.", "bold green"))
        self.app.post_message(RecordChanged())

    @on(Button.Pressed, "#close")
    def _close(self) -> None:
        self.dismiss(None)
