"""What screens and commands may ask of the app, without importing it.

The app (:mod:`wgtool.tui.app`) is the entry point: it imports the screens' base, and nothing in
the UI imports it back. Screens see it through :class:`Host`, which it implements; commands see
the screen they act for through :class:`Writes`.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

from textual.message_pump import MessagePump
from textual.widget import Widget

from wgtool.api import Member, WgError
from wgtool.tui.navigation import Navigator

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup
    from wgtool.tui.session import Session


class Host(Protocol):
    """The app as its screens use it: the working group in workers, the acting member, the
    record's version, the navigator."""

    member: Member | None
    opened: bool
    session: Session
    data_version: int
    navigator: Navigator

    def core(self, *, busy: Widget | None = None) -> AbstractContextManager[WorkingGroup]: ...

    def busy(self, widget: Widget) -> None: ...

    def not_busy(self, widget: Widget) -> None: ...

    def deliver(self, callback: Callable[..., object], *args: object) -> None: ...

    def after_refresh(
        self, owner: MessagePump, callback: Callable[..., object], *args: object
    ) -> None: ...

    def show_error(self, error: WgError) -> None: ...

    def allows(self, action: str) -> bool: ...

    def refuse(self, action: str) -> bool: ...


class Writes(Protocol):
    """A screen that commands act for: it writes through the core and reaches the app."""

    @property
    def wg_app(self) -> Host: ...

    def write(self, change: Callable[[WorkingGroup], object], summary: str) -> object: ...
