"""Each member's desk: what changed since they last looked, on real repositories.

The core (``wg.inbox.inbox``, ``wg.inbox.mark_seen``) and the command (``wgtool inbox``, and
the news block ``wgtool sync`` prints) over a real example working group, real git and real
SQLite.
"""

from __future__ import annotations

import json
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
    Wg,
    agreed,
    git,
    propose_sample,
    written_before_controls_were_refused,
)
from wgtool.core.desks import Inbox, WorkingGroup
from wgtool.core.desks import inbox as inbox_desk
from wgtool.core.inbox import LAST_LOOK_FILE
from wgtool.core.model import Kind


def look(repo: Path, handle: str, **filters: bool) -> Inbox:
    """The member's inbox, marked as seen (as 'wgtool inbox' does)."""
    with WorkingGroup.open(repo, handle) as wg:
        box = wg.inbox.inbox(**filters)
        wg.inbox.mark_seen(box)
        return box


def kinds(box: Inbox, amendment_id: str) -> list[str]:
    item = next(i for i in box.news.amendments if i.amendment.id == amendment_id)
    return [c.kind for c in item.changes]


def ids(box: Inbox) -> list[str]:
    return [i.amendment.id for i in box.news.amendments]


def act(repo: Path, handle: str):  # type: ignore[no-untyped-def]
    return WorkingGroup.open(repo, handle)


# -- the core ----------------------------------------------------------------------------------


def test_first_look_shows_everything_then_only_what_others_did(example_repo: Path) -> None:
    amendment = propose_sample(example_repo, MEMBER_PS)
    first = look(example_repo, MEMBER_CS)
    assert first.since is None and kinds(first, amendment) == ["new"]
    assert first.news.amendments[0].needs_position

    assert not look(example_repo, MEMBER_CS).news  # marked as seen

    with act(example_repo, MEMBER_CS) as wg:  # what I do myself is no news to me
        wg.deliberation.position(amendment, "object", reason="Too vague.")
    with act(example_repo, MEMBER_GOV) as wg:
        wg.deliberation.comment(amendment, "Which stakeholders?")
    box = look(example_repo, MEMBER_CS)
    assert box.since is not None
    assert kinds(box, amendment) == ["comment"]
    change = box.news.amendments[0].changes[0]
    assert (change.member, change.text) == (MEMBER_GOV, "Which stakeholders?")
    assert not box.news.amendments[0].needs_position  # they took one on this revision


def test_revision_merge_and_version_are_news(example_repo: Path) -> None:
    amendment = propose_sample(example_repo, MEMBER_PS)
    look(example_repo, MEMBER_TECH)
    with act(example_repo, MEMBER_TECH) as wg:
        wg.deliberation.position(amendment, "support")
    with act(example_repo, MEMBER_PS) as wg:
        wg.amendments.revise(amendment, text="Enhanced cooperation involves every stakeholder.")
    box = look(example_repo, MEMBER_TECH)
    assert kinds(box, amendment) == ["revised"]
    assert box.news.amendments[0].needs_position  # the position was on revision 1

    with act(example_repo, CHAIR) as wg:
        wg.merges.merge(agreed(wg, amendment))
    with act(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="First reading")
    box = look(example_repo, MEMBER_TECH)
    assert kinds(box, amendment) == ["position", "merged"]
    assert box.news.amendments[0].changes[-1].member == CHAIR
    assert [v.tag for v in box.news.versions] == ["principles/v1"]
    assert not look(example_repo, MEMBER_TECH).news


def test_rejection_and_withdrawal_name_who_decided(example_repo: Path) -> None:
    rejected = propose_sample(example_repo, MEMBER_PS)
    withdrawn = propose_sample(example_repo, MEMBER_GOV)
    look(example_repo, MEMBER_CS)
    with act(example_repo, CHAIR) as wg:
        wg.deliberation.reject(rejected, reason="Out of scope.")
    with act(example_repo, MEMBER_GOV) as wg:
        wg.deliberation.withdraw(withdrawn, reason="Covered elsewhere.")
    box = look(example_repo, MEMBER_CS)
    assert kinds(box, rejected) == ["rejected"] and kinds(box, withdrawn) == ["withdrawn"]
    said = {i.amendment.id: i.changes[0].describe() for i in box.news.amendments}
    assert said == {
        rejected: f"rejected by {CHAIR}: Out of scope.",
        withdrawn: f"withdrawn by {MEMBER_GOV}: Covered elsewhere.",
    }
    assert box.waiting == 0


