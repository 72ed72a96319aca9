"""The chair's desk: merging amendments into main on consensus, and reverting them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from wgtool.core import document, validate
from wgtool.core.adoption import adoption_template, amended_text, differences
from wgtool.core.consensus import Consensus, NoConsensus
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.context import Record
from wgtool.core.desks.deliberation import DeliberationDesk
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.errors import InvalidInput, MergeConflict, NotFound, StateError
from wgtool.core.model import Adoption, Amendment, Kind, Status
from wgtool.core.record.gitstore import Person, retry_cas
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS,
    EVENTS_PREFIX,
    MAIN_REF,
    NO_EVENTS,
)
from wgtool.core.text import merge3
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core import merging
    from wgtool.core.merging import MergePlan
else:
    merging = lazy_module("wgtool.core.merging")  # only commands that merge need it


@dataclass(frozen=True)
class Merged:
    """A merge as it was written: its commit, the amendment merged (as read before the merge)
    and the consensus it was adopted on."""

    commit: str
    amendment: Amendment
    adoption: Adoption


class MergesDesk:
    """Plan a merge (a dry run), merge, and revert a merged amendment."""

    def __init__(
        self,
        record: Record,
        drafts: DraftsDesk,
        amendments: AmendmentsDesk,
        deliberation: DeliberationDesk,
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.amendments = amendments
        self.deliberation = deliberation  # the consensus a merge is taken on

    def plan_merge(
        self,
        amendment_id: str,
        *,
        revised_text: str | None = None,
        amendment: Amendment | None = None,
        main: str | None = None,
    ) -> MergePlan:
        """What merging would do to main now (a dry run: nothing is written).

        ``revised_text`` plans the merge "as orally revised": the new text of the amendment's
        paragraph (or the whole draft for a whole-draft amendment) replaces the proposer's.
        ``main`` plans it against that main commit instead of main as it is now.
        """
        if amendment is None:
            amendment = self.amendments.amendment(amendment_id)
        if amendment.amends is not None:
            raise InvalidInput(
                f"amendment {amendment.id} is a sub-amendment: it is merged into amendment "
                f"{amendment.amends}, not into the draft"
            )
        main = main or self.record.main()
        current = self.drafts.draft_text_at(main, amendment.draft)
        if current is None:
            raise NotFound(f"draft {amendment.draft!r} no longer exists on main")
        base_text = self.drafts.draft_text_at(amendment.base, amendment.draft) or ""
        theirs = self.drafts.draft_text_at(amendment.head, amendment.draft) or ""
        if revised_text is not None:
            kind = Kind.REPLACE if amendment.kind is Kind.DELETE else amendment.kind
            theirs = amended_text(base_text, kind, amendment.paragraph, revised_text)
        return merging.MergePlan(
            amendment=amendment,
            main=main,
            current=current,
            result=merge3(base_text, current, theirs),
            consensus=self.deliberation.consensus(amendment),
            revised=revised_text is not None,
        )

    def merge(self, amendment_id: str, **options: Any) -> str:
        """Merge an amendment into main (chair) as :meth:`merged` does, and bring the index up
        to date with it; returns the merge commit."""
        commit = self.merged(amendment_id, **options).commit
        self.record.refresh()
        return commit

    def merged(
        self,
        amendment_id: str,
        *,
        revised_text: str | None = None,
        resolved_text: str | None = None,
        whole_draft: bool = False,
        override_reason: str | None = None,
        expected_main: str | None = None,
        silence: str | None = None,
    ) -> Merged:
        """Merge an amendment into main (chair); what was merged, as it was written (the index
        is left to the next read to refresh: the merge is judged there, not here).

        The group's consensus rule must hold for the amendment's current revision, unless the
        chair overrides it with ``override_reason`` (recorded in the commit). ``revised_text``
        merges it "as orally revised". ``resolved_text`` resolves a conflict: the conflicting
        paragraphs as they should read (see :func:`merging.resolve`), or the whole draft with
        ``whole_draft``; it applies only while main is still at ``expected_main`` (the main the
        chair looked at), else the chair must look again. Every precondition is checked again
        inside the compare-and-swap, so two chairs merging at once merge once (which is why
        this runs long: the whole attempt is one closure).
        """
        actor = self.record.require("merge")
        if override_reason is not None:
            override_reason = validate.one_line(override_reason, "override reason", max_length=500)
        if resolved_text is not None:
            resolved_text = validate.text(resolved_text, "resolution")
        full_id = self.amendments.resolve_id(amendment_id)

        def attempt() -> Merged:
            # Read again on every attempt, and land only while the amendment's revision and its
            # deliberation (a rejection, a withdrawal) are as they were read.
            amendment, tips = self.record.open_state(full_id, "merge")
            self.amendments.translations.refuse_unauthentic(amendment)
            # Planned on the main the index read the amendment at (open, not merged by another
            # chair a moment ago); should main have moved since, the move below fails and the
            # attempt reads everything again.
            plan = self.plan_merge(
                amendment.id, revised_text=revised_text, amendment=amendment, main=tips[MAIN_REF]
            )
            verify = {
                ref: tips.get(ref)
                for ref in (AMENDMENTS_PREFIX + amendment.id, EVENTS_PREFIX + amendment.id)
            }
            adoption = adoption_for(plan.consensus, amendment, override_reason, silence)
            result = _adopted_text(plan, resolved_text, whole_draft, expected_main)
            self._confined(plan, result, revised_text is not None, resolved_text is not None)
            trailers = [
                ("Amendment-Id", amendment.id),
                ("Proposed-by", amendment.proposer),
                ("Stakeholder-Group", amendment.group),
                ("Merged-by", actor.handle),
                *adoption.trailers(),
                # The deliberation the consensus was judged on, for anyone to judge it again.
                (EVENTS, tips.get(EVENTS_PREFIX + amendment.id) or NO_EVENTS),
            ]
            how = ""
            if revised_text is not None:
                trailers.append(("Orally-Revised", "yes"))
                how = " (as orally revised)"
            if resolved_text is not None:
                trailers.append(("Resolved-by", actor.handle))
                how = " (with the conflict resolved by the chair)"
            message = format_message(
                f"Merge amendment {amendment.id}: {amendment.title}{how}",
                amendment.rationale,
                trailers,
            )
            tree = self.record.store.write_tree(
                self.record.store.commit(plan.main).tree,
                self.drafts.draft_files(plan.main, amendment.draft, result),
            )
            parents = [plan.main, amendment.head]
            author = self._proposer_person(amendment)
            commit = self.record.store.write_commit(
                tree, parents, message, author, self.record.person(actor)
            )
            self.record.move_main(commit, plan.main, verify=verify)
            return Merged(commit, amendment, adoption)

        return retry_cas(attempt)

    def _confined(self, plan: MergePlan, result: str, revised: bool, resolved: bool) -> None:
        """Refuse a merge the rulebook would refuse: one that writes more than the amendment
        merged into main, but in the paragraphs it addresses (an oral revision) or where it
        conflicts (a resolution)."""
        amendment = plan.amendment
        template = adoption_template(
            self.drafts.draft_text_at(amendment.base, amendment.draft) or "",
            plan.current,
            self.drafts.draft_text_at(amendment.head, amendment.draft) or "",
            oral=(amendment.kind, amendment.paragraph) if revised else None,
            resolved=resolved,
        )
        if template is None or not template.fits(result):
            where = "the draft"
            if template is not None:
                old = self.drafts.labels_at(plan.main, amendment.draft, plan.current)
                where = differences(template, result, plan.current, old)
            scope = "the paragraphs it amends" if revised else "the conflicting paragraphs"
            raise InvalidInput(
                f"the merge would change {where} of {amendment.draft}: a chair's text may "
                f"change only {scope}"
            )

    def _proposer_person(self, amendment: Amendment) -> Person:
        """The merge commit's author: the proposer as the roster knows them (else as the
        amendment's last revision says, should they have left the roster)."""
        proposer = self.record.roster.members.get(amendment.proposer)
        if proposer is not None:
            return Person(proposer.name, proposer.email, self.record.now())
        head = self.record.store.commit(amendment.head)
        return Person(head.author_name, head.author_email, self.record.now())

    def revert(self, amendment_id: str, *, reason: str) -> str:
        """Undo a merged amendment with a new commit on main (chair); history stays as it is.

        The amendment's change is taken out word by word (a three-way merge of the draft as
        the amendment left it, the current draft and the draft before it), so later merges
        stay; where a later merge changed the same words, it is a conflict (exit 3).
        """
        actor = self.record.require("revert")
        reason = validate.text(reason, "reason").strip()

        def attempt() -> str:
            tips = self.record.index.refresh()
            amendment = self.amendments.amendment(amendment_id)
            if amendment.status is not Status.MERGED or amendment.merge_commit is None:
                raise StateError(
                    f"cannot revert amendment {amendment.id}: it is {amendment.status.value}, "
                    "not merged"
                )
            merge_info = self.record.store.commit(amendment.merge_commit)
            slug = amendment.draft
            adopted = self.drafts.draft_text_at(amendment.merge_commit, slug) or ""
            before = self.drafts.draft_text_at(merge_info.parents[0], slug) or ""
            main = tips[MAIN_REF]  # the main the index read the amendment at; moved: retried
            current = self.drafts.draft_text_at(main, slug)
            if current is None:
                raise NotFound(f"draft {slug!r} no longer exists on main")
            result = merge3(adopted, current, before)
            if result.text is None:
                raise MergeConflict(
                    f"reverting amendment {amendment.id} conflicts with later changes to "
                    f"{slug} in {len(result.regions)} place(s): edit the draft by amendment "
                    "instead",
                    result.conflicts,
                )
            if result.text == current:
                raise StateError(f"amendment {amendment.id}'s change is no longer in {slug}")
            message = format_message(
                f"Revert amendment {amendment.id}: {amendment.title}",
                reason,
                self.record.trailers(
                    actor,
                    ("Action", "revert"),
                    ("Reverts-Amendment", amendment.id),
                    ("Reverted-by", actor.handle),
                ),
            )
            tree = self.record.store.write_tree(
                self.record.store.commit(main).tree,
                self.drafts.draft_files(main, slug, result.text),
            )
            person = self.record.person(actor)
            commit = self.record.store.write_commit(tree, [main], message, person, person)
            self.record.move_main(commit, main)
            return commit

        commit = retry_cas(attempt)
        self.record.refresh()
        return commit


