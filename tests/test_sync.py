"""Sync between members' machines: a real bare remote and two real clones in a temp dir.

Each clone is one member's machine. Work is written with the core use cases (or the CLI), and
``wgtool sync`` exchanges it through the bare remote ``origin``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import wgtool.core.exchange.sync as sync_module
from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    Wg,
    agreed,
    do_sync,
    git,
    propose_sample,
    refs_snapshot,
)
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput, NotFound, SyncError
from wgtool.core.exchange.sync import SyncReport, join_commit, pushing, sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Event, Kind, Status
from wgtool.core.record.gitstore import Person
from wgtool.core.record.messages import format_message
from wgtool.core.record.rulebook import EVENTS_PREFIX, MAIN_REF

AMENDED = "Enhanced cooperation involves all stakeholders."


def event_ids(repo: Path, amendment: str) -> list[str]:
    with WorkingGroup.open(repo) as wg:
        return [e.id for e in wg.deliberation.events(amendment)]


def event_files(repo: Path, amendment: str) -> list[str]:
    """The event files in the tree of an events ref (of a clone or of the bare remote)."""
    out = git(repo, "ls-tree", "--name-only", f"{EVENTS_PREFIX}{amendment}:events")
    return out.split()


def ref(repo: Path, name: str) -> str | None:
    out = git(repo, "rev-parse", "--verify", "--quiet", name, check=False).strip()
    return out or None


def traffic(report: SyncReport) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """(received, sent) as (new amendments, revised, events, main commits, versions)."""

    def counts(t: sync_module.Traffic) -> tuple[int, ...]:
        return (t.new_amendments, t.revised_amendments, t.events, t.main_commits, t.versions)

    return counts(report.received), counts(report.sent)


NOTHING = (0, 0, 0, 0, 0)


def events_only(n: int) -> tuple[int, ...]:
    return (0, 0, n, 0, 0)


# -- the remote --------------------------------------------------------------------------------


def test_first_sync_fills_an_empty_remote(tmp_path: Path) -> None:
    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    WorkingGroup.init(seed, example=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(seed, "remote", "add", "origin", str(origin))
    with WorkingGroup.open(seed, MEMBER_PS) as wg:
        report = sync(wg)
        assert traffic(report) == (NOTHING, (0, 0, 0, 1, 0))
        assert report.problems == []
        amendment = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=1,
            text=AMENDED,
            rationale="Say who takes part.",
        )
        wg.deliberation.comment(amendment.id, "First!")
        report = sync(wg)
        assert traffic(report) == (NOTHING, (1, 0, 1, 0, 0))
        assert report.lines()[:3] == [
            "Synced with origin",
            "Received: nothing new",
            "Sent: 1 new amendment, 1 event",
        ]
    assert ref(origin, MAIN_REF) == ref(seed, MAIN_REF)
    assert ref(origin, f"refs/wg/amendments/{amendment.id}") == amendment.head
    assert ref(origin, EVENTS_PREFIX + amendment.id) == ref(seed, EVENTS_PREFIX + amendment.id)


@pytest.mark.parametrize(
    "name",
    ["--upload-pack=touch pwned", "-v", "../origin", "/tmp/x", "ext::sh -c touch% pwned", ""],
)
def test_bad_remote_names_are_refused(example_repo: Path, name: str) -> None:
    git(example_repo, "remote", "add", "origin", str(example_repo.parent / "nowhere.git"))
    before = refs_snapshot(example_repo), git(example_repo, "config", "--list")
    with WorkingGroup.open(example_repo) as wg, pytest.raises(InvalidInput, match="remote name"):
        sync(wg, name)
    assert (refs_snapshot(example_repo), git(example_repo, "config", "--list")) == before
    assert not (example_repo / "pwned").exists()


def test_unknown_remote_says_how_to_add_it(clones: Clones) -> None:
    with (
        WorkingGroup.open(clones.a) as wg,
        pytest.raises(NotFound, match="git remote add elsewhere"),
    ):
        sync(wg, "elsewhere")
    result = Wg(clones.a)("sync", "--", "--upload-pack=touch pwned")
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("wgtool: invalid remote")
    assert not (clones.a / "pwned").exists()


def test_unreachable_remote_is_one_line_error(clones: Clones) -> None:
    shutil.rmtree(clones.origin)
    with WorkingGroup.open(clones.a) as wg, pytest.raises(SyncError, match="could not fetch"):
        sync(wg)
    result = Wg(clones.a)("sync")
    assert result.exit_code == 5
    errors = [line for line in result.stderr.splitlines() if line.startswith("wgtool:")]
    assert len(errors) == 1 and "does not appear to be a git repository" in errors[0]
    assert result.stderr.splitlines()[-1] == errors[0]


def test_the_fetch_runs_while_what_was_seen_is_read(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    """git fetches in a thread of its own while the sync reads what the member had seen (the
    reading below goes on only once the fetch has begun: one after the other, it would wait
    in vain); what arrived is still reported, and a fetch that fails is one error."""
    import threading

    from wgtool.core.desks.inbox import InboxDesk

    fetching = threading.Event()
    real_fetch, real_seen = sync_module.fetch, InboxDesk.seen_now

    def fetch(store, remote):  # type: ignore[no-untyped-def]
        fetching.set()
        return real_fetch(store, remote)

    def seen_now_once_fetching(self):  # type: ignore[no-untyped-def]
        assert fetching.wait(timeout=30), "what was seen is read before the fetch began"
        return real_seen(self)

    monkeypatch.setattr(sync_module, "fetch", fetch)
    monkeypatch.setattr(InboxDesk, "seen_now", seen_now_once_fetching)
    fresh = propose_sample(clones.a, MEMBER_CS)
    with WorkingGroup.open(clones.a) as wg:
        assert sync(wg).sent.new_amendments == 1
    with WorkingGroup.open(clones.b) as wg:
        report = sync(wg)
    assert report.received.new_amendments == 1
    assert report.arrived is not None
    assert [item.amendment.id for item in report.arrived.amendments] == [fresh]
    shutil.rmtree(clones.origin)
    with WorkingGroup.open(clones.b) as wg, pytest.raises(SyncError, match="could not fetch"):
        sync(wg)


def test_plain_git_fetch_carries_wg_refs(clones: Clones) -> None:
    for _ in range(3):
        do_sync(clones.a)
    specs = git(clones.a, "config", "--get-all", "remote.origin.fetch").split()
    assert specs.count("+refs/wg/*:refs/remotes/origin/wg/*") == 1
    assert specs.count("+refs/tags/*:refs/remotes/origin/tags/*") == 1

    with WorkingGroup.open(clones.b, SECRETARIAT) as wg:
        wg.deliberation.comment(clones.amendment, "Seen from b")
        wg.procedure.tag("principles", "v1", message="First reading")
        sync(wg)
    git(clones.a, "fetch", "--quiet")  # plain git, no wgtool
    events_ref = EVENTS_PREFIX + clones.amendment
    assert ref(clones.a, "refs/remotes/origin/wg/events/" + clones.amendment) == ref(
        clones.b, events_ref
    )
    assert ref(clones.a, "refs/remotes/origin/tags/principles/v1") is not None


def test_refs_wgtool_would_not_make_are_ignored(clones: Clones) -> None:
    blob = git(clones.a, "rev-parse", "main:wg.toml").strip()  # a file, not a commit
    main = git(clones.a, "rev-parse", "main").strip()
    git(
        clones.a,
        "push",
        "--quiet",
        "origin",
        f"{blob}:refs/wg/events/deadbeef",
        f"{main}:refs/wg/amendments/not-an-id",
        f"{main}:refs/wg/elsewhere/cafe",
    )
    before = refs_snapshot(clones.b)
    report = do_sync(clones.b)
    assert report.problems == [] and traffic(report) == (NOTHING, NOTHING)
    assert report.notes == [
        "Ignored 3 ref(s) under refs/wg/ on origin that are not amendments or events wgtool makes"
    ]
    assert [
        line for line in refs_snapshot(clones.b).splitlines() if "refs/remotes/" not in line
    ] == [line for line in before.splitlines() if "refs/remotes/" not in line]
    Wg(clones.b).ok("amendments")


# -- deliberation from two machines ------------------------------------------------------------


def test_concurrent_comments_and_positions_meet_in_the_same_order(clones: Clones) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(amendment, "Governments welcome this.")
        wg.deliberation.position(amendment, "support", reason="Inclusive")
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(
            amendment, "Civil society has a [bold]concern[/bold] <script>x</script>"
        )
        wg.deliberation.position(amendment, "object", reason="Too vague")

    # Exactly what each sync moves, in both directions.
    assert traffic(do_sync(clones.a)) == (NOTHING, events_only(2))
    assert traffic(do_sync(clones.b)) == (events_only(2), events_only(2))
    assert traffic(do_sync(clones.a)) == (events_only(2), NOTHING)

    views = []
    orders: list[list[Event]] = []
    for repo in (clones.a, clones.b):
        with WorkingGroup.open(repo) as wg:
            events = wg.deliberation.events(amendment)
            orders.append(events)
            views.append(
                (
                    [e.to_dict() for e in events],
                    wg.deliberation.consensus(wg.amendments.amendment(amendment)).to_dict(),
                    [t.comment.id for t in wg.deliberation.comments(amendment)],
                )
            )
            assert verify(wg).problems == []  # the join is attributed and adds nothing
    assert views[0] == views[1]
    _, consensus, threads = views[0]
    events = orders[0]
    assert len(events) == 4 and len({e.id for e in events}) == 4
    assert [e.sort_key() for e in events] == sorted(e.sort_key() for e in events)
    assert {e.member for e in events} == {MEMBER_GOV, MEMBER_CS}
    assert any(
        e.text == "Civil society has a [bold]concern[/bold] <script>x</script>" for e in events
    )
    assert consensus["state"] == "objection"
    assert len(threads) == 2

    tip = ref(clones.a, EVENTS_PREFIX + amendment)
    assert (
        tip
        == ref(clones.b, EVENTS_PREFIX + amendment)
        == ref(clones.origin, EVENTS_PREFIX + amendment)
    )
    assert len(git(clones.a, "rev-list", "--parents", "-n1", tip or "").split()) == 3  # a join


def test_nothing_is_lost_or_duplicated_however_often_sync_runs(clones: Clones) -> None:
    amendment = clones.amendment
    expected = 0
    for round_number in range(3):
        for repo, member in ((clones.a, MEMBER_GOV), (clones.b, MEMBER_TECH)):
            with WorkingGroup.open(repo, member) as wg:
                wg.deliberation.comment(amendment, f"round {round_number} from {member}")
                wg.deliberation.position(
                    amendment, "no-objection" if round_number % 2 else "support"
                )
            expected += 2
        do_sync(clones.a)
        do_sync(clones.b)
        do_sync(clones.a)
    tips = {ref(r, EVENTS_PREFIX + amendment) for r in (clones.a, clones.b, clones.origin)}
    commits = git(clones.a, "rev-list", "--count", tips.copy().pop() or "")
    for _ in range(4):
        for repo in (clones.b, clones.a):
            report = do_sync(repo)
            assert traffic(report) == (NOTHING, NOTHING) and report.problems == []
    for repo in (clones.a, clones.b, clones.origin):
        files = event_files(repo, amendment)
        assert len(files) == expected == len(set(files))
        assert ref(repo, EVENTS_PREFIX + amendment) in tips
    assert len(tips) == 1
    assert git(clones.a, "rev-list", "--count", tips.pop() or "") == commits  # no new joins
    assert event_ids(clones.a, amendment) == event_ids(clones.b, amendment)
    assert len(event_ids(clones.a, amendment)) == expected


def test_two_machines_write_the_same_join(clones: Clones) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(amendment, "from a")
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(amendment, "from b")
    ours = ref(clones.a, EVENTS_PREFIX + amendment)
    theirs = ref(clones.b, EVENTS_PREFIX + amendment)
    assert ours and theirs
    git(clones.a, "fetch", "--quiet", str(clones.b), f"{EVENTS_PREFIX}{amendment}:refs/peer")
    git(clones.b, "fetch", "--quiet", str(clones.a), f"{EVENTS_PREFIX}{amendment}:refs/peer")
    with WorkingGroup.open(clones.a) as wa, WorkingGroup.open(clones.b) as wb:
        assert join_commit(wa.record.store, amendment, ours, theirs) == join_commit(
            wb.record.store, amendment, theirs, ours
        )


def test_rejected_push_fetches_joins_and_retries(
    clones: Clones, monkeypatch: pytest.MonkeyPatch
) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(amendment, "from a")
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(amendment, "from b")
    real_push = pushing.push
    raced: list[bool] = []

    def push_after_b(*args: object) -> None:
        if not raced:
            raced.append(True)
            # b pushes between a's fetch and a's push: a's push is rejected.
            assert traffic(do_sync(clones.b)) == (NOTHING, events_only(1))
        real_push(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(pushing, "push", push_after_b)
    report = do_sync(clones.a)
    assert report.rounds == 2 and report.problems == []
    assert traffic(report) == (events_only(1), events_only(1))
    assert report.lines()[0] == "Synced with origin (2 rounds)"
    monkeypatch.undo()
    assert traffic(do_sync(clones.b)) == (events_only(1), NOTHING)
    assert event_ids(clones.a, amendment) == event_ids(clones.b, amendment)
    assert len(event_files(clones.origin, amendment)) == 2


# -- amendments --------------------------------------------------------------------------------


def test_revisions_arrive_and_diverged_amendments_are_reported(clones: Clones) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.a, MEMBER_PS) as wg:
        wg.amendments.revise(amendment, text="Enhanced cooperation involves every stakeholder.")
    assert traffic(do_sync(clones.a)) == (NOTHING, (0, 1, 0, 0, 0))
    assert traffic(do_sync(clones.b)) == ((0, 1, 0, 0, 0), NOTHING)
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(amendment).revision == 2

    # The proposer revises on both machines before syncing: both revisions are kept apart.
    for repo, text in ((clones.a, "Version A of the text."), (clones.b, "Version B of the text.")):
        with WorkingGroup.open(repo, MEMBER_PS) as wg:
            wg.amendments.revise(amendment, text=text)
    do_sync(clones.a)
    head_b = ref(clones.b, f"refs/wg/amendments/{amendment}")
    result = Wg(clones.b)("sync")
    assert result.exit_code == 5
    problems = [line for line in result.stdout.splitlines() if line.startswith("Problem:")]
    assert len(problems) == 1 and f"amendment {amendment} was revised both here and" in problems[0]
    assert ref(clones.b, f"refs/wg/amendments/{amendment}") == head_b
    assert ref(clones.origin, f"refs/wg/amendments/{amendment}") == ref(
        clones.a, f"refs/wg/amendments/{amendment}"
    )


def test_revision_by_someone_else_is_not_taken(clones: Clones) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.a) as wg:
        store = wg.record.store
        head = wg.amendments.amendment(amendment).head
        tree = store.write_tree(store.commit(head).tree, {"drafts/principles.md": b"# Mine\n"})
        person = Person("Nomvula Dlamini", "nomvula.dlamini@example.net", int(time.time()))
        message = format_message(
            "Hijack", "", [("Amendment-Id", amendment), ("Revision", "2"), ("Member", MEMBER_CS)]
        )
        forged = store.write_commit(tree, [head], message, person, person)
        store.update_ref(f"refs/wg/amendments/{amendment}", forged, head)
    git(clones.a, "push", "--quiet", "origin", f"refs/wg/amendments/{amendment}")
    report = do_sync(clones.b)
    assert len(report.problems) == 1 and "not by its proposer kwatanabe" in report.problems[0]
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(amendment).head == head


# -- main --------------------------------------------------------------------------------------


def test_chair_merge_fast_forwards_main_and_the_clean_worktree(clones: Clones) -> None:
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.merges.merge(agreed(wg, clones.amendment))
    # The supporting position (an event) and the merge (a commit on main) travel.
    assert traffic(do_sync(clones.a)) == (NOTHING, (0, 0, 1, 1, 0))
    assert traffic(do_sync(clones.b)) == ((0, 0, 1, 1, 0), NOTHING)
    assert ref(clones.b, MAIN_REF) == ref(clones.a, MAIN_REF) == ref(clones.origin, MAIN_REF)
    assert AMENDED in (clones.b / "drafts" / "principles.md").read_text()
    assert git(clones.b, "status", "--porcelain") == ""
    with WorkingGroup.open(clones.b) as wg:
        merged = wg.amendments.amendment(clones.amendment)
        assert merged.status is Status.MERGED and merged.merged_by == CHAIR


def test_dirty_worktree_is_left_as_it_was(clones: Clones) -> None:
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.add_member(
            "jdoe", name="Jo Doe", email="jo.doe@example.org", group="civil-society"
        )
    do_sync(clones.a)
    roles = clones.b / "drafts" / "roles.md"
    roles.write_text(roles.read_text() + "\nMy local note.\n")
    roster_before = (clones.b / "roster.toml").read_text()
    report = do_sync(clones.b)
    assert report.problems == [] and traffic(report)[0] == (0, 0, 0, 1, 0)
    assert any("working tree has local changes" in line for line in report.lines())
    assert ref(clones.b, MAIN_REF) == ref(clones.a, MAIN_REF)
    assert roles.read_text().endswith("My local note.\n")
    assert (clones.b / "roster.toml").read_text() == roster_before
    with WorkingGroup.open(clones.b) as wg:
        assert (
            "jdoe" in wg.record.roster.members
        )  # the record moved; only the files were left alone


def test_diverged_main_is_reported_not_merged(clones: Clones) -> None:
    for repo, slug in ((clones.a, "charter"), (clones.b, "agenda")):
        with WorkingGroup.open(repo, SECRETARIAT) as wg:
            wg.drafts.add_draft(slug, title=slug.title(), text="One paragraph.\n")
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(clones.amendment, "still syncs")
    do_sync(clones.a)
    main_b = ref(clones.b, MAIN_REF)
    result = Wg(clones.b)("sync")
    assert result.exit_code == 5
    problems = [line for line in result.stdout.splitlines() if line.startswith("Problem:")]
    assert problems == [
        "Problem: main has diverged from origin: 1 commit(s) here (1 other change(s)) and 1 "
        "there; nothing was merged (compare with 'git log main...origin/main')"
    ]
    assert (
        "Main diverged: to make the changes here again on top of origin's main, the chair runs "
        "'wgtool sync origin --replay-merges'"
    ) in result.stdout.splitlines()
    assert "Sent: 1 event" in result.stdout  # the rest still went out
    assert ref(clones.b, MAIN_REF) == main_b
    assert ref(clones.origin, MAIN_REF) == ref(clones.a, MAIN_REF)
    assert len(git(clones.b, "rev-list", "--merges", "main").split()) == 0


def test_events_written_while_main_diverged_still_reach_the_others(clones: Clones) -> None:
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.comment(clones.amendment, "Before anything diverged")
        assert not sync(wg).problems
    for repo, slug in ((clones.a, "charter"), (clones.b, "agenda")):
        with WorkingGroup.open(repo, SECRETARIAT) as wg:
            wg.drafts.add_draft(slug, title=slug.title(), text="One paragraph.\n")
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(clones.amendment, "Made against the charter's main")
        assert not sync(wg).problems
    with WorkingGroup.open(clones.b, MEMBER_TECH) as wg:
        wg.deliberation.comment(clones.amendment, "Also here, while main diverged")
        report = sync(wg)
        assert [p for p in report.problems if "diverged" not in p] == [], report.problems
        wg.deliberation.comment(clones.amendment, "After the join")
        report = sync(wg)
        assert [p for p in report.problems if "diverged" not in p] == [], report.problems
    assert do_sync(clones.a).problems == []
    with WorkingGroup.open(clones.a) as wg:
        assert [e.text for e in wg.deliberation.events(clones.amendment)] == [
            "Before anything diverged",
            "Made against the charter's main",
            "Also here, while main diverged",
            "After the join",
        ]
        assert verify(wg).problems == []


def _commit_on_main(repo: Path, how: str) -> None:
    """Move main in ``repo`` outside wgtool's rules and push it to origin with plain git."""
    if how == "plain git commit":
        draft = repo / "drafts" / "principles.md"
        draft.write_text(draft.read_text() + "\nAn unreviewed paragraph.\n")
        git(repo, "commit", "--quiet", "-am", "Quick fix")
    else:
        with WorkingGroup.open(repo) as wg:
            store, main = wg.record.store, wg.record.main()
            tree = store.write_tree(
                store.commit(main).tree, {"drafts/principles.md": b"# Principles\n\nRewritten.\n"}
            )
            parents = [main]
            if how == "member edits main":
                person = Person("Kenji Watanabe", "kenji.watanabe@example.net", int(time.time()))
                trailers = [("Member", MEMBER_PS), ("Stakeholder-Group", "private-sector")]
            else:
                parents.append(wg.amendments.amendment(wg.amendments.amendments()[0].id).head)
                merger = MEMBER_PS if how == "merge by a non-chair" else CHAIR
                person = Person("Somebody", "somebody@example.net", int(time.time()))
                if merger == MEMBER_PS:
                    person = Person(
                        "Kenji Watanabe", "kenji.watanabe@example.net", int(time.time())
                    )
                trailers = [("Amendment-Id", "00000000"), ("Merged-by", merger)]
            message = format_message("Change main", "", trailers)
            commit = store.write_commit(tree, parents, message, person, person)
            wg.record.move_main(commit, main)
    git(repo, "push", "--quiet", "origin", "main")


