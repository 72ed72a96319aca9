"""Participation balance: per stakeholder group, a table of what its members did, and bar
charts of the same per member, so that groups of very different size compare fairly."""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.reactive import reactive
from textual.widgets import DataTable, Header, Static

from wgtool.api import Balance, GroupBalance
from wgtool.tui.render import clip, safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter

# The table's columns: heading, and the count it shows (None: members; "not heard": the open
# amendments the group was not heard on).
COLUMNS: tuple[tuple[str, str | None], ...] = (
    ("Mem", None),
    ("Prop", "proposed"),
    ("Mrg", "merged"),
    ("Rej", "rejected"),
    ("Wdr", "withdrawn"),
    ("Open", "open"),
    ("Pos", "positions"),
    ("Com", "comments"),
    ("Unheard", "not heard"),
)
NAME_WIDTH = 16
BAR_WIDTH = 36
_EIGHTHS = " ▏▎▍▌▋▊▉"


def bar(value: float, largest: float, width: int = BAR_WIDTH) -> str:
    """A horizontal bar of ``value`` on a scale where ``largest`` fills ``width`` cells, drawn
    to an eighth of a cell."""
    if largest <= 0 or value <= 0:
        return ""
    eighths = max(1, round(value / largest * width * 8))
    return "█" * (eighths // 8) + (_EIGHTHS[eighths % 8] if eighths % 8 else "")


def chart(title: str, rows: Sequence[tuple[str, float | None]]) -> Text:
    """A bar chart as text: a title line, then one line per row (its name, bar and value; a
    dash for a group without members)."""
    largest = max((v for _, v in rows if v is not None), default=0.0)
    out = Text(title + "\n", style="bold")
    for name, value in rows:
        out.append_text(safe(f"{clip(name, NAME_WIDTH):<{NAME_WIDTH}} ", one_line=True))
        if value is None:
            out.append("-\n", style="dim")
            continue
        out.append(f"{bar(value, largest):<{BAR_WIDTH}}", style="cyan")
        out.append(f" {value:.2f}\n")
    return out


def _per_member(row: GroupBalance, count: str) -> float | None:
    if count == "not heard":
        return len(row.not_heard) / row.members if row.members else None
    return row.per_member(count)


class StatsScreen(WgScreen):
    """The participation balance of the whole working group (or of one draft)."""

    AUTO_FOCUS = "#stats"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "m",
            "toggle_per_member",
            "Totals/per member",
            id="per-member",
            tooltip="Show the table's counts in totals or per member of each group",
        ),
    ]

    per_member: reactive[bool] = reactive(False)
    """Whether the table shows each count divided by the group's members."""

    def __init__(self, slug: str | None = None) -> None:
        super().__init__()
        self.slug = slug
        self.balance: Balance | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(self._title(), classes="screen-title", id="stats-title")
        yield DataTable(id="stats", cursor_type="row", zebra_stripes=True)
        with VerticalScroll(id="stats-charts"):
            yield Static(id="stats-bars")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#stats", DataTable)
        table.add_column("Group", width=NAME_WIDTH)
        for heading, _ in COLUMNS:
            table.add_column(heading)

    def load(self) -> None:
        table = self.query_one("#stats", DataTable)
        self.wg_app.busy(table)
        self.read(table)

    @work(thread=True, exclusive=True, group="load")
    def read(self, table: DataTable[object]) -> None:
        with self.wg_app.core(busy=table) as wg:
            found = wg.reports.participation(self.slug)
            self.wg_app.deliver(self.show, found)

    def show(self, found: Balance) -> None:
        self.balance = found
        self._fill_table()
        per_member = [(g.name, g.per_member("proposed")) for g in found.groups]
        heard = [
            (
                g.name,
                (g.counts["positions"] + g.counts["comments"]) / g.members if g.members else None,
            )
            for g in found.groups
        ]
        bars = chart("Amendments proposed per member", per_member)
        bars.append_text(chart("Positions and comments per member", heard))
        self.query_one("#stats-bars", Static).update(bars)

    def _fill_table(self) -> None:
        table = self.query_one("#stats", DataTable)
        table.clear()
        if self.balance is None:
            return
        for row in (*self.balance.groups, self.balance.total):
            cells: list[Text] = [safe(clip(row.name, NAME_WIDTH), one_line=True)]
            for _, count in COLUMNS:
                cells.append(self._cell(row, count))
            table.add_row(*cells, key=row.group)

    def _cell(self, row: GroupBalance, count: str | None) -> Text:
        if count is None:
            return Text(str(row.members), justify="right")
        if self.per_member:
            value = _per_member(row, count)
            return Text("-" if value is None else f"{value:.2f}", justify="right")
        shown = len(row.not_heard) if count == "not heard" else row.counts[count]
        return Text(str(shown), justify="right", style="bold" if count == "not heard" else "")

    def _title(self) -> Text:
        where = f"draft {self.slug}" if self.slug else "all drafts"
        how = "per member of each group" if self.per_member else "in totals"
        return Text(f"Participation by stakeholder group, {where}, {how}", "bold")

    def watch_per_member(self) -> None:
        if self.is_mounted:
            self.query_one("#stats-title", Static).update(self._title())
            self._fill_table()

    def action_toggle_per_member(self) -> None:
        self.per_member = not self.per_member
