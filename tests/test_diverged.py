"""A diverged main has a way back: two chairs merge at once on two clones, and the one whose
sync comes second makes its merges again on top of the remote's main (``sync --replay-merges``),
each checked again; nothing merged on either side is lost."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    SECRETARIAT,
    Clones,
    Wg,
    agreed,
    do_sync,
    finish_cli,
    git,
    release_cli,
    start_cli,
)
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.errors import Remedy
from wgtool.core.exchange.sync import sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind, Status

SECOND_CHAIR = "ochair"


def amend(repo: Path, proposer: str, number: int, old: str, new: str) -> str:
    with WorkingGroup.open(repo, proposer) as wg:
        text = document.paragraphs(wg.drafts.draft("principles").text)[number - 1].text
        assert old in text, text
        amendment = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=number,
            text=text.replace(old, new, 1),
            rationale=f"{new}, not {old}",
        ).id
        agreed(wg, amendment)
        return amendment


@pytest.fixture
def two_chairs(clones: Clones) -> Clones:
    """A second chair in the roster, on both clones and the remote."""
    with WorkingGroup.open(clones.a, SECRETARIAT) as wg:
        wg.secretariat.add_member(
            SECOND_CHAIR,
            name="Olu Chair",
            email="olu.chair@example.org",
            group="civil-society",
            roles=["member", "chair"],
        )
        assert not sync(wg).problems
    assert not do_sync(clones.b).problems
    return clones


def merge_at_once(clones: Clones, x: str, y: str) -> list[str]:
    """The first chair merges ``x`` on clone a while the second merges ``y`` on clone b, in two
    processes released together; both then sync at once. Returns the sync outputs (a, b)."""
    processes = [
        start_cli(
            [
                ["--repo", str(repo), "--as", chair, "merge", amendment],
                ["--repo", str(repo), "sync"],
            ]
        )
        for repo, chair, amendment in ((clones.a, CHAIR, x), (clones.b, SECOND_CHAIR, y))
    ]
    release_cli(processes)
    outcomes = finish_cli(processes)
    for merged, _synced in outcomes:
        assert merged.code == 0, merged.err
    return [synced.out + synced.err for _merged, synced in outcomes]


def test_two_chairs_merging_at_once_recover_with_replay(two_chairs: Clones) -> None:
    clones = two_chairs
    x = amend(clones.a, MEMBER_GOV, 2, "Internet", "global Internet")
    y = amend(clones.a, MEMBER_CS, 6, "rights", "human rights")
    assert not do_sync(clones.a).problems and not do_sync(clones.b).problems
    merge_at_once(clones, x, y)
    # Whoever pushed second was told main diverged; sync both again to see who that is.
    reports = {repo: do_sync(repo) for repo in (clones.a, clones.b)}
    stuck = [repo for repo, report in reports.items() if report.problems]
    assert len(stuck) == 1, {r.name: rep.problems for r, rep in reports.items()}
    (loser,) = stuck
    winner = clones.a if loser == clones.b else clones.b
    lost = y if loser == clones.b else x
    (line,) = reports[loser].problems
    assert "main has diverged" in line and f"merges of amendment {lost[:8]}" in line
    assert reports[loser].remedies == [Remedy.REPLAY_MERGES]
    before = git(loser, "rev-parse", "main").strip()

    chair = SECOND_CHAIR if loser == clones.b else CHAIR
    replayed = Wg(loser)("sync", "--replay-merges", actor=chair)
    assert replayed.exit_code == 0, replayed.output + replayed.stderr
    assert f"amendment {lost}: merged again" in replayed.stdout
    assert f"refs/wgtool/replaced/main-{before[:12]}" in replayed.stdout
    assert git(loser, "rev-parse", f"refs/wgtool/replaced/main-{before[:12]}").strip() == before
    assert not do_sync(winner).problems
    mains = {git(repo, "rev-parse", "main").strip() for repo in (winner, loser, clones.origin)}
    assert len(mains) == 1
    for repo in (clones.a, clones.b):
        with WorkingGroup.open(repo) as wg:
            assert wg.amendments.amendment(x).status is Status.MERGED
            assert wg.amendments.amendment(y).status is Status.MERGED
            text = wg.drafts.draft("principles").text
            assert "global Internet" in text and "human rights" in text
            assert verify(wg).problems == []
    assert "refs/wgtool/" not in git(clones.origin, "for-each-ref")


def test_a_replay_that_conflicts_stops_with_exit_3_and_loses_nothing(two_chairs: Clones) -> None:
    clones = two_chairs
    x = amend(clones.a, MEMBER_GOV, 5, "preserve", "protect")
    y = amend(clones.a, MEMBER_CS, 5, "preserve", "safeguard")
    assert not do_sync(clones.a).problems and not do_sync(clones.b).problems
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        wg.merges.merge(x)
        assert not sync(wg).problems
    with WorkingGroup.open(clones.b, SECOND_CHAIR) as wg:
        wg.merges.merge(y)
        before = wg.record.main()
        assert any("main has diverged" in p for p in sync(wg).problems)
    replayed = Wg(clones.b)("sync", "--replay-merges", actor=SECOND_CHAIR)
    assert replayed.exit_code == 3, replayed.output
    assert f"amendment {y} conflicts" in replayed.stderr
    assert "Replayed 0 of 1 change(s)" in replayed.stderr
    assert f"refs/wgtool/replaced/main-{before[:12]}" in replayed.stderr
    with WorkingGroup.open(clones.b, SECOND_CHAIR) as wg:
        assert wg.record.main() == git(clones.origin, "rev-parse", "main").strip()
        assert wg.amendments.amendment(x).status is Status.MERGED
        assert wg.amendments.amendment(y).status is Status.OPEN  # still to be decided, not lost
        plan = wg.merges.plan_merge(y)
        wg.merges.merge(
            y, resolved_text=plan.conflicting_text().replace("protect", "protect and safeguard")
        )
        assert not sync(wg).problems
        assert verify(wg).problems == []
    assert not do_sync(clones.a).problems
    with WorkingGroup.open(clones.a) as wg:
        assert wg.amendments.amendment(y).status is Status.MERGED
        assert "protect and safeguard" in wg.drafts.draft("principles").text


def test_replay_without_a_diverged_main_changes_nothing(clones: Clones) -> None:
    result = Wg(clones.a)("sync", "--replay-merges", actor=CHAIR)
    assert result.exit_code == 0, result.output
    assert "refs/wgtool/replaced" not in git(clones.a, "for-each-ref")
