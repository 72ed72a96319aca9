"""Word diffs and redlines, for people.

Paragraphs are aligned first (:func:`~wgtool.core.text.engine.align`); the words of each edited
paragraph are then diffed and given a semantic clean-up, so a rewritten phrase reads as one
deletion and one insertion. The result is deterministic and its cost follows the size of the
change.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from wgtool.core.text.engine import (
    DELETE,
    EQUAL,
    UnitEdit,
    align,
    semantic_texts,
    split_units,
    token_diff_texts,
    unit_words,
)
from wgtool.core.text.tokens import TokenCodec, tokenize

OpName = Literal["equal", "insert", "delete"]
_OP_NAMES: dict[int, OpName] = {EQUAL: "equal", DELETE: "delete", 1: "insert"}


@dataclass(frozen=True)
class DiffOp:
    """One piece of a word diff.

    Attributes:
        op: ``"equal"`` (in both texts), ``"delete"`` (only in the old text) or ``"insert"``
            (only in the new text).
        text: The text of this piece; never empty in :func:`word_diff` output.
    """

    op: OpName
    text: str

    def to_dict(self) -> dict[str, object]:
        return {"op": self.op, "text": self.text}


def coalesce(ops: Iterable[tuple[OpName, str]]) -> list[DiffOp]:
    """Merge adjacent pieces of a diff into canonical form.

    Each run of changes between two equal pieces becomes at most one deletion followed by at
    most one insertion, so a redline reads "[-old-]{+new+}" and never interleaves fragments.
    """
    result: list[DiffOp] = []
    append = result.append
    equal: list[str] = []
    deleted: list[str] = []
    inserted: list[str] = []
    for op, text in ops:
        if not text:
            continue
        if op == "equal":
            if deleted:
                append(DiffOp("delete", "".join(deleted)))
                deleted = []
            if inserted:
                append(DiffOp("insert", "".join(inserted)))
                inserted = []
            equal.append(text)
            continue
        if equal:
            append(DiffOp("equal", "".join(equal)))
            equal = []
        (deleted if op == "delete" else inserted).append(text)
    if deleted:
        append(DiffOp("delete", "".join(deleted)))
    if inserted:
        append(DiffOp("insert", "".join(inserted)))
    if equal:
        append(DiffOp("equal", "".join(equal)))
    return result


def words_diff(old: str, new: str, tokens: _Tokens | None = None) -> list[tuple[OpName, str]]:
    """The semantic word diff of two short texts (one paragraph each), as raw pieces.

    ``tokens`` may hold the texts' tokens already (see :func:`word_diff`).
    """
    if old == new:
        return [("equal", old)]
    if tokens is None:
        tokens = _Tokens()
    codec, encoded_old, encoded_new = tokens.encode(old, new)
    return semantic_texts(encoded_old, encoded_new, codec, _OP_NAMES)


# The ASCII characters that are neither word characters nor whitespace: each is a token alone.
_ASCII_SYMBOLS = frozenset(
    c for c in map(chr, range(128)) if not (c.isalnum() or c == "_" or c.isspace())
)


class _Tokens(dict[str, list[str]]):
    """The tokens of each unit of one diff, tokenized once for the alignment and the diff.

    ``kinds`` keeps the distinct tokens of the units whose words were asked for, in the order
    they first occur: the token codec starts from them.
    """

    def __init__(self) -> None:
        super().__init__()
        self.kinds: dict[str, dict[str, None]] = {}

    def __missing__(self, text: str) -> list[str]:
        tokens = self[text] = tokenize(text)
        return tokens

    def words(self, unit: str) -> frozenset[str]:
        """:func:`~wgtool.core.text.engine.unit_words`, read off the unit's tokens."""
        if not unit.isascii():
            # Words of tokenize() take in combining marks, which ``\w`` runs do not.
            return unit_words(unit)
        kinds = self.kinds[unit] = dict.fromkeys(self[unit])
        # In ASCII the tokens that are neither whitespace nor a symbol are the runs of \w.
        words = frozenset(kinds).difference(_ASCII_SYMBOLS)
        spaces: Iterable[str] = filter(str.isspace, words)
        return words.difference(spaces)

    def take(self, text: str) -> list[str]:
        """The tokens of ``text``, no longer kept: a paragraph is diffed once."""
        tokens = self.pop(text, None)
        return tokenize(text) if tokens is None else tokens

    def encode(self, old: str, new: str) -> tuple[TokenCodec, str, str]:
        """A codec for one paragraph pair, and the pair encoded (the tokens no longer kept)."""
        kinds = self.kinds
        old_kinds, new_kinds = kinds.pop(old, None), kinds.pop(new, None)
        return TokenCodec.pair(self.take(old), self.take(new), old_kinds, new_kinds)


