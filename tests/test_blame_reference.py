"""Blame against a deliberately simple reference, on random histories of merges and reverts.

The reference keeps the draft as paragraphs of ``(word, step)`` pairs and applies each step's
edit to them directly, so it knows who wrote every word. Every word written is new (``s3w17``
is the 17th word of step 3), edits keep words in order, and each step makes one contiguous
edit: then the word-level history is unambiguous, and blame, which only sees the texts, must
find it exactly. Reverts either undo the latest merge (the text before it comes back) or take
out the words of an earlier insertion.
"""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core.documents.blame import Attribution, Source, Step, percentages, shares, trace
from wgtool.core.text.tokens import is_word, tokenize

Para = list[tuple[str, int]]


def render(paras: list[Para]) -> str:
    return "\n\n".join(" ".join(w for w, _ in p) for p in paras) + "\n"


class History:
    """A random draft history and the reference attribution after each step."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.step = 0
        self.words = 0
        self.paras: list[Para] = []
        self.steps: list[Step] = []
        self.states: list[list[Para]] = []  # the paragraphs before each step
        self.insertions: dict[int, set[str]] = {}  # step -> the words of a pure insertion
        self.reverted: set[int] = set()

    def fresh(self, count: int) -> Para:
        made = []
        for _ in range(count):
            self.words += 1
            made.append((f"s{self.step}w{self.words}", self.step))
        return made

    def record(self, source: Source) -> None:
        self.steps.append(Step(render(self.paras), source))

    def base(self) -> None:
        self.paras = [self.fresh(self.rng.randint(1, 8)) for _ in range(self.rng.randint(1, 4))]
        self.record(Source("base", "c0"))

    def merge(self) -> None:
        self.step += 1
        self.states.append([list(p) for p in self.paras])
        rng, paras = self.rng, self.paras
        choice = rng.random()
        if choice < 0.15:
            paras.insert(rng.randint(0, len(paras)), self.fresh(rng.randint(1, 6)))
        elif choice < 0.25 and len(paras) > 1:
            paras.pop(rng.randrange(len(paras)))
        else:
            para = paras[rng.randrange(len(paras))]
            lo = rng.randint(0, len(para))
            hi = rng.randint(lo, min(len(para), lo + 4))
            new = self.fresh(rng.randint(0 if hi > lo else 1, 4))
            para[lo:hi] = new
            if hi == lo:
                self.insertions[self.step] = {w for w, _ in new}
            if not para:
                paras.remove(para)
        if not paras:
            paras.append(self.fresh(2))
        self.record(Source("amendment", f"c{self.step}", amendment=f"a{self.step}"))

    def revert_latest(self) -> None:
        """Undo the latest step when it was a merge: the text before it comes back."""
        if self.steps[-1].source.kind != "amendment":
            return
        self.reverted.add(self.step)
        self.paras = [list(p) for p in self.states[-1]]
        self.step += 1
        self.states.append([list(p) for p in self.paras])
        self.record(Source("revert", f"c{self.step}", amendment=f"a{self.step - 1}"))

    def revert_insertion(self) -> None:
        """Take out the words of an earlier insertion, if they are all still there."""
        present = {w for p in self.paras for w, _ in p}
        for step, inserted in sorted(self.insertions.items()):
            if step in self.reverted or not inserted <= present:
                continue
            if all(w in inserted for p in self.paras for w, _ in p):
                return  # the draft would be empty
            self.reverted.add(step)
            self.step += 1
            self.states.append([list(p) for p in self.paras])
            self.paras = [q for p in self.paras if (q := [x for x in p if x[0] not in inserted])]
            self.record(Source("revert", f"c{self.step}", amendment=f"a{step}"))
            return


def random_history(seed: int) -> History:
    rng = random.Random(seed)
    history = History(rng)
    history.base()
    for _ in range(rng.randint(1, 14)):
        roll = rng.random()
        if roll < 0.12:
            history.revert_latest()
        elif roll < 0.22:
            history.revert_insertion()
        else:
            history.merge()
    return history


def traced(history: History) -> Attribution:
    return trace(history.steps, keep={f"a{s}" for s in history.reverted})


def blamed_words(attribution: Attribution) -> list[tuple[str, int]]:
    """Each word of the text with the step blame names (the number in its commit)."""
    words = []
    for start, end, source in attribution.per_token():
        token = attribution.text[start:end]
        if is_word(token):
            words.append((token, int(attribution.sources[source].commit[1:])))
    return words


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 2**32))
def test_blame_finds_who_wrote_every_word_as_the_reference_does(seed: int) -> None:
    history = random_history(seed)
    attribution = traced(history)
    assert attribution.text == history.steps[-1].text
    expected = [(w, s) for p in history.paras for w, s in p]
    assert blamed_words(attribution) == expected


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32))
def test_every_character_is_attributed_once_and_shares_sum_to_100(seed: int) -> None:
    attribution = traced(random_history(seed))
    assert sum(length for _, _, length in attribution.runs) == len(attribution.text)
    words = [t for t in tokenize(attribution.text) if is_word(t)]
    assert len(attribution.word_sources()) == len(words)
    for by in ("group", "member", "amendment"):
        rows = shares(attribution, [], by, {})  # type: ignore[arg-type]
        assert sum(r.words for r in rows) == len(words)
        assert round(sum(r.share for r in rows), 6) == 100.0


@settings(max_examples=100, deadline=None)
@given(st.integers(0, 2**32))
def test_reverting_the_latest_merge_restores_the_attribution_before_it(seed: int) -> None:
    history = random_history(seed)
    before = traced(history)
    history.merge()
    history.revert_latest()
    after = traced(history)
    assert after.text == before.text
    assert blamed_words(after) == blamed_words(before)
    assert [after.sources[s] for s in after.word_sources()] == [
        before.sources[s] for s in before.word_sources()
    ]


def test_percentages_sum_to_exactly_100_and_follow_the_counts() -> None:
    assert percentages([1, 1, 1]) == [33.4, 33.3, 33.3]
    assert percentages([0, 0]) == [0.0, 0.0]
    assert percentages([3, 1]) == [75.0, 25.0]
    rng = random.Random(7)
    for _ in range(200):
        counts = [rng.randint(0, 50) for _ in range(rng.randint(1, 9))]
        shares_ = percentages(counts)
        if sum(counts):
            assert round(sum(shares_), 6) == 100.0
        for count, share in zip(counts, shares_, strict=True):
            assert abs(share - 100 * count / max(sum(counts), 1)) <= 0.1 + 1e-9
