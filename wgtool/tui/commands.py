"""The command palette: what the current screen and the app offer, as far as the roles allow."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from wgtool.tui.app import WgApp


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


class OffersCommands(Protocol):
    def commands(self) -> Iterable[Command]: ...


class WorkingGroupCommands(Provider):
    """Commands of the app and of the current screen, filtered by the acting member's roles.

    A member who is not the chair is never offered "merge", "reject" or "revert"; screens add
    what fits their state (e.g. "Revise" only to the proposer of an open amendment, "Revert"
    only on a merged one).
    """

    def _available(self) -> list[Command]:
        app = cast("WgApp", self.app)
        offered: list[Command] = list(app.commands())
        if hasattr(self.screen, "commands"):
            offered.extend(cast(OffersCommands, self.screen).commands())
        return [c for c in offered if c.needs is None or app.allows(c.needs)]

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
