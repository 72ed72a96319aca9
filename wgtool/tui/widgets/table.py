"""A row-cursor table whose Enter is shown in the footer as "Open"."""

from __future__ import annotations

from typing import Any, ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import DataTable


class RecordTable(DataTable[Any]):
    """A `DataTable` of records (drafts, amendments, versions): one row is one thing to open.

    Cells must be ``rich.text.Text`` (or numbers) when they hold member-written text: plain
    strings in a `DataTable` are parsed as markup.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open", id="open", tooltip="Open the highlighted row"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Open the highlighted row (posts `RowSelected`). |
    """

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes, cursor_type="row", zebra_stripes=True)
