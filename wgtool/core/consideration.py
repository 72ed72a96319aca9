"""The order in which a chair takes a draft's open amendments, and the chair's text.

Pure functions of texts: :class:`~wgtool.core.desks.chairing.ChairingDesk` reads the record
and calls these. The rule (README, "The order of consideration"):

1. **By paragraph**, in the order of the current text: an amendment is taken at the first
   block (paragraph or heading) of the current text that merging it alone would change; an
   insertion after the block it follows (before the next one), one at the start before all.
2. **Within one paragraph**: deletions, then replacements, then insertions after it.
3. **Furthest from the text first**: among those, the larger :func:`word_distance` between the
   current text and the text merged with the amendment alone (every block it changes, summed).
4. Then by official number (and id).

Amendments that give the same text when merged alone are **identical** and one group, taken
together; alternatives (``--alternative-to``) are one group, side by side. A group stands where
its first member would. An amendment that conflicts with the current text is placed by where it
conflicts, its distance measured from the text it was based on.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import IntEnum

from wgtool.core import document, labels
from wgtool.core.model import Amendment
from wgtool.core.text import BlockChange, block_changes, merge3
from wgtool.core.text.distance import word_distance


class Shape(IntEnum):
    """What an amendment does where it is taken, in the order a chair takes them."""

    DELETE = 0
    REPLACE = 1
    INSERT = 2


@dataclass(frozen=True)
class Proposal:
    """An open amendment with the draft it was based on and the draft it proposes."""

    amendment: Amendment
    base: str
    proposed: str


@dataclass(frozen=True)
class Placement:
    """Where and how a chair takes one amendment.

    Attributes:
        block: The block of the current text it is taken at (``-1``: before the first).
        after: Whether it inserts after that block (rather than changing it).
        shape: Deletion, replacement or insertion (of its first change).
        distance: Words it deletes and inserts in the current text (see :func:`word_distance`).
        result: The current text with it alone merged; None where it conflicts with the text.
        where: The place in words: ``¶5``, ``after ¶5``, ``at the start``, ``heading 'X'``.
    """

    amendment: Amendment
    block: int
    after: bool
    shape: Shape
    distance: int
    result: str | None
    where: str

    @property
    def key(self) -> tuple[int, bool, Shape, int, int, str]:
        a = self.amendment
        return (self.block, self.after, self.shape, -self.distance, a.number or 0, a.id)

    def to_dict(self) -> dict[str, object]:
        a = self.amendment
        return {
            "id": a.id,
            "number": a.number,
            "where": self.where,
            "shape": self.shape.name.lower(),
            "distance": self.distance,
            "conflicts_with_text": self.result is None,
            "title": a.title,
            "proposer": a.proposer,
            "group": a.group,
            "alternative_to": a.alternative_to,
        }


@dataclass(frozen=True)
class Consideration:
    """One item of the order: an amendment, or amendments taken together.

    Attributes:
        placements: Its amendments in the order above.
        identical: Whether some of them give the same text.
        alternatives: Whether some of them are alternatives for one passage.
    """

    placements: tuple[Placement, ...]
    identical: bool
    alternatives: bool

    @property
    def where(self) -> str:
        return self.placements[0].where

    def to_dict(self, position: int) -> dict[str, object]:
        return {
            "position": position,
            "where": self.where,
            "identical": self.identical,
            "alternatives": self.alternatives,
            "amendments": [p.to_dict() for p in self.placements],
        }


def place(current: str, current_labels: labels.Labels, proposal: Proposal) -> Placement:
    """Where and how the chair takes ``proposal`` in the current text."""
    merged = merge3(proposal.base, current, proposal.proposed)
    if merged.text is not None and merged.text != current:
        changes = block_changes(current, merged.text)
        block, after, shape = _first(changes[0])
        distance = sum(_distance(c) for c in changes)
    else:
        # Conflicting, or already the text: measured from the text it was based on.
        own = block_changes(proposal.base, proposal.proposed)
        block, after, shape = _first(own[0]) if own else (-1, True, Shape.REPLACE)
        if merged.text is None:
            block, after = merged.regions[0].blocks[0], False
        distance = sum(_distance(c) for c in own) if merged.text is None else 0
    where = _where(current, current_labels, block, after)
    return Placement(proposal.amendment, block, after, shape, distance, merged.text, where)


def _first(change: BlockChange) -> tuple[int, bool, Shape]:
    """The block a change is taken at, whether after it, and its shape."""
    if change.old[0] == change.old[1]:
        return change.old[0] - 1, True, Shape.INSERT
    if change.new[0] == change.new[1]:
        return change.old[0], False, Shape.DELETE
    return change.old[0], False, Shape.REPLACE


def _distance(change: BlockChange) -> int:
    old = "".join(op.text for op in change.ops if op.op != "insert")
    new = "".join(op.text for op in change.ops if op.op != "delete")
    return word_distance(old, new)


def _where(text: str, current_labels: labels.Labels, block: int, after: bool) -> str:
    if block < 0:
        return "at the start"
    blocks = document.blocks(text)
    if block >= len(blocks):
        return "at the end"
    found = blocks[block]
    if found.number is None:
        name = f"heading {found.heading_text!r}"
    else:
        name = f"¶{labels.label_of(current_labels.current, found.number)}"
    return f"after {name}" if after else name


def consideration_order(
    current: str, current_labels: labels.Labels, proposals: Iterable[Proposal]
) -> list[Consideration]:
    """The open amendments ``proposals`` in the order a chair takes them (see the module)."""
    placements = [place(current, current_labels, p) for p in proposals]
    parent = {p.amendment.id: p.amendment.id for p in placements}

    def root(key: str) -> str:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    def join(one: str, other: str) -> None:
        parent[root(one)] = root(other)

    first_by_text: dict[str, str] = {}
    first_by_family: dict[str, str] = {}
    for p in placements:
        a = p.amendment
        family = a.alternative_to or a.id
        if family in first_by_family:
            join(a.id, first_by_family[family])
        first_by_family.setdefault(family, a.id)
        if p.result is not None and p.result != current:
            if p.result in first_by_text:
                join(a.id, first_by_text[p.result])
            first_by_text.setdefault(p.result, a.id)
    grouped: dict[str, list[Placement]] = {}
    for p in sorted(placements, key=lambda p: p.key):
        grouped.setdefault(root(p.amendment.id), []).append(p)
    order = []
    for members in grouped.values():  # in the order of their first members
        results = [m.result for m in members if m.result is not None and m.result != current]
        families = {m.amendment.alternative_to or m.amendment.id for m in members}
        order.append(
            Consideration(
                tuple(members),
                identical=len(set(results)) < len(results),
                alternatives=len(families) < len(members),
            )
        )
    return order


@dataclass(frozen=True)
class ChairConflict:
    """An amendment the chair's text could not take: where, and both texts.

    Attributes:
        where: The paragraphs, by their labels in the chair's text as it then read.
        text: The passage as the chair's text read with the amendments taken before it.
        proposed: The passage as the amendment would make it.
    """

    amendment: Amendment
    where: str
    text: str
    proposed: str

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.amendment.id,
            "number": self.amendment.number,
            "where": self.where,
            "text": self.text,
            "proposed": self.proposed,
        }


@dataclass(frozen=True)
class ChairText:
    """The draft with the chosen open amendments applied in the order of consideration.

    Attributes:
        main: The main commit whose text it starts from.
        labels: The labels of its paragraphs (new ones ``7bis``, as a merge would give).
        taken: The amendments applied, in order.
        conflicts: Those that conflict with the amendments taken before them (not applied).
    """

    slug: str
    title: str
    main: str
    text: str
    labels: tuple[str, ...]
    taken: tuple[Amendment, ...]
    conflicts: tuple[ChairConflict, ...]

    def label(self, number: int) -> str:
        """The label of paragraph ``number`` (1-based) of the chair's text."""
        return labels.label_of(self.labels, number)

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.slug,
            "title": self.title,
            "main": self.main,
            "taken": [{"id": a.id, "number": a.number} for a in self.taken],
            "conflicts": [c.to_dict() for c in self.conflicts],
            "paragraphs": [
                {"label": self.label(b.number), "text": b.text}
                if b.number is not None
                else {"heading": b.heading_text}
                for b in document.blocks(self.text)
            ],
            "text": self.text,
        }


