"""The core engine, driven directly: permissions in the use cases, merges, the working tree, the
index as a projection of the refs, and the record as plain git sees it."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    agreed,
    plant_commit,
)
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import (
    InvalidInput,
    MergeConflict,
    NotFound,
    PermissionDenied,
    StateError,
)
from wgtool.core.model import Kind, Role, Status
from wgtool.core.record.gitstore import GitStore


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout


def para(wg: WorkingGroup, slug: str, number: int) -> str:
    return document.paragraph(wg.drafts.draft(slug).text, number).text


def propose_edit(wg: WorkingGroup, handle: str, slug: str, number: int, old: str, new: str) -> str:
    text = para(wg, slug, number)
    assert old in text, (old, text)
    wg.record.act_as(handle)
    return wg.amendments.propose(
        slug,
        kind=Kind.REPLACE,
        paragraph=number,
        text=text.replace(old, new, 1),
        rationale=f"{handle} wants {new}",
    ).id


def paragraphs(wg: WorkingGroup, slug: str) -> list[str]:
    return [b.text for b in document.paragraphs(wg.drafts.draft(slug).text)]


# ---------------------------------------------------------------------------------------------
# Permissions live in the use cases, not in the CLI
# ---------------------------------------------------------------------------------------------


def test_use_cases_enforce_roles(open_wg, example_repo: Path, snapshot_refs) -> None:
    wg = open_wg(MEMBER_TECH)
    amendment_id = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    before = snapshot_refs(example_repo)
    for handle, call, role in [
        (MEMBER_TECH, lambda: wg.merges.merge(amendment_id), "chair"),
        (SECRETARIAT, lambda: wg.merges.merge(amendment_id), "chair"),
        (MEMBER_GOV, lambda: wg.deliberation.reject(amendment_id, reason="no"), "chair"),
        (CHAIR, lambda: wg.procedure.tag("principles", "v1", message="m"), "secretariat"),
        (CHAIR, lambda: wg.drafts.add_draft("extra", title="Extra", text="Text."), "secretariat"),
        (
            MEMBER_CS,
            lambda: wg.secretariat.add_member(
                "newbie", name="New Bie", email="nb@example.org", group="governments"
            ),
            "secretariat",
        ),
        (MEMBER_CS, lambda: wg.deliberation.withdraw(amendment_id), "proposer"),
        (CHAIR, lambda: wg.amendments.revise(amendment_id, text="Something else."), "proposer"),
    ]:
        wg.record.act_as(handle)
        with pytest.raises(PermissionDenied) as caught:
            call()
        assert role in caught.value.message
        assert len(caught.value.message.splitlines()) == 1
    assert snapshot_refs(example_repo) == before
    wg.record.act_as(CHAIR)
    assert wg.record.can("merge") and not wg.record.can("tag")
    wg.record.act_as(SECRETARIAT)
    assert wg.record.can("tag") and not wg.record.can("merge")


def test_unknown_actor_is_refused(open_wg) -> None:
    wg = open_wg("nobody")
    with pytest.raises(NotFound, match="nobody"):
        wg.amendments.propose("principles", kind=Kind.DELETE, paragraph=1, rationale="r")
    with pytest.raises(NotFound, match="nobody"):
        wg.record.act_as("nobody")


# ---------------------------------------------------------------------------------------------
# Merging
# ---------------------------------------------------------------------------------------------


def test_amendments_on_one_base_of_every_kind_combine(open_wg) -> None:
    wg = open_wg(MEMBER_TECH)
    original = paragraphs(wg, "principles")
    inserted = "A new principle on environmental sustainability of networks."
    replace_id = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(MEMBER_CS)
    insert_id = wg.amendments.propose(
        "principles", kind=Kind.INSERT, paragraph=2, text=inserted, rationale="Missing."
    ).id
    wg.record.act_as(MEMBER_PS)
    delete_id = wg.amendments.propose(
        "principles", kind=Kind.DELETE, paragraph=9, rationale="Redundant."
    ).id
    base = wg.record.main()
    wg.record.act_as(CHAIR)
    for amendment_id in (insert_id, delete_id, replace_id):
        assert wg.amendments.amendment(amendment_id).base == base
        wg.merges.merge(agreed(wg, amendment_id))
    expected = (
        original[:2]
        + [inserted]
        + original[2:4]
        + [original[4].replace("preserve", "protect", 1)]
        + original[5:8]
        + original[9:]
    )
    assert paragraphs(wg, "principles") == expected
    assert {wg.amendments.amendment(i).status for i in (insert_id, delete_id, replace_id)} == {
        Status.MERGED
    }


def test_conflict_raises_and_moves_nothing(open_wg, example_repo: Path, snapshot_refs) -> None:
    wg = open_wg(MEMBER_TECH)
    first = propose_edit(wg, MEMBER_TECH, "principles", 5, "single, open, global", "single, global")
    second = propose_edit(wg, MEMBER_GOV, "principles", 5, "single, open,", "single, free,")
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, first))
    agreed(wg, second)
    before = snapshot_refs(example_repo)
    with pytest.raises(MergeConflict) as caught:
        wg.merges.merge(second)
    assert caught.value.conflicts
    assert "free" in caught.value.message
    assert snapshot_refs(example_repo) == before
    assert wg.amendments.amendment(second).status is Status.OPEN


def test_resolved_text_applies_only_to_the_main_the_chair_saw(
    open_wg, snapshot_refs, example_repo: Path
) -> None:
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    b = propose_edit(wg, MEMBER_CS, "principles", 5, "preserve", "safeguard")
    c = propose_edit(wg, MEMBER_CS, "principles", 6, "privacy", "private life")
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    agreed(wg, b)
    seen = wg.record.main()  # the chair looks at b's conflict with a here...
    resolved = wg.drafts.draft("principles").text.replace("protect", "protect and safeguard", 1)
    wg.merges.merge(agreed(wg, c))  # ...and main moves before the resolution lands
    before = snapshot_refs(example_repo)
    with pytest.raises(StateError):
        wg.merges.merge(b, resolved_text=resolved, whole_draft=True, expected_main=seen)
    assert snapshot_refs(example_repo) == before
    resolved = wg.drafts.draft("principles").text.replace("protect", "protect and safeguard", 1)
    wg.merges.merge(b, resolved_text=resolved, whole_draft=True, expected_main=wg.record.main())
    assert wg.drafts.draft("principles").text == resolved


def test_merged_amendment_cannot_be_merged_revised_or_withdrawn(open_wg) -> None:
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    for handle, call in [
        (CHAIR, lambda: wg.merges.merge(agreed(wg, a))),
        (MEMBER_TECH, lambda: wg.amendments.revise(a, text="Other.")),
        (MEMBER_TECH, lambda: wg.deliberation.withdraw(a)),
        (CHAIR, lambda: wg.deliberation.reject(a, reason="late")),
    ]:
        wg.record.act_as(handle)
        with pytest.raises(StateError, match="merged"):
            call()


def test_every_wgtool_commit_carries_member_and_group_trailers(open_wg, example_repo: Path) -> None:
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(MEMBER_CS)
    wg.deliberation.comment(a, "Fine by us.")
    wg.deliberation.position(a, "support")
    wg.record.act_as(MEMBER_TECH)
    wg.amendments.revise(a, text=para(wg, "principles", 5).replace("preserve", "guard"))
    wg.record.act_as(MEMBER_CS)
    wg.deliberation.position(a, "support")  # the revision needs support again before the merge
    wg.record.act_as(CHAIR)
    wg.merges.merge(a)
    wg.record.act_as(SECRETARIAT)
    wg.drafts.add_draft("charter", title="Charter", text="One paragraph.")
    wg.secretariat.add_member("newbie", name="New Bie", email="nb@example.org", group="governments")
    log = git(example_repo, "log", "--all", "--format=%H%x00%an%x00%B%x1e")
    records = [r.strip("\n").split("\x00") for r in log.split("\x1e") if r.strip("\n")]
    roster = {m.handle: m for m in wg.secretariat.members()}
    checked = 0
    for sha, author, body in records:
        parsed = subprocess.run(
            ["git", "interpret-trailers", "--parse"],
            input=body,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        trailers = dict(line.split(": ", 1) for line in parsed.splitlines())
        if trailers.get("Action") == "init":
            continue
        if "Merged-by" in trailers:
            assert roster[trailers["Merged-by"]].has(Role.CHAIR)
            assert trailers["Stakeholder-Group"] == roster[trailers["Proposed-by"]].group
            assert author == roster[trailers["Proposed-by"]].name
        else:
            member = roster[trailers["Member"]]
            assert trailers["Stakeholder-Group"] == member.group
            assert author == member.name, (sha, body)
        checked += 1
    # propose, comment, position, revise, a position on the revision, merge, draft, member
    assert checked == 8


# ---------------------------------------------------------------------------------------------
# The working tree
# ---------------------------------------------------------------------------------------------


def test_merge_updates_a_clean_checkout(open_wg, example_repo: Path) -> None:
    wg = open_wg(MEMBER_TECH)
    (example_repo / "notes.txt").write_text("untracked files do not make a checkout dirty\n")
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    on_main = git(example_repo, "show", "main:drafts/principles.md")
    assert "protect and promote" in on_main
    assert (example_repo / "drafts" / "principles.md").read_text() == on_main
    assert git(example_repo, "status", "--porcelain", "--untracked-files=no") == ""
    wg.record.act_as(SECRETARIAT)
    wg.secretariat.add_member("newbie", name="New Bie", email="nb@example.org", group="governments")
    assert "newbie" in (example_repo / "roster.toml").read_text()
    assert git(example_repo, "status", "--porcelain", "--untracked-files=no") == ""


@pytest.mark.parametrize("dirty_file", ["drafts/principles.md", "drafts/roles.md"])
def test_merge_leaves_a_dirty_checkout_alone(open_wg, example_repo: Path, dirty_file: str) -> None:
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    on_disk_before = (example_repo / "drafts" / "principles.md").read_text()
    local = example_repo / dirty_file
    local.write_text(local.read_text() + "\nA local note, not yet committed.\n")
    dirty_content = local.read_text()
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    assert "protect and promote" in git(example_repo, "show", "main:drafts/principles.md")
    assert local.read_text() == dirty_content
    if dirty_file != "drafts/principles.md":
        assert (example_repo / "drafts" / "principles.md").read_text() == on_disk_before


@pytest.mark.parametrize(
    ("checkout", "head"),
    [(["-b", "my-notes"], "refs/heads/my-notes"), (["--detach", "main"], None)],
)
def test_merge_leaves_a_checkout_off_main_alone(
    open_wg, example_repo: Path, checkout: list[str], head: str | None
) -> None:
    """Another branch, or main's commit detached (HEAD is read from its file: not on main)."""
    git(example_repo, "checkout", "-q", *checkout)
    before = (example_repo / "drafts" / "principles.md").read_text()
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    assert "protect and promote" in git(example_repo, "show", "main:drafts/principles.md")
    assert (example_repo / "drafts" / "principles.md").read_text() == before
    if head is not None:
        assert git(example_repo, "symbolic-ref", "HEAD").strip() == head


