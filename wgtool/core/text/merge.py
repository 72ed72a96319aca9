"""The three-way merge: an amendment combined with the current text, or the conflicts.

``merge3(base, ours, theirs)`` merges ``theirs`` (an amendment) into ``ours`` (the current text),
both descended from ``base`` (the text the amendment was made against). It works in two steps:

1. **Paragraphs.** Each side's units (paragraphs with the blank lines before them; see
   :mod:`wgtool.core.text.engine`) are aligned with the base: a paragraph is kept, edited,
   deleted, or new. Changes to different paragraphs combine. A paragraph deleted on one side and
   edited on the other, two different new paragraphs at the same place, or a new paragraph
   inside a stretch the other side replaced, conflict.
2. **Words.** A paragraph edited on both sides is merged word by word. Each side's edits are
   hunks over the base's tokens. An insertion or deletion that could equally sit a few tokens
   earlier or later (``"lawful and "`` before ``"proportionate"`` is also ``" lawful and"`` after
   ``"be"``) covers every position it could take, so where it sits never depends on edits
   elsewhere in the text. Two hunks of different sides conflict when they share a token, or
   when nothing but whitespace within the paragraph separates them: insertions at one point,
   edits to adjacent words, and an insertion next to a replaced word are one place.

Disjoint edits combine exactly; identical edits are taken once; everything else is a conflict
— never a third text. The merge never uses diff-match-patch's fuzzy ``patch_apply``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from wgtool.core.text.engine import (
    UnitEdit,
    align,
    split_units,
)
from wgtool.core.text.words import Conflict, UnionFind, merge_words, slide

__all__ = ["Conflict", "ConflictRegion", "MergeResult", "merge3"]


@dataclass(frozen=True)
class ConflictRegion:
    """Whole blocks of the current text that the chair must resolve.

    Attributes:
        blocks: The range ``[start, end)`` of block indices (headings and paragraphs, as
            :func:`wgtool.core.document.blocks` counts them) in the current text. Empty when the
            current text no longer has the paragraph the amendment changes.
        base: Those blocks' text in the base.
        ours: Their text now (the current text).
        theirs: Their text in the amendment.
        conflicts: The conflicting places inside, word by word.
    """

    blocks: tuple[int, int]
    base: str
    ours: str
    theirs: str
    conflicts: tuple[Conflict, ...]


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :func:`merge3`.

    Attributes:
        text: The merged text when the merge is clean, else ``None``.
        conflicts: The conflicting places, in text order; empty when clean.
        regions: The same conflicts grouped into whole blocks of the current text.
    """

    text: str | None
    conflicts: tuple[Conflict, ...]
    regions: tuple[ConflictRegion, ...] = field(default=(), compare=False)
    # The merged text around the regions: strings, and each region's index where it goes.
    pieces: tuple[str | int, ...] = field(default=(), compare=False, repr=False)
    # The whitespace before each region's first block in the current text.
    separators: tuple[str, ...] = field(default=(), compare=False, repr=False)

    @property
    def clean(self) -> bool:
        """Whether the merge succeeded without conflicts."""
        return not self.conflicts

    def resolve(self, resolutions: Sequence[Sequence[str]]) -> str:
        """The merged text with each region replaced by the chair's blocks.

        Args:
            resolutions: For each region, in order, the blocks (paragraphs or headings, without
                blank lines) that replace it; an empty list removes the region's blocks.

        Returns:
            The whole merged text: everything outside the regions as the merge made it.
        """
        if len(resolutions) != len(self.regions):
            raise ValueError(f"{len(self.regions)} region(s), {len(resolutions)} resolution(s)")
        if self.text is not None:
            return self.text
        out: list[str] = []
        for piece in self.pieces:
            if isinstance(piece, str):
                out.append(piece)
                continue
            for number, block in enumerate(resolutions[piece]):
                separator = self.separators[piece] if number == 0 else "\n\n"
                out.append((separator if any(out) else "") + block)
        return "".join(out)


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge two descendants of a text.

    ``ours`` is the current text (main), ``theirs`` the amendment, ``base`` the text the
    amendment was based on.

    Args:
        base: The common ancestor text.
        ours: The current text.
        theirs: The amendment's text.

    Returns:
        The merged text, or ``text=None`` with the conflicting places and regions.
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours, ())
    if ours == base:
        return MergeResult(theirs, ())
    return _UnitMerge(split_units(base), split_units(ours), split_units(theirs)).run()


# --------------------------------------------------------------------------------------------
# Step 1: paragraphs (units)
# --------------------------------------------------------------------------------------------


@dataclass
class _Replacement:
    """Base units ``[lo, hi)`` become ``text`` in the merge (or region ``region`` when set)."""

    lo: int
    hi: int
    text: str = ""
    region: int | None = None


