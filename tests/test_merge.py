"""Merging never records text nobody agreed to: conflicts found wherever they are, resolutions
that touch only the conflict, merges gated on consensus, dry runs, reverts and lapsed amendments.

On real repositories, through the real command line.
"""

from __future__ import annotations

import itertools
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_TECH, Wg, agree_cli, git
from wgtool.core import document
from wgtool.core.demo import create_demo
from wgtool.core.desks import WorkingGroup

# --------------------------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------------------------


def paragraph(repo: Path, number: int, slug: str = "principles") -> str:
    with WorkingGroup.open(repo) as wg:
        return document.paragraph(wg.drafts.draft(slug).text, number).text


def propose(wgcli: Wg, actor: str, number: int, old: str, new: str) -> str:
    text = paragraph(wgcli.repo, number)
    assert old in text, (old, text)
    return wgcli.ok(
        "propose",
        "principles",
        "--paragraph",
        str(number),
        "--text",
        text.replace(old, new, 1),
        "--rationale",
        f"{actor} prefers {new}",
        actor=actor,
    ).strip()


def draft(repo: Path) -> str:
    return git(repo, "show", "main:drafts/principles.md")


def state(repo: Path) -> tuple[str, str, str]:
    """Refs, the checked-out draft and the index's rows: what a refusal must leave alone.

    The index is brought up to date first (a command refreshes it before it writes, so it may
    lag one write behind the refs).
    """
    with WorkingGroup.open(repo) as wg:
        wg.record.refresh()
    refs = git(repo, "for-each-ref")
    worktree = (repo / "drafts" / "principles.md").read_text()
    with sqlite3.connect(repo / ".git" / "wgtool" / "index.sqlite") as db:
        rows = "\n".join(db.iterdump())
    return refs, worktree, rows


def trailers(repo: Path, rev: str = "main") -> dict[str, str]:
    out = git(repo, "log", "-1", "--format=%(trailers:only,unfold)", rev)
    return dict(line.split(": ", 1) for line in out.splitlines() if ": " in line)


# --------------------------------------------------------------------------------------------
# the demo's two insertions at one point conflict in every order of merges
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "wg"
    create_demo(path)
    return path


def _open_amendments(repo: Path) -> dict[str, str]:
    with WorkingGroup.open(repo) as wg:
        return {a.title: a.id for a in wg.amendments.amendments(status="open")}


def _orders(titles: list[str]) -> list[tuple[str, ...]]:
    """Every single other amendment first, every pair in both orders, and all of them."""
    pairs = list(itertools.permutations(titles, 2))
    return [(), *[(t,) for t in titles], *pairs, tuple(titles), tuple(reversed(titles))]


def test_two_insertions_at_one_point_conflict_in_every_order_of_merges(
    demo: Path, tmp_path: Path
) -> None:
    """ "lawful and" (merged) and "necessary and" (open) insert before "proportionate"."""
    ids = _open_amendments(demo)
    necessary = ids.pop("Necessary and proportionate")
    others = sorted(ids)
    for number, order in enumerate(_orders(others)):
        repo = tmp_path / f"wg{number}"
        shutil.copytree(demo, repo, symlinks=True)
        wgcli = Wg(repo)
        for title in order:
            result = wgcli(
                "merge", ids[title], "--override-consensus", "--reason", "test order", actor=CHAIR
            )
            assert result.exit_code in (0, 3), (order, title, result.stderr)
        before = state(repo)
        result = wgcli("merge", necessary, "--override-consensus", "--reason", "x", actor=CHAIR)
        assert result.exit_code == 3, (order, result.stdout, result.stderr)
        assert "lawful and necessary" not in draft(repo)
        assert state(repo) == before
        dry = wgcli("merge", necessary, "--dry-run", actor=CHAIR)
        assert dry.exit_code == 3 and "conflicts" in dry.stdout, order


# --------------------------------------------------------------------------------------------
# consensus
# --------------------------------------------------------------------------------------------


def test_merge_without_consensus_is_refused_with_the_state_and_writes_nothing(
    wgcli: Wg,
) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("position", a, "support", actor=MEMBER_TECH)  # the proposer alone
    wgcli.ok("position", a, "object", actor="cdubois")
    before = state(wgcli.repo)
    result = wgcli("merge", a, actor=CHAIR)
    assert result.exit_code == 6
    line = result.stderr.strip()
    assert len(line.splitlines()) == 1
    assert "objection" in line and "objecting: private-sector" in line
    assert "not heard: governments" in line and "--override-consensus" in line
    assert state(wgcli.repo) == before