def test_writes_off_main_touch_neither_working_tree_nor_git_index(
    open_wg, example_repo: Path
) -> None:
    index_file = example_repo / ".git" / "index"
    before = (index_file.read_bytes(), index_file.stat().st_mtime_ns)
    files_before = {p: p.read_bytes() for p in example_repo.rglob("*.md")}
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    wg.record.act_as(MEMBER_CS)
    wg.deliberation.comment(a, "ok")
    wg.deliberation.position(a, "object", reason="no")
    wg.record.act_as(MEMBER_TECH)
    wg.amendments.revise(a, text=para(wg, "principles", 5).replace("preserve", "guard"))
    assert (index_file.read_bytes(), index_file.stat().st_mtime_ns) == before
    assert {p: p.read_bytes() for p in example_repo.rglob("*.md")} == files_before


def test_bare_repository_works(tmp_path: Path) -> None:
    path = tmp_path / "bare.git"
    WorkingGroup.init(path, title="Bare", example=True, bare=True).close()
    assert git(path, "rev-parse", "--is-bare-repository").strip() == "true"
    with WorkingGroup.open(path, MEMBER_TECH) as wg:
        a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
        wg.record.act_as(CHAIR)
        wg.merges.merge(agreed(wg, a))
        assert "protect and promote" in wg.drafts.draft("principles").text
    assert git(path, "log", "-1", "--format=%an", "main").strip() == "Mei-Ling Chen"


