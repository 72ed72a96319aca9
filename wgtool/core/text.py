"""Word-level text algorithms: tokens, diffs, redlines and the three-way merge.

Drafts are Markdown with one paragraph per line-block, so git's line merge sees a whole paragraph
as one line. Everything here works on *word tokens* instead (DESIGN principle 4):

* :func:`tokenize` splits text into words, whitespace runs and single punctuation characters.
* :func:`word_diff` / :func:`redline` show what changed between two versions, for people.
* :func:`merge3` combines the current text and an amendment relative to the amendment's base.

All diffs run diff-match-patch over a string in which each distinct token is encoded as one
character (the same trick as ``diff_linesToChars``), so its character-level machinery becomes a
token-level one. The merge deliberately never uses ``patch_apply``: its fuzzy matching reports
success while producing garbage when two edits overlap. Instead every hunk is expressed as an
exact range of base tokens, and two hunks that touch the same tokens are a conflict.
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

from diff_match_patch import diff_match_patch

__all__ = [
    "Conflict",
    "DiffOp",
    "MergeResult",
    "merge3",
    "redline",
    "tokenize",
    "word_diff",
]

# A word (\w is unicode-aware for str patterns), a whitespace run, or any other single character.
# DOTALL so that "." also takes characters that are neither \w nor \s; every character of the
# input is matched by exactly one alternative, which is what makes tokenize() lossless.
_TOKEN_RE = re.compile(r"\w+|\s+|.", re.DOTALL)

# Zero-width (non-)joiners occur inside words in Persian, Indic scripts and emoji sequences.
_JOINERS = frozenset("\u200c\u200d")

# Diffs are bounded in time so that a pathological input (two huge, unrelated texts) cannot
# freeze the TUI. A timed-out diff is still *valid*, merely coarser (more text marked changed,
# so possibly more conflicts) — never wrong. Real drafts finish far below this bound.
_DIFF_TIMEOUT_SECONDS = 5.0

# Token indices are encoded as code points, skipping the surrogate block so that every encoded
# string is a well-formed Python str.
_SURROGATE_START = 0xD800
_SURROGATE_SIZE = 0x800
_MAX_TOKENS = 0x110000 - _SURROGATE_SIZE

_BLANK_LINE_END = re.compile(r"\n\r?\n$")
_BLANK_LINE_START = re.compile(r"^\r?\n\r?\n")


# --------------------------------------------------------------------------------------------
# Tokens
# --------------------------------------------------------------------------------------------


def _is_word_continuer(char: str) -> bool:
    """Tell whether a non-\\w character belongs inside a word.

    Python's ``\\w`` does not match combining marks (category M*), so decomposed "café"
    (``e`` + U+0301) and most Devanagari or Thai words would otherwise be cut into pieces,
    making redlines mark half-words.
    """
    return char in _JOINERS or unicodedata.category(char).startswith("M")


def _is_word(token: str) -> bool:
    """Tell whether a token is a word (starts with a character ``\\w`` matches)."""
    first = token[0]
    return first.isalnum() or first == "_"


def tokenize(text: str) -> list[str]:
    """Split text into word tokens, whitespace runs and single other characters.

    Words are runs of unicode word characters (letters, digits, underscore) together with any
    combining marks and zero-width joiners inside them. Each whitespace run (including newlines)
    is one token; every other character (punctuation, symbols) is a token of its own.

    Args:
        text: Any text.

    Returns:
        The tokens, all non-empty; ``"".join(tokenize(text)) == text`` always holds.
    """
    raw = _TOKEN_RE.findall(text)
    if text.isascii():
        # ASCII has no combining marks or joiners: the regex split is already final.
        return raw
    tokens: list[str] = []
    for token in raw:
        if tokens and _is_word(tokens[-1]):
            previous = tokens[-1]
            # A mark or joiner extends the word before it, and a word right after a trailing
            # mark/joiner continues that same word (e.g. Devanagari consonant + virama + ...).
            if (len(token) == 1 and _is_word_continuer(token)) or (
                _is_word_continuer(previous[-1]) and _is_word(token)
            ):
                tokens[-1] = previous + token
                continue
        tokens.append(token)
    return tokens


# --------------------------------------------------------------------------------------------
# Token encoding and the diff engine
# --------------------------------------------------------------------------------------------


def _char_for(index: int) -> str:
    """Encode a token index as one character (skipping surrogates)."""
    if index >= _MAX_TOKENS:
        raise ValueError(f"text has more than {_MAX_TOKENS} distinct tokens")
    return chr(index if index < _SURROGATE_START else index + _SURROGATE_SIZE)


def _index_for(char: str) -> int:
    """Decode one character produced by :func:`_char_for` back to a token index."""
    code = ord(char)
    return code if code < _SURROGATE_START else code - _SURROGATE_SIZE


class _TokenCodec:
    """A shared token <-> character table for all texts of one diff or merge.

    One table must be shared by every text that is compared, so that equal tokens get equal
    characters.
    """

    def __init__(self) -> None:
        self._index: dict[str, int] = {}
        self.tokens: list[str] = []

    def encode(self, tokens: Iterable[str]) -> str:
        """Encode tokens as a string with one character per token."""
        chars: list[str] = []
        for token in tokens:
            index = self._index.get(token)
            if index is None:
                index = len(self.tokens)
                self._index[token] = index
                self.tokens.append(token)
            chars.append(_char_for(index))
        return "".join(chars)

    def token(self, char: str) -> str:
        """Return the token that one encoded character stands for."""
        return self.tokens[_index_for(char)]

    def decode(self, chars: str) -> list[str]:
        """Decode an encoded string back to its tokens."""
        return [self.tokens[_index_for(c)] for c in chars]


def _boundary_score(left: str, right: str) -> int:
    """Score how natural a boundary between two tokens is (6 best, 0 worst).

    The same scale diff-match-patch uses for characters, applied to the real tokens on each
    side of the boundary, so shifted edits land after sentence ends, at blank lines and
    paragraph breaks rather than at arbitrary token boundaries.
    """
    char1 = left[-1]
    char2 = right[0]
    non_alnum1 = not char1.isalnum()
    non_alnum2 = not char2.isalnum()
    space1 = non_alnum1 and char1.isspace()
    space2 = non_alnum2 and char2.isspace()
    line_break1 = space1 and char1 in "\r\n"
    line_break2 = space2 and char2 in "\r\n"
    if (line_break1 and _BLANK_LINE_END.search(left)) or (
        line_break2 and _BLANK_LINE_START.match(right)
    ):
        return 5
    if line_break1 or line_break2:
        return 4
    if non_alnum1 and not space1 and space2:
        return 3
    if space1 or space2:
        return 2
    if non_alnum1 or non_alnum2:
        return 1
    return 0


class _TokenDiffer(diff_match_patch):
    """diff-match-patch working on token-encoded strings.

    The only behaviour that looks at what characters *mean* is the "lossless" semantic
    shift, whose scoring would otherwise judge the meaningless encoding characters; it is
    replaced by one that scores the decoded tokens.
    """

    def __init__(self, codec: _TokenCodec) -> None:
        super().__init__()
        self.Diff_Timeout = _DIFF_TIMEOUT_SECONDS
        self._codec = codec

    def _score(self, one: str, two: str) -> int:
        if not one or not two:
            # Edges are the best place for a boundary.
            return 6
        return _boundary_score(self._codec.token(one[-1]), self._codec.token(two[0]))

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
            ):
                equality1 = diffs[pointer - 1][1]
                edit = diffs[pointer][1]
                equality2 = diffs[pointer + 1][1]

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


# --------------------------------------------------------------------------------------------
# Word diff and redline
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DiffOp:
    """One piece of a word diff.

    Attributes:
        op: ``"equal"`` (in both texts), ``"delete"`` (only in the old text) or ``"insert"``
            (only in the new text).
        text: The text of this piece; never empty in :func:`word_diff` output.
    """

    op: Literal["equal", "insert", "delete"]
    text: str


_OP_NAMES: dict[int, Literal["equal", "insert", "delete"]] = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "insert",
    diff_match_patch.DIFF_DELETE: "delete",
}


def _coalesce(ops: Iterable[tuple[Literal["equal", "insert", "delete"], str]]) -> list[DiffOp]:
    """Merge adjacent pieces of a diff into canonical form.

    Each run of changes between two equal pieces becomes at most one deletion followed by at
    most one insertion, so a redline reads "[-old-]{+new+}" and never interleaves fragments.
    """
    result: list[DiffOp] = []
    equal: list[str] = []
    deleted: list[str] = []
    inserted: list[str] = []

    def flush_changes() -> None:
        if deleted:
            result.append(DiffOp("delete", "".join(deleted)))
            deleted.clear()
        if inserted:
            result.append(DiffOp("insert", "".join(inserted)))
            inserted.clear()

    for op, text in ops:
        if not text:
            continue
        if op == "equal":
            flush_changes()
            equal.append(text)
            continue
        if equal:
            result.append(DiffOp("equal", "".join(equal)))
            equal.clear()
        (deleted if op == "delete" else inserted).append(text)
    flush_changes()
    if equal:
        result.append(DiffOp("equal", "".join(equal)))
    return result


def word_diff(old: str, new: str) -> list[DiffOp]:
    """Compute a readable word-level diff, for redlines and display.

    The diff is computed over tokens and then given a semantic cleanup: small equalities (such
    as the single spaces between the words of a rewritten phrase) are folded into the
    surrounding changes, so a changed phrase reads as one deletion and one insertion.

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
    codec = _TokenCodec()
    encoded_old = codec.encode(tokenize(old))
    encoded_new = codec.encode(tokenize(new))
    differ = _TokenDiffer(codec)
    # checklines=False: line mode would treat encoded characters that happen to be "\n" as
    # line breaks, which means nothing here.
    diffs = differ.diff_main(encoded_old, encoded_new, False)
    differ.diff_cleanupSemantic(diffs)
    return _coalesce((_OP_NAMES[op], "".join(codec.decode(chars))) for op, chars in diffs)


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


