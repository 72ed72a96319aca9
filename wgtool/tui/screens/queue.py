"""The amendment queue: every amendment, filtered by draft, status, group and text, sortable.

It reads the amendments with their consensus in one query (at a glance when the index is
current: see ``DeliberationDesk.listing``), never in the UI thread, and builds its rows in the
worker, so a working group with thousands of amendments lists at once. What sorting needs of
each amendment is worked out when the member sorts.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from functools import partial
from typing import Any, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.coordinate import Coordinate
from textual.timer import Timer
from textual.widgets import DataTable, Header, Input, Select, Static

from wgtool.api import Amendment, Consensus, QueueFilters, Status, Verdict
from wgtool.tui.commands import Command
from wgtool.tui.render import clip, consensus_counts, safe, status_text, when
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter, RecordTable

VERDICT_STYLES = {Verdict.CONSENSUS: "green", Verdict.OBJECTION: "red", Verdict.PENDING: ""}
VERDICT_MARKS = {Verdict.CONSENSUS: "✓", Verdict.OBJECTION: "✗", Verdict.PENDING: "…"}
"""The consensus state as a mark beside its colour (which NO_COLOR takes away)."""
CONSENSUS_LEGEND = "✓ reached ✗ objected … not yet · S support N no objection O object ? not heard"
"""What the consensus column's marks and letters (stakeholder groups) mean, under the queue's
title: one line at 80 columns."""


def alt_prefix(amendment: Amendment) -> str:
    """``Alt to 1a2b: `` before the title of an alternative text (sorting by ¶ keeps the
    alternatives for one passage together)."""
    if amendment.amends:
        return f"↳ to {amendment.amends[:4]}: "  # a sub-amendment, under its amendment
    return f"Alt to {amendment.alternative_to[:4]}: " if amendment.alternative_to else ""


def target_label(amendment: Amendment) -> str:
    """``¶5`` (replace), ``+5`` (insert after 5), ``-5`` (delete 5) or ``doc`` (whole draft)."""
    return amendment.target or "doc"


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    width: int  # fixed: a column that measures its cells makes thousands of rows slow to add
    sort_key: Callable[[Amendment, Consensus], Any]


TITLE_WIDTH = 25
"""Characters of title the queue shows: with the columns before it, the row fits 80 columns."""

COLUMNS = (
    Column("id", "ID", 8, lambda a, c: a.id),
    Column("number", "Am.", 5, lambda a, c: (a.draft, a.number or 0)),
    Column(
        "target",
        "¶",
        5,
        lambda a, c: (
            a.draft,
            a.paragraph or 0,
            a.amends or a.alternative_to or a.id,
            bool(a.amends),
        ),
    ),
    Column("status", "Status", 9, lambda a, c: a.status.value),
    Column(
        "consensus",
        "Consensus",
        13,
        lambda a, c: (
            [Verdict.CONSENSUS, Verdict.PENDING, Verdict.OBJECTION].index(c.state),
            consensus_counts(c),
        ),
    ),
    Column("title", "Title", TITLE_WIDTH, lambda a, c: a.title.lower()),
    Column("draft", "Draft", 14, lambda a, c: (a.draft, a.paragraph or 0)),
    Column("proposer", "Proposer", 14, lambda a, c: a.proposer),
    Column("group", "Group", 18, lambda a, c: a.group),
    Column("created", "Proposed", 16, lambda a, c: (a.created_at, a.id)),
)
"""The queue's columns, the essential ones first (ID, number, paragraph, status, consensus,
title):
at 80 columns they are what shows, and the rest is a sideways scroll away."""
SORTABLE = [c.key for c in COLUMNS]
CONSIDERATION = "consideration"
"""The sort that is no column: each draft's open amendments in the order of consideration
(``ChairingDesk.order``), then the rest of its amendments as they were tabled."""
SLICE_SECONDS = 0.04
"""How long the table fills between two refreshes: the UI answers keys meanwhile, and a fast
machine fills thousands of rows with few repaints (each repaint renders the visible rows
again)."""
SEARCH_DELAY = 0.25
"""Seconds without typing before the search field filters the queue."""


@dataclass(frozen=True)
class Filters(QueueFilters):
    """The queue's filters, as the member set them."""

    def describe(self) -> str:
        parts = [
            f"{name} {value}"
            for name, value in (
                ("draft", self.draft),
                ("¶", self.paragraph),
                ("status", self.status),
                ("group", self.group),
                ("matching", self.text),
            )
            if value
        ]
        return ", ".join(parts)