@pytest.mark.parametrize(
    "how",
    [
        "plain git commit",
        "member edits main",
        "merge by a non-chair",
        "chair merge with a forged committer",
    ],
)
def test_main_moved_outside_the_rules_is_reported(clones: Clones, how: str) -> None:
    _commit_on_main(clones.a, how)
    main_b = ref(clones.b, MAIN_REF)
    report = do_sync(clones.b)
    assert len(report.problems) == 1
    assert report.problems[0].startswith(
        "main on origin has 1 commit(s) that are neither chair merges nor secretariat changes"
    )
    assert ref(clones.b, MAIN_REF) == main_b
    assert ref(clones.origin, MAIN_REF) != main_b  # reported, and not pushed over either


def test_secretariat_changes_are_taken(clones: Clones) -> None:
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.add_member(
            "jdoe", name="Jo Doe", email="jo.doe@example.org", group="civil-society"
        )
        wg.drafts.add_draft("charter", title="Charter", text="One paragraph.\n")
    do_sync(clones.a)
    report = do_sync(clones.b)
    assert report.problems == [] and traffic(report) == ((0, 0, 0, 2, 0), NOTHING)
    with WorkingGroup.open(clones.b) as wg:
        assert "jdoe" in wg.record.roster.members and "charter" in wg.drafts.draft_slugs()


