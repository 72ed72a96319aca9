"""Sync at scale: refs joined in one transaction that still loses no race, ``.git`` kept compact.

A real bare remote and real clones; a group of over a hundred amendments is seeded with the
benchmark seed (what wgtool writes, written in bulk).
"""

from __future__ import annotations

import importlib
import shutil
import sqlite3
import subprocess
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pytest

import wgtool.core.exchange.sync.joining as joining
import wgtool.core.exchange.sync.pushing as pushing
import wgtool.core.record.gitstore as gitstore_module
import wgtool.core.record.reading as reading_module
import wgtool.core.record.rulebook.chains as chains_module
from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    agreed,
    git,
)
from tests.forge import Forger
from tests.seeding import seed
from tests.test_replay import supported
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import SyncReport, sync
from wgtool.core.exchange.sync.ancestry import Ancestry
from wgtool.core.exchange.sync.tidy import PACKS_KEPT, REPACK_FROM
from wgtool.core.record.gitstore import GitStore, Person
from wgtool.core.record.rulebook.kept import decode_key
from wgtool.core.record.rulebook.records import Record


def loose_refs(git_dir: Path, under: str) -> list[str]:
    folder = git_dir / under
    return sorted(str(p.relative_to(git_dir)) for p in folder.rglob("*") if p.is_file())


def wg_reflogs(git_dir: Path) -> list[str]:
    logs = git_dir / "logs" / "refs"
    found = [p for p in logs.rglob("*") if p.is_file()] if logs.is_dir() else []
    names = [str(p.relative_to(logs)) for p in found]
    return sorted(n for n in names if n.startswith("wg/") or "/wg/" in n or "/tags/" in n)


def test_after_syncing_many_refs_they_are_packed_and_wg_refs_have_no_reflogs(
    tmp_path: Path,
) -> None:
    group, origin = tmp_path / "group", tmp_path / "origin.git"
    seed(group, 120)
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(group, "remote", "add", "origin", str(origin))
    with WorkingGroup.open(group) as wg:
        assert not sync(wg).problems
    refs = git(group, "for-each-ref", "--format=%(refname) %(objectname)", "refs/wg").split("\n")
    assert len(refs) > 200
    assert loose_refs(group / ".git", "refs/wg") == []  # the seed's loose refs, packed
    # and the seed's thousand and more loose objects too
    assert int(git(group, "count-objects").split()[0]) < 100

    wg, report = WorkingGroup.clone(str(origin), tmp_path / "clone")
    wg.close()
    clone_git = tmp_path / "clone" / ".git"
    assert not report.problems and report.received.new_amendments == 120
    cloned = git(tmp_path / "clone", "for-each-ref", "--format=%(refname) %(objectname)", "refs/wg")
    assert sorted(cloned.split("\n")) == sorted(refs)
    assert loose_refs(clone_git, "refs/wg") == []
    assert loose_refs(clone_git, "refs/remotes/origin/wg") == []
    assert "refs/wg/amendments/" in (clone_git / "packed-refs").read_text()
    assert wg_reflogs(clone_git) == []
    assert (clone_git / "logs" / "refs" / "heads" / "main").is_file()  # branches keep theirs

    # Even where git is told to log every ref, and over reflogs an older wgtool left behind.
    git(tmp_path / "clone", "config", "core.logAllRefUpdates", "always")
    legacy = clone_git / "logs" / "refs" / "remotes" / "origin" / "wg" / "amendments" / "00000001"
    legacy.parent.mkdir(parents=True)
    legacy.write_text("0" * 40 + " " + "1" * 40 + " Someone <s@example.org> 1 +0000\tfetch\n")
    first = sorted(r.split()[0].rpartition("/")[2] for r in refs if "/amendments/" in r)[0]
    with WorkingGroup.open(group, MEMBER_GOV) as there:
        there.deliberation.comment(first, "From the first machine")
        assert not sync(there).problems
    with WorkingGroup.open(tmp_path / "clone", MEMBER_CS) as here:
        here.deliberation.comment(first, "From the clone")
        report = sync(here)
        assert not report.problems and report.received.events == 1
        texts = {e.text for e in here.deliberation.events(first)}
    assert {"From the first machine", "From the clone"} <= texts
    assert wg_reflogs(clone_git) == []


