"""A list of records (inbox news, members, paragraphs) that moves like the tables do."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import OptionList


class RecordList(OptionList):
    """An `OptionList` with the keys every list and table of the app shares (see the help).

    `OptionList` itself moves with ↑ ↓, home and end; this adds j k and g G, as in `RecordTable`.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j", "cursor_down", "Next row", show=False),
        Binding("k", "cursor_up", "Previous row", show=False),
        Binding("g", "first", "First row", show=False),
        Binding("G", "last", "Last row", show=False),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | j, k | The next / previous option. |
    | g | The first option (as home). |
    | G | The last option (as end). |
    """
