"""The secretariat's desk: the roster by stakeholder group (add a member, record a key), a new
draft from a file, and the working group's settings.

Every dialog writes through the core and closes only once the change is written: a refusal (a
handle taken, a file that is not UTF-8, a rule the settings cannot have) keeps what was typed.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widget import Widget
from textual.widgets import Button, Header, Input, Label, Select, Static

from wgtool.api import LookAlike, Member, Role, Settings, validate
from wgtool.tui.commands import Command
from wgtool.tui.render import clip, roles_label, safe
from wgtool.tui.screens.base import WgModal, WgScreen
from wgtool.tui.widgets import KeysFooter, MarkedCheckbox, RecordTable

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup

CONFIRM: list[BindingType] = [
    Binding("ctrl+s", "confirm", "Save", id="confirm", tooltip="Write it to the record")
]

NAME_RULE = "lowercase letters, digits and dashes, starting with a letter or digit"
"""How handles and draft names are written (the core's rule, shown before the member types)."""


def read_file(path: str, what: str) -> str:
    """A text file the member named (``~`` is their home), read as the core reads files."""
    return validate.read_text_file(Path(path.strip()).expanduser(), what)


def row(label: str, field: Widget) -> Horizontal:
    """A field with its label on one line (the desk's dialogs fit 80x24)."""
    return Horizontal(Label(label, classes="row-label"), field, classes="field-row")


def buttons(confirm: str) -> Horizontal:
    return Horizontal(
        Button(f"{confirm} (ctrl+s)", id="confirm", variant="primary", compact=True),
        Button("Cancel", id="cancel", compact=True),
        classes="buttons",
    )


class DeskDialog(WgModal[str]):
    """A secretariat's dialog: fields, then Save (ctrl+s) or Cancel."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM

    def on_mount(self) -> None:
        self.read_settings()

    @work(thread=True, exclusive=True, group="load")
    def read_settings(self) -> None:
        with self.wg_app.core() as wg:
            self.wg_app.deliver(self.show_settings, wg.record.settings)

    def show_settings(self, settings: Settings) -> None:
        """Fill the fields that depend on the settings (the groups, the current rule)."""

    def value(self, selector: str) -> str:
        return self.query_one(selector, Input).value.strip()

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        raise NotImplementedError

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


# -- the roster ------------------------------------------------------------------------------------


class RosterScreen(WgScreen):
    """The members, by stakeholder group: their roles and whether their SSH key is recorded."""

    AUTO_FOCUS = "#roster"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "add_member", "Add member", id="add-member", tooltip="Add a member"),
        Binding("n", "refuse('add member')", show=False),
        Binding(
            "s",
            "member_key",
            "SSH key",
            id="member-key",
            tooltip="Record the highlighted member's SSH public key",
        ),
        Binding("s", "refuse('add member')", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.members: list[Member] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Roster"), id="roster-info", classes="screen-title")
        yield RecordTable(id="roster")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#roster", RecordTable)
        for key, label, width in (
            ("group", "Group", 16),
            ("handle", "Handle", 12),
            ("name", "Name", 20),
            ("roles", "Roles", 11),
            ("key", "Key", 3),
        ):
            table.add_column(label, key=key, width=width)

    def load(self) -> None:
        table = self.query_one("#roster", RecordTable)
        self.wg_app.busy(table)
        self.read_roster(table)

    @work(thread=True, exclusive=True, group="load")
    def read_roster(self, table: RecordTable) -> None:
        with self.wg_app.core(busy=table) as wg:
            members, groups = wg.secretariat.members(), dict(wg.record.settings.groups)
            self.wg_app.deliver(self.show, members, groups)

    def show(self, members: list[Member], groups: dict[str, str]) -> None:
        highlighted = self.highlighted
        table = self.query_one("#roster", RecordTable)
        table.clear()
        self.members = [m for slug in groups for m in members if m.group == slug]
        previous = None
        for member in self.members:
            name = groups[member.group] if member.group != previous else ""
            previous = member.group
            table.add_row(
                safe(clip(name, 16), "bold", one_line=True),
                safe(member.handle, one_line=True),
                safe(clip(member.name, 20), one_line=True),
                Text(roles_label(member)),
                Text("yes" if member.ssh_key else "—"),
                key=member.handle,
            )
        handles = [m.handle for m in self.members]
        if highlighted in handles:
            table.move_cursor(row=handles.index(highlighted))
        info = Text(f"Roster · {len(members)} members in ", "bold")
        info.append(f"{len({m.group for m in members})} of {len(groups)} groups", "bold")
        info.append(" · n: add a member · s: record an SSH key", "dim")
        self.query_one("#roster-info", Static).update(info)

    @property
    def highlighted(self) -> str | None:
        """The handle of the highlighted member."""
        table = self.query_one("#roster", RecordTable)
        if not self.members or table.row_count == 0:
            return None
        return str(table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key.value)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("add_member", "member_key"):
            return self.wg_app.allows("add member")
        return super().check_action(action, parameters)

    def action_add_member(self) -> None:
        self.navigator.open("add-member")

    def action_member_key(self) -> None:
        if self.highlighted is not None:
            self.navigator.open("member-key", self.highlighted)

    def commands(self) -> Iterable[Command]:
        yield Command(
            "Add a member", "Secretariat: to the roster", self.action_add_member, "add member"
        )
        handle = self.highlighted
        if handle is not None:
            yield Command(
                f"Record the SSH key of {handle}",
                "Secretariat: their public key verifies their signatures",
                self.action_member_key,
                needs="add member",
            )


class MemberDialog(DeskDialog):
    """Add a member to the roster: returns the handle once added. A member who looks like
    another (a look-alike name, email or handle) is added on a second Save of the same fields,
    once the secretariat has read whom they look like."""

    AUTO_FOCUS = "#member-handle"

    def __init__(self) -> None:
        super().__init__()
        self.look_alike: tuple[str, str, str] | None = None
        """The handle, name and email refused as a look-alike: saved again, they are added."""

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="member-form"):
            yield Static(Text("Add a member to the roster", "bold"), classes="dialog-title")
            yield Static(Text(f"Handle: {NAME_RULE}", "dim"), classes="field-help")
            yield row("Handle", Input(id="member-handle", compact=True, placeholder="e.g. jdoe"))
            yield row("Name", Input(id="member-name", compact=True))
            yield row(
                "Email",
                Input(id="member-email", compact=True, placeholder="as in their git user.email"),
            )
            yield row("Group", Select[str]([], id="member-group", prompt="Choose", compact=True))
            yield row(
                "Roles",
                Horizontal(
                    MarkedCheckbox("chair", id="role-chair", compact=True),
                    MarkedCheckbox("secretariat", id="role-secretariat", compact=True),
                    id="member-roles",
                ),
            )
            yield row(
                "SSH key",
                Input(id="member-key-file", compact=True, placeholder="optional: a .pub file"),
            )
            yield buttons("Add")

    def show_settings(self, settings: Settings) -> None:
        self.query_one("#member-group", Select).set_options(
            [(Text(name), slug) for slug, name in settings.groups.items()]
        )

    def action_confirm(self) -> None:
        handle, name, email = (self.value(f"#member-{f}") for f in ("handle", "name", "email"))
        group = self.query_one("#member-group", Select).value
        if group is Select.NULL:
            self.notify("Choose the member's stakeholder group.", severity="warning")
            return
        roles = [r.value for r in (Role.CHAIR, Role.SECRETARIAT) if self._ticked(r.value)]
        key_file = self.value("#member-key-file")
        typed = (handle, name, email)

        def add(wg: WorkingGroup) -> None:
            try:
                wg.secretariat.add_member(
                    handle,
                    name=name,
                    email=email,
                    group=str(group),
                    roles=roles or (Role.MEMBER.value,),
                    ssh_key=read_file(key_file, "key file") if key_file else "",
                    force=typed == self.look_alike,
                )
            except LookAlike as error:
                self.look_alike = typed
                raise LookAlike(
                    f"{error.message}; if they are different people, save again to add them",
                    what=error.what,
                    other=error.other,
                ) from None

        self.write_then_close(add, f"Added {handle} to the roster", handle)

    def _ticked(self, role: str) -> bool:
        return self.query_one(f"#role-{role}", MarkedCheckbox).value


class KeyDialog(DeskDialog):
    """Record (or replace) a member's SSH public key, read from a .pub file."""

    AUTO_FOCUS = "#key-file"

    def __init__(self, handle: str) -> None:
        super().__init__()
        self.handle = handle

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Text("Record the SSH public key of ", "bold")
            title.append_text(safe(self.handle, "bold", one_line=True))
            yield Static(title, classes="dialog-title")
            yield Static(
                Text(
                    "It verifies what they sign from now on; what the old key signed stays valid.",
                    "dim",
                )
            )
            yield row("Key file", Input(id="key-file", compact=True, placeholder="e.g. ~/jdoe.pub"))
            yield buttons("Record")

    def action_confirm(self) -> None:
        handle, path = self.handle, self.value("#key-file")
        self.write_then_close(
            lambda wg: wg.secretariat.set_member_key(handle, read_file(path, "key file")),
            f"Recorded the SSH key of {handle}",
            handle,
        )


# -- drafts and settings ---------------------------------------------------------------------------


class DraftDialog(DeskDialog):
    """Add a draft from a Markdown file: returns its name once added."""

    AUTO_FOCUS = "#draft-slug"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(Text("Add a draft from a file", "bold"), classes="dialog-title")
            yield Static(Text(f"Name: {NAME_RULE}", "dim"), classes="field-help")
            yield row("Name", Input(id="draft-slug", compact=True, placeholder="e.g. principles"))
            yield row("Title", Input(id="draft-title", compact=True))
            yield row(
                "File",
                Input(id="draft-file", compact=True, placeholder="Markdown: a paragraph a block"),
            )
            yield buttons("Add")

    def action_confirm(self) -> None:
        slug, title, path = (self.value(f"#draft-{f}") for f in ("slug", "title", "file"))
        self.write_then_close(
            lambda wg: wg.drafts.add_draft(slug, title=title, text=read_file(path, "draft file")),
            f"Added draft {slug}",
            slug,
        )


class SettingsDialog(DeskDialog):
    """The consensus rule, the signature requirement and what a published site shows (the
    settings the core changes)."""

    AUTO_FOCUS = "#min-supporting"

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="settings-form"):
            yield Static(Text("Working group settings", "bold"), classes="dialog-title")
            yield Static(id="settings-about")
            yield Label(
                "Consensus: the fewest groups that must support, the most that may object",
                classes="field-label",
            )
            yield row("Supporting", Input(id="min-supporting", type="integer", compact=True))
            yield row("Objecting", Input(id="max-objecting", type="integer", compact=True))
            yield row("", MarkedCheckbox("every group heard", id="all-heard", compact=True))
            yield row(
                "Signatures",
                Select[str](
                    [("off", "off"), ("required (every member needs a key)", "required")],
                    id="signatures",
                    allow_blank=False,
                    compact=True,
                ),
            )
            yield row(
                "Published",
                Select[str](
                    [
                        ("texts, versions and ledgers", "texts"),
                        ("and the amendments", "amendments"),
                        ("and positions and comments", "positions"),
                    ],
                    id="publish",
                    allow_blank=False,
                    compact=True,
                ),
            )
            yield buttons("Save")

    def show_settings(self, settings: Settings) -> None:
        about = Text()
        about.append_text(safe(settings.title, "bold", one_line=True))
        about.append(f"\n{len(settings.groups)} stakeholder groups: ", "dim")
        about.append_text(safe(", ".join(settings.groups), "dim"))
        self.query_one("#settings-about", Static).update(about)
        rule = settings.consensus
        self.query_one("#min-supporting", Input).value = str(rule.min_supporting_groups)
        self.query_one("#max-objecting", Input).value = str(rule.max_objecting_groups)
        self.query_one("#all-heard", MarkedCheckbox).value = rule.require_all_groups_heard
        self.query_one("#signatures", Select).value = settings.signatures
        self.query_one("#publish", Select).value = settings.publish

    def action_confirm(self) -> None:
        try:
            supporting, objecting = (
                int(self.value(selector)) for selector in ("#min-supporting", "#max-objecting")
            )
        except ValueError:
            self.notify("Give the numbers of groups as whole numbers.", severity="warning")
            return
        heard = self.query_one("#all-heard", MarkedCheckbox).value
        signatures = str(self.query_one("#signatures", Select).value)
        publish = str(self.query_one("#publish", Select).value)
        self.write_then_close(
            lambda wg: wg.secretariat.update_settings(
                signatures=signatures,
                min_supporting_groups=supporting,
                max_objecting_groups=objecting,
                require_all_groups_heard=heard,
                publish=publish,
            ),
            "Changed the working group's settings",
            "settings",
        )
