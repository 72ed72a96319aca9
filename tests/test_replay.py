"""The rulebook judges what an entitled actor did, not only who did it.

Each attack here is made with plain git (:mod:`forge`) by someone entitled to act: a chair who
writes a merge, a secretariat member who changes the roster. Most take an honest commit the
tool made and change one thing (a word of the draft, a trailer, a file), keeping author,
committer, their times and parents. Each is pushed through a guarded remote, which refuses it
and stays as it was, then through the same remote unguarded, which takes anything: a member's
sync leaves it out, a new clone starts before it, and ``verify`` names it.
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    agreed,
    do_sync,
    git,
    refs_snapshot,
)
from tests.forge import Forger, message, rewrite
from tests.test_guard import guard
from wgtool.core import document, labels
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status
from wgtool.core.record.rulebook import Rulebook
from wgtool.core.record.rulebook import chains as chains_module
from wgtool.core.record.rulebook.kept import KeptVerdicts, decode_key, encode_key


@dataclass
class Forgery:
    """What an attack wrote in clone a: the refs it moved, its object, and why it is refused."""

    refs: list[str]
    commit: str
    reason: str


def refused_everywhere(
    clones: Clones, forgery: Forgery, tmp_path: Path, *, clone_first: bool = False
) -> None:
    """A guarded remote refuses the forgery; unguarded, it lands, and a member's sync leaves
    it out, a new clone starts without it, and verify names it. ``clone_first``: the new clone
    is made before that sync (for an amendment or event chain, which the sync puts back on the
    remote as far as it is honest)."""
    forger = Forger(clones.a)
    specs = [f"{ref}:{ref}" for ref in forgery.refs]
    assert guard("install", str(clones.origin)).exit_code == 0
    before = refs_snapshot(clones.origin)
    pushed = forger.push(*specs)
    assert pushed.returncode != 0 and forgery.reason in pushed.stderr, pushed.stderr
    assert forgery.commit[:10] in pushed.stderr, pushed.stderr
    assert refs_snapshot(clones.origin) == before

    (clones.origin / "hooks" / "pre-receive").unlink()
    assert forger.push(*specs).returncode == 0
    if clone_first:
        _cloned_without(clones, forgery, tmp_path)
    held = {
        ref: git(clones.b, "rev-parse", "--verify", "-q", ref, check=False) for ref in forgery.refs
    }
    report = do_sync(clones.b)
    assert any(forgery.reason in p and forgery.commit[:10] in p for p in report.problems), (
        report.problems
    )
    for ref in forgery.refs:
        assert git(clones.b, "rev-parse", "--verify", "-q", ref, check=False) == held[ref], ref
    if not clone_first:
        _cloned_without(clones, forgery, tmp_path)
    with WorkingGroup.open(clones.a) as wg:
        problems = verify(wg).problems
    assert any(forgery.reason in p and forgery.commit[:10] in p for p in problems), problems


def _cloned_without(clones: Clones, forgery: Forgery, tmp_path: Path) -> None:
    """A new clone of the remote says why it left the forgery out, and holds it nowhere."""
    newcomer, joined = WorkingGroup.clone(str(clones.origin), tmp_path / "newcomer")
    try:
        assert any(forgery.reason in p for p in joined.problems), joined.problems
        found = git(tmp_path / "newcomer", "rev-list", "--all", check=False).split()
        main = git(tmp_path / "newcomer", "rev-list", "refs/heads/main").split()
        assert forgery.commit not in main and (
            forgery.commit not in found or not forgery.refs[0].startswith("refs/tags/")
        )
        for ref in forgery.refs:
            here = git(tmp_path / "newcomer", "rev-parse", "-q", "--verify", ref, check=False)
            assert here != forgery.commit, ref
    finally:
        newcomer.close()


def supported(clones: Clones) -> str:
    """The clones' sample amendment (paragraph 1 of principles, by kwatanabe), supported by
    another group, on every clone and the remote; its id."""
    with WorkingGroup.open(clones.a) as wg:
        agreed(wg, clones.amendment)
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    return clones.amendment


def honest_merge(clones: Clones, **options: object) -> str:
    """The chair merges the sample amendment with the tool in clone a (not sent yet)."""
    amendment = supported(clones)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        return wg.merges.merge(amendment, **options)  # type: ignore[arg-type]


def draft_at(repo: Path, commit: str, slug: str = "principles") -> str:
    return git(repo, "show", f"{commit}:drafts/{slug}.md")


def with_draft(repo: Path, commit: str, text: str, slug: str = "principles") -> str:
    """The tree of ``commit`` with draft ``slug`` reading ``text``."""
    return Forger(repo).tree(commit, {f"drafts/{slug}.md": text})


def main_moved_to(repo: Path, commit: str) -> None:
    Forger(repo).update_ref("refs/heads/main", commit)


# -- 1. a chair's merge is tied to its amendment -----------------------------------------------


def test_a_merge_that_writes_words_its_amendment_never_proposed_is_refused(
    clones: Clones, tmp_path: Path
) -> None:
    """A "Merge amendment X" (X amends ¶1) whose tree also rewrites ¶5, with no Consensus."""
    amendment = supported(clones)
    forger = Forger(clones.a)
    main = forger.rev("main")
    head = forger.rev(f"refs/wg/amendments/{amendment}")
    text = draft_at(clones.a, head)
    fifth = document.paragraphs(text)[4].text
    text = text.replace(fifth, "Enhanced cooperation should be led by the chair alone.")
    forged = forger.commit(
        with_draft(clones.a, "main", text),
        [main, head],
        message(
            f"Merge amendment {amendment}",
            [
                ("Amendment-Id", amendment),
                ("Proposed-by", MEMBER_PS),
                ("Stakeholder-Group", "private-sector"),
                ("Merged-by", CHAIR),
            ],
        ),
        author=MEMBER_PS,
        committer=CHAIR,
    )
    main_moved_to(clones.a, forged)
    refused_everywhere(
        clones,
        Forgery(["refs/heads/main"], forged, f"writes ¶5 other than amendment {amendment}"),
        tmp_path,
    )
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(amendment).status is Status.OPEN
        assert "led by the chair alone" not in wg.drafts.draft("principles").text


@pytest.mark.parametrize("where", ["another paragraph", "its own paragraph"])
def test_one_word_changed_in_an_honest_merge_is_refused(
    clones: Clones, tmp_path: Path, where: str
) -> None:
    merge = honest_merge(clones)
    text = draft_at(clones.a, merge)
    number = 3 if where == "another paragraph" else 1
    paragraph = document.paragraphs(text)[number - 1].text
    word = paragraph.split()[2]
    changed = text.replace(paragraph, paragraph.replace(word, "never", 1))
    forged = rewrite(clones.a, merge, tree=with_draft(clones.a, merge, changed))
    main_moved_to(clones.a, forged)
    reason = (
        "writes ¶3 other than amendment"
        if number == 3
        else "without declaring an oral revision or a resolution"
    )
    refused_everywhere(clones, Forgery(["refs/heads/main"], forged, reason), tmp_path)


def test_an_oral_revision_is_declared_and_confined_to_the_amendments_paragraph(
    clones: Clones, tmp_path: Path
) -> None:
    """The chair's words in the amendment's own paragraph, declared, stand; the same merge
    that also touches ¶3 does not."""
    revised = "Enhanced cooperation involves all stakeholders, on an equal footing."
    merge = honest_merge(clones, revised_text=revised)
    assert "Orally-Revised: yes" in git(clones.a, "log", "-1", "--format=%B", merge)
    with WorkingGroup.open(clones.a) as wg:
        assert verify(wg).problems == []
    text = draft_at(clones.a, merge)
    third = document.paragraphs(text)[2].text
    forged = rewrite(
        clones.a, merge, tree=with_draft(clones.a, merge, text.replace(third, "Nothing."))
    )
    main_moved_to(clones.a, forged)
    refused_everywhere(
        clones,
        Forgery(["refs/heads/main"], forged, "beyond the paragraphs it addresses"),
        tmp_path,
    )


# -- 2. consensus trailers are recomputed ------------------------------------------------------


@pytest.mark.parametrize(
    "change, reason",
    [
        (
            ("Consensus: reached", "Consensus: silence\nSilence: 1a2b3c4d5e6-abcdef"),
            "adopts under silence '1a2b3c4d5e6-abcdef', which is not among the events it names",
        ),
        (
            ("Supporting-Groups: governments", "Supporting-Groups: governments, civil-society"),
            "says Supporting-Groups: 'governments, civil-society', but the events it names give",
        ),
        (("Not-Heard: ", "Not-Heard: governments, "), "says Not-Heard"),
        (("Consensus: reached", "Consensus: overridden\nOverride-Reason: Urgent"), "reach it"),
        (("Events: ", "Events: none\nX-Was: "), "says Supporting-Groups"),
        (("Events: ", "X-Events: "), "names no events it judged"),
        (("Consensus: reached\n", ""), "records no consensus"),
    ],
    ids=["silence", "supporting", "not-heard", "overridden", "no-events", "unnamed", "none"],
)
def test_a_consensus_trailer_changed_in_an_honest_merge_is_refused(
    clones: Clones, tmp_path: Path, change: tuple[str, str], reason: str
) -> None:
    merge = honest_merge(clones)
    forged = rewrite(clones.a, merge, replace=change)
    main_moved_to(clones.a, forged)
    refused_everywhere(clones, Forgery(["refs/heads/main"], forged, reason), tmp_path)


def test_a_merge_naming_events_the_record_lacks_is_refused(clones: Clones, tmp_path: Path) -> None:
    merge = honest_merge(clones)
    events = git(clones.a, "rev-parse", f"refs/wg/events/{clones.amendment}")
    stray = Forger(clones.a).commit(
        Forger(clones.a).tree(None, {"x": "y"}), [], "Not an event\n", author=CHAIR
    )
    forged = rewrite(clones.a, merge, replace=(f"Events: {events}", f"Events: {stray}"))
    main_moved_to(clones.a, forged)
    reason = f"names events {stray[:10]}"  # the remote lacks it; a clone that has it: no events
    refused_everywhere(clones, Forgery(["refs/heads/main"], forged, reason), tmp_path)


# -- 3. a chair cannot issue consensus versions ------------------------------------------------


@pytest.mark.parametrize("events", ["none", "the draft's chain"])
def test_a_chairs_tag_claiming_a_silence_is_no_version(
    clones: Clones, tmp_path: Path, events: str
) -> None:
    forger = Forger(clones.a)
    named = "none"
    if events != "none":
        with WorkingGroup.open(clones.a, CHAIR) as wg:
            wg.agreement.bracket(
                "principles", "2", words=None, reason="Scope"
            )  # a chain of the draft's
            assert not sync(wg).problems
        assert not do_sync(clones.b).problems
        named = forger.rev("refs/wg/events/draft-principles")
    name, email = forger.person(CHAIR)
    tag = forger.git(
        "mktag",
        input=f"object {forger.rev('main')}\ntype commit\ntag principles/claimed\n"
        f"tagger {name} <{email}> {int(time.time())} +0000\n\nAdopted under silence\n\n"
        f"Silence: 1a2b3c4d5e6-abcdef\nEvents: {named}\n",
    )
    forger.update_ref("refs/tags/principles/claimed", tag)
    refused_everywhere(
        clones,
        Forgery(["refs/tags/principles/claimed"], tag, "which is not among the events it names"),
        tmp_path,
    )
    with WorkingGroup.open(clones.b) as wg:
        assert "claimed" not in [v.name for v in wg.drafts.versions("principles")]


# -- 4. silence deadlines: the guard's clock, and disputes without one -------------------------


def silence_on(clones: Clones, until: float) -> str:
    """A silence on the supported sample amendment, started by the chair; on every clone."""
    amendment = supported(clones)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        silence = wg.procedure.silence_start(
            amendment, until=until, message="Adopted unless broken"
        ).id
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    return silence


def test_a_guard_refuses_a_conclusion_made_on_a_clock_running_ahead(clones: Clones) -> None:
    real = time.time()
    silence = silence_on(clones, real + 3600)
    assert guard("install", str(clones.origin)).exit_code == 0
    before = refs_snapshot(clones.origin)
    with WorkingGroup.open(clones.a, CHAIR, clock=lambda: real + 7200) as wg:
        merge = wg.procedure.silence_conclude(
            silence
        )  # two hours ahead: the deadline has passed here
        report = sync(wg)
    assert any(
        "concludes a silence before its deadline" in p and "by this remote's clock" in p
        for p in report.problems
    ), report.problems
    assert git(clones.origin, "rev-parse", "main") != merge
    assert refs_snapshot(clones.origin).count("refs/heads/main") == before.count("refs/heads/main")
    with WorkingGroup.open(clones.a) as wg:
        assert verify(wg).problems == []  # by the record's own dates, nothing is wrong


def test_a_break_in_time_after_a_skewed_conclusion_leaves_it_disputed(clones: Clones) -> None:
    """Unguarded, a conclusion from a clock two hours ahead lands, then a break stamped before
    the deadline arrives: every view says disputed, never unbroken, and verify says why."""
    real = time.time()
    silence = silence_on(clones, real + 3600)
    with WorkingGroup.open(clones.b, MEMBER_GOV, clock=lambda: real + 60) as wg:
        wg.procedure.silence_break(silence, reason="Not acceptable")  # in time, not sent yet
    with WorkingGroup.open(clones.a, CHAIR, clock=lambda: real + 7200) as wg:
        wg.procedure.silence_conclude(silence)
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    assert not do_sync(clones.a).problems
    for repo in (clones.a, clones.b):
        with WorkingGroup.open(repo, clock=lambda: real + 7300) as wg:
            amendment = wg.amendments.amendment(clones.amendment)
            assert amendment.status is Status.MERGED
            assert amendment.adoption is not None
            described = amendment.adoption.describe()
            assert "disputed" in described and MEMBER_GOV in described
            assert "unbroken" not in described
            (found,) = [s for s in wg.procedure.silences() if s.id == silence]
            assert found.state(real + 7300) == "disputed"
            problems = verify(wg).problems
        assert any(silence in p and f"{MEMBER_GOV} (governments) broke" in p for p in problems)


# -- 5. the amendment window -------------------------------------------------------------------


def test_an_amendment_written_while_the_window_is_closed(clones: Clones, tmp_path: Path) -> None:
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.procedure.set_window("principles", "close")
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    forger = Forger(clones.a)
    main = forger.rev("main")
    text = draft_at(clones.a, main)
    second = document.paragraphs(text)[1].text
    amendment = "c105ed0a"
    forged = forger.commit(
        with_draft(clones.a, main, text.replace(second, second + " Late words.")),
        [main],
        message(
            "Late words",
            [
                ("Amendment-Id", amendment),
                ("Revision", "1"),
                ("Draft", "principles"),
                ("Kind", "replace"),
                ("Paragraph", "2"),
                ("Member", MEMBER_TECH),
                ("Stakeholder-Group", "technical-academic"),
            ],
        ),
        author=MEMBER_TECH,
        # Dated a whole second after the closing (git keeps whole seconds, the event's time
        # has fractions), so the record's own dates say the window was closed.
        date=int(time.time()) + 2,
    )
    ref = f"refs/wg/amendments/{amendment}"
    forger.update_ref(ref, forged)
    assert guard("install", str(clones.origin)).exit_code == 0
    pushed = forger.push(f"{ref}:{ref}")
    assert pushed.returncode != 0
    assert "while its amendment window is closed" in pushed.stderr, pushed.stderr
    assert "by this remote's clock" in pushed.stderr
    (clones.origin / "hooks" / "pre-receive").unlink()
    assert forger.push(f"{ref}:{ref}").returncode == 0
    with WorkingGroup.open(clones.a) as wg:
        problems = verify(wg).problems
    assert any(
        amendment in p and "while its amendment window was closed (by the record's dates)" in p
        for p in problems
    ), problems


# -- 6. labels follow the text -----------------------------------------------------------------


def test_a_merge_that_rewrites_the_labels_is_refused(clones: Clones, tmp_path: Path) -> None:
    merge = honest_merge(clones)
    text = draft_at(clones.a, merge)
    count = len(document.paragraphs(text))
    swapped = list(labels.Labels.positional(count).current)
    swapped[5], swapped[6] = swapped[6], swapped[5]
    forged_labels = labels.Labels(tuple(swapped), ((),) * count)
    tree = Forger(clones.a).tree(merge, {"drafts/principles.labels": forged_labels.dump()})
    forged = rewrite(clones.a, merge, tree=tree)
    main_moved_to(clones.a, forged)
    refused_everywhere(
        clones,
        Forgery(["refs/heads/main"], forged, "writes paragraph labels for principles"),
        tmp_path,
    )


def test_a_secretariat_edit_of_a_draft_is_declared(clones: Clones, tmp_path: Path) -> None:
    forger = Forger(clones.a)
    main = forger.rev("main")
    text = draft_at(clones.a, main)
    forged = forger.commit(
        with_draft(clones.a, main, text.replace("Enhanced cooperation", "Cooperation", 1)),
        [main],
        message("Tidy the text", [("Member", SECRETARIAT)]),
        author=SECRETARIAT,
    )
    main_moved_to(clones.a, forged)
    refused_everywhere(
        clones, Forgery(["refs/heads/main"], forged, "without declaring it"), tmp_path
    )


# -- 7. the roster keeps a chair and a secretariat member --------------------------------------


@pytest.mark.parametrize("role", ["chair", "secretariat"])
def test_a_roster_change_removing_the_last_chair_or_secretariat_is_refused(
    clones: Clones, tmp_path: Path, role: str
) -> None:
    forger = Forger(clones.a)
    main = forger.rev("main")

    def demote(members: dict[str, dict[str, object]]) -> None:
        for member in members.values():
            member["roles"] = [r for r in member["roles"] if r != role]  # type: ignore[union-attr]

    forged = forger.commit(
        forger.tree(main, {"roster.toml": forger.roster_with(demote)}),
        [main],
        message("Change roles", [("Member", SECRETARIAT), ("Action", "add-member")]),
        author=SECRETARIAT,
    )
    main_moved_to(clones.a, forged)
    who = "chair" if role == "chair" else "secretariat member"
    refused_everywhere(clones, Forgery(["refs/heads/main"], forged, f"no {who} left"), tmp_path)


# -- 8. an honest revision in a clone whose main is ahead of its remote ------------------------


def test_a_revision_after_a_local_merge_names_a_main_no_older_than_its_base(
    clones: Clones,
) -> None:
    merge = honest_merge(clones)  # main here is now ahead of the remote's
    with WorkingGroup.open(clones.a, MEMBER_CS) as wg:
        text = document.paragraphs(wg.drafts.draft("principles").text)[3].text
        proposed = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=4, text=text + " Amended.", rationale="R"
        )
        assert proposed.base == merge
        wg.amendments.revise(proposed.id, text=text + " Amended again.")
        revision = git(clones.a, "log", "-1", "--format=%B", f"refs/wg/amendments/{proposed.id}")
        assert f"Main: {merge}" in revision or "Main: " not in revision, revision
        assert verify(wg).problems == []
        report = sync(wg)
        assert not report.problems, report.problems
        assert report.sent.new_amendments == 1
    report = do_sync(clones.b)
    assert not report.problems, report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(proposed.id).revision == 2
        assert verify(wg).problems == []


# -- verdicts kept by commit id ----------------------------------------------------------------


def test_verdicts_are_kept_by_commit_and_verify_full_judges_everything_again(
    clones: Clones,
) -> None:
    merge = honest_merge(clones)
    with WorkingGroup.open(clones.a) as wg:
        first = Rulebook(wg.record.store, kept=True)  # the syncs before kept what they judged
        assert first.history(wg.record.main()).invalid() == [] and first.replayed == 1  # the merge
        again = Rulebook(wg.record.store, kept=True)
        assert again.history(wg.record.main()).invalid() == [] and again.replayed == 0
        full = Rulebook(wg.record.store)  # keeps nothing, reads nothing kept: judged in full
        assert len(full.history(wg.record.main()).commits) == full.replayed > 1
        # A forged merge is another commit: it has no kept verdict and is judged.
        text = draft_at(clones.a, merge)
        forged = rewrite(clones.a, merge, tree=with_draft(clones.a, merge, text + "\nMore.\n"))
        judged = Rulebook(wg.record.store, kept=True).history(forged)
        assert judged.commits[-1].problems and judged.commits[-1].sha == forged
        # A kept verdict says only what the rulebook once found; a cache that was tampered
        # with is caught by verify --full, which judges everything again.
        cache = wg.record.store.wgtool_dir / "verdicts.sqlite"
        with sqlite3.connect(cache) as db:
            (verdict,) = db.execute(
                "SELECT verdict FROM kept WHERE key = ?", (encode_key(f"main:1:{merge}"),)
            ).fetchone()
            db.execute("INSERT INTO kept VALUES (?, ?)", (encode_key(f"main:1:{forged}"), verdict))
        main_moved_to(clones.a, forged)
        assert verify(wg).problems == []
        assert any(forged[:10] in p for p in verify(wg, full=True).problems)


def judged_event_chains(
    repo: Path, proposers: dict[str, str]
) -> tuple[int, dict[str, list[str]], list[str]]:
    """Every event chain of ``repo`` judged with the kept verdicts, in a new store (nothing
    shared in memory): event files read, the events' ids by amendment, and the problems."""
    with WorkingGroup.open(repo) as wg:
        store = wg.record.store
        tips = {ref.rsplit("/", 1)[1]: sha for ref, sha in store.refs("refs/wg/events").items()}
        book = Rulebook(store, kept=True)
        chains = book.chains.event_chains(tips, book.history(wg.record.main()), proposers)
        book.close()
        events = {a: [e.id for e in chain.events] for a, chain in chains.items()}
        problems = [reason for chain in chains.values() for _, reason in chain.problems]
        return book.chains.event_files_read, events, problems


