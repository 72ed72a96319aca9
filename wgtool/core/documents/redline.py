"""A redline with the document's structure: one entry per heading or paragraph, each paragraph
named by its stable label (``7bis``, see :mod:`wgtool.core.labels`), each change with the steps
of main that made it (merged amendments, secretariat edits, reverts).

Built from :func:`~wgtool.core.text.block_changes` (what changed, block by block) and an
:class:`~wgtool.core.documents.blame.Attribution` traced from the older text to the newer one (who
wrote the new characters, who deleted the old ones). Text here is data: renderers escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wgtool.core import document
from wgtool.core.documents.blame import Attribution, Source
from wgtool.core.labels import Labels
from wgtool.core.text import DiffOp, block_changes, word_diff


@dataclass(frozen=True)
class RedlineEntry:
    """One heading or paragraph of a redline.

    Attributes:
        heading: A heading (``level`` 1-6), else a paragraph.
        old_number: The paragraph's position in the older text (None: a heading, or added).
        new_number: Its position in the newer text (None: a heading, or deleted).
        ops: Its word diff; one ``equal`` piece when unchanged.
        by: Who changed it, in the order they did (empty when unchanged, or not known).
        old_label: The paragraph's label in the older text (``7bis``; None as ``old_number``).
        new_label: Its label in the newer text (None as ``new_number``).
    """

    heading: bool
    level: int
    old_number: int | None
    new_number: int | None
    ops: tuple[DiffOp, ...]
    by: tuple[Source, ...] = ()
    old_label: str | None = None
    new_label: str | None = None

    @property
    def changed(self) -> bool:
        return any(op.op != "equal" for op in self.ops)

    @property
    def label(self) -> str:
        """'7bis', '3 (was 4)' (renumbered), 'deleted 4', 'new 7bis': how the entry is named."""
        old, new = self.old_label, self.new_label
        if self.heading:
            return ""
        if old is None:
            return f"new {new}"
        if new is None:
            return f"deleted {old}"
        return new if old == new else f"{new} (was {old})"

    def to_dict(self, groups: Mapping[str, str]) -> dict[str, object]:
        return {
            "heading": self.heading,
            "level": self.level,
            "old_number": self.old_number,
            "new_number": self.new_number,
            "old_label": self.old_label,
            "new_label": self.new_label,
            "changed": self.changed,
            "ops": [op.to_dict() for op in self.ops],
            "by": [{**s.to_dict(), "label": s.describe(groups)} for s in self.by],
        }


@dataclass(frozen=True)
class AttributedRedline:
    entries: tuple[RedlineEntry, ...]
    attributed: bool  # False when the older text is not older on main (no one to name)


def _heading_level(text: str) -> int:
    stripped = text.lstrip()
    level = len(stripped) - len(stripped.lstrip("#"))
    return level if document.HEADING_RE.match(stripped) else 0


def _strip_heading(ops: tuple[DiffOp, ...], level: int) -> tuple[DiffOp, ...]:
    """A heading's diff without its '# ' marker, when both versions start with it unchanged."""
    marker = "#" * level + " "
    if level and ops and ops[0].text.startswith(marker):
        rest = ops[0].text[len(marker) :]
        return ((DiffOp(ops[0].op, rest),) if rest else ()) + ops[1:]
    return ops


def _by(
    attribution: Attribution | None, old: document.Block | None, new: document.Block | None
) -> tuple[Source, ...]:
    """Who wrote what ``new`` holds, and who deleted what it no longer holds of ``old``."""
    if attribution is None:
        return ()
    found: set[int] = set()
    if new is not None:
        found |= attribution.written_between(new.start, new.end)
    if old is not None:
        found |= attribution.deleted_between(old.start, old.end)
    found.discard(0)
    return tuple(attribution.sources[i] for i in sorted(found))


