"""The order of consideration agrees with a deliberately simple reference on random drafts.

The reference knows what each random amendment does (it made it): which paragraph, whether it
deletes, replaces or inserts, and the words it changes, counted by a plain longest-common-
subsequence table. It sorts by the README's rule and groups identical texts and alternatives
by brute force. The core finds all of that from the texts alone (three-way merge, block
alignment, Myers' diff). ``WGTOOL_ORDER_CASES`` sets how many cases run (300 unless set).
"""

from __future__ import annotations

import os
import random
import re
from dataclasses import dataclass

import pytest

from wgtool.core import labels
from wgtool.core.consideration import Proposal, chair_text, consideration_order
from wgtool.core.model import Amendment, Kind, Status

CASES = int(os.environ.get("WGTOOL_ORDER_CASES", "300"))
CHUNKS = 4
WORDS = "the cooperation open global network shall should may all states and, stakeholders.".split()


def lcs(a: list[str], b: list[str]) -> int:
    table = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) - 1, -1, -1):
        for j in range(len(b) - 1, -1, -1):
            if a[i] == b[j]:
                table[i][j] = 1 + table[i + 1][j + 1]
            else:
                table[i][j] = max(table[i + 1][j], table[i][j + 1])
    return table[0][0]


def tokens(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


def distance(old: str, new: str) -> int:
    a, b = tokens(old), tokens(new)
    return len(a) + len(b) - 2 * lcs(a, b)


@dataclass
class Made:
    """A random amendment as the reference knows it."""

    amendment: Amendment
    blocks: list[str]  # the draft's blocks with it applied
    anchor: tuple[int, bool]  # block index, after
    shape: int  # 0 delete, 1 replace, 2 insert
    distance: int

    @property
    def key(self) -> tuple[int, bool, int, int, int, str]:
        a = self.amendment
        return (*self.anchor, self.shape, -self.distance, a.number or 0, a.id)


def render(blocks: list[str]) -> str:
    """The draft: a blank line between blocks."""
    return "\n\n".join(blocks) + "\n"


def amendment(number: int, rng: random.Random, alternative_to: str | None) -> Amendment:
    return Amendment(
        id=f"{rng.getrandbits(32):08x}",
        draft="d",
        kind=Kind.REPLACE,
        paragraph=None,
        title="t",
        rationale="r",
        proposer="p",
        group="g",
        status=Status.OPEN,
        base="b",
        head="h",
        revision=1,
        created_at=0,
        updated_at=0,
        alternative_to=alternative_to,
        number=number,
    )


def random_paragraph(rng: random.Random, unique: str) -> str:
    return " ".join([unique, *rng.choices(WORDS, k=rng.randint(2, 7))])


def mutate(rng: random.Random, paragraph: str) -> str:
    words = paragraph.split(" ")
    for _ in range(rng.randint(1, 4)):
        where = rng.randrange(len(words) + 1)
        roll = rng.random()
        if roll < 0.4 or len(words) < 2:
            words.insert(where, rng.choice(WORDS))
        elif roll < 0.7:
            del words[min(where, len(words) - 1)]
        else:
            words[min(where, len(words) - 1)] = rng.choice(WORDS)
    changed = " ".join(words)
    return changed if changed != paragraph else changed + " anew"


def random_case(seed: int) -> tuple[str, list[Made], list[Proposal]]:
    """A random draft (a title, paragraphs, headings before some) and random amendments to
    it, each made by editing its list of blocks."""
    rng = random.Random(seed)
    count = rng.randint(2, 6)
    paragraphs = [random_paragraph(rng, f"p{i}") for i in range(count)]
    blocks, block_of = ["# A draft"], {}
    for i, paragraph in enumerate(paragraphs):
        if i and rng.random() < 0.3:
            blocks.append(f"## Part {i}")
        block_of[i] = len(blocks)
        blocks.append(paragraph)
    current = render(blocks)
    made: list[Made] = []
    for number in range(1, rng.randint(2, 9)):
        if made and rng.random() < 0.15:  # the same text as an earlier one
            earlier = rng.choice(made)
            a = amendment(number, rng, None)
            made.append(Made(a, earlier.blocks, earlier.anchor, earlier.shape, earlier.distance))
            continue
        family = None
        if made and rng.random() < 0.2:
            earlier_one = rng.choice(made).amendment
            family = earlier_one.alternative_to or earlier_one.id
        a = amendment(number, rng, family)
        new = list(blocks)
        kind = rng.random()
        target = rng.randrange(count)
        b = block_of[target]
        if kind < 0.2:
            del new[b]
            made.append(Made(a, new, (b, False), 0, len(tokens(blocks[b]))))
        elif kind < 0.45:
            after = rng.randrange(count + 1)  # 0: at the start, after the title
            text = random_paragraph(rng, f"n{number}")
            where = block_of[after - 1] if after else 0
            new.insert(where + 1, text)
            made.append(Made(a, new, (where, True), 2, len(tokens(text))))
        elif kind < 0.6 and count >= 3:
            first = rng.randrange(count - 2)
            second = rng.randrange(first + 2, count)
            far = 0
            for i in (first, second):
                new[block_of[i]] = mutate(rng, blocks[block_of[i]])
                far += distance(blocks[block_of[i]], new[block_of[i]])
            made.append(Made(a, new, (block_of[first], False), 1, far))
        else:
            new[b] = mutate(rng, blocks[b])
            made.append(Made(a, new, (b, False), 1, distance(blocks[b], new[b])))
    proposals = [Proposal(m.amendment, current, render(m.blocks)) for m in made]
    return current, made, proposals


def reference_order(made: list[Made]) -> list[tuple[tuple[str, ...], bool, bool]]:
    groups = [[m] for m in made]
    joined = True
    while joined:
        joined = False
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                if any(together(x, y) for x in groups[i] for y in groups[j]):
                    groups[i] += groups.pop(j)
                    joined = True
                    break
            if joined:
                break
    result = []
    for group in sorted(groups, key=lambda g: min(m.key for m in g)):
        members = sorted(group, key=lambda m: m.key)
        same = any(x.blocks == y.blocks for x in members for y in members if x is not y)
        alt = any(family(x) == family(y) for x in members for y in members if x is not y)
        result.append((tuple(m.amendment.id for m in members), same, alt))
    return result


def family(m: Made) -> str:
    return m.amendment.alternative_to or m.amendment.id


def together(x: Made, y: Made) -> bool:
    return x.blocks == y.blocks or family(x) == family(y)


@pytest.mark.parametrize("chunk", range(CHUNKS))
def test_the_order_agrees_with_the_reference(chunk: int) -> None:
    checked = 0
    for seed in range(chunk, CASES, CHUNKS):
        current, made, proposals = random_case(seed)
        count = sum(1 for b in current.split("\n\n") if not b.startswith("#"))
        order = consideration_order(current, labels.Labels.positional(count), proposals)
        got = [
            (tuple(p.amendment.id for p in item.placements), item.identical, item.alternatives)
            for item in order
        ]
        assert got == reference_order(made), seed
        by_id = {m.amendment.id: m for m in made}
        for item in order:
            for p in item.placements:
                m = by_id[p.amendment.id]
                assert (p.block, p.after, int(p.shape), p.distance) == (
                    *m.anchor,
                    m.shape,
                    m.distance,
                ), seed
        checked += 1
    assert checked


def test_identical_amendments_are_taken_once_and_alternatives_conflict() -> None:
    """In the chair's text an identical amendment adds nothing twice, and a second text for
    the same words is a conflict with both texts, never a guess."""
    current = "# D\n\none two three\n\nfour five six\n"
    a1, a2, a3 = (amendment(n, random.Random(n), None) for n in (1, 2, 3))
    proposals = [
        Proposal(a1, current, "# D\n\none two 3\n\nfour five six\n"),
        Proposal(a2, current, "# D\n\none two 3\n\nfour five six\n"),
        Proposal(a3, current, "# D\n\none two III\n\nfour five six\n"),
    ]
    text, now, taken, conflicts = chair_text(current, labels.Labels.positional(2), proposals)
    assert text == "# D\n\none two 3\n\nfour five six\n"
    assert [a.id for a in taken] == [a1.id, a2.id]
    assert [(c.amendment.id, c.where, c.text, c.proposed) for c in conflicts] == [
        (a3.id, "¶1", "one two 3", "one two III")
    ]
    assert now.current == ("1", "2")


def test_an_amendment_the_text_has_moved_under_is_placed_where_it_conflicts() -> None:
    """Made against an older text whose words the current text changed since: it stands at
    the paragraph where it conflicts, measured from the text it was based on, and said so."""
    base = "# D\n\n## Part\n\none two three\n\nfour five six\n"
    current = "# D\n\n## Part\n\none two three\n\nfour 5 six\n"
    stale = amendment(1, random.Random(1), None)
    fresh = amendment(2, random.Random(2), None)
    proposals = [
        Proposal(stale, base, "# D\n\n## Part\n\none two three\n\nfour V six seven\n"),
        Proposal(fresh, current, "# D\n\n## Part\n\none two\n\nfour 5 six\n"),
    ]
    order = consideration_order(current, labels.Labels.positional(2), proposals)
    placed = [
        (p.amendment.id, p.where, p.block, p.distance, p.result)
        for i in order
        for p in i.placements
    ]
    assert placed == [
        (fresh.id, "¶1", 2, 1, "# D\n\n## Part\n\none two\n\nfour 5 six\n"),
        (stale.id, "¶2", 3, 3, None),  # five -> V, and seven: 3 words from its base
    ]
