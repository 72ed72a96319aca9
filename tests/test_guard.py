"""The shared remote guards itself: ``wgtool guard install`` and plain ``git push``.

The forgeries are made with plain git (:mod:`forge`) and pushed with plain ``git push`` (with a
PATH that holds git and nothing of wgtool's): the remote's pre-receive hook refuses them, and the
remote is left exactly as it was. Honest members sync through the same guarded remote.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Clones,
    add_chair_with_key,
    agreed,
    git,
    refs_snapshot,
    sign_as,
)
from tests.forge import ZERO, Forger, message
from wgtool.cli import cli
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Role, Status


def guard(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(cli, ["guard", *args], input=input, catch_exceptions=False)


@pytest.fixture
def guarded(clones: Clones) -> Clones:
    result = guard("install", str(clones.origin))
    assert result.exit_code == 0, result.output
    return clones


def test_guard_install_writes_a_pre_receive_hook(clones: Clones, tmp_path: Path) -> None:
    result = guard("install", str(clones.origin))
    assert result.exit_code == 0 and "pre-receive" in result.stdout
    hook = clones.origin / "hooks" / "pre-receive"
    assert hook.stat().st_mode & stat.S_IXUSR
    assert sys.executable in hook.read_text() and "-m wgtool guard check" in hook.read_text()
    assert guard("install", str(clones.origin)).exit_code == 0  # again: the same hook

    hook.write_text("#!/bin/sh\nexit 0\n")
    refused = guard("install", str(clones.origin))
    assert refused.exit_code == 2 and len(refused.stderr.strip().splitlines()) == 1
    assert "not wgtool's" in refused.stderr and hook.read_text() == "#!/bin/sh\nexit 0\n"
    refused = guard("install", str(clones.a))
    assert refused.exit_code == 2 and "bare repository" in refused.stderr
    assert not (clones.a / ".git" / "hooks" / "pre-receive").exists()
    missing = guard("install", str(tmp_path / "nowhere"))
    assert missing.exit_code == 1 and len(missing.stderr.strip().splitlines()) == 1
    script = guard("script").stdout
    assert script.startswith("#!/bin/sh\n") and script.endswith(
        f"{sys.executable} -m wgtool guard check\n"
    )


def test_guard_check_refuses_input_that_is_not_ref_updates(clones: Clones) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "wgtool", "guard", "check"],
        input="not a ref update\n",
        capture_output=True,
        text=True,
        cwd=clones.origin,
        env={**os.environ, "GIT_DIR": "."},
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1


def _forge(clones: Clones, how: str) -> list[str]:
    """Forge ``how`` on clone a with plain git; return the refspecs to push."""
    forger = Forger(clones.a)
    amendment = clones.amendment
    events = f"refs/wg/events/{amendment}"
    main = forger.rev("main")
    if how == "an event naming another member":
        forger.event(amendment, member=MEMBER_CS, committer=MEMBER_TECH)
        return [events]
    if how == "an event chain that deletes an event":
        with WorkingGroup.open(clones.a, MEMBER_CS) as wg:
            support = wg.deliberation.position(amendment, "support")
        subprocess.run(["git", "-C", str(clones.a), "push", "-q", "origin", events], check=True)
        forger.event(amendment, member=MEMBER_TECH, extra={f"events/{support.id}.json": None})
        return [events]
    if how == "a member's commit on main":
        tree = forger.tree("main", {"drafts/principles.md": "# Principles\n\nMine.\n"})
        text = message("Rewrite", [("Member", MEMBER_TECH)])
        forger.update_ref("refs/heads/main", forger.commit(tree, [main], text, author=MEMBER_TECH))
        return ["refs/heads/main"]
    if how == "a roster nested too deeply":
        tree = forger.tree("main", {"roster.toml": "x = " + "[" * 2000 + "]" * 2000 + "\n"})
        text = message("Tidy", [("Member", SECRETARIAT)])
        forger.update_ref("refs/heads/main", forger.commit(tree, [main], text, author=SECRETARIAT))
        return ["refs/heads/main"]
    if how == "a chair merge that promotes the chair":
        head = forger.rev(f"refs/wg/amendments/{amendment}")

        def promote(members: dict[str, dict[str, object]]) -> None:
            members[CHAIR]["roles"] = ["member", "chair", "secretariat"]

        draft = git(clones.a, "show", f"{head}:drafts/principles.md")
        tree = forger.tree(
            "main", {"drafts/principles.md": draft, "roster.toml": forger.roster_with(promote)}
        )
        trailers = [("Amendment-Id", amendment), ("Proposed-by", MEMBER_PS), ("Merged-by", CHAIR)]
        forged = forger.commit(
            tree, [main, head], message("Merge", trailers), author=MEMBER_PS, committer=CHAIR
        )
        forger.update_ref("refs/heads/main", forged)
        return ["refs/heads/main"]
    if how == "a tag on a blob":
        return [f"{forger.rev('main:wg.toml')}:refs/tags/principles/v1"]
    if how == "a tag on a side commit":
        tree = forger.tree("main", {"drafts/principles.md": "# Principles\n\nSide.\n"})
        side = forger.commit(
            tree, [main], message("Side", [("Member", SECRETARIAT)]), author=SECRETARIAT
        )
        forger.tag("principles/v1", side, tagger=SECRETARIAT)
        return ["refs/tags/principles/v1"]
    if how == "main set back":
        return ["+main~1:refs/heads/main"]
    if how == "a deleted amendment":
        return [f":refs/wg/amendments/{amendment}"]
    if how == "another branch":
        return ["main:refs/heads/elsewhere"]
    raise AssertionError(how)


FORGERIES = [
    "an event naming another member",
    "an event chain that deletes an event",
    "a member's commit on main",
    "a roster nested too deeply",
    "a chair merge that promotes the chair",
    "a tag on a blob",
    "a tag on a side commit",
    "main set back",
    "a deleted amendment",
    "another branch",
]


@pytest.mark.parametrize("how", FORGERIES)
def test_a_guarded_remote_refuses_plain_pushes_that_break_the_rules(
    guarded: Clones, how: str
) -> None:
    clones = guarded
    if how == "main set back":  # there must be something to set back
        with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
            wg.drafts.add_draft("charter", title="Charter", text="One paragraph.\n")
            assert not sync(wg).problems
    specs = _forge(clones, how)
    before = refs_snapshot(clones.origin)
    pushed = Forger(clones.a).push(*specs)
    assert pushed.returncode != 0
    assert "wgtool guard:" in pushed.stderr and "push refused" in pushed.stderr, pushed.stderr
    assert "Traceback" not in pushed.stderr
    assert refs_snapshot(clones.origin) == before

    # Honest members keep working through the same remote.
    with WorkingGroup.open(clones.b, MEMBER_GOV) as wg:
        proposed = wg.amendments.propose(
            "roles", kind=Kind.REPLACE, paragraph=1, text="Roles, briefly.", rationale="Short."
        ).id
        wg.deliberation.position(clones.amendment, "support")
        report = sync(wg)
        assert report.problems == [] and report.sent.new_amendments == 1, report.lines()
    assert git(clones.origin, "rev-parse", f"refs/wg/amendments/{proposed}").strip()


def test_honest_members_work_through_a_guarded_signed_remote(
    signed_clones: Clones, keys: dict[str, Path], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clones = signed_clones
    assert guard("install", str(clones.origin)).exit_code == 0
    amendment = clones.amendment

    # Positions on two machines at once: their chains are joined, and the join goes through.
    for repo, handle, stance in (
        (clones.a, MEMBER_GOV, "support"),
        (clones.b, MEMBER_CS, "object"),
    ):
        sign_as(monkeypatch, keys[handle])
        with WorkingGroup.open(repo, handle) as wg:
            wg.deliberation.position(amendment, stance)
    for repo in (clones.a, clones.b, clones.a):
        with WorkingGroup.open(repo) as wg:
            assert sync(wg).problems == []
    sign_as(monkeypatch, keys[MEMBER_CS])
    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        wg.deliberation.position(amendment, "support", reason="Convinced")
        assert sync(wg).problems == []

    # A new chair with a key merges; the secretariat tags the version.
    chair_key = add_chair_with_key(clones.a, keys, monkeypatch, tmp_path / "keys")
    sign_as(monkeypatch, chair_key)
    with WorkingGroup.open(clones.a, "achair") as wg:
        wg.merges.merge(agreed(wg, amendment, keys))
        assert sync(wg).problems == []
    sign_as(monkeypatch, keys[SECRETARIAT])
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="Agreed")
        report = sync(wg)
        assert report.problems == [] and report.sent.versions == 1

    with WorkingGroup.open(clones.b) as wg:
        assert sync(wg).problems == []
        assert wg.amendments.amendment(amendment).status is Status.MERGED
        assert [v.name for v in wg.drafts.versions("principles")] == ["v1"]
        assert verify(wg).problems == []
        assert wg.record.roster.get("achair").has(Role.CHAIR)

    command = [sys.executable, "-m", "wgtool", "clone", str(clones.origin), str(tmp_path / "c")]
    joined = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert joined.returncode == 0 and "Problem" not in joined.stdout, joined.stdout
    sign_as(monkeypatch, keys["therrera"])
    with WorkingGroup.open(tmp_path / "c", "therrera") as wg:
        wg.deliberation.comment(amendment, "Thanks, all")
        assert sync(wg).problems == []
    events = json.loads(
        subprocess.run(
            [sys.executable, "-m", "wgtool", "--repo", str(clones.b), "show", amendment, "--json"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    )
    assert events["status"] == "merged"


def test_a_first_push_to_an_empty_guarded_remote(tmp_path: Path) -> None:
    seed, origin = tmp_path / "seed", tmp_path / "origin.git"
    WorkingGroup.init(seed, example=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    assert guard("install", str(origin)).exit_code == 0
    git(seed, "remote", "add", "origin", str(origin))
    with WorkingGroup.open(seed, MEMBER_PS) as wg:
        wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=1, text="New.", rationale="Why."
        )
        report = sync(wg)
        assert report.problems == [] and report.sent.main_commits == 1, report.lines()
    assert git(origin, "rev-parse", "main").strip() == git(seed, "rev-parse", "main").strip()
    assert ZERO not in git(origin, "for-each-ref")
