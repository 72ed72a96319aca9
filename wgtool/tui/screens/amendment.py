"""One amendment: its word diff, rationale, consensus matrix and comment thread, how it was
decided (the consensus a merge was taken on, a revert), and what the acting member may do with
it (take a position, comment, reply; revise or withdraw their own; merge, reject or revert as
the chair)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial
from typing import ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Header, Static

from wgtool.api import AmendmentDetail, Kind, Status, WorkingGroup, amending
from wgtool.tui.commands import Command
from wgtool.tui.commands.agreement import amendment_commands
from wgtool.tui.render import safe, status_text, verdict_words, when
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.subamend import sub_amendments_text, sub_decision, sub_unavailable
from wgtool.tui.widgets import CommentThread, ConsensusMatrix, DiffView, KeysFooter

# Each action of this screen: the core action whose role it needs, and the words the core uses
# when the amendment is not open ("cannot <verb> amendment X: it is merged").
ACTIONS: dict[str, str] = {
    "position": "position",
    "comment": "comment",
    "reply": "comment",
    "revise": "revise",
    "withdraw": "withdraw",
    "merge": "merge",
    "reject": "reject",
    "revert": "revert",
    "amend": "propose",
    "accept": "accept",
}
"""The screen's actions on the amendment, each with the core permission it needs."""


