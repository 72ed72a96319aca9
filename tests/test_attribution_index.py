"""Who wrote which words, as the index keeps it, against the replay of the draft's history.

``blame`` and ``redline`` fold the steps the index keeps with each main commit (the lengths of
each step's word diff, see ``wgtool.core.documents.attribution``); the replay reads every version of
the draft from git and diffs it again, the deliberately simple reference. On random histories
of real working groups (merges against older bases and as orally revised, reverts, secretariat
edits, renumbering, versions, a commit the rulebook does not accept), read incrementally after
every step and again after a reindex, both must give the same attribution, shares and redlines.
"""

from __future__ import annotations

import json
import random
import re
import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CHAIR, SECRETARIAT, plant_commit
from wgtool.core import document
from wgtool.core.desks import DocumentsDesk, WorkingGroup
from wgtool.core.documents.attribution import seal
from wgtool.core.documents.blame import Attribution, _Cursor
from wgtool.core.errors import WgError
from wgtool.core.glance import index_path
from wgtool.core.model import Kind
from wgtool.core.record.rulebook import Rulebook

SLUGS = ("principles", "roles")
WORDS = ("open", "fair", "secure", "timely", "inclusive", "all", "the", "and", "new")


def edited(text: str, rng: random.Random) -> str:
    """A paragraph with a few words replaced, inserted or deleted."""
    words = text.split(" ")
    for _ in range(rng.randint(1, 3)):
        at = rng.randrange(len(words))
        roll = rng.random()
        if roll < 0.4:
            words[at] = rng.choice(WORDS)
        elif roll < 0.8 or len(words) < 3:
            words.insert(at, rng.choice(WORDS))
        else:
            del words[at]
    return " ".join(words)


class Group:
    """A working group that random steps move along, each through the use cases."""

    def __init__(self, wg: WorkingGroup, rng: random.Random) -> None:
        self.wg = wg
        self.rng = rng
        self.members = [m.handle for m in wg.secretariat.members() if m.handle != CHAIR]
        self.open: list[str] = []
        self.merged: list[str] = []
        self.versions: dict[str, list[str]] = {slug: [] for slug in SLUGS}
        self.reverted = 0
        self.revised = 0

    def as_(self, handle: str) -> WorkingGroup:
        self.wg.record.act_as(handle)
        return self.wg

    def propose(self) -> None:
        slug = self.rng.choice(SLUGS)
        paragraphs = document.paragraphs(self.wg.drafts.draft(slug).text)
        number = self.rng.randrange(1, len(paragraphs) + 1)
        label = self.wg.drafts.draft(slug).label(number)
        roll = self.rng.random()
        if roll < 0.15:
            kind, text = Kind.INSERT, " ".join(self.rng.choices(WORDS, k=6)) + "."
        elif roll < 0.22 and len(paragraphs) > 2:
            kind, text = Kind.DELETE, None
        else:
            kind, text = Kind.REPLACE, edited(paragraphs[number - 1].text, self.rng)
        wg = self.as_(self.rng.choice(self.members))
        try:
            self.open.append(
                wg.amendments.propose(
                    slug, kind=kind, paragraph=label, text=text, rationale="Better."
                ).id
            )
        except WgError:
            pass  # the edit changed nothing

    def merge(self) -> None:
        if not self.open:
            return self.propose()
        amendment = self.open.pop(self.rng.randrange(len(self.open)))
        wg = self.as_(CHAIR)
        revised = None
        if self.rng.random() < 0.25:  # as orally revised: the paragraph as the chair reads it
            revised = "As orally revised: " + " ".join(self.rng.choices(WORDS, k=5)) + "."
        try:
            wg.merges.merge(amendment, override_reason="Agreed in the room.", revised_text=revised)
        except WgError:
            return  # a conflict with what main holds now, or lapsed
        self.merged.append(amendment)
        self.revised += revised is not None

    def revert(self) -> None:
        if not self.merged:
            return self.merge()
        # The latest merge reverts cleanly; an earlier one may not (later merges changed it).
        at = -1 if self.rng.random() < 0.5 else self.rng.randrange(len(self.merged))
        amendment = self.merged.pop(at)
        try:
            self.as_(CHAIR).merges.revert(amendment, reason="Taken back.")
        except WgError:
            return
        self.reverted += 1

    def secretariat_edit(self) -> None:
        slug = self.rng.choice(SLUGS)
        wg = self.as_(SECRETARIAT)
        paragraphs = [p.text for p in document.paragraphs(wg.drafts.draft(slug).text)]
        at = self.rng.randrange(len(paragraphs))
        paragraphs[at] = edited(paragraphs[at], self.rng)
        if self.rng.random() < 0.3:
            paragraphs.insert(at, "A paragraph the secretariat added.")
        wg.drafts.import_draft(slug, text="\n\n".join(paragraphs) + "\n")

    def renumber(self) -> None:
        slug = self.rng.choice(SLUGS)
        self.as_(SECRETARIAT).procedure.renumber(slug, quiet=True)

    def tag(self) -> None:
        slug = self.rng.choice(SLUGS)
        name = f"v{len(self.versions[slug]) + 1}"
        try:
            self.as_(SECRETARIAT).procedure.tag(
                slug, name, message="A reading.", allow_brackets=True
            )
        except WgError:
            return
        self.versions[slug].append(name)

    def unverified(self) -> None:
        """A commit on main the rulebook does not accept: a stranger's edit, with plain git."""
        slug = self.rng.choice(SLUGS)
        text = self.wg.drafts.draft(slug).text.replace(".", ". Unasked.", 1)
        plant_commit(
            self.wg.record.store.work_tree or self.wg.record.store.git_dir,
            "refs/heads/main",
            {f"drafts/{slug}.md": text.encode()},
            "Edited by hand\n",
            author=("Stranger", "stranger@example.invalid"),
        )

    def step(self) -> None:
        actions = [
            (self.propose, 0.2),
            (self.merge, 0.35),
            (self.revert, 0.2),
            (self.secretariat_edit, 0.08),
            (self.renumber, 0.07),
            (self.tag, 0.1),
        ]
        action = self.rng.choices([a for a, _ in actions], [w for _, w in actions])[0]
        action()


