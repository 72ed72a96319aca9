"""Where the screens go: every screen and dialog by name, opened with its arguments.

A screen asks for "the amendment ID" or "the queue of SLUG at ¶7" by name
(``self.navigator.open("amendment", amendment_id)``), never by importing the screen that shows
it: screens do not know each other, and this table is the one place that knows them all.

Textual's named screens (``App.SCREENS``) are built without arguments and kept once built, so
they cannot show *an* amendment; the routes here are factories that take arguments, and each
opening builds a new screen. Each screen's module is imported when it is first opened (paint
first: the app imports no screen but the first before the first frame).
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module
from typing import Any
from weakref import WeakKeyDictionary

from textual.app import App
from textual.screen import Screen

ROUTES: dict[str, str] = {
    "drafts": "drafts:DraftsScreen",
    "draft": "reader:DraftScreen",
    "queue": "queue:QueueScreen",
    "amendment": "amendment:AmendmentScreen",
    "propose": "propose:ProposeScreen",
    "revise": "propose:ReviseScreen",
    "sub-amend": "propose:SubAmendScreen",
    "merge": "merge:MergeScreen",
    "versions": "versions:VersionsScreen",
    "redline": "versions:RedlineScreen",
    "translation": "translation:TranslationScreen",
    "inbox": "inbox:InboxScreen",
    "silences": "agreement:SilencesScreen",
    "stats": "stats:StatsScreen",
    "roster": "desk:RosterScreen",
    "sync": "sync:SyncScreen",
    "help": "help:HelpScreen",
    "act-as": "members:MemberPicker",
    "settings": "desk:SettingsDialog",
    "add-member": "desk:MemberDialog",
    "member-key": "desk:KeyDialog",
    "add-draft": "desk:DraftDialog",
    "tag": "dialogs:TagDialog",
    "text": "dialogs:TextDialog",
    "position": "dialogs:PositionDialog",
    "reply": "dialogs:ReplyDialog",
    "fields": "agreement:FieldsDialog",
}
"""Each route's screen, as ``module:class`` in :mod:`wgtool.tui.screens`."""

SCREENS_PACKAGE = "wgtool.tui.screens"


def screen_class(route: str) -> type[Screen[Any]]:
    """The class of the screen a route opens (its module imported on first use).

    Raises:
        KeyError: no such route.
    """
    module, name = ROUTES[route].split(":")
    found: type[Screen[Any]] = getattr(import_module(f"{SCREENS_PACKAGE}.{module}"), name)
    return found


class Navigator:
    """Opens screens by route for the app and its screens, and knows which route is on top."""

    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._routes: WeakKeyDictionary[Screen[Any], str] = WeakKeyDictionary()

    def build(self, route: str, *args: Any, **kwargs: Any) -> Screen[Any]:
        """A new screen for ``route``, built with ``args`` and ``kwargs``."""
        screen = screen_class(route)(*args, **kwargs)
        self._routes[screen] = route
        return screen

    def open(
        self,
        route: str,
        *args: Any,
        then: Callable[[Any], None] | None = None,
        **kwargs: Any,
    ) -> Screen[Any]:
        """Open ``route`` over the current screen; a dialog's result goes to ``then``.

        Returns:
            The screen opened (a dialog's caller may read more than its result from it).
        """
        screen = self.build(route, *args, **kwargs)
        self.app.push_screen(screen, then)
        return screen

    def replace(self, route: str, *args: Any, **kwargs: Any) -> Screen[Any]:
        """Open ``route`` in place of the current screen (escape leads to the one below)."""
        screen = self.build(route, *args, **kwargs)
        self.app.switch_screen(screen)
        return screen

    @property
    def current(self) -> str | None:
        """The route of the screen on top (None for a screen no route opened)."""
        return self.route_of(self.app.screen)

    def showing(self, route: str) -> bool:
        """Whether the screen on top is one ``route`` opened."""
        return self.current == route

    def route_of(self, screen: Screen[Any]) -> str | None:
        """The route that opened ``screen``, or None."""
        return self._routes.get(screen)

    def home(self) -> None:
        """Back to the first screen, closing every screen above it."""
        while len(self.app.screen_stack) > 1:
            self.app.pop_screen()
