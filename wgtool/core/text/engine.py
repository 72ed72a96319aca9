"""The diff engine: paragraphs aligned first, then words diffed within what changed.

Every diff in wgtool is deterministic — no wall-clock cut-off anywhere — and its cost follows
the size of the change rather than the size of the draft:

1. A text is cut into *units*: each block (paragraph or heading, a run of non-blank lines) with
   the blank lines before it, and a final *tail* of trailing whitespace. Unchanged units are
   matched cheaply, as whole strings (:func:`align`).
2. Where units changed, each changed unit is paired with the unit it became, and only a pair's
   words are diffed (:func:`token_diff`): Myers' algorithm as implemented by
   diff-match-patch, with no time limit. The C++ port ``fast_diff_match_patch`` runs the same
   algorithm and gives the same answers, faster; the pure-Python one is the reference and
   the fallback.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import TypeVar

from diff_match_patch import diff_match_patch

from wgtool.core.text.tokens import TokenCodec, boundary_score

try:  # the accelerator is optional: without it the same algorithm runs in pure Python
    import fast_diff_match_patch as _fast
except ImportError:  # pragma: no cover - depends on the installation
    _fast = None

EQUAL, DELETE, INSERT = 0, -1, 1

# A block is a run of lines that each hold something other than whitespace (as in
# wgtool.core.document), so unit k of a text is block k of the draft.
_BLOCK_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|\Z))+")

# Pairing paragraphs of a changed stretch by similarity costs (blocks removed x blocks added);
# beyond this the stretch is taken as one replacement, which is coarser (more conflicts), never
# wrong.
_PAIRING_LIMIT = 10_000
# Two paragraphs are the same paragraph edited when they share this much of their words (Dice).
_PAIR_SIMILARITY = 0.4

_WORD_RE = re.compile(r"\w+")

_OP_CODES = {"=": EQUAL, "-": DELETE, "+": INSERT}

_Label = TypeVar("_Label")


class Engine:
    """Which implementation runs Myers' diff; tests switch to the pure-Python reference."""

    use_accelerator: bool = _fast is not None


def accelerated() -> bool:
    """Whether the C++ implementation is installed and in use."""
    return Engine.use_accelerator and _fast is not None


def token_diff(old: str, new: str) -> list[tuple[int, int]]:
    """The minimal diff of two token-encoded strings, as ``(op, length)`` pieces.

    ``op`` is EQUAL, DELETE or INSERT. Deterministic: no time limit, no half-match heuristic.
    """
    if old == new:
        return [(EQUAL, len(old))] if old else []
    if accelerated():
        assert _fast is not None
        pieces = _fast.diff(old, new, timelimit=0, checklines=False, cleanup="No")
        return [(_OP_CODES[op], length) for op, length in pieces]
    differ = diff_match_patch()
    differ.Diff_Timeout = 0
    return [(op, len(chars)) for op, chars in differ.diff_main(old, new, False)]


def semantic_diff(old: str, new: str, codec: TokenCodec) -> list[tuple[int, str]]:
    """A diff for people: diff-match-patch's semantic clean-up, then edits shifted to the
    most natural token boundaries (diff-match-patch tuples ``(op, encoded text)``).

    The clean-up runs in C++ when the accelerator is installed; both implementations run the
    same steps in the same order and give the same answer.
    """
    if old == new:
        return [(EQUAL, old)] if old else []
    if accelerated():
        assert _fast is not None
        pieces = _fast.diff(old, new, timelimit=0, checklines=False, cleanup="Semantic")
        diffs = _marked_texts(old, new, pieces)
    else:
        upstream = diff_match_patch()
        upstream.Diff_Timeout = 0
        diffs = upstream.diff_main(old, new, False)
        upstream.diff_cleanupSemantic(diffs)
    TokenDiffer(codec).diff_cleanupSemanticLossless(diffs)
    return diffs