# --------------------------------------------------------------------------------------------
# Three-way merge
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Conflict:
    """A region where the current text and an amendment changed the same words differently.

    Attributes:
        base: The base text of the conflicting region.
        ours: What the current text (main) has there.
        theirs: What the amendment has there.
        ours_offset: Character offset in the current text where the region starts, so that
            callers can find the paragraph; ``ours_text[ours_offset:].startswith(ours)``.
    """

    base: str
    ours: str
    theirs: str
    ours_offset: int


@dataclass(frozen=True)
class MergeResult:
    """The outcome of :func:`merge3`.

    Attributes:
        text: The merged text when the merge is clean, else ``None``.
        conflicts: The conflicting regions, in text order; empty when clean.
    """

    text: str | None
    conflicts: tuple[Conflict, ...]

    @property
    def clean(self) -> bool:
        """Whether the merge succeeded without conflicts."""
        return not self.conflicts


@dataclass(frozen=True, slots=True)
class _Hunk:
    """Replace base tokens ``[start, end)`` with ``replacement`` (start == end: insertion)."""

    start: int
    end: int
    replacement: tuple[str, ...]


def _hunks(
    differ: _TokenDiffer, codec: _TokenCodec, base_tokens: Sequence[str], base: str, other: str
) -> list[_Hunk]:
    """Compute the edits turning encoded ``base`` into encoded ``other`` as token hunks.

    No semantic cleanup: a merge wants the smallest exact edits, so that independent changes
    stay apart. diff_main's final cleanup already joins every run of changes between two
    equalities; on top of that, hunks separated only by the space between two words are joined
    (see :func:`_joins_hunks`). Hunks come out sorted and separated by at least one unchanged
    base token.
    """
    raw: list[_Hunk] = []
    position = 0
    start: int | None = None
    replacement: list[str] = []
    for op, chars in differ.diff_main(base, other, False):
        if op == differ.DIFF_EQUAL:
            if start is not None:
                raw.append(_Hunk(start, position, tuple(replacement)))
                start = None
                replacement = []
            position += len(chars)
            continue
        if start is None:
            start = position
        if op == differ.DIFF_DELETE:
            position += len(chars)
        else:
            replacement.extend(codec.decode(chars))
    if start is not None:
        raw.append(_Hunk(start, position, tuple(replacement)))

    hunks: list[_Hunk] = []
    for hunk in raw:
        previous = hunks[-1] if hunks else None
        if (
            previous is not None
            and hunk.start == previous.end + 1
            and _joins_hunks(base_tokens[previous.end])
        ):
            gap = base_tokens[previous.end]
            hunks[-1] = _Hunk(
                previous.start, hunk.end, (*previous.replacement, gap, *hunk.replacement)
            )
        else:
            hunks.append(hunk)
    return hunks