def test_filters_mark_only_what_they_show(example_repo: Path) -> None:
    mine = propose_sample(example_repo, MEMBER_TECH)
    theirs = propose_sample(example_repo, MEMBER_PS)
    look(example_repo, MEMBER_TECH)
    with act(example_repo, MEMBER_CS) as wg:
        wg.deliberation.comment(mine, "On mine.")
        wg.deliberation.comment(theirs, "On theirs.")

    box = look(example_repo, MEMBER_TECH, mine=True)
    assert ids(box) == [mine] and box.news.amendments[0].mine
    assert box.news.versions == ()
    assert ids(look(example_repo, MEMBER_TECH, needs_position=True)) == [theirs]
    assert not look(example_repo, MEMBER_TECH).news  # both were shown and marked

    with act(example_repo, MEMBER_CS) as wg:
        wg.deliberation.comment(theirs, "Again.")
    assert not look(example_repo, MEMBER_TECH, mine=True).news
    assert ids(look(example_repo, MEMBER_TECH)) == [theirs]  # not marked by --mine


def test_needs_position_all_is_the_to_do_list(example_repo: Path) -> None:
    first = propose_sample(example_repo, MEMBER_PS)
    second = propose_sample(example_repo, MEMBER_GOV)
    propose_sample(example_repo, MEMBER_TECH)  # my own: never waits for me
    look(example_repo, MEMBER_TECH)
    with act(example_repo, MEMBER_TECH) as wg:
        wg.deliberation.position(first, "support")
        box = wg.inbox.inbox(needs_position=True, everything=True)
    assert ids(box) == [second] and box.waiting == 1
    assert box.news.amendments[0].changes == ()  # unchanged since the last look, still listed


def test_peek_leaves_the_last_look(example_repo: Path) -> None:
    amendment = propose_sample(example_repo, MEMBER_PS)
    with act(example_repo, MEMBER_CS) as wg:
        assert ids(wg.inbox.inbox()) == [amendment]
        assert ids(wg.inbox.inbox()) == [amendment]
    assert not (example_repo / ".git" / "wgtool" / LAST_LOOK_FILE).exists()


def test_last_look_is_per_member_and_per_clone(clones: Clones) -> None:
    assert ids(look(clones.a, MEMBER_CS)) == [clones.amendment]
    assert not look(clones.a, MEMBER_CS).news
    assert ids(look(clones.a, MEMBER_GOV)) == [clones.amendment]  # another member: their own
    assert ids(look(clones.b, MEMBER_CS)) == [clones.amendment]  # another clone: its own
    data = json.loads((clones.a / ".git" / "wgtool" / LAST_LOOK_FILE).read_text())
    assert sorted(data["members"]) == [MEMBER_CS, MEMBER_GOV]
    assert git(clones.a, "status", "--porcelain") == ""  # outside the record
    assert [p.name for p in (clones.a / ".git" / "wgtool").glob(".last-look.*")] == []


def test_a_damaged_last_look_starts_afresh(example_repo: Path) -> None:
    amendment = propose_sample(example_repo, MEMBER_PS)
    look(example_repo, MEMBER_CS)
    (example_repo / ".git" / "wgtool" / LAST_LOOK_FILE).write_text("{not json")
    with act(example_repo, MEMBER_CS) as wg:
        box = wg.inbox.inbox()
        wg.inbox.mark_seen(box)
        assert box.since is None and ids(box) == [amendment]
        assert any("last-look.json" in n and "afresh" in n for n in wg.record.notices)
    assert not look(example_repo, MEMBER_CS).news


# -- the command -------------------------------------------------------------------------------