def semantic_texts(
    old: str, new: str, codec: TokenCodec, labels: Mapping[int, _Label]
) -> list[tuple[_Label, str]]:
    """:func:`semantic_diff` decoded: ``(labels[op], text)`` pieces.

    With the accelerator, the token-aware shift of edits (:class:`TokenDiffer`) can move only
    an insertion or a deletion that stands alone between two equalities; where the C++
    clean-up left none, its pieces are decoded in one pass and the shift is not run at all.
    """
    table = codec.translation()
    if accelerated() and old != new:
        assert _fast is not None
        pieces = _fast.diff(old, new, timelimit=0, checklines=False, cleanup="Semantic")
        # TokenDiffer.diff_cleanupSemanticLossless looks only at a piece between two equal
        # pieces ("==" never comes out of the clean-up, but the shift would look at it too).
        ops = "".join(map(itemgetter(0), pieces))
        if "=-=" not in ops and "=+=" not in ops and "==" not in ops:
            return _decoded(old, new, pieces, table, labels)
        diffs = _marked_texts(old, new, pieces)
        TokenDiffer(codec).diff_cleanupSemanticLossless(diffs)
    else:
        diffs = semantic_diff(old, new, codec)
    return [(labels[op], chars.translate(table)) for op, chars in diffs]


def _decoded(
    old: str,
    new: str,
    pieces: list[tuple[str, int]],
    table: list[str | None],
    labels: Mapping[int, _Label],
) -> list[tuple[_Label, str]]:
    """The accelerator's ``("=" | "-" | "+", length)`` pieces as ``(label, decoded text)``."""
    equal, delete, insert = labels[EQUAL], labels[DELETE], labels[INSERT]
    result: list[tuple[_Label, str]] = []
    append = result.append
    i = j = 0
    for op, length in pieces:
        if op == "=":
            end = i + length
            append((equal, old[i:end].translate(table)))
            i = end
            j += length
        elif op == "-":
            end = i + length
            append((delete, old[i:end].translate(table)))
            i = end
        else:
            end = j + length
            append((insert, new[j:end].translate(table)))
            j = end
    return result