def test_the_proposers_own_support_is_no_consensus(wgcli: Wg) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("position", a, "support", actor=MEMBER_TECH)
    assert wgcli("merge", a, actor=CHAIR).exit_code == 6
    shown = json.loads(wgcli.ok("show", a, "--json"))
    tech = next(g for g in shown["consensus"]["groups"] if g["group"] == "technical-academic")
    assert tech["state"] == "not heard"
    assert tech["positions"][0]["proposer"] is True
    # Another member of the same group makes the group support.
    wgcli.ok("position", a, "support", actor="oadeyemi")
    wgcli.ok("merge", a, actor=CHAIR)


def test_a_merge_records_the_consensus_it_was_taken_on(wgcli: Wg) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("position", a, "support", actor=MEMBER_GOV)
    wgcli.ok("position", a, "no-objection", actor=MEMBER_CS)
    out = wgcli.ok("merge", a, actor=CHAIR)
    assert "consensus reached" in out
    found = trailers(wgcli.repo)
    assert found["Consensus"] == "reached"
    assert found["Supporting-Groups"] == "governments"
    assert found["Objecting-Groups"] == ""
    assert found["Not-Heard"] == "private-sector, technical-academic, intergovernmental"
    assert "Override-Reason" not in found
    shown = json.loads(wgcli.ok("show", a, "--json"))
    assert shown["adoption"]["consensus"] == "reached"
    assert shown["adoption"]["supporting_groups"] == ["governments"]
    assert "Adopted:   consensus reached" in wgcli.ok("show", a)


def test_the_chair_may_override_with_a_reason_which_is_recorded(wgcli: Wg) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("position", a, "object", actor=MEMBER_GOV)
    no_reason = wgcli("merge", a, "--override-consensus", actor=CHAIR)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.stderr
    wgcli.ok("merge", a, "--override-consensus", "--reason", "Agreed in the room", actor=CHAIR)
    found = trailers(wgcli.repo)
    assert found["Consensus"] == "overridden"
    assert found["Objecting-Groups"] == "governments"
    assert found["Override-Reason"] == "Agreed in the room"
    shown = json.loads(wgcli.ok("show", a, "--json"))
    assert shown["adoption"] == {
        "consensus": "overridden",
        "supporting_groups": [],
        "objecting_groups": ["governments"],
        "not_heard": ["private-sector", "civil-society", "technical-academic", "intergovernmental"],
        "override_reason": "Agreed in the room",
        "silence": None,
        "disputed_by": [],
    }
    compilation = wgcli.ok("export", "principles", "--format", "compilation", "--all")
    assert "consensus overridden" in compilation and "Agreed in the room" in compilation
    audit = wgcli.ok("verify").splitlines()
    at = audit.index("1 merge on main, 1 adopted with consensus overridden by the chair:")
    assert audit[at + 1].startswith(f"  amendment {a[:8]}, ")
    assert audit[at + 1].endswith(f", by {CHAIR}: Agreed in the room")


def test_a_revision_needs_consensus_again(wgcli: Wg) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    agree_cli(wgcli, a)
    text = paragraph(wgcli.repo, 5).replace("preserve", "guard", 1)
    wgcli.ok("revise", a, "--text", text, actor=MEMBER_TECH)
    assert wgcli("merge", a, actor=CHAIR).exit_code == 6


# --------------------------------------------------------------------------------------------
# dry run
# --------------------------------------------------------------------------------------------


def test_dry_run_prints_the_change_with_its_paragraph_and_writes_nothing(wgcli: Wg) -> None:
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    wgcli.ok("amendments")
    before = state(wgcli.repo)
    out = wgcli.ok("merge", a, "--dry-run", actor=CHAIR)
    assert "¶5:" in out and "[-preserve-]{+protect+}" in out
    assert "nothing is written" in out and "Consensus: reached; supporting:" in out
    data = json.loads(wgcli.ok("merge", a, "--dry-run", "--json", actor=CHAIR))
    assert data["clean"] is True and data["exit_code"] == 0 and data["conflicts"] == []
    (change,) = data["changes"]
    assert change["paragraph"] == "¶5"
    assert {"op": "insert", "text": "protect"} in change["diff"]
    assert state(wgcli.repo) == before


