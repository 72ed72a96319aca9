"""Amendments to amendments: a member proposes a change to an open amendment's text; its
proposer accepts it, or the chair merges it on consensus, into a new revision of it.

A sub-amendment is an amendment chain of its own (its id, its positions, comments and
consensus) whose revisions name the amendment they amend and the revision they were made
against (see :mod:`wgtool.core.record.rulebook.subamend` for the rules the record keeps).
"""

from __future__ import annotations

from wgtool.core import validate
from wgtool.core.consensus import Consensus, as_position
from wgtool.core.desks.amendments import AmendmentsDesk, amendment_trailers, revision_trailers
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record, require_open
from wgtool.core.desks.deliberation import DeliberationDesk
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.desks.merges import adoption_for
from wgtool.core.errors import InvalidInput, LostRace, PermissionDenied, StateError
from wgtool.core.model import Amendment, Event, Kind, Member, Status
from wgtool.core.record.gitstore import retry_cas
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import (
    ACCEPTS,
    ACCEPTS_REVISION,
    AMENDMENTS_PREFIX,
    AMENDS,
    AMENDS_REVISION,
    EVENTS,
    EVENTS_PREFIX,
    MAIN,
    MAIN_REF,
    NO_EVENTS,
    draft_path,
)
from wgtool.core.subamending import confined, sub_text


