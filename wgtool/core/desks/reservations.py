"""The reservations desk: what a stakeholder group says of an adopted text.

When a consensus version is tagged, a member may record, for their own group, a reservation on
one of its paragraphs (with the reason) or an explanation of position on the version, and any
member of that group may retract it. Each is an event in the draft's chain
(``refs/wg/events/draft-<slug>``), naming the version by name and by its tag object, judged by
the rulebook (:mod:`wgtool.core.record.rulebook.statements`).
"""

from __future__ import annotations

from wgtool.core import validate
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.errors import NotFound, PermissionDenied, Remedy, StateError
from wgtool.core.model import Event, Member, Version
from wgtool.core.record.rulebook import TAGS_PREFIX, draft_chain
from wgtool.core.statements import (
    EXPLANATION,
    RESERVATION,
    RETRACT,
    STATEMENT_TYPES,
    Statement,
    statements,
)

ACTION = "state a reservation or position"


class ReservationsDesk:
    """Reservations and explanations of position on consensus versions, by group."""

    def __init__(self, record: Record, drafts: DraftsDesk, chains: Chains) -> None:
        self.record = record
        self.drafts = drafts
        self.chains = chains

    def adopted_version(self, slug: str, name: str | None = None) -> Version:
        """Version ``name`` of the draft, or its latest; refused when it has none yet."""
        self.drafts.existing_draft(slug)
        if name is not None:
            return self.drafts.version(slug, name)
        found = self.drafts.versions(slug)
        if not found:
            raise StateError(
                f"draft {slug} has no consensus version yet: a reservation or an explanation "
                "of position is on an adopted text",
                remedy=Remedy.LIST_VERSIONS,
                subject=slug,
            )
        return found[-1]

    def reserve(self, slug: str, label: str, *, reason: str, version: str | None = None) -> Event:
        """Record the acting member's group's reservation on paragraph ``label`` of a version."""
        actor = self.record.require(ACTION)
        reason = validate.text(reason, "reason").strip()
        adopted = self.adopted_version(slug, version)
        text = self.drafts.draft_text_at(adopted.commit, slug) or ""
        found = self.drafts.labels_at(adopted.commit, slug, text)
        current = found.label(found.resolve(label))
        return self._write(actor, slug, RESERVATION, adopted, reason, paragraph=current)

    def explain(self, slug: str, text: str, *, version: str | None = None) -> Event:
        """Record the acting member's group's explanation of position on a version."""
        actor = self.record.require(ACTION)
        text = validate.text(text, "explanation").strip()
        return self._write(actor, slug, EXPLANATION, self.adopted_version(slug, version), text)

    def _write(
        self,
        actor: Member,
        slug: str,
        type_: str,
        adopted: Version,
        text: str,
        paragraph: str | None = None,
    ) -> Event:
        tag = self.record.store.object_at(TAGS_PREFIX + adopted.tag)
        if tag is None:
            raise NotFound(f"no tag {adopted.tag}", remedy=Remedy.LIST_VERSIONS, subject=slug)
        event = self.chains.new_event(
            draft_chain(slug),
            type_,
            actor,
            text=text,
            paragraph=paragraph,
            target=adopted.name,
            anchor=tag,
        )
        self.chains.write_event(event, actor)
        return event

    def retract(self, statement_id: str) -> Event:
        """Take back a reservation or an explanation of the acting member's group."""
        actor = self.record.require(ACTION)
        found = self._find(statement_id)
        if found.group != actor.group:
            raise PermissionDenied(
                f"{found.id} is group {found.group}'s; {actor.handle} is in {actor.group}"
            )
        slug = found.draft or ""
        if any(s.event.id == found.id and not s.active for s in self.statements(slug)):
            raise StateError(f"{found.type} {found.id} was retracted already")
        event = self.chains.new_event(found.amendment, RETRACT, actor, target=found.id)
        self.chains.write_event(event, actor)
        return event

    def _find(self, prefix: str) -> Event:
        try:
            return self.chains.find_event(prefix, RESERVATION)
        except NotFound:
            pass
        try:
            return self.chains.find_event(prefix, EXPLANATION)
        except NotFound:
            raise NotFound(f"no reservation or explanation {prefix.strip()!r}") from None

    def statements(self, slug: str, *, version: str | None = None) -> list[Statement]:
        """The reservations and explanations on draft ``slug`` (on one version: ``version``),
        oldest first, each with the label its paragraph has on main now and its retraction."""
        main = self.drafts.existing_draft(slug)
        if version is not None:
            version = self.drafts.version(slug, version).name
        events = self.chains.draft_events(slug, STATEMENT_TYPES)
        if not events:
            return []  # and no version judged: the ledger and the reader ask on every read
        text = self.drafts.draft_text_at(main, slug) or ""
        now = self.drafts.labels_at(main, slug, text)
        commits = {v.name: v.commit for v in self.drafts.versions(slug)}
        generations: dict[str, int] = {}
        label_now: dict[str, str | None] = {}
        for event in events:
            commit = commits.get(event.target or "")
            if event.type != RESERVATION or commit is None:
                continue
            if commit not in generations:
                generations[commit] = self.drafts.labels_at(commit, slug).generation
            position = now.as_of(event.paragraph or "", generations[commit])
            label_now[event.id] = None if position is None else now.label(position)
        found = statements(events, label_now)
        return [s for s in found if version is None or s.version == version]


__all__ = ["ReservationsDesk"]
