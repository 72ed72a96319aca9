"""What the secretariat's documents hold, whatever they are written as (HTML or Word).

Each paper is plain data gathered once from the record by
:func:`wgtool.core.documents.export.produce`;
:mod:`wgtool.core.documents.pages` lays it out as HTML from templates and
:mod:`wgtool.core.documents.word` as a Word document. Every text here is member-written data: the
renderers escape it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeVar

from wgtool.core import agreement, document
from wgtool.core.consensus import Consensus
from wgtool.core.labels import label_of
from wgtool.core.model import Amendment, GroupState, Status, Verdict

if TYPE_CHECKING:
    from wgtool.core.agreement import ParagraphState
    from wgtool.core.documents.redline import AttributedRedline, RedlineEntry
    from wgtool.core.model import Event

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
"""The Akoma Ntoso namespace, of the export and of the amendments' documents."""

Brackets = Mapping[str, Sequence[agreement.Span]] | None


@dataclass(frozen=True)
class CleanBlock:
    """A heading (``level`` 1-6) or a labelled paragraph, cut into pieces at its brackets:
    each piece with the id of the bracket around it, or None."""

    heading: bool
    level: int
    label: str
    text: str
    pieces: tuple[tuple[str, str | None], ...]


@dataclass(frozen=True)
class CleanText:
    """The text of a draft (a version, or main with its brackets)."""

    title: str
    text: str
    version: str | None
    labels: Sequence[str] = ()
    spans: Brackets = None
    language: str = "en"
    stale: frozenset[str] = frozenset()  # a translation's units translated from an older text
    # Numbered notes (a group's reservation on a paragraph's label, or its explanation of
    # position on the whole text: None), in the order they are numbered.
    notes: Sequence[tuple[str | None, str]] = ()
    preface: Sequence[str] = ()  # lines said before the text (the chair's text: what it holds)

    def note_numbers(self, label: str | None) -> list[int]:
        """The numbers of the notes on paragraph ``label`` (None: on the whole text)."""
        return [n for n, (on, _) in enumerate(self.notes, 1) if on == label]

    @property
    def bracket_count(self) -> int:
        return sum(len(s) for s in (self.spans or {}).values())

    def blocks(self) -> list[CleanBlock]:
        result = []
        for block in document.blocks(self.text):
            if block.heading:
                level = min(block.heading_level, 6)
                text = block.heading_text
                result.append(CleanBlock(True, level, "", text, ((text, None),)))
                continue
            label = label_of(self.labels, block.number or 0)
            cut = agreement.pieces(block.text, (self.spans or {}).get(label, []))
            result.append(CleanBlock(False, 0, label, block.text, tuple(cut)))
        return result


@dataclass(frozen=True)
class RedlinePaper:
    """The changes between two versions, paragraph by paragraph, with who made them (unless
    not ``attributed``: a published site that shows texts only)."""

    title: str
    old_name: str
    new_name: str
    redline: AttributedRedline
    groups: Mapping[str, str]
    attributed: bool = True
    language: str = "en"


@dataclass(frozen=True)
class CompiledAmendment:
    """An amendment as a compilation shows it.

    Attributes:
        blocks: What it changes, block by block (headings and paragraphs, changed ones only).
        thread: The comments on it with their replies (threads of the deliberation desk: a
            published site's, where it shows positions).
    """

    amendment: Amendment
    blocks: tuple[RedlineEntry, ...]
    consensus: Consensus
    notes: Sequence[str] = ()
    thread: Sequence[object] = ()

    @property
    def where(self) -> str:
        """'Paragraph 5', 'After paragraph 3'...: the amendment's place, capitalised."""
        place = self.amendment.place
        return place[:1].upper() + place[1:]

    @property
    def heading(self) -> str:
        """'Paragraph 5 — Am. 3 (1a2b3c4d)', or for a sub-amendment 'Sub-amendment 5e6f7a8b
        to amendment 1a2b3c4d' (it stands right under that amendment)."""
        a = self.amendment
        if a.amends:
            return f"Sub-amendment {a.id} to amendment {a.amends}"
        return f"{self.where} — {'amendment ' + a.id if a.number is None else a.official}"