# -- versions ----------------------------------------------------------------------------------


def test_tags_are_taken_and_clashes_reported(clones: Clones) -> None:
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="First reading")
    assert traffic(do_sync(clones.a)) == (NOTHING, (0, 0, 0, 0, 1))
    assert traffic(do_sync(clones.b)) == ((0, 0, 0, 0, 1), NOTHING)
    assert ref(clones.b, "refs/tags/principles/v1") == ref(clones.a, "refs/tags/principles/v1")

    for repo, text in ((clones.a, "Second reading (a)"), (clones.b, "Second reading (b)")):
        with WorkingGroup.open(repo, SECRETARIAT) as wg:
            wg.procedure.tag("principles", "v2", message=text)
    do_sync(clones.a)
    mine = git(clones.b, "rev-parse", "refs/tags/principles/v2")
    report = do_sync(clones.b)
    assert report.problems == [
        "tag principles/v2 differs here and on origin: kept the one here; "
        "the secretariat should keep one of them"
    ]
    assert git(clones.b, "rev-parse", "refs/tags/principles/v2") == mine


# -- the command line and the index ------------------------------------------------------------


def test_sync_command_in_a_real_process(clones: Clones) -> None:
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.position(clones.amendment, "support")
    command = [sys.executable, "-m", "wgtool", "--repo", str(clones.b), "sync", "origin"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "Synced with origin",
        "Received: nothing new",
        "Sent: 1 event",
    ]
    assert "Fetching from origin" in result.stderr