def _joins_hunks(gap: str) -> bool:
    """Tell whether an unchanged token between two hunks of one side joins them into one.

    A minimal diff of "with all stakeholders" -> "alongside partners" keeps the space between
    the two changed words as "unchanged", which would let the other side insert words into the
    middle of a rewritten phrase without a conflict. The space between two changed words is
    not independent text, so such hunks are one edit. A blank line (paragraph break) is a real
    boundary and keeps hunks apart, so edits in neighbouring paragraphs still combine.
    """
    return gap.isspace() and gap.count("\n") <= 1


def _overlap(a: _Hunk, b: _Hunk) -> bool:
    """Tell whether two hunks from different sides touch the same part of the base.

    They do when their ranges share a token, when both insert at the same point (their order
    would be a guess), or when one inserts strictly inside the range the other replaces. Hunks
    that merely meet (one ends at token i, the other starts at i) do not overlap.
    """
    a_inserts = a.start == a.end
    b_inserts = b.start == b.end
    if a_inserts and b_inserts:
        return a.start == b.start
    if a_inserts:
        return b.start < a.start < b.end
    if b_inserts:
        return a.start < b.start < a.end
    return max(a.start, b.start) < min(a.end, b.end)


def _apply(
    base: Sequence[str], hunks: Iterable[_Hunk], start: int = 0, end: int | None = None
) -> str:
    """Apply sorted, non-overlapping hunks to ``base[start:end]`` and return the text.

    The check below is what makes the merge "never silently wrong": each hunk replaces an exact
    range of base tokens, and a hunk reaching back into text already produced is refused
    instead of being applied approximately.
    """
    end = len(base) if end is None else end
    out: list[str] = []
    position = start
    for hunk in sorted(hunks, key=lambda h: (h.start, h.end)):
        if hunk.start < position or hunk.end > end:
            raise AssertionError(f"overlapping hunks reached _apply: {hunk!r} at {position}")
        out.extend(base[position : hunk.start])
        out.extend(hunk.replacement)
        position = hunk.end
    out.extend(base[position:end])
    return "".join(out)


