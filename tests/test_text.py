"""Tests for wgtool.core.text: tokens, word diff, redline and the word-level three-way merge."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core.text import (
    Conflict,
    DiffOp,
    MergeResult,
    merge3,
    minimal_word_diff,
    redline,
    tokenize,
    word_diff,
)

# Modest settings keep the whole file at a few seconds; deadline=None because the first
# examples pay for imports and regex compilation.
PROPERTY = settings(max_examples=200, deadline=None)

EQUAL_FOOTING = "Governments participate on an equal footing with all stakeholders."


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def old_of(ops: list[DiffOp]) -> str:
    """The old text a diff describes (equal + delete pieces)."""
    return "".join(op.text for op in ops if op.op != "insert")


def new_of(ops: list[DiffOp]) -> str:
    """The new text a diff describes (equal + insert pieces)."""
    return "".join(op.text for op in ops if op.op != "delete")


def assert_canonical(ops: list[DiffOp]) -> None:
    """No empty pieces, no two adjacent pieces of one kind, deletion before insertion."""
    for op in ops:
        assert op.text
    for first, second in zip(ops, ops[1:], strict=False):
        assert first.op != second.op
        assert (first.op, second.op) != ("insert", "delete")


@dataclass(frozen=True)
class WordEdit:
    """Replace base words [start, end) with `words` (start == end: insert before word start)."""

    start: int
    end: int
    words: tuple[str, ...]


def apply_word_edits(base_words: list[str], edits: list[WordEdit]) -> str:
    """The test's own oracle: apply non-overlapping word edits and join with single spaces."""
    out: list[str] = []
    position = 0
    for edit in sorted(edits, key=lambda e: (e.start, e.end)):
        assert edit.start >= position
        out.extend(base_words[position : edit.start])
        out.extend(edit.words)
        position = edit.end
    out.extend(base_words[position:])
    return " ".join(out)


def assert_offsets_point_into_ours(result: MergeResult, ours: str) -> None:
    """Every conflict's ours text is found in `ours` at its ours_offset."""
    for conflict in result.conflicts:
        assert 0 <= conflict.ours_offset <= len(ours)
        assert ours[conflict.ours_offset :].startswith(conflict.ours)