def _answers(repo: Path) -> dict[str, object]:
    """What the commands answer, as JSON: for comparing before and after a reindex."""
    cli = Wg(repo)
    answers: dict[str, object] = {}
    commands = [
        ("amendments", "--json"),
        ("amendments", "--status", "open", "--json"),
        ("draft", "list", "--json"),
        ("member", "list", "--json"),
        ("versions", "principles", "--json"),
        ("versions", "roles", "--json"),
    ]
    for args in commands:
        answers[" ".join(args)] = json.loads(cli.ok(*args))
    listing: list[dict[str, str]] = json.loads(cli.ok("amendments", "--json"))
    for amendment in listing:
        answers[f"show {amendment['id']}"] = json.loads(cli.ok("show", amendment["id"], "--json"))
    return answers


def test_deleting_the_index_gives_the_same_answers(clones: Clones) -> None:
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        second = wg.amendments.propose(
            "roles", kind=Kind.INSERT, paragraph=1, text="A new role.", rationale="Needed."
        ).id
        wg.deliberation.position(clones.amendment, "object", reason="Too broad")
        wg.deliberation.comment(second, "Please support")
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.position(clones.amendment, "support")
    do_sync(clones.b)
    do_sync(clones.a)
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.merges.merge(agreed(wg, second))
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.procedure.tag("roles", "v1", message="Agreed")
    with WorkingGroup.open(clones.a, MEMBER_PS) as wg:
        wg.amendments.revise(
            clones.amendment, text="Enhanced cooperation involves every stakeholder."
        )
    do_sync(clones.a)
    do_sync(clones.b)

    before = _answers(clones.b)
    assert before == _answers(clones.a)  # both machines answer alike
    shutil.rmtree(clones.b / ".git" / "wgtool")
    assert _answers(clones.b) == before
    Wg(clones.b).ok("reindex")
    assert _answers(clones.b) == before


