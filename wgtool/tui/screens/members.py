"""The demo's member picker: act as any member of the roster, to see each role's view."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from wgtool.api import Member
from wgtool.tui.render import roles_label, safe
from wgtool.tui.screens.base import WgModal
from wgtool.tui.widgets import RecordList


class MemberPicker(WgModal[str]):
    """Pick a roster member; returns the handle (or None when cancelled)."""

    AUTO_FOCUS = "#members"

    def __init__(self, current: str | None = None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="member-dialog"):
            yield Static(Text("Act as which member?", "bold"), classes="dialog-title")
            yield Static(
                Text(
                    "Each stakeholder group, and the chair and secretariat roles: "
                    "pick one to see what they see.",
                    "dim",
                )
            )
            yield RecordList(id="members")

    def on_mount(self) -> None:
        members = self.query_one("#members", OptionList)
        self.wg_app.busy(members)
        self.read_roster(members)

    @work(thread=True, exclusive=True, group="load")
    def read_roster(self, members: OptionList) -> None:
        with self.wg_app.core(busy=members) as wg:
            roster = wg.secretariat.members()
            groups = dict(wg.record.settings.groups)
            self.wg_app.deliver(self.show, roster, groups)

    def show(self, roster: list[Member], groups: dict[str, str]) -> None:
        members = self.query_one("#members", OptionList)
        options: list[Option] = []
        for slug, name in groups.items():
            in_group = [m for m in roster if m.group == slug]
            if not in_group:
                continue
            options.append(Option(safe(name, "bold", one_line=True), disabled=True))
            for member in in_group:
                label = Text("  ")
                label.append_text(safe(f"{member.name} ({member.handle})", one_line=True))
                role = roles_label(member)
                if role != "member":
                    label.append(f" · {role}", "bold")
                options.append(Option(label, id=member.handle))
        members.clear_options()
        members.add_options(options)
        if self.current:
            try:
                members.highlighted = members.get_option_index(self.current)
            except LookupError:
                pass
        if members.highlighted is None:
            members.action_first()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        if event.option.id:
            self.dismiss(event.option.id)
