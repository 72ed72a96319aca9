"""The command palette: the app's entries and the current screen's, as far as the roles allow.

Textual imports it when the palette first opens (see ``WgApp.COMMANDS``): the first frame does
without it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

from wgtool.tui.commands import Command


@dataclass(frozen=True)
class AppCommand:
    """A palette entry that runs an action of the app (``action_<action>``) from any screen."""

    title: str
    help: str
    action: str
    needs: str | None = None


APP_COMMANDS: tuple[AppCommand, ...] = (
    AppCommand("Drafts", "The list of drafts and their versions", "home"),
    AppCommand("Amendment queue", "All amendments, with filters and sorting", "queue"),
    AppCommand("Sync with a remote", "Fetch, join and push the record", "sync"),
    AppCommand("Inbox", "What changed since you last looked (i)", "inbox"),
    AppCommand("Silence procedures", "Running, ended, broken and concluded silences", "silences"),
    AppCommand(
        "Participation balance",
        "Per stakeholder group: amendments, positions, comments, in totals and per member",
        "stats",
    ),
    AppCommand("Help", "Keys, screens and roles", "help"),
    AppCommand(
        "Roster",
        "Secretariat: members by group; add a member, record a key",
        "roster",
        "add member",
    ),
    AppCommand(
        "Settings",
        "Secretariat: the consensus rule and signatures",
        "settings",
        "change settings",
    ),
    AppCommand("Act as another member", "Demo: pick any roster member", "act_as"),
)
"""The app's palette entries, offered on every screen where the app allows their action."""


class OffersCommands(Protocol):
    def commands(self) -> Iterable[Command]: ...


class WorkingGroupCommands(Provider):
    """Commands of the app and of the current screen, filtered by the acting member's roles.

    A member who is not the chair is never offered "merge", "reject" or "revert"; screens add
    what fits their state (e.g. "Revise" only to the proposer of an open amendment, "Revert"
    only on a merged one).
    """

    def _available(self) -> list[Command]:
        app = self.app
        offered = [
            Command(entry.title, entry.help, getattr(app, f"action_{entry.action}"), entry.needs)
            for entry in APP_COMMANDS
            if app.check_action(entry.action, ()) is not False
        ]
        if hasattr(self.screen, "commands"):
            offered.extend(cast(OffersCommands, self.screen).commands())
        allows: Callable[[str], bool] = getattr(app, "allows", lambda action: False)
        return [c for c in offered if c.needs is None or allows(c.needs)]

    async def discover(self) -> Hits:
        for command in self._available():
            yield DiscoveryHit(command.title, command.callback, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._available():
            score = matcher.match(command.title)
            if score > 0:
                yield Hit(
                    score,
                    matcher.highlight(command.title),
                    command.callback,
                    text=command.title,
                    help=command.help,
                )
