"""The word level of the three-way merge: one paragraph edited on both sides.

Each side's edits are hunks over the base's tokens. An insertion or deletion that could equally
sit a few tokens earlier or later covers every position it could take (so where it sits never
depends on edits elsewhere); two hunks of different sides conflict when they share a token or
when nothing but whitespace separates them. See :mod:`wgtool.core.text.merge`.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from wgtool.core.text.engine import (
    DELETE,
    EQUAL,
    token_diff,
)
from wgtool.core.text.tokens import TokenCodec, is_soft_space, tokenize


@dataclass(frozen=True)
class Conflict:
    """A place where the current text and an amendment changed the same words differently.

    Attributes:
        base: The base text of the conflicting place.
        ours: What the current text (main) has there.
        theirs: What the amendment has there.
        ours_offset: Character offset in the current text where the place starts, so that
            callers can find the paragraph; ``ours_text[ours_offset:].startswith(ours)``.
    """

    base: str
    ours: str
    theirs: str
    ours_offset: int


def slide(base: Sequence[str], inserted: Sequence[str], at: int, limit: int) -> tuple[int, int]:
    """The positions ``[low, high]`` where an insertion at ``at`` gives the same sequence.

    Inserting ``x`` before a copy of ``x`` is the same as inserting it after the copy: the
    insertion may slide over equal neighbours. ``limit`` is the last position it may reach.
    """
    if not inserted:
        return at, at
    low, rotated = at, list(inserted)
    while low > 0 and rotated[-1] == base[low - 1]:
        rotated = [base[low - 1], *rotated[:-1]]
        low -= 1
    high, rotated = at, list(inserted)
    while high < limit and rotated[0] == base[high]:
        rotated = [*rotated[1:], base[high]]
        high += 1
    return low, high


class UnionFind:
    """Minimal union-find to group edits into chains of clashes."""

    def __init__(self, size: int) -> None:
        self._parent = list(range(size))

    def find(self, item: int) -> int:
        while self._parent[item] != item:
            # Path halving keeps the trees flat.
            self._parent[item] = self._parent[self._parent[item]]
            item = self._parent[item]
        return item

    def union(self, a: int, b: int) -> None:
        self._parent[self.find(a)] = self.find(b)


# --------------------------------------------------------------------------------------------
# Step 2: words
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Hunk:
    """Replace base tokens ``[start, end)`` with ``replacement``.

    ``[low, high)`` is every base token the hunk could equally cover: an insertion or a
    deletion beside equal tokens may slide over them. Conflicts are judged on this span.
    """

    start: int
    end: int
    replacement: tuple[str, ...]
    low: int
    high: int


def _hunks(base: Sequence[str], side: Sequence[str], codec: TokenCodec) -> list[_Hunk]:
    """The edits turning the tokens ``base`` into ``side``, as hunks with their sliding span.

    Words and punctuation are aligned first (whitespace never anchors an alignment: matching a
    space instead of a word would tear a kept word out of its place), then each stretch between
    two aligned tokens that differs — whitespace included — is one hunk.
    """
    base_at = [i for i, token in enumerate(base) if not token.isspace()]
    side_at = [j for j, token in enumerate(side) if not token.isspace()]
    words = [base[i] for i in base_at]
    matched: list[tuple[int, int]] = []
    k = m = 0
    for op, length in token_diff(codec.encode(words), codec.encode(side[j] for j in side_at)):
        if op == EQUAL:
            matched.extend((k + t, m + t) for t in range(length))
            k, m = k + length, m + length
        elif op == DELETE:
            k += length
        else:
            m += length

    hunks: list[_Hunk] = []
    previous_k = previous_m = -1
    for k, m in [*matched, (len(base_at), len(side_at))]:
        start = base_at[previous_k] + 1 if previous_k >= 0 else 0
        end = base_at[k] if k < len(base_at) else len(base)
        side_start = side_at[previous_m] + 1 if previous_m >= 0 else 0
        side_end = side_at[m] if m < len(side_at) else len(side)
        new = tuple(side[side_start:side_end])
        if tuple(base[start:end]) != new:
            inserted = [side[j] for j in side_at[previous_m + 1 : m]]
            low, high = _slide_words(words, previous_k + 1, k, inserted)
            hunk = _Hunk(
                start,
                end,
                new,
                min(start, base_at[low - 1] + 1 if low > 0 else 0),
                max(end, base_at[high] if high < len(base_at) else len(base)),
            )
            if hunks and _touch(base, hunks[-1], hunk):
                hunk = _join(base, hunks.pop(), hunk)
            hunks.append(hunk)
        previous_k, previous_m = k, m
    return hunks


def _join(base: Sequence[str], first: _Hunk, second: _Hunk) -> _Hunk:
    """Two touching hunks of one side as one edit."""
    return _Hunk(
        first.start,
        second.end,
        (*first.replacement, *base[first.end : second.start], *second.replacement),
        min(first.low, second.low),
        max(first.high, second.high),
    )


def _slide_words(
    words: Sequence[str], start: int, end: int, inserted: Sequence[str]
) -> tuple[int, int]:
    """The word positions ``[low, high)`` an edit of words ``[start, end)`` could cover.

    Deleting ", b2" from "b1, b2, b3" is the same as deleting "b2,": a deletion (or an
    insertion) next to equal words may slide over them, so it touches everything it could
    cover. A replacement by other words stays where it is.
    """
    if start < end and not inserted:
        length, low, high = end - start, start, end
        while low > 0 and words[low - 1] == words[low - 1 + length]:
            low -= 1
        while high < len(words) and words[high] == words[high - length]:
            high += 1
        return low, high
    if start == end and inserted:
        low, high = slide(words, inserted, start, len(words))
        return low, high
    return start, end


def _touch(base: Sequence[str], a: _Hunk, b: _Hunk) -> bool:
    """Whether two hunks touch: they share a token, or only soft whitespace lies between.

    An insertion inside another hunk's span shares it; insertions at one point, edits of
    adjacent words, and an insertion next to an edited word are separated by nothing but
    whitespace within a paragraph. A blank line (paragraph break) separates.
    """
    if a.low < b.high and b.low < a.high:
        return True  # shared tokens, or an insertion strictly inside the other's span
    gap: Sequence[str] = base[a.high : b.low] if a.high <= b.low else base[b.high : a.low]
    return all(is_soft_space(token) for token in gap)


def _apply_hunks(base: Sequence[str], hunks: Iterable[_Hunk], start: int, end: int) -> str:
    """Apply sorted, non-overlapping hunks to ``base[start:end]`` and return the text.

    Each hunk replaces an exact range of base tokens; a hunk reaching back into text already
    produced is refused instead of being applied approximately.
    """
    out: list[str] = []
    position = start
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        if hunk.start < position or hunk.end > end:
            raise AssertionError(f"overlapping hunks reached _apply_hunks: {hunk!r}")
        out.extend(base[position : hunk.start])
        out.extend(hunk.replacement)
        position = hunk.end
    out.extend(base[position:end])
    return "".join(out)


def merge_words(base: str, ours: str, theirs: str) -> tuple[str | None, tuple[Conflict, ...]]:
    """Merge one paragraph edited on both sides, word by word.

    Returns the merged text, or ``None`` and the conflicting places (offsets within ``ours``).
    """
    if ours == theirs or theirs == base:
        return ours, ()
    if ours == base:
        return theirs, ()
    codec = TokenCodec()
    tokens = tokenize(base)
    mine = _hunks(tokens, tokenize(ours), codec)
    others = _hunks(tokens, tokenize(theirs), codec)

    groups = UnionFind(len(mine) + len(others))
    other_highs = [h.high for h in others]
    for i, hunk in enumerate(mine):
        # Whitespace runs are single tokens: hunks more than one token apart never touch.
        j = bisect.bisect_left(other_highs, hunk.low - 1)
        while j < len(others) and others[j].low <= hunk.high + 1:
            if _touch(tokens, hunk, others[j]):
                groups.union(i, len(mine) + j)
            j += 1

    components: dict[int, tuple[list[_Hunk], list[_Hunk]]] = {}
    for node, hunk in enumerate([*mine, *others]):
        in_mine, in_others = components.setdefault(groups.find(node), ([], []))
        (in_mine if node < len(mine) else in_others).append(hunk)

    to_apply: list[_Hunk] = []
    regions: list[tuple[int, int, list[_Hunk], list[_Hunk]]] = []
    for in_mine, in_others in components.values():
        if not in_mine or not in_others:
            to_apply.extend(in_mine or in_others)
            continue
        start = min(h.low for h in (*in_mine, *in_others))
        end = max(h.high for h in (*in_mine, *in_others))
        ours_region = _apply_hunks(tokens, in_mine, start, end)
        if ours_region == _apply_hunks(tokens, in_others, start, end):
            to_apply.append(_Hunk(start, end, tuple(tokenize(ours_region)), start, end))
        else:
            regions.append((start, end, in_mine, in_others))
    if not regions:
        return _apply_hunks(tokens, to_apply, 0, len(tokens)), ()
    return None, _word_conflicts(tokens, mine, sorted(regions, key=lambda r: (r[0], r[1])))


def _word_conflicts(
    tokens: Sequence[str],
    mine: list[_Hunk],
    regions: list[tuple[int, int, list[_Hunk], list[_Hunk]]],
) -> tuple[Conflict, ...]:
    offsets = [0]
    for token in tokens:
        offsets.append(offsets[-1] + len(token))
    conflicts: list[Conflict] = []
    for start, end, in_mine, in_others in regions:
        members = set(map(id, in_mine))
        # Our hunks before the region shift it in the current text.
        shift = sum(
            len("".join(h.replacement)) - (offsets[h.end] - offsets[h.start])
            for h in mine
            if h.end <= start and id(h) not in members
        )
        conflicts.append(
            _trimmed(
                "".join(tokens[start:end]),
                _apply_hunks(tokens, in_mine, start, end),
                _apply_hunks(tokens, in_others, start, end),
                offsets[start] + shift,
            )
        )
    return tuple(conflicts)


def _trimmed(base: str, ours: str, theirs: str, offset: int) -> Conflict:
    """A conflict without the whitespace all three texts share at its ends."""
    lead = min(len(t) - len(t.lstrip()) for t in (base, ours, theirs))
    while lead and not (base[:lead] == ours[:lead] == theirs[:lead]):
        lead -= 1
    base, ours, theirs = base[lead:], ours[lead:], theirs[lead:]
    tail = min(len(t) - len(t.rstrip()) for t in (base, ours, theirs))
    while tail and not (base[-tail:] == ours[-tail:] == theirs[-tail:]):
        tail -= 1
    if tail:
        base, ours, theirs = base[:-tail], ours[:-tail], theirs[:-tail]
    return Conflict(base, ours, theirs, offset + lead)