# ---------------------------------------------------------------------------------------------
# tokenize
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.text())
def test_tokenize_round_trips_arbitrary_text(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    assert all(tokens)


MARKDOWNISH = [*"ab Z9_\n\t\r.,;:!?'\"-()[]*#`", "é", "e\u0301", "न", "्", "\u200d", "日", "😀"]


@PROPERTY
@given(st.lists(st.sampled_from(MARKDOWNISH), max_size=40).map("".join))
def test_tokenize_round_trips_markdownish_text(text: str) -> None:
    tokens = tokenize(text)
    assert "".join(tokens) == text
    # Whitespace runs are maximal: two whitespace tokens never follow each other.
    for first, second in zip(tokens, tokens[1:], strict=False):
        assert not (first.isspace() and second.isspace())
    # Anything that is neither a word nor whitespace is a single character.
    for token in tokens:
        if not token.isspace() and not (token[0].isalnum() or token[0] == "_"):
            assert len(token) == 1


def test_tokenize_examples() -> None:
    assert tokenize("") == []
    assert tokenize("Hello, world!\n\nNext  para.") == [
        "Hello",
        ",",
        " ",
        "world",
        "!",
        "\n\n",
        "Next",
        "  ",
        "para",
        ".",
    ]
    assert tokenize("multi-stakeholder don't") == [
        "multi",
        "-",
        "stakeholder",
        " ",
        "don",
        "'",
        "t",
    ]


def test_tokenize_keeps_combining_marks_inside_words() -> None:
    # Decomposed "café" (e + U+0301) and Devanagari with virama/vowel signs stay whole words.
    assert tokenize("cafe\u0301 au lait") == ["cafe\u0301", " ", "au", " ", "lait"]
    assert tokenize("नमस्ते दुनिया") == ["नमस्ते", " ", "दुनिया"]
    assert tokenize("Égalité, fraternité") == ["Égalité", ",", " ", "fraternité"]


# ---------------------------------------------------------------------------------------------
# word_diff and redline
# ---------------------------------------------------------------------------------------------


@PROPERTY
@given(st.text(), st.text())
def test_word_diff_reconstructs_both_texts(old: str, new: str) -> None:
    ops = word_diff(old, new)
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert_canonical(ops)


VOCABULARY = ["the", "group", "equal", "footing", "all", "stakeholders", ",", ".", " ", "\n\n"]


@st.composite
def token_texts(draw: st.DrawFn) -> str:
    """Text made of a small vocabulary, so that diffs have plenty of equal parts."""
    return "".join(draw(st.lists(st.sampled_from(VOCABULARY), max_size=30)))


@st.composite
def token_edited(draw: st.DrawFn, text: str, vocabulary: list[str]) -> str:
    """`text` with a few random token-level deletions, insertions and replacements."""
    tokens = tokenize(text)
    for _ in range(draw(st.integers(0, 4))):
        start = draw(st.integers(0, len(tokens)))
        end = draw(st.integers(start, min(len(tokens), start + 4)))
        tokens[start:end] = draw(st.lists(st.sampled_from(vocabulary), max_size=4))
    return "".join(tokens)


@PROPERTY
@given(st.data())
def test_word_diff_reconstructs_related_texts(data: st.DataObject) -> None:
    old = data.draw(token_texts())
    new = data.draw(token_edited(old, VOCABULARY))
    ops = word_diff(old, new)
    assert old_of(ops) == old
    assert new_of(ops) == new
    assert_canonical(ops)


@PROPERTY
@given(st.text(), st.text())
def test_minimal_word_diff_reconstructs_both_texts(old: str, new: str) -> None:
    ops = minimal_word_diff(old, new)
    assert (old_of(ops), new_of(ops)) == (old, new)
    assert_canonical(ops)


@PROPERTY
@given(st.data())
def test_minimal_word_diff_leaves_the_paragraphs_around_a_change_alone(
    data: st.DataObject,
) -> None:
    paragraph = st.lists(st.sampled_from(VOCABULARY[:6]), min_size=1, max_size=6).map(" ".join)
    before = data.draw(st.lists(paragraph, max_size=5))
    after = data.draw(st.lists(paragraph, max_size=5))
    old_middle = data.draw(token_texts())
    new_middle = data.draw(token_edited(old_middle, VOCABULARY))
    old = "\n\n".join([*before, old_middle, *after]) + "\n"
    new = "\n\n".join([*before, new_middle, *after]) + "\n"
    ops = minimal_word_diff(old, new)
    assert (old_of(ops), new_of(ops)) == (old, new)
    assert_canonical(ops)
    # Whatever changed lies between the paragraphs both texts share at start and end.
    head = "\n\n".join(before)
    tail = "\n\n".join(after)
    changed_from = len(ops[0].text) if ops and ops[0].op == "equal" else 0
    changed_to = len(ops[-1].text) if ops and ops[-1].op == "equal" else 0
    assert changed_from >= len(head) - 1 or old == new
    assert changed_to >= len(tail) or old == new


def test_word_diff_identical_and_empty() -> None:
    assert word_diff("", "") == []
    assert word_diff("same text", "same text") == [DiffOp("equal", "same text")]
    assert word_diff("", "new") == [DiffOp("insert", "new")]
    assert word_diff("old", "") == [DiffOp("delete", "old")]


def test_word_diff_reads_as_phrases() -> None:
    old = "Governments participate on an equal footing with all stakeholders."
    new = "Governments take part on an equal footing with each and every stakeholder."
    assert word_diff(old, new) == [
        DiffOp("equal", "Governments "),
        DiffOp("delete", "participate"),
        DiffOp("insert", "take part"),
        DiffOp("equal", " on an equal footing with "),
        DiffOp("delete", "all stakeholders"),
        DiffOp("insert", "each and every stakeholder"),
        DiffOp("equal", "."),
    ]


def test_word_diff_rewritten_phrase_is_one_deletion_and_one_insertion() -> None:
    # Without the semantic cleanup the shared single spaces would interleave five
    # one-word deletions with five one-word insertions.
    old = "All stakeholders take part on an equal footing."
    new = "All stakeholders take part in a fair manner."
    ops = word_diff(old, new)
    assert [op.op for op in ops] == ["equal", "delete", "insert", "equal"]
    assert ops[1] == DiffOp("delete", "on an equal footing")
    assert ops[2] == DiffOp("insert", "in a fair manner")


def test_word_diff_never_splits_words() -> None:
    ops = word_diff("stakeholders", "stakeholder")
    assert ops == [DiffOp("delete", "stakeholders"), DiffOp("insert", "stakeholder")]


def test_redline_plain_markers() -> None:
    assert (
        redline(EQUAL_FOOTING, "Governments participate on an equal footing with stakeholders.")
        == "Governments participate on an equal footing with [-all -]stakeholders."
    )
    assert redline("a b", "a b c") == "a b{+ c+}"
    assert (
        redline("on an equal footing with all", "on a fair footing with all")
        == "on [-an equal-]{+a fair+} footing with all"
    )
    assert redline("same", "same") == "same"
    assert redline("", "") == ""


def test_redline_new_paragraph_is_one_insertion() -> None:
    old = "First paragraph.\n\nSecond paragraph.\n\nThird paragraph."
    new = "First paragraph.\n\nSecond paragraph.\n\nA new paragraph here.\n\nThird paragraph."
    assert redline(old, new) == (
        "First paragraph.\n\nSecond paragraph.\n\n{+A new paragraph here.\n\n+}Third paragraph."
    )


# ---------------------------------------------------------------------------------------------
# merge3: examples
# ---------------------------------------------------------------------------------------------


def test_merge3_trivial_cases() -> None:
    base, edited = "one two three", "one 2 three"
    assert merge3(base, base, edited) == MergeResult(edited, ())
    assert merge3(base, edited, base) == MergeResult(edited, ())
    assert merge3(base, edited, edited) == MergeResult(edited, ())
    assert merge3(base, base, base) == MergeResult(base, ())
    assert merge3(base, base, edited).clean


def test_merge3_disjoint_edits_combine() -> None:
    ours = "Governments fully participate on an equal footing with all stakeholders."
    theirs = "Governments participate on an equal footing with all relevant stakeholders."
    result = merge3(EQUAL_FOOTING, ours, theirs)
    assert result.clean
    assert result.text == (
        "Governments fully participate on an equal footing with all relevant stakeholders."
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        # Both rewrite the same word.
        (
            "Governments participate on an equal basis with all stakeholders.",
            "Governments participate on equal terms with all stakeholders.",
        ),
        # One deletes a phrase, the other edits inside it.
        (
            "Governments participate with all stakeholders.",
            "Governments participate on an even footing with all stakeholders.",
        ),
        # One appends inside a span the other removes; diff-match-patch's patch_apply
        # "succeeds" on this pair with "...on an equal footing with all otheakeholders.".
        (
            "Governments participate on an equal footing with all other relevant stakeholders.",
            "Governments participate on an equal basis.",
        ),
        # One inserts a word into a phrase the other rewrites.
        (
            "Governments participate on an equal footing with all interested stakeholders.",
            "Governments participate on an equal footing alongside partners.",
        ),
    ],
)
def test_merge3_design_trap_edits_touching_same_words_conflict(ours: str, theirs: str) -> None:
    for left, right in ((ours, theirs), (theirs, ours)):
        result = merge3(EQUAL_FOOTING, left, right)
        assert not result.clean
        assert result.text is None
        assert result.conflicts
        for conflict in result.conflicts:
            assert conflict.ours != conflict.theirs
            assert conflict.base in EQUAL_FOOTING
        assert_offsets_point_into_ours(result, left)


