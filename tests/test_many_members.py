"""Many members through one remote: ``benchmarks/many_members.py`` in small, as real processes.

Six clones of one bare remote, each in its own process, released together by a gate (a line on
their standard input, so nothing waits by sleeping), do three rounds each of propose, position,
comment and ``wgtool sync`` (a process of its own, whose output is read); the chair also merges
and the secretariat tags. Afterwards every clone syncs once more and is checked against what
every process reported it wrote.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]
SIMULATION = PROJECT / "benchmarks" / "many_members.py"
CLONES, ROUNDS = 6, 3


@pytest.mark.slow
def test_six_members_syncing_at_once_lose_nothing_and_retry_lost_races(tmp_path: Path) -> None:
    folder = tmp_path / "simulation"
    command = [sys.executable, str(SIMULATION), "--clones", str(CLONES), "--rounds", str(ROUNDS)]
    command += ["--max-pause", "0", "--json", "--keep", str(folder)]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=PROJECT)
    assert result.stdout.strip(), result.stderr
    outcome = json.loads(result.stdout)

    # Every check of the simulation held: nothing missing or unknown on any copy, in git or in
    # the index; verify and fsck clean everywhere; no sync problem, no failed write.
    assert outcome["failures"] == [], "\n".join(outcome["failures"])
    assert result.returncode == 0 and outcome["ok"]

    written, kept, syncs = outcome["written"], outcome["kept"], outcome["syncs"]
    assert written["amendments"] == CLONES * ROUNDS
    assert written["events"] > 0 and written["merges"] > 0 and written["tags"] == ROUNDS
    assert kept["copies_checked"] == CLONES + 1  # the remote and every clone
    assert kept["events_min"] == kept["events_max"] == written["events"]
    # Every round's sync and the last one, each reporting its rounds; none reported a problem.
    assert syncs["count"] == CLONES * ROUNDS + CLONES
    assert syncs["problems"] == 0
    assert syncs["retries"] == sum(
        (int(rounds) - 1) * count for rounds, count in syncs["rounds_histogram"].items()
    )
