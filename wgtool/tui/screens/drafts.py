"""The first screen: the working group's drafts, their open amendments and versions.

It is what paints first, so it imports only what it shows: the screens it opens are imported
when they are opened, and the core when its worker first reads the record.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.coordinate import Coordinate
from textual.widgets import DataTable, Header, Static

from wgtool.tui.commands import Command
from wgtool.tui.render import clip, safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter, RecordTable

if TYPE_CHECKING:
    from wgtool.api import DraftSummary

COLUMNS = (
    ("Draft", "slug"),
    ("Title", "title"),
    ("¶", "paragraphs"),
    ("Open", "open"),
    ("Versions", "versions"),
)
"""The table's columns: label and key."""


class DraftsScreen(WgScreen):
    """Every draft on main: title, paragraphs, open amendments, consensus versions."""

    AUTO_FOCUS = "#drafts"
    CSS_PATH = None  # it paints first, with the app's stylesheet alone (see SCREENS_CSS)

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "a",
            "amendments",
            "Amendments",
            id="amendments",
            tooltip="The amendments to the highlighted draft",
        ),
        Binding(
            "v",
            "versions",
            "Versions",
            id="versions",
            tooltip="Consensus versions of the highlighted draft, and redlines",
        ),
        Binding(
            "s", "app.sync", "Sync", id="sync", tooltip="Exchange the record with a git remote"
        ),
        Binding("n", "add_draft", "Add draft", id="add-draft", tooltip="Secretariat: a new draft"),
        Binding("n", "refuse('add draft')", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.drafts: list[DraftSummary] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Drafts"), classes="screen-title")
        yield RecordTable(id="drafts")
        yield Static(id="drafts-empty", classes="empty")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#drafts", RecordTable)
        # Labels as Text: a str label is parsed as markup, which imports rich's emoji table.
        for label, key in COLUMNS:
            table.add_column(Text(label), key=key)
        self.query_one("#drafts-empty").display = False
        # In the first frame, if the command line's glance has read them already.
        drafts = self.wg_app.session.first_screen_if_read()
        if drafts is not None:
            self.show_glanced(drafts)

    def load(self) -> None:
        table = self.query_one("#drafts", RecordTable)
        if not self.glanced:  # rows read at a glance stay on screen, usable, until read again
            self.wg_app.busy(table)
        self.read_drafts(table)

    @work(thread=True, exclusive=True, group="load")
    def read_drafts(self, table: RecordTable) -> None:
        with self.wg_app.core(busy=table) as wg:
            drafts = wg.drafts.drafts()
            self.wg_app.deliver(self.show, drafts)

    def show_glanced(self, drafts: list[DraftSummary]) -> None:
        if not self.drafts:  # a read of the open group came first: it is as new
            self.show(drafts)
            self.glanced = True

    def show(self, drafts: list[DraftSummary]) -> None:
        self.glanced = False
        self.drafts = drafts
        table = self.query_one("#drafts", RecordTable)
        selected = self.selected
        table.clear()
        for draft in drafts:
            table.add_row(
                safe(draft.slug, one_line=True),
                safe(clip(draft.title, 40), one_line=True),
                draft.paragraphs,
                draft.open_amendments,
                safe(clip(", ".join(draft.versions) or "—", 24), one_line=True),
                key=draft.slug,
            )
        slugs = [d.slug for d in drafts]
        if selected in slugs:
            table.move_cursor(row=slugs.index(selected))
        empty = self.query_one("#drafts-empty", Static)
        empty.display = not drafts
        empty.update(
            Text(
                "No drafts yet: the secretariat adds them with n (or "
                "'wgtool draft add SLUG --title ... --file FILE')."
            )
        )

    @property
    def selected(self) -> str | None:
        """The slug of the highlighted draft."""
        table = self.query_one("#drafts", RecordTable)
        if not self.drafts or table.cursor_row < 0 or table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.read(str(event.row_key.value))

    def read(self, slug: str) -> None:
        self.navigator.open("draft", slug)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add_draft":
            return self.wg_app.allows("add draft")
        return super().check_action(action, parameters)

    def action_add_draft(self) -> None:
        self.navigator.open("add-draft")

    def action_tag(self, slug: str) -> None:
        self.navigator.open("tag", slug)

    def action_amendments(self) -> None:
        self.navigator.open("queue", draft=self.selected)

    def action_versions(self) -> None:
        if self.selected is not None:
            self.navigator.open("versions", self.selected)

    def commands(self) -> Iterable[Command]:
        yield Command(
            "Add a draft",
            "Secretariat: a new draft from a Markdown file",
            self.action_add_draft,
            needs="add draft",
        )
        slug = self.selected
        if slug is None:
            return
        yield Command(
            f"Read draft {slug}",
            "Its paragraphs and open amendments",
            lambda: self.read(slug),
        )
        yield Command(
            f"Versions of {slug}", "Consensus versions and redlines", self.action_versions
        )
        yield Command(
            f"Tag a version of {slug}",
            "Secretariat: the current text as a consensus version",
            lambda: self.action_tag(slug),
            needs="tag",
        )
