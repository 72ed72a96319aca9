"""The chair's merge: preview the draft after merging, merge as proposed or as orally revised,
and resolve a conflict by editing the text when the draft changed under the amendment."""

from __future__ import annotations

from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Header, Label, Static, TextArea

from wgtool.core import document
from wgtool.core.errors import MergeConflict, StateError, WgError
from wgtool.core.model import Amendment, Kind
from wgtool.core.text import Conflict, DiffOp, word_diff
from wgtool.core.workgroup import AmendmentChange
from wgtool.tui.messages import RecordChanged
from wgtool.tui.render import safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import DiffView, KeysFooter


class MergeScreen(WgScreen):
    """Merge one amendment; every merge is previewed as a word diff of the draft first.

    Three ways: as proposed (ctrl+s), as orally revised (ctrl+r, then edit the text, ctrl+s to
    review and ctrl+s to merge), or, when the amendment conflicts with the current text, with the
    chair's resolution (edit, review, merge; refused if the draft moved meanwhile).
    """

    AUTO_FOCUS = "#merge-button"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "ctrl+s",
            "merge",
            "Review/merge",
            id="merge-confirm",
            tooltip="Review the result, then merge",
        ),
        Binding(
            "ctrl+r",
            "revise",
            "Orally revised",
            id="merge-revised",
            tooltip="Edit the amendment's text before merging it (as orally revised)",
        ),
    ]

    def __init__(self, amendment: Amendment, change: AmendmentChange) -> None:
        super().__init__()
        self.amendment = amendment
        self.change = change
        self.mode = "loading"  # proposed | revised | conflict
        self.main_seen: str | None = None
        self.current_text = ""
        self.conflict_paragraph: int | None = None
        self._reviewed: str | None = None  # the text whose result the chair has seen
        self._sending = False

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="merge"):
            heading = Text(f"Merge amendment {self.amendment.id} into ", "bold")
            heading.append_text(safe(self.amendment.draft, "bold", one_line=True))
            heading.append("\n")
            heading.append_text(safe(self.amendment.title, "italic", one_line=True))
            yield Static(heading, classes="screen-title")
            yield Static(id="conflicts")
            yield Label("", id="editor-label", classes="field-label")
            yield TextArea(id="editor", soft_wrap=True)
            yield Static(id="merge-note", classes="field-label")
            yield DiffView(id="merge-preview", context_only=True)
            with Horizontal(classes="buttons"):
                yield Button("Merge", id="merge-button", variant="warning", compact=True)
                yield Button("As orally revised…", id="revise-button", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        for selector in ("#conflicts", "#editor-label", "#editor"):
            self.query_one(selector).display = False

    def load(self) -> None:
        self.start_preview(None)

    def start_preview(self, revised_text: str | None) -> None:
        body = self.query_one("#merge", VerticalScroll)
        self.wg_app.busy(body)
        self.preview(revised_text, body)

    # -- previews ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def preview(self, revised_text: str | None, body: VerticalScroll) -> None:
        """The draft after merging (as proposed, or with the revised text), or the conflict."""
        with self.wg_app.core(busy=body) as wg:
            plan = wg.plan_merge(
                self.amendment.id, revised_text=revised_text, amendment=self.amendment
            )
            if plan.merged is None:
                conflicts = plan.result.conflicts
                self.wg_app.deliver(self.show_conflict, plan.main, plan.current, conflicts)
                return
            ops = tuple(word_diff(plan.current, plan.merged))
            self.wg_app.deliver(self.show_preview, plan.main, ops, revised_text)

    def show_preview(self, main: str, ops: tuple[DiffOp, ...], revised_text: str | None) -> None:
        self.main_seen = main
        self.mode = "revised" if revised_text is not None else "proposed"
        self._reviewed = revised_text if revised_text is not None else ""
        how = "as orally revised" if revised_text is not None else "as proposed"
        self.query_one("#merge-note", Static).update(
            Text(f"The draft after merging {how} (changed paragraphs only):", "bold")
        )
        preview = self.query_one("#merge-preview", DiffView)
        preview.ops, preview.display = ops, True
        self.query_one("#merge-button", Button).label = "Merge (ctrl+s)"
        self.query_one("#conflicts").display = False
        self.refresh_bindings()

    def show_conflict(self, main: str, current: str, conflicts: tuple[Conflict, ...]) -> None:
        """Both sides of each conflict, and an editor holding the text to resolve."""
        self.main_seen, self.current_text, self.mode = main, current, "conflict"
        self._reviewed = None
        paragraphs = {document.paragraph_at(current, c.ours_offset) for c in conflicts}
        single = (
            len(paragraphs) == 1
            and None not in paragraphs
            and self.amendment.kind is not Kind.DOCUMENT
        )
        self.conflict_paragraph = paragraphs.pop() if single else None
        report = Text(
            f"This amendment conflicts with the current text in {len(conflicts)} "
            "place(s): both changed the same words.\n",
            "bold",
        )
        for c in conflicts:
            number = document.paragraph_at(current, c.ours_offset)
            report.append(f"\n¶{number}\n" if number else "\n", "bold")
            report.append("  the draft now reads:  ", "dim")
            report.append_text(safe(c.ours or "(nothing)", "bold", one_line=True))
            report.append("\n  the amendment has:   ", "dim")
            report.append_text(safe(c.theirs or "(nothing)", "bold", one_line=True))
            if c.base:
                report.append("\n  where both changed:  ", "dim")
                report.append_text(safe(c.base, one_line=True))
            else:
                report.append("\n  (both added words at the same place)", "dim")
            report.append("\n")
        conflicts_widget = self.query_one("#conflicts", Static)
        conflicts_widget.update(report)
        conflicts_widget.display = True
        if self.conflict_paragraph is not None:
            label = (
                f"Resolution: paragraph {self.conflict_paragraph} as it should read "
                "(empty: delete it)"
            )
            start = document.paragraph(current, self.conflict_paragraph).text
        else:
            label, start = "Resolution: the whole draft as it should read", current
        self._open_editor(label, start)
        self.query_one("#merge-note", Static).update(
            Text("ctrl+s shows the result of your resolution; ctrl+s again merges it.", "dim")
        )
        self.query_one("#merge-preview", DiffView).display = False
        self.query_one("#merge-button", Button).label = "Review resolution (ctrl+s)"
        self.refresh_bindings()

    def _open_editor(self, label: str, text: str) -> None:
        self.query_one("#editor-label", Label).update(label)
        editor = self.query_one("#editor", TextArea)
        editor.text = text
        for selector in ("#editor-label", "#editor"):
            self.query_one(selector).display = True
        editor.focus(scroll_visible=False)

    # -- actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            return None if self.mode == "loading" else True
        if action == "revise":
            return self.mode == "proposed"
        return super().check_action(action, parameters)

    @on(Button.Pressed, "#revise-button")
    def action_revise(self) -> None:
        if self.mode != "proposed":
            return
        self.mode = "revised"
        self._reviewed = None
        self.query_one("#revise-button").display = False
        self._open_editor("Text as orally revised", self.change.new)
        self.query_one("#merge-note", Static).update(
            Text("ctrl+s shows the draft with the revised text; ctrl+s again merges it.", "dim")
        )
        self.query_one("#merge-preview", DiffView).display = False
        self.query_one("#merge-button", Button).label = "Review (ctrl+s)"
        self.refresh_bindings()

    @on(TextArea.Changed, "#editor")
    def _edited(self) -> None:
        edited = self.query_one("#editor", TextArea).text
        if self._reviewed is not None and self._reviewed != edited:
            self._reviewed = None
            self.query_one("#merge-preview", DiffView).display = False
            self.query_one("#merge-button", Button).label = "Review (ctrl+s)"

    @on(Button.Pressed, "#merge-button")
    def action_merge(self) -> None:
        if self._sending or self.mode == "loading":
            return
        if self.mode == "proposed":
            self.send(revised_text=None, resolved_text=None)
            return
        edited = self.query_one("#editor", TextArea).text
        if self._reviewed != edited:
            if self.mode == "revised":
                self.start_preview(edited)
            else:
                self.review_resolution(edited)
            return
        if self.mode == "revised":
            self.send(revised_text=edited, resolved_text=None)
        else:
            try:
                resolved = self.resolved_text_for(edited)
            except WgError as error:
                self.wg_app.show_error(error)
                return
            self.send(revised_text=None, resolved_text=resolved)

    @work(thread=True, exclusive=True, group="review")
    def review_resolution(self, edited: str) -> None:
        try:
            resolved = self.resolved_text_for(edited)
        except WgError as error:
            self.wg_app.deliver(self.wg_app.show_error, error)
            return
        ops = tuple(word_diff(self.current_text, resolved))
        self.wg_app.deliver(self._show_resolution, edited, ops)

    def resolved_text_for(self, edited: str) -> str:
        """The whole draft as the chair's resolution has it."""
        if self.conflict_paragraph is None:
            return edited
        if not edited.strip():
            return document.delete_paragraph(self.current_text, self.conflict_paragraph)
        return document.replace_paragraph(self.current_text, self.conflict_paragraph, edited)

    def _show_resolution(self, edited: str, ops: tuple[DiffOp, ...]) -> None:
        self._reviewed = edited
        self.query_one("#merge-note", Static).update(
            Text("The draft after merging with your resolution (changed paragraphs only):", "bold")
        )
        preview = self.query_one("#merge-preview", DiffView)
        preview.ops, preview.display = ops, True
        self.query_one("#merge-button", Button).label = "Merge resolution (ctrl+s)"
        self.query_one("#merge-button", Button).focus()

    def send(self, *, revised_text: str | None, resolved_text: str | None) -> None:
        self._sending = True
        self.query_one("#merge-button", Button).disabled = True
        self.merge_now(revised_text, resolved_text, self.main_seen)

    @work(thread=True, group="write")
    def merge_now(
        self, revised_text: str | None, resolved_text: str | None, expected_main: str | None
    ) -> None:
        merged = False
        with self.wg_app.core() as wg:
            try:
                wg.merge(
                    self.amendment.id,
                    revised_text=revised_text,
                    resolved_text=resolved_text,
                    whole_draft=resolved_text is not None,
                    expected_main=expected_main if resolved_text is not None else None,
                )
                merged = True
            except MergeConflict as conflict:
                main = wg.main()
                current = wg.draft_text_at(main, self.amendment.draft) or ""
                conflicts = tuple(c for c in conflict.conflicts if isinstance(c, Conflict))
                self.app.call_from_thread(self.show_conflict, main, current, conflicts)
            except StateError as error:  # main moved while the chair resolved: look again
                self.app.call_from_thread(self.wg_app.show_error, error)
                self.app.call_from_thread(self.load)
        self.app.call_from_thread(self._after_merge, merged)

    def _after_merge(self, merged: bool) -> None:
        self._sending = False
        self.query_one("#merge-button", Button).disabled = False
        if merged:
            self.app.post_message(
                RecordChanged(f"Merged amendment {self.amendment.id} into {self.amendment.draft}")
            )
            self.app.pop_screen()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.app.pop_screen()