def _unit_pieces(
    old_units: list[str], new_units: list[str], edit: UnitEdit
) -> list[tuple[OpName, str]]:
    """The pieces of one edit of whole units (paragraphs added, removed or replaced)."""
    old = "".join(old_units[edit.lo : edit.hi])
    new = "".join(new_units[edit.side_lo : edit.side_hi])
    pieces: list[tuple[OpName, str]] = []
    # Units start with the blank lines before them: what both sides start with is unchanged.
    shared = _leading_space(old)
    if old and new and shared and new.startswith(shared):
        pieces.append(("equal", shared))
        old, new = old[len(shared) :], new[len(shared) :]
    if old:
        pieces.append(("delete", old))
    if new:
        pieces.append(("insert", new))
    return pieces


def _leading_space(text: str) -> str:
    return text[: len(text) - len(text.lstrip())]


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Compute a readable word-level diff, for redlines and display.

    Args:
        old: The earlier text.
        new: The later text.

    Returns:
        Canonical diff pieces: no empty texts, no two adjacent pieces of the same kind, a
        deletion before an insertion where both occur between the same equal pieces.
        Joining the ``equal`` and ``delete`` texts gives ``old``; joining the ``equal`` and
        ``insert`` texts gives ``new``.
    """
    if old == new:
        return [DiffOp("equal", old)] if old else []
    # A long diff makes tens of thousands of tuples and pieces, none in a reference cycle, and
    # the cycle collector would walk the whole heap again and again for them (about 3% of the
    # instructions of a redline of 800 KB in a bare process, more in the TUI's larger heap).
    # It is switched back on as soon as the diff is made, unless something else had switched it
    # off before: a diff on another thread meanwhile only finds it off already.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _word_diff(old, new)
    finally:
        if collecting:
            gc.enable()


def _word_diff(old: str, new: str) -> list[DiffOp]:
    """:func:`word_diff` of two different texts."""
    old_units, new_units = split_units(old), split_units(new)
    tokens = _Tokens()
    pieces: list[tuple[OpName, str]] = []
    position = 0
    for edit in align(old_units, new_units, tokens.words):
        pieces.append(("equal", "".join(old_units[position : edit.lo])))
        if edit.paired:
            pieces.extend(words_diff(old_units[edit.lo], new_units[edit.side_lo], tokens))
        else:
            pieces.extend(_unit_pieces(old_units, new_units, edit))
        position = edit.hi
    pieces.append(("equal", "".join(old_units[position:])))
    return _after_blank_lines(coalesce(pieces))


def _after_blank_lines(ops: list[DiffOp]) -> list[DiffOp]:
    r"""Show a paragraph added or removed after the blank line before it, not before it.

    Units carry the blank lines *before* their paragraph, so an added paragraph first reads
    ``"Second.{+\n\nNew.+}\n\nThird."``; moved by one separator it reads
    ``"Second.\n\n{+New.\n\n+}Third."``, as diff-match-patch's semantic clean-up would put it.
    """
    result = list(ops)
    for i in range(1, len(result) - 1):
        before, edit, after = result[i - 1], result[i], result[i + 1]
        if before.op != "equal" or after.op != "equal" or edit.op == "equal":
            continue
        separator = _leading_space(edit.text)
        if (
            "\n" in separator
            and edit.text != separator
            and after.text.startswith(separator)
            and after.text != separator
        ):
            result[i - 1] = DiffOp("equal", before.text + separator)
            result[i] = DiffOp(edit.op, edit.text[len(separator) :] + separator)
            result[i + 1] = DiffOp("equal", after.text[len(separator) :])
    return result


@dataclass(frozen=True)
class BlockChange:
    """Blocks (paragraphs or headings) of an old text that became blocks of a new text.

    Attributes:
        old: The range ``[start, end)`` of block indices in the old text (empty: added).
        new: The range in the new text (empty: removed).
        ops: The word diff of those blocks (without the blank lines around them).
    """

    old: tuple[int, int]
    new: tuple[int, int]
    ops: tuple[DiffOp, ...]


def block_changes(old: str, new: str) -> list[BlockChange]:
    """What changed between two texts, block by block: for redlines with paragraph numbers.

    An edited paragraph is one change with its word diff; paragraphs added, removed or
    rewritten beyond recognition are changes of whole blocks. Whitespace after the last block
    is not a block and is ignored.
    """
    old_units, new_units = split_units(old), split_units(new)
    last_old, last_new = len(old_units) - 1, len(new_units) - 1
    changes: list[BlockChange] = []
    for edit in align(old_units, new_units):
        if edit.lo == last_old and edit.side_lo == last_new:
            continue  # only the trailing whitespace
        removed = "\n\n".join(u.strip("\n") for u in old_units[edit.lo : min(edit.hi, last_old)])
        added = "\n\n".join(
            u.strip("\n") for u in new_units[edit.side_lo : min(edit.side_hi, last_new)]
        )
        if edit.paired:
            ops = tuple(coalesce(words_diff(removed, added)))
        else:
            ops = tuple(coalesce([("delete", removed), ("insert", added)]))
        changes.append(
            BlockChange(
                (edit.lo, min(edit.hi, last_old)),
                (edit.side_lo, min(edit.side_hi, last_new)),
                ops,
            )
        )
    return changes


def redline(old: str, new: str) -> str:
    """Render a plain-text redline readable without colour.

    Deletions are shown as ``[-deleted text-]`` and insertions as ``{+inserted text+}``, like
    ``git diff --word-diff=plain``. As in git, markers occurring in the texts themselves are
    not escaped.

    Args:
        old: The earlier text.
        new: The later text.

    Returns:
        The redline text.
    """
    parts: list[str] = []
    for piece in word_diff(old, new):
        if piece.op == "equal":
            parts.append(piece.text)
        elif piece.op == "delete":
            parts.append(f"[-{piece.text}-]")
        else:
            parts.append(f"{{+{piece.text}+}}")
    return "".join(parts)


def minimal_word_diff(old: str, new: str) -> list[DiffOp]:
    """The minimal word diff, for attribution (who wrote which words), not for reading.

    Paragraphs are aligned as in :func:`word_diff`; each changed stretch is then diffed token
    by token with Myers' algorithm (:func:`~wgtool.core.text.engine.token_diff`) and no
    semantic clean-up, even across paragraphs rewritten beyond recognition: a word an
    amendment kept stays equal, however short the equality, because keeping a word is not
    writing it. :func:`word_diff` may show the same change as one deletion and one insertion.
    The paragraphs both texts start and end with are equal without being aligned, so that an
    amendment to one paragraph of a long draft costs about that paragraph.

    Returns:
        Canonical pieces as :func:`word_diff` returns them (``equal`` + ``delete`` texts give
        ``old``, ``equal`` + ``insert`` texts give ``new``).
    """
    if old == new:
        return [DiffOp("equal", old)] if old else []
    start = _paragraph_break_before(old, _common_prefix(old, new))
    shared_end = _common_prefix(old[start:][::-1], new[start:][::-1])
    old_end = _paragraph_break_after(old, len(old) - shared_end)
    new_end = len(new) - (len(old) - old_end)
    pieces: list[tuple[OpName, str]] = [("equal", old[:start])]
    pieces.extend(_minimal_pieces(old[start:old_end], new[start:new_end]))
    pieces.append(("equal", old[old_end:]))
    return coalesce(pieces)


def _minimal_pieces(old: str, new: str) -> list[tuple[OpName, str]]:
    """:func:`minimal_word_diff` of two texts, as raw pieces."""
    old_units, new_units = split_units(old), split_units(new)
    pieces: list[tuple[OpName, str]] = []
    position = 0
    for edit in align(old_units, new_units):
        pieces.append(("equal", "".join(old_units[position : edit.lo])))
        removed = "".join(old_units[edit.lo : edit.hi])
        added = "".join(new_units[edit.side_lo : edit.side_hi])
        codec = TokenCodec()
        encoded_old, encoded_new = codec.encode(tokenize(removed)), codec.encode(tokenize(added))
        for op, chars in token_diff_texts(encoded_old, encoded_new):
            pieces.append((_OP_NAMES[op], codec.text(chars)))
        position = edit.hi
    pieces.append(("equal", "".join(old_units[position:])))
    return pieces


def _common_prefix(a: str, b: str) -> int:
    """How many characters ``a`` and ``b`` start with in common (comparing halves: C speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _paragraph_break_before(text: str, position: int) -> int:
    """The start of the last blank line (two newlines) that ends by ``position``, or 0: a cut
    there splits no word and no paragraph."""
    return max(text.rfind("\n\n", 0, position), 0)


def _paragraph_break_after(text: str, position: int) -> int:
    """The start of the first blank line at or after ``position``, or the end of ``text``."""
    found = text.find("\n\n", position)
    return len(text) if found < 0 else found
