"""The chair's merge: the consensus it would be taken on and the paragraphs it would change,
merged as proposed or as orally revised; a conflict resolved by editing only the conflicting
paragraphs; a merge without consensus only with the chair's reason."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Button, Header, Label, Static, TextArea

from wgtool.api import (
    Amendment,
    AmendmentChange,
    ConflictPlace,
    Consensus,
    InvalidInput,
    MergeConflict,
    MergePlan,
    NoConsensus,
    ParagraphChange,
    StateError,
    Verdict,
    merging,
)
from wgtool.tui.messages import RecordChanged
from wgtool.tui.render import GROUP_STATES, groups_line, safe, verdict_words
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import ChangesView, KeysFooter

CONSENSUS_STYLES = {
    Verdict.CONSENSUS: "bold green",
    Verdict.OBJECTION: "bold red",
    Verdict.PENDING: "bold yellow",
}


@dataclass(frozen=True)
class MergeView:
    """What merging would do now, read and computed in a worker.

    Attributes:
        plan: The core's dry run.
        revised_text: The text as orally revised that the plan used, or None (as proposed).
        changes: The paragraphs a clean merge changes (empty on a conflict).
        places: The conflicts, each with the paragraphs of the current text it is in.
        summary: The conflicting paragraphs' names (``¶11 and ¶14``), or empty.
        conflicting_text: Those paragraphs as they read now: where the resolution starts.
        several: Whether the resolution holds several paragraphs.
    """

    plan: MergePlan
    revised_text: str | None
    changes: tuple[ParagraphChange, ...]
    places: tuple[ConflictPlace, ...]
    summary: str
    conflicting_text: str
    several: bool = False

    @property
    def consensus(self) -> Consensus:
        return self.plan.consensus


def consensus_line(consensus: Consensus) -> Text:
    """The consensus a merge would be taken on: the state, which groups support, object or are
    not heard, and each objection with its reason."""
    text = Text("Consensus: ", "bold")
    text.append(verdict_words(consensus), CONSENSUS_STYLES.get(consensus.state, "bold"))
    text.append(f" (rule: {consensus.rule})\n", "dim")
    for number, (label, state) in enumerate(GROUP_STATES):
        names = [group.name for group in consensus.groups if group.state is state]
        text.append(f"{' · ' if number else ''}{label}: ", "dim")
        text.append_text(safe(", ".join(names) or "none", one_line=True))
    # Why a group objects is what the chair weighs: each objection with its reason.
    for group, view in consensus.objections():
        text.append("\nObjection: ", "bold red")
        text.append_text(safe(f"{view.member} ({group.name}): ", one_line=True))
        text.append_text(safe(view.reason or "no reason given", "italic", one_line=True))
    return text


class MergeScreen(WgScreen):
    """Merge one amendment; every merge is previewed first, with the consensus it is taken on.

    Three ways: as proposed (ctrl+s), as orally revised (ctrl+r, then edit the text, ctrl+s to
    review and ctrl+s to merge), or, when the amendment conflicts with the current text, with the
    chair's resolution of the conflicting paragraphs only (edit, review, merge; refused if the
    draft moved meanwhile). Without consensus, merging asks for the chair's reason.
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
        """What the screen shows: a preview as proposed, an oral revision, or a conflict."""
        self.view: MergeView | None = None
        """The dry run on screen (None while the first one loads)."""
        self._reviewed: str | None = None  # the editor text whose result the chair has seen
        self._sending = False
        self._typed_resolution: tuple[str, str] | None = None  # (summary, text) to keep

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="merge"):
            heading = Text(f"Merge amendment {self.amendment.id} into ", "bold")
            heading.append_text(safe(self.amendment.draft, "bold", one_line=True))
            heading.append("\n")
            heading.append_text(safe(self.amendment.title, "italic", one_line=True))
            yield Static(heading, classes="screen-title")
            yield Static(id="merge-consensus")
            yield Vertical(id="conflicts")
            yield Label("", id="editor-label", classes="field-label")
            yield TextArea(id="editor", soft_wrap=True)
            yield Static(id="merge-note", classes="field-label")
            yield ChangesView(id="merge-preview")
            with Horizontal(classes="buttons"):
                yield Button("Merge", id="merge-button", variant="warning", compact=True)
                yield Button("As orally revised…", id="revise-button", compact=True)
                yield Button("Cancel", id="cancel", compact=True)
        yield KeysFooter()

    def on_mount(self) -> None:
        for selector in ("#merge-consensus", "#conflicts", "#editor-label", "#editor"):
            self.query_one(selector).display = False

    def load(self) -> None:
        view = self.view
        if view is not None and self.mode == "conflict" and self._typed_resolution is None:
            # Read again because the record changed: the chair's resolution stays if the
            # conflict is still in the same paragraphs.
            if self.editor.text != view.conflicting_text:
                self._typed_resolution = (view.summary, self.editor.text)
        self.start_preview(view.revised_text if view is not None else None)

    def start_preview(self, revised_text: str | None) -> None:
        body = self.query_one("#merge", VerticalScroll)
        self.wg_app.busy(body)
        self.preview(revised_text, body)

    def meant_focus(self) -> str | None:
        return "#editor" if self.mode == "conflict" else self.AUTO_FOCUS

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    # -- previews ----------------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load")
    def preview(self, revised_text: str | None, body: VerticalScroll) -> None:
        """The dry run: the consensus, and the paragraphs the merge changes or the conflicts."""
        with self.wg_app.core(busy=body) as wg:
            plan = wg.merges.plan_merge(self.amendment.id, revised_text=revised_text)
            places = tuple(plan.places())
            view = MergeView(
                plan=plan,
                revised_text=revised_text,
                changes=tuple(plan.changes()),
                places=places,
                summary=plan.conflict_summary() if places else "",
                conflicting_text=plan.conflicting_text(),
                several=bool(places) and merging.resolution_spans_paragraphs(plan),
            )
            self.wg_app.deliver(self.show, view)

    def show(self, view: MergeView) -> None:
        self.view = view
        self.amendment = view.plan.amendment
        consensus = self.query_one("#merge-consensus", Static)
        consensus.update(consensus_line(view.consensus))
        consensus.set_class(not view.consensus.reached, "-no-consensus")
        consensus.display = True
        if view.places:
            self._show_conflict(view)
        else:
            self._show_changes(view)
        self.query_one("#revise-button").display = self.mode == "proposed"
        self._label_merge_button()
        self.refresh_bindings()

    def _show_changes(self, view: MergeView) -> None:
        self.mode = "revised" if view.revised_text is not None else "proposed"
        self._reviewed = view.revised_text
        how = "as orally revised" if view.revised_text is not None else "as proposed"
        self.query_one("#merge-note", Static).update(
            Text(f"What merging {how} changes in the draft:", "bold")
        )
        preview = self.query_one("#merge-preview", ChangesView)
        preview.changes, preview.display = view.changes, True
        self.query_one("#conflicts").display = False
        for selector in ("#editor-label", "#editor"):
            self.query_one(selector).display = view.revised_text is not None

    def _show_conflict(self, view: MergeView) -> None:
        """Each conflicting place with both sides, and an editor holding only those paragraphs."""
        self.mode = "conflict"
        self._reviewed = None
        conflicts = self.query_one("#conflicts", Vertical)
        conflicts.remove_children()
        several = view.several
        intro = Text("This amendment conflicts with the current text in ", "bold")
        intro.append_text(safe(view.summary, "bold", one_line=True))
        intro.append(": both changed the same words.", "bold")
        widgets = [Static(intro)]
        for place in view.places:
            widgets += [
                Static(_spots(place), classes="conflict-label"),
                Static(_sides(place), classes="conflict-sides"),
            ]
        conflicts.mount_all(widgets)
        conflicts.display = True
        label = Text("Resolution: ")
        label.append_text(safe(view.summary, one_line=True))
        label.append(
            " as they should read, in order, a blank line between paragraphs"
            if several
            else " as it should read"
        )
        self.query_one("#editor-label", Label).update(label)
        typed = self._typed_resolution
        self._typed_resolution = None
        keep = typed is not None and typed[0] == view.summary
        self.editor.text = typed[1] if typed is not None and keep else view.conflicting_text
        for selector in ("#editor-label", "#editor"):
            self.query_one(selector).display = True
        self.editor.focus(scroll_visible=False)
        self.query_one("#merge-note", Static).update(
            Text("ctrl+s shows what your resolution changes; ctrl+s again merges it.", "dim")
        )
        self.query_one("#merge-preview", ChangesView).display = False

    def _label_merge_button(self) -> None:
        view = self.view
        if view is None:
            label = "Merge"
        elif self.mode in ("revised", "conflict") and self._reviewed != self.editor.text:
            label = "Review resolution" if self.mode == "conflict" else "Review"
        else:
            label = "Merge resolution" if self.mode == "conflict" else "Merge"
            if not view.consensus.reached:
                label += " without consensus…"
        button = self.query_one("#merge-button", Button)
        button.label = label if view is None else f"{label} (ctrl+s)"
        button.refresh(layout=True)  # a button's width follows its label only on layout

    # -- actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "merge":
            return None if self.view is None else True
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
        self.query_one("#editor-label", Label).update("Text as orally revised")
        self.editor.text = self.change.new
        for selector in ("#editor-label", "#editor"):
            self.query_one(selector).display = True
        self.editor.focus(scroll_visible=False)
        self.query_one("#merge-note", Static).update(
            Text("ctrl+s shows what the revised text changes; ctrl+s again merges it.", "dim")
        )
        self.query_one("#merge-preview", ChangesView).display = False
        self._label_merge_button()
        self.refresh_bindings()

    @on(TextArea.Changed, "#editor")
    def _edited(self) -> None:
        if self._reviewed is not None and self._reviewed != self.editor.text:
            self._reviewed = None
            self.query_one("#merge-preview", ChangesView).display = False
        self._label_merge_button()

    @on(Button.Pressed, "#merge-button")
    def action_merge(self) -> None:
        view = self.view
        if self._sending or view is None:
            return
        if self.mode in ("revised", "conflict"):
            edited = self.editor.text
            if self._reviewed != edited:
                if self.mode == "revised":
                    self.start_preview(edited)
                else:
                    self.review_resolution(view.plan, edited)
                return
        if view.consensus.reached:
            self.send(None)
            return

        def reason_given(reason: str | None) -> None:
            if reason is None:
                return  # cancelled
            if not reason.strip():
                self.notify(
                    "Not merged: merging without consensus needs a reason",
                    severity="warning",
                    markup=False,
                )
                return
            self.send(reason.strip())

        title = Text(f"Merge amendment {self.amendment.id} without consensus?\n", "bold")
        consensus = view.consensus
        title.append_text(
            safe(f"{verdict_words(consensus)}: {groups_line(consensus)}", one_line=True)
        )
        self.navigator.open(
            "text",
            title,
            "Why adopt it anyway (recorded in the merge commit; empty: do not merge)",
            confirm="Merge",
            required=False,
            one_line=True,
            then=reason_given,
        )

    @work(thread=True, exclusive=True, group="review")
    def review_resolution(self, plan: MergePlan, edited: str) -> None:
        """What the draft would become with the chair's resolution, or why the core refuses it
        (the typed text stays in the editor either way)."""
        try:
            changes = tuple(merging.resolution_changes(plan, edited))
        except InvalidInput as error:
            self.wg_app.deliver(self.wg_app.show_error, error)
            return
        self.wg_app.deliver(self._show_resolution, edited, changes)

    def _show_resolution(self, edited: str, changes: tuple[ParagraphChange, ...]) -> None:
        self._reviewed = edited
        self.query_one("#merge-note", Static).update(
            Text("What merging with your resolution changes in the draft:", "bold")
        )
        preview = self.query_one("#merge-preview", ChangesView)
        preview.changes, preview.display = changes, True
        self._label_merge_button()
        self.query_one("#merge-button", Button).focus()

    def send(self, override_reason: str | None) -> None:
        assert self.view is not None
        self._sending = True
        self.query_one("#merge-button", Button).disabled = True
        resolution = self._reviewed if self.mode == "conflict" else None
        self.merge_now(self.view, resolution, override_reason)

    @work(thread=True, group="write")
    def merge_now(
        self, view: MergeView, resolution: str | None, override_reason: str | None
    ) -> None:
        """Merge what the chair reviewed; if the record moved since, say so and look again."""
        merged = look_again = False
        with self.wg_app.core() as wg:
            try:
                wg.merges.merge(
                    self.amendment.id,
                    revised_text=view.revised_text,
                    resolved_text=resolution,
                    override_reason=override_reason,
                    expected_main=view.plan.main if resolution is not None else None,
                )
                merged = True
            except MergeConflict:
                look_again = True
                self.app.call_from_thread(
                    self.notify,
                    "The draft changed since the preview: the amendment now conflicts with it",
                    severity="warning",
                    markup=False,
                )
            except NoConsensus:
                look_again = True
                self.app.call_from_thread(
                    self.notify,
                    "The positions changed since the preview: look at the consensus again",
                    severity="warning",
                    markup=False,
                )
            except StateError as error:
                look_again = True
                self.app.call_from_thread(self.wg_app.show_error, error)
        self.app.call_from_thread(self._after_merge, merged, look_again, resolution)

    def _after_merge(self, merged: bool, look_again: bool, resolution: str | None) -> None:
        self._sending = False
        self.query_one("#merge-button", Button).disabled = False
        if merged:
            self.app.post_message(
                RecordChanged(f"Merged amendment {self.amendment.id} into {self.amendment.draft}")
            )
            self.app.pop_screen()
        elif look_again:
            if resolution is not None and self.view is not None:
                # Keep the chair's work if the conflict is still in the same paragraphs.
                self._typed_resolution = (self.view.summary, self.editor.text)
            self.load()

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.app.pop_screen()


def _spots(place: ConflictPlace) -> Text:
    """The place's name, then the words both sides changed there."""
    text = safe(place.label, "bold", one_line=True)
    for spot in place.spots:
        text.append("\nwhere the draft now has ", "dim")
        text.append_text(safe(_quoted(spot.ours), one_line=True))
        text.append(" and the amendment ", "dim")
        text.append_text(safe(_quoted(spot.theirs), one_line=True))
        if not spot.base.strip():
            text.append(" (both add words at the same place)", "dim")
    return text


def _sides(place: ConflictPlace) -> Text:
    """Both sides of one conflicting place, whole paragraphs."""
    text = Text()
    text.append("the draft now reads:\n", "dim")
    text.append_text(safe(place.ours.strip() or "(nothing: the paragraph was removed)"))
    text.append("\nthe amendment has:\n", "dim")
    text.append_text(safe(place.theirs.strip() or "(nothing: it removes the paragraph)"))
    return text


def _quoted(words: str) -> str:
    return f"“{' '.join(words.split())}”" if words.strip() else "nothing"