@dataclass(frozen=True)
class QueueData:
    filters: Filters
    rows: list[tuple[str, list[Text]]]
    listed: dict[str, tuple[Amendment, Consensus]]
    drafts: list[str]
    groups: dict[str, str]


def consensus_cell(consensus: Consensus) -> Text:
    """``✓ S2 N1 O0 ?2``: the state's mark, then how many groups support, do not object,
    object and are not heard."""
    mark = VERDICT_MARKS.get(consensus.state, "?")
    return Text(f"{mark} {consensus_counts(consensus)}", VERDICT_STYLES.get(consensus.state, ""))


def _row(amendment: Amendment, consensus: Consensus) -> list[Text]:
    return [
        Text(amendment.id),
        Text("-" if amendment.number is None else str(amendment.number)),
        Text(target_label(amendment)),
        status_text(amendment.status),
        consensus_cell(consensus),
        safe(clip(alt_prefix(amendment) + amendment.title, TITLE_WIDTH), one_line=True),
        safe(amendment.draft, one_line=True),
        safe(amendment.proposer, one_line=True),
        safe(amendment.group, one_line=True),
        Text(when(amendment.created_at), "dim"),
    ]


class QueueScreen(WgScreen):
    """All amendments in a table; filters above it, Enter opens one."""

    AUTO_FOCUS = "#queue"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "slash",
            "search",
            "Search",
            id="search",
            tooltip="Filter by words of the title or rationale, an id or a proposer",
        ),
        Binding("s", "sort", "Sort", id="sort", tooltip="Sort by the next column"),
        Binding("r", "reverse", "Reverse", id="reverse", tooltip="Reverse the order"),
        Binding(
            "o",
            "consideration",
            "Order",
            id="consideration",
            tooltip="The order a chair takes the open amendments in, draft by draft",
        ),
        Binding(
            "c", "clear_filters", "Clear", id="clear-filters", tooltip="Show every amendment again"
        ),
    ]

    def __init__(
        self,
        *,
        draft: str | None = None,
        status: str | None = None,
        group: str | None = None,
        paragraph: int | None = None,
    ) -> None:
        super().__init__()
        self.filters = Filters(draft=draft, status=status, group=group, paragraph=paragraph)
        self.sort_column: str | None = None
        self.sort_reverse = False
        self._listed: dict[str, tuple[Amendment, Consensus]] = {}
        self._choices_loaded = False
        self._filling = False
        self._search_timer: Timer | None = None
        self._rows: list[tuple[str, list[Text]]] = []
        self._keep_highlighted: str | None = None
        self._fill_generation = 0
        self._filling_rows = False
        self._ranks: dict[str, tuple[int, int]] | None = None  # the order of consideration
        self.shown_count = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="queue-info", classes="screen-title")
        with Horizontal(id="filters"):
            draft = self.filters.draft
            yield Select(
                [(draft, draft)] if draft else [],
                prompt="Draft: all",
                id="f-draft",
                value=draft if draft else Select.NULL,
            )
            yield Select(
                [(s.value, s.value) for s in Status],
                prompt="Status: all",
                id="f-status",
                value=self.filters.status or Select.NULL,
            )
            group = self.filters.group
            yield Select(
                [(group, group)] if group else [],
                prompt="Group: all",
                id="f-group",
                value=group if group else Select.NULL,
            )
            yield Input(placeholder="Search… (/)", id="f-text")
        yield RecordTable(id="queue")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#queue", RecordTable)
        for column in COLUMNS:
            table.add_column(Text(column.label), key=column.key, width=column.width)

    # -- loading -----------------------------------------------------------------------------------

    def load(self) -> None:
        table = self.query_one("#queue", RecordTable)
        self.wg_app.busy(table)
        self.read_queue(self.filters, table, not self._choices_loaded)

    @work(thread=True, exclusive=True, group="load")
    def read_queue(self, filters: Filters, table: RecordTable, with_choices: bool) -> None:
        # At a glance when the index is current (see Session.queue), else from the working
        # group, whose index refreshes or heals itself first.
        glanced = self.wg_app.session.queue(filters)
        if glanced is not None:
            try:
                self._deliver(filters, glanced.listed, glanced.drafts, glanced.groups, with_choices)
            finally:
                self.app.call_from_thread(self.wg_app.not_busy, table)
            return
        with self.wg_app.core(busy=table) as wg:
            listed = wg.deliberation.listing(**asdict(filters))
            drafts = wg.drafts.draft_slugs() if with_choices else []
            groups = dict(wg.record.settings.groups) if with_choices else {}
            self._deliver(filters, listed, drafts, groups, with_choices)

    def _deliver(
        self,
        filters: Filters,
        listed: list[tuple[Amendment, Consensus]],
        drafts: list[str],
        groups: dict[str, str],
        with_choices: bool,
    ) -> None:
        """From the worker: the rows built, then shown (with the filters' choices, if asked)."""
        rows = [(a.id, _row(a, c)) for a, c in listed]
        by_id = {a.id: (a, c) for a, c in listed}
        choices = (drafts, groups) if with_choices else ([], {})
        self.wg_app.deliver(self.show, QueueData(filters, rows, by_id, *choices))

    def show(self, data: QueueData) -> None:
        if data.drafts or data.groups:
            self._fill_choices(data.drafts, data.groups)
        self._keep_highlighted = self.highlighted
        self._rows = data.rows
        self._listed = data.listed
        self._ranks = None
        if self.sort_column == CONSIDERATION:
            self.action_consideration()  # read again for what is listed now
        self.shown_count = len(data.rows)
        self._add_rows()
        self._describe()

    def _add_rows(self) -> None:
        """Fill the table, in sorted order, a slice of :data:`SLICE_SECONDS` per refresh: the
        UI answers keys meanwhile (thousands of rows at once would freeze it)."""
        self.query_one("#queue", RecordTable).clear()
        self._fill_generation += 1
        rows = self._rows
        if self.sort_column is not None:
            key = self._sort_key()
            rows = sorted(rows, key=lambda row: key(row[0]), reverse=self.sort_reverse)
        self._add_slice(iter(rows), self._fill_generation)

    def _add_slice(self, rows: Iterator[tuple[str, list[Text]]], generation: int) -> None:
        if generation != self._fill_generation or not self.is_attached:
            return  # a newer load or sort replaced this one, or the screen closed
        table = self.query_one("#queue", RecordTable)
        until = time.perf_counter() + SLICE_SECONDS
        for key, cells in rows:
            table.add_row(*cells, key=key)
            if time.perf_counter() > until:
                break
        self._filling_rows = table.row_count < self.shown_count
        if self._filling_rows:
            self.after_refresh(self._add_slice, rows, generation)
        elif self._keep_highlighted in self._listed:
            table.move_cursor(row=table.get_row_index(self._keep_highlighted))

    def _fill_choices(self, drafts: list[str], groups: dict[str, str]) -> None:
        self._filling = True
        try:
            draft_select = self.query_one("#f-draft", Select)
            draft_select.set_options([(d, d) for d in drafts])
            if self.filters.draft in drafts:
                draft_select.value = self.filters.draft
            group_select = self.query_one("#f-group", Select)
            group_select.set_options(
                [(Text(clip(name, 30)), slug) for slug, name in groups.items()]
            )
            if self.filters.group in groups:
                group_select.value = self.filters.group
            self._choices_loaded = True
        finally:
            self.after_refresh(self._done_filling)

    def _done_filling(self) -> None:
        self._filling = False

    def _describe(self) -> None:
        info = Text(f"{self.shown_count} amendment{'s' if self.shown_count != 1 else ''}", "bold")
        described = self.filters.describe()
        if described:
            info.append(" · ")
            info.append_text(safe(described, one_line=True))
        if self.sort_column == CONSIDERATION:
            info.append(f" · in the order of consideration {'▼' if self.sort_reverse else '▲'}")
        elif self.sort_column:
            label = next(c.label for c in COLUMNS if c.key == self.sort_column)
            info.append(f" · sorted by {label} {'▼' if self.sort_reverse else '▲'}")
        info.append(f"\n{CONSENSUS_LEGEND}", "dim")
        self.query_one("#queue-info", Static).update(info)

    @property
    def highlighted(self) -> str | None:
        table = self.query_one("#queue", RecordTable)
        if table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    # -- filters -----------------------------------------------------------------------------------

    @on(Select.Changed)
    def _select_changed(self, event: Select.Changed) -> None:
        # Filling the choices passes through other values; only the one that stays counts.
        if self._filling or event.value != event.select.value:
            return
        value = None if event.value is Select.NULL else str(event.value)
        field = {"f-draft": "draft", "f-status": "status", "f-group": "group"}.get(
            event.select.id or ""
        )
        if field is None or getattr(self.filters, field) == value:
            return
        self._refilter(**{field: value})

    @on(Input.Changed, "#f-text")
    def _text_changed(self, event: Input.Changed) -> None:
        if self._search_timer is not None:
            self._search_timer.stop()
        value = event.value.strip() or None
        self._search_timer = self.set_timer(SEARCH_DELAY, lambda: self._search(value))

    def _search(self, text: str | None) -> None:
        self._search_timer = None
        self._refilter(text=text)

    @property
    def waiting(self) -> bool:
        """Whether a search is typed but not yet applied (it waits for a pause in the typing)."""
        return self._search_timer is not None

    @on(Input.Submitted, "#f-text")
    def _text_submitted(self) -> None:
        self.query_one("#queue", RecordTable).focus()

    def _refilter(self, **changes: Any) -> None:
        current = self.filters.__dict__ | changes
        filters = Filters(**current)
        if filters != self.filters:
            self.filters = filters
            self.load()

    def action_search(self) -> None:
        self.query_one("#f-text", Input).focus()

    def action_clear_filters(self) -> None:
        self._filling = True
        for select_id in ("#f-draft", "#f-status", "#f-group"):
            self.query_one(select_id, Select).clear()
        self.query_one("#f-text", Input).value = ""
        self.after_refresh(self._done_filling)
        self.filters = Filters()
        self.load()

    # -- sorting -----------------------------------------------------------------------------------

    def action_consideration(self) -> None:
        """Sort the queue in the order of consideration (read for the drafts listed)."""
        if self._ranks is not None:
            self.sort_by(CONSIDERATION, reverse=False)
            return
        drafts = sorted({a.draft for a, _ in self._listed.values() if a.status is Status.OPEN})
        table = self.query_one("#queue", RecordTable)
        self.wg_app.busy(table)
        self.read_consideration(drafts, table)

    @work(thread=True, exclusive=True, group="consideration")
    def read_consideration(self, drafts: list[str], table: RecordTable) -> None:
        with self.wg_app.core(busy=table) as wg:
            ranks: dict[str, tuple[int, int]] = {}
            for slug in drafts:
                order = wg.chairing.order(slug)
                placements = [p for item in order.items for p in item.placements]
                ranks.update({p.amendment.id: (0, rank) for rank, p in enumerate(placements)})
            self.wg_app.deliver(self._considered, ranks)

    def _considered(self, ranks: dict[str, tuple[int, int]]) -> None:
        self._ranks = ranks
        self.sort_by(CONSIDERATION, reverse=False)

    def action_sort(self) -> None:
        index = SORTABLE.index(self.sort_column) + 1 if self.sort_column in SORTABLE else 0
        self.sort_by(SORTABLE[index % len(SORTABLE)], reverse=False)

    def action_reverse(self) -> None:
        self.sort_by(self.sort_column or "created", reverse=not self.sort_reverse)

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        key = str(event.column_key.value)
        self.sort_by(key, reverse=not self.sort_reverse if key == self.sort_column else False)

    def sort_by(self, column: str, *, reverse: bool) -> None:
        self.sort_column, self.sort_reverse = column, reverse
        if self._filling_rows:
            self._add_rows()
        else:
            self._apply_sort()
        self._describe()

    def _apply_sort(self) -> None:
        if self.sort_column is None:
            return
        key = self._sort_key()
        self.query_one("#queue", RecordTable).sort(
            "id", key=lambda cell: key(cell.plain), reverse=self.sort_reverse
        )

    def _sort_key(self) -> Callable[[str], Any]:
        """The sort column's value of the amendment with an id (the table's ID cells)."""
        listed = self._listed
        if self.sort_column == CONSIDERATION:
            ranks = self._ranks or {}

            def considered(amendment_id: str) -> tuple[str, tuple[int, int]]:
                a = listed[amendment_id][0]
                return a.draft, ranks.get(a.id, (1, a.number or 0))

            return considered
        sort_key = next(c.sort_key for c in COLUMNS if c.key == self.sort_column)
        return lambda amendment_id: sort_key(*listed[amendment_id])

    # -- opening -----------------------------------------------------------------------------------

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        # Imported when first opened: the queue paints without the amendment's screens.
        self.navigator.open("amendment", str(event.row_key.value))

    def commands(self) -> Iterable[Command]:
        yield Command(
            "Order of consideration",
            "Sort the open amendments as the chair takes them",
            self.action_consideration,
        )
        for column in COLUMNS:
            yield Command(
                f"Sort amendments by {column.label}",
                "Sort the queue",
                partial(self.sort_by, column.key, reverse=False),
            )
        for status in Status:
            yield Command(
                f"Show {status.value} amendments",
                "Filter the queue by status",
                partial(self._set_select, "#f-status", status.value),
            )
        yield Command("Show all amendments", "Clear the filters", self.action_clear_filters)

    def _set_select(self, selector: str, value: str) -> None:
        self.query_one(selector, Select).value = value
