"""What merging an amendment would do, and the chair's resolution of a conflict.

Pure functions of texts: the use cases (``MergesDesk.plan_merge``, ``merge``, ``revert``) read
the record, call these, and write. A :class:`MergePlan` is everything a dry run shows: the
paragraphs the merge changes with their word diffs, or the conflicts with the paragraphs of the
current text they are in, and the consensus the merge would be taken on.
"""

from __future__ import annotations

from dataclasses import dataclass

from wgtool.core import document
from wgtool.core.consensus import Consensus
from wgtool.core.errors import InvalidInput, MergeConflict, Remedy
from wgtool.core.model import Amendment
from wgtool.core.text import (
    BlockChange,
    Conflict,
    ConflictRegion,
    DiffOp,
    MergeResult,
    block_changes,
)


def block_label(text: str, start: int, end: int) -> str:
    """How people name blocks ``[start, end)`` of a draft: ``¶11``, ``¶11-12``, a heading."""
    blocks = document.blocks(text)
    chosen = blocks[start:end]
    numbers = [b.number for b in chosen if b.number is not None]
    headings = [b.heading_text for b in chosen if b.number is None]
    if not chosen:
        following = next((b.number for b in blocks[start:] if b.number is not None), None)
        return f"before ¶{following}" if following else "at the end"
    parts = []
    if numbers:
        parts.append(f"¶{numbers[0]}" if len(numbers) == 1 else f"¶{numbers[0]}-{numbers[-1]}")
    parts += [f"heading {h!r}" for h in headings]
    return ", ".join(parts)


@dataclass(frozen=True)
class ParagraphChange:
    """One change a merge makes to the draft, located by paragraph."""

    label: str  # e.g. "¶11", "new ¶12", "¶4 (removed)"
    ops: tuple[DiffOp, ...]

    def to_dict(self) -> dict[str, object]:
        return {"paragraph": self.label, "diff": [d.to_dict() for d in self.ops]}


def paragraph_changes(old: str, new: str) -> list[ParagraphChange]:
    """The changes from ``old`` to ``new``, each labelled with its paragraph."""
    return [_labelled(old, new, change) for change in block_changes(old, new)]


def _labelled(old: str, new: str, change: BlockChange) -> ParagraphChange:
    if change.old[0] == change.old[1]:
        label = "new " + block_label(new, *change.new)
    elif change.new[0] == change.new[1]:
        label = block_label(old, *change.old) + " (removed)"
    else:
        label = block_label(old, *change.old)
        after = block_label(new, *change.new)
        if after != label:
            label += f" (now {after})"
    return ParagraphChange(label, change.ops)


@dataclass(frozen=True)
class ConflictPlace:
    """A conflict as the chair sees it: the paragraphs of the current text it is in."""

    label: str
    blocks: tuple[int, int]  # in the current text
    base: str
    ours: str
    theirs: str
    spots: tuple[Conflict, ...]  # the conflicting words inside

    def to_dict(self) -> dict[str, object]:
        return {
            "paragraph": self.label,
            "base": self.base,
            "current": self.ours,
            "amendment": self.theirs,
        }


@dataclass(frozen=True)
class MergePlan:
    """What merging an amendment into main would do, computed without writing anything.

    Attributes:
        amendment: The amendment.
        main: The main commit the plan was made against.
        current: The draft's text at ``main``.
        result: The three-way merge (clean, or with conflict regions).
        consensus: The amendment's consensus now.
        revised: Whether the amendment's text was revised orally for this merge.
    """

    amendment: Amendment
    main: str
    current: str
    result: MergeResult
    consensus: Consensus
    revised: bool = False

    @property
    def clean(self) -> bool:
        return self.result.clean

    @property
    def merged(self) -> str | None:
        return self.result.text

    def changes(self) -> list[ParagraphChange]:
        """The paragraphs the merge changes, with word diffs (empty on a conflict)."""
        return [] if self.result.text is None else paragraph_changes(self.current, self.result.text)

    def places(self) -> list[ConflictPlace]:
        """The conflicts, one per run of paragraphs of the current text."""
        return [_place(self.current, region) for region in self.result.regions]

    def conflicting_text(self) -> str:
        """The conflicting paragraphs as the current text has them, in the form :func:`resolve`
        takes (in order, separated by blank lines): where the chair's resolution starts."""
        return "\n\n".join(p.ours.strip() for p in self.places() if p.ours.strip())

    def conflict_summary(self) -> str:
        """``¶11 and ¶14``: the paragraphs a resolution must give, in order."""
        labels = [p.label for p in self.places()]
        return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]

    def to_dict(self) -> dict[str, object]:
        return {
            "amendment": self.amendment.id,
            "draft": self.amendment.draft,
            "main": self.main,
            "clean": self.clean,
            "changes": [c.to_dict() for c in self.changes()],
            "conflicts": [p.to_dict() for p in self.places()],
            "consensus": self.consensus.to_dict(),
            "consensus_reached": self.consensus.reached,
        }