@dataclass(frozen=True)
class CompilationPaper:
    """The amendments to a draft in paragraph order, with the paragraph ledger.

    Attributes:
        deliberation: Shows the consensus counts and the comments on paragraphs (a
            published site that shows amendments only leaves them out).
        positions: Shows each member's position and the comments on each amendment.
    """

    title: str
    amendments: Sequence[CompiledAmendment]
    groups: Mapping[str, str]
    ledger: Sequence[ParagraphState] = field(default=())
    deliberation: bool = True
    positions: bool = False
    statements: Sequence[str] = field(default=())  # reservations, explanations of position

    def ordered(self) -> list[CompiledAmendment]:
        return in_compilation_order(self.amendments, lambda c: c.amendment)

    def group_name(self, slug: str) -> str:
        return self.groups.get(slug, slug)

    def comments(self) -> list[tuple[str, Event]]:
        """The comments on the paragraphs, with the label of the paragraph each is on, in the
        draft's order (replies after what they answer, as written)."""
        return [(p.label, c) for p in self.ledger for c in p.comments]


T = TypeVar("T")


def in_compilation_order(items: Sequence[T], amendment_of: Callable[[T], Amendment]) -> list[T]:
    """Amendments in paragraph order, as tabled; each sub-amendment right under its amendment
    (when that is among them), as its sub-amendments were tabled."""
    by_id = {amendment_of(item).id: amendment_of(item) for item in items}

    def key(item: T) -> tuple[int, int, str, bool, int, str]:
        a = amendment_of(item)
        parent = by_id.get(a.amends or "")
        head = parent or a
        under = parent is not None
        return (head.paragraph or 0, head.created_at, head.id, under, a.created_at, a.id)

    return sorted(items, key=key)


CONSENSUS_LEGEND = (
    "Consensus counts stakeholder groups: S support, N no objection, O object, ? not heard."
)
"""What the compilation says once of the consensus counts it gives each amendment."""

_VERDICTS = {
    Verdict.CONSENSUS: "reached",
    Verdict.OBJECTION: "not reached: a group objects",
    Verdict.PENDING: "not reached yet",
}


def consensus_line(consensus: Consensus) -> str:
    """The consensus as a compilation states it: ``reached (S2 N1 O0 ?2)``, the counts as
    :data:`CONSENSUS_LEGEND` reads them."""
    n = consensus.counts()
    return (
        f"{_VERDICTS[consensus.state]} (S{n[GroupState.SUPPORT]} "
        f"N{n[GroupState.NO_OBJECTION]} O{n[GroupState.OBJECT]} ?{n[GroupState.NOT_HEARD]})"
    )


def ledger_status(state: ParagraphState) -> str:
    return "open (changed since agreed)" if state.changed else state.status


def status_line(amendment: Amendment) -> str:
    """The status as a compilation states it: how a merge was adopted, why it lapsed."""
    status = amendment.status
    if status is Status.LAPSED and amendment.amends:
        return f"{status.label} (amendment {amendment.amends} was decided or revised since)"
    if status is Status.LAPSED:
        return f"{status.label} (its paragraph is no longer in the draft)"
    if status is Status.ACCEPTED:
        return f"{status.label} into amendment {amendment.amends} by {amendment.merged_by}"
    line: str = status.label
    if amendment.merged_by:
        line += f" by {amendment.merged_by}"
    if amendment.adoption is not None and amendment.adoption.consensus != "unrecorded":
        line += f", {amendment.adoption.describe()}"
    if amendment.reverted_by:
        line += f"; reverted by {amendment.reverted_by}"
    if amendment.decided_reason:
        line += f": {amendment.decided_reason}"
    return line