def _with_texts(old: str, new: str, pieces: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """``(op, length)`` pieces as diff-match-patch tuples ``(op, encoded text)``."""
    result: list[tuple[int, str]] = []
    i = j = 0
    for op, length in pieces:
        if op == INSERT:
            result.append((op, new[j : j + length]))
            j += length
        else:
            result.append((op, old[i : i + length]))
            i += length
            if op == EQUAL:
                j += length
    return result


def _marked_texts(old: str, new: str, pieces: list[tuple[str, int]]) -> list[tuple[int, str]]:
    """The accelerator's ``("=" | "-" | "+", length)`` pieces as diff-match-patch tuples."""
    result: list[tuple[int, str]] = []
    append = result.append
    i = j = 0
    for op, length in pieces:
        if op == "=":
            append((EQUAL, old[i : i + length]))
            i += length
            j += length
        elif op == "-":
            append((DELETE, old[i : i + length]))
            i += length
        else:
            append((INSERT, new[j : j + length]))
            j += length
    return result


def token_diff_texts(old: str, new: str) -> list[tuple[int, str]]:
    """:func:`token_diff` as diff-match-patch tuples ``(op, encoded text)``."""
    return _with_texts(old, new, token_diff(old, new))


def _may_shift(equality1: str, edit: str, equality2: str) -> bool:
    """Whether an edit between two equalities can slide at all (most cannot)."""
    return bool(edit) and (
        (bool(equality1) and equality1[-1] == edit[-1])
        or (bool(equality2) and equality2[0] == edit[0])
    )


class TokenDiffer(diff_match_patch):  # type: ignore[misc]  # the library has no types
    """diff-match-patch's clean-ups, working on token-encoded strings.

    The only behaviour that looks at what characters *mean* is the "lossless" semantic shift,
    whose scoring would otherwise judge the meaningless encoding characters; it is replaced by
    one that scores the decoded tokens.
    """

    def __init__(self, codec: TokenCodec) -> None:
        super().__init__()
        self.Diff_Timeout = 0
        self._codec = codec

    def _score(self, one: str, two: str) -> int:
        if not one or not two:
            # Edges are the best place for a boundary.
            return 6
        return boundary_score(self._codec.token(one[-1]), self._codec.token(two[0]))

    def diff_cleanupSemanticLossless(self, diffs: list[tuple[int, str]]) -> None:  # noqa: N802
        """Shift single edits between equalities to the most natural token boundary.

        Same algorithm as the upstream method (which it overrides, so that
        ``diff_cleanupSemantic`` uses it), with token-aware scoring.

        Args:
            diffs: Encoded diff tuples, modified in place.
        """
        pointer = 1
        while pointer < len(diffs) - 1:
            if (
                diffs[pointer - 1][0] == self.DIFF_EQUAL
                and diffs[pointer + 1][0] == self.DIFF_EQUAL
                and _may_shift(diffs[pointer - 1][1], diffs[pointer][1], diffs[pointer + 1][1])
            ):
                best1, best_edit, best2 = self._best_shift(
                    diffs[pointer - 1][1], diffs[pointer][1], diffs[pointer + 1][1]
                )
                if diffs[pointer - 1][1] != best1:
                    if best1:
                        diffs[pointer - 1] = (diffs[pointer - 1][0], best1)
                    else:
                        del diffs[pointer - 1]
                        pointer -= 1
                    diffs[pointer] = (diffs[pointer][0], best_edit)
                    if best2:
                        diffs[pointer + 1] = (diffs[pointer + 1][0], best2)
                    else:
                        del diffs[pointer + 1]
                        pointer -= 1
            pointer += 1

    def _best_shift(self, equality1: str, edit: str, equality2: str) -> tuple[str, str, str]:
        """The best-scoring position of ``edit`` between two equalities (it may slide)."""
        # First shift the edit as far left as possible ...
        common = self.diff_commonSuffix(equality1, edit)
        if common:
            common_string = edit[-common:]
            equality1 = equality1[:-common]
            edit = common_string + edit[:-common]
            equality2 = common_string + equality2
        # ... then step right one token at a time, keeping the best-scoring position.
        best1, best_edit, best2 = equality1, edit, equality2
        best_score = self._score(equality1, edit) + self._score(edit, equality2)
        while edit and equality2 and edit[0] == equality2[0]:
            equality1 += edit[0]
            edit = edit[1:] + equality2[0]
            equality2 = equality2[1:]
            score = self._score(equality1, edit) + self._score(edit, equality2)
            # >= prefers trailing over leading whitespace in edits, as upstream does.
            if score >= best_score:
                best_score = score
                best1, best_edit, best2 = equality1, edit, equality2
        return best1, best_edit, best2


# --------------------------------------------------------------------------------------------
# Units and their alignment
# --------------------------------------------------------------------------------------------


def split_units(text: str) -> list[str]:
    """Cut a text into units: each block with the whitespace before it, then the tail.

    The last unit is always the tail (trailing whitespace, possibly empty); the units before it
    are the blocks in order, so unit k holds block k of :func:`wgtool.core.document.blocks`.
    ``"".join(split_units(text)) == text``.
    """
    units: list[str] = []
    previous_end = 0
    for match in _BLOCK_RE.finditer(text):
        raw = match.group(0)
        end = match.start() + len(raw) - (1 if raw.endswith("\n") else 0)
        units.append(text[previous_end:end])
        previous_end = end
    units.append(text[previous_end:])
    return units


@dataclass(frozen=True, slots=True)
class UnitEdit:
    """One side's change to base units ``[lo, hi)``: they become side units ``[side_lo, side_hi)``.

    ``paired`` edits change one unit into one unit (``hi == lo + 1``, one side unit): the same
    paragraph, edited, whose words are then diffed. Other edits insert (``lo == hi``), delete
    (no side units) or replace whole units.
    """

    lo: int
    hi: int
    side_lo: int
    side_hi: int
    paired: bool


def align(
    base: Sequence[str], side: Sequence[str], words: Callable[[str], frozenset[str]] | None = None
) -> list[UnitEdit]:
    """The edits that turn the units ``base`` into the units ``side``, in order.

    Both sequences end with their tail unit, which is matched only with the other tail.
    Unchanged units are matched as whole strings (difflib's matcher, deterministic, fast when
    most units are unique); in each changed stretch the removed and added units are paired
    into edited paragraphs (:func:`_pair`). ``words`` gives the set of words (runs of ``\\w``)
    of a unit, for a caller that has already tokenized the units; it must answer as
    :func:`unit_words` does.
    """
    words = words or unit_words
    n, m = len(base) - 1, len(side) - 1
    edits: list[UnitEdit] = []
    matcher = difflib.SequenceMatcher(None, base[:n], side[:m], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag != "equal":
            edits.extend(_pair(base, side, i1, i2, j1, j2, words))
    if base[n] != side[m]:
        edits.append(UnitEdit(n, n + 1, m, m + 1, True))
    return edits


def _pair(
    base: Sequence[str],
    side: Sequence[str],
    i1: int,
    i2: int,
    j1: int,
    j2: int,
    words: Callable[[str], frozenset[str]],
) -> list[UnitEdit]:
    """Pair the units of one changed stretch: base ``[i1, i2)`` became side ``[j1, j2)``."""
    k, m = i2 - i1, j2 - j1
    if k == 0 or m == 0:
        return _unpaired(i1, i2, j1, j2)
    diagonal = [(t, t) for t in range(k)] if k == m else []
    if k * m > _PAIRING_LIMIT:
        if not diagonal:
            return _unpaired(i1, i2, j1, j2)
        pairs = diagonal
    else:
        base_words = [words(u) for u in base[i1:i2]]
        side_words = [words(u) for u in side[j1:j2]]
        diagonal_scores = [_dice(base_words[t], side_words[t]) for t, _ in diagonal]
        if diagonal and min(diagonal_scores) >= _PAIR_SIMILARITY:
            pairs = diagonal  # as many paragraphs as before, each edited where it stands
        else:
            pairs = _similar_pairs(base_words, side_words)
            # Paired otherwise only when that matches more of their words (a paragraph
            # removed here, one added there) than taking each where it stands.
            paired = sum(_dice(base_words[a], side_words[b]) for a, b in pairs)
            if diagonal and paired <= sum(diagonal_scores):
                pairs = diagonal
    edits: list[UnitEdit] = []
    lo, side_lo = i1, j1
    for bi, sj in [*((i1 + a, j1 + b) for a, b in pairs), (i2, j2)]:
        if lo < bi or side_lo < sj:
            edits.extend(_unpaired(lo, bi, side_lo, sj))
        if bi < i2:
            edits.append(UnitEdit(bi, bi + 1, sj, sj + 1, True))
        lo, side_lo = bi + 1, sj + 1
    return edits


def _unpaired(i1: int, i2: int, j1: int, j2: int) -> list[UnitEdit]:
    """Base units ``[i1, i2)`` replaced by side units ``[j1, j2)`` with no pairing.

    Removed paragraphs are removed one by one (two sides removing overlapping runs agree on
    the paragraphs both removed); anything else is one replacement.
    """
    if j1 == j2:
        return [UnitEdit(i, i + 1, j1, j1, False) for i in range(i1, i2)]
    return [UnitEdit(i1, i2, j1, j2, False)]


def unit_words(unit: str) -> frozenset[str]:
    """The words of a unit (runs of ``\\w``), whose overlap tells edited paragraphs apart."""
    return frozenset(_WORD_RE.findall(unit))


def _similar_pairs(
    base_words: list[frozenset[str]], side_words: list[frozenset[str]]
) -> list[tuple[int, int]]:
    """The in-order pairing of similar units that shares the most words (dynamic programming).

    Two units may pair when their word sets are similar enough (Dice coefficient); among all
    in-order pairings the one with the greatest total similarity wins, ties going to the
    earliest pairs, so the answer depends only on the texts.
    """
    k, m = len(base_words), len(side_words)
    score = [[0.0] * (m + 1) for _ in range(k + 1)]
    for i in range(k - 1, -1, -1):
        for j in range(m - 1, -1, -1):
            best = max(score[i + 1][j], score[i][j + 1])
            similarity = _dice(base_words[i], side_words[j])
            if similarity >= _PAIR_SIMILARITY:
                best = max(best, similarity + score[i + 1][j + 1])
            score[i][j] = best
    pairs: list[tuple[int, int]] = []
    i = j = 0
    while i < k and j < m:
        similarity = _dice(base_words[i], side_words[j])
        if similarity >= _PAIR_SIMILARITY and score[i][j] == similarity + score[i + 1][j + 1]:
            pairs.append((i, j))
            i, j = i + 1, j + 1
        elif score[i][j] == score[i + 1][j]:
            i += 1
        else:
            j += 1
    return pairs


def _dice(a: frozenset[str], b: frozenset[str]) -> float:
    if not a and not b:
        return 1.0
    return 2 * len(a & b) / (len(a) + len(b))
