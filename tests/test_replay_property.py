"""Replay against random histories: nothing honest is refused, every forged change is caught.

Each case builds a working group's history at random through the core, as members would:
amendments replacing, inserting and deleting paragraphs, positions, merges that are clean,
merges whose conflicts the chair resolves, merges as orally revised, merges overriding the
consensus, silences concluded, reverts and renumberings. The rulebook must find nothing wrong
with any of it (and ``verify`` nothing). Then every merge on main is forged once, the way an
entitled chair could: one word of a paragraph no one amended, a consensus trailer, or the
paragraph labels, changed in the honest commit with everything else kept. The rulebook must
refuse every one.

``WGTOOL_REPLAY_CASES`` sets how many cases run (a few by default; a long run takes hundreds).
"""

from __future__ import annotations

import os
import random
import time
from pathlib import Path

import pytest

from tests.conftest import CHAIR, SECRETARIAT, git
from tests.forge import Forger, rewrite
from wgtool.core import document, labels
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import WgError
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status
from wgtool.core.record.rulebook import MERGE, Rulebook

CASES = int(os.environ.get("WGTOOL_REPLAY_CASES", "5"))
STEPS = 14
WORDS = "open secure resilient shared trusted lawful fair stable common global".split()


class History:
    """A working group whose history a seeded random generator writes, on a simulated clock."""

    def __init__(self, repo: Path, rng: random.Random) -> None:
        self.repo, self.rng = repo, rng
        self.now = time.time()
        with WorkingGroup.open(repo) as wg:
            self.members = [(m.handle, m.group) for m in wg.secretariat.members()]
        self.kinds: dict[str, str] = {}  # what each merge is: "clean", "resolved", "oral", ...

    def open(self, handle: str | None = None) -> WorkingGroup:
        self.now += self.rng.randint(1, 30)
        moment = self.now
        return WorkingGroup.open(self.repo, handle, clock=lambda: moment)

    def member(self, *, not_group: str | None = None) -> str:
        return self.rng.choice([h for h, g in self.members if g != not_group])

    def words(self, text: str) -> str:
        """``text`` with one word replaced or one added: a small, real amendment."""
        parts = text.split(" ")
        # Often near the start: amendments to one paragraph then meet, and conflict.
        position = self.rng.randrange(min(len(parts), 3) if self.rng.random() < 0.5 else len(parts))
        if self.rng.random() < 0.5:
            parts[position] = self.rng.choice(WORDS)
        else:
            parts.insert(position, self.rng.choice(WORDS))
        return " ".join(parts)

    # -- steps ---------------------------------------------------------------------------------

    def propose(self) -> None:
        slug = self.rng.choice(["principles", "roles"])
        proposer = self.member()
        with self.open(proposer) as wg:
            draft = wg.drafts.draft(slug)
            paragraphs = document.paragraphs(draft.text)
            number = self.rng.randrange(1, min(len(paragraphs), 4) + 1)
            kind = self.rng.choice([Kind.REPLACE] * 4 + [Kind.INSERT, Kind.DELETE, Kind.DOCUMENT])
            text = None
            if kind is Kind.DOCUMENT:  # one paragraph edited, one added after another
                edited = paragraphs[number - 1].text
                text = draft.text.replace(edited, self.words(edited), 1)
                last = document.paragraphs(text)[-1].text
                text = text.replace(last, last + "\n\nA closing paragraph.", 1)
            elif kind is Kind.REPLACE:
                text = self.words(paragraphs[number - 1].text)
            elif kind is Kind.INSERT:
                text = " ".join(self.rng.choice(WORDS) for _ in range(8)).capitalize() + "."
            try:
                amendment = wg.amendments.propose(
                    slug, kind=kind, paragraph=draft.label(number), text=text, rationale="R"
                )
            except WgError:
                return  # the same words as the draft's: nothing to propose
        group = dict(self.members)[proposer]
        if self.rng.random() < 0.8:
            with self.open(self.member(not_group=group)) as wg:
                wg.deliberation.position(amendment.id, "support", reason="Fine")
        if self.rng.random() < 0.2:
            with self.open(self.member(not_group=group)) as wg:
                wg.deliberation.position(amendment.id, "object", reason="Not yet")

    def contest(self) -> None:
        """Two members amend the same words of one paragraph: whichever is merged second
        conflicts, and the chair resolves it."""
        slug = self.rng.choice(["principles", "roles"])
        with self.open() as wg:
            draft = wg.drafts.draft(slug)
        number = self.rng.randrange(1, min(len(draft.labels) or 1, 4) + 1)
        paragraph = document.paragraphs(draft.text)[number - 1].text.split(" ")
        position = self.rng.randrange(len(paragraph))
        for word in self.rng.sample(WORDS, 2):
            proposer = self.member()
            changed = [*paragraph[:position], word, *paragraph[position + 1 :]]
            with self.open(proposer) as wg:
                try:
                    amendment = wg.amendments.propose(
                        slug,
                        kind=Kind.REPLACE,
                        paragraph=draft.label(number),
                        text=" ".join(changed),
                        rationale="R",
                    )
                except WgError:
                    continue
            group = dict(self.members)[proposer]
            with self.open(self.member(not_group=group)) as wg:
                wg.deliberation.position(amendment.id, "support", reason="Fine")

    def open_amendments(self) -> list[str]:
        with self.open() as wg:
            return [a.id for a in wg.amendments.amendments(status="open")]

    def merge(self) -> None:
        candidates = self.open_amendments()
        if not candidates:
            return self.propose()
        amendment = self.rng.choice(candidates)
        with self.open(CHAIR) as wg:
            plan = wg.merges.plan_merge(amendment)
            options: dict[str, object] = {}
            kind = "clean"
            if plan.consensus.state != "consensus":
                options["override_reason"] = "Taken in the room"
                kind = "overridden"
            found = plan.amendment
            if not plan.clean:
                places = plan.conflicting_text()
                if not places:
                    return  # the paragraph is gone here: nothing to resolve into
                options["resolved_text"] = self.words(places)
                kind = "resolved"
            elif found.kind is Kind.REPLACE and self.rng.random() < 0.3:
                ours = wg.drafts.draft_text_at(found.head, found.draft) or ""
                paragraph = document.paragraphs(ours)[(found.paragraph or 1) - 1].text
                options["revised_text"] = self.words(paragraph)
                kind = "oral"
            elif found.kind is Kind.DOCUMENT and self.rng.random() < 0.5:
                ours = wg.drafts.draft_text_at(found.head, found.draft) or ""
                base = wg.drafts.draft_text_at(found.base, found.draft) or ""
                changed = [
                    p.text
                    for p in document.paragraphs(ours)
                    if p.text not in [q.text for q in document.paragraphs(base)]
                ]
                target = self.rng.choice(changed)
                options["revised_text"] = ours.replace(target, self.words(target), 1)
                kind = "oral, whole draft"
            try:
                merge = wg.merges.merge(amendment, **options)  # type: ignore[arg-type]
            except WgError:
                return  # a resolution that no longer fits, or an oral revision refused
            self.kinds[merge] = kind

    def revert(self) -> None:
        with self.open(CHAIR) as wg:
            merged = [a.id for a in wg.amendments.amendments(status="merged")]
            if not merged:
                return
            try:
                wg.merges.revert(self.rng.choice(merged), reason="Reconsidered")
            except WgError:
                return  # later changes to the same words

    def silence(self) -> None:
        candidates = self.open_amendments()
        if not candidates:
            return
        amendment = self.rng.choice(candidates)
        with self.open(CHAIR) as wg:
            if not wg.merges.plan_merge(amendment).clean:
                return
            silence = wg.procedure.silence_start(
                amendment, until=self.now + 60, message="Unless broken"
            )
        self.now += 120
        with self.open(CHAIR) as wg:
            self.kinds[wg.procedure.silence_conclude(silence.id)] = "silence"

    def renumber(self) -> None:
        with self.open(SECRETARIAT) as wg:
            slug = self.rng.choice(["principles", "roles"])
            try:
                wg.procedure.renumber(slug)
            except WgError:
                return  # numbered 1 to n already

    def import_draft(self) -> None:
        """The secretariat reads a new text of a draft in: one paragraph reworded."""
        slug = self.rng.choice(["principles", "roles"])
        with self.open(SECRETARIAT) as wg:
            text = wg.drafts.draft(slug).text
            paragraph = self.rng.choice(document.paragraphs(text)).text
            wg.drafts.import_draft(slug, text=text.replace(paragraph, self.words(paragraph), 1))

    def run(self, steps: int) -> None:
        actions = [self.propose] * 3 + [self.contest] + [self.merge] * 4
        actions += [self.revert, self.silence, self.renumber, self.import_draft]
        for _ in range(steps):
            self.rng.choice(actions)()