def test_merge3_conflict_describes_the_region() -> None:
    ours = "Many governments participate on an equal footing with every stakeholder."
    theirs = "Governments participate on an equal footing with all partners."
    result = merge3(EQUAL_FOOTING, ours, theirs)
    assert result.conflicts == (
        Conflict(
            base="all stakeholders",
            ours="every stakeholder",
            theirs="all partners",
            ours_offset=ours.index("every stakeholder"),
        ),
    )
    assert result.text is None


def test_merge3_ours_offset_accounts_for_earlier_merged_edits() -> None:
    # Theirs' change at the start is fine; the conflict is later, and its offset is in *ours*.
    ours = "Governments participate on an equal basis with all stakeholders."
    theirs = "States participate on a fair standing with all stakeholders."
    result = merge3(EQUAL_FOOTING, ours, theirs)
    (conflict,) = result.conflicts
    assert conflict.ours_offset == ours.index("an equal basis")
    assert ours[conflict.ours_offset :].startswith(conflict.ours)
    assert (conflict.base, conflict.ours, conflict.theirs) == (
        "an equal footing",
        "an equal basis",
        "a fair standing",
    )
    # And the offset moves with ours' own earlier edits ("fully" is one word away from each of
    # theirs' edits, so it is not part of any conflict).
    ours2 = "Governments participate fully on an equal basis with all stakeholders."
    (conflict2,) = merge3(EQUAL_FOOTING, ours2, theirs).conflicts
    assert conflict2.ours_offset == ours2.index("an equal basis")


