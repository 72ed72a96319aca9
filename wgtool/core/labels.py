"""Stable paragraph labels: ``7``, then ``7bis`` for a paragraph inserted after it, ``7ter``...

A draft's numbered paragraphs keep their labels while amendments insert and delete paragraphs
around them: a paragraph inserted after 7 is ``7bis`` and 8 stays 8, until the secretariat
renumbers the draft. Labels live beside the draft, in ``drafts/<slug>.labels``: one line per
numbered paragraph, its current label first and then the labels it had before each renumbering
(newest first), after a header line that counts the renumberings. A draft without the file (or
whose file does not fit its paragraphs) is labelled by position, 1 to n, so plain git shows the
draft as it always did and the labels can be read beside it.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from wgtool.core.errors import InvalidInput

SUFFIXES = (
    "bis",
    "ter",
    "quater",
    "quinquies",
    "sexies",
    "septies",
    "octies",
    "novies",
    "decies",
    "undecies",
    "duodecies",
    "terdecies",
    "quaterdecies",
    "quindecies",
    "sexdecies",
    "septdecies",
    "octodecies",
    "novodecies",
    "vicies",
)
LABEL_RE = re.compile(r"^(\d{1,6})((?:[a-z]+)|(?:-\d{1,4}))?$")
HEADER = "# wgtool paragraph labels"


@dataclass(frozen=True)
class Labels:
    """The labels of a draft's numbered paragraphs, in order.

    Attributes:
        current: One label per paragraph (``current[i]`` labels paragraph ``i + 1``).
        former: For each paragraph, the labels it had before each renumbering, newest first.
        generation: How many times the draft was renumbered.
        retired: Labels of deleted paragraphs since the last renumbering (never used again).
    """

    current: tuple[str, ...]
    former: tuple[tuple[str, ...], ...] = ()
    generation: int = 0
    retired: tuple[str, ...] = ()

    @classmethod
    def positional(cls, count: int, generation: int = 0) -> Labels:
        return cls(tuple(str(n) for n in range(1, count + 1)), ((),) * count, generation)

    @property
    def is_positional(self) -> bool:
        return (
            not self.retired
            and self.generation == 0
            and self.current == tuple(str(n) for n in range(1, len(self.current) + 1))
        )

    def position(self, label: str) -> int | None:
        """The 1-based position of the paragraph labelled ``label`` now, or None."""
        try:
            return self.current.index(label) + 1
        except ValueError:
            return None

    def label(self, position: int) -> str:
        """The label of paragraph ``position`` (1-based; 0 is "before the first")."""
        if position == 0:
            return "0"
        return self.current[position - 1]

    def as_of(self, label: str, generation: int) -> int | None:
        """The position now of the paragraph that was ``label`` at ``generation``."""
        depth = self.generation - generation
        if depth < 0:
            return None
        if depth == 0:
            return self.position(label)
        for index, former in enumerate(self.former):
            if len(former) >= depth and former[depth - 1] == label:
                return index + 1
        return None

    def resolve(self, label: str) -> int:
        """The position of ``label`` now; a clear error when the draft has no such paragraph."""
        label = label.strip().removeprefix("¶")
        position = self.position(label)
        if position is not None:
            return position
        if not LABEL_RE.match(label):
            raise InvalidInput(f"{label!r} is not a paragraph label: use 7 or 7bis")
        renamed = self.as_of(label, self.generation - 1) if self.generation else None
        if renamed is not None:
            raise InvalidInput(
                f"paragraph {label} was renumbered {self.current[renamed - 1]}: use that label"
            )
        shown = ", ".join(self.current[:12]) + (", ..." if len(self.current) > 12 else "")
        raise InvalidInput(
            f"paragraph {label} is out of range: the draft's paragraphs are {shown}"
            if self.current
            else f"paragraph {label} is out of range: the draft has no paragraphs"
        )

    def dump(self) -> bytes:
        lines = [f"{HEADER}, renumbered {self.generation} time(s)"]
        if self.retired:
            lines.append("# retired " + " ".join(self.retired))
        lines += [" ".join((c, *f)) for c, f in zip(self.current, self.former, strict=True)]
        return ("\n".join(lines) + "\n").encode()


def load(data: bytes | None, count: int) -> Labels:
    """The labels stored in a ``.labels`` file for a draft of ``count`` paragraphs (by position
    when there is no file, or when it does not fit the draft: a draft always has labels)."""
    if data is None:
        return Labels.positional(count)
    try:
        lines = data.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        return Labels.positional(count)
    generation = 0
    if lines and lines[0].startswith(HEADER):
        found = re.search(r"renumbered (\d{1,4}) time", lines[0])
        generation = int(found.group(1)) if found else 0
        lines = lines[1:]
    retired: tuple[str, ...] = ()
    if lines and lines[0].startswith("# retired "):
        retired = tuple(lines[0].split()[2:])
        lines = lines[1:]
    rows = [line.split() for line in lines if line.strip()]
    current = tuple(row[0] for row in rows)
    if (
        len(rows) != count
        or len(set(current)) != len(current)
        or not all(LABEL_RE.match(label) for row in rows for label in row)
    ):
        return Labels.positional(count, generation)
    return Labels(current, tuple(tuple(row[1:]) for row in rows), generation, retired)


def label_of(labels: Sequence[str], number: int) -> str:
    """The label of paragraph ``number`` (its number where the draft has no labels)."""
    return labels[number - 1] if 0 < number <= len(labels) else str(number)


def base_of(label: str) -> int:
    match = LABEL_RE.match(label)
    return int(match.group(1)) if match else 0


def next_label(after: str, taken: set[str]) -> str:
    """The label of a paragraph inserted after the one labelled ``after`` (``"0"``: before the
    first): ``7bis``, else ``7ter``..., whichever is free first for the number of ``after``."""
    number = base_of(after)
    for suffix in SUFFIXES:
        candidate = f"{number}{suffix}"
        if candidate not in taken:
            return candidate
    extra = len(SUFFIXES) + 2
    while f"{number}-{extra}" in taken:
        extra += 1
    return f"{number}-{extra}"


def relabel(old_paragraphs: Sequence[str], old: Labels, new_paragraphs: Sequence[str]) -> Labels:
    """The labels of a draft changed from ``old_paragraphs`` to ``new_paragraphs``.

    Paragraphs that stay (the same text, or edited in place) keep their label; a new paragraph
    takes the next free suffix of the paragraph before it; a deleted paragraph's label is not
    used again. Edited paragraphs are paired in order by how alike their words are.
    """
    labels: list[str | None] = [None] * len(new_paragraphs)
    former: list[tuple[str, ...]] = [()] * len(new_paragraphs)
    matcher = difflib.SequenceMatcher(None, list(old_paragraphs), list(new_paragraphs), False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        pairs = (
            list(zip(range(i1, i2), range(j1, j2), strict=True))
            if tag == "equal"
            else _pair(old_paragraphs, i1, i2, new_paragraphs, j1, j2)
        )
        for i, j in pairs:
            labels[j] = old.current[i]
            former[j] = old.former[i] if i < len(old.former) else ()
    taken = set(old.current) | set(old.retired)
    previous = "0"
    for j, label in enumerate(labels):
        if label is None:
            label = next_label(previous, taken)
            labels[j] = label
            taken.add(label)
        previous = label
    kept = {str(label) for label in labels}
    retired = (*old.retired, *(label for label in old.current if label not in kept))
    return Labels(tuple(str(label) for label in labels), tuple(former), old.generation, retired)


def _pair(
    old: Sequence[str], i1: int, i2: int, new: Sequence[str], j1: int, j2: int
) -> list[tuple[int, int]]:
    """Pairs (old index, new index) of edited paragraphs, in order, that keep the old label:
    one to one where their numbers match, else the alignment with the most shared words (a
    pair must share some)."""
    n, m = i2 - i1, j2 - j1
    if n == 0 or m == 0:
        return []
    if n == m:  # as many paragraphs rewritten in place: each keeps its label
        return list(zip(range(i1, i2), range(j1, j2), strict=True))
    words = [set(old[i].split()) for i in range(i1, i2)]
    news = [set(new[j].split()) for j in range(j1, j2)]

    def alike(a: int, b: int) -> float:
        union = words[a] | news[b]
        return len(words[a] & news[b]) / len(union) if union else 1.0

    best = [[0.0] * (m + 1) for _ in range(n + 1)]
    for a in range(n - 1, -1, -1):
        for b in range(m - 1, -1, -1):
            score = alike(a, b)
            take = best[a + 1][b + 1] + score if score >= 0.2 else -1.0
            best[a][b] = max(best[a + 1][b], best[a][b + 1], take)
    pairs: list[tuple[int, int]] = []
    a = b = 0
    while a < n and b < m:
        score = alike(a, b)
        if score >= 0.2 and best[a][b] == best[a + 1][b + 1] + score:
            pairs.append((i1 + a, j1 + b))
            a, b = a + 1, b + 1
        elif best[a][b] == best[a + 1][b]:
            a += 1
        else:
            b += 1
    return pairs


def renumbered(labels: Labels) -> tuple[Labels, list[tuple[str, str]]]:
    """The labels 1 to n after a renumbering, and the concordance (old, new) of those that
    changed; every paragraph keeps its old label as its newest former one."""
    fresh = tuple(str(n) for n in range(1, len(labels.current) + 1))
    former = tuple((old, *rest) for old, rest in zip(labels.current, labels.former, strict=True))
    concordance = [(old, new) for old, new in zip(labels.current, fresh, strict=True) if old != new]
    return Labels(fresh, former, labels.generation + 1), concordance
