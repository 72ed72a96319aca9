"""What every screen of the app shares: the app as its host, the navigator that opens other
screens by name, reloading when the record changed."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, TypeVar, cast

from textual import work
from textual.binding import BindingType
from textual.screen import ModalScreen, Screen

from wgtool.tui.commands import BACK_BINDINGS, CANCEL_BINDINGS, Command
from wgtool.tui.host import Host
from wgtool.tui.messages import RecordChanged
from wgtool.tui.navigation import Navigator

if TYPE_CHECKING:
    from wgtool.api import DraftSummary, WorkingGroup

ResultType = TypeVar("ResultType")

SCREENS_CSS = Path(__file__).with_name("screens.tcss")
"""The look of every screen but the first, which paints with the app's stylesheet alone: the
app adds it to its stylesheet after the first frame (``WgApp.read_screens_css``), and the
screens name it as their ``CSS_PATH`` should one open before (Textual reads it then)."""


class WgScreen(Screen[None]):
    """A screen that shows part of the record and reads it again when it changed."""

    BINDINGS: ClassVar[list[BindingType]] = BACK_BINDINGS
    CSS_PATH: ClassVar[Path | None] = SCREENS_CSS

    _seen_version: int | None = None

    @property
    def wg_app(self) -> Host:
        return cast(Host, self.app)

    @property
    def navigator(self) -> Navigator:
        """Opens other screens by name (see :mod:`wgtool.tui.navigation`)."""
        return self.wg_app.navigator

    def on_screen_resume(self) -> None:
        # Paint the screen before its worker starts reading (and competing for the GIL).
        self.after_refresh(self.reload_if_stale)

    def after_refresh(self, callback: Callable[..., object], *args: object) -> None:
        """Run ``callback(*args)`` after the next repaint, counted as work under way (see
        ``WgApp.working``) until it has run."""
        self.wg_app.after_refresh(self, callback, *args)

    @property
    def waiting(self) -> bool:
        """Whether the screen waits to start a load (screens that delay one override this)."""
        return False

    def reload_if_stale(self) -> None:
        """Read the record again if it changed since this screen last read it."""
        if not self.is_mounted:
            return  # its ScreenResume, which comes after mounting, will load it
        if not self.wg_app.opened:
            return  # the app loads the screen on top once it has opened the working group
        version = self.wg_app.data_version
        if self._seen_version != version:
            self._seen_version = version
            self.load()

    glanced = False
    """Whether the screen shows what was read at a glance and has not read it again from the
    open working group yet (see :meth:`show_glanced`)."""

    def show_glanced(self, drafts: list[DraftSummary]) -> None:
        """Show the drafts read at a glance before the working group is opened (the first
        screen shows them, and sets :attr:`glanced`; it reads them again once the group is
        open, see :meth:`load`)."""

    def load(self) -> None:
        """Start the worker that reads what this screen shows (screens override this, marking
        a widget busy while it reads: ``WgApp.busy``)."""

    @property
    def reads(self) -> bool:
        """Whether this screen reads the record when it opens (it overrides :meth:`load`): the
        keys typed meanwhile wait for that first read."""
        return type(self).load is not WgScreen.load

    def meant_focus(self) -> str | None:
        """The selector of the widget to focus once the screen's data has arrived."""
        return self.AUTO_FOCUS

    def commands(self) -> Iterable[Command]:
        """This screen's command palette entries (the palette filters them by role)."""
        return ()

    @work(thread=True, group="write")
    def write(self, change: Callable[[WorkingGroup], object], summary: str) -> None:
        """Make one change through the core, then tell the app the record changed.

        A core error (no permission, a closed amendment, a bad text) becomes a notification
        and nothing is written.
        """
        with self.wg_app.core() as wg:
            change(wg)
            self.app.post_message(RecordChanged(summary, wg.record.record_fingerprint()))

    def action_refuse(self, action: str) -> None:
        """The key of an action this member may not take here: say why instead."""
        if not self.wg_app.refuse(action):
            self.explain_unavailable(action)

    def explain_unavailable(self, action: str) -> None:
        """Why ``action`` is unavailable although the member's roles allow it."""
        self.notify(f"{action} is not available here", severity="warning", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":
            return len(self.app.screen_stack) > 1
        return True

    def action_back(self) -> None:
        if len(self.app.screen_stack) > 1:
            self.app.pop_screen()


class WgModal(ModalScreen[ResultType]):
    """A dialog over the current screen; escape cancels it."""

    BINDINGS: ClassVar[list[BindingType]] = CANCEL_BINDINGS
    CSS_PATH: ClassVar[Path | None] = SCREENS_CSS

    _writing = False

    @property
    def wg_app(self) -> Host:
        return cast(Host, self.app)

    @property
    def navigator(self) -> Navigator:
        """Opens other screens by name (see :mod:`wgtool.tui.navigation`)."""
        return self.wg_app.navigator

    def write_then_close(
        self, change: Callable[[WorkingGroup], object], summary: str, result: ResultType
    ) -> None:
        """Make one change through the core, and close the dialog with ``result`` once it is
        written. On a core error (a name already taken, a role missing) the error is shown and
        the dialog stays open with everything the member typed."""
        if not self._writing:
            self._writing = True
            self._write(change, summary, result)

    @work(thread=True, group="write")
    def _write(
        self, change: Callable[[WorkingGroup], object], summary: str, result: ResultType
    ) -> None:
        written = False
        try:
            with self.wg_app.core() as wg:
                change(wg)
                written = True
                self.app.post_message(RecordChanged(summary, wg.record.record_fingerprint()))
        finally:
            self.app.call_from_thread(self._written, written, result)

    def _written(self, written: bool, result: ResultType) -> None:
        self._writing = False
        if written:
            self.dismiss(result)

    def action_cancel(self) -> None:
        self.dismiss(None)