# ---------------------------------------------------------------------------------------------
# The index: a projection of the refs
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def busy(open_wg, example_repo: Path) -> dict[str, str]:
    """Amendments in every state, with positions, comments and a revision."""
    wg = open_wg(MEMBER_TECH)
    ids = {
        "merged": propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect"),
        "rejected": propose_edit(wg, MEMBER_CS, "principles", 6, "privacy", "private life"),
        "withdrawn": propose_edit(wg, MEMBER_PS, "roles", 3, "the", "each"),
        "revised": propose_edit(wg, MEMBER_GOV, "roles", 4, "the", "THE"),
        "open": propose_edit(wg, MEMBER_CS, "principles", 8, "the", "each"),
    }
    for handle, stance in [(MEMBER_GOV, "support"), (MEMBER_PS, "object"), (MEMBER_CS, "abstain")]:
        wg.record.act_as(handle)
        wg.deliberation.position(ids["open"], stance, reason=f"{handle} says {stance}")
        wg.deliberation.position(ids["revised"], "support")
    wg.record.act_as(MEMBER_TECH)
    first = wg.deliberation.comment(ids["open"], "First comment")
    wg.record.act_as(MEMBER_GOV)
    wg.deliberation.comment(ids["open"], "A reply", reply_to=first.id)
    wg.amendments.revise(ids["revised"], text=para(wg, "roles", 4).replace("the", "ALL THE", 1))
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, ids["merged"]))
    wg.deliberation.reject(ids["rejected"], reason="Not agreed")
    wg.record.act_as(MEMBER_PS)
    wg.deliberation.withdraw(ids["withdrawn"], reason="Overtaken")
    return ids