def adoption_for(
    consensus: Consensus, amendment: Amendment, override: str | None, silence: str | None = None
) -> Adoption:
    """The consensus a merge is taken on, or NoConsensus when the rule does not hold; a silence
    that ended unbroken adopts the amendment whatever the positions say."""
    if silence is not None:
        return replace(consensus.adoption(), consensus="silence", silence=silence)
    if consensus.reached:
        return consensus.adoption()
    if override:
        return consensus.adoption(reason=override)
    raise NoConsensus(
        f"amendment {amendment.id} has no consensus", amendment=amendment.id, consensus=consensus
    )


def _adopted_text(
    plan: MergePlan, resolved_text: str | None, whole_draft: bool, expected_main: str | None
) -> str:
    """The draft a merge writes: the clean merge, or the chair's resolution of its conflict."""
    if resolved_text is None:
        if plan.merged is None:
            raise merging.conflict(plan)
        return plan.merged
    if expected_main is not None and plan.main != expected_main:
        raise StateError(
            "the draft changed while you resolved the conflict: merge again to see the new text"
        )
    if whole_draft:
        return document.normalise(resolved_text)
    if plan.clean:
        raise StateError(
            f"amendment {plan.amendment.id} no longer conflicts with the draft: "
            "merge it without a resolution"
        )
    return merging.resolve(plan, resolved_text)