def blamed(wg: WorkingGroup, slug: str, version: str | None, replay: bool) -> object:
    found = wg.documents.blame(slug, version, "amendment", replay=replay)
    return found.attribution, found.to_dict()


def assert_stored_equals_replayed(group: Group, *, everything: bool) -> None:
    """Blame at main (``everything``: and at every version, and the redlines between them)."""
    wg = group.wg
    wg.record.refresh()
    book = Rulebook(wg.record.store, audit=False)
    for slug in SLUGS:
        # The fold reads the index (it does not fall back on the replay).
        assert wg.record.index.stored_steps(book, wg.record.main(), slug) is not None
        for version in [None, *group.versions[slug]] if everything else [None]:
            assert blamed(wg, slug, version, False) == blamed(wg, slug, version, True), version
        if not everything:
            continue
        versions = [*group.versions[slug], None]
        for old in versions:
            for new in versions:
                stored = wg.documents.attributed_redline(slug, old, new)
                assert stored == wg.documents.attributed_redline(slug, old, new, replay=True), (
                    old,
                    new,
                )


def kept_steps(repo: Path) -> list[tuple[int, str]]:
    with sqlite3.connect(index_path(WorkingGroup.open(repo).record.store)) as db:
        return list(db.execute("SELECT position, draft_steps FROM mainrow ORDER BY position"))


@pytest.mark.parametrize("half", [0, 1])  # two tests, so that parallel runs share them out
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(seed=st.integers(0, 2**31))
def test_the_attribution_the_index_keeps_is_the_replayed_one(
    tmp_path: Path, half: int, seed: int
) -> None:
    seed += half << 31
    rng = random.Random(seed)
    repo = tmp_path / f"wg-{seed}"
    WorkingGroup.init(repo, title="Attribution", example=True).close()
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        group = Group(wg, rng)
        for _ in range(4):
            group.propose()
        for number in range(rng.randint(6, 14)):
            group.step()
            assert_stored_equals_replayed(group, everything=number % 5 == 4)
        if rng.random() < 0.3:
            group.unverified()
        assert_stored_equals_replayed(group, everything=True)
        incremental = kept_steps(repo)
        wg.record.index.rebuild()
        assert kept_steps(repo) == incremental  # a reindex keeps the same steps
        assert_stored_equals_replayed(group, everything=True)