def test_events_kept_valid_are_taken_whole_from_the_cache_without_reading_their_files(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    honest_merge(clones)
    # The kept verdicts are read whole from this many event files on (256 in use).
    monkeypatch.setattr(chains_module, "READ_ALL_KEPT", 1)

    read_first, first, problems = judged_event_chains(clones.a, {})
    assert sum(map(len, first.values())) > 0 and problems == []
    read_again, again, problems = judged_event_chains(clones.a, {})
    assert again == first and read_first > 0 and read_again == 0 and problems == []
    # Kept under another proposer, an event is judged again: its file is read on its own.
    other = {amendment: "nobody" for amendment in first}
    read_other, events, problems = judged_event_chains(clones.a, other)
    assert events == first and read_other == sum(map(len, first.values())) and problems == []
    # An honest event commit with one trailer changed (author, committer, parents kept) is
    # another commit: nothing kept answers for it, and it is judged and refused.
    amendment = next(a for a, ids in first.items() if ids)
    ref = f"refs/wg/events/{amendment}"
    tip = git(clones.a, "rev-parse", ref).strip()
    member = git(clones.a, "log", "-1", "--format=%(trailers:key=Member,valueonly)", tip).strip()
    other_member = CHAIR if member != CHAIR else MEMBER_GOV
    forged = rewrite(clones.a, tip, replace=(f"Member: {member}", f"Member: {other_member}"))
    git(clones.a, "update-ref", ref, forged, tip)
    _, events, problems = judged_event_chains(clones.a, {})
    assert forged != tip and problems and events[amendment] != first[amendment]


def test_events_no_kept_verdict_starts_with_are_not_looked_up_one_by_one(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    amendment = supported(clones)
    with WorkingGroup.open(clones.a, MEMBER_TECH) as wg:
        for number in range(4):
            wg.deliberation.comment(amendment, f"Comment {number}.")
    # Every event file of a pass is enough to ask the kept file which commits it has verdicts
    # for (256 in use), and the sample is every commit.
    monkeypatch.setattr(chains_module, "READ_ALL_KEPT", 1)
    monkeypatch.setattr(chains_module, "KEPT_SAMPLE", 10_000)
    asked: list[str] = []
    load = KeptVerdicts.load

    def counted(self: KeptVerdicts, keys: Iterable[str]) -> dict[str, object]:
        keys = list(keys)
        asked.extend(keys)
        return load(self, keys)

    monkeypatch.setattr(KeptVerdicts, "load", counted)

    _, first, problems = judged_event_chains(clones.a, {})
    total = sum(map(len, first.values()))
    assert total > 2 and problems == []
    # Every kept event verdict but one is forgotten: the kept file has fewer than half.
    cache = clones.a / ".git" / "wgtool" / "verdicts.sqlite"
    with sqlite3.connect(cache) as db:
        codes = [code for (code,) in db.execute("SELECT key FROM kept")]
        events = sorted(c for c in codes if (decode_key(c) or "").startswith("event:1:"))
        assert len(events) == total
        db.executemany("DELETE FROM kept WHERE key = ?", [(c,) for c in events[1:]])
    kept = (decode_key(events[0]) or "").split(":")[2]
    asked.clear()
    read, again, problems = judged_event_chains(clones.a, {})
    assert again == first and problems == []
    # The one kept is taken from the file (its event file is not read), the rest judged anew;
    # none of the rest was looked up one by one, the one kept was.
    assert read == total - 1
    looked_up = {key.split(":")[2] for key in asked if key.startswith("event:")}
    assert looked_up == {kept}


def test_a_damaged_verdict_cache_is_judged_again_and_replaced(clones: Clones) -> None:
    honest_merge(clones)
    with WorkingGroup.open(clones.a) as wg:
        cache = wg.record.store.wgtool_dir / "verdicts.sqlite"
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(b"not a database" * 100)
        assert verify(wg).problems == []
        assert verify(wg).problems == []
        with sqlite3.connect(cache) as db:
            assert db.execute("SELECT count(*) FROM kept").fetchone()[0] > 0
