"""Consensus versions of a draft (the secretariat tags them) and the redline between any two."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Header, Label, Select, Static

from wgtool.api import AttributedRedline, Version
from wgtool.tui.commands import Command
from wgtool.tui.render import clip, safe, when
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter, RecordTable, RedlineView

CURRENT = ":current"
"""The Select value standing for the current text on main (no version name contains ':')."""


class VersionsScreen(WgScreen):
    """The tagged versions of one draft; Enter shows the redline from a version to today."""

    AUTO_FOCUS = "#versions"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "t",
            "tag",
            "Tag version",
            id="tag",
            tooltip="Secretariat: tag the current text as a consensus version",
        ),
        Binding("t", "refuse('tag')", show=False),
        Binding(
            "d",
            "redline",
            "Redline",
            id="redline",
            tooltip="Redline from the highlighted version (then choose any two)",
        ),
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.versions: list[Version] = []

    def compose(self) -> ComposeResult:
        yield Header()
        title = Text("Versions of ", "bold")
        title.append_text(safe(self.slug, "bold", one_line=True))
        title.append(" · enter: redline from a version to the current text", "dim")
        yield Static(title, classes="screen-title")
        yield RecordTable(id="versions")
        yield Static(id="versions-empty", classes="empty")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#versions", RecordTable)
        table.add_column("Version", key="name")
        table.add_column("Tagged", key="tagged")
        table.add_column("By", key="tagger")
        table.add_column("Message", key="message")
        self.query_one("#versions-empty").display = False

    def load(self) -> None:
        table = self.query_one("#versions", RecordTable)
        self.wg_app.busy(table)
        self.read_versions(table)

    @work(thread=True, exclusive=True, group="load")
    def read_versions(self, table: RecordTable) -> None:
        with self.wg_app.core(busy=table) as wg:
            versions = wg.drafts.versions(self.slug)
            self.wg_app.deliver(self.show, versions)

    def show(self, versions: list[Version]) -> None:
        highlighted = self.highlighted
        self.versions = versions
        table = self.query_one("#versions", RecordTable)
        table.clear()
        for version in reversed(versions):
            table.add_row(
                safe(version.name, "bold", one_line=True),
                Text(when(version.tagged_at)),
                safe(version.tagger, one_line=True),
                safe(clip(version.message, 60), one_line=True),
                key=version.name,
            )
        if highlighted is not None and any(v.name == highlighted for v in versions):
            table.move_cursor(row=table.get_row_index(highlighted))
        empty = self.query_one("#versions-empty", Static)
        empty.display = not versions
        empty.update(Text("No consensus version yet: the secretariat tags one with t."))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "tag":
            return self.wg_app.allows("tag")
        return super().check_action(action, parameters)

    def action_tag(self) -> None:
        self.navigator.open("tag", self.slug)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.navigator.open("redline", self.slug, str(event.row_key.value), CURRENT)

    @property
    def highlighted(self) -> str | None:
        """The name of the highlighted version (None when there is none)."""
        table = self.query_one("#versions", RecordTable)
        if not self.versions or table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    def action_redline(self) -> None:
        """The redline from the highlighted version (the current text when there is none)."""
        self.navigator.open("redline", self.slug, self.highlighted or CURRENT, CURRENT)

    def commands(self) -> Iterable[Command]:
        yield Command(
            f"Tag a version of {self.slug}",
            "Secretariat: a consensus version",
            self.action_tag,
            needs="tag",
        )
        yield Command(
            "Redline between versions",
            "Word-level changes between two versions",
            self.action_redline,
        )


class RedlineScreen(WgScreen):
    """The redline of a draft between two versions (or a version and today): paragraph by
    paragraph by their labels, each change with the amendment, member and group it came from."""

    AUTO_FOCUS = "#redline-body"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "c",
            "toggle_context",
            "Changes/all",
            id="changes-only",
            tooltip="Show only the paragraphs that changed, or the whole text",
        ),
    ]

    def __init__(self, slug: str, old: str, new: str) -> None:
        super().__init__()
        self.slug = slug
        self.old = old
        self.new = new
        self._filling = False

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(id="redline-choice"):
            yield Label("From", classes="inline-label")
            yield Select(
                [(self.old, self.old)], id="redline-from", allow_blank=False, value=self.old
            )
            yield Label("to", classes="inline-label")
            yield Select([(self.new, self.new)], id="redline-to", allow_blank=False, value=self.new)
        yield Static(id="redline-info", classes="screen-title")
        with VerticalScroll(id="redline-body"):
            yield RedlineView(id="redline", context_only=True)
        yield KeysFooter()

    def load(self) -> None:
        body = self.query_one("#redline-body", VerticalScroll)
        self.wg_app.busy(body)
        self.read_redline(self.old, self.new, body)

    @work(thread=True, exclusive=True, group="load")
    def read_redline(self, old: str, new: str, body: VerticalScroll) -> None:
        with self.wg_app.core(busy=body) as wg:
            names = [v.name for v in wg.drafts.versions(self.slug)]
            redline = wg.documents.attributed_redline(
                self.slug, None if old == CURRENT else old, None if new == CURRENT else new
            )
            groups = dict(wg.record.settings.groups)
            self.wg_app.deliver(self.show, names, old, new, redline, groups)

    def show(
        self,
        names: list[str],
        old: str,
        new: str,
        redline: AttributedRedline,
        groups: dict[str, str],
    ) -> None:
        options = [(Text(n), n) for n in names] + [(Text("current text"), CURRENT)]
        self._filling = True
        for selector, value in (("#redline-from", old), ("#redline-to", new)):
            select = self.query_one(selector, Select)
            select.set_options(options)
            select.value = value
        self.after_refresh(self._done_filling)
        changes = sum(1 for entry in redline.entries if entry.changed)
        info = Text(f"{changes} change{'s' if changes != 1 else ''} · ", "bold")
        info.append("[-deleted-] {+inserted+}, each with who made it", "dim")
        self.query_one("#redline-info", Static).update(info)
        view = self.query_one("#redline", RedlineView)
        view.groups = groups
        view.redline = redline

    def _done_filling(self) -> None:
        self._filling = False

    @on(Select.Changed)
    def _choice_changed(self, event: Select.Changed) -> None:
        # Filling the choices passes through other values; only the one that stays counts.
        if self._filling or event.value is Select.NULL or event.value != event.select.value:
            return
        value = str(event.value)
        if value == (self.old if event.select.id == "redline-from" else self.new):
            return
        if event.select.id == "redline-from":
            self.old = value
        else:
            self.new = value
        self.load()

    def action_toggle_context(self) -> None:
        view = self.query_one("#redline", RedlineView)
        view.context_only = not view.context_only