class AmendmentScreen(WgScreen):
    """An amendment and its deliberation."""

    AUTO_FOCUS = "#amendment"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "position",
            "Position",
            id="position",
            tooltip="Take or change your position: support, no objection, abstain, object",
        ),
        Binding("p", "refuse('position')", show=False),
        Binding("c", "comment", "Comment", id="comment", tooltip="Add a comment"),
        Binding("c", "refuse('comment')", show=False),
        Binding("r", "reply", "Reply", id="reply", tooltip="Reply to a comment"),
        Binding(
            "e",
            "revise",
            "Revise",
            id="revise",
            tooltip="Revise your amendment: a new text or rationale",
        ),
        Binding("e", "refuse('revise')", show=False),
        Binding("w", "withdraw", "Withdraw", id="withdraw", tooltip="Withdraw your amendment"),
        Binding("w", "refuse('withdraw')", show=False),
        Binding(
            "m",
            "merge",
            "Merge",
            id="merge",
            tooltip="Chair: merge into the draft, as proposed or as orally revised",
        ),
        Binding("m", "refuse('merge')", show=False),
        Binding("x", "reject", "Reject", id="reject", tooltip="Chair: reject, with a reason"),
        Binding("x", "refuse('reject')", show=False),
        Binding(
            "u",
            "revert",
            "Revert",
            id="revert",
            tooltip="Chair: take this merged amendment out of the draft again, with a reason",
        ),
        Binding("u", "refuse('revert')", show=False),
        Binding(
            "a",
            "amend",
            "Amend",
            id="amend",
            tooltip="Propose a change to this amendment's text: a sub-amendment",
        ),
        Binding("a", "refuse('amend')", show=False),
        Binding(
            "y",
            "accept",
            "Accept",
            id="accept",
            tooltip="Accept this sub-amendment into your amendment: a new revision of it",
        ),
        Binding("y", "refuse('accept')", show=False),
    ]

    def __init__(self, amendment_id: str) -> None:
        super().__init__()
        self.amendment_id = amendment_id
        self.view: AmendmentDetail | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="amendment"):
            yield Static(Text(f"Amendment {self.amendment_id}", "bold"), id="summary")
            yield Static(Text("Change", "bold"), id="change-title", classes="section-title")
            yield DiffView(id="change")
            yield Static(Text("As proposed", "bold"), id="proposed-title", classes="section-title")
            yield DiffView(id="proposed")
            yield Static(Text("Rationale", "bold"), classes="section-title")
            yield Static(id="amendment-rationale")
            yield Static(id="decision")
            yield Static(id="sub-amendments")
            yield Static(Text("Consensus", "bold"), id="consensus-title", classes="section-title")
            yield ConsensusMatrix(id="consensus")
            yield Static(Text("Comments", "bold"), id="comments-title", classes="section-title")
            yield CommentThread(id="comments")
        yield KeysFooter()

    def on_mount(self) -> None:
        for selector in ("#decision", "#sub-amendments", "#proposed-title", "#proposed"):
            self.query_one(selector).display = False

    # -- loading -----------------------------------------------------------------------------------

    def load(self) -> None:
        body = self.query_one("#amendment", VerticalScroll)
        self.wg_app.busy(body)
        self.read_amendment(body)

    @work(thread=True, exclusive=True, group="load")
    def read_amendment(self, body: VerticalScroll) -> None:
        with self.wg_app.core(busy=body) as wg:
            view = wg.amendment_detail(self.amendment_id)
            self.wg_app.deliver(self.show, view)

    def show(self, view: AmendmentDetail) -> None:
        self.view = view
        self.amendment_id = view.amendment.id
        a = view.amendment
        self.query_one("#summary", Static).update(self._summary(view))
        self._show_change(view)
        self.query_one("#amendment-rationale", Static).update(safe(a.rationale or "(none given)"))
        decision = self._decision(view)
        decision_widget = self.query_one("#decision", Static)
        decision_widget.display = decision is not None
        if decision is not None:
            decision_widget.update(decision)
        subs = self.query_one("#sub-amendments", Static)
        subs.display = bool(view.sub_amendments)
        if view.sub_amendments:
            subs.update(sub_amendments_text(view))
        title = Text("Consensus: ", "bold")
        title.append(verdict_words(view.consensus), "bold")
        title.append(f" (rule: {view.consensus.rule})", "dim")
        self.query_one("#consensus-title", Static).update(title)
        self.query_one("#consensus", ConsensusMatrix).consensus = view.consensus
        count = sum(1 for e in view.events if e.type == "comment")
        self.query_one("#comments-title", Static).update(Text(f"Comments ({count})", "bold"))
        self.query_one("#comments", CommentThread).threads = view.threads
        self.refresh_bindings()

    def _show_change(self, view: AmendmentDetail) -> None:
        """The change; for a merged amendment, the text adopted (which an oral revision or a
        resolved conflict made differ from the proposal, then shown below it)."""
        adopted = view.adopted
        title = Text("Change", "bold")
        if adopted is not None and not adopted.as_proposed:
            how = "as orally revised" if adopted.orally_revised else "as merged by the chair"
            title = Text(f"Adopted text ({how})", "bold")
        elif adopted is not None:
            title.append(" (adopted as proposed)", "dim")
        self.query_one("#change-title", Static).update(title)
        differs = adopted is not None and not adopted.as_proposed
        self.query_one("#change", DiffView).ops = (
            adopted.diff if differs and adopted is not None else view.change.diff
        )
        for selector in ("#proposed-title", "#proposed"):
            self.query_one(selector).display = differs
        if differs:
            self.query_one("#proposed", DiffView).ops = view.change.diff

    def _summary(self, view: AmendmentDetail) -> Text:
        a = view.amendment
        text = Text()
        text.append(f"Amendment {a.id}", "bold")
        text.append(" · ")
        text.append_text(status_text(a.status))
        text.append(f" · revision {a.revision}")
        if a.number is not None:
            text.append(f" · Am. {a.number} ({a.draft}/{a.number})", "bold")
        text.append("\n")
        text.append_text(safe(a.title, "bold italic", one_line=True))
        text.append("\n")
        target = f" ¶{a.label or a.paragraph}" if a.paragraph is not None else ""
        text.append_text(safe(f"{a.draft}{target} · {a.kind.value} · by ", one_line=True))
        who = f"{view.proposer.name} ({a.proposer})" if view.proposer else a.proposer
        text.append_text(safe(f"{who}, {a.group}", one_line=True))
        text.append(f" · {when(a.created_at)}", "dim")
        if view.language is not None:
            text.append(f"\nIn {view.language}: ", "bold yellow")
            text.append(f"awaits the authentic text ({view.authentic}) before it can be merged")
        if view.cosponsors:
            names = ", ".join(f"{m} ({g})" for m, g in sorted(view.cosponsors.items()))
            text.append("\nCo-sponsors: ", "bold")
            text.append_text(safe(names, one_line=True))
        if view.parent is not None:
            p = view.parent
            text.append("\nAmends ", "bold")
            text.append_text(
                safe(
                    f"amendment {p.id} by {p.proposer} ({p.group}), {p.status.label}", one_line=True
                )
            )
        if view.alternatives:
            ids = [x.id for x in view.alternatives]
            text.append(f"\nAlt {ids.index(a.id) + 1} of {len(ids)}: ", "bold")
            text.append(", ".join(f"{x.id} ({x.status.label})" for x in view.alternatives))
        return text

    def _decision(self, view: AmendmentDetail) -> Text | None:
        a = view.amendment
        if a.amends is not None and a.status in (Status.LAPSED, Status.ACCEPTED):
            return sub_decision(view)
        if a.status is Status.LAPSED:
            text = Text("Lapsed: ", "bold")
            text.append(f"{amending.LAPSED}. It cannot be merged; its proposer may withdraw it, ")
            text.append("or the chair reject it.")
            return text
        if a.status in (Status.MERGED, Status.REVERTED):
            text = Text()
            if a.status is Status.REVERTED:
                text.append("Reverted", "bold magenta")
                text.append_text(
                    safe(f" by {a.reverted_by}" if a.reverted_by else "", one_line=True)
                )
                text.append(": its change was taken out of the draft again\n")
            text.append("Merged", "bold green" if a.status is Status.MERGED else "bold")
            text.append_text(safe(f" by {a.merged_by}" if a.merged_by else "", one_line=True))
            if a.adoption is not None:
                text.append(" · ")
                text.append_text(safe(a.adoption.describe()))
            return text
        if a.status is Status.NOT_ADOPTED:
            text = Text("Not adopted", "bold")
            text.append_text(safe(f": {a.decided_reason}" if a.decided_reason else ""))
            return text
        if a.status in (Status.REJECTED, Status.WITHDRAWN):
            event = next((e for e in view.events if e.type in ("reject", "withdraw")), None)
            text = Text(
                a.status.value.capitalize(), "bold red" if a.status is Status.REJECTED else "bold"
            )
            if event is not None:
                text.append_text(safe(f" by {event.member} on {when(event.at)}", one_line=True))
            if a.decided_reason:
                text.append(": ")
                text.append_text(safe(a.decided_reason))
            return text
        return None

    # -- what the member may do --------------------------------------------------------------------

    def unavailable_because(self, action: str) -> str | None:
        """Why ``action`` is not open to the acting member now (None: it is)."""
        view, member = self.view, self.wg_app.member
        if view is None or member is None:
            return "the amendment is still loading"
        if action in ("amend", "accept"):
            return sub_unavailable(view, member.handle, action)
        return amending.unavailable(view.amendment, member, action, has_comments=bool(view.threads))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ACTIONS:
            return self.wg_app.allows(ACTIONS[action]) and self.unavailable_because(action) is None
        return super().check_action(action, parameters)

    def action_refuse(self, action: str) -> None:
        """As every screen refuses, by the core permission the action needs (amend: propose)."""
        if not self.wg_app.refuse(ACTIONS.get(action, action)):
            self.explain_unavailable(action)

    def explain_unavailable(self, action: str) -> None:
        reason = self.unavailable_because(action)
        if reason:
            self.notify(reason, severity="error", markup=False)

    def action_position(self) -> None:
        assert self.view is not None
        member = self.wg_app.member
        current = next(
            (
                p.stance.value
                for g in self.view.consensus.groups
                for p in g.positions
                if member and p.member == member.handle
            ),
            None,
        )
        amendment_id = self.view.amendment.id

        def chosen(result: tuple[str, str] | None) -> None:
            if result is not None:
                stance, reason = result
                self.write(
                    lambda wg: wg.deliberation.position(amendment_id, stance, reason=reason),
                    f"Position on {amendment_id}: {stance}",
                )

        self.navigator.open("position", amendment_id, current, then=chosen)

    def action_comment(self) -> None:
        amendment_id = self.amendment_id

        def written(text: str | None) -> None:
            if text is not None:
                self.write(
                    lambda wg: wg.deliberation.comment(amendment_id, text),
                    f"Comment added to {amendment_id}",
                )

        self.navigator.open(
            "text", f"Comment on amendment {amendment_id}", "Your comment", then=written
        )

    def action_reply(self) -> None:
        assert self.view is not None
        amendment_id = self.amendment_id
        threads = list(self.view.threads)

        def written(text: str | None) -> None:
            if text is not None:
                reply_to = getattr(dialog, "reply_to", None)
                self.write(
                    lambda wg: wg.deliberation.comment(amendment_id, text, reply_to=reply_to),
                    f"Reply added to {amendment_id}",
                )

        dialog = self.navigator.open("reply", amendment_id, threads, then=written)

    def action_revise(self) -> None:
        assert self.view is not None
        change = self.view.change
        self.navigator.open("revise", self.view.amendment, change.old, change.new)

    def _with_reason(
        self,
        question: tuple[str, str, str],
        decide: Callable[[WorkingGroup, str, str], object],
        summary: str,
        *,
        required: bool = True,
    ) -> None:
        """Ask for a reason (``question``: the dialog's title, label and button), then write
        the decision ``decide(wg, amendment_id, reason)``."""
        amendment_id = self.amendment_id
        title, label, confirm = question

        def confirmed(reason: str | None) -> None:
            if reason is not None:
                self.write(lambda wg: decide(wg, amendment_id, reason), summary)

        self.navigator.open(
            "text", title, label, confirm=confirm, required=required, then=confirmed
        )

    def action_withdraw(self) -> None:
        amendment_id = self.amendment_id
        self._with_reason(
            (f"Withdraw amendment {amendment_id}?", "Reason (optional)", "Withdraw"),
            lambda wg, target, reason: wg.deliberation.withdraw(target, reason=reason),
            f"Withdrew amendment {amendment_id}",
            required=False,
        )

    def action_merge(self) -> None:
        assert self.view is not None
        if self.view.amendment.amends is not None:
            self._merge_sub(self.view)
            return
        self.navigator.open("merge", self.view.amendment, self.view.change)

    def _merge_sub(self, view: AmendmentDetail) -> None:
        """The chair merges a sub-amendment into its amendment: on consensus at once, else
        with a reason for overriding it."""
        sub, parent = view.amendment.id, view.amendment.amends
        summary = f"Merged sub-amendment {sub} into amendment {parent}"
        if view.consensus.reached:
            self.write(lambda wg: wg.subamendments.merge(sub), summary)
            return
        self._with_reason(
            (
                f"No consensus on sub-amendment {sub}: merge it into {parent} anyway?",
                "Reason for overriding the consensus rule (required; recorded)",
                "Merge",
            ),
            lambda wg, target, reason: wg.subamendments.merge(target, override_reason=reason),
            summary,
        )

    def action_amend(self) -> None:
        """The propose form on the amendment's text: a sub-amendment to it."""
        assert self.view is not None
        self.navigator.open("sub-amend", self.view.amendment, self.view.change.new)

    def action_accept(self) -> None:
        assert self.view is not None
        sub, parent = self.view.amendment.id, self.view.amendment.amends
        self.write(
            lambda wg: wg.subamendments.accept(sub),
            f"Accepted sub-amendment {sub} into amendment {parent}",
        )

    def action_reject(self) -> None:
        amendment_id = self.amendment_id
        self._with_reason(
            (f"Reject amendment {amendment_id}", "Reason (required)", "Reject"),
            lambda wg, target, reason: wg.deliberation.reject(target, reason=reason),
            f"Rejected amendment {amendment_id}",
        )

    def action_revert(self) -> None:
        amendment_id = self.amendment_id
        self._with_reason(
            (
                f"Revert amendment {amendment_id}? A new change takes its words out of the draft.",
                "Reason (required; recorded with the revert)",
                "Revert",
            ),
            lambda wg, target, reason: wg.merges.revert(target, reason=reason),
            f"Reverted amendment {amendment_id}",
        )

    def commands(self) -> Iterable[Command]:
        entries = {
            "position": ("Take a position", "Support, no objection, abstain or object"),
            "comment": ("Comment", "Add a comment to the thread"),
            "reply": ("Reply to a comment", "Answer one comment of the thread"),
            "revise": ("Revise this amendment", "A new text or rationale"),
            "withdraw": ("Withdraw this amendment", "It stays in the record as withdrawn"),
            "merge": ("Merge this amendment", "Chair: into the draft, as proposed or revised"),
            "reject": ("Reject this amendment", "Chair: with a reason"),
            "revert": ("Revert this amendment", "Chair: take its merged change out of the draft"),
            "amend": ("Amend this amendment", "A sub-amendment: a change to its text"),
            "accept": ("Accept this sub-amendment", "Into your amendment, as a new revision"),
        }
        for action, (title, help_text) in entries.items():
            if self.unavailable_because(action) is None:
                yield Command(
                    title, help_text, getattr(self, f"action_{action}"), needs=ACTIONS[action]
                )
        view, member = self.view, self.wg_app.member
        if view is None or member is None:
            return
        a = view.amendment
        yield from amendment_commands(
            self,
            a.id,
            cosponsoring=member.handle in view.cosponsors,
            own=a.proposer == member.handle,
            undecided=a.status.undecided,
        )
        if a.status.undecided and a.paragraph is not None and a.kind is not Kind.INSERT:
            yield Command(
                "Propose an alternative text",
                "Another text for the same passage (Alt 2, Alt 3...)",
                self.propose_alternative,
                needs="propose",
            )

    @work(thread=True, exclusive=True, group="alternative")
    def propose_alternative(self) -> None:
        """Open the propose form on the amendment's paragraph, as an alternative to it."""
        view = self.view
        if view is None:
            return
        a = view.amendment
        with self.wg_app.core() as wg:
            draft = wg.drafts.draft(a.draft)
            label = a.label or str(a.paragraph)
            if label not in draft.labels:
                self.app.call_from_thread(
                    self.notify, f"¶{label} is no longer in {a.draft}", severity="warning"
                )
                return
            number = draft.labels.index(label) + 1
            self.wg_app.deliver(
                partial(
                    self.navigator.open,
                    "propose",
                    a.draft,
                    number,
                    draft.text,
                    Kind.REPLACE,
                    label=label,
                    alternative_to=a.id,
                )
            )
