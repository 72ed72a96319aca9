"""The meeting room: the chair's focus on one paragraph, and what a room shows of it.

The chair moves the focus (:meth:`MeetingDesk.focus`): an event of type ``focus`` in the draft's
chain, ``refs/wg/events/draft-<slug>``, naming the paragraph and, when the chair reads it out
changed, its text as orally revised. It travels with the record (sync, the guard, verify judge
it like every event), so a room that follows through a remote sees the same paragraph. A focus
to where the room already is writes nothing: a meeting's many moves add one small event each.

A follower (``wgtool present``) reads :meth:`MeetingDesk.room` again whenever
:meth:`MeetingDesk.room_fingerprint` changes: one ``git for-each-ref`` of the refs the room
shows (main, the draft's chain, the amendments), cheap enough to ask twice a second.
"""

from __future__ import annotations

from dataclasses import dataclass

from wgtool.core import document, validate
from wgtool.core.agreement import ParagraphState, Span, follow_span
from wgtool.core.desks.agreement import AgreementDesk
from wgtool.core.desks.chains import Chains
from wgtool.core.desks.context import Record
from wgtool.core.desks.drafts import DraftsDesk
from wgtool.core.errors import InvalidInput
from wgtool.core.glance import listing_fingerprint
from wgtool.core.model import Event
from wgtool.core.record.rulebook import AMENDMENTS_PREFIX, EVENTS_PREFIX, MAIN_REF, draft_chain

FOCUS = "focus"


@dataclass(frozen=True)
class Room:
    """What a meeting room shows of a draft: the paragraph in focus, as the chair put it.

    Attributes:
        slug: The draft.
        title: The draft's title.
        focus: The chair's latest focus event (None: the chair has not focused yet).
        label: The focused paragraph's label now (None: no focus, or its paragraph was deleted
            since; ``focus.paragraph`` is the label it had).
        text: The text shown: as orally revised when the focus says so, else the paragraph on
            main.
        orally_revised: Whether ``text`` is the chair's oral revision.
        brackets: The open brackets in ``text`` (the words of a bracket the oral revision
            dropped are not shown bracketed).
        state: The paragraph's line of the ledger (status, brackets, open amendments, comments).
        paragraph_count: How many paragraphs the draft has now.
    """

    slug: str
    title: str
    focus: Event | None
    label: str | None
    text: str
    orally_revised: bool
    brackets: tuple[Span, ...]
    state: ParagraphState | None
    paragraph_count: int


class MeetingDesk:
    """The chair focuses the room on a paragraph; anyone reads what the room shows."""

    def __init__(
        self, record: Record, drafts: DraftsDesk, agreement: AgreementDesk, chains: Chains
    ) -> None:
        self.record = record
        self.drafts = drafts
        self.agreement = agreement
        self.chains = chains

    def focus(self, slug: str, label: str, *, text: str | None = None) -> tuple[Event, bool]:
        """Focus the room on paragraph ``label`` of draft ``slug`` (chair); ``text``: the
        paragraph as orally revised. Returns the focus in force and whether it was written
        (False: the room showed that already)."""
        actor = self.record.require("focus the room")
        oral = ""
        if text is not None:
            oral = validate.text(text, "the text as orally revised").strip()
            if len(document.paragraphs(oral)) != 1:
                raise InvalidInput(
                    "the text as orally revised is more than one paragraph: give one paragraph"
                )
        main = self.drafts.existing_draft(slug)
        current, block = self.drafts.paragraph(main, slug, label)
        if oral == block.text:
            oral = ""  # read out as it stands: no revision
        latest = self.latest_focus(slug)
        if (
            latest is not None
            and latest.text == oral
            and self._label_now(slug, latest, main) == current
        ):
            return latest, False
        event = self.chains.draft_event(slug, main, FOCUS, actor, text=oral, paragraph=current)
        return event, True

    def latest_focus(self, slug: str) -> Event | None:
        """The chair's latest focus on draft ``slug`` (None: none yet)."""
        events = self.chains.draft_events(slug, (FOCUS,))
        return events[-1] if events else None

    def _label_now(self, slug: str, event: Event, main: str) -> str | None:
        """The label now (at ``main``) of the paragraph a focus named at its anchor."""
        text = self.drafts.draft_text_at(main, slug) or ""
        now = self.drafts.labels_at(main, slug, text)
        generation = now.generation
        if event.anchor:
            then = self.drafts.draft_text_at(event.anchor, slug)
            if then is not None:
                generation = self.drafts.labels_at(event.anchor, slug, then).generation
        position = now.as_of(event.paragraph or "", generation)
        return None if position is None else now.label(position)

    def room(self, slug: str) -> Room:
        """What the room shows of draft ``slug`` now."""
        main = self.drafts.existing_draft(slug)
        draft_text = self.drafts.draft_text_at(main, slug) or ""
        count = len(document.paragraphs(draft_text))
        title = document.title(draft_text) or slug
        focus = self.latest_focus(slug)
        label = None if focus is None else self._label_now(slug, focus, main)
        if focus is None or label is None:
            return Room(slug, title, focus, None, "", False, (), None, count)
        state = next((p for p in self.agreement.ledger(slug) if p.label == label), None)
        text = state.text if state is not None else ""
        spans: list[Span] = [
            (b.start or 0, b.end or 0, b.id) for b in (state.brackets if state else ())
        ]
        if focus.text:
            followed = [
                (span[0], span[1], bracket)
                for start, end, bracket in spans
                if (span := follow_span(text, focus.text, start, end)) is not None
            ]
            text, spans = focus.text, followed
        return Room(slug, title, focus, label, text, bool(focus.text), tuple(spans), state, count)

    def room_refs(self, slug: str) -> list[str]:
        """The refs what the room shows of draft ``slug`` is read from: main, the draft's
        chain, the amendments (as ``git for-each-ref`` and ``git ls-remote`` patterns)."""
        validate.name(slug, "draft")
        return [MAIN_REF, EVENTS_PREFIX + draft_chain(slug), AMENDMENTS_PREFIX + "*"]

    def room_fingerprint(self, slug: str) -> str:
        """A digest of the refs the room shows (:meth:`room_refs`): it changes whenever what
        :meth:`room` gives may have. One ``git for-each-ref``."""
        patterns = [p.removesuffix("/*") for p in self.room_refs(slug)]
        listing = self.record.store.run(
            ["for-each-ref", "--format=%(objectname) %(refname)", *patterns]
        ).stdout.decode()
        return listing_fingerprint(listing)


__all__ = ["FOCUS", "MeetingDesk", "Room"]
