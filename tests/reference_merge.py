"""A deliberately simple reference for the three-way merge, and random edit scripts to feed it.

The reference never diffs anything. A draft is modelled as a heading and paragraphs of *items*
(a word or a punctuation mark, each with the whitespace before it); the random generator makes
two edit scripts over the base's item positions (ours and theirs), and the reference merges the
*scripts*:

* paragraphs: a paragraph deleted on one side and edited on the other conflicts; new paragraphs
  at the same place on both sides conflict (unless identical); a new paragraph between two
  paragraphs the other side deleted conflicts; everything else combines;
* items, in a paragraph edited on both sides: each edit covers a stretch of the position line
  ``gap 0, item 0, gap 1, item 1, ...``; two edits of different sides *touch* when no unchanged
  item lies between them (whitespace alone does not separate); touching edits, chained, form one
  place, which is clean only if both sides made exactly the same edits there.

Base words, ours' new words and theirs' new words are distinct, so the texts determine the
scripts and the merge can be judged against the reference exactly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Item = tuple[str, str]  # (whitespace before, token)
HEADING = "# The reference draft"


@dataclass(frozen=True)
class WordEdit:
    """Replace items ``[start, end)`` of a paragraph with ``items`` (start == end: insert)."""

    start: int
    end: int
    items: tuple[Item, ...]

    def span(self) -> tuple[int, int]:
        """The stretch of the position line (gap g at 2g, item i at 2i + 1) it covers."""
        if self.start == self.end:
            return 2 * self.start, 2 * self.start
        return 2 * self.start + 1, 2 * self.end - 1


@dataclass(frozen=True)
class SpaceEdit:
    """Change the whitespace before item ``at`` (a word that is not the paragraph's first)."""

    at: int
    space: str

    def span(self) -> tuple[int, int]:
        return 2 * self.at, 2 * self.at


Edit = WordEdit | SpaceEdit


@dataclass
class Script:
    """One side's changes to the base."""

    deleted: set[int] = field(default_factory=set)  # paragraph indices
    inserted: dict[int, tuple[tuple[Item, ...], ...]] = field(default_factory=dict)  # at gap
    edits: dict[int, list[Edit]] = field(default_factory=dict)  # paragraph -> sorted edits


def render_paragraph(items: list[Item] | tuple[Item, ...]) -> str:
    return "".join(token if i == 0 else space + token for i, (space, token) in enumerate(items))


def render(paragraphs: list[list[Item]] | list[tuple[Item, ...]]) -> str:
    return HEADING + "".join("\n\n" + render_paragraph(p) for p in paragraphs) + "\n"


def apply_edits(items: list[Item], edits: list[Edit]) -> list[Item]:
    """A paragraph's items with non-touching edits applied (positions are the base's)."""
    out: list[Item] = []
    position = 0
    spaces = {e.at: e.space for e in edits if isinstance(e, SpaceEdit)}
    for edit in sorted((e for e in edits if isinstance(e, WordEdit)), key=lambda e: e.start):
        out.extend(items[position : edit.start])
        out.extend(edit.items)
        position = edit.end
    out.extend(items[position:])
    # A space edit changes the whitespace before a base item that no word edit removed.
    result = []
    for space, token in out:
        for at, new_space in spaces.items():
            if items[at][1] == token:
                space = new_space
        result.append((space, token))
    return result


def apply_script(base: list[list[Item]], script: Script) -> list[list[Item]]:
    out: list[list[Item]] = []
    for index, items in enumerate(base):
        out.extend(list(p) for p in script.inserted.get(index, ()))
        if index not in script.deleted:
            out.append(apply_edits(items, script.edits.get(index, [])))
    out.extend(list(p) for p in script.inserted.get(len(base), ()))
    return out


def _touch(a: Edit, b: Edit) -> bool:
    """No unchanged item (an odd position) lies strictly between the two edits."""
    (a_low, a_high), (b_low, b_high) = a.span(), b.span()
    if a_low <= b_high and b_low <= a_high:
        return True
    low, high = (a_high, b_low) if a_high < b_low else (b_high, a_low)
    return not any(position % 2 == 1 for position in range(low + 1, high))


def _merge_paragraph(items: list[Item], ours: list[Edit], theirs: list[Edit]) -> list[Item] | None:
    """Merge two sides' edits of one paragraph, or None on a conflict."""
    nodes = [(0, e) for e in ours] + [(1, e) for e in theirs]
    parent = list(range(len(nodes)))

    def find(i: int) -> int:
        while parent[i] != i:
            i = parent[i]
        return i

    for i, (side_i, edit_i) in enumerate(nodes):
        for j, (side_j, edit_j) in enumerate(nodes):
            if side_i == 0 and side_j == 1 and _touch(edit_i, edit_j):
                parent[find(i)] = find(j)
    groups: dict[int, tuple[list[Edit], list[Edit]]] = {}
    for i, (side, edit) in enumerate(nodes):
        groups.setdefault(find(i), ([], []))[side].append(edit)
    combined: list[Edit] = []
    for mine, others in groups.values():
        if mine and others and sorted(map(repr, mine)) != sorted(map(repr, others)):
            return None
        combined.extend(mine or others)
    return apply_edits(items, combined)


def reference_merge(base: list[list[Item]], ours: Script, theirs: Script) -> str | None:
    """The merged text the scripts call for, or None when they conflict."""
    count = len(base)
    for gap in range(count + 1):
        mine, others = ours.inserted.get(gap), theirs.inserted.get(gap)
        if mine and others and mine != others:
            return None
        for inserting, other in ((ours, theirs), (theirs, ours)):
            if inserting.inserted.get(gap) and {gap - 1, gap} <= other.deleted:
                return None
    merged: list[list[Item]] = []
    for index, items in enumerate(base):
        new = ours.inserted.get(index) or theirs.inserted.get(index) or ()
        merged.extend(list(p) for p in new)
        ours_edits, theirs_edits = ours.edits.get(index, []), theirs.edits.get(index, [])
        deleted_ours, deleted_theirs = index in ours.deleted, index in theirs.deleted
        if deleted_ours or deleted_theirs:
            if (deleted_ours and theirs_edits) or (deleted_theirs and ours_edits):
                return None
            continue
        paragraph = _merge_paragraph(items, ours_edits, theirs_edits)
        if paragraph is None:
            return None
        merged.append(paragraph)
    tail = ours.inserted.get(count) or theirs.inserted.get(count) or ()
    merged.extend(list(p) for p in tail)
    return render(merged)


# ---------------------------------------------------------------------------------------------
# Random cases
# ---------------------------------------------------------------------------------------------


class Words:
    """Fresh words for one side: never seen in the base or on the other side."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.count = prefix, 0

    def __call__(self) -> str:
        self.count += 1
        return f"{self.prefix}{self.count}"


def random_base(rng: random.Random) -> list[list[Item]]:
    words = Words("b")
    paragraphs = []
    for _ in range(rng.randint(1, 5)):
        items: list[Item] = []
        for _ in range(rng.randint(8, 12)):
            # The first item's whitespace shows once something is inserted before it.
            items.append((rng.choice([" ", " ", " ", "\n"]) if items else " ", words()))
            if rng.random() < 0.2:
                items.append(("", rng.choice([",", "."])))
        paragraphs.append(items)
    return paragraphs


def _new_items(rng: random.Random, words: Words) -> tuple[Item, ...]:
    items: list[Item] = []
    for _ in range(rng.randint(1, 2)):
        items.append((" ", words()))
        if rng.random() < 0.25:
            items.append(("", rng.choice([";", ":"])))
    return tuple(items)


def _random_edits(
    rng: random.Random, items: list[Item], words: Words, copy_from: list[Edit]
) -> list[Edit]:
    """Up to two edits of one paragraph, apart from each other by at least one item."""
    edits: list[Edit] = []
    for _ in range(rng.randint(1, 2)):
        if copy_from and rng.random() < 0.3:
            candidate: Edit = rng.choice(copy_from)  # the same edit as the other side
        else:
            kind = rng.random()
            if kind < 0.2:
                words_at = [i for i in range(1, len(items)) if items[i][1][0].isalnum()]
                if not words_at:
                    continue
                at = rng.choice(words_at)
                candidate = SpaceEdit(at, "\n" if items[at][0] != "\n" else "  ")
            else:
                start = rng.randint(0, len(items))
                end = min(len(items), start + rng.choice([0, 1, 1, 2]))
                new = _new_items(rng, words) if kind < 0.8 or start == end else ()
                candidate = WordEdit(start, end, new)
        if all(not _touch(candidate, e) for e in edits) and not _ambiguous(items, candidate):
            edits.append(candidate)
    # Removing a word also removes the whitespace before it: a paragraph must keep one word.
    kept = set(range(len(items)))
    for e in edits:
        if isinstance(e, WordEdit):
            kept -= set(range(e.start, e.end))
    if not any(items[i][1][0].isalnum() for i in kept) or not edits:
        return []
    return sorted(edits, key=lambda e: e.span())


def random_script(
    rng: random.Random, base: list[list[Item]], words: Words, other: Script | None = None
) -> Script:
    script = Script()
    count = len(base)
    for index, items in enumerate(base):
        roll = rng.random()
        if roll < 0.12:
            script.deleted.add(index)
        elif roll < 0.65:
            copy_from = other.edits.get(index, []) if other else []
            edits = _random_edits(rng, items, words, copy_from)
            if edits and _starts_with_punctuation(items, edits):
                edits = []
            if edits:
                script.edits[index] = edits
    for gap in range(count + 1):
        # Never next to a paragraph this side deletes: that would be a replacement instead.
        if {gap - 1, gap} & script.deleted:
            continue
        if rng.random() < 0.15:
            if other and other.inserted.get(gap) and rng.random() < 0.5:
                script.inserted[gap] = other.inserted[gap]
            else:
                new = tuple(
                    (("", words()), *_new_items(rng, words)) for _ in range(rng.randint(1, 2))
                )
                script.inserted[gap] = new
    return script


def _ambiguous(items: list[Item], edit: Edit) -> bool:
    """Whether another script gives the same text (so the text cannot tell which was meant).

    Removing ". b31" from "b30. b31." reads the same as removing "b31.": a removed punctuation
    mark with the same mark kept next to the edit (before the nearest kept word) could be
    either one.
    """
    if not isinstance(edit, WordEdit):
        return False
    removed = {token for _, token in items[edit.start : edit.end] if not token[0].isalnum()}
    neighbours = []
    for step, start in ((-1, edit.start - 1), (1, edit.end)):
        position = start
        while 0 <= position < len(items) and not items[position][1][0].isalnum():
            neighbours.append(items[position][1])
            position += step
    return bool(removed & set(neighbours))


def _starts_with_punctuation(items: list[Item], edits: list[Edit]) -> bool:
    """Whether the edited paragraph would start with a punctuation mark (not a case we make)."""
    result = apply_edits(items, edits)
    return not result or not result[0][1][0].isalnum()


def random_case(seed: int) -> tuple[str, str, str, str | None]:
    """(base, ours, theirs, reference result) for one seed."""
    rng = random.Random(seed)
    base = random_base(rng)
    ours = random_script(rng, base, Words("o"))
    theirs = random_script(rng, base, Words("o") if rng.random() < 0.1 else Words("t"), ours)
    texts = [render(base), render(apply_script(base, ours)), render(apply_script(base, theirs))]
    return texts[0], texts[1], texts[2], reference_merge(base, ours, theirs)