def answers(wgcli: Wg, ids: dict[str, str]) -> dict[str, object]:
    return {
        "amendments": json.loads(wgcli.ok("amendments", "--json")),
        "open": json.loads(wgcli.ok("amendments", "--status", "open", "--json")),
        "shows": {k: json.loads(wgcli.ok("show", i, "--json")) for k, i in ids.items()},
        "drafts": json.loads(wgcli.ok("draft", "list", "--json")),
    }


def test_index_answers_match_the_refs(busy: dict[str, str], wgcli: Wg) -> None:
    got = answers(wgcli, busy)
    status = {a["id"]: a["status"] for a in got["amendments"]}
    assert status == {
        busy["merged"]: "merged",
        busy["rejected"]: "rejected",
        busy["withdrawn"]: "withdrawn",
        busy["revised"]: "open",
        busy["open"]: "open",
    }
    assert got["shows"]["revised"]["revision"] == 2
    assert got["shows"]["withdrawn"]["reason"] == "Overtaken"
    assert [e["type"] for e in got["shows"]["open"]["events"]].count("position") == 3


def test_reindex_gives_the_same_answers(busy: dict[str, str], wgcli: Wg) -> None:
    before = answers(wgcli, busy)
    out = wgcli.ok("reindex")
    assert str(len(busy)) in out
    assert answers(wgcli, busy) == before


def test_deleting_the_index_loses_nothing(
    busy: dict[str, str], wgcli: Wg, example_repo: Path
) -> None:
    before = answers(wgcli, busy)
    index_dir = example_repo / ".git" / "wgtool"
    assert (index_dir / "index.sqlite").exists()
    shutil.rmtree(index_dir)
    # Any command rebuilds it; a single show first, then everything else.
    assert json.loads(wgcli.ok("show", busy["open"], "--json")) == before["shows"]["open"]
    assert (index_dir / "index.sqlite").exists()
    assert answers(wgcli, busy) == before
    # The index is never committed, and is not in the checkout.
    assert git(example_repo, "status", "--porcelain") == ""


def test_incremental_refresh_sees_another_instance(open_wg, example_repo: Path) -> None:
    reader = open_wg(MEMBER_TECH)
    writer = WorkingGroup.open(example_repo, MEMBER_GOV)
    try:
        a = propose_edit(writer, MEMBER_GOV, "principles", 5, "preserve", "protect")
        assert [x.id for x in reader.amendments.amendments()] == [a]
        assert reader.deliberation.events(a) == []
        writer.deliberation.position(a, "support", reason="yes")
        writer.record.act_as(MEMBER_PS)
        writer.deliberation.position(a, "object", reason="no")
        comment = writer.deliberation.comment(a, "Why?")
        events = reader.deliberation.events(a)
        assert [(e.member, e.type) for e in events] == [
            (MEMBER_GOV, "position"),
            (MEMBER_PS, "position"),
            (MEMBER_PS, "comment"),
        ]
        assert events[-1].id == comment.id
        assert reader.deliberation.consensus(reader.amendments.amendment(a)).state == "objection"
        writer.record.act_as(CHAIR)
        writer.merges.merge(agreed(writer, a))
        assert [x.id for x in reader.amendments.amendments(status="merged")] == [a]
        assert reader.amendments.amendment(a).merged_by == CHAIR
    finally:
        writer.close()


