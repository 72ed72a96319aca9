"""Auditing the record, with and without SSH signatures (real ssh-keygen keys)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.conftest import SECRETARIAT, Wg, agreed, git, plant_commit, plant_on_main
from tests.forge import Forger
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import InvalidInput, PermissionDenied
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind
from wgtool.core.record.gitstore import Person
from wgtool.core.record.messages import format_message


def _propose(wg: WorkingGroup, paragraph: int = 5, word: str = "global") -> str:
    text = document.paragraph(wg.drafts.draft("principles").text, paragraph).text
    return wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=paragraph,
        text=text.replace(word, f"truly {word}", 1),
        rationale="Clearer.",
    ).id


def test_a_normal_record_verifies(open_wg) -> None:
    wg = open_wg("mchen")
    amendment = _propose(wg)
    wg.record.act_as("ndlamini")
    wg.deliberation.position(amendment, "support")
    wg.deliberation.comment(amendment, "Fine by us.")
    wg.record.act_as("lhaddad")
    wg.merges.merge(agreed(wg, amendment))
    wg.record.act_as("epetrova")
    wg.procedure.tag("principles", "v1", message="Agreed")
    report = verify(wg)
    assert report.problems == []
    assert report.commits >= 5 and report.tags == 1


def test_a_main_commit_by_a_plain_member_is_reported(open_wg) -> None:
    wg = open_wg("mchen")
    store = wg.record.store
    main = wg.record.main()
    member = wg.record.roster.get("mchen")
    person = Person(member.name, member.email, 1_800_000_000)
    tree = store.write_tree(store.commit(main).tree, {"drafts/principles.md": b"# Replaced\n"})
    message = format_message("Rewrite the principles", "", [("Member", "mchen")])
    forged = store.write_commit(tree, [main], message, person, person)
    store.update_ref("refs/heads/main", forged, main)
    report = verify(wg)
    assert any(forged[:10] in line and "mchen" in line for line in report.problems), report.problems


def test_an_event_claiming_another_member_is_reported(open_wg) -> None:
    wg = open_wg("mchen")
    amendment = _propose(wg)
    wg.record.act_as("cdubois")
    wg.deliberation.position(amendment, "object", reason="No.")
    store = wg.record.store
    ref = f"refs/wg/events/{amendment}"
    tip = store.resolve(ref)
    impostor = wg.record.roster.get("cdubois")
    event = (
        b'{"amendment": "%s", "at": 1.0, "group": "governments", "id": "e1", '
        b'"member": "lhaddad", "revision": 1, "stance": "support", "text": "", '
        b'"type": "position"}\n' % amendment.encode()
    )
    tree = store.write_tree(store.commit(tip).tree, {"events/e1.json": event})
    person = Person(impostor.name, impostor.email, 1_800_000_000)
    message = format_message(
        "Position",
        "",
        [
            ("Amendment-Id", amendment),
            ("Event", "position"),
            ("Event-Id", "e1"),
            ("Member", "lhaddad"),
        ],
    )
    store.update_ref(ref, store.write_commit(tree, [tip], message, person, person), tip)
    problems = verify(wg).problems
    assert any("says lhaddad but the author is" in line for line in problems), problems


def test_signed_working_group(open_wg, keys, monkeypatch: pytest.MonkeyPatch) -> None:
    wg = open_wg("epetrova")
    for handle, key in keys.items():
        wg.secretariat.set_member_key(handle, Path(f"{key}.pub").read_text())
    wg.secretariat.update_settings(signatures="required")

    wg.record.act_as("mchen")
    with pytest.raises(PermissionDenied, match="WGTOOL_SIGNING_KEY"):
        _propose(wg)
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["ndlamini"]))
    with pytest.raises(PermissionDenied, match="not mchen's key"):
        _propose(wg)

    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["mchen"]))
    amendment = _propose(wg)
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["lhaddad"]))
    wg.record.act_as("lhaddad")
    merge = wg.merges.merge(agreed(wg, amendment))
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["epetrova"]))
    wg.record.act_as("epetrova")
    wg.procedure.tag("principles", "v1", message="Signed version")

    # git itself reads the signatures.
    allowed = Path(wg.record.store.git_dir) / "allowed"
    allowed.write_text(
        "".join(f'{m.email} namespaces="git" {m.ssh_key}\n' for m in wg.record.roster)
    )
    shown = subprocess.run(
        [
            "git",
            "-C",
            str(wg.record.store.work_tree),
            "-c",
            "gpg.format=ssh",
            "-c",
            f"gpg.ssh.allowedSignersFile={allowed}",
            "verify-commit",
            merge,
        ],
        capture_output=True,
        text=True,
    )
    assert shown.returncode == 0
    assert 'Good "git" signature for laila.haddad@example.org' in shown.stderr

    report = verify(wg)
    assert report.problems == []
    assert report.signatures >= 3

    # An unsigned commit slipped onto main by the chair's email is caught.
    store = wg.record.store
    wg.record.store.signing_key = None
    main = wg.record.main()
    chair = wg.record.roster.get("lhaddad")
    person = Person(chair.name, chair.email, 1_800_000_000)
    unsigned = store.write_commit(
        store.commit(main).tree,
        [main],
        format_message("Unsigned", "", [("Member", "epetrova")]),
        person,
        person,
    )
    store.update_ref("refs/heads/main", unsigned, main)
    problems = verify(wg).problems
    assert any(unsigned[:10] in line and "signature" in line for line in problems), problems


def test_signatures_need_every_members_key(open_wg) -> None:
    wg = open_wg("epetrova")
    with pytest.raises(InvalidInput, match="every member needs an SSH key"):
        wg.secretariat.update_settings(signatures="required")
    with pytest.raises(InvalidInput, match="not an OpenSSH public key"):
        wg.secretariat.set_member_key("mchen", "-----BEGIN OPENSSH PRIVATE KEY-----")
    wg.record.act_as("mchen")
    with pytest.raises(PermissionDenied, match="secretariat"):
        wg.secretariat.update_settings(min_supporting_groups=2)


def test_verify_and_settings_from_the_command_line(wgcli, snapshot_refs, example_repo) -> None:
    out = wgcli.ok("verify", actor="mchen")
    assert "every change is attributed" in out
    before = snapshot_refs(example_repo)
    refused = wgcli("settings", "--min-supporting-groups", "2", actor="mchen")
    assert refused.exit_code == 4 and "secretariat" in refused.stderr
    assert snapshot_refs(example_repo) == before
    wgcli.ok("settings", "--min-supporting-groups", "2", actor="epetrova")
    shown = wgcli.ok("settings", "--json", actor="mchen")
    assert '"min_supporting_groups": 2' in shown
    assert "at least 2 supporting group(s)" in wgcli.ok("settings", actor="mchen")
    out = wgcli.ok("verify", actor="mchen")
    assert "every change is attributed" in out


def test_sync_refuses_unsigned_history_in_a_signed_working_group(
    clones, keys, snapshot_refs, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import git
    from wgtool.core.exchange.sync import sync

    refs_snapshot = snapshot_refs

    with WorkingGroup.open(clones.a, "epetrova") as wg:
        for handle, key in keys.items():
            wg.secretariat.set_member_key(handle, Path(f"{key}.pub").read_text())
        wg.secretariat.update_settings(signatures="required")
        assert not sync(wg).problems
    with WorkingGroup.open(clones.b, "mchen") as wg:
        assert not sync(wg).problems
        assert wg.record.settings.signatures == "required"

    # A signed position travels.
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["mchen"]))
    with WorkingGroup.open(clones.a, "mchen") as wg:
        wg.deliberation.position(clones.amendment, "support")
        assert not sync(wg).problems
    with WorkingGroup.open(clones.b, "ndlamini") as wg:
        assert not sync(wg).problems
        assert [e.member for e in wg.deliberation.events(clones.amendment)] == ["mchen"]

    # An unsigned one, written behind wgtool's back on clone a, is not sent by clone a; pushed
    # with plain git, clone b leaves it out and reports it, and everything else still syncs.
    forger = Forger(clones.a)
    forger.event(
        clones.amendment,
        member="mchen",
        event_id="unsigned-1",
        text="Unsigned words",
        main=forger.rev("main"),
    )
    with WorkingGroup.open(clones.a, "mchen") as wg:
        refused = sync(wg).problems
        assert len(refused) == 1 and "no valid signature by mchen's key" in refused[0]
        assert "not sent" in refused[0]
    git(clones.a, "push", "--quiet", "origin", f"refs/wg/events/{clones.amendment}")
    before = refs_snapshot(clones.b)
    monkeypatch.setenv("WGTOOL_SIGNING_KEY", str(keys["ndlamini"]))
    with WorkingGroup.open(clones.b, "ndlamini") as wg:
        wg.deliberation.position(clones.amendment, "object")
        report = sync(wg)
        assert len(report.problems) == 1, report.problems
        assert f"refs/wg/events/{clones.amendment}" in report.problems[0]
        assert "no valid signature by mchen's key" in report.problems[0]
        assert "not taken from origin" in report.problems[0]
        assert [e.member for e in wg.deliberation.events(clones.amendment)] == ["mchen", "ndlamini"]
    after = refs_snapshot(clones.b)
    local = [line for line in before.splitlines() if "refs/remotes/" not in line]
    changed = [line for line in after.splitlines() if "refs/remotes/" not in line]
    assert [line for line in changed if line not in local] == [
        line for line in changed if f"refs/wg/events/{clones.amendment}" in line
    ]  # only b's own position moved the events ref


# -- a broken wg.toml in history, a tagger who borrows a member's name -----------------------------

BROKEN_SETTINGS = {
    "an infinite consensus count": b'title = "x"\n[consensus]\nmin_supporting_groups = inf\n',
    "TOML that does not parse": b'title = "x\n',
    "text that is not UTF-8": b'title = "\xff"\n',
}


@pytest.mark.parametrize("why", sorted(BROKEN_SETTINGS))
def test_a_broken_settings_file_in_history_is_a_problem_not_an_abort(
    example_repo: Path, why: str
) -> None:
    broken = plant_on_main(example_repo, {"wg.toml": BROKEN_SETTINGS[why]}, "Break the settings")
    git(example_repo, "update-ref", "refs/heads/broken", broken)
    git(example_repo, "update-ref", "refs/heads/main", f"{broken}^")
    fixed = plant_commit(
        example_repo,
        "refs/heads/broken",
        {"wg.toml": git(example_repo, "show", f"{broken}^:wg.toml").encode()},
        f"Mend the settings\n\nMember: {SECRETARIAT}\nStakeholder-Group: intergovernmental\n",
        author=("Elena Petrova", "elena.petrova@example.org"),
    )
    git(example_repo, "update-ref", "refs/heads/main", fixed)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        report = verify(wg)
    assert any(broken[:10] in line and "wg.toml" in line for line in report.problems), (
        report.problems
    )


def test_the_command_line_reports_a_broken_settings_file_in_one_line(example_repo: Path) -> None:
    plant_on_main(example_repo, {"wg.toml": BROKEN_SETTINGS["an infinite consensus count"]})
    result = Wg(example_repo)("settings", actor=SECRETARIAT)
    assert result.exit_code == 2
    # (a notice may come first: plant_on_main moved main under the working tree)
    assert result.stderr.splitlines()[-1] == "wgtool: wg.toml: [consensus] values must be numbers"
    assert result.stdout == ""


def test_a_tag_by_a_stranger_with_a_secretariat_members_name_is_reported(
    example_repo: Path,
) -> None:
    with WorkingGroup.open(example_repo) as wg:
        secretariat = wg.record.roster.get(SECRETARIAT)
        main = wg.record.main()
    tagger = f"tagger {secretariat.name} <impostor@example.net> 1760000000 +0000"
    tag = subprocess.run(
        ["git", "-C", str(example_repo), "mktag"],
        input=f"object {main}\ntype commit\ntag principles/v1\n{tagger}\n\nAgreed.\n",
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    git(example_repo, "update-ref", "refs/tags/principles/v1", tag)
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        report = verify(wg)
        assert wg.drafts.versions("principles") == []
    assert any(
        "principles/v1" in line and "impostor@example.net, who is not secretariat" in line
        for line in report.problems
    ), report.problems
