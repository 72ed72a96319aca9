"""Many writers at once: real processes, real repositories, a real bare remote.

Writers are separate Python processes (``subprocess.Popen``) that add comments and positions
through the core, all released at the same moment by a gate file. They race on the same refs;
compare-and-swap retry must let every one of them succeed, and sync must carry every event to
every copy exactly once.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, Clones, git, propose_sample
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.model import Kind
from wgtool.core.record.rulebook import EVENTS_PREFIX

PROJECT = Path(__file__).resolve().parents[1]

# argv: repo handle gate count amendment... ; prints "ready" once it has opened the repository,
# writes when the gate file appears, and prints the amendment and id of every event it wrote.
WRITER = r"""
import sys, time
from pathlib import Path
from wgtool.core.desks import WorkingGroup

repo, handle, gate, count, *amendments = sys.argv[1:]
stances = ["support", "no-objection", "abstain", "object"]
with WorkingGroup.open(repo, handle) as wg:
    wg.record.refresh()
    print("ready", flush=True)
    while not Path(gate).exists():
        time.sleep(0.002)
    for i in range(int(count)):
        amendment = amendments[i % len(amendments)]
        if i % 2:
            stance = stances[i % 4]
            event = wg.deliberation.position(amendment, stance, reason=f"{handle} reason {i}")
        else:
            event = wg.deliberation.comment(amendment, f"{handle} says {i}")
        print(amendment, event.id, flush=True)
"""


def start_writer(
    repo: Path, handle: str, gate: Path, count: int, amendments: list[str]
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(repo), handle, str(gate), str(count), *amendments],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=PROJECT,
    )


def release(writers: list[subprocess.Popen[str]], gate: Path) -> None:
    """Wait until every writer has started and opened its repository, then open the gate."""
    for writer in writers:
        assert writer.stdout is not None
        assert writer.stdout.readline().strip() == "ready", writer.stderr
    gate.touch()


def finish(writers: list[subprocess.Popen[str]]) -> dict[str, list[str]]:
    """Wait for the writers; every one must succeed. Event ids written, by amendment."""
    written: dict[str, list[str]] = {}
    for writer in writers:
        out, err = writer.communicate(timeout=120)
        assert writer.returncode == 0, err
        for line in out.splitlines():
            amendment, event_id = line.split()
            written.setdefault(amendment, []).append(event_id)
    return written


def event_files(repo: Path, amendment: str) -> list[str]:
    out = git(repo, "ls-tree", "--name-only", f"{EVENTS_PREFIX}{amendment}:events")
    return [name.removesuffix(".json") for name in out.split()]


def assert_fsck_clean(repo: Path) -> None:
    result = subprocess.run(
        ["git", "-C", str(repo), "fsck", "--no-dangling", "--no-progress"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "error" not in result.stderr.lower() and "missing" not in result.stdout.lower()


@pytest.mark.slow
def test_two_processes_writing_to_one_repository_both_succeed(
    example_repo: Path, tmp_path: Path
) -> None:
    amendment = propose_sample(example_repo, MEMBER_GOV)
    gate = tmp_path / "go"
    writers = [
        start_writer(example_repo, handle, gate, 15, [amendment])
        for handle in (MEMBER_GOV, MEMBER_CS)
    ]
    release(writers, gate)
    written = finish(writers)[amendment]

    assert len(written) == 30 and len(set(written)) == 30
    assert sorted(event_files(example_repo, amendment)) == sorted(written)
    with WorkingGroup.open(example_repo) as wg:
        assert sorted(e.id for e in wg.deliberation.events(amendment)) == sorted(written)
    # Every write is one commit on one chain: no event was written twice or lost in a race.
    assert git(example_repo, "rev-list", "--count", EVENTS_PREFIX + amendment).strip() == "30"
    assert_fsck_clean(example_repo)


@pytest.mark.slow
def test_eight_writers_on_two_clones_every_event_arrives_once_everywhere(
    clones: Clones, tmp_path: Path
) -> None:
    with WorkingGroup.open(clones.a, CHAIR) as wg:
        second = wg.amendments.propose(
            "roles",
            kind=Kind.INSERT,
            paragraph=1,
            text="A rapporteur.",
            rationale="Someone has to write the report.",
        ).id
        sync(wg)
    with WorkingGroup.open(clones.b) as wg:
        sync(wg)
    amendments = [clones.amendment, second]
    gate = tmp_path / "go"
    writers = [
        start_writer(clones.a, handle, gate, 10, amendments)
        for handle in ("rsubramanian", "amoreira", "kwatanabe", "cdubois")
    ]
    writers += [
        start_writer(clones.b, handle, gate, 10, amendments)
        for handle in ("ndlamini", "therrera", "mchen", "oadeyemi")
    ]
    release(writers, gate)

    # Both machines sync, at the same time, as long as the writers write (and at least twice).
    command = [sys.executable, "-m", "wgtool", "--repo"]
    rounds = 0
    while rounds < 2 or any(w.poll() is None for w in writers):
        syncs = [
            subprocess.Popen(
                [*command, str(repo), "sync"],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=PROJECT,
            )
            for repo in (clones.a, clones.b)
        ]
        for process in syncs:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, out + err
        rounds += 1
    written = finish(writers)
    for repo in (clones.a, clones.b, clones.a):
        with WorkingGroup.open(repo) as wg:
            assert sync(wg).problems == []

    assert sum(len(ids) for ids in written.values()) == 80
    for amendment in amendments:
        ids = sorted(written[amendment])
        assert len(set(ids)) == len(ids) == 40
        tips = {
            git(repo, "rev-parse", EVENTS_PREFIX + amendment).strip()
            for repo in (clones.a, clones.b, clones.origin)
        }
        assert len(tips) == 1
        for repo in (clones.a, clones.b, clones.origin):
            assert sorted(event_files(repo, amendment)) == ids
        orders = []
        for repo in (clones.a, clones.b):
            with WorkingGroup.open(repo) as wg:
                orders.append([e.id for e in wg.deliberation.events(amendment)])
        assert orders[0] == orders[1] and sorted(orders[0]) == ids
    for repo in (clones.a, clones.b, clones.origin):
        assert_fsck_clean(repo)