def test_merge3_chained_overlaps_form_one_conflict() -> None:
    base = "w0 w1 w2 w3 w4 w5 w6 w7 w8"
    ours = "w0 w1 o1 w4 o2 w7 w8"  # replaces w2 w3 and, separately, w5 w6
    theirs = "w0 w1 w2 t1 w6 w7 w8"  # replaces w3 w4 w5, overlapping both
    result = merge3(base, ours, theirs)
    assert result.conflicts == (
        Conflict(
            base="w2 w3 w4 w5 w6",
            ours="o1 w4 o2",
            theirs="w2 t1 w6",
            ours_offset=ours.index("o1"),
        ),
    )


def test_merge3_separate_conflicts_are_reported_separately() -> None:
    base = "w0 w1 w2 w3 w4 w5 w6"
    ours = "w0 o1 w2 w3 w4 o5 w6"
    theirs = "w0 t1 w2 w3 w4 t5 w6"
    result = merge3(base, ours, theirs)
    assert [(c.base, c.ours, c.theirs) for c in result.conflicts] == [
        ("w1", "o1", "t1"),
        ("w5", "o5", "t5"),
    ]
    assert [c.ours_offset for c in result.conflicts] == [ours.index("o1"), ours.index("o5")]


def test_merge3_identical_changes_are_taken_once() -> None:
    base = "w0 w1 w2 w3 w4 w5 w6"
    ours = "w0 new w2 w3 w4 w5 w6 end"
    theirs = "start w0 new w2 w3 w4 w5 w6"
    result = merge3(base, ours, theirs)
    assert result == MergeResult("start w0 new w2 w3 w4 w5 w6 end", ())


def test_merge3_the_same_new_paragraph_after_different_line_breaks_is_taken_once() -> None:
    # A text of blank lines: one side writes the paragraph before them, the other after.
    # Both added the same paragraph at the same place; neither order of sides changes that.
    for ours, theirs in (("Access\n\n", "\n\nAccess"), ("\n\nAccess", "Access\n\n")):
        assert merge3("\n\n", ours, theirs) == MergeResult("Access", ())
    base = "One.\n\nTwo."
    result = merge3(base, "One.\n\nNew.\n\nTwo.", "One.\n\n\nNew.\n\nTwo.")
    assert result == MergeResult("One.\n\nNew.\n\nTwo.", ())


def test_merge3_insertions_at_the_same_point_conflict() -> None:
    base = "w0 w1 w2"
    result = merge3(base, "w0 w1 ours w2", "w0 w1 theirs w2")
    assert not result.clean
    (conflict,) = result.conflicts
    # The place covers the space the insertions may sit on either side of.
    assert (conflict.base.strip(), conflict.ours.split(), conflict.theirs.split()) == (
        "",
        ["ours"],
        ["theirs"],
    )
    assert "w0 w1 ours w2"[conflict.ours_offset :].startswith(conflict.ours)


def test_merge3_insertion_inside_a_replaced_range_conflicts() -> None:
    base = "w0 w1 w2 w3 w4"
    # Theirs replaces "w1 w2 w3"; ours inserts between w2 and w3.
    result = merge3(base, "w0 w1 w2 x w3 w4", "w0 t w4")
    assert not result.clean


def test_merge3_insertion_next_to_a_replaced_word_conflicts() -> None:
    # Ours inserts a word right before the word theirs replaces. Only a space separates the two
    # edits, so they are one place: "necessary and proportionate" and "lawful and" inserted
    # before "proportionate" are the same case whichever way a diff happens to express them.
    ours = "Governments participate on an truly equal footing with all stakeholders."
    theirs = "Governments participate on an fair footing with all stakeholders."
    result = merge3(EQUAL_FOOTING, ours, theirs)
    assert result.text is None
    (conflict,) = result.conflicts
    assert (conflict.ours.strip(), conflict.theirs.strip()) == ("truly equal", "fair")


