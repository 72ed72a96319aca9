"""merge3 agrees with a deliberately simple reference merge on random drafts and edit scripts.

The cases (see ``reference_merge.py``) include insertions at the same point, edits of adjacent
words, whole paragraphs deleted against edits inside them, new paragraphs, punctuation and
whitespace changes, identical edits on both sides, and unrelated edits before and after on
either side. Disjoint edits must combine exactly; everything else must be a conflict; never a
third text.

The default run checks ``WGTOOL_MERGE_CASES`` cases (400 unless set); the long run is
``WGTOOL_MERGE_CASES=100000 python -m pytest tests/test_merge_reference.py -n 2``.
"""

from __future__ import annotations

import os

import pytest

from tests.reference_merge import random_case
from wgtool.core.text import merge3
from wgtool.core.text.engine import Engine

CASES = int(os.environ.get("WGTOOL_MERGE_CASES", "400"))
CHUNKS = 8


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_merge3_agrees_with_the_reference(chunk: int) -> None:
    disagreements = []
    for seed in range(chunk, CASES, CHUNKS):
        base, ours, theirs, expected = random_case(seed)
        result = merge3(base, ours, theirs)
        if result.text != expected:
            disagreements.append((seed, expected, result.text))
        # Either the merged text, or conflicts with their places; never both, never neither.
        assert (result.text is None) == bool(result.conflicts), seed
    assert not disagreements, f"{len(disagreements)} disagreement(s); first: {disagreements[0]}"


@pytest.mark.parametrize("chunk", range(2))
def test_pure_python_engine_gives_the_same_merges(chunk: int, monkeypatch) -> None:
    """The accelerated and the pure-Python diff engine merge every case the same way."""
    cases = [random_case(seed) for seed in range(chunk, min(CASES, 200), 2)]
    accelerated = [merge3(b, o, t) for b, o, t, _ in cases]
    monkeypatch.setattr(Engine, "use_accelerator", False)
    assert [merge3(b, o, t) for b, o, t, _ in cases] == accelerated
