"""One author's bad commit holds back no one else's work.

An unguarded remote takes whatever anyone pushes. When someone puts a forged commit at the tip
of an amendment's chain there, every clone quarantines it, and every clone still takes the
honest commits before and beside it and sends its members' new events: the remote's chain is
replaced by one that holds every honest commit and drops the forged one (only while the remote
is still at the tip that was judged). The property test lets an attacker push forgeries,
rewinds and deletions at random while honest members write: once the attacker stops, every
honest event from every clone is on every clone.
"""

from __future__ import annotations

import os
import random
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
    Clones,
    do_sync,
    git,
    propose_sample,
)
from tests.forge import Forger, message
from tests.test_guard import guard
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Kind
from wgtool.core.record.faults import CRASH_EXIT_CODE, FAULT_ENV

CASES = int(os.environ.get("WGTOOL_HELD_BACK_CASES", "2"))


def event_ids(repo: Path) -> set[str]:
    """Every event file held under refs/wg/events/ in ``repo``."""
    refs = git(repo, "for-each-ref", "--format=%(refname)", "refs/wg/events").split()
    found: set[str] = set()
    for ref in refs:
        listing = git(repo, "ls-tree", "--name-only", f"{ref}:events", check=False)
        found |= {name.removesuffix(".json") for name in listing.split()}
    return found


def test_a_forged_tip_on_the_remote_holds_back_no_honest_position(
    clones: Clones, tmp_path: Path
) -> None:
    amendment, ref = clones.amendment, f"refs/wg/events/{clones.amendment}"
    with WorkingGroup.open(clones.a, MEMBER_GOV) as wg:
        honest = wg.deliberation.position(amendment, "support", reason="Agreed").id
        assert not sync(wg).problems
    # Someone writes an objection in ndlamini's name, as someone else, at the remote's tip.
    forger = Forger(clones.a)
    forged = forger.event(
        amendment, member=MEMBER_CS, type_="position", stance="object", author=MEMBER_TECH
    )
    assert forger.push(f"{ref}:{ref}").returncode == 0

    with WorkingGroup.open(clones.b, MEMBER_CS) as wg:
        first = sync(wg)
        (line,) = [p for p in first.problems if ref in p]
        assert forged[:10] in line and "not taken" in line and "others' work was" in line
        objection = wg.deliberation.position(amendment, "object", reason="Not acceptable to us").id
        report = sync(wg)
        assert report.sent.events == 1, report.lines()
    remote_tip = git(clones.origin, "rev-parse", ref).strip()
    assert forged not in git(clones.origin, "rev-list", remote_tip).split()
    assert {honest, objection} <= set(
        git(clones.origin, "ls-tree", "--name-only", f"{ref}:events").replace(".json", "").split()
    )
    command = [sys.executable, "-m", "wgtool", "clone", str(clones.origin), str(tmp_path / "c")]
    joined = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert joined.returncode == 0, joined.stderr
    assert {honest, objection} <= event_ids(tmp_path / "c")
    with WorkingGroup.open(tmp_path / "c") as wg:
        stances = {
            p.member: p.stance.value
            for g in wg.deliberation.consensus(wg.amendments.amendment(amendment)).groups
            for p in g.positions
        }
        assert stances[MEMBER_CS] == "object" and stances[MEMBER_GOV] == "support"
        assert verify(wg).problems == []


def test_a_guard_installed_after_a_forgery_lets_it_be_replaced(clones: Clones) -> None:
    amendment, ref = clones.amendment, f"refs/wg/events/{clones.amendment}"
    forger = Forger(clones.a)
    forged = forger.event(amendment, member=MEMBER_CS, type_="comment", author=MEMBER_TECH)
    assert forger.push(f"{ref}:{ref}").returncode == 0
    assert guard("install", str(clones.origin)).exit_code == 0
    with WorkingGroup.open(clones.b, MEMBER_GOV) as wg:
        sync(wg)
        wg.deliberation.comment(amendment, "Still here.")
        report = sync(wg)
        assert report.sent.events == 1, report.lines()
    assert forged not in git(clones.origin, "rev-list", ref).split()
    # A plain forced push that drops honest work is still refused by the guard.
    honest_tip = git(clones.origin, "rev-parse", ref).strip()
    refused = forger.push(f"+{forged}:{ref}")  # back to the forgery, dropping the comment
    assert refused.returncode != 0 and "only moves forward" in refused.stderr
    assert git(clones.origin, "rev-parse", ref).strip() == honest_tip


# -- the property ------------------------------------------------------------------------------