class _UnitMerge:
    """One merge at the level of units; edited paragraphs go down to the word level
    (:func:`wgtool.core.text.words.merge_words`)."""

    def __init__(self, base: list[str], ours: list[str], theirs: list[str]) -> None:
        self.base, self.ours, self.theirs = base, ours, theirs
        self.ours_edits = align(base, ours)
        self.theirs_edits = align(base, theirs)
        # The units each side removed or replaced: a new paragraph between two of them clashes.
        self.ours_gone = _gone(self.ours_edits)
        self.theirs_gone = _gone(self.theirs_edits)

    def run(self) -> MergeResult:
        ours_edits, theirs_edits = self.ours_edits, self.theirs_edits
        count = len(ours_edits)
        groups = UnionFind(count + len(theirs_edits))
        merged_pairs: dict[int, str] = {}
        word_conflicts: dict[int, tuple[Conflict, ...]] = {}
        for i, j in self._candidates():
            mine, other = ours_edits[i], theirs_edits[j]
            if mine.paired and other.paired and mine.lo == other.lo:
                groups.union(i, count + j)
                text, conflicts = merge_words(
                    self.base[mine.lo], self.ours[mine.side_lo], self.theirs[other.side_lo]
                )
                if text is None:
                    word_conflicts[mine.lo] = conflicts
                else:
                    merged_pairs[mine.lo] = text
            elif self._clash(mine, other):
                groups.union(i, count + j)

        components: dict[int, tuple[list[UnitEdit], list[UnitEdit]]] = {}
        for node, edit in enumerate([*ours_edits, *theirs_edits]):
            mine_list, others = components.setdefault(groups.find(node), ([], []))
            (mine_list if node < count else others).append(edit)

        replacements: list[_Replacement] = []
        regions: list[tuple[int, int, list[UnitEdit], list[UnitEdit]]] = []
        for mine_list, others in components.values():
            if mine_list and others:
                if len(mine_list) == 1 and mine_list[0].paired and mine_list[0].lo in merged_pairs:
                    lo = mine_list[0].lo
                    replacements.append(_Replacement(lo, lo + 1, merged_pairs[lo]))
                    continue
                lo = min(e.lo for e in (*mine_list, *others))
                hi = max(e.hi for e in (*mine_list, *others))
                ours_text = _apply(self.base, self.ours, mine_list, lo, hi)
                theirs_text = _apply(self.base, self.theirs, others, lo, hi)
                if _unlined(ours_text) == _unlined(theirs_text):
                    # The same change, perhaps after different line breaks (at the very start
                    # of a text one side may have none): the fewer breaks, whichever side.
                    same = min(ours_text, theirs_text, key=lambda text: (len(text), text))
                    replacements.append(_Replacement(lo, hi, same))
                else:
                    regions.append((lo, hi, mine_list, others))
                continue
            side = self.ours if mine_list else self.theirs
            for edit in mine_list or others:
                replacements.append(
                    _Replacement(edit.lo, edit.hi, "".join(side[edit.side_lo : edit.side_hi]))
                )

        if not regions:
            return MergeResult(self._assemble(replacements), ())
        regions.sort(key=lambda r: (r[0], r[1]))
        for number, (lo, hi, _, _) in enumerate(regions):
            replacements.append(_Replacement(lo, hi, region=number))
        return self._conflicted(regions, replacements, word_conflicts)

    def _extent(self, edit: UnitEdit, side: list[str]) -> tuple[int, int]:
        """The gaps ``[low, high]`` an edit reaches: where it could clash with another."""
        if edit.lo == edit.hi:
            return slide(self.base, side[edit.side_lo : edit.side_hi], edit.lo, len(self.base) - 1)
        return edit.lo, edit.hi

    def _candidates(self) -> list[tuple[int, int]]:
        """Pairs (ours edit, theirs edit) whose extents meet: a sweep over both sides."""
        intervals = sorted(
            [(*self._extent(e, self.ours), 0, i) for i, e in enumerate(self.ours_edits)]
            + [(*self._extent(e, self.theirs), 1, i) for i, e in enumerate(self.theirs_edits)]
        )
        active: tuple[list[tuple[int, int]], list[tuple[int, int]]] = ([], [])
        pairs: list[tuple[int, int]] = []
        for low, high, side, index in intervals:
            others = [item for item in active[1 - side] if item[0] >= low]
            active[1 - side][:] = others
            for _, other in others:
                pairs.append((index, other) if side == 0 else (other, index))
            active[side].append((high, index))
        return pairs

    def _clash(self, mine: UnitEdit, other: UnitEdit) -> bool:
        """Whether two unit edits of different sides touch the same part of the base.

        They do when they share a unit, when both insert where the other inserts (order would
        be a guess), or when one inserts inside a stretch the other replaces. Edits of
        neighbouring paragraphs do not.
        """
        if mine.lo < other.hi and other.lo < mine.hi:
            return True
        mine_low, mine_high = self._extent(mine, self.ours)
        other_low, other_high = self._extent(other, self.theirs)
        mine_inserts, other_inserts = mine.lo == mine.hi, other.lo == other.hi
        if mine_inserts and other_inserts:
            return mine_low <= other_high and other_low <= mine_high
        if mine_inserts:
            return _between(mine_low, mine_high, self.theirs_gone)
        if other_inserts:
            return _between(other_low, other_high, self.ours_gone)
        return False

    def _assemble(self, replacements: list[_Replacement]) -> str:
        return "".join(str(p) for p in self._pieces(replacements))

    def _pieces(self, replacements: list[_Replacement]) -> list[str | int]:
        pieces: list[str | int] = []
        position = 0
        for item in sorted(replacements, key=lambda r: (r.lo, r.hi)):
            if item.lo < position:
                raise AssertionError(f"overlapping replacements reached assembly at {item.lo}")
            pieces.append("".join(self.base[position : item.lo]))
            pieces.append(item.text if item.region is None else item.region)
            position = item.hi
        pieces.append("".join(self.base[position:]))
        return [p for p in pieces if p != ""]

    def _conflicted(
        self,
        regions: list[tuple[int, int, list[UnitEdit], list[UnitEdit]]],
        replacements: list[_Replacement],
        word_conflicts: dict[int, tuple[Conflict, ...]],
    ) -> MergeResult:
        ours_offsets = [0]
        for unit in self.ours:
            ours_offsets.append(ours_offsets[-1] + len(unit))
        made: list[ConflictRegion] = []
        separators: list[str] = []
        for lo, hi, mine, others in regions:
            start, end = self._ours_range(lo, hi, mine)
            ours_part = "".join(self.ours[start:end])
            theirs_part = _apply(self.base, self.theirs, others, lo, hi)
            base_part = "".join(self.base[lo:hi])
            if lo in word_conflicts and hi == lo + 1:
                offset = ours_offsets[start]
                conflicts = tuple(
                    Conflict(c.base, c.ours, c.theirs, c.ours_offset + offset)
                    for c in word_conflicts[lo]
                )
            else:
                offset = ours_offsets[start]
                # Past the line breaks before the region (or before what follows a removed one).
                first = ours_part or (self.ours[start] if start < len(self.ours) else "")
                offset += len(first) - len(_unlined(first))
                conflicts = (
                    Conflict(
                        _unlined(base_part), _unlined(ours_part), _unlined(theirs_part), offset
                    ),
                )
            last_block = len(self.ours) - 1  # the tail unit holds no block
            separators.append(_leading_space(ours_part) if ours_part else "\n\n")
            made.append(
                ConflictRegion(
                    blocks=(min(start, last_block), min(end, last_block)),
                    base=_unlined(base_part),
                    ours=_unlined(ours_part),
                    theirs=_unlined(theirs_part),
                    conflicts=conflicts,
                )
            )
        return MergeResult(
            None,
            tuple(c for region in made for c in region.conflicts),
            tuple(made),
            tuple(self._pieces(replacements)),
            tuple(separators),
        )

    def _ours_range(self, lo: int, hi: int, mine: list[UnitEdit]) -> tuple[int, int]:
        """The units of the current text that a region over base units ``[lo, hi)`` covers."""
        starts = [e.side_lo for e in mine]
        ends = [e.side_hi for e in mine]
        covered = {u for e in mine for u in range(e.lo, e.hi)}
        for unit in (lo, hi - 1):
            if lo <= unit < hi and unit not in covered:
                position = _side_position(self.ours_edits, unit)
                starts.append(position)
                ends.append(position + 1)
        return min(starts), max(ends)


