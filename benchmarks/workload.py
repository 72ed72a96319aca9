"""Deliberation written through the core, to prepare what the benchmark measures.

    python benchmarks/workload.py events REPO COUNT SEED
        COUNT positions and comments by random members on random open amendments.
    python benchmarks/workload.py churn SENDER RECEIVER SYNCS EVENTS SEED
        SYNCS times: EVENTS events written on SENDER, which syncs; one event written on
        RECEIVER, which syncs too (it receives and sends, as a member's clone does).

Both use the same use cases as the command line (``DeliberationDesk.position``, ``comment``,
``sync``), in one process each, so preparing a benchmark costs seconds, not minutes.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.sync import sync
from wgtool.core.model import Status

STANCES = ("support", "support", "no-objection", "abstain", "object")


def write_events(repo: Path, count: int, rng: random.Random) -> int:
    """Write ``count`` events on random open amendments; how many amendments they touched."""
    with WorkingGroup.open(repo) as wg:
        open_ids = sorted(a.id for a in wg.amendments.amendments(status=Status.OPEN.value))
        handles = sorted(m.handle for m in wg.secretariat.members())
        touched = set()
        for number in range(count):
            amendment = rng.choice(open_ids)
            wg.record.act_as(rng.choice(handles))
            if number % 3:
                wg.deliberation.position(amendment, rng.choice(STANCES), reason=f"Reason {number}.")
            else:
                wg.deliberation.comment(amendment, f"Comment {number} from the benchmark.")
            touched.add(amendment)
        return len(touched)


def sync_or_fail(repo: Path) -> None:
    with WorkingGroup.open(repo) as wg:
        report = sync(wg)
    if report.problems:
        raise SystemExit(f"sync of {repo} had problems: {report.problems}")


def churn(sender: Path, receiver: Path, syncs: int, events: int, rng: random.Random) -> None:
    for _ in range(syncs):
        write_events(sender, events, rng)
        sync_or_fail(sender)
        write_events(receiver, 1, rng)
        sync_or_fail(receiver)


def main() -> None:
    command, *args = sys.argv[1:]
    if command == "events":
        repo, count, seed = Path(args[0]), int(args[1]), int(args[2])
        touched = write_events(repo, count, random.Random(seed))
        print(f"wrote {count} events on {touched} amendments")
    elif command == "churn":
        sender, receiver = Path(args[0]), Path(args[1])
        churn(sender, receiver, int(args[2]), int(args[3]), random.Random(int(args[4])))
    else:
        raise SystemExit(f"unknown command {command!r}: use events or churn")


if __name__ == "__main__":
    main()