class Attacker:
    """Someone with write access to an unguarded remote, writing with plain git."""

    def __init__(self, repo: Path, rng: random.Random) -> None:
        self.repo, self.rng, self.forger, self.count = repo, rng, Forger(repo), 0

    def act(self) -> None:
        self.forger.git("fetch", "-q", "origin", "+refs/wg/*:refs/wg/*")
        refs = self.forger.git("for-each-ref", "--format=%(refname)", "refs/wg").split()
        if not refs:
            return
        ref = self.rng.choice(refs)
        how = self.rng.choice(["forge", "forge", "rewind", "delete", "revision"])
        self.count += 1
        if how == "forge" and "/events/" in ref:
            key = ref.rsplit("/", 1)[1]
            self.forger.event(
                key,
                member=self.rng.choice([MEMBER_CS, MEMBER_GOV, CHAIR]),
                type_="position",
                stance="object",
                event_id=f"forged-{self.count}",
                author=MEMBER_TECH,
            )
            self.forger.push(f"+{ref}:{ref}", force=True)
        elif how == "rewind":
            parents = self.forger.git("rev-list", "--max-count=3", ref).split()
            self.forger.push(f"+{parents[-1]}:{ref}", force=True)
        elif how == "delete":
            self.forger.push(f":{ref}", force=True)
        elif "/amendments/" in ref:
            tip = self.forger.rev(ref)
            tree = self.forger.git("rev-parse", f"{tip}^{{tree}}")
            number = int(
                self.forger.git("log", "-1", "--format=%(trailers:key=Revision,valueonly)", tip)
                or 1
            )
            key = ref.rsplit("/", 1)[1]
            forged = self.forger.commit(
                tree,
                [tip],
                message(
                    "A revision in the proposer's name",
                    [("Amendment-Id", key), ("Revision", str(number + 1)), ("Member", MEMBER_PS)],
                ),
                author=MEMBER_TECH,
            )
            self.forger.push(f"+{forged}:{ref}", force=True)


@pytest.mark.parametrize("seed", range(CASES))
def test_with_any_forgeries_on_the_remote_every_honest_event_reaches_every_clone(
    tmp_path: Path, seed: int
) -> None:
    rng = random.Random(seed)
    seed_repo, origin = tmp_path / "seed", tmp_path / "origin.git"
    WorkingGroup.init(seed_repo, title="Example working group", example=True).close()
    git(tmp_path, "init", "--quiet", "--bare", "--initial-branch=main", str(origin))
    git(seed_repo, "remote", "add", "origin", str(origin))
    amendments = [propose_sample(seed_repo), propose_sample(seed_repo, MEMBER_GOV)]
    assert not do_sync(seed_repo).problems
    honest = []
    for name in ("a", "b", "c"):
        git(tmp_path, "clone", "--quiet", str(origin), str(tmp_path / name))
        do_sync(tmp_path / name)
        honest.append(tmp_path / name)
    git(tmp_path, "clone", "--quiet", str(origin), str(tmp_path / "m"))
    attacker = Attacker(tmp_path / "m", rng)
    written: set[str] = set()
    members = [MEMBER_CS, MEMBER_GOV, MEMBER_TECH, CHAIR, MEMBER_PS]
    for _ in range(4):
        for repo in rng.sample(honest, len(honest)):
            with WorkingGroup.open(repo, rng.choice(members)) as wg:
                known = [a.id for a in wg.amendments.amendments() if a.id in amendments]
                for _ in range(rng.randint(1, 2)):
                    target = rng.choice(known)
                    if rng.random() < 0.5:
                        written.add(wg.deliberation.comment(target, f"Note {rng.random():.6f}").id)
                    else:
                        stance = rng.choice(["support", "object", "no-objection"])
                        written.add(wg.deliberation.position(target, stance).id)
                if rng.random() < 0.3:
                    amendments.append(
                        wg.amendments.propose(
                            "roles",
                            kind=Kind.REPLACE,
                            paragraph=rng.randint(1, 3),
                            text=f"Roles, as member {wg.record.actor().handle} reads them.",
                            rationale="R",
                        ).id
                    )
                sync(wg)
            if rng.random() < 0.7:
                attacker.act()
    for _ in range(2):  # the attacker has stopped: everyone syncs until nothing moves
        for repo in honest:
            do_sync(repo)
    for repo in honest:
        held = event_ids(repo)
        assert written <= held, (repo.name, sorted(written - held))
        assert not any(name.startswith("forged-") for name in held), repo.name
        with WorkingGroup.open(repo) as wg:
            assert verify(wg).problems == []


def test_a_clone_that_dies_before_it_has_judged_everything_leaves_no_working_group(
    clones: Clones, tmp_path: Path
) -> None:
    """The clone takes every ref in one fetch into a folder beside the target, judges it
    there, and only then gives it the target's name: killed before, there is no group."""
    target = tmp_path / "joined"
    command = [sys.executable, "-m", "wgtool", "clone", str(clones.origin), str(target)]
    died = subprocess.run(
        command,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, FAULT_ENV: "clone-before-rename"},
    )
    assert died.returncode == CRASH_EXIT_CODE
    assert not target.exists()
    joined = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert joined.returncode == 0, joined.stderr
    assert "refs/wg/*:refs/wg/*" not in git(target, "config", "--get-all", "remote.origin.fetch")
    assert git(target, "for-each-ref", "refs/wg").strip()
    with WorkingGroup.open(target) as wg:
        assert verify(wg).problems == []
