"""A translation stays paired with its source by label through insertions, deletions, edits and
renumberings, checked against a deliberately simple reference that follows each paragraph by
its identity instead of by label."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core import labels, languages
from wgtool.core.errors import InvalidInput

STEPS = st.lists(
    st.tuples(st.sampled_from(["insert", "delete", "edit", "renumber"]), st.integers(0, 10_000)),
    max_size=25,
)


def source(paragraphs: list[tuple[int, str]]) -> str:
    return "# Title\n\n" + "".join(f"{text}\n\n" for _, text in paragraphs)


@settings(max_examples=150, deadline=None)
@given(count=st.integers(1, 8), translated=st.sets(st.integers(0, 7)), steps=STEPS)
def test_alignment_by_label_follows_each_paragraph(
    count: int, translated: set[int], steps: list[tuple[str, int]]
) -> None:
    # Paragraph identities 0..count-1; each text names its identity, so texts stay unique.
    paragraphs = [(i, f"Paragraph {i} says something.") for i in range(count)]
    found = labels.Labels.positional(count)
    units = languages.source_units(source(paragraphs), found)
    by_id = dict(zip(range(count), [u for u in units if not u.heading], strict=True))
    stored = languages.Translation(
        "d",
        "fr",
        0,
        tuple(
            (by_id[i].key, by_id[i].hash, f"Traduction {i}.")
            for i in sorted(translated)
            if i < count
        ),
    )
    # The reference: which identities are translated, and the text each was translated from.
    reference = {i: f"Paragraph {i} says something." for i in translated if i < count}
    fresh = count
    for op, pick in steps:
        old_texts = [t for _, t in paragraphs]
        if op == "renumber":
            found, _ = labels.renumbered(found)
            continue
        if op == "insert":
            paragraphs.insert(pick % (len(paragraphs) + 1), (fresh, f"New paragraph {fresh}."))
            fresh += 1
        elif not paragraphs:
            continue
        elif op == "delete":
            paragraphs.pop(pick % len(paragraphs))
        else:
            at = pick % len(paragraphs)
            ident, text = paragraphs[at]
            paragraphs[at] = (ident, text + " Amended.")
        found = labels.relabel(old_texts, found, [t for _, t in paragraphs])

    aligned = languages.align(
        languages.source_units(source(paragraphs), found), found, stored, "fr"
    )
    rows = [r for r in aligned.rows if not r.unit.heading]
    assert len(rows) == len(paragraphs)
    for (ident, text), row in zip(paragraphs, rows, strict=True):
        if ident in reference:
            assert row.text == f"Traduction {ident}.", (ident, row)
            assert row.stale == (text != reference[ident])
        else:
            assert row.text is None and not row.stale
    present = {ident for ident, _ in paragraphs}
    orphaned = sorted(int(text.split()[1].rstrip(".")) for _, text in aligned.orphans)
    assert orphaned == sorted(set(reference) - present)


def test_a_stored_translation_reads_back_as_written() -> None:
    stored = languages.Translation(
        "d", "ar", 2, (("h1", "0" * 12, "# عنوان"), ("7bis", "a" * 12, "نص الفقرة\nسطر"))
    )
    assert languages.load(stored.dump()) == stored
    with pytest.raises(InvalidInput):
        languages.load(b"# not a translation\n")


@pytest.mark.parametrize(
    ("given_code", "canonical", "rtl"),
    [("FR", "fr", False), ("pt-br", "pt-BR", False), ("ar", "ar", True), ("he", "he", True),
     ("fa", "fa", True), ("zh-hans", "zh-Hans", False), ("az-arab", "az-Arab", True),
     ("es-419", "es-419", False)],
)  # fmt: skip
def test_language_codes(given_code: str, canonical: str, rtl: bool) -> None:
    assert languages.language_code(given_code) == canonical
    assert languages.is_rtl(canonical) is rtl


@pytest.mark.parametrize("bad", ["", "french", "f", "fr_FR", "../x", "fr-", "--upload-pack=x"])
def test_bad_language_codes_are_refused(bad: str) -> None:
    with pytest.raises(InvalidInput, match="is not a language code"):
        languages.language_code(bad)