class _UnionFind:
    """Minimal union-find to group hunks into chains of overlaps."""

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


def merge3(base: str, ours: str, theirs: str) -> MergeResult:
    """Merge two descendants of a text at word level.

    ``ours`` is the current text (main), ``theirs`` the amendment, ``base`` the text the
    amendment was based on. Edits base->ours and base->theirs are computed as hunks over base
    tokens. A hunk that overlaps no hunk of the other side is applied. Overlapping hunks (see
    :func:`_overlap`), chained transitively, form one region; the region is a conflict unless
    both sides turned it into the same text (which covers identical hunks, taken once).

    Args:
        base: The common ancestor text.
        ours: The current text.
        theirs: The amendment's text.

    Returns:
        The merged text, or ``text=None`` and the conflicting regions.
    """
    if ours == theirs or theirs == base:
        return MergeResult(ours, ())
    if ours == base:
        return MergeResult(theirs, ())

    codec = _TokenCodec()
    base_tokens = tokenize(base)
    encoded_base = codec.encode(base_tokens)
    differ = _TokenDiffer(codec)
    our_hunks = _hunks(differ, codec, base_tokens, encoded_base, codec.encode(tokenize(ours)))
    their_hunks = _hunks(differ, codec, base_tokens, encoded_base, codec.encode(tokenize(theirs)))

    # Nodes 0..len(ours)-1 are our hunks, the rest theirs. Each side's hunks are sorted and
    # disjoint, so the hunks of theirs that can overlap one of ours form a contiguous run found
    # by bisection: this stays linear-ish for drafts with many hunks.
    groups = _UnionFind(len(our_hunks) + len(their_hunks))
    their_ends = [h.end for h in their_hunks]
    for i, ours_hunk in enumerate(our_hunks):
        j = bisect.bisect_left(their_ends, ours_hunk.start)
        while j < len(their_hunks) and their_hunks[j].start <= ours_hunk.end:
            if _overlap(ours_hunk, their_hunks[j]):
                groups.union(i, len(our_hunks) + j)
            j += 1

    components: dict[int, tuple[list[_Hunk], list[_Hunk]]] = {}
    for node, hunk in enumerate([*our_hunks, *their_hunks]):
        mine, others = components.setdefault(groups.find(node), ([], []))
        (mine if node < len(our_hunks) else others).append(hunk)

    to_apply: list[_Hunk] = []
    regions: list[tuple[int, int, list[_Hunk], list[_Hunk]]] = []
    for mine, others in components.values():
        if not mine or not others:
            # A hunk overlapping nothing on the other side.
            to_apply.extend(mine or others)
            continue
        start = min(h.start for h in (*mine, *others))
        end = max(h.end for h in (*mine, *others))
        ours_region = _apply(base_tokens, mine, start, end)
        theirs_region = _apply(base_tokens, others, start, end)
        if ours_region == theirs_region:
            # Both sides made the same change here (e.g. identical hunks): take it once.
            replacement = tuple(tokenize(ours_region))
            to_apply.append(_Hunk(start, end, replacement))
        else:
            regions.append((start, end, mine, others))

    if not regions:
        return MergeResult(_apply(base_tokens, to_apply), ())

    # Character offset of each base token, to locate regions in the current text.
    base_offsets = [0]
    for token in base_tokens:
        base_offsets.append(base_offsets[-1] + len(token))

    conflicts: list[Conflict] = []
    for start, end, mine, others in sorted(regions, key=lambda r: (r[0], r[1])):
        in_region = set(map(id, mine))
        # Our hunks before the region shift it in the current text. An insertion of ours at
        # `start` that is not part of the region comes before it (it is merely adjacent).
        shift = sum(
            len("".join(h.replacement)) - (base_offsets[h.end] - base_offsets[h.start])
            for h in our_hunks
            if h.end <= start and id(h) not in in_region
        )
        conflicts.append(
            Conflict(
                base="".join(base_tokens[start:end]),
                ours=_apply(base_tokens, mine, start, end),
                theirs=_apply(base_tokens, others, start, end),
                ours_offset=base_offsets[start] + shift,
            )
        )
    return MergeResult(None, tuple(conflicts))