class SubAmendmentsDesk:
    """Propose a sub-amendment; accept it (the amendment's proposer) or merge it (the chair)."""

    def __init__(
        self,
        record: Record,
        drafts: DraftsDesk,
        amendments: AmendmentsDesk,
        deliberation: DeliberationDesk,
        chains: Chains,
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.amendments = amendments
        self.deliberation = deliberation  # the consensus the chair merges on
        self.chains = chains  # the amendment window

    def propose_to(
        self, amendment_id: str, *, text: str, rationale: str, title: str | None = None
    ) -> Amendment:
        """Table a change to open amendment ``amendment_id``'s text: ``text`` is its paragraph
        as the sub-amendment would have it (the whole draft, for a whole-draft amendment)."""
        actor = self.record.require("propose")
        parent = self.amendments.amendment(amendment_id)
        if parent.amends is not None:
            raise InvalidInput(
                f"amendment {parent.id} is itself a sub-amendment (to {parent.amends}): "
                "amend that amendment instead"
            )
        require_open(parent, "amend")
        rationale = validate.text(rationale, "rationale").strip()
        title = validate.one_line(title, "title") if title else f"Amending {parent.id}"
        self.chains.refuse_outside_window(parent.draft)
        base_text = self.drafts.draft_text_at(parent.base, parent.draft) or ""
        amended = self.drafts.draft_text_at(parent.head, parent.draft) or ""
        new_text = sub_text(amended, parent.kind, parent.paragraph, text)
        if new_text == amended:
            raise InvalidInput(
                f"the sub-amendment changes nothing: the text is amendment {parent.id}'s"
            )
        if not confined(base_text, amended, new_text):
            raise InvalidInput(
                f"a sub-amendment changes only what amendment {parent.id} changes in {parent.draft}"
            )
        store = self.record.store
        tree = store.write_tree(
            store.commit(parent.base).tree, {draft_path(parent.draft): new_text.encode()}
        )
        person = self.record.person(actor)
        parent_ref = AMENDMENTS_PREFIX + parent.id

        def attempt() -> str:
            sub_id = self.record.ids()
            *target, member, group = amendment_trailers(
                actor, sub_id, parent.draft, parent.kind, parent.paragraph, 1, label=parent.label
            )
            trailers = [*target, (AMENDS, parent.id), (AMENDS_REVISION, parent.head)]
            message = format_message(title, rationale, [*trailers, member, group])
            commit = store.write_commit(tree, [parent.base], message, person, person)
            # Only while the amendment is still at the revision the text was made against.
            store.update_ref(
                AMENDMENTS_PREFIX + sub_id,
                commit,
                None,
                "wgtool propose",
                verify={parent_ref: parent.head},
            )
            return sub_id

        return self.amendments.amendment(retry_cas(attempt))

    def sub_amendments(self, amendment: Amendment) -> list[Amendment]:
        """The sub-amendments to ``amendment``, as they were tabled."""
        if amendment.amends is not None:
            return []
        return self.record.read(lambda index: index.amendments(amends=amendment.id))

    def sub_consensus(self, subs: list[Amendment]) -> dict[str, Consensus]:
        """Each sub-amendment's consensus, from its events (read as ``show`` reads them)."""
        return {sub.id: self.deliberation.consensus(sub, self._positions(sub)) for sub in subs}

    def _positions(self, sub: Amendment) -> list[Event]:
        events = self.record.read(lambda index: index.events(sub.id))
        return [as_position(e) for e in events if e.type in ("position", "silence-break")]

    def accept(self, sub_id: str) -> Amendment:
        """The amendment's proposer takes sub-amendment ``sub_id`` into a new revision of their
        amendment; returns the amendment."""
        actor = self.record.require("accept")
        sub, parent = self._pair(sub_id, "accept")
        if parent.proposer != actor.handle:
            raise PermissionDenied(
                f"only the proposer ({parent.proposer}) of amendment {parent.id} can accept "
                f"sub-amendment {sub.id}"
            )
        return self._take_in(actor, sub, parent, None)

    def merge(self, sub_id: str, *, override_reason: str | None = None) -> Amendment:
        """The chair merges sub-amendment ``sub_id`` into its amendment (a new revision of it)
        when the consensus rule holds for it, or overrides it with a reason."""
        actor = self.record.require("merge")
        if override_reason is not None:
            override_reason = validate.one_line(override_reason, "override reason", max_length=500)
        sub, parent = self._pair(sub_id, "merge")
        return self._take_in(actor, sub, parent, override_reason or "")

    def consensus(self, sub: Amendment) -> Consensus:
        return self.deliberation.consensus(sub)

    def _pair(self, sub_id: str, verb: str) -> tuple[Amendment, Amendment]:
        sub = self.amendments.amendment(sub_id)
        if sub.amends is None:
            raise InvalidInput(f"amendment {sub.id} is no sub-amendment: {verb} it into main")
        parent = self.amendments.amendment(sub.amends)
        _still_open(sub, parent, verb)
        return sub, parent

    def _take_in(
        self, actor: Member, sub: Amendment, parent: Amendment, override: str | None
    ) -> Amendment:
        """Write the revision of ``parent`` that reads as ``sub``: the proposer's (``override``
        None), or the chair's merge on consensus (``override``: the reason, or empty)."""
        store = self.record.store
        ref, sub_ref = AMENDMENTS_PREFIX + parent.id, AMENDMENTS_PREFIX + sub.id
        person = self.record.person(actor)

        def attempt() -> None:
            tips = self.record.index.refresh()
            current = self.amendments.amendment(parent.id)
            now = self.amendments.amendment(sub.id)
            _still_open(now, current, "accept" if override is None else "merge")
            head = tips.get(ref)
            if head is None or current.head != head or tips.get(sub_ref) != now.head:
                raise LostRace(ref)
            kind = Kind.REPLACE if current.kind is Kind.DELETE else current.kind
            *trailers, member, group = revision_trailers(actor, current, kind, current.revision + 1)
            trailers += [(ACCEPTS, now.id), (ACCEPTS_REVISION, now.head)]
            if override is not None:
                adoption = adoption_for(self.deliberation.consensus(now), now, override or None)
                trailers += [
                    ("Proposed-by", now.proposer),
                    ("Merged-by", actor.handle),
                    *adoption.trailers(),
                    (EVENTS, tips.get(EVENTS_PREFIX + now.id) or NO_EVENTS),
                ]
            trailers += [member, group, (MAIN, self.record.made_against(actor, head))]
            message = format_message(current.title, current.rationale, trailers)
            commit = store.write_commit(
                store.commit(now.head).tree, [head], message, person, person
            )
            verify = {
                name: tips.get(name)
                for name in (MAIN_REF, EVENTS_PREFIX + parent.id, sub_ref, EVENTS_PREFIX + sub.id)
            }
            how = "wgtool accept" if override is None else "wgtool merge"
            store.update_ref(ref, commit, head, how, verify=verify)

        retry_cas(attempt)
        return self.amendments.amendment(parent.id)


def _still_open(sub: Amendment, parent: Amendment, verb: str) -> None:
    """Refuse to take in a sub-amendment that is decided, or lapsed with its amendment."""
    if sub.status is Status.LAPSED:
        why = (
            f"amendment {parent.id} is {parent.status.value}"
            if parent.status is not Status.OPEN
            else f"amendment {parent.id} was revised since"
        )
        raise StateError(f"cannot {verb} sub-amendment {sub.id}: it has lapsed ({why})")
    require_open(sub, verb)
    require_open(parent, f"{verb} into")