def chair_text(
    current: str, current_labels: labels.Labels, proposals: Sequence[Proposal]
) -> tuple[str, labels.Labels, list[Amendment], list[ChairConflict]]:
    """``current`` with each of ``proposals`` merged in turn by the word-level three-way merge
    (give them in the order of consideration): the text, its labels, the amendments taken, and
    the conflicts (an amendment that conflicts with those before it is left out, never
    guessed)."""
    text, now = current, current_labels
    taken: list[Amendment] = []
    conflicts: list[ChairConflict] = []
    for proposal in proposals:
        merged = merge3(proposal.base, text, proposal.proposed)
        if merged.text is None:
            for region in merged.regions:
                where = _where_blocks(text, now, *region.blocks)
                conflicts.append(
                    ChairConflict(proposal.amendment, where, region.ours, region.theirs)
                )
            continue
        now = labels.relabel(_paragraphs(text), now, _paragraphs(merged.text))
        text = merged.text
        taken.append(proposal.amendment)
    return text, now, taken, conflicts


def _paragraphs(text: str) -> list[str]:
    return [p.text for p in document.paragraphs(text)]


def _where_blocks(text: str, now: labels.Labels, start: int, end: int) -> str:
    chosen = document.blocks(text)[start:end]
    names = [
        f"¶{labels.label_of(now.current, b.number)}"
        if b.number is not None
        else f"heading {b.heading_text!r}"
        for b in chosen
    ]
    return ", ".join(names) if names else _where(text, now, start - 1, True)
