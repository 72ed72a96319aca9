"""Write an amendment: propose a change to a paragraph, revise one's own amendment, or
propose a change to another's amendment (a sub-amendment).

The member sees the word diff of exactly what they are about to send before they confirm:
the first ctrl+s reviews, the second proposes. Either text can be written in $EDITOR.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import (
    Button,
    Header,
    Input,
    Label,
    RadioSet,
    Static,
    TextArea,
)

from wgtool.api import Amendment, DiffOp, Kind, WgError, WorkingGroup, amending, document, validate
from wgtool.tui.messages import RecordChanged
from wgtool.tui.render import safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import DiffView, EditorArea, KeysFooter, MarkedRadioButton


@dataclass(frozen=True)
class Written:
    """What the member wrote in the form."""

    kind: Kind
    text: str
    rationale: str
    title: str = ""


KIND_LABELS = {Kind.REPLACE: "Replace it", Kind.INSERT: "Insert after it", Kind.DELETE: "Delete it"}


class AmendmentForm(WgScreen):
    """A text and a rationale, reviewed as a word diff before they are sent to the core."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "submit",
            "Review",
            id="submit",
            tooltip="First show the word diff, then send it",
        ),
        Binding(
            "ctrl+o",
            "editor",
            "Editor",
            id="editor",
            tooltip="Write the focused text in your $EDITOR",
        ),
    ]

    AUTO_FOCUS = "#text"

    def __init__(self, old_text: str) -> None:
        super().__init__()
        self.old_text = old_text
        self._reviewed: Written | None = None
        self._sending = False

    # -- layout ----------------------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="form"):
            yield Static(self.heading(), id="form-heading", classes="screen-title")
            old = Text("It now reads:\n", "italic")
            old.append_text(safe(self.old_text or "(nothing)"))
            yield Static(old, id="old-text")
            yield from self.compose_kind()
            yield Label("New text", classes="field-label", id="text-label")
            yield EditorArea(self.initial_text(), id="text")
            yield Label(
                "Rationale (required): why the group should accept it", classes="field-label"
            )
            yield EditorArea(self.initial_rationale(), id="rationale")
            yield from self.compose_title()
            yield Label("What you are about to send:", id="preview-label", classes="field-label")
            yield DiffView(id="preview")
        # Outside the scrolling form: the buttons stay in sight whatever the texts' length.
        with Horizontal(classes="buttons", id="form-buttons"):
            yield Button("Review (ctrl+s)", id="submit", variant="primary", compact=True)
            yield Button("Editor (ctrl+o)", id="editor", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        self._show_preview(None)
        form = self.query_one("#form", VerticalScroll)
        self.after_refresh(partial(form.scroll_home, animate=False))

    def heading(self) -> Text:
        raise NotImplementedError

    def compose_kind(self) -> ComposeResult:
        yield from ()

    def compose_title(self) -> ComposeResult:
        yield from ()

    def initial_text(self) -> str:
        return self.old_text

    def initial_rationale(self) -> str:
        return ""

    # -- the form's state --------------------------------------------------------------------------

    @property
    def kind(self) -> Kind:
        return Kind.REPLACE

    def inputs(self) -> Written:
        """Everything the member typed; a change after the review asks for a new review."""
        return Written(
            self.kind,
            self.query_one("#text", TextArea).text,
            self.query_one("#rationale", TextArea).text,
        )

    @on(TextArea.Changed)
    @on(Input.Changed)
    @on(RadioSet.Changed)
    def _edited(self) -> None:
        if self._reviewed is not None and self._reviewed != self.inputs():
            self._show_preview(None)

    def _show_preview(self, ops: tuple[DiffOp, ...] | None) -> None:
        self._reviewed = None if ops is None else self.inputs()
        self.query_one("#preview-label").display = ops is not None
        preview = self.query_one("#preview", DiffView)
        preview.display = ops is not None
        submit = self.query_one("#submit", Button)
        submit.label = "Review (ctrl+s)" if ops is None else f"{self.confirm_label()} (ctrl+s)"
        if ops is not None:
            preview.ops = ops
            submit.focus(scroll_visible=False)
            form = self.query_one("#form", VerticalScroll)
            self.after_refresh(partial(form.scroll_end, animate=False))
        self._kind_shown()

    def _kind_shown(self) -> None:
        """The text field only when there is a text to write; the old text beside it only
        when the text field does not already hold it."""
        kind = self.kind
        for selector in ("#text", "#text-label"):
            self.query_one(selector).display = kind is not Kind.DELETE
        self.query_one("#old-text").display = kind is not Kind.REPLACE or self.shows_old_text

    def confirm_label(self) -> str:
        return "Confirm"

    shows_old_text = True
    """Whether the old text stays visible even when the text field starts with it."""

    # -- actions -----------------------------------------------------------------------------------

    @on(Button.Pressed, "#submit")
    def action_submit(self) -> None:
        if self._sending:
            return
        inputs = self.inputs()
        if self._reviewed == inputs:
            self._sending = True
            self.query_one("#submit", Button).disabled = True
            self.send(inputs)
        else:
            self.review(inputs)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.app.pop_screen()

    @work(thread=True, exclusive=True, group="review")
    def review(self, inputs: Written) -> None:
        """Check the texts as the core will, and compute the word diff (off the UI thread)."""
        try:
            ops = tuple(self.diff(inputs))
        except WgError as error:
            self.wg_app.deliver(self.wg_app.show_error, error)
            return
        self.wg_app.deliver(self._show_preview, ops)

    def diff(self, inputs: Written) -> list[DiffOp]:
        """The word diff of what the member is about to send, checked as the core will."""
        return amending.proposal_diff(self.old_text, inputs.kind, inputs.text, inputs.rationale)

    @work(thread=True, group="write")
    def send(self, inputs: Written) -> None:
        """Send the reviewed texts through the core (a core error leaves the form as it is)."""
        result: tuple[Amendment, str] | None = None
        fingerprint: str | None = None
        with self.wg_app.core() as wg:
            result = self.write_amendment(wg, inputs)
            fingerprint = wg.record.record_fingerprint()
        amendment, summary = result if result is not None else (None, "")
        self.app.call_from_thread(self.sent, amendment, RecordChanged(summary, fingerprint))

    def write_amendment(self, wg: WorkingGroup, inputs: Written) -> tuple[Amendment, str]:
        """The core call this form makes: the amendment written, and a line saying so."""
        raise NotImplementedError

    def sent(self, amendment: Amendment | None, changed: RecordChanged) -> None:
        """Back on the UI thread after sending: show the amendment, or let the member retry."""
        self._sending = False
        self.query_one("#submit", Button).disabled = False
        if amendment is None:
            return
        self.app.post_message(changed)
        self.after_sending(amendment)

    def after_sending(self, amendment: Amendment) -> None:
        self.app.pop_screen()

    @on(Button.Pressed, "#editor")
    def action_editor(self) -> None:
        """Hand the terminal to $VISUAL or $EDITOR to write the focused text."""
        area = self.focused if isinstance(self.focused, TextArea) else None
        if area is None or area.disabled:
            area = self.query_one("#text", TextArea)
        editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
        with tempfile.TemporaryDirectory(prefix="wgtool-") as folder:
            path = Path(folder) / ("rationale.md" if area.id == "rationale" else "text.md")
            path.write_text(area.text, encoding="utf-8")
            try:
                with self.app.suspend():
                    subprocess.run([*shlex.split(editor), str(path)], check=False)
            except SuspendNotSupported:
                self.notify("This terminal cannot hand over to an editor.", severity="warning")
                return
            except (OSError, ValueError) as error:
                self.notify(
                    f"Cannot run the editor {editor!r}: {error}", severity="error", markup=False
                )
                return
            try:
                area.text = validate.read_text_file(path, "the edited text").rstrip("\n")
            except WgError as error:
                self.wg_app.show_error(error)
        area.focus()


class ProposeScreen(AmendmentForm):
    """Propose an amendment to paragraph N: replace it, insert after it, or delete it."""

    def __init__(
        self,
        slug: str,
        paragraph: int,
        draft_text: str,
        kind: Kind = Kind.REPLACE,
        *,
        label: str | None = None,
        alternative_to: str | None = None,
    ) -> None:
        super().__init__(document.paragraph(draft_text, paragraph).text)
        self.slug = slug
        self.paragraph = paragraph
        self.label = label or str(paragraph)
        self.initial_kind = kind
        self.alternative_to = alternative_to

    def heading(self) -> Text:
        heading = Text("Propose an amendment to ", style="bold")
        heading.append_text(safe(self.slug, "bold", one_line=True))
        heading.append(f" ¶{self.label}", style="bold")
        if self.alternative_to:
            heading.append(f" · an alternative to {self.alternative_to}")
        return heading

    def compose_kind(self) -> ComposeResult:
        with RadioSet(id="kind"):
            for kind, label in KIND_LABELS.items():
                yield MarkedRadioButton(
                    label, value=kind is self.initial_kind, id=f"kind-{kind.value}"
                )

    def compose_title(self) -> ComposeResult:
        with Horizontal(id="title-row"):
            yield Label("Title (optional)", classes="inline-field-label")
            yield Input(
                id="title",
                compact=True,
                placeholder="A short title; a default is made from the paragraph",
            )

    shows_old_text = False

    def initial_text(self) -> str:
        return "" if self.initial_kind is Kind.INSERT else self.old_text

    @property
    def kind(self) -> Kind:
        pressed = self.query_one("#kind", RadioSet).pressed_button
        if pressed is None or pressed.id is None:
            return self.initial_kind
        return Kind(pressed.id.removeprefix("kind-"))

    def inputs(self) -> Written:
        written = super().inputs()
        return Written(
            written.kind, written.text, written.rationale, self.query_one("#title", Input).value
        )

    def confirm_label(self) -> str:
        return "Propose"

    def after_sending(self, amendment: Amendment) -> None:
        self.navigator.replace("amendment", amendment.id)

    @on(RadioSet.Changed, "#kind")
    def _kind_changed(self, event: RadioSet.Changed) -> None:
        area = self.query_one("#text", TextArea)
        if self.kind is Kind.INSERT and area.text == self.old_text:
            area.text = ""
        elif self.kind is Kind.REPLACE and not area.text.strip():
            area.text = self.old_text
        self._kind_shown()

    def write_amendment(self, wg: WorkingGroup, inputs: Written) -> tuple[Amendment, str]:
        amendment = wg.amendments.propose(
            self.slug,
            kind=inputs.kind,
            paragraph=self.label,
            text=None if inputs.kind is Kind.DELETE else inputs.text,
            rationale=inputs.rationale,
            title=inputs.title.strip() or None,
            alternative_to=self.alternative_to,
        )
        return amendment, f"Proposed amendment {amendment.id}"


class ReviseScreen(AmendmentForm):
    """Revise one's own open amendment: a new text (and rationale) for the same target."""

    def __init__(self, amendment: Amendment, old_text: str, current_text: str) -> None:
        super().__init__(old_text)
        self.amendment = amendment
        self.current_text = current_text

    def heading(self) -> Text:
        heading = Text(f"Revise amendment {self.amendment.id} to ", style="bold")
        heading.append_text(safe(self.amendment.draft, "bold", one_line=True))
        if self.amendment.paragraph is not None:
            heading.append(f" ¶{self.amendment.label or self.amendment.paragraph}", style="bold")
        return heading

    def initial_text(self) -> str:
        return self.current_text

    def initial_rationale(self) -> str:
        return self.amendment.rationale

    def diff(self, inputs: Written) -> list[DiffOp]:
        return amending.revision_diff(
            self.old_text, self.amendment.kind, inputs.text, inputs.rationale
        )

    def confirm_label(self) -> str:
        return "Revise"

    def write_amendment(self, wg: WorkingGroup, inputs: Written) -> tuple[Amendment, str]:
        amendment = wg.amendments.revise(
            self.amendment.id, text=inputs.text, rationale=inputs.rationale
        )
        return amendment, f"Revised amendment {amendment.id} (revision {amendment.revision})"


class SubAmendScreen(AmendmentForm):
    """Propose a change to an open amendment's text: a sub-amendment, with its own positions
    and consensus, which the amendment's proposer may accept or the chair merge into it."""

    def __init__(self, amendment: Amendment, current_text: str) -> None:
        super().__init__(current_text)
        self.amendment = amendment

    def heading(self) -> Text:
        heading = Text(f"Amend amendment {self.amendment.id} to ", style="bold")
        heading.append_text(safe(self.amendment.draft, "bold", one_line=True))
        heading.append(f" ¶{self.amendment.label or self.amendment.paragraph}", style="bold")
        heading.append(" · a sub-amendment: its proposer may accept it, the chair merge it")
        return heading

    def diff(self, inputs: Written) -> list[DiffOp]:
        return amending.revision_diff(self.old_text, Kind.REPLACE, inputs.text, inputs.rationale)

    def confirm_label(self) -> str:
        return "Propose"

    def write_amendment(self, wg: WorkingGroup, inputs: Written) -> tuple[Amendment, str]:
        sub = wg.subamendments.propose_to(
            self.amendment.id, text=inputs.text, rationale=inputs.rationale
        )
        return sub, f"Proposed sub-amendment {sub.id} to amendment {self.amendment.id}"

    def after_sending(self, amendment: Amendment) -> None:
        self.navigator.replace("amendment", amendment.id)
