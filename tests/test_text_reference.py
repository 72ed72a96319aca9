"""The text engine's faster paths answer exactly as the plain code they replaced.

The tokenizer, the token codec, the word-set of a unit, coalescing and the whole redline were
rewritten for speed (issue 22); the former implementations are kept here as references and
compared with the current ones on random inputs. So are the later shortcuts: a paragraph pair
encoded by one codec call (TokenCodec.pair), and the accelerator's pieces decoded in one pass
where the token-aware shift has nothing to move (engine.semantic_texts).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import cast

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core.text import diff as text_diff
from wgtool.core.text import engine
from wgtool.core.text.diff import DiffOp, OpName, coalesce, word_diff
from wgtool.core.text.engine import (
    Engine,
    TokenDiffer,
    UnitEdit,
    accelerated,
    align,
    split_units,
    unit_words,
)
from wgtool.core.text.tokens import TokenCodec, tokenize

PROPERTY = settings(max_examples=300, deadline=None)


# ---------------------------------------------------------------------------------------------
# The references: the code as it was before issue 22
# ---------------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"\w+|\s+|.", re.DOTALL)
_JOINERS = frozenset("\u200c\u200d")


def _is_word(token: str) -> bool:
    return token[0].isalnum() or token[0] == "_"


def _is_word_continuer(char: str) -> bool:
    return char in _JOINERS or unicodedata.category(char).startswith("M")


def reference_tokenize(text: str) -> list[str]:
    tokens: list[str] = []
    for token in _TOKEN_RE.findall(text):
        if tokens and _is_word(tokens[-1]):
            previous = tokens[-1]
            if (len(token) == 1 and _is_word_continuer(token)) or (
                _is_word_continuer(previous[-1]) and _is_word(token)
            ):
                tokens[-1] = previous + token
                continue
        tokens.append(token)
    return tokens


class ReferenceCodec:
    """One dictionary call per token; code points skip the surrogates."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def encode(self, tokens: Iterable[str]) -> str:
        codes = [self.index.setdefault(token, len(self.index)) for token in tokens]
        return "".join(chr(c if c < 0xD800 else c + 0x800) for c in codes)

    def token(self, char: str) -> str:
        code = ord(char)
        return list(self.index)[code if code < 0xD800 else code - 0x800]

    def text(self, chars: str) -> str:
        return "".join(self.token(c) for c in chars)


def reference_coalesce(ops: Iterable[tuple[OpName, str]]) -> list[DiffOp]:
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


_NAMES: dict[int, OpName] = {0: "equal", -1: "delete", 1: "insert"}


def reference_semantic_diff(old: str, new: str, codec: ReferenceCodec) -> list[tuple[int, str]]:
    if old == new:
        return [(0, old)] if old else []
    if accelerated():
        found = engine._fast.diff(old, new, timelimit=0, checklines=False, cleanup="Semantic")
        codes = {"=": 0, "-": -1, "+": 1}
        diffs = engine._with_texts(old, new, [(codes[op], length) for op, length in found])
    else:
        upstream = diff_match_patch()
        upstream.Diff_Timeout = 0
        diffs = upstream.diff_main(old, new, False)
        upstream.diff_cleanupSemantic(diffs)
    TokenDiffer(cast(TokenCodec, codec)).diff_cleanupSemanticLossless(diffs)
    return cast(list[tuple[int, str]], diffs)


def reference_words_diff(old: str, new: str) -> list[tuple[OpName, str]]:
    """One paragraph pair at a time, every token through the reference codec."""
    if old == new:
        return [("equal", old)]
    codec = ReferenceCodec()
    encoded_old = codec.encode(reference_tokenize(old))
    encoded_new = codec.encode(reference_tokenize(new))
    diffs = reference_semantic_diff(encoded_old, encoded_new, codec)
    return [(_NAMES[op], codec.text(chars)) for op, chars in diffs]


def reference_word_diff(old: str, new: str) -> list[DiffOp]:
    if old == new:
        return [DiffOp("equal", old)] if old else []
    old_units, new_units = split_units(old), split_units(new)
    pieces: list[tuple[OpName, str]] = []
    position = 0
    for edit in align(old_units, new_units):
        pieces.append(("equal", "".join(old_units[position : edit.lo])))
        if edit.paired:
            pieces.extend(reference_words_diff(old_units[edit.lo], new_units[edit.side_lo]))
        else:
            pieces.extend(text_diff._unit_pieces(old_units, new_units, edit))
        position = edit.hi
    pieces.append(("equal", "".join(old_units[position:])))
    return text_diff._after_blank_lines(reference_coalesce(pieces))


# ---------------------------------------------------------------------------------------------
# Random texts
# ---------------------------------------------------------------------------------------------

