"""A row-cursor table whose Enter is shown in the footer as "Open".

It overrides ``DataTable._update_dimensions``, a private method of Textual's, and this is why
pyproject.toml pins ``textual<9``. After rows are added, ``DataTable`` measures every cell of every
new row when it is next idle, to size auto-width columns (about 0.55 s for 2,000 rows of the
amendment queue, on every fill); with fixed-width columns that measuring changes nothing. No public
API skips it: the measuring happens whatever the cells are (a cell with a cheap
``__rich_measure__`` still costs 0.47 s), and the width of a column does not stop it. Before
raising the pin, check that ``DataTable._on_idle`` still calls ``_update_dimensions(new_rows)``:
were it renamed, the override would never run and only the speed would be lost, silently.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable
from textual.widgets.data_table import RowKey


class RecordTable(DataTable[Any]):
    """A `DataTable` of records (drafts, amendments, versions): one row is one thing to open.

    Cells must be ``rich.text.Text`` (or numbers) when they hold member-written text: plain
    strings in a `DataTable` are parsed as markup.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open", tooltip="Open the highlighted row"),
        Binding("j", "cursor_down", "Next row", show=False),
        Binding("k", "cursor_up", "Previous row", show=False),
        Binding("home,g", "scroll_top", "First row", show=False),
        Binding("end,G", "scroll_bottom", "Last row", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Open the highlighted row (posts `RowSelected`). |
    | j, k | The next / previous row. |
    | home, g | The first row (not the leftmost column: a row is one record). |
    | end, G | The last row. |
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        # DataTable measures every cell of every new row to size auto-width columns; with
        # thousands of amendments that measuring is most of the time to fill the table. When
        # every column has a fixed width and rows have no labels nor automatic heights, there is
        # nothing to measure: only the virtual size needs recomputing.
        rows = list(new_rows)
        fixed = all(not column.auto_width for column in self.columns.values())
        if fixed and all(
            (row := self.rows.get(key)) is None or (row.label is None and not row.auto_height)
            for key in rows
        ):
            rows = []
        super()._update_dimensions(rows)
