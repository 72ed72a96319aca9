"""The agreement desk: brackets, paragraph status and comments on a paragraph.

What the chair says of a draft (brackets, status) is recorded as events in the draft's chain,
``refs/wg/events/draft-<slug>``, synced and verified like every other event. Brackets and
statuses name a paragraph by its label and the main commit they were made against; the ledger
finds where that paragraph and those words are now (:class:`_Tracker`). The window, silences,
co-sponsors and renumbering are the procedure desk's (:mod:`.procedure`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from wgtool.core import document, labels, validate
from wgtool.core.agreement import (
    STATUSES,
    Bracket,
    ParagraphState,
    ParagraphStatus,
    Span,
    follow_span,
    spans_by_label,
)
from wgtool.core.desks.amendments import AmendmentsDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record
from wgtool.core.desks.deliberation import Thread, threads
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.errors import InvalidInput, Remedy, StateError
from wgtool.core.model import Amendment, Event, Member
from wgtool.core.record.rulebook import (
    draft_chain,
)


@dataclass(frozen=True)
class ParagraphThreads:
    """The comment threads on one paragraph of a draft.

    Attributes:
        label: The paragraph's label now; None when it was deleted since.
        was: The label the comments were written on, for a deleted paragraph (else ``label``).
        threads: The comments, each with its replies.
    """

    label: str | None
    was: str
    threads: tuple[Thread, ...]

    def count(self) -> int:
        return sum(t.count() for t in self.threads)

    def to_dict(self) -> dict[str, object]:
        return {
            "label": self.label,
            "deleted": self.label is None,
            "was": self.was,
            "comments": [t.to_dict() for t in self.threads],
        }


class AgreementDesk:
    """The chair brackets words and settles paragraphs; any member comments on a paragraph."""

    def __init__(
        self, record: Record, drafts: DraftsDesk, amendments: AmendmentsDesk, chains: Chains
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.amendments = amendments
        self.chains = chains

    # -- reading a draft's chain ---------------------------------------------------------------

    def _holders(self, names: Iterable[str], what: str) -> tuple[str, ...]:
        """Stakeholder groups or member handles, each checked against the settings and roster."""
        result = []
        for name in names:
            name = name.strip()
            if name not in self.record.settings.groups and name not in self.record.roster.members:
                raise InvalidInput(
                    f"{what} {name!r} is neither a stakeholder group "
                    f"({', '.join(self.record.settings.groups)}) nor a member's handle"
                )
            if name not in result:
                result.append(name)
        return tuple(result)

    # -- brackets ------------------------------------------------------------------------------

    def bracket(
        self,
        slug: str,
        label: str,
        *,
        words: str | None,
        reason: str,
        held_by: Iterable[str] = (),
    ) -> Event:
        """Bracket ``words`` of paragraph ``label`` (the whole paragraph: None) as not agreed."""
        actor = self.record.require("bracket")
        reason = validate.text(reason, "reason").strip()
        holders = self._holders(held_by, "held by")
        main = self.drafts.existing_draft(slug)
        current, block = self.drafts.paragraph(main, slug, label)
        start = None
        if words is not None and words.strip():
            words = words.strip()
            count = block.text.count(words)
            if count != 1:
                raise InvalidInput(
                    f"the words {words!r} occur {count} times in paragraph {current}: "
                    "give words that occur once"
                    if count
                    else f"paragraph {current} does not contain the words {words!r}"
                )
            start = block.text.index(words)
        else:
            words = None
        return self.chains.draft_event(
            slug,
            main,
            "bracket",
            actor,
            text=reason,
            paragraph=current,
            words=words,
            start=start,
            held_by=holders,
        )

    def unbracket(self, bracket_id: str, *, reason: str = "") -> Event:
        actor = self.record.require("lift a bracket")
        reason = validate.text(reason, "reason", allow_empty=True).strip()
        found = self.chains.find_event(bracket_id, "bracket")
        lifted = [
            b for b in self.brackets(found.draft, lifted_too=True) if b.id == found.id and b.lifted
        ]
        if lifted:
            raise StateError(f"bracket {found.id} was lifted already")
        event = self.chains.new_event(
            found.amendment, "unbracket", actor, text=reason, target=found.id
        )
        self.chains.write_event(event, actor)
        return event

    def brackets(self, slug: str | None = None, *, lifted_too: bool = False) -> list[Bracket]:
        """The brackets of one draft or of all, where their words are now."""
        slugs = [slug] if slug is not None else self.drafts.draft_slugs()
        result: list[Bracket] = []
        for name in slugs:
            if name is None:
                continue
            events = self.chains.draft_events(name, ("bracket", "unbracket"))
            lifts = {e.target: e for e in events if e.type == "unbracket"}
            tracker = _Tracker(self, name)
            for event in events:
                if event.type == "bracket":
                    bracket = tracker.bracket(event, lifts.get(event.id))
                    if lifted_too or bracket.lifted is None:
                        result.append(bracket)
        return result

    def bracket_spans(self, slug: str, version: str | None = None) -> dict[str, list[Span]]:
        """Where the open brackets of a draft are, by paragraph label (a consensus version has
        none: brackets are about the text on main)."""
        if version is not None:
            return {}
        return spans_by_label(self.brackets(slug))

    # -- paragraph status ----------------------------------------------------------------------

    def agree(
        self, slug: str, label: str, *, ad_ref: bool = False, pending_on: Iterable[str] = ()
    ) -> Event:
        """Record paragraph ``label`` as agreed (ad referendum: pending on some groups or
        members)."""
        actor = self.record.require("agree a paragraph")
        holders = self._holders(pending_on, "pending on")
        if ad_ref and not holders:
            raise InvalidInput(
                "agreed ad referendum pending on whom?", remedy=Remedy.GIVE_PENDING_ON
            )
        if holders and not ad_ref:
            raise InvalidInput(
                "only a paragraph agreed ad referendum is pending on someone",
                remedy=Remedy.PENDING_ON_NEEDS_AD_REF,
            )
        return self._status(actor, slug, label, "agreed-ad-ref" if ad_ref else "agreed", holders)

    def reopen(self, slug: str, label: str, *, reason: str) -> Event:
        actor = self.record.require("reopen a paragraph")
        reason = validate.text(reason, "reason").strip()
        return self._status(actor, slug, label, "open", (), reason)

    def _status(
        self,
        actor: Member,
        slug: str,
        label: str,
        state: str,
        holders: tuple[str, ...],
        reason: str = "",
    ) -> Event:
        main = self.drafts.existing_draft(slug)
        current, _ = self.drafts.paragraph(main, slug, label)
        return self.chains.draft_event(
            slug,
            main,
            "status",
            actor,
            text=reason,
            paragraph=current,
            state=state,
            held_by=holders,
        )

    def ledger(self, slug: str, *, amendments: bool = True) -> list[ParagraphState]:
        """Every paragraph of the draft on main: its status, brackets, open amendments and
        comments (``wgtool status``); without ``amendments``, the open amendments are left out
        (and the index unread)."""
        main = self.drafts.existing_draft(slug)
        text = self.drafts.draft_text_at(main, slug) or ""
        current = self.drafts.labels_at(main, slug, text)
        events = self.chains.draft_events(slug)
        tracker = _Tracker(self, slug)
        by_label: dict[str, dict[str, list[object]]] = {}

        def slot(label: str | None, key: str, item: object) -> None:
            if label is not None:
                by_label.setdefault(label, {}).setdefault(key, []).append(item)

        lifts = {e.target: e for e in events if e.type == "unbracket"}
        for event in events:
            if event.type == "bracket" and event.id not in lifts:
                bracket = tracker.bracket(event, None)
                if bracket.active:
                    slot(bracket.label, "brackets", bracket)
            elif event.type in ("status", "comment") and event.paragraph:
                slot(tracker.label_now(event), event.type, event)
        for amendment in self.amendments.amendments(draft=slug) if amendments else ():
            if amendment.status.undecided and amendment.paragraph is not None:
                slot(tracker.amendment_label(amendment), "amendments", amendment.id)
        return [
            self._paragraph_state(tracker, label, number, block.text, by_label.get(label, {}))
            for number, (label, block) in enumerate(
                zip(current.current, document.paragraphs(text), strict=True), 1
            )
        ]

    def _paragraph_state(
        self,
        tracker: _Tracker,
        label: str,
        number: int,
        text: str,
        found: dict[str, list[object]],
    ) -> ParagraphState:
        statuses = [e for e in found.get("status", []) if isinstance(e, Event)]
        decided = statuses[-1] if statuses else None
        status, changed = ParagraphStatus.OPEN, False
        pending: tuple[str, ...] = ()
        if decided is not None and decided.state in STATUSES[1:]:
            changed = tracker.paragraph_text(decided) != text
            if not changed:
                status, pending = ParagraphStatus(decided.state), decided.held_by
        return ParagraphState(
            label=label,
            number=number,
            text=text,
            status=status,
            pending_on=pending,
            decided=decided,
            changed=changed,
            brackets=tuple(b for b in found.get("brackets", []) if isinstance(b, Bracket)),
            open_amendments=tuple(str(a) for a in found.get("amendments", [])),
            comments=tuple(e for e in found.get("comment", []) if isinstance(e, Event)),
        )

    # -- comments on a paragraph ---------------------------------------------------------------

    def comment_paragraph(
        self, slug: str, label: str, text: str, *, reply_to: str | None = None
    ) -> Event:
        actor = self.record.require("comment")
        text = validate.text(text, "comment")
        main = self.drafts.existing_draft(slug)
        current, _ = self.drafts.paragraph(main, slug, label)
        if reply_to is not None:
            reply_to = self.chains.find_event(reply_to, "comment").id
        event = self.chains.new_event(
            draft_chain(slug),
            "comment",
            actor,
            text=text,
            reply_to=reply_to,
            paragraph=current,
            anchor=main,
        )
        self.chains.write_event(event, actor)
        return event

    def paragraph_comments(self, slug: str, label: str | None = None) -> list[Event]:
        events = self.chains.draft_events(slug, ("comment",))
        if label is None:
            return events
        tracker = _Tracker(self, slug)
        return [e for e in events if tracker.label_now(e) == label]

    def paragraph_threads(self, slug: str, label: str | None = None) -> list[ParagraphThreads]:
        """The comments on a draft's paragraphs as threads, under the paragraph each thread is
        on now, in the draft's order; threads on paragraphs deleted since come last, under the
        label they were written on. ``label``: only that paragraph's (it must exist now)."""
        main = self.drafts.existing_draft(slug)
        if label is not None:
            label = self.drafts.paragraph(main, slug, label)[0]
        tracker = _Tracker(self, slug)
        found: dict[tuple[str | None, str], list[Thread]] = {}
        for thread in threads(self.chains.draft_events(slug, ("comment",))):
            now = tracker.label_now(thread.comment)
            if label is None or now == label:
                key = (now, now or thread.comment.paragraph or "?")
                found.setdefault(key, []).append(thread)
        order = {name: n for n, name in enumerate(tracker.labels.current)}
        return [
            ParagraphThreads(now, was, tuple(found[(now, was)]))
            for now, was in sorted(found, key=lambda k: (k[0] is None, order.get(k[1], 0), k[1]))
        ]