def _gone(edits: list[UnitEdit]) -> set[int]:
    return {u for e in edits if not e.paired for u in range(e.lo, e.hi)}


def _between(low: int, high: int, gone: set[int]) -> bool:
    """Whether a gap in ``[low, high]`` lies between two units the other side took away."""
    return any(gap - 1 in gone and gap in gone for gap in range(low, high + 1))


def _side_position(edits: list[UnitEdit], unit: int) -> int:
    """Where a base unit that one side kept stands among that side's units."""
    shift = 0
    for edit in edits:
        if edit.hi > unit:
            break
        shift += (edit.side_hi - edit.side_lo) - (edit.hi - edit.lo)
    return unit + shift


def _apply(base: list[str], side: list[str], edits: Iterable[UnitEdit], lo: int, hi: int) -> str:
    """Base units ``[lo, hi)`` with one side's edits among them applied."""
    out: list[str] = []
    position = lo
    for edit in sorted(edits, key=lambda e: (e.lo, e.hi)):
        out.extend(base[position : edit.lo])
        out.extend(side[edit.side_lo : edit.side_hi])
        position = edit.hi
    out.extend(base[position:hi])
    return "".join(out)


def _leading_space(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def _unlined(text: str) -> str:
    """A unit's text without the line breaks before it (indentation kept)."""
    space = _leading_space(text)
    return text[space.rfind("\n") + 1 :]