def _edit_kept_steps(repo_store: object, change: Callable[[str], str], *, reseal: bool) -> None:
    """Change every kept step's delta by hand (``reseal``: and its seal, as wgtool would)."""
    with sqlite3.connect(index_path(repo_store)) as db:  # type: ignore[arg-type]
        for position, kept in db.execute("SELECT position, draft_steps FROM mainrow").fetchall():
            steps = {}
            for slug, (blob, delta, back, revised, sealed) in json.loads(kept).items():
                fields = [blob, change(delta), back, revised]
                steps[slug] = [*fields, seal(position, slug, fields) if reseal else sealed]
            db.execute(
                "UPDATE mainrow SET draft_steps = ? WHERE position = ?",
                (json.dumps(steps), position),
            )


@pytest.mark.parametrize(
    "change, reseal",
    [
        # Lengths that do not add up to the draft's text, sealed again: the fold refuses them.
        (lambda delta: delta.replace("=", "=1", 1), True),
        # The same lengths, some kept characters said to be rewritten: only the seal shows it.
        (lambda delta: re.sub(r"^=(\d+)", r"-\1+\1", delta), False),
    ],
    ids=["lengths", "same-lengths"],
)
def test_kept_steps_edited_by_hand_are_traced_again(
    example_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[str], str],
    reseal: bool,
) -> None:
    """An index whose steps were edited by hand (or damaged) is not believed: blame and
    redline trace the history again and give what the record says."""
    replayed: list[str] = []
    replay = DocumentsDesk._steps

    def counted(desk, history, slug, *args):  # type: ignore[no-untyped-def]
        replayed.append(slug)
        return replay(desk, history, slug, *args)

    monkeypatch.setattr(DocumentsDesk, "_steps", counted)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="A reading.")
        group = Group(wg, random.Random(3))
        group.propose()
        group.merge()
        expected = blamed(wg, "principles", None, True)
        redline = wg.documents.attributed_redline("principles", "v1", None, replay=True)
        replayed.clear()
        assert blamed(wg, "principles", None, False) == expected
        assert replayed == []  # read from the index
        _edit_kept_steps(wg.record.store, change, reseal=reseal)
        assert blamed(wg, "principles", None, False) == expected
        assert wg.documents.attributed_redline("principles", "v1", None) == redline
        assert replayed == ["principles", "principles"]


def test_an_index_behind_the_record_is_not_read(example_repo: Path) -> None:
    """Main moved with plain git since the index was refreshed: blame and redline read the
    new commit (the rulebook does not accept it: its words are no member's)."""
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="A reading.")
        group = Group(wg, random.Random(4))
        group.propose()
        group.merge()
        wg.documents.blame("principles")  # the index refreshed, its steps kept
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        Group(wg, random.Random(4)).unverified()
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        found = wg.documents.blame("principles", by="member")
        assert "unverified" in {row.key for row in found.shares}
        assert blamed(wg, "principles", None, False) == blamed(wg, "principles", None, True)
        redline = wg.documents.attributed_redline("principles", "v1", None)
        assert redline == wg.documents.attributed_redline("principles", "v1", None, replay=True)
        assert any(s.kind == "unverified" for e in redline.entries for s in e.by)


def _per_char(runs: list[tuple[int, int, int]]) -> list[tuple[int, int]]:
    return [(source, origin + k) for source, origin, length in runs for k in range(length)]


def test_runs_are_cut_and_searched_as_the_simple_walk_does() -> None:
    """The cursor that cuts runs by bisection, and the search for who wrote a stretch, against
    the simple reference: every character on its own, every run walked in turn."""
    rng = random.Random(5)
    for _ in range(3000):
        runs = [
            (rng.randrange(5), rng.randrange(100), rng.randrange(1, 8))
            for _ in range(rng.randrange(12))
        ]
        total = sum(length for _, _, length in runs)
        attribution = Attribution("x" * total, (), tuple(runs))
        for _ in range(5):
            start, end = rng.randrange(total + 2), rng.randrange(total + 2)
            walked, position = set(), 0
            for source, _, length in runs:
                if position < end and position + length > start:
                    walked.add(source)
                position += length
            assert attribution.written_between(start, end) == walked
        cursor, flat, at = _Cursor(list(runs)), _per_char(runs), 0
        while at < total:
            count = min(rng.randrange(10), total - at)
            assert _per_char(cursor.take(count)) == flat[at : at + count]
            at += count