class _Tracker:
    """Where what was said of a paragraph at one main commit is on main now."""

    def __init__(self, desk: AgreementDesk, slug: str) -> None:
        self.drafts = desk.drafts
        self.slug = slug
        self.main = desk.record.main()
        self.text = self.drafts.draft_text_at(self.main, slug) or ""
        self.labels = self.drafts.labels_at(self.main, slug, self.text)
        self.paragraphs = document.paragraphs(self.text)
        self._at: dict[str, tuple[labels.Labels, list[document.Block]]] = {}

    def _read(self, commit: str) -> tuple[labels.Labels, list[document.Block]]:
        if commit not in self._at:
            text = self.drafts.draft_text_at(commit, self.slug) or ""
            self._at[commit] = (
                self.drafts.labels_at(commit, self.slug, text),
                document.paragraphs(text),
            )
        return self._at[commit]

    def position_now(self, label: str, anchor: str | None) -> int | None:
        generation = self._read(anchor)[0].generation if anchor else self.labels.generation
        return self.labels.as_of(label, generation)

    def label_now(self, event: Event) -> str | None:
        position = self.position_now(event.paragraph or "", event.anchor)
        return None if position is None else self.labels.label(position)

    def paragraph_text(self, event: Event) -> str | None:
        """The text of the event's paragraph at the commit it was made against."""
        if event.anchor is None:
            return None
        found, blocks = self._read(event.anchor)
        position = found.position(event.paragraph or "")
        return None if position is None else blocks[position - 1].text

    def bracket(self, event: Event, lifted: Event | None) -> Bracket:
        position = self.position_now(event.paragraph or "", event.anchor)
        old = self.paragraph_text(event)
        if position is None or old is None:
            return Bracket(event, None, None, None, True, lifted)
        new = self.paragraphs[position - 1].text
        label = self.labels.label(position)
        if not event.words:  # the whole paragraph, for as long as it is there
            return Bracket(event, label, 0, len(new), False, lifted)
        start = event.start or 0
        end = start + len(event.words)
        span = follow_span(old, new, start, end) if old[start:end] == event.words else None
        if span is None:
            return Bracket(event, label, None, None, True, lifted)
        return Bracket(event, label, span[0], span[1], False, lifted)

    def amendment_label(self, amendment: Amendment) -> str | None:
        """The label now of the paragraph an undecided amendment amends."""
        if amendment.paragraph is None:
            return None
        label = amendment.label or str(amendment.paragraph)
        position = self.position_now(label, amendment.base)
        return None if position is None else self.labels.label(position)


__all__ = ["AgreementDesk", "ParagraphThreads"]