def test_merge3_reordered_phrase_and_word_edit() -> None:
    # Ours moves a phrase, theirs edits a word the move left in place: both survive.
    ours = "Governments participate with all stakeholders on an equal footing."
    theirs = "Governments participate on an even footing with all stakeholders."
    result = merge3(EQUAL_FOOTING, ours, theirs)
    assert result.text == "Governments participate with all stakeholders on an even footing."


# ---------------------------------------------------------------------------------------------
# merge3: paragraphs
# ---------------------------------------------------------------------------------------------

PARAGRAPHS = [
    "# Principles of cooperation",
    "The working group brings together governments, the private sector and civil society.",
    "Governments participate on an equal footing with all stakeholders.",
    "Decisions are taken by consensus after an open call for comments.",
    "The secretariat keeps the record of every amendment and decision.",
    "Members may propose amendments at any time before the final reading.",
]
DOCUMENT = "\n\n".join(PARAGRAPHS) + "\n"


def document(paragraphs: list[str]) -> str:
    return "\n\n".join(paragraphs) + "\n"


def test_merge3_new_paragraph_and_word_edit_in_another_paragraph_combine() -> None:
    new_paragraph = "Observers may attend the meetings without taking part in decisions."
    ours_paragraphs = [*PARAGRAPHS[:3], new_paragraph, *PARAGRAPHS[3:]]
    theirs_paragraphs = list(PARAGRAPHS)
    theirs_paragraphs[4] = PARAGRAPHS[4].replace("every amendment", "each amendment")
    ours, theirs = document(ours_paragraphs), document(theirs_paragraphs)
    expected = document([*theirs_paragraphs[:3], new_paragraph, *theirs_paragraphs[3:]])
    assert merge3(DOCUMENT, ours, theirs) == MergeResult(expected, ())
    assert merge3(DOCUMENT, theirs, ours) == MergeResult(expected, ())


def test_merge3_word_edits_in_neighbouring_paragraphs_combine() -> None:
    # Last word of paragraph 2 and first word of paragraph 3 are separated only by "\n\n".
    ours_paragraphs = list(PARAGRAPHS)
    ours_paragraphs[1] = PARAGRAPHS[1].replace("civil society.", "civil society organisations.")
    theirs_paragraphs = list(PARAGRAPHS)
    theirs_paragraphs[2] = PARAGRAPHS[2].replace("Governments", "States")
    expected = list(ours_paragraphs)
    expected[2] = theirs_paragraphs[2]
    result = merge3(DOCUMENT, document(ours_paragraphs), document(theirs_paragraphs))
    assert result.text == document(expected)


def test_merge3_deleted_paragraph_against_edit_inside_it_conflicts() -> None:
    ours_paragraphs = [p for i, p in enumerate(PARAGRAPHS) if i != 3]  # deletes paragraph 3
    theirs_paragraphs = list(PARAGRAPHS)
    theirs_paragraphs[3] = PARAGRAPHS[3].replace("by consensus", "by rough consensus")
    ours, theirs = document(ours_paragraphs), document(theirs_paragraphs)

    result = merge3(DOCUMENT, ours, theirs)
    assert result.text is None
    # The whole paragraph is the conflict; in ours it is gone, and the offset lands where it
    # used to be (the start of the paragraph that now follows).
    assert result.conflicts == (
        Conflict(
            base=PARAGRAPHS[3],
            ours="",
            theirs=theirs_paragraphs[3],
            ours_offset=ours.index("The secretariat"),
        ),
    )

    swapped = merge3(DOCUMENT, theirs, ours)
    assert swapped.conflicts == (
        Conflict(
            base=PARAGRAPHS[3],
            ours=theirs_paragraphs[3],
            theirs="",
            ours_offset=theirs.index("Decisions"),
        ),
    )


def test_merge3_paragraph_edits_with_conflicting_word_in_one_paragraph() -> None:
    ours_paragraphs = list(PARAGRAPHS)
    ours_paragraphs[2] = PARAGRAPHS[2].replace("equal", "fair")
    ours_paragraphs[5] = PARAGRAPHS[5].replace("any time", "any moment")
    theirs_paragraphs = list(PARAGRAPHS)
    theirs_paragraphs[2] = PARAGRAPHS[2].replace("equal", "equitable")
    ours = document(ours_paragraphs)
    result = merge3(DOCUMENT, ours, document(theirs_paragraphs))
    (conflict,) = result.conflicts
    assert (conflict.base, conflict.ours, conflict.theirs) == ("equal", "fair", "equitable")
    assert conflict.ours_offset == ours.index("fair footing")