# -- forging one merge -----------------------------------------------------------------------


def untouched_paragraph(repo: Path, merge: str, rng: random.Random) -> tuple[str, str] | None:
    """A paragraph of the draft a merge wrote that its main, its amendment and the
    amendment's base all have word for word (the draft, the paragraph); None if none."""
    slug = git(repo, "log", "-1", "--format=%(trailers:key=Draft,valueonly)", f"{merge}^2").strip()
    base = git(repo, "rev-list", "--max-parents=1", "--reverse", f"{merge}^2", f"^{merge}^1")
    first = base.split()[0] if base.strip() else f"{merge}^2"
    texts = [
        git(repo, "show", f"{commit}:drafts/{slug}.md", check=False)
        for commit in (f"{merge}^1", f"{merge}^2", f"{first}^1", merge)
    ]
    shared = [
        p.text
        for p in document.paragraphs(texts[3])
        if all(p.text in [q.text for q in document.paragraphs(t)] for t in texts[:3])
        and len(p.text.split()) > 3
    ]
    return (slug, rng.choice(shared)) if shared else None


def forge(repo: Path, merge: str, rng: random.Random) -> tuple[str, str]:
    """The merge with one thing changed; (the forged commit, what was changed)."""
    trailers = git(repo, "log", "-1", "--format=%B", merge)
    choice = rng.choice(["word", "trailer", "labels"])
    if choice == "word":
        found = untouched_paragraph(repo, merge, rng)
        if found is not None:
            slug, paragraph = found
            text = git(repo, "show", f"{merge}:drafts/{slug}.md")
            word = paragraph.split()[1]
            changed = paragraph.replace(word, "nevermore" if word == "never" else "never", 1)
            tree = Forger(repo).tree(merge, {f"drafts/{slug}.md": text.replace(paragraph, changed)})
            return rewrite(repo, merge, tree=tree), f"a word of an untouched paragraph of {slug}"
        choice = "trailer"
    if choice == "labels":
        slug = git(
            repo, "log", "-1", "--format=%(trailers:key=Draft,valueonly)", f"{merge}^2"
        ).strip()
        text = git(repo, "show", f"{merge}:drafts/{slug}.md")
        count = len(document.paragraphs(text))
        if count >= 2:
            old = git(repo, "show", f"{merge}:drafts/{slug}.labels", check=False) or None
            current = list(labels.load(old.encode() if old else None, count).current)
            current[0], current[1] = current[1], current[0]
            forged = labels.Labels(tuple(current), ((),) * count)
            tree = Forger(repo).tree(merge, {f"drafts/{slug}.labels": forged.dump()})
            return rewrite(repo, merge, tree=tree), f"the labels of {slug}"
    swaps = [
        ("Consensus: reached", "Consensus: overridden\nOverride-Reason: Forged"),
        ("Consensus: overridden", "Consensus: reached"),
        ("Supporting-Groups: ", "Supporting-Groups: intergovernmental, "),
        ("Not-Heard: ", "Not-Heard: civil-society, "),
        # Evidence that cannot hold: main before the merge is no chain of events.
        ("Events: ", f"Events: {git(repo, 'rev-parse', f'{merge}^1').strip()}\nFormerly: "),
    ]
    usable = [s for s in swaps if s[0] in trailers]
    swap = rng.choice(usable)
    return rewrite(repo, merge, replace=swap), f"the trailer {swap[0]!r}"


@pytest.mark.parametrize("seed", range(CASES))
def test_random_histories_replay_clean_and_every_forged_merge_is_caught(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    repo = tmp_path / "wg"
    WorkingGroup.init(repo, title="Replay", example=True).close()
    story = History(repo, rng)
    story.run(STEPS)
    with WorkingGroup.open(repo) as wg:
        history = Rulebook(wg.record.store).history(wg.record.main())
        assert [(c.sha[:10], c.problems) for c in history.commits if c.problems] == []
        assert verify(wg).problems == []
        statuses = {a.id: a.status for a in wg.amendments.amendments()}
    merges = [c for c in history.commits if c.kind == MERGE]
    assert all(statuses[c.amendment or ""] in (Status.MERGED, Status.REVERTED) for c in merges)
    for merge in merges:
        forged, what = forge(repo, merge.sha, rng)
        assert forged != merge.sha
        with WorkingGroup.open(repo) as wg:
            judged = Rulebook(wg.record.store).history(forged).commits[-1]
        assert judged.sha == forged and judged.problems, (story.kinds.get(merge.sha), what)