def test_clone_joins_a_working_group_with_its_amendments_and_deliberation(
    clones: Clones, tmp_path: Path
) -> None:
    """A remote whose HEAD is not main (plain `git init --bare`) still clones onto main."""
    from wgtool.cli import cli

    git(clones.origin, "symbolic-ref", "HEAD", "refs/heads/master")
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(clones.amendment, "Seen from machine a")
        assert not sync(wg).problems
    runner = Wg(tmp_path)
    result = runner.runner.invoke(cli, ["clone", str(clones.origin), str(tmp_path / "c")])
    assert result.exit_code == 0, result.output
    assert "Cloned" in result.stdout
    with WorkingGroup.open(tmp_path / "c", MEMBER_CS) as wg:
        assert [a.id for a in wg.amendments.amendments()] == [clones.amendment]
        assert [e.text for e in wg.deliberation.events(clones.amendment)] == ["Seen from machine a"]
        assert (tmp_path / "c" / "drafts" / "principles.md").exists()
    again = runner.runner.invoke(cli, ["clone", str(clones.origin), str(tmp_path / "c")])
    assert again.exit_code == 2 and "not empty" in again.stderr
    bad = runner.runner.invoke(cli, ["clone", str(tmp_path / "nowhere"), str(tmp_path / "d")])
    assert bad.exit_code == 5 and len(bad.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "d").exists()