def _place(current: str, region: ConflictRegion) -> ConflictPlace:
    label = block_label(current, *region.blocks)
    if region.blocks[0] == region.blocks[1]:
        label = f"the paragraph removed {label}"
    return ConflictPlace(
        label, region.blocks, region.base, region.ours, region.theirs, region.conflicts
    )


def conflict(plan: MergePlan) -> MergeConflict:
    """The error a merge of a conflicting plan raises: where it conflicts (each face adds how
    to resolve it: :attr:`Remedy.RESOLVE_CONFLICT`)."""
    return MergeConflict(
        conflict_message(plan),
        plan.result.conflicts,
        remedy=Remedy.RESOLVE_CONFLICT,
        amendment=plan.amendment.id,
        those=_those(plan),
        they=_they(plan),
    )


def conflict_message(plan: MergePlan) -> str:
    """Several lines: where the amendment conflicts (the first line) and what conflicts."""
    amendment = plan.amendment
    lines = [
        f"amendment {amendment.id} conflicts with the current text of {amendment.draft} in "
        f"{plan.conflict_summary()}"
    ]
    for place in plan.places():
        for conflict in place.spots:
            what = (
                f"both changed {_clip(conflict.base)!r}"
                if conflict.base.strip()
                else "both add words at the same place"
            )
            lines.append(
                f"{place.label}: the text now reads {_clip(conflict.ours)!r} where the "
                f"amendment has {_clip(conflict.theirs)!r} ({what})"
            )
    return "\n".join(lines)


def _those(plan: MergePlan) -> str:
    count = sum(max(1, p.blocks[1] - p.blocks[0]) for p in plan.places())
    return "that paragraph" if count == 1 else "those paragraphs"


def _they(plan: MergePlan) -> str:
    return "it" if _those(plan) == "that paragraph" else "they"


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def resolve(plan: MergePlan, resolution: str) -> str:
    """The draft with the chair's resolution of each conflict, or InvalidInput.

    ``resolution`` holds the conflicting paragraphs of the current text as they should read, in
    order, separated by blank lines (one paragraph for each; none for a paragraph the current
    text no longer has). A whole draft is accepted too when it changes nothing but those
    paragraphs. Anything that would change another paragraph is refused, naming them.
    """
    result = plan.result
    wanted = [region.blocks[1] - region.blocks[0] for region in result.regions]
    given = [b.text for b in document.blocks(document.normalise(resolution))]
    if len(given) == sum(wanted):
        chunks, position = [], 0
        for count in wanted:
            chunks.append(given[position : position + count])
            position += count
        return document.normalise(result.resolve(chunks))
    # A whole draft: the clean merge everywhere but in the conflicting paragraphs.
    keeping = result.resolve(
        [[b.text for b in document.blocks(region.ours)] for region in result.regions]
    )
    kept = [b.text for b in document.blocks(keeping)]
    conflicting = _region_blocks(result)
    if len(given) == len(kept):
        others = [i for i, (a, b) in enumerate(zip(given, kept, strict=True)) if a != b]
        outside = [i for i in others if i not in conflicting]
        if not outside:
            return document.normalise(resolution)
        raise InvalidInput(
            "the resolution would also change "
            + ", ".join(block_label(keeping, i, i + 1) for i in outside)
            + f"; give only {plan.conflict_summary()} (or replace the whole draft)"
        )
    raise InvalidInput(
        f"the resolution holds {len(given)} paragraph(s) but the conflict is in "
        f"{plan.conflict_summary()} ({sum(wanted)} paragraph(s)): give {_those(plan)} as "
        f"{_they(plan)} should read, in order (or replace the whole draft)"
    )


def resolution_changes(plan: MergePlan, resolution: str) -> list[ParagraphChange]:
    """The paragraphs merging with the chair's ``resolution`` (see :func:`resolve`) changes in
    the current text, or InvalidInput when the resolution is refused."""
    return paragraph_changes(plan.current, resolve(plan, resolution))


def resolution_spans_paragraphs(plan: MergePlan) -> bool:
    """Whether the resolution of the plan's conflicts holds several paragraphs (to be written in
    order, a blank line between them) rather than one."""
    return "\n\n" in plan.conflicting_text() or len(plan.places()) > 1


def _region_blocks(result: MergeResult) -> set[int]:
    """The block indices that conflict regions hold in the merged text (each region with as
    many blocks as the current text has there)."""
    marks = [
        [f"\x00region {i} block {j}\x00" for j in range(r.blocks[1] - r.blocks[0])]
        for i, r in enumerate(result.regions)
    ]
    marked = [b.text for b in document.blocks(result.resolve(marks))]
    return {i for i, text in enumerate(marked) if text.startswith("\x00region ")}