# ---------------------------------------------------------------------------------------------
# merge3: properties
# ---------------------------------------------------------------------------------------------

# Base words, ours' new words and theirs' new words come from three disjoint vocabularies, so
# the test can tell exactly where each token of a merge came from.
BASE_WORDS = [f"b{i}" for i in range(40)]
OURS_WORDS = [f"o{i}" for i in range(40)]
THEIRS_WORDS = [f"t{i}" for i in range(40)]


@st.composite
def distinct_base(draw: st.DrawFn, min_size: int) -> list[str]:
    return draw(st.lists(st.sampled_from(BASE_WORDS), unique=True, min_size=min_size, max_size=14))


@st.composite
def edit_in(draw: st.DrawFn, low: int, high: int, vocabulary: list[str]) -> WordEdit:
    """One edit of the word range [start, end) within [low, high]; never a no-op."""
    start = draw(st.integers(low, high))
    end = draw(st.integers(start, high))
    words = draw(st.lists(st.sampled_from(vocabulary), unique=True, max_size=3))
    if start == end and not words:
        words = [vocabulary[0]]
    return WordEdit(start, end, tuple(words))


@st.composite
def disjoint_edits(draw: st.DrawFn) -> tuple[list[str], WordEdit, WordEdit]:
    """A base and two edits separated by at least one unchanged word (ours first)."""
    base = draw(distinct_base(min_size=3))
    n = len(base)
    # The first edit lies in [0, split], the second in [split + 1, n]; the word at index
    # `split` belongs to neither, so at least one word separates them.
    split = draw(st.integers(0, n - 1))
    first = draw(edit_in(0, split, OURS_WORDS))
    second = draw(edit_in(split + 1, n, THEIRS_WORDS))
    return base, first, second


@PROPERTY
@given(disjoint_edits())
def test_property_disjoint_edits_merge_cleanly(case: tuple[list[str], WordEdit, WordEdit]) -> None:
    base_words, ours_edit, theirs_edit = case
    base = " ".join(base_words)
    ours = apply_word_edits(base_words, [ours_edit])
    theirs = apply_word_edits(base_words, [theirs_edit])
    expected = apply_word_edits(base_words, [ours_edit, theirs_edit])

    assert merge3(base, ours, theirs) == MergeResult(expected, ())
    assert merge3(base, theirs, ours) == MergeResult(expected, ())


@st.composite
def overlapping_edits(draw: st.DrawFn) -> tuple[list[str], WordEdit, WordEdit]:
    """A base and two edits whose word ranges share at least one word."""
    base = draw(distinct_base(min_size=1))
    n = len(base)
    shared = draw(st.integers(0, n - 1))  # a word both edits replace
    ours = WordEdit(
        draw(st.integers(0, shared)),
        draw(st.integers(shared + 1, n)),
        tuple(draw(st.lists(st.sampled_from(OURS_WORDS), unique=True, max_size=3))),
    )
    theirs = WordEdit(
        draw(st.integers(0, shared)),
        draw(st.integers(shared + 1, n)),
        tuple(draw(st.lists(st.sampled_from(THEIRS_WORDS), unique=True, max_size=3))),
    )
    return base, ours, theirs


@PROPERTY
@given(overlapping_edits())
def test_property_overlapping_edits_conflict(case: tuple[list[str], WordEdit, WordEdit]) -> None:
    base_words, ours_edit, theirs_edit = case
    base = " ".join(base_words)
    ours = apply_word_edits(base_words, [ours_edit])
    theirs = apply_word_edits(base_words, [theirs_edit])
    if ours == theirs:  # both deleted exactly the same words: that is agreement
        assert merge3(base, ours, theirs) == MergeResult(ours, ())
        return
    for left, right in ((ours, theirs), (theirs, ours)):
        result = merge3(base, left, right)
        assert result.text is None
        assert not result.clean
        assert_offsets_point_into_ours(result, left)


@PROPERTY
@given(st.text(), st.text())
def test_property_trivial_merges(base: str, other: str) -> None:
    assert merge3(base, base, other) == MergeResult(other, ())
    assert merge3(base, other, base) == MergeResult(other, ())
    assert merge3(base, other, other) == MergeResult(other, ())


