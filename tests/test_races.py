"""Races between real wgtool processes on one repository.

Every process runs the real command line; all are released at the same moment by a gate (see
``start_cli`` in conftest), so their reads and compare-and-swap writes interleave for real.
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
    finish_cli,
    git,
    propose_sample,
    release_cli,
    start_cli,
)
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import StateError
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import EVENTS_PREFIX

pytestmark = pytest.mark.slow


def wg_args(repo: Path, actor: str, *args: str) -> list[str]:
    return ["--repo", str(repo), "--as", actor, *args]


def test_eight_processes_proposing_at_once_each_see_their_amendment(example_repo: Path) -> None:
    members = [
        "rsubramanian",
        "amoreira",
        "kwatanabe",
        "cdubois",
        "ndlamini",
        "therrera",
        "mchen",
        "oadeyemi",
    ]
    processes = [
        start_cli(
            [
                wg_args(
                    example_repo,
                    handle,
                    "propose",
                    "principles",
                    "--paragraph",
                    "1",
                    "--text",
                    f"Enhanced cooperation, as {handle} sees it ({n}).",
                    "--rationale",
                    f"Proposal {n} of {handle}.",
                )
                for n in range(5)
            ]
        )
        for handle in members
    ]
    release_cli(processes)
    runs = [run for outcome in finish_cli(processes) for run in outcome]

    assert [(r.code, r.err) for r in runs] == [(0, "")] * 40
    ids = {r.out.strip() for r in runs}
    refs = git(example_repo, "for-each-ref", "--format=%(refname:lstrip=3)", "refs/wg/amendments")
    assert len(ids) == 40 and ids == set(refs.split())
    with WorkingGroup.open(example_repo) as wg:
        assert {a.id for a in wg.amendments.amendments()} == ids


def event_log(repo: Path, amendment: str) -> list[dict[str, object]]:
    """The events of an amendment in the order their commits were written (oldest first)."""
    events = []
    for sha in git(repo, "rev-list", "--reverse", EVENTS_PREFIX + amendment).split():
        changed = git(repo, "diff-tree", "--no-commit-id", "--name-only", "-r", "--root", sha)
        for path in changed.split():
            events.append(json.loads(git(repo, "show", f"{sha}:{path}")))
    return events


def test_racing_decisions_close_an_amendment_once_and_no_position_lands_after(
    example_repo: Path,
) -> None:
    amendment = propose_sample(example_repo)
    decisions = [
        wg_args(example_repo, CHAIR, "reject", amendment, "--reason", "Out of scope."),
        wg_args(example_repo, MEMBER_PS, "withdraw", amendment, "--reason", "Second thoughts."),
    ] * 2
    positions = [
        wg_args(example_repo, handle, "position", amendment, stance)
        for handle, stance in (
            (MEMBER_GOV, "support"),
            (MEMBER_CS, "object"),
            (MEMBER_TECH, "abstain"),
            ("oadeyemi", "no-objection"),
        )
    ]
    processes = [start_cli([args]) for args in decisions + positions]
    release_cli(processes)
    runs = [outcome[0] for outcome in finish_cli(processes)]

    decided = [r for r in runs[: len(decisions)] if r.code == 0]
    assert len(decided) == 1, [(r.code, r.out, r.err) for r in runs]
    for run in runs:
        assert run.code in (0, 1), (run.code, run.err)
        if run.code == 1:
            assert run.err.startswith("wgtool: cannot ") and run.err.count("\n") == 1, run.err
    log = event_log(example_repo, amendment)
    kinds = [e["type"] for e in log]
    assert kinds.count("reject") + kinds.count("withdraw") == 1
    # Nothing is written on a closed amendment: the decision is the last event of the chain.
    assert kinds[-1] in ("reject", "withdraw"), kinds
    positions_taken = sum(1 for r in runs[len(decisions) :] if r.code == 0)
    assert kinds.count("position") == positions_taken


def test_racing_tags_make_one_version_of_the_text_current_when_tagged(
    example_repo: Path, tmp_path: Path
) -> None:
    new_draft = tmp_path / "draft.md"
    new_draft.write_text("A paragraph.\n")
    taggers = [
        wg_args(example_repo, SECRETARIAT, "tag", "principles", "v1", "--message", f"Take {n}.")
        for n in range(4)
    ]
    movers = [
        wg_args(
            example_repo,
            SECRETARIAT,
            "draft",
            "add",
            slug,
            "--title",
            slug,
            "--file",
            str(new_draft),
        )
        for slug in ("annex-a", "annex-b")
    ]
    processes = [start_cli([args]) for args in taggers + movers]
    release_cli(processes)
    runs = [outcome[0] for outcome in finish_cli(processes)]

    assert [r.code for r in runs[len(taggers) :]] == [0, 0]
    tagged = [r for r in runs[: len(taggers)] if r.code == 0]
    assert len(tagged) == 1, [(r.code, r.err) for r in runs]
    for run in runs[: len(taggers)]:
        if run.code != 0:
            assert run.code == 2 and "already exists" in run.err and run.err.count("\n") == 1
    commit = git(example_repo, "rev-parse", "principles/v1^{commit}").strip()
    git(example_repo, "merge-base", "--is-ancestor", commit, "main")
    assert git(example_repo, "cat-file", "-t", "principles/v1").strip() == "tag"


def test_a_read_with_configuration_options_keeps_what_was_read_of_the_refs(
    example_repo: Path,
) -> None:
    """A ``git -c key=value log`` is a read: it keeps the refs as read (no new generation, so
    main and the listing are not read again); a command that may move a ref, options or not,
    starts a new one."""
    store = GitStore.open(example_repo)
    before = store.generation
    store.run(["-c", "log.showRoot=true", "-c", "log.showSignature=false", "log", "-1"])
    store.run(["log", "-1"])
    assert store.generation == before
    store.run(["-c", "gc.auto=0", "pack-refs", "--all"])
    assert store.generation == before + 1
    store.close()


def test_a_chain_moved_after_a_command_read_its_tips_is_still_caught(example_repo: Path) -> None:
    """A command (one snapshot of the record) writes against the ref tips its refresh read,
    without listing them again: a chain another process moved since is caught by the
    compare-and-swap, read again, and judged again (a rejected amendment takes no position)."""
    amendment = propose_sample(example_repo)
    with WorkingGroup.open(example_repo, MEMBER_CS) as wg:
        wg.record.snapshot_reads = True
        wg.amendments.amendment(amendment)  # refreshes the index: its tips are kept
        with WorkingGroup.open(example_repo, MEMBER_GOV) as other:
            other.deliberation.comment(amendment, "Meanwhile.")
        wg.deliberation.comment(amendment, "After it.")
        wg.amendments.amendment(amendment)
        with WorkingGroup.open(example_repo, CHAIR) as other:
            other.deliberation.reject(amendment, reason="Out of scope.")
        with pytest.raises(StateError, match="it is rejected"):
            wg.deliberation.position(amendment, "support")
    written = [(e["type"], e.get("text")) for e in event_log(example_repo, amendment)]
    assert written == [
        ("comment", "Meanwhile."),
        ("comment", "After it."),
        ("reject", "Out of scope."),
    ]