def test_dry_run_exits_as_the_merge_would(wgcli: Wg) -> None:
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    b = propose(wgcli, MEMBER_CS, 5, "preserve", "defend")
    pending = wgcli("merge", a, "--dry-run", actor=CHAIR)
    assert pending.exit_code == 6 and "--override-consensus" in pending.stdout
    wgcli.ok("merge", agree_cli(wgcli, a), actor=CHAIR)
    conflict = wgcli("merge", b, "--dry-run", "--json", actor=CHAIR)
    assert conflict.exit_code == 3
    data = json.loads(conflict.stdout)
    assert data["clean"] is False and data["changes"] == []
    (place,) = data["conflicts"]
    assert place["paragraph"] == "¶5"
    assert "protect" in place["current"] and "defend" in place["amendment"]
    # Anyone may ask what a merge would do (say, the proposer after main moved).
    asked = json.loads(wgcli("merge", b, "--dry-run", "--json", actor=MEMBER_CS).stdout)
    assert asked == data


# --------------------------------------------------------------------------------------------
# resolutions touch only the conflict
# --------------------------------------------------------------------------------------------


@pytest.fixture
def conflicted(wgcli: Wg) -> tuple[Wg, str]:
    """Paragraph 5 changed on main since amendment ``b`` was proposed; b conflicts there."""
    a = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    b = propose(wgcli, MEMBER_CS, 5, "preserve", "defend")
    c = propose(wgcli, MEMBER_GOV, 7, "legitimate", "essential")
    wgcli.ok("merge", agree_cli(wgcli, a), actor=CHAIR)
    agree_cli(wgcli, b)
    agree_cli(wgcli, c)
    return wgcli, b


def test_the_conflict_message_names_the_paragraph_to_give(conflicted: tuple[Wg, str]) -> None:
    wgcli, b = conflicted
    result = wgcli("merge", b, actor=CHAIR)
    assert result.exit_code == 3
    first = result.stderr.splitlines()[0]
    assert "¶5" in first and "--resolved-file" in first and "that paragraph" in first


def test_a_one_paragraph_resolution_changes_only_that_paragraph(
    conflicted: tuple[Wg, str], tmp_path: Path
) -> None:
    wgcli, b = conflicted
    before = draft(wgcli.repo)
    resolved = paragraph(wgcli.repo, 5).replace("protect", "protect and defend", 1)
    source = tmp_path / "p5.md"
    source.write_text(resolved + "\n")
    wgcli.ok("merge", b, "--resolved-file", str(source), actor=CHAIR)
    after = draft(wgcli.repo)
    old_paras = [p.text for p in document.paragraphs(before)]
    new_paras = [p.text for p in document.paragraphs(after)]
    assert len(new_paras) == len(old_paras)
    assert new_paras[4] == resolved
    assert new_paras[:4] == old_paras[:4] and new_paras[5:] == old_paras[5:]
    assert trailers(wgcli.repo)["Resolved-by"] == CHAIR


def test_a_resolution_with_the_wrong_number_of_paragraphs_is_refused(
    conflicted: tuple[Wg, str], tmp_path: Path
) -> None:
    wgcli, b = conflicted
    before = state(wgcli.repo)
    source = tmp_path / "two.md"
    source.write_text(paragraph(wgcli.repo, 5) + "\n\n" + paragraph(wgcli.repo, 6) + "\n")
    result = wgcli("merge", b, "--resolved-file", str(source), actor=CHAIR)
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert "2 paragraph(s)" in result.stderr and "¶5" in result.stderr
    assert state(wgcli.repo) == before


def test_a_whole_draft_that_changes_other_paragraphs_is_refused_naming_them(
    conflicted: tuple[Wg, str], tmp_path: Path
) -> None:
    wgcli, b = conflicted
    text = draft(wgcli.repo)
    edited = text.replace("protect", "protect and defend", 1)
    source = tmp_path / "draft.md"
    # Changing paragraph 9 as well is not a resolution of paragraph 5.
    source.write_text(edited.replace(paragraph(wgcli.repo, 9), "Something else entirely."))
    before = state(wgcli.repo)
    result = wgcli("merge", b, "--resolved-file", str(source), actor=CHAIR)
    refusal = result.stderr.split(";")[0]  # what it would change besides the conflict
    assert result.exit_code == 2 and "¶9" in refusal and "¶5" not in refusal
    assert state(wgcli.repo) == before
    # The same whole draft changing only paragraph 5 is accepted as its resolution.
    source.write_text(edited)
    wgcli.ok("merge", b, "--resolved-file", str(source), actor=CHAIR)
    assert draft(wgcli.repo) == edited