def test_refresh_reads_only_what_moved(
    open_wg, monkeypatch: pytest.MonkeyPatch, example_repo: Path
) -> None:
    """After a refresh, reading again touches no object; after one new event, only new objects."""
    wg = open_wg(MEMBER_TECH)
    a = propose_edit(wg, MEMBER_TECH, "principles", 5, "preserve", "protect")
    b = propose_edit(wg, MEMBER_CS, "principles", 6, "privacy", "private life")
    wg.record.act_as(MEMBER_GOV)
    wg.deliberation.position(a, "support")
    wg.deliberation.position(b, "support")
    wg.record.refresh()
    old_tips = {
        line.split()[0]
        for line in git(
            example_repo, "for-each-ref", "--format=%(objectname) %(refname)"
        ).splitlines()
    }
    reads: list[str] = []

    def spy(name: str):  # type: ignore[no-untyped-def]
        original = getattr(GitStore, name)

        def wrapper(self, *args, **kwargs):  # type: ignore[no-untyped-def]
            if name != "run" or args[0][0] not in ("for-each-ref", "rev-parse", "config"):
                reads.append(f"{name} {args} {kwargs}")
            return original(self, *args, **kwargs)

        monkeypatch.setattr(GitStore, name, wrapper)

    for name in (
        "run",
        "commit",
        "commits",
        "read_blob",
        "tree_entries",
        "list_dir",
        "lookup",
        "read_file",
    ):
        if hasattr(GitStore, name):
            spy(name)
    wg.record.refresh()
    assert reads == []  # nothing moved, nothing read
    wg.record.act_as(MEMBER_PS)
    wg.deliberation.position(b, "object")
    reads.clear()
    wg.record.refresh()
    assert reads, "the new event must be read"
    for tip in old_tips:
        # An old tip may only be named to exclude what was read before (``^tip``).
        assert not any(tip in r.replace(f"^{tip}", "") for r in reads), (tip, reads)
    assert [e.stance for e in wg.record.index.events(b)] == ["support", "object"]


def test_index_follows_main_moved_back(busy: dict[str, str], wgcli: Wg, example_repo: Path) -> None:
    """If main is set back (say, the chair undoes a merge with git), the index follows the refs."""
    merge_commit = git(example_repo, "rev-parse", "main").strip()
    wgcli.ok("amendments")  # the index has seen the merge
    git(example_repo, "update-ref", "refs/heads/main", f"{merge_commit}^1", merge_commit)
    incremental = json.loads(wgcli.ok("amendments", "--json"))
    assert {a["id"]: a["status"] for a in incremental}[busy["merged"]] == "open"
    wgcli.ok("reindex")
    assert json.loads(wgcli.ok("amendments", "--json")) == incremental


# ---------------------------------------------------------------------------------------------
# Ids and names
# ---------------------------------------------------------------------------------------------


def test_ids_are_hex_unique_and_resolved_by_prefix(open_wg) -> None:
    wg = open_wg(MEMBER_TECH)
    ids = [propose_edit(wg, MEMBER_TECH, "principles", n, "the", "THE") for n in (5, 6, 7, 8, 9)]
    assert len(set(ids)) == len(ids)
    for amendment_id in ids:
        assert len(amendment_id) == 8 and int(amendment_id, 16) >= 0
        prefix = next(
            amendment_id[:n]
            for n in range(1, 9)
            if sum(i.startswith(amendment_id[:n]) for i in ids) == 1
        )
        assert wg.amendments.amendment(prefix).id == amendment_id
    with pytest.raises(InvalidInput):
        wg.amendments.amendment("xyz")
    with pytest.raises(InvalidInput):
        wg.amendments.amendment("")


