"""How far apart two texts are, in words: the measure of "furthest from the text"."""

from __future__ import annotations

from wgtool.core.text.engine import EQUAL, token_diff
from wgtool.core.text.tokens import TokenCodec, tokenize


def word_distance(old: str, new: str) -> int:
    """The words (and punctuation marks) one must delete from ``old`` and insert to make
    ``new``, fewest first: ``len(a) + len(b) - 2 * LCS(a, b)`` over the texts' tokens other
    than whitespace. Unique, whatever diff shows the change (Myers' diff is minimal)."""
    codec = TokenCodec()
    a = codec.encode(t for t in tokenize(old) if not t.isspace())
    b = codec.encode(t for t in tokenize(new) if not t.isspace())
    return sum(length for op, length in token_diff(a, b) if op != EQUAL)