def test_inbox_command_says_what_changed_and_marks_it(wgcli: Wg, example_repo: Path) -> None:
    out = wgcli.ok("inbox", actor=MEMBER_CS)
    assert out == "No amendments and no versions yet\n"
    amendment = propose_sample(example_repo, MEMBER_PS)
    out = wgcli.ok("inbox", "--peek", actor=MEMBER_CS)
    assert out.startswith("Since your last look (")
    assert out.splitlines()[1:3] == [
        f"{amendment}  principles ¶1  open  Amend paragraph 1 of principles  [needs your position]",
        f"    new, proposed by {MEMBER_PS} (private-sector)",
    ]
    assert "1 open amendment needs your position" in out
    data = json.loads(wgcli.ok("inbox", "--json", actor=MEMBER_CS))
    assert not data["first_look"] and data["amendments"][0]["amendment"]["id"] == amendment
    assert data["amendments"][0]["changes"][0]["kind"] == "new"
    out = wgcli.ok("inbox", actor=MEMBER_CS)
    assert out.startswith("Nothing new since your last look (")
    assert wgcli.ok("inbox", "--mine", actor=MEMBER_CS).startswith("No amendments match --mine\n")
    assert json.loads(wgcli.ok("inbox", "--json", actor=MEMBER_CS))["amendments"] == []


def test_inbox_shows_member_text_as_text(wgcli: Wg, example_repo: Path) -> None:
    amendment = propose_sample(example_repo, MEMBER_PS)
    wgcli.ok("inbox", actor=MEMBER_CS)
    with written_before_controls_were_refused(), act(example_repo, MEMBER_GOV) as wg:
        wg.deliberation.comment(amendment, "[bold]x[/bold] \x1b[31mred\u202e")
    out = wgcli.ok("inbox", actor=MEMBER_CS)
    assert "\x1b" not in out and "\u202e" not in out
    assert "[bold]x[/bold] \\x1b[31mred" in out


def test_inbox_needs_an_acting_member(wgcli: Wg) -> None:
    result = wgcli("inbox")
    assert result.exit_code == 1 and "who is acting?" in result.stderr
    assert result.stdout == ""


def test_sync_prints_what_arrived(clones: Clones) -> None:
    with WorkingGroup.open(clones.a, MEMBER_TECH) as wg:
        wg.deliberation.position(clones.amendment, "support", reason="Fine.")
        fresh = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=2, text=None, rationale="Redundant."
        ).id
    Wg(clones.a).ok("sync")
    out = Wg(clones.b).ok("sync")
    assert "Received: 1 new amendment, 1 event" in out
    arrived = out[out.index("What arrived:\n") :].splitlines()
    assert arrived[0] == "What arrived:" and len(arrived) == 5
    blocks = {arrived[i]: arrived[i + 1] for i in (1, 3)}  # amendments of one second: any order
    assert blocks == {
        f"{clones.amendment}  principles ¶1  open  Amend paragraph 1 of principles": (
            f"    {MEMBER_TECH} (technical-academic): support: Fine."
        ),
        f"{fresh}  principles -2  open  Delete paragraph 2 of principles": (
            f"    new, proposed by {MEMBER_TECH} (technical-academic)"
        ),
    }
    assert "What arrived" not in Wg(clones.b).ok("sync")


def test_many_changed_amendments_are_read_in_one_pass(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past FEW changed amendments every row is read and the changed ones picked out: the
    same answer as reading them by id."""
    first, second = (
        propose_sample(example_repo, MEMBER_PS),
        propose_sample(example_repo, MEMBER_GOV),
    )
    look(example_repo, MEMBER_CS)
    with act(example_repo, MEMBER_TECH) as wg:
        wg.deliberation.comment(second, "Only this one changed.")
    with act(example_repo, MEMBER_CS) as wg:
        by_id = wg.inbox.inbox()
        monkeypatch.setattr(inbox_desk, "FEW", 0)
        in_one_pass = wg.inbox.inbox()
    assert by_id.news == in_one_pass.news and ids(by_id) == [second] and first not in ids(by_id)