def test_whole_draft_replacement_is_confined_to_the_conflict(
    conflicted: tuple[Wg, str], tmp_path: Path
) -> None:
    """A whole draft given as the resolution may change the conflicting paragraphs only: one
    that also drops paragraph 9 would write words (none) no amendment proposed."""
    wgcli, b = conflicted
    text = draft(wgcli.repo)
    edited = text.replace("protect", "protect and defend", 1)
    source = tmp_path / "draft.md"
    source.write_text(edited.replace("\n\n" + paragraph(wgcli.repo, 9), ""))
    before = state(wgcli.repo)
    result = wgcli("merge", b, "--resolved-file", str(source), "--whole-draft", actor=CHAIR)
    assert result.exit_code == 2 and "¶9" in result.stderr, result.stderr
    assert "conflicting paragraphs" in result.stderr
    assert state(wgcli.repo) == before
    source.write_text(edited)
    count = len(document.paragraphs(text))
    out = wgcli.ok("merge", b, "--resolved-file", str(source), "--whole-draft", actor=CHAIR)
    assert f"{count} paragraph(s) before, {count} after" in out
    assert draft(wgcli.repo) == edited


def test_a_resolution_for_a_clean_merge_is_refused(wgcli: Wg, tmp_path: Path) -> None:
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    source = tmp_path / "p5.md"
    source.write_text("Anything.\n")
    before = state(wgcli.repo)
    result = wgcli("merge", a, "--resolved-file", str(source), actor=CHAIR)
    assert result.exit_code == 1 and "no longer conflicts" in result.stderr
    assert state(wgcli.repo) == before


# --------------------------------------------------------------------------------------------
# revert
# --------------------------------------------------------------------------------------------


def test_revert_takes_the_change_out_and_keeps_later_merges(wgcli: Wg) -> None:
    original = draft(wgcli.repo)
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    c = agree_cli(wgcli, propose(wgcli, MEMBER_GOV, 7, "legitimate", "essential"))
    wgcli.ok("merge", a, actor=CHAIR)
    wgcli.ok("merge", c, actor=CHAIR)
    merges = git(wgcli.repo, "rev-list", "main")
    out = wgcli.ok("revert", a, "--reason", "Adopted by mistake", actor=CHAIR)
    assert out.startswith(f"Reverted {a}")
    after = draft(wgcli.repo)
    assert after == original.replace("legitimate", "essential", 1)
    # History is never rewritten: the merges are still there, the revert is a new commit.
    assert set(merges.split()) < set(git(wgcli.repo, "rev-list", "main").split())
    found = trailers(wgcli.repo)
    assert found["Action"] == "revert" and found["Reverts-Amendment"] == a
    assert found["Reverted-by"] == CHAIR and found["Member"] == CHAIR
    assert "Adopted by mistake" in git(wgcli.repo, "log", "-1", "--format=%B", "main")
    shown = json.loads(wgcli.ok("show", a, "--json"))
    assert shown["status"] == "reverted" and shown["reverted_by"] == CHAIR
    listed = {x["id"]: x["status"] for x in json.loads(wgcli.ok("amendments", "--json"))}
    assert listed[a] == "reverted" and listed[c] == "merged"
    wgcli.ok("reindex")
    assert {x["id"]: x["status"] for x in json.loads(wgcli.ok("amendments", "--json"))} == listed


def test_revert_conflicting_with_a_later_merge_is_exit_3_and_writes_nothing(wgcli: Wg) -> None:
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    wgcli.ok("merge", a, actor=CHAIR)
    b = agree_cli(wgcli, propose(wgcli, MEMBER_CS, 5, "protect", "guard"))
    wgcli.ok("merge", b, actor=CHAIR)
    before = state(wgcli.repo)
    result = wgcli("revert", a, "--reason", "r", actor=CHAIR)
    assert result.exit_code == 3
    assert state(wgcli.repo) == before


def test_revert_needs_the_chair_and_a_merged_amendment(wgcli: Wg) -> None:
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    assert wgcli("revert", a, "--reason", "r", actor=CHAIR).exit_code == 1  # still open
    wgcli.ok("merge", a, actor=CHAIR)
    before = state(wgcli.repo)
    assert wgcli("revert", a, "--reason", "r", actor=MEMBER_GOV).exit_code == 4
    assert wgcli("revert", a, actor=CHAIR).exit_code == 2  # no reason
    assert state(wgcli.repo) == before
    wgcli.ok("revert", a, "--reason", "r", actor=CHAIR)
    assert wgcli("revert", a, "--reason", "again", actor=CHAIR).exit_code == 1