def test_a_sync_writes_packed_refs_once_and_not_at_all_for_nothing(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Writing packed-refs rewrites every ref (a tenth of a second at 10,000 amendments): a
    sync that took nothing leaves it as it was, though the remote's HEAD and main are loose
    files; one that took events writes it once (its join, folding what the fetch left loose)."""
    import wgtool.core.record.packed as packed_module

    tidy_module = importlib.import_module("wgtool.core.exchange.sync.tidy")  # not sync.tidy()
    writes: list[int] = []
    real = packed_module.write_packed

    def counted(*args: object, **kwargs: object) -> set[str]:
        writes.append(1)
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(packed_module, "write_packed", counted)
    monkeypatch.setattr(tidy_module, "write_packed", counted)
    packed = clones.b / ".git" / "packed-refs"
    assert (clones.b / ".git" / "refs" / "remotes" / "origin" / "HEAD").is_file()
    with WorkingGroup.open(clones.b) as wg:
        assert not sync(wg).problems  # whatever the fixture's syncs left loose is packed
    before = packed.stat()
    writes.clear()
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
        assert not report.problems and report.received.events == 0
    assert writes == [] and packed.stat().st_ino == before.st_ino
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(clones.amendment, "Written on a")
        assert not sync(wg).problems
    writes.clear()
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
        assert not report.problems and report.received.events == 1
    assert writes == [1]
    assert loose_refs(clones.b / ".git", "refs/wg") == []
    assert loose_refs(clones.b / ".git", "refs/remotes/origin/wg") == []


def test_a_ref_moved_while_joining_is_not_overwritten(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between reading the local refs and moving them all in one transaction, a member writes
    here: the transaction must not land over that write; every event is kept on both sides."""
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.position(clones.amendment, "support")
        wg.deliberation.comment(clones.amendment, "Written on a")
        assert not sync(wg).problems

    class WriterInBetween(Ancestry):
        def __init__(self, *args: object, **kwargs: object) -> None:
            with WorkingGroup.open(clones.b, MEMBER_TECH) as meanwhile:
                meanwhile.deliberation.comment(clones.amendment, "Written on b while syncing")
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(joining, "Ancestry", WriterInBetween)
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
        assert not report.problems
        assert report.received.events == 2
        texts = sorted(e.text for e in wg.deliberation.events(clones.amendment))
    assert texts == ["", "Written on a", "Written on b while syncing"]
    monkeypatch.undo()
    with WorkingGroup.open(clones.a) as wg:
        assert not sync(wg).problems
        assert sorted(e.text for e in wg.deliberation.events(clones.amendment)) == texts


def seeded_clone(tmp_path: Path, amendments: int) -> tuple[Path, Path, list[str]]:
    """A seeded group served from a bare remote, and a clone of it: (group, clone, ids)."""
    group, origin = tmp_path / "group", tmp_path / "origin.git"
    seed(group, amendments)
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(group, "remote", "add", "origin", str(origin))
    with WorkingGroup.open(group) as wg:
        assert not sync(wg).problems
        ids = [a.id for a in wg.amendments.amendments()]
    WorkingGroup.clone(str(origin), tmp_path / "clone")[0].close()
    return group, tmp_path / "clone", ids


class GitCount:
    """The git commands a sync runs through its store (none of a rival writing meanwhile)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[list[str]] = []
        self.paused = False
        real = gitstore_module.run_git

        def counting(args: list[str], **kwargs: object) -> object:
            if not self.paused:
                self.calls.append(args)
            return real(args, **kwargs)  # type: ignore[arg-type]

        monkeypatch.setattr(gitstore_module, "run_git", counting)

    def of(self, command: str) -> list[list[str]]:
        return [args for args in self.calls if args[0] == command]


def wg_refs(repo: Path) -> dict[str, str]:
    listing = git(repo, "for-each-ref", "--format=%(refname) %(objectname)", "refs/wg", "refs/tags")
    return dict(line.split(" ") for line in listing.splitlines())


def test_moving_many_refs_moves_each_it_can_and_returns_the_others(tmp_path: Path) -> None:
    """One ref moved by another writer and one whose lock another writer holds are returned;
    the transaction refused for the lock moves the rest one by one."""
    store = GitStore.init(tmp_path / "repo", bare=True)
    person = Person("A Member", "member@example.org", 1_700_000_000)
    tree = store.write_tree(None, {"events/a.json": b"{}"})
    first = store.write_commit(tree, [], "First", person, person)
    second = store.write_commit(tree, [first], "Second", person, person)
    refs = [f"refs/wg/events/{number:08x}" for number in range(6)]
    assert store.update_refs({ref: (first, None) for ref in refs}, "made")
    store.update_ref(refs[1], second, first)  # moved by another writer
    (store.git_dir / f"{refs[2]}.lock").write_text("")  # held by another writer
    left = store.update_each({ref: (second, first) for ref in refs}, "moved")
    assert left == {refs[1], refs[2]}
    assert store.refs("refs/wg") == {ref: first if ref == refs[2] else second for ref in refs}
    store.close()


def test_refs_that_lost_a_race_are_joined_alone_and_the_others_in_one_transaction(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Between reading the local refs and moving the many that came in, members here comment on
    one amendment and revise another that was revised on the remote too: those two refs lost
    the race and are joined on their own (both comments kept; the revision on both sides
    reported), while every other ref still comes in, in one more transaction."""
    group, here, ids = seeded_clone(tmp_path, 40)
    revised, commented = ids[0], ids[1]
    with WorkingGroup.open(group) as wg:
        proposer = wg.amendments.amendment(revised).proposer
    with WorkingGroup.open(group, proposer) as wg:
        wg.amendments.revise(revised, text="Revised on the first machine.")
    with WorkingGroup.open(group, MEMBER_GOV) as wg:
        for amendment in ids[1:31]:
            wg.deliberation.comment(amendment, f"From the first machine on {amendment}")
        sent = sync(wg)
    assert not sent.problems and sent.sent.events >= 30

    count = GitCount(monkeypatch)
    rivals: list[str] = []

    class WritersInBetween(Ancestry):
        def __init__(self, *args: object, **kwargs: object) -> None:
            if not rivals:
                count.paused = True
                with WorkingGroup.open(here, proposer) as meanwhile:
                    meanwhile.amendments.revise(revised, text="Revised here while syncing.")
                    rivals.append(revised)
                with WorkingGroup.open(here, MEMBER_TECH) as meanwhile:
                    meanwhile.deliberation.comment(commented, "Written here while syncing")
                    rivals.append(commented)
                count.paused = False
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(joining, "Ancestry", WritersInBetween)
    with WorkingGroup.open(here) as wg:
        report = sync(wg)
        texts = {e.text for e in wg.deliberation.events(commented)}
    monkeypatch.undo()

    assert report.problems == [joining.diverged_amendment(revised, "origin")]
    assert report.received.events == sent.sent.events
    assert report.received.revised_amendments == 0
    assert {"Written here while syncing", f"From the first machine on {commented}"} <= texts
    # All the others in one packed-refs write (no git process), which left out the two refs
    # that had moved; one compare and swap for the chain that raced: not one git process per ref.
    assert len(count.of("update-ref")) == 1, count.calls
    assert not count.of("pack-refs"), count.calls
    theirs, ours = wg_refs(group), wg_refs(here)
    raced = {f"refs/wg/amendments/{revised}", f"refs/wg/events/{commented}"}
    assert {r: s for r, s in ours.items() if r not in raced} == {
        r: s for r, s in theirs.items() if r not in raced
    }
    assert (
        git(
            here,
            "merge-base",
            "--is-ancestor",
            theirs[f"refs/wg/events/{commented}"],
            ours[f"refs/wg/events/{commented}"],
        )
        == ""
    )


def test_a_tag_made_here_while_tags_came_in_is_reported_and_the_others_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The versions tagged on the remote come in in one transaction; a version tagged here under
    one of their names just before it is kept and reported, and the others still come in."""
    group, here, _ = seeded_clone(tmp_path, 20)
    with WorkingGroup.open(group, SECRETARIAT) as wg:
        for number in range(1, 5):
            wg.procedure.tag("principles", f"v{number}", message=f"Version {number}")
        assert sync(wg).sent.versions == 4

    count = GitCount(monkeypatch)
    rivals: list[str] = []
    real_adopt_refs = gitstore_module.GitStore.adopt_refs

    def rival_first(
        store: gitstore_module.GitStore,
        moves: dict[str, tuple[str | None, str | None]],
        message: str,
    ) -> set[str]:
        if "refs/tags/principles/v3" in moves and not rivals:
            count.paused = True
            with WorkingGroup.open(here, SECRETARIAT) as meanwhile:
                rivals.append(meanwhile.procedure.tag("principles", "v3", message="Made here").tag)
            count.paused = False
        return real_adopt_refs(store, moves, message)

    monkeypatch.setattr(gitstore_module.GitStore, "adopt_refs", rival_first)
    with WorkingGroup.open(here) as wg:
        report = sync(wg)
    monkeypatch.undo()

    assert report.received.versions == 3
    assert [p for p in report.problems if "v3" in p] == [
        "tag principles/v3 differs here and on origin: kept the one here; the secretariat "
        "should keep one of them"
    ]
    theirs, ours = wg_refs(group), wg_refs(here)
    for number in (1, 2, 4):
        ref = f"refs/tags/principles/v{number}"
        assert ours[ref] == theirs[ref]
    assert ours["refs/tags/principles/v3"] != theirs["refs/tags/principles/v3"]
    assert "Made here" in git(here, "cat-file", "-p", "refs/tags/principles/v3")
    # One packed-refs write for the three others, which left out v3 (made meanwhile).
    assert not count.of("update-ref"), count.calls


def test_the_git_processes_of_a_sync_do_not_grow_with_the_refs_it_receives(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    group, _, ids = seeded_clone(tmp_path, 40)
    # Packing the objects a member wrote follows how many are loose, not the refs received
    # (tested on its own below): left out here.
    tidy_module = importlib.import_module("wgtool.core.exchange.sync.tidy")  # not the function
    monkeypatch.setattr(tidy_module, "REPACK_FROM", 10**9)
    # A few objects' sizes are asked of the cat-file GitPython keeps running, more of a process
    # of their own (wgtool.core.record.reading.FEW): that saves the few a process, so both are
    # asked of a process here, for the lists to compare.
    monkeypatch.setattr(reading_module, "FEW", 0)

    calls: list[list[str]] = []
    real = gitstore_module.run_git

    def counting(args: list[str], **kwargs: object) -> object:
        calls.append(args)
        return real(args, **kwargs)  # type: ignore[arg-type]

    def counted_sync(repo: Path, actor: str, comments: list[str]) -> tuple[list[str], SyncReport]:
        with WorkingGroup.open(repo, actor) as wg:
            for amendment in comments:
                wg.deliberation.comment(amendment, f"From {actor} on {amendment}, {len(calls)}")
            # The index as the comments left it differs (a few read at a glance leave it
            # behind, many refresh it): both syncs start from a current one.
            wg.record.refresh()
            calls.clear()
            monkeypatch.setattr(gitstore_module, "run_git", counting)
            report = sync(wg)
            monkeypatch.setattr(gitstore_module, "run_git", real)
        assert not report.problems
        return [" ".join(args)[:100] for args in calls], report

    def processes_of_syncs_sending_and_receiving(count: int) -> tuple[list[str], list[str]]:
        sending, sent = counted_sync(group, MEMBER_GOV, ids[:count])
        receiving, received = counted_sync(tmp_path / "clone", MEMBER_CS, [])
        assert sent.sent.events == received.received.events == count
        return sending, receiving

    processes_of_syncs_sending_and_receiving(30)  # each of the 30 has events on both sides now
    few = processes_of_syncs_sending_and_receiving(2)
    many = processes_of_syncs_sending_and_receiving(30)
    for in_few, in_many in zip(few, many, strict=True):
        assert in_many == in_few, "\n".join(in_many) + "\n----\n" + "\n".join(in_few)


def kept_positions(repo: Path) -> list[str]:
    with sqlite3.connect(repo / ".git" / "wgtool" / "verdicts.sqlite") as db:
        keys = [decode_key(code) or "" for (code,) in db.execute("SELECT key FROM kept")]
    return [key for key in keys if key.startswith("position:")]


def test_a_chain_judged_from_its_tip_here_still_refuses_an_event_older_than_its_parent(
    clones: Clones, tmp_path: Path
) -> None:
    """A sync judges an event chain only from the tip it judged valid before; the event after
    that tip must still name no older main commit than the tip was made against (the rule a
    whole chain's replay enforces), and the verdict is the one a replay of the whole chain
    gives."""
    amendment, ref = clones.amendment, f"refs/wg/events/{clones.amendment}"
    older = git(clones.a, "rev-parse", "main").strip()
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.drafts.add_draft("annex", title="Annex", text="A paragraph.\n")
        assert not sync(wg).problems
    newer = git(clones.a, "rev-parse", "main").strip()
    forger = Forger(clones.a)
    forger.event(amendment, member=MEMBER_GOV, event_id="made-against-newer", main=newer)
    assert forger.push(f"{ref}:{ref}").returncode == 0
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
        assert not report.problems and report.received.events == 1, report.lines()
    tip = git(clones.b, "rev-parse", ref).strip()
    assert f"{amendment}:{tip}" in " ".join(kept_positions(clones.b))

    forged = forger.event(amendment, member=MEMBER_TECH, event_id="made-against-older", main=older)
    whole = tmp_path / "whole"
    shutil.copytree(clones.b, whole, symlinks=True)
    (whole / ".git" / "wgtool" / "verdicts.sqlite").unlink()  # nothing kept: the whole chain
    for repo in (clones.b, whole):
        # Each finds the forged tip on the remote (the first sync sends the honest tip back).
        assert forger.push(f"+{forged}:{ref}").returncode == 0
        with WorkingGroup.open(repo) as wg:
            report = sync(wg)
        (line,) = [p for p in report.problems if ref in p]
        assert forged[:10] in line and "older than the main commit its parent" in line, line
        assert git(repo, "rev-parse", ref).strip() == tip


def test_a_sync_merges_the_packs_that_fetches_left_and_loses_no_object(clones: Clones) -> None:
    """Every fetch of many objects keeps a pack of its own: after a sync there are a few."""
    pack_folder = clones.b / ".git" / "objects" / "pack"
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        for number in range(PACKS_KEPT + 3):
            wg.deliberation.comment(clones.amendment, f"Comment {number}")
            git(clones.b, "repack", "-d", "-q")  # the loose objects alone, into a pack
        assert (clones.b / ".git" / "info" / "refs").is_file()  # written by git's repack
        before = sorted(git(clones.b, "rev-list", "--all", "--objects").split("\n"))
        assert len(list(pack_folder.glob("*.pack"))) > PACKS_KEPT
        assert not sync(wg).problems
    assert len(list(pack_folder.glob("*.pack"))) <= PACKS_KEPT
    # The dumb-HTTP listings (every ref again) are neither kept nor written anew.
    assert not (clones.b / ".git" / "info" / "refs").exists()
    assert not (clones.b / ".git" / "objects" / "info" / "packs").exists()
    assert sorted(git(clones.b, "rev-list", "--all", "--objects").split("\n")) == before
    git(clones.b, "fsck", "--no-progress", "--connectivity-only")


def test_a_sync_packs_the_loose_objects_the_member_wrote(clones: Clones) -> None:
    """Each event is four loose objects (a 4 KB block each): from REPACK_FROM on, a sync packs
    them, and loses none."""
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        for number in range(REPACK_FROM // 4 + 1):
            wg.deliberation.comment(clones.amendment, f"Comment {number}")
        assert int(git(clones.b, "count-objects").split()[0]) >= REPACK_FROM
        before = sorted(git(clones.b, "rev-list", "--all", "--objects").split("\n"))
        assert not sync(wg).problems
    assert int(git(clones.b, "count-objects").split()[0]) < REPACK_FROM
    assert sorted(git(clones.b, "rev-list", "--all", "--objects").split("\n")) == before
    git(clones.b, "fsck", "--no-progress", "--connectivity-only")


def test_main_never_reaches_the_remote_without_the_events_its_merge_names(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The chair merges on the events as they stand here; between the chair's fetch and push,
    a member comments on the same amendment and pushes. Main must not land without the event
    chain its merge names (``Events:``): git moves refs one by one unless told otherwise, so
    the rival's push would refuse the chain and take main, and every other clone would then
    refuse main for naming events the remote lacks."""
    supported(clones)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        # The chair's own word on the amendment, here only: the merge names it.
        wg.deliberation.comment(clones.amendment, "Taken as supported")
        merge = wg.merges.merge(clones.amendment)
    named = git(clones.a, "log", "-1", "--format=%(trailers:key=Events,valueonly)", merge).strip()
    rival = {"done": False}

    class RivalInBetween(Ancestry):
        def __init__(self, *args: object, **kwargs: object) -> None:
            if not rival["done"]:
                rival["done"] = True
                with WorkingGroup.open(clones.b, MEMBER_TECH) as meanwhile:
                    meanwhile.deliberation.comment(clones.amendment, "Pushed while the chair syncs")
                    assert not sync(meanwhile).problems
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]

    chain = f"refs/wg/events/{clones.amendment}"
    seen: list[tuple[bool, bool]] = []  # after each push: (main has the merge, chain has Events)
    send = pushing._send

    def watched(*args: object, **kwargs: object) -> set[str]:
        taken = send(*args, **kwargs)  # type: ignore[arg-type]
        has = [
            subprocess.run(
                ["git", "merge-base", "--is-ancestor", old, new], cwd=clones.origin
            ).returncode
            == 0
            for old, new in ((merge, "main"), (named, chain))
        ]
        seen.append((has[0], has[1]))
        return taken

    monkeypatch.setattr(pushing, "Ancestry", RivalInBetween)
    monkeypatch.setattr(pushing, "_send", watched)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        report = sync(wg)
    monkeypatch.undo()
    assert rival["done"] and not report.problems
    assert seen and seen[-1] == (True, True)
    assert all(chain_there for main_there, chain_there in seen if main_there), seen
    git(clones.origin, "merge-base", "--is-ancestor", merge, "main")
    # The remote holds the events the merge names, in the amendment's chain.
    git(clones.origin, "merge-base", "--is-ancestor", named, chain)
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
        assert not report.problems, report.problems
        assert wg.record.main() == git(clones.origin, "rev-parse", "main").strip()


def test_judging_main_starts_no_git_process_per_merge(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A clone judges every merge on main: the amendments it merged and the events it names are
    read for all merges at once, and the index reads main and the merges' messages from what
    the judging read. A clone of a main with two merges and one of a main with six start the
    same git processes (git's own trace of every process), but for ``merge-tree`` (git 2.39
    merges one pair per process)."""
    from wgtool.core.model import Kind

    def group_with_merges(count: int) -> str:
        path, origin = tmp_path / f"group{count}", tmp_path / f"origin{count}.git"
        WorkingGroup.init(path, title="Example working group", example=True).close()
        git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
        git(path, "remote", "add", "origin", str(origin))
        for number in range(count):
            with WorkingGroup.open(path, MEMBER_GOV) as wg:
                amendment = wg.amendments.propose(
                    "principles",
                    kind=Kind.REPLACE,
                    paragraph=1,
                    text=f"Enhanced cooperation, reading {number}, involves all stakeholders.",
                    rationale=f"Reading {number}.",
                ).id
            with WorkingGroup.open(path, CHAIR) as wg:
                wg.merges.merge(agreed(wg, amendment))
        with WorkingGroup.open(path, CHAIR) as wg:
            assert not sync(wg).problems
        return str(origin)

    def processes_of_clone(count: int) -> list[str]:
        origin = group_with_merges(count)
        trace = tmp_path / f"trace{count}"
        monkeypatch.setenv("GIT_TRACE", str(trace))
        try:
            wg, report = WorkingGroup.clone(origin, tmp_path / f"clone{count}")
        finally:
            monkeypatch.delenv("GIT_TRACE")
        with wg:
            assert not report.problems and report.received.main_commits == count + 1
            merged = [a for a in wg.amendments.amendments() if a.status.value == "merged"]
            assert len(merged) == count
        commands = [
            line.partition("built-in: git ")[2].split(" ")[0]
            for line in trace.read_text().splitlines()
            if "built-in: git " in line
        ]
        return sorted(command for command in commands if command != "merge-tree")

    few, many = processes_of_clone(2), processes_of_clone(6)
    assert "log" in few and many == few


def test_a_sync_reads_each_event_commit_it_receives_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The join judges the chains that grew from what arrived after their tips here; the index
    refresh after it takes those commits from what the join read, not from git again."""
    group, clone, ids = seeded_clone(tmp_path, 12)
    with WorkingGroup.open(clone, MEMBER_CS) as wg:  # the chains grow on both sides
        for amendment in ids[:6]:
            wg.deliberation.comment(amendment, f"Here first on {amendment}.")
        assert not sync(wg).problems
    with WorkingGroup.open(group, MEMBER_GOV) as wg:
        assert not sync(wg).problems
        for amendment in ids[:6]:
            wg.deliberation.comment(amendment, f"Then there on {amendment}.")
        assert not sync(wg).problems
    read: list[str] = []
    real = chains_module.read_records

    def counted(store: GitStore, args: list[str], revisions: Iterable[str]) -> list[Record]:
        records = real(store, args, revisions)
        read.extend(record.sha for record in records)
        return records

    monkeypatch.setattr(chains_module, "read_records", counted)
    with WorkingGroup.open(clone, MEMBER_CS) as wg:
        report = sync(wg)
        assert not report.problems and report.received.events == 6
        comments = [
            e
            for amendment in ids[:6]
            for e in wg.deliberation.events(amendment)
            if e.text.startswith("Then there")
        ]
    assert len(comments) == 6  # in the index after the sync's refresh
    counts = Counter(read)
    assert len(counts) >= 6 and max(counts.values()) == 1, counts.most_common(3)
