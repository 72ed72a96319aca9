"""Forgeries and jams, made by a member with plain git, against real clones and a bare remote.

Each test forges with :mod:`forge` (git's own plumbing, signed with ``ssh-keygen`` keys where
the working group requires signatures), pushes with plain ``git push``, and then checks that an
honest clone leaves the forgery out and says so, that honest members keep working (propose,
take positions, sync), and that ``wgtool verify`` on the forger's clone reports it.
"""

from __future__ import annotations

import json
import subprocess
import sys
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
    add_chair_with_key,
    agreed,
    do_sync,
    git,
    new_key,
    sign_as,
)
from tests.forge import Forger, message
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import NotFound
from wgtool.core.exchange.sync import SyncReport, sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Role, Status


def remote_ref(clones: Clones, ref: str) -> str | None:
    return git(clones.origin, "rev-parse", "--verify", "-q", ref, check=False).strip() or None


def quarantined(report: SyncReport, ref: str, reason: str) -> None:
    """The sync left ``ref`` out and said why, in one line that names the ref."""
    lines = [p for p in report.problems if ref in p]
    assert lines, report.problems
    assert reason in lines[0] and "not taken" in lines[0], lines[0]


def honest_round(clones: Clones, keys: dict[str, Path] | None = None, mp=None) -> None:  # type: ignore[no-untyped-def]
    """On clone b an honest member proposes, takes a position and syncs: it all goes out."""
    if keys is not None:
        sign_as(mp, keys[MEMBER_GOV])
    with WorkingGroup.open(clones.b, MEMBER_GOV) as wg:
        text = wg.drafts.draft("roles").text.split("\n\n")[2]
        proposed = wg.amendments.propose(
            "roles",
            kind=Kind.REPLACE,
            paragraph=1,
            text=text + " (honest edit)",
            rationale="Still working.",
        ).id
        wg.deliberation.position(proposed, "support", reason="Ours")
        report = sync(wg)
        assert report.sent.new_amendments == 1, report.lines()
        assert not [p for p in report.problems if "not sent" in p], report.problems
    assert remote_ref(clones, f"refs/wg/amendments/{proposed}") is not None
    assert remote_ref(clones, f"refs/wg/events/{proposed}") is not None


def audit(repo: Path) -> list[str]:
    with WorkingGroup.open(repo) as wg:
        return verify(wg).problems


# -- one member per object ---------------------------------------------------------------------