@pytest.mark.parametrize("bad", ["../x", "--foo", "a/b", "X", "", "a" * 41, "-a", "a b"])
def test_names_are_refused_before_anything_is_written(
    open_wg, example_repo: Path, snapshot_refs, bad: str
) -> None:
    wg = open_wg(SECRETARIAT)
    before = snapshot_refs(example_repo)
    with pytest.raises(InvalidInput):
        wg.drafts.add_draft(bad, title="T", text="Text.")
    with pytest.raises(InvalidInput):
        wg.secretariat.add_member(bad, name="N", email="n@example.org", group="governments")
    if bad != "X":  # version names may hold capitals (and dots)
        with pytest.raises(InvalidInput):
            wg.procedure.tag("principles", bad, message="m")
    with pytest.raises(InvalidInput):
        wg.drafts.draft(bad)
    assert snapshot_refs(example_repo) == before


# ---------------------------------------------------------------------------------------------
# Text in the record holding the characters git output is split on
# ---------------------------------------------------------------------------------------------

SEPARATORS = "one\x1etwo\x1fthree\x1dfour\x1cfive"


def test_separator_characters_in_the_record_break_nothing(
    open_wg, wgcli: Wg, example_repo: Path
) -> None:
    """wgtool refuses control characters in member text, but a record written with plain git may
    hold the very characters git output is split on: every reading path gives them back."""
    wg = open_wg(MEMBER_TECH)
    text = para(wg, "principles", 5).replace("preserve", "protect")
    b = propose_edit(wg, MEMBER_CS, "principles", 6, "privacy", "private life")
    wg.record.act_as(MEMBER_TECH)
    refused = r"U\+001E \(RS\) at position 4"
    with pytest.raises(InvalidInput, match=refused):
        wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=5, text=text, rationale=SEPARATORS
        )
    with pytest.raises(InvalidInput, match=refused):
        wg.deliberation.comment(b, SEPARATORS)
    a = wg.amendments.propose(
        "principles", kind=Kind.REPLACE, paragraph=5, text=text, rationale="R."
    ).id
    tech, cs = wg.record.roster.get(MEMBER_TECH), wg.record.roster.get(MEMBER_CS)
    plant_commit(  # a second revision, with plain git
        example_repo,
        f"refs/wg/amendments/{a}",
        {},
        f"Amend paragraph 5\n\n{SEPARATORS}\n\nAmendment-Id: {a}\nDraft: principles\n"
        f"Kind: replace\nParagraph: 5\nRevision: 2\nMember: {MEMBER_TECH}\n"
        f"Stakeholder-Group: {tech.group}\n",
        author=(tech.name, tech.email),
    )
    event = {
        "id": "19a0000000-abcdef",
        "amendment": a,
        "type": "comment",
        "member": MEMBER_CS,
        "group": cs.group,
        "at": 1760000000.0,
        "revision": 2,
        "text": SEPARATORS,
    }
    plant_commit(
        example_repo,
        f"refs/wg/events/{a}",
        {f"events/{event['id']}.json": json.dumps(event).encode()},
        f"Comment on amendment {a}\n\nAmendment-Id: {a}\nEvent: comment\n"
        f"Event-Id: {event['id']}\nMember: {MEMBER_CS}\nStakeholder-Group: {cs.group}\n",
        author=(cs.name, cs.email),
    )
    wg.record.act_as(CHAIR)
    wg.merges.merge(agreed(wg, a))
    secretariat = wg.record.roster.get(SECRETARIAT)
    subprocess.run(
        ["git", "-C", str(example_repo), "tag", "-a", "principles/v1", "-m", SEPARATORS, "main"],
        env={
            **os.environ,
            "GIT_COMMITTER_NAME": secretariat.name,
            "GIT_COMMITTER_EMAIL": secretariat.email,
        },
        check=True,
    )
    # Every reading path still works and gives the text back exactly.
    listed = json.loads(wgcli.ok("amendments", "--json"))
    assert {x["id"]: x["status"] for x in listed} == {a: "merged", b: "open"}
    shown = json.loads(wgcli.ok("show", a, "--json"))
    assert shown["rationale"] == SEPARATORS
    assert [e["text"] for e in shown["events"] if e["type"] == "comment"] == [SEPARATORS]
    versions = json.loads(wgcli.ok("versions", "principles", "--json"))
    assert [(v["name"], v["message"]) for v in versions] == [("v1", SEPARATORS)]
    wgcli.ok("reindex")
    assert json.loads(wgcli.ok("amendments", "--json")) == listed