# ASCII with the whitespace only unicode-aware \s knows (\x1c-\x1f), and the characters the
# non-ASCII tokenizer treats specially: combining marks, joiners, scripts, emoji.
PIECES = [
    *"ab Z9_\n\t\r\x0b\x0c\x1c\x1d\x1e\x1f.,;:!?'\"-()[]*#`",
    *["é", "e\u0301", "न", "्", "ि", "\u200d", "\u200c", "日", "😀", "\u00a0", "\u2028"],
]
WORDS = ["the", "group", "equal", "footing", "all", "stakeholders", ",", ".", " ", "  "]
SEPARATORS = [" ", "\n", "\n\n", "\n\n\n", "\n \n"]


@st.composite
def draft(draw: st.DrawFn) -> str:
    """Paragraphs of a small vocabulary, so that units repeat and paragraphs pair up."""
    paragraphs = draw(st.lists(st.lists(st.sampled_from(WORDS), max_size=12), max_size=8))
    parts: list[str] = []
    for words in paragraphs:
        parts.append("".join(words))
        parts.append(draw(st.sampled_from(SEPARATORS)))
    return "".join(parts)


@st.composite
def edited(draw: st.DrawFn, text: str) -> str:
    """``text`` with a few token-level edits, paragraph breaks included."""
    tokens = tokenize(text)
    for _ in range(draw(st.integers(0, 5))):
        start = draw(st.integers(0, len(tokens)))
        end = draw(st.integers(start, min(len(tokens), start + 3)))
        tokens[start:end] = draw(st.lists(st.sampled_from(WORDS + SEPARATORS), max_size=3))
    return "".join(tokens)


# ---------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.text())
def test_tokenize_agrees_with_the_reference_on_any_text(text: str) -> None:
    assert tokenize(text) == reference_tokenize(text)


@PROPERTY
@given(st.lists(st.sampled_from(PIECES), max_size=40).map("".join))
def test_tokenize_agrees_with_the_reference_on_tricky_text(text: str) -> None:
    assert tokenize(text) == reference_tokenize(text)


@PROPERTY
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_tokenize_agrees_with_the_reference_on_ascii(text: str) -> None:
    assert tokenize(text) == reference_tokenize(text)


@PROPERTY
@given(st.lists(st.lists(st.sampled_from(WORDS + PIECES), max_size=30), max_size=4))
def test_codec_agrees_with_the_reference(texts: list[list[str]]) -> None:
    codec, reference = TokenCodec(), ReferenceCodec()
    for tokens in texts:
        encoded = codec.encode(iter(tokens))  # any iterable, not only lists
        assert encoded == reference.encode(tokens)
        assert codec.decode(encoded) == tokens
        assert codec.text(encoded) == "".join(tokens)
        assert [codec.token(c) for c in encoded] == tokens
    assert codec.tokens == list(reference.index)


def test_codec_skips_the_surrogates_beyond_them() -> None:
    tokens = [str(n) for n in range(0xD800 + 50)]
    codec, reference = TokenCodec(), ReferenceCodec()
    first = codec.encode(tokens[:0xD7F0])
    encoded = codec.encode(tokens)
    assert first == reference.encode(tokens[:0xD7F0])
    assert encoded == reference.encode(tokens)
    assert not any(0xD800 <= ord(c) < 0xE000 for c in encoded)
    assert codec.text(encoded) == "".join(tokens)
    assert codec.decode(encoded[-60:]) == tokens[-60:]
    assert codec.token(encoded[-1]) == tokens[-1]


@PROPERTY
@given(st.lists(st.sampled_from(PIECES + WORDS), max_size=60).map("".join))
def test_word_sets_read_off_tokens_agree_with_unit_words(unit: str) -> None:
    assert text_diff._Tokens().words(unit) == unit_words(unit)


@PROPERTY
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["equal", "delete", "insert"]),
            st.sampled_from(["", "a", "b c", "\n\n"]),
        ),
        max_size=30,
    )
)
def test_coalesce_agrees_with_the_reference(ops: list[tuple[OpName, str]]) -> None:
    assert coalesce(ops) == reference_coalesce(ops)


@PROPERTY
@given(st.data())
def test_word_diff_agrees_with_the_reference(data: st.DataObject) -> None:
    old = data.draw(draft())
    new = data.draw(edited(old))
    assert word_diff(old, new) == reference_word_diff(old, new)


@PROPERTY
@given(st.lists(st.sampled_from([*PIECES, "\n\n"]), max_size=50).map("".join), st.text())
def test_word_diff_agrees_with_the_reference_on_any_text(old: str, new: str) -> None:
    assert word_diff(old, new) == reference_word_diff(old, new)


