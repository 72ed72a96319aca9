"""The member's inbox: what changed since they last looked in this clone, per amendment.

The same answer as ``wgtool inbox`` (:meth:`InboxDesk.inbox`): new and revised amendments,
positions, comments, decisions, co-sponsors and silences, with what needs the member's position
and what is theirs. What the screen showed is marked as seen when the member leaves it (or
presses ``x``), never before; the filters only narrow what is shown (and marked).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from wgtool.api import AmendmentNews, Inbox
from wgtool.tui.commands import Command
from wgtool.tui.render import clip, safe, status_text, when
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter, RecordList


class InboxScreen(WgScreen):
    """What changed since the acting member last looked; Enter opens an amendment."""

    AUTO_FOCUS = "#inbox"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "n",
            "filter('needs_position')",
            "Needs me",
            id="needs-position",
            tooltip="Only what needs your position",
        ),
        Binding("m", "filter('mine')", "Mine", id="mine", tooltip="Only your amendments"),
        Binding(
            "e",
            "filter('everything')",
            "All",
            id="everything",
            tooltip="Every amendment that passes the filters, changed or not",
        ),
        Binding(
            "x", "mark_seen", "Mark seen", id="mark-seen", tooltip="Mark what is shown as seen now"
        ),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.needs_position = False
        self.mine = False
        self.everything = False
        self.inbox: Inbox | None = None
        self.marked = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Inbox", "bold"), id="inbox-info", classes="screen-title")
        yield RecordList(id="inbox")
        yield KeysFooter()

    def load(self) -> None:
        listing = self.query_one("#inbox", OptionList)
        self.wg_app.busy(listing)
        self.read(listing, self.needs_position, self.mine, self.everything)

    @work(thread=True, exclusive=True, group="load")
    def read(self, listing: OptionList, needs: bool, mine: bool, everything: bool) -> None:
        with self.wg_app.core(busy=listing) as wg:
            inbox = wg.inbox.inbox(needs_position=needs, mine=mine, everything=everything)
            self.wg_app.deliver(self.show, inbox)

    def show(self, inbox: Inbox) -> None:
        self.inbox = inbox
        listing = self.query_one("#inbox", OptionList)
        highlighted = listing.highlighted
        listing.clear_options()
        listing.add_options([_option(item) for item in inbox.news.amendments])
        for version in inbox.news.versions:
            line = Text("New version ", "bold")
            line.append_text(safe(f"{version.tag}: {clip(version.message, 50)}", one_line=True))
            listing.add_option(Option(line, id=f"version:{version.tag}"))
        if listing.option_count:
            listing.highlighted = min(highlighted or 0, listing.option_count - 1)
        self.query_one("#inbox-info", Static).update(self._info(inbox))

    def _info(self, inbox: Inbox) -> Text:
        info = Text("Inbox", "bold")
        since = "your first look here" if inbox.since is None else f"since {when(inbox.since)}"
        info.append(f" · {since} · {inbox.waiting} need your position")
        shown = [
            name
            for name, on in (
                ("needs me", self.needs_position),
                ("mine", self.mine),
                ("all", self.everything),
            )
            if on
        ]
        if shown:
            info.append(" · " + ", ".join(shown), "bold")
        if not inbox.news:
            info.append("\nNothing new." if not shown else "\nNothing matches.")
            if self.needs_position and not self.everything and inbox.waiting:
                # n narrows what changed since the last look; what waits may be older news.
                waiting = inbox.waiting
                which = "The amendment" if waiting == 1 else f"The {waiting} amendments"
                info.append(
                    f" {which} waiting for your position did not change since your last "
                    "look: press e to list every one."
                )
        return info

    def action_filter(self, name: str) -> None:
        setattr(self, name, not getattr(self, name))
        self.load()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        option_id = event.option.id or ""
        if option_id.startswith("amendment:"):
            self.navigator.open("amendment", option_id.removeprefix("amendment:"))

    def action_mark_seen(self) -> None:
        inbox = self.inbox
        if inbox is None or self.marked:
            return
        self.marked = True
        self.write(lambda wg: wg.inbox.mark_seen(inbox), "Marked as seen")

    def on_screen_suspend(self) -> None:
        """Leaving for an amendment is not leaving the inbox: nothing is marked yet."""

    def action_back(self) -> None:
        self.action_mark_seen()
        super().action_back()

    def commands(self) -> Iterable[Command]:
        yield Command(
            "Only what needs my position",
            "Toggle (n)",
            lambda: self.action_filter("needs_position"),
        )
        yield Command("Only my amendments", "Toggle (m)", lambda: self.action_filter("mine"))
        yield Command("Mark the inbox as seen", "What is shown, now (x)", self.action_mark_seen)


def _option(item: AmendmentNews) -> Option:
    a = item.amendment
    line = Text(f"{a.id}  ", "bold")
    line.append_text(safe(f"{a.draft} {a.target or 'doc'}  ", one_line=True))
    line.append_text(status_text(a.status))
    line.append("  ")
    line.append_text(safe(clip(a.title, 40), one_line=True))
    if item.needs_position:
        line.append("  [needs your position]", "bold reverse")
    if item.mine:
        line.append("  [yours]", "bold")
    for change in item.changes:
        line.append("\n    ")
        line.append_text(safe(change.describe(70), one_line=True))
    return Option(line, id=f"amendment:{a.id}")