@PROPERTY
@given(st.data())
def test_property_merge_is_symmetric_for_random_token_edits(data: st.DataObject) -> None:
    # Repeated tokens, punctuation and paragraph breaks: the hardest texts for alignment.
    base = data.draw(token_texts())
    ours = data.draw(token_edited(base, VOCABULARY + ["ours"]))
    theirs = data.draw(token_edited(base, VOCABULARY + ["theirs"]))
    result = merge3(base, ours, theirs)
    swapped = merge3(base, theirs, ours)

    assert result.clean == swapped.clean
    assert result.text == swapped.text
    assert [(c.base, c.ours, c.theirs) for c in result.conflicts] == [
        (c.base, c.theirs, c.ours) for c in swapped.conflicts
    ]
    assert_offsets_point_into_ours(result, ours)
    assert_offsets_point_into_ours(swapped, theirs)
    assert (result.text is None) == bool(result.conflicts)
    for conflict in result.conflicts:
        assert conflict.ours != conflict.theirs
        assert conflict.base in base


@st.composite
def independently_edited(draw: st.DrawFn, base: list[str], vocabulary: list[str]) -> list[str]:
    """Base words with any number of random deletions and insertions (fresh words)."""
    fresh = iter(draw(st.permutations(vocabulary)))
    out: list[str] = []
    for word in base:
        out.extend(
            next(fresh) for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0)
        )
        if draw(st.integers(0, 3)) > 0:  # keep three words in four
            out.append(word)
    out.extend(next(fresh) for _ in range(draw(st.integers(0, 2)) if draw(st.booleans()) else 0))
    return out


@PROPERTY
@given(st.data())
def test_property_clean_merges_are_never_garbled(data: st.DataObject) -> None:
    """Either a conflict is reported, or the result is exactly the union of both sides' changes.

    Base words, ours' new words and theirs' new words are disjoint vocabularies, so this
    oracle is independent of how the merge aligns anything: in a clean result

    * every word is a whole word from one of the three texts (nothing glued or cut),
    * ours' new words appear exactly as in ours, in order, and likewise theirs',
    * a base word survives if and only if both sides kept it,
    * dropping theirs' new words and the base words theirs deleted leaves exactly ours'
      words (and symmetrically), so nothing moved.
    """
    base_words = data.draw(distinct_base(min_size=1))
    ours_words = data.draw(independently_edited(base_words, OURS_WORDS))
    theirs_words = data.draw(independently_edited(base_words, THEIRS_WORDS))
    base, ours, theirs = (" ".join(w) for w in (base_words, ours_words, theirs_words))

    result = merge3(base, ours, theirs)
    assert_offsets_point_into_ours(result, ours)
    if not result.clean:
        assert result.text is None
        return
    assert result.text is not None
    merged = result.text.split()
    if ours and theirs:
        # Single spaces between whole words. (When one side deletes the *whole* text, the
        # other side's insertions at its edges are merely adjacent and keep their own
        # separating space, so the result may start or end with a space or hold a double
        # space; the words are still exactly right, as checked below.)
        assert result.text.split(" ") == merged, result.text
    assert set(merged) <= set(BASE_WORDS) | set(OURS_WORDS) | set(THEIRS_WORDS)
    assert len(merged) == len(set(merged))

    ours_new = [w for w in merged if w in OURS_WORDS]
    theirs_new = [w for w in merged if w in THEIRS_WORDS]
    assert ours_new == [w for w in ours_words if w in OURS_WORDS]
    assert theirs_new == [w for w in theirs_words if w in THEIRS_WORDS]
    for word in base_words:
        assert (word in merged) == (word in ours_words and word in theirs_words)
    assert [w for w in merged if w not in THEIRS_WORDS] == [
        w for w in ours_words if w in OURS_WORDS or w in theirs_words
    ]
    assert [w for w in merged if w not in OURS_WORDS] == [
        w for w in theirs_words if w in THEIRS_WORDS or w in ours_words
    ]
    # The same holds with the sides swapped (and gives the same text).
    assert merge3(base, theirs, ours) == result


def test_word_edits_helper_sanity() -> None:
    assert apply_word_edits(["a", "b", "c"], [WordEdit(1, 2, ("x", "y"))]) == "a x y c"
    assert apply_word_edits(["a", "b"], [WordEdit(2, 2, ("z",)), WordEdit(0, 1, ())]) == "b z"
