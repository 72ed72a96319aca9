"""Form fields with the keys and marks a member expects: select all on ctrl+a, a radio button
whose state shows without colour."""

from __future__ import annotations

from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.widgets import Checkbox, RadioButton, TextArea


class EditorArea(TextArea):
    """A `TextArea` for member-written text: ctrl+a selects all (home goes to the line start),
    and Tab moves to the next field (a text of a working group holds no tabs).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+a", "select_all", "Select all", id="select-all", tooltip="Select all text"),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | ctrl+a, f7 | Select all the text. |
    """

    def __init__(self, text: str = "", *, id: str | None = None) -> None:
        super().__init__(text, id=id, soft_wrap=True, compact=True, tab_behavior="focus")


class MarkedRadioButton(RadioButton):
    """A `RadioButton` whose chosen state shows by a mark (``▐●▌`` against ``▐ ▌``), not only by
    colour: with NO_COLOR, or on a monochrome terminal, the stock buttons all look alike."""

    MARK = "●"

    @property
    def BUTTON_INNER(self) -> str:  # type: ignore[override]  # the stock class attribute
        """The mark inside the button when it is on, a blank when it is off."""
        return self.MARK if self.value else " "


class MarkedCheckbox(Checkbox):
    """A `Checkbox` marked ``▐X▌`` when ticked and ``▐ ▌`` when not (the stock one shows an X
    either way, told apart by colour alone)."""

    MARK = "X"

    BUTTON_INNER = MarkedRadioButton.BUTTON_INNER
