"""A redline with the document's structure: one entry per heading or paragraph, numbered, each
change with the steps of main that made it (merged amendments, secretariat edits, reverts).

Built from :func:`~wgtool.core.text.block_changes` (what changed, block by block) and an
:class:`~wgtool.core.blame.Attribution` traced from the older text to the newer one (who wrote
the new characters, who deleted the old ones). Text here is data: renderers escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from wgtool.core import document
from wgtool.core.blame import Attribution, Source
from wgtool.core.text import DiffOp, block_changes


@dataclass(frozen=True)
class RedlineEntry:
    """One heading or paragraph of a redline.

    Attributes:
        heading: A heading (``level`` 1-6), else a paragraph.
        old_number: The paragraph's number in the older text (None: a heading, or added).
        new_number: Its number in the newer text (None: a heading, or deleted).
        ops: Its word diff; one ``equal`` piece when unchanged.
        by: Who changed it, in the order they did (empty when unchanged, or not known).
    """

    heading: bool
    level: int
    old_number: int | None
    new_number: int | None
    ops: tuple[DiffOp, ...]
    by: tuple[Source, ...] = ()

    @property
    def changed(self) -> bool:
        return any(op.op != "equal" for op in self.ops)

    @property
    def label(self) -> str:
        """'3', '3 (was 4)', 'deleted 4', 'new 5': how the entry is numbered."""
        old, new = self.old_number, self.new_number
        if self.heading:
            return ""
        if old is None:
            return f"new {new}"
        if new is None:
            return f"deleted {old}"
        return str(new) if old == new else f"{new} (was {old})"

    def to_dict(self, groups: Mapping[str, str]) -> dict[str, object]:
        return {
            "heading": self.heading,
            "level": self.level,
            "old_number": self.old_number,
            "new_number": self.new_number,
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
    attribution: Attribution | None,
    old_spans: list[tuple[int, int]],
    new_spans: list[tuple[int, int]],
) -> tuple[Source, ...]:
    if attribution is None:
        return ()
    found: set[int] = set()
    for start, end in new_spans:
        found |= attribution.written_between(start, end)
    for start, end in old_spans:
        found |= attribution.deleted_between(start, end)
    found.discard(0)
    return tuple(attribution.sources[i] for i in sorted(found))


def _entry(
    block: document.Block | None,
    other: document.Block | None,
    ops: tuple[DiffOp, ...],
    by: tuple[Source, ...],
) -> RedlineEntry:
    """An entry for an old ``block`` and the ``other`` (new) block it became (either None)."""
    shown = other or block
    assert shown is not None
    level = _heading_level(shown.text) if shown.heading else 0
    return RedlineEntry(
        heading=shown.heading,
        level=level,
        old_number=block.number if block else None,
        new_number=other.number if other else None,
        ops=_strip_heading(ops, level) if shown.heading else ops,
        by=by,
    )


def attributed_redline(old: str, new: str, attribution: Attribution | None) -> AttributedRedline:
    """The redline from ``old`` to ``new``, entry by entry, each change with who made it.

    ``attribution`` is traced from ``old`` (source 0) to ``new``; None names no one.
    """
    old_blocks, new_blocks = document.blocks(old), document.blocks(new)
    entries: list[RedlineEntry] = []
    i = j = 0

    def unchanged_until(old_end: int) -> None:
        nonlocal i, j
        while i < old_end:
            same = (DiffOp("equal", new_blocks[j].text),)
            entries.append(_entry(old_blocks[i], new_blocks[j], same, ()))
            i, j = i + 1, j + 1

    for change in block_changes(old, new):
        (o1, o2), (n1, n2) = change.old, change.new
        unchanged_until(o1)
        if o2 - o1 == 1 and n2 - n1 == 1:
            by = _by(attribution, [_span(old_blocks[o1])], [_span(new_blocks[n1])])
            entries.append(_entry(old_blocks[o1], new_blocks[n1], change.ops, by))
        else:
            for b in old_blocks[o1:o2]:
                by = _by(attribution, [_span(b)], [])
                entries.append(_entry(b, None, (DiffOp("delete", b.text),), by))
            for b in new_blocks[n1:n2]:
                by = _by(attribution, [], [_span(b)])
                entries.append(_entry(None, b, (DiffOp("insert", b.text),), by))
        i, j = o2, n2
    unchanged_until(len(old_blocks))
    return AttributedRedline(tuple(entries), attribution is not None)


def _span(block: document.Block) -> tuple[int, int]:
    return block.start, block.end