@pytest.mark.parametrize("forgery", ["another member's objection", "the chair's rejection"])
def test_an_event_signed_by_one_member_that_names_another_is_quarantined(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, forgery: str
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    victim, type_, stance = (
        (MEMBER_CS, "position", "object")
        if forgery == "another member's objection"
        else (CHAIR, "reject", None)
    )
    forger = Forger(clones.a, keys)
    # mchen signs with mchen's own key; author, Member: and the event file say the victim.
    forged = forger.event(
        amendment,
        member=victim,
        type_=type_,
        stance=stance,
        committer=MEMBER_TECH,
        sign=MEMBER_TECH,
    )
    assert forger.push(f"refs/wg/events/{amendment}").returncode == 0

    report = do_sync(clones.b)
    quarantined(report, f"refs/wg/events/{amendment}", f"says {victim} but the committer is")
    assert forged[:10] in report.problems[0] and "Mei-Ling Chen" not in report.problems[0]
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(amendment).status is Status.OPEN
        assert wg.deliberation.events(amendment) == []
    honest_round(clones, keys, monkeypatch)
    problems = audit(clones.a)
    assert any(forged[:10] in p and f"not {victim}'s key" in p for p in problems), problems


def test_a_revision_signed_by_someone_other_than_the_proposer_is_quarantined(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    forger = Forger(clones.a, keys)
    ref = f"refs/wg/amendments/{amendment}"
    head = forger.rev(ref)
    tree = forger.tree(head, {"drafts/principles.md": "# Principles\n\nRewritten by mchen.\n"})
    trailers = [
        ("Amendment-Id", amendment),
        ("Draft", "principles"),
        ("Kind", "document"),
        ("Revision", "2"),
        ("Member", MEMBER_PS),
        ("Stakeholder-Group", "private-sector"),
    ]
    forged = forger.commit(
        tree,
        [head],
        message("Better", trailers),
        author=MEMBER_PS,
        committer=MEMBER_TECH,
        sign=MEMBER_TECH,
    )
    forger.update_ref(ref, forged)
    forger.push(ref)

    report = do_sync(clones.b)
    quarantined(report, ref, f"says {MEMBER_PS} but the committer is meiling.chen@example.net")
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(amendment).head == head
    honest_round(clones, keys, monkeypatch)
    assert any(forged[:10] in p for p in audit(clones.a))


def test_an_event_claiming_another_group_does_not_count_for_it(clones: Clones) -> None:
    amendment = clones.amendment
    forger = Forger(clones.a)
    forger.event(
        amendment, member=MEMBER_TECH, type_="position", stance="support", group="governments"
    )
    forger.push(f"refs/wg/events/{amendment}")

    report = do_sync(clones.b)
    quarantined(report, f"refs/wg/events/{amendment}", "claims the group 'governments'")
    with WorkingGroup.open(clones.b) as wg:
        assert wg.deliberation.events(amendment) == []
    # On the forger's own clone the event is read with mchen's group from the roster.
    with WorkingGroup.open(clones.a) as wg:
        consensus = wg.deliberation.consensus(wg.amendments.amendment(amendment)).to_dict()
        states = {g["group"]: g["state"] for g in consensus["groups"]}  # type: ignore[union-attr]
        assert states["governments"] == "not heard"
    honest_round(clones)
    assert any("claims the group 'governments'" in p for p in audit(clones.a))


# -- event chains only add ---------------------------------------------------------------------


@pytest.mark.parametrize("how", ["deletes", "rewrites"])
def test_an_event_chain_that_deletes_or_rewrites_an_event_is_refused(
    clones: Clones, how: str
) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        support = wg.deliberation.position(amendment, "support", reason="Good")
        assert not sync(wg).problems
    do_sync(clones.a)
    forger = Forger(clones.a)
    victim_file = f"events/{support.id}.json"
    rewritten = json.dumps({**support.to_dict(), "stance": "object"})
    forged = forger.event(
        amendment,
        member=MEMBER_TECH,
        extra={victim_file: None if how == "deletes" else rewritten},
    )
    forger.push(f"refs/wg/events/{amendment}")

    report = do_sync(clones.b)
    verb = "removes" if how == "deletes" else "changes"
    quarantined(report, f"refs/wg/events/{amendment}", f"{verb} {victim_file}")
    with WorkingGroup.open(clones.b) as wg:
        assert [(e.member, e.stance) for e in wg.deliberation.events(amendment)] == [
            (MEMBER_CS, "support")
        ]
    honest_round(clones)
    assert any(forged[:10] in p and victim_file in p for p in audit(clones.a))


def test_reusing_another_members_event_id_replaces_nothing(clones: Clones) -> None:
    amendment = clones.amendment
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        support = wg.deliberation.position(amendment, "support", reason="Good")
        other = wg.amendments.propose(
            "roles", kind=Kind.REPLACE, paragraph=1, text="A new first paragraph.", rationale="R"
        ).id
        assert not sync(wg).problems
    do_sync(clones.a)
    # mchen's own, otherwise honest comment on another amendment, under the victim's event id.
    Forger(clones.a).event(other, member=MEMBER_TECH, event_id=support.id, text="Mine")
    Forger(clones.a).push(f"refs/wg/events/{other}")

    assert do_sync(clones.b).problems == []
    for repo in (clones.a, clones.b):
        for _ in range(2):
            with WorkingGroup.open(repo) as wg:
                assert [(e.member, e.stance) for e in wg.deliberation.events(amendment)] == [
                    (MEMBER_CS, "support")
                ]
                assert [(e.member, e.text) for e in wg.deliberation.events(other)] == [
                    (MEMBER_TECH, "Mine")
                ]
            Wg(repo).ok("reindex")
    honest_round(clones)


# -- main, rosters and keys --------------------------------------------------------------------


@pytest.mark.parametrize("main_trailer", [True, False])
def test_a_key_from_a_refused_roster_commit_signs_nothing(
    signed_clones: Clones,
    keys: dict[str, Path],
    monkeypatch: pytest.MonkeyPatch,
    main_trailer: bool,
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    forger = Forger(clones.a, keys)
    main = forger.rev("main")
    mine = " ".join(Path(f"{keys[MEMBER_TECH]}.pub").read_text().split()[:2])

    def give_the_chair_my_key(members: dict[str, dict[str, object]]) -> None:
        members[CHAIR]["ssh_key"] = mine

    # A main commit (refused: mchen is not secretariat) that gives the chair mchen's key ...
    tree = forger.tree("main", {"roster.toml": forger.roster_with(give_the_chair_my_key)})
    forged_main = forger.commit(
        tree,
        [main],
        message("Keys", [("Member", MEMBER_TECH)]),
        author=MEMBER_TECH,
        sign=MEMBER_TECH,
    )
    forger.update_ref("refs/heads/main", forged_main)
    # ... and the chair's rejection, signed with that key, made against it.
    forged = forger.event(
        amendment,
        member=CHAIR,
        type_="reject",
        sign=MEMBER_TECH,
        main=forged_main if main_trailer else None,
    )
    forger.push("refs/heads/main", f"refs/wg/events/{amendment}")

    report = do_sync(clones.b)
    assert any(r.startswith("main on origin has 1 commit(s)") for r in report.problems)
    reason = "which is not on main" if main_trailer else "signed with a key that is not lhaddad's"
    quarantined(report, f"refs/wg/events/{amendment}", reason)
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == main
        assert wg.amendments.amendment(amendment).status is Status.OPEN
    honest_round(clones, keys, monkeypatch)
    problems = audit(clones.a)
    assert any(forged_main[:10] in p for p in problems)
    assert any(forged[:10] in p for p in problems)


@pytest.mark.parametrize("edits", ["roster.toml", "wg.toml"])
def test_a_chair_merge_that_edits_the_roster_or_settings_is_refused(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, edits: str
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    forger = Forger(clones.a, keys)
    main = forger.rev("main")
    head = forger.rev(f"refs/wg/amendments/{amendment}")
    current = git(clones.a, "show", f"main:{edits}")
    if edits == "roster.toml":  # the chair makes themselves secretariat

        def promote(members: dict[str, dict[str, object]]) -> None:
            members[CHAIR]["roles"] = ["member", "chair", "secretariat"]

        changed = forger.roster_with(promote)
    else:  # or switches signatures off
        changed = current.replace('signatures = "required"', 'signatures = "off"')
    assert changed != current
    tree = forger.tree(
        "main",
        {
            "drafts/principles.md": git(clones.a, "show", f"{head}:drafts/principles.md"),
            edits: changed,
        },
    )
    trailers = [
        ("Amendment-Id", amendment),
        ("Proposed-by", MEMBER_PS),
        ("Stakeholder-Group", "private-sector"),
        ("Merged-by", CHAIR),
    ]
    forged = forger.commit(
        tree,
        [main, head],
        message(f"Merge amendment {amendment}", trailers),
        author=MEMBER_PS,
        committer=CHAIR,
        sign=CHAIR,
    )
    forger.update_ref("refs/heads/main", forged)
    forger.push("refs/heads/main")

    report = do_sync(clones.b)
    assert len(report.problems) == 1 and f"not {edits}" in report.problems[0], report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == main
        assert wg.amendments.amendment(amendment).status is Status.OPEN
        assert wg.record.settings.signatures == "required"
        assert not wg.record.roster.get(CHAIR).has(Role.SECRETARIAT)
    honest_round(clones, keys, monkeypatch)
    assert any(forged[:10] in p and f"not {edits}" in p for p in audit(clones.a))


def test_a_roster_emptied_on_main_cannot_be_founded_again(clones: Clones) -> None:
    forger = Forger(clones.a)
    main = forger.rev("main")
    emptied = forger.commit(
        forger.tree("main", {"roster.toml": "# nobody\n"}),
        [main],
        message("Empty the roster", [("Member", SECRETARIAT)]),
        author=SECRETARIAT,
    )
    mallory = ("Mallory", "mallory@example.invalid")
    refounded = forger.commit(
        forger.tree(
            emptied,
            {
                "roster.toml": '[[member]]\nhandle = "mallory"\nname = "Mallory"\n'
                'email = "mallory@example.invalid"\ngroup = "governments"\n'
                'roles = ["member", "secretariat"]\n'
            },
        ),
        [emptied],
        message("Found the roster", [("Member", "mallory")]),
        author=mallory,
    )
    forger.update_ref("refs/heads/main", refounded)
    forger.push("refs/heads/main")

    report = do_sync(clones.b)
    assert len(report.problems) == 1
    assert (
        "has 2 commit(s)" in report.problems[0]
        and "no secretariat member left" in report.problems[0]
    )
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == main and "mallory" not in wg.record.roster.members
    honest_round(clones)
    problems = audit(clones.a)
    assert any(emptied[:10] in p and "no secretariat member left" in p for p in problems)
    assert any(refounded[:10] in p and "'mallory', who is not in the roster" in p for p in problems)


@pytest.mark.parametrize(
    "broken",
    ["not TOML", "not UTF-8", "wg.toml deleted", "roster.toml deleted", "nested too deeply"],
)
def test_main_with_broken_settings_or_roster_is_refused(
    clones: Clones, broken: str, tmp_path: Path
) -> None:
    forger = Forger(clones.a)
    main = forger.rev("main")
    changes: dict[str, bytes | str | None] = {
        "not TOML": {"wg.toml": "title = [unclosed\n"},
        "not UTF-8": {"roster.toml": b"[[member]]\nname = '\xff\xfe'\n"},
        "wg.toml deleted": {"wg.toml": None},
        "roster.toml deleted": {"roster.toml": None},
        "nested too deeply": {"wg.toml": "x = " + "[" * 3000 + "]" * 3000 + "\n"},
    }[broken]  # type: ignore[assignment]
    forged = forger.commit(
        forger.tree("main", changes),  # type: ignore[arg-type]
        [main],
        message("Tidy the settings", [("Member", SECRETARIAT)]),
        author=SECRETARIAT,
    )
    forger.update_ref("refs/heads/main", forged)
    forger.push("refs/heads/main")

    report = do_sync(clones.b)
    assert len(report.problems) == 1 and forged[:10] in report.problems[0], report.problems
    with WorkingGroup.open(clones.b) as wg:
        assert wg.record.main() == main
    honest_round(clones)
    # A new member's clone starts from main as far as it is valid, and says what it left out.
    joined = Wg(tmp_path)("clone", str(clones.origin), str(tmp_path / "c"))
    assert joined.exit_code == 0 and forged[:10] in joined.stdout, joined.output
    assert (
        git(tmp_path / "c", "rev-parse", "main").strip()
        == git(clones.b, "rev-parse", "main").strip()
    )
    # On the forger's clone, where main has it: one line and an exit code, never a traceback.
    for args in (("verify",), ("amendments",), ("draft", "list")):
        result = Wg(clones.a)(*args)
        assert "Traceback" not in result.output and "RecursionError" not in result.output
        assert result.exit_code == 0 or len(result.stderr.strip().splitlines()) <= 1
    result = Wg(clones.a)("verify")
    assert result.exit_code != 0
    if broken != "wg.toml deleted":  # without wg.toml there is no working group to open
        assert forged[:10] in result.stdout


# -- versions ----------------------------------------------------------------------------------


def test_a_signed_tag_on_a_side_commit_is_no_consensus_version(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    clones = signed_clones
    forger = Forger(clones.a, keys)

    def promote(members: dict[str, dict[str, object]]) -> None:
        members[MEMBER_TECH]["roles"] = ["member", "secretariat"]

    promoted = forger.roster_with(promote)
    side = forger.commit(
        forger.tree(
            "main",
            {"roster.toml": promoted, "drafts/principles.md": "# Principles\n\nMy own text.\n"},
        ),
        [forger.rev("main")],
        message("Promote", [("Member", MEMBER_TECH)]),
        author=MEMBER_TECH,
        sign=MEMBER_TECH,
    )
    forger.tag("principles/v9", side, tagger=MEMBER_TECH, sign=MEMBER_TECH)
    forger.push("refs/tags/principles/v9")

    report = do_sync(clones.b)
    quarantined(report, "refs/tags/principles/v9", "which is not on main")
    cli = Wg(clones.b)
    assert "v9" not in cli.ok("versions", "principles")
    refused = cli("export", "principles", "--version", "v9")
    assert refused.exit_code == 1 and "My own text" not in refused.output
    honest_round(clones, keys, monkeypatch)
    assert any("refs/tags/principles/v9" in p for p in audit(clones.a))
    assert Wg(clones.a)("export", "principles", "--version", "v9").exit_code == 1


def test_tags_on_blobs_trees_or_off_main_break_nothing(clones: Clones) -> None:
    forger = Forger(clones.a)
    blob = forger.rev("main:wg.toml")
    tree = forger.rev("main^{tree}")
    name, email = forger.person(SECRETARIAT)
    tag_of_tree = forger.git(
        "mktag",
        input=f"object {tree}\ntype tree\ntag principles/v8\n"
        f"tagger {name} <{email}> 1800000000 +0000\n\nA tree\n",
    )
    side = forger.commit(
        forger.tree("main", {"drafts/principles.md": "# Principles\n\nSide text.\n"}),
        [forger.rev("main")],
        message("Side", [("Member", SECRETARIAT)]),
        author=SECRETARIAT,
    )
    forger.tag("principles/v10", side, tagger=SECRETARIAT)
    forger.update_ref("refs/tags/principles/v7", blob)
    forger.update_ref("refs/tags/principles/v8", tag_of_tree)
    forger.update_ref("refs/tags/principles/v9", forger.rev("main"))  # not annotated
    forger.push(
        "refs/tags/principles/v7",
        "refs/tags/principles/v8",
        "refs/tags/principles/v9",
        "refs/tags/principles/v10",
    )

    report = do_sync(clones.b)
    for tag, reason in [
        ("v7", "points straight at a blob"),
        ("v8", "tags a tree"),
        ("v9", "points straight at a commit"),
        ("v10", "which is not on main"),
    ]:
        quarantined(report, f"refs/tags/principles/{tag}", reason)
    honest_round(clones)
    for repo in (clones.a, clones.b):
        cli = Wg(repo)
        assert "v7" not in cli.ok("versions", "principles")
        for version in ("v7", "v8", "v9", "v10"):
            result = cli("export", "principles", "--version", version)
            assert result.exit_code == 1 and "Traceback" not in result.output
        result = cli("verify")
        assert "Traceback" not in result.output
    result = Wg(clones.a)("verify")
    assert result.exit_code == 1
    assert all(f"refs/tags/principles/v{n}" in result.stdout for n in (7, 8, 9, 10))


# -- amendments and "merged" -------------------------------------------------------------------


def test_an_amendment_based_on_a_forged_merge_merges_nothing(clones: Clones) -> None:
    victim = clones.amendment
    forger = Forger(clones.a)
    main = forger.rev("main")
    head = forger.rev(f"refs/wg/amendments/{victim}")
    merge_trailers = [
        ("Amendment-Id", victim),
        ("Proposed-by", MEMBER_PS),
        ("Stakeholder-Group", "private-sector"),
        ("Merged-by", CHAIR),
    ]
    fake_merge = forger.commit(
        forger.tree(head, {}),
        [main, head],
        message(f"Merge amendment {victim}", merge_trailers),
        author=MEMBER_PS,
        committer=CHAIR,
    )
    forged_id = "f0f0f0f0"
    roles = git(clones.a, "show", "main:drafts/roles.md")
    forged = forger.commit(
        forger.tree(fake_merge, {"drafts/roles.md": roles + "\nOne more paragraph.\n"}),
        [fake_merge],
        message(
            "Add a paragraph",
            [
                ("Amendment-Id", forged_id),
                ("Draft", "roles"),
                ("Kind", "document"),
                ("Revision", "1"),
                ("Member", MEMBER_TECH),
                ("Stakeholder-Group", "technical-academic"),
            ],
        ),
        author=MEMBER_TECH,
    )
    forger.update_ref(f"refs/wg/amendments/{forged_id}", forged)
    forger.push(f"refs/wg/amendments/{forged_id}")

    report = do_sync(clones.b)
    quarantined(report, f"refs/wg/amendments/{forged_id}", "which is not on main")
    with WorkingGroup.open(clones.b, CHAIR) as wg:
        with pytest.raises(NotFound):
            wg.amendments.amendment(forged_id)
        assert wg.amendments.amendment(victim).status is Status.OPEN
    honest_round(clones)

    # Even merged onto main (by a chair, with plain git), only the first-parent history counts.
    tree = forger.tree("main", {"drafts/roles.md": roles + "\nOne more paragraph.\n"})
    merged = forger.commit(
        tree,
        [forger.rev("main"), forged],
        message(
            f"Merge amendment {forged_id}",
            [
                ("Amendment-Id", forged_id),
                ("Proposed-by", MEMBER_TECH),
                ("Stakeholder-Group", "technical-academic"),
                ("Merged-by", CHAIR),
            ],
        ),
        author=MEMBER_TECH,
        committer=CHAIR,
    )
    forger.update_ref("refs/heads/main", merged)
    with WorkingGroup.open(clones.a) as wg:
        assert wg.amendments.amendment(victim).status is Status.OPEN
    assert any(merged[:10] in p and "not on main" in p for p in audit(clones.a))


# -- the group is not jammed -------------------------------------------------------------------


def test_a_new_chair_with_a_key_merges_and_every_clone_keeps_syncing(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clones = signed_clones
    chair_key = add_chair_with_key(clones.a, keys, monkeypatch, tmp_path / "keys")
    sign_as(monkeypatch, chair_key)
    with WorkingGroup.open(clones.a, "achair") as wg:
        wg.merges.merge(agreed(wg, clones.amendment, keys))
        assert not sync(wg).problems
    report = do_sync(clones.b)
    assert report.problems == [] and report.received.main_commits == 2, report.lines()
    with WorkingGroup.open(clones.b) as wg:
        assert wg.amendments.amendment(clones.amendment).status is Status.MERGED
        assert verify(wg).problems == []
    honest_round(clones, keys, monkeypatch)


def test_one_unsigned_event_on_the_remote_jams_nobody(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    sign_as(monkeypatch, keys[MEMBER_GOV])
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        other = wg.amendments.propose(
            "roles", kind=Kind.REPLACE, paragraph=1, text="Roles, briefly.", rationale="Short."
        ).id
        assert not sync(wg).problems
    forged = Forger(clones.a, keys).event(amendment, member=MEMBER_TECH)  # not signed
    Forger(clones.a).push(f"refs/wg/events/{amendment}")

    report = do_sync(clones.b)
    quarantined(report, f"refs/wg/events/{amendment}", "no valid signature by mchen's key")
    assert len(report.problems) == 1 and report.received.new_amendments == 1
    honest_round(clones, keys, monkeypatch)

    command = [sys.executable, "-m", "wgtool", "clone", str(clones.origin), str(tmp_path / "c")]
    joined = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert joined.returncode == 0, joined.stderr
    assert f"refs/wg/events/{amendment}" in joined.stdout and "not taken" in joined.stdout
    sign_as(monkeypatch, keys["therrera"])
    with WorkingGroup.open(tmp_path / "c", "therrera") as wg:
        assert {a.id for a in wg.amendments.amendments()} >= {amendment, other}
        wg.deliberation.position(other, "no-objection")
        assert [p for p in sync(wg).problems if "not taken" not in p] == []
    assert any(forged[:10] in p and "no valid signature" in p for p in audit(clones.a))


def test_keys_rotate_without_invalidating_history(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clones, amendment = signed_clones, signed_clones.amendment
    sign_as(monkeypatch, keys[MEMBER_TECH])
    with WorkingGroup.open(clones.a, MEMBER_TECH) as wg:
        proposed = wg.amendments.propose(
            "roles", kind=Kind.REPLACE, paragraph=1, text="Roles, signed.", rationale="Key one."
        )
        early = wg.deliberation.comment(amendment, "Signed with my first key")
        first = wg.record.store.resolve(f"refs/wg/events/{amendment}")
    rotated = new_key(tmp_path / "keys", "mchen-2")
    sign_as(monkeypatch, keys[SECRETARIAT])
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.set_member_key(MEMBER_TECH, Path(f"{rotated}.pub").read_text())
    sign_as(monkeypatch, rotated)
    with WorkingGroup.open(clones.a, MEMBER_TECH) as wg:
        wg.deliberation.comment(amendment, "Signed with my new key")
        second = wg.record.store.resolve(f"refs/wg/events/{amendment}")
        report = verify(wg)
        assert report.problems == [] and report.signatures >= 3, report.lines()
        assert [e.id for e in wg.deliberation.events(amendment)][0] == early.id
        assert not sync(wg).problems
    assert do_sync(clones.b).problems == []

    # Plain git checks the same signatures with the allowed_signers file verify wrote.
    allowed = clones.a / ".git" / "wgtool" / "allowed_signers"
    assert 'valid-before="' in allowed.read_text()
    for commit in (proposed.head, first, second):
        checked = git(
            clones.a, "-c", f"gpg.ssh.allowedSignersFile={allowed}", "verify-commit", commit or ""
        )
        assert checked == ""  # exit 0 (git check=True) is the verdict

    # The old key, revoked by the rotation, signs nothing new.
    forged = Forger(clones.a, keys).event(
        amendment,
        member=MEMBER_TECH,
        sign=MEMBER_TECH,
        main=git(clones.a, "rev-parse", "main").strip(),
    )
    Forger(clones.a).push(f"refs/wg/events/{amendment}")
    quarantined(
        do_sync(clones.b),
        f"refs/wg/events/{amendment}",
        "signed with a key that is not mchen's key",
    )
    honest_round(clones, keys, monkeypatch)
    assert any(forged[:10] in p for p in audit(clones.a))
