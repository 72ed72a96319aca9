"""Small dialogs that collect one decision: a position, a comment or reply, a reason, a name."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Label, RadioSet, Select, Static, TextArea

from wgtool.api import Stance, Thread, WgError, validate
from wgtool.tui.commands import CONFIRM_BINDINGS
from wgtool.tui.render import clip, safe
from wgtool.tui.screens.base import WgModal
from wgtool.tui.widgets import EditorArea, MarkedCheckbox, MarkedRadioButton


class TextDialog(WgModal[str]):
    """Ask for a text (a comment, a reason); returns it, or None when cancelled."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM_BINDINGS
    AUTO_FOCUS = "#dialog-text"

    def __init__(
        self,
        title: Text | str,
        label: str,
        *,
        confirm: str = "Send",
        required: bool = True,
        initial: str = "",
        one_line: bool = False,
    ) -> None:
        super().__init__()
        self.dialog_title = title if isinstance(title, Text) else Text(title)
        self.label = label
        self.confirm_label = confirm
        self.required = required
        self.initial = initial
        self.one_line = one_line

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title")
            yield from self.compose_extra()
            yield Label(self.label, classes="field-label")
            if self.one_line:
                yield Input(self.initial, id="dialog-text", compact=True)
            else:
                yield EditorArea(self.initial, id="dialog-text")
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.confirm_label} (ctrl+s)", id="confirm", variant="primary", compact=True
                )
                yield Button("Cancel", id="cancel", compact=True)

    def compose_extra(self) -> ComposeResult:
        yield from ()

    @property
    def text(self) -> str:
        field = self.query_one("#dialog-text")
        return field.value if isinstance(field, Input) else self.query_one(TextArea).text

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def _confirm_pressed(self) -> None:
        self.action_confirm()

    def action_confirm(self) -> None:
        if self.required and not self.text.strip():
            self.notify(
                f"{self.label.split(' (')[0]} is empty: give some text",
                severity="warning",
                markup=False,
            )
            return
        self.dismiss(self.text)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class PositionDialog(WgModal[tuple[str, str]]):
    """Take or change a position: returns (stance, reason) or None."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM_BINDINGS
    AUTO_FOCUS = "#stance"

    def __init__(self, amendment_id: str, current: str | None = None) -> None:
        super().__init__()
        self.amendment_id = amendment_id
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(f"Your position on amendment {self.amendment_id}", "bold"),
                classes="dialog-title",
            )
            with RadioSet(id="stance"):
                for stance in Stance:
                    yield MarkedRadioButton(
                        stance.label,
                        id=f"stance-{stance.value}",
                        value=stance.value == (self.current or Stance.SUPPORT.value),
                    )
            yield Label("Reason (optional)", classes="field-label")
            yield Input(id="reason", placeholder="Why, in a sentence", compact=True)
            with Horizontal(classes="buttons"):
                yield Button("Send (ctrl+s)", id="confirm", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def action_confirm(self) -> None:
        pressed = self.query_one("#stance", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            self.notify("Choose a position.", severity="warning")
            return
        self.dismiss((pressed.id.removeprefix("stance-"), self.query_one("#reason", Input).value))

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class ReplyDialog(TextDialog):
    """Reply to one comment of a thread: returns the text; ``reply_to`` is the comment's id."""

    def __init__(self, amendment_id: str, threads: list[Thread]) -> None:
        super().__init__(f"Reply on amendment {amendment_id}", "Your reply", confirm="Reply")
        self.choices: list[tuple[Text, str]] = []
        self.reply_to = ""
        """The id of the comment answered (set when the member confirms)."""
        for thread in threads:
            self._collect(thread, 0)

    def _collect(self, thread: Thread, depth: int) -> None:
        comment = thread.comment
        label = Text("  " * (depth - 1) + "↳ " if depth else "")
        label.append_text(safe(f"{comment.member}: {clip(comment.text, 50)}", one_line=True))
        self.choices.append((label, comment.id))
        for reply in thread.replies:
            self._collect(reply, depth + 1)

    def compose_extra(self) -> ComposeResult:
        yield Label("In reply to", classes="field-label")
        yield Select(
            self.choices,
            id="reply-to",
            allow_blank=False,
            value=self.choices[-1][1] if self.choices else Select.NULL,
        )

    def action_confirm(self) -> None:
        self.reply_to = str(self.query_one("#reply-to", Select).value)
        super().action_confirm()


class TagDialog(WgModal[tuple[str, str]]):
    """Name and describe a consensus version, and tag it: returns (name, message) once the tag
    is written, or None. The naming rule is shown before the member types; a name the core
    refuses keeps the dialog open with what was typed."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM_BINDINGS
    AUTO_FOCUS = "#version-name"

    NAMING_RULE = (
        "Letters, digits, '.', '_' and '-', starting with a letter or digit; no spaces "
        "(e.g. v1, second-reading)"
    )

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            title = Text("Tag a consensus version of ", "bold")
            title.append_text(safe(self.slug, "bold", one_line=True))
            title.append(": the current text", "bold")
            yield Static(title, classes="dialog-title")
            yield Label("Version name", classes="field-label")
            yield Static(Text(self.NAMING_RULE), id="naming-rule", classes="field-help")
            yield Input(id="version-name", compact=True)
            yield Label("Message (e.g. where it was agreed)", classes="field-label")
            yield EditorArea(id="version-message")
            yield MarkedCheckbox(
                "Tag although brackets remain (the tag records how many)",
                id="allow-brackets",
                compact=True,
            )
            yield MarkedCheckbox(
                "Renumber the paragraphs first (7bis becomes 8)", id="renumber", compact=True
            )
            with Horizontal(classes="buttons"):
                yield Button("Tag (ctrl+s)", id="confirm", variant="primary", compact=True)
                yield Button("Cancel", id="cancel", compact=True)

    @on(Button.Pressed, "#confirm")
    def action_confirm(self) -> None:
        name = self.query_one("#version-name", Input).value.strip()
        message = self.query_one("#version-message", TextArea).text
        try:
            validate.new_version_name(name)
        except WgError as error:
            self.wg_app.show_error(error)
            self.query_one("#version-name", Input).focus()
            return
        slug = self.slug
        allow = self.query_one("#allow-brackets", MarkedCheckbox).value
        renumber = self.query_one("#renumber", MarkedCheckbox).value
        self.write_then_close(
            lambda wg: wg.procedure.tag(
                slug, name, message=message, allow_brackets=allow, renumber=renumber
            ),
            f"Tagged {slug}/{name}",
            (name, message),
        )

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)
