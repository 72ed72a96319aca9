"""The benchmark seed writes what wgtool writes: ``verify`` on a seeded group reports nothing."""

from __future__ import annotations

from pathlib import Path

from tests.seeding import seed
from wgtool.core.desks import WorkingGroup
from wgtool.core.exchange.verify import verify
from wgtool.core.model import Status


def test_a_seeded_group_verifies_clean_and_keeps_every_event(tmp_path: Path) -> None:
    repo = seed(tmp_path / "group", 12, rng_seed=3)
    with WorkingGroup.open(repo) as wg:
        report = verify(wg)
        assert report.problems == []
        amendments = wg.amendments.amendments()
        assert len(amendments) == 12
        assert all(a.status is Status.OPEN for a in amendments)
        events = [e for a in amendments for e in wg.deliberation.events(a.id)]
        # Positions and comments were written (the seed draws 0-4 per amendment), and the
        # index, which keeps only events the rulebook accepts, kept them all.
        written = int(wg.record.store.run(["rev-list", "--count", "--glob=refs/wg/events"]).stdout)
        assert len(events) == written > 0
        assert {e.type for e in events} == {"position", "comment"}