class _Builder:
    """Builds a redline's entries from two texts' blocks, their labels and an attribution."""

    def __init__(
        self,
        old: str,
        new: str,
        attribution: Attribution | None,
        old_labels: Labels,
        new_labels: Labels,
    ) -> None:
        self.old_blocks, self.new_blocks = document.blocks(old), document.blocks(new)
        self.attribution = attribution
        self.old_labels, self.new_labels = old_labels, new_labels
        self.entries: list[RedlineEntry] = []

    def add(
        self, block: document.Block | None, other: document.Block | None, ops: tuple[DiffOp, ...]
    ) -> None:
        """The entry of an old ``block`` and the ``other`` (new) block it became (either None),
        with who changed it when it changed."""
        shown = other or block
        assert shown is not None
        changed = any(op.op != "equal" for op in ops)
        by = _by(self.attribution, block, other) if changed else ()
        level = _heading_level(shown.text) if shown.heading else 0
        old_number = block.number if block else None
        new_number = other.number if other else None
        self.entries.append(
            RedlineEntry(
                heading=shown.heading,
                level=level,
                old_number=old_number,
                new_number=new_number,
                ops=_strip_heading(ops, level) if shown.heading else ops,
                by=by,
                old_label=None if old_number is None else self.old_labels.label(old_number),
                new_label=None if new_number is None else self.new_labels.label(new_number),
            )
        )

    def unchanged(self, old: range, new: range) -> None:
        for i, j in zip(old, new, strict=True):
            self.add(
                self.old_blocks[i], self.new_blocks[j], (DiffOp("equal", self.new_blocks[j].text),)
            )

    def blocks_changed(self, old: range, new: range) -> None:
        """Blocks removed, added or rewritten beyond recognition: a paragraph that kept its
        label is still the same paragraph (edited), the others were deleted or inserted."""
        i, j = old.start, new.start
        for pi, pj in self._same_paragraphs(old, new):
            self._gone_and_new(range(i, pi), range(j, pj))
            before, after = self.old_blocks[pi], self.new_blocks[pj]
            self.add(before, after, tuple(word_diff(before.text, after.text)))
            i, j = pi + 1, pj + 1
        self._gone_and_new(range(i, old.stop), range(j, new.stop))

    def _gone_and_new(self, old: range, new: range) -> None:
        for i in old:
            self.add(self.old_blocks[i], None, (DiffOp("delete", self.old_blocks[i].text),))
        for j in new:
            self.add(None, self.new_blocks[j], (DiffOp("insert", self.new_blocks[j].text),))

    def _same_paragraphs(self, old: range, new: range) -> list[tuple[int, int]]:
        """Pairs (old block, new block), in order, of paragraphs with the same label (the new
        one's label as the older text's numbering named it, across renumberings)."""
        wanted = {
            self.old_labels.label(b.number): i
            for i in old
            if (b := self.old_blocks[i]).number is not None
        }
        pairs: list[tuple[int, int]] = []
        for j in new:
            number = self.new_blocks[j].number
            found = None if number is None else wanted.get(self._older_label(number) or "")
            if found is not None and (not pairs or found > pairs[-1][0]):
                pairs.append((found, j))
        return pairs

    def _older_label(self, number: int) -> str | None:
        """The label the older text's numbering gave new paragraph ``number`` (None: none)."""
        depth = self.new_labels.generation - self.old_labels.generation
        if depth == 0:
            return self.new_labels.label(number)
        former = self.new_labels.former[number - 1] if number <= len(self.new_labels.former) else ()
        return former[depth - 1] if 0 < depth <= len(former) else None


def attributed_redline(
    old: str,
    new: str,
    attribution: Attribution | None,
    old_labels: Labels | None = None,
    new_labels: Labels | None = None,
) -> AttributedRedline:
    """The redline from ``old`` to ``new``, entry by entry, each change with who made it.

    ``attribution`` is traced from ``old`` (source 0) to ``new``; None names no one. The
    labels name the paragraphs of each text (by position when not given).
    """
    builder = _Builder(
        old,
        new,
        attribution,
        old_labels or Labels.positional(len(document.paragraphs(old))),
        new_labels or Labels.positional(len(document.paragraphs(new))),
    )
    i = j = 0
    for change in block_changes(old, new):
        (o1, o2), (n1, n2) = change.old, change.new
        builder.unchanged(range(i, o1), range(j, n1))
        if o2 - o1 == 1 and n2 - n1 == 1:
            builder.add(builder.old_blocks[o1], builder.new_blocks[n1], change.ops)
        else:
            builder.blocks_changed(range(o1, o2), range(n1, n2))
        i, j = o2, n2
    builder.unchanged(range(i, len(builder.old_blocks)), range(j, len(builder.new_blocks)))
    return AttributedRedline(tuple(builder.entries), attribution is not None)
