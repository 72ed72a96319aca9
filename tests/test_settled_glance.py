"""A write's reads at a glance behind the refs: positions and comments take the index file as
it is when only event chains grew since its refresh, by events that decide nothing; anything
else (a withdrawal or rejection, a merge, a chain set back or rewritten, an amendment revised)
makes them refresh first, so that nothing the rulebook refuses lands on a stale file's word."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    agreed,
    git,
    wgtool_ok,
    wgtool_run,
)
from tests.test_deliberation import propose
from tests.test_glance import busy  # noqa: F401 (a fixture)
from tests.test_glance_drafts import cli_loads, refreshed
from wgtool.core.desks import WorkingGroup
from wgtool.core.glance import INDEX_FILE, Glance, Unreadable
from wgtool.core.record.rulebook import AMENDMENTS_PREFIX, EVENTS_PREFIX


def open_one(repo: Path) -> str:
    """An open amendment nobody has taken a position on, proposed by MEMBER_PS."""
    with WorkingGroup.open(repo) as wg:
        opened = propose(wg, MEMBER_PS, 6)
        wg.record.refresh()
    return opened


def settled_glance(repo: Path) -> Glance | None:
    with WorkingGroup.open(repo) as wg:
        return Glance.current(wg.record.store, settled=True)


def test_a_glance_behind_by_positions_and_comments_reads_each_amendment_as_the_index(
    busy: Path,  # noqa: F811
) -> None:
    opened = open_one(busy)
    assert (found := settled_glance(busy)) is not None and found.grown == frozenset()
    found.close()
    # Positions and comments written without refreshing the index (as a process does).
    with WorkingGroup.open(busy) as wg:
        for handle, stance in ((MEMBER_GOV, "support"), (MEMBER_TECH, "object")):
            wg.record.act_as(handle)
            wg.deliberation.position(opened, stance)
        wg.record.act_as(MEMBER_CS)
        wg.deliberation.comment(opened, "A comment.")
        assert "index" not in wg.record.__dict__  # no refresh was needed
    with WorkingGroup.open(busy) as wg:
        assert Glance.current(wg.record.store) is None  # behind the refs: no plain glance
    seen = settled_glance(busy)
    assert seen is not None and seen.grown == {opened}
    try:
        with pytest.raises(Unreadable):  # the events it has not read are never answered
            seen.events(opened)
        with pytest.raises(Unreadable):
            seen.chain_events(None, ["position"])
        with WorkingGroup.open(busy) as wg:
            index = wg.record.index
            index.refresh()
            ids = index.amendment_ids()
            others = [i for i in ids if i != opened]
            for amendment_id in ids:  # every row as the refreshed index has it
                assert seen.amendment(amendment_id) == index.amendment(amendment_id)
                assert seen.resolve_prefix(amendment_id[:3]) == index.resolve_prefix(
                    amendment_id[:3]
                )
            assert seen.chain_events(others) == index.chain_events(others)
            assert seen.tips == {
                ref: sha for ref, sha in index.refresh().items() if not ref.startswith("refs/tags")
            }
    finally:
        seen.close()


def test_positions_and_comments_after_positions_import_no_sqlalchemy(
    busy: Path,  # noqa: F811
) -> None:
    opened = open_one(busy)
    wgtool_ok(busy, "position", opened, "support", actor=MEMBER_GOV)
    commands = [
        ["--as", MEMBER_TECH, "position", opened, "object"],
        ["--as", MEMBER_CS, "comment", opened, "Why object?"],
        ["--as", MEMBER_TECH, "position", opened[:5], "support", "--reason", "Convinced."],
        ["--as", MEMBER_GOV, "comment", opened, "Thanks."],
    ]
    assert cli_loads(busy, *commands) == []
    # What they wrote is what the refreshed index reads, the rulebook judging it.
    with WorkingGroup.open(busy) as wg:
        events = [(e.type, e.member, e.stance) for e in wg.deliberation.events(opened)]
    assert events == [
        ("position", MEMBER_GOV, "support"),
        ("position", MEMBER_TECH, "object"),
        ("comment", MEMBER_CS, None),
        ("position", MEMBER_TECH, "support"),
        ("comment", MEMBER_GOV, None),
    ]


def withdrawn(repo: Path, amendment_id: str) -> str:
    with WorkingGroup.open(repo, MEMBER_PS) as wg:
        wg.deliberation.withdraw(amendment_id)
    return "withdrawn"


def rejected(repo: Path, amendment_id: str) -> str:
    with WorkingGroup.open(repo, CHAIR) as wg:
        wg.deliberation.reject(amendment_id, reason="Out of scope.")
    return "rejected"


def merged(repo: Path, amendment_id: str) -> str:
    with WorkingGroup.open(repo) as wg:
        agreed(wg, amendment_id)
        wg.record.act_as(CHAIR)
        wg.merges.merged(amendment_id)  # the index is left behind main
    return "merged"


@pytest.mark.parametrize("decide", [withdrawn, rejected, merged])
def test_a_decision_the_index_has_not_read_still_refuses_a_position(
    busy: Path,  # noqa: F811
    decide: object,
) -> None:
    """Decided by another process that left the index file behind: the glance declines, the
    position refreshes and is refused, as it would be from a refreshed index."""
    opened = open_one(busy)
    wgtool_ok(busy, "position", opened, "support", actor=MEMBER_GOV)  # its chain grew
    status = decide(busy, opened)  # type: ignore[operator]
    assert settled_glance(busy) is None
    chain = git(busy, "rev-parse", EVENTS_PREFIX + opened)
    for argv in (["position", opened, "object"], ["position", opened[:6], "support"]):
        done = wgtool_run(busy, *argv, actor=MEMBER_TECH)
        assert done.returncode != 0, done.stdout
        assert f"cannot take a position on amendment {opened}: it is {status}" in done.stderr
    assert git(busy, "rev-parse", EVENTS_PREFIX + opened) == chain  # nothing written


def test_a_chain_set_back_rewritten_or_an_amendment_moved_is_not_taken_at_a_glance(
    busy: Path,  # noqa: F811
) -> None:
    opened = open_one(busy)
    wgtool_ok(busy, "position", opened, "support", actor=MEMBER_GOV)
    wgtool_ok(busy, "position", opened, "object", actor=MEMBER_TECH)
    refreshed(busy)
    tip = git(busy, "rev-parse", EVENTS_PREFIX + opened).strip()
    wgtool_ok(busy, "comment", opened, "Grown.", actor=MEMBER_CS)
    assert (seen := settled_glance(busy)) is not None and seen.grown == {opened}
    seen.close()
    # Set back with plain git, below the tip the index read: not a chain that grew.
    git(busy, "update-ref", EVENTS_PREFIX + opened, f"{tip}~1")
    assert settled_glance(busy) is None
    # Rewritten: the same event on no parent (a commit the index never read).
    tree = git(busy, "rev-parse", f"{tip}^{{tree}}").strip()
    message = git(busy, "log", "-1", "--format=%B", tip)
    rewritten = git(busy, "commit-tree", tree, "-m", message).strip()
    git(busy, "update-ref", EVENTS_PREFIX + opened, rewritten)
    assert settled_glance(busy) is None
    git(busy, "update-ref", EVENTS_PREFIX + opened, tip)
    assert (seen := settled_glance(busy)) is not None and seen.grown == frozenset()
    seen.close()
    # An amendment's ref moved (here deleted): the rows are not settled.
    other = next(
        name
        for name in git(busy, "for-each-ref", "--format=%(refname)", AMENDMENTS_PREFIX).split()
        if not name.endswith(opened)
    )
    git(busy, "update-ref", "-d", other)
    assert settled_glance(busy) is None


def test_tips_edited_by_hand_in_the_file_make_the_glance_decline(
    busy: Path,  # noqa: F811
    tmp_path: Path,
) -> None:
    """A withdrawal the index has not read (fetched with plain git, with a comment on another
    amendment), hidden by giving its chain's new tip to the tips the file keeps: they are no
    longer those its fingerprint was taken of, so the position refreshes and is refused."""
    opened = open_one(busy)
    with WorkingGroup.open(busy) as wg:
        other = next(a.id for a, _ in wg.deliberation.listing(status="open") if a.id != opened)
    wgtool_ok(busy, "position", opened, "support", actor=MEMBER_GOV)
    refreshed(busy)  # the index has read both chains: the file keeps their tips
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(busy, elsewhere)
    withdrawn(elsewhere, opened)
    wgtool_ok(elsewhere, "comment", other, "Another chain grows.", actor=MEMBER_CS)
    git(busy, "fetch", "--quiet", str(elsewhere), "+refs/wg/events/*:refs/wg/events/*")
    assert settled_glance(busy) is None  # the withdrawal is seen
    tip = git(busy, "rev-parse", EVENTS_PREFIX + opened).strip()
    with sqlite3.connect(busy / ".git" / "wgtool" / INDEX_FILE) as db:
        db.execute(
            "UPDATE reftip SET sha = ? WHERE ref = ?", (bytes.fromhex(tip), EVENTS_PREFIX + opened)
        )
    assert settled_glance(busy) is None  # only the comment's chain moved, says the file
    done = wgtool_run(busy, "position", opened, "object", actor=MEMBER_TECH)
    assert done.returncode != 0 and "it is withdrawn" in done.stderr, done.stdout