@PROPERTY
@given(st.data())
def test_align_with_word_sets_from_tokens_is_align(data: st.DataObject) -> None:
    old_units = split_units(data.draw(draft()))
    new_units = split_units(data.draw(edited("".join(old_units))))
    found: list[UnitEdit] = align(old_units, new_units, text_diff._Tokens().words)
    assert found == align(old_units, new_units)


@PROPERTY
@given(
    st.lists(st.sampled_from(WORDS + PIECES), max_size=40),
    st.lists(st.sampled_from(WORDS + PIECES), max_size=40),
    st.booleans(),
)
def test_codec_pair_is_two_encodes(old: list[str], new: list[str], with_kinds: bool) -> None:
    """TokenCodec.pair gives the codes of a fresh codec encoding old, then new."""
    codec = TokenCodec()
    expected = codec.encode(old), codec.encode(new)
    kinds = (dict.fromkeys(old), dict.fromkeys(new)) if with_kinds else (None, None)
    paired, encoded_old, encoded_new = TokenCodec.pair(old, new, *kinds)
    assert (encoded_old, encoded_new) == expected
    assert paired.tokens == codec.tokens
    assert paired.text(encoded_old + encoded_new) == "".join(old + new)


def test_codec_pair_beyond_the_surrogates() -> None:
    old = [str(n) for n in range(0xD800 + 50)]
    new = ["x", *old[-3:], "y"]
    codec = TokenCodec()
    expected = codec.encode(old), codec.encode(new)
    paired, encoded_old, encoded_new = TokenCodec.pair(old, new)
    assert (encoded_old, encoded_new) == expected
    assert paired.text(encoded_new) == "".join(new)


# Paragraphs of words and single spaces, where whole words are replaced, inserted or removed:
# the accelerator's pieces then often have no edit alone between two equalities, and the
# decoding that skips the token-aware shift is taken.
PROSE = ["the", "group", "equal", "footing", "all", "stakeholders", "shall", ".", ","]


@st.composite
def prose_pair(draw: st.DrawFn) -> tuple[str, str]:
    words = draw(st.lists(st.sampled_from(PROSE), min_size=1, max_size=30))
    changed = list(words)
    for _ in range(draw(st.integers(0, 6))):
        at = draw(st.integers(0, len(changed)))
        kind = draw(st.sampled_from(["replace", "insert", "remove"]))
        if kind == "insert" or at == len(changed):
            changed.insert(at, draw(st.sampled_from([*PROSE, "fair", "open"])))
        elif kind == "replace":
            changed[at] = draw(st.sampled_from([*PROSE, "fair", "open"]))
        else:
            del changed[at]
    return " ".join(words), " ".join(changed)


@PROPERTY
@given(prose_pair())
def test_decoded_semantic_pieces_agree_with_the_reference(pair: tuple[str, str]) -> None:
    """semantic_texts decodes the accelerator's pieces directly where the token-aware shift
    has nothing to move, and shifts first elsewhere: both as the reference does."""
    old, new = pair
    codec, encoded_old, encoded_new = TokenCodec.pair(tokenize(old), tokenize(new))
    found = engine.semantic_texts(encoded_old, encoded_new, codec, _NAMES)
    expected = [(name, text) for name, text in reference_words_diff(old, new) if text]
    if old == new:
        expected = [("equal", old)]
    assert found == expected
    assert text_diff.words_diff(old, new) == reference_words_diff(old, new)


def test_decoded_semantic_pieces_on_words_replaced_in_place() -> None:
    old = "the group shall all stakeholders on an equal footing , the group ."
    new = "the group must all parties on an equal footing , the chair ."
    codec, encoded_old, encoded_new = TokenCodec.pair(tokenize(old), tokenize(new))
    found = engine.semantic_texts(encoded_old, encoded_new, codec, _NAMES)
    assert found == reference_words_diff(old, new)
    assert [name for name, _ in found] == [
        "equal", "delete", "insert", "equal", "delete", "insert", "equal", "delete", "insert",
        "equal",
    ]  # fmt: skip


# ---------------------------------------------------------------------------------------------
# Both engines
# ---------------------------------------------------------------------------------------------


def test_the_pure_python_engine_gives_the_same_redline(monkeypatch: pytest.MonkeyPatch) -> None:
    old = "\n\n".join(f"Paragraph {n}: the group, on an equal footing." for n in range(30))
    new = old.replace("equal", "fair").replace("group,", "group")
    accelerated_ops = word_diff(old, new)
    monkeypatch.setattr(Engine, "use_accelerator", False)
    assert word_diff(old, new) == accelerated_ops == reference_word_diff(old, new)
