"""Commands in one place: the keys every screen shares, and what a palette entry is.

The palette that offers the app's entries with the current screen's, as far as the roles allow,
is in :mod:`wgtool.tui.commands.palette` (imported when the palette first opens, not before the
first frame); the entries several screens share (agreement on a paragraph, a draft or an
amendment) are in :mod:`wgtool.tui.commands.agreement`; a screen's own entries come from its
``commands()``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from textual.binding import Binding, BindingType

APP_BINDINGS: list[BindingType] = [
    Binding(
        "f1,question_mark",
        "help",
        "Help",
        id="help",
        tooltip="Keys, screens and what each role can do",
    ),
    Binding(
        "i",
        "inbox",
        "Inbox",
        id="inbox",
        show=False,
        tooltip="What changed since you last looked",
    ),
    Binding(
        "f2",
        "act_as",
        "Act as",
        id="act-as",
        tooltip="Demo: act as another member of the example roster",
    ),
]
"""The keys of the app, on every screen."""

BACK_BINDINGS: list[BindingType] = [
    Binding("escape", "back", "Back", id="back", tooltip="Back to the previous screen"),
]
"""The key of every screen over another."""

CANCEL_BINDINGS: list[BindingType] = [
    Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without doing anything"),
]
"""The key of every dialog."""

CONFIRM_BINDINGS: list[BindingType] = [
    Binding("ctrl+s", "confirm", "Confirm", id="confirm", tooltip="Send what the dialog holds"),
]
"""The key of a dialog that sends what it holds."""


@dataclass(frozen=True)
class Command:
    """One command palette entry.

    Attributes:
        title: What the palette shows and matches.
        help: One line under the title.
        callback: What choosing it does.
        needs: The core action (``"merge"``, ``"tag"``, ...) whose role the member must hold,
            or None when anyone may run it.
    """

    title: str
    help: str
    callback: Callable[[], object]
    needs: str | None = None