# --------------------------------------------------------------------------------------------
# lapsed amendments
# --------------------------------------------------------------------------------------------


def test_an_amendment_whose_paragraph_was_deleted_lapses(wgcli: Wg) -> None:
    edit = propose(wgcli, MEMBER_TECH, 9, "the", "each")
    delete = wgcli.ok(
        "propose", "principles", "--delete", "9", "--rationale", "Redundant.", actor=MEMBER_GOV
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, delete), actor=CHAIR)
    listed = {x["id"]: x["status"] for x in json.loads(wgcli.ok("amendments", "--json"))}
    assert listed[edit] == "lapsed"
    lapsed = json.loads(wgcli.ok("amendments", "--status", "lapsed", "--json"))
    assert [x["id"] for x in lapsed] == [edit]
    assert "no longer in the draft" in wgcli.ok("show", edit)
    refused = wgcli("position", edit, "support", actor=MEMBER_GOV)
    assert refused.exit_code == 1 and "no longer in the draft" in refused.stderr
    before = state(wgcli.repo)
    refused = wgcli("merge", edit, "--override-consensus", "--reason", "x", actor=CHAIR)
    assert refused.exit_code == 1 and "no longer in the draft" in refused.stderr
    assert state(wgcli.repo) == before
    compilation = wgcli.ok("export", "principles", "--format", "compilation")
    assert "lapsed" in compilation
    # Reverting the deletion brings the paragraph back, and the amendment is open again.
    wgcli.ok("revert", delete, "--reason", "Paragraph 9 stays", actor=CHAIR)
    listed = {x["id"]: x["status"] for x in json.loads(wgcli.ok("amendments", "--json"))}
    assert listed[edit] == "open" and listed[delete] == "reverted"
    wgcli.ok("reindex")
    assert {x["id"]: x["status"] for x in json.loads(wgcli.ok("amendments", "--json"))} == listed


def test_a_lapsed_amendment_can_be_withdrawn(wgcli: Wg) -> None:
    edit = propose(wgcli, MEMBER_TECH, 9, "the", "each")
    delete = wgcli.ok(
        "propose", "principles", "--delete", "9", "--rationale", "Redundant.", actor=MEMBER_GOV
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, delete), actor=CHAIR)
    wgcli.ok("withdraw", edit, "--reason", "Moot.", actor=MEMBER_TECH)
    assert json.loads(wgcli.ok("show", edit, "--json"))["status"] == "withdrawn"


# --------------------------------------------------------------------------------------------
# races
# --------------------------------------------------------------------------------------------


def race(wgcli: Wg, *args: str, times: int = 2) -> list[int]:
    """Run the same chair's command in ``times`` processes at once; their exit codes, sorted."""
    command = [sys.executable, "-m", "wgtool", "--repo", str(wgcli.repo), "--as", CHAIR]
    processes = [
        subprocess.Popen(
            [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(times)
    ]
    outputs = [p.communicate() for p in processes]
    codes = sorted(p.returncode for p in processes)
    assert codes == [0] + [1] * (times - 1), outputs
    return codes


def test_two_merges_of_one_amendment_at_once_merge_it_once(wgcli: Wg) -> None:
    """Chairs' processes merge the same amendment at the same moment: one wins.

    The race once merged twice when the loser's index was read just before the winner moved
    main and its draft just after: every attempt now lands only on the main the index read.
    """
    for round_ in range(3):
        a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5 + round_, "the", "THE"))
        race(wgcli, "merge", a, times=3)
        assert len(git(wgcli.repo, "rev-list", "--merges", "main").split()) == round_ + 1
    assert len(git(wgcli.repo, "rev-list", "--merges", "main").split()) == 3


def test_two_reverts_at_once_revert_once(wgcli: Wg) -> None:
    a = agree_cli(wgcli, propose(wgcli, MEMBER_TECH, 5, "preserve", "protect"))
    wgcli.ok("merge", a, actor=CHAIR)
    before = git(wgcli.repo, "rev-list", "--count", "main")
    race(wgcli, "revert", a, "--reason", "Adopted by mistake", times=3)
    assert int(git(wgcli.repo, "rev-list", "--count", "main")) == int(before) + 1
    assert "protect and promote" not in draft(wgcli.repo)
