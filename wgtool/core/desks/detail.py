"""Read models: what a face shows of one thing, read once by the core.

The command line's ``show`` and the TUI's amendment screen show the same amendment: its change,
its consensus, its comments, its co-sponsors and its alternatives. They read it here, in one
pass over the record (``WorkingGroup.amendment_detail``), and each says it in its own words
(data only: no wording here).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wgtool.core.consensus import Consensus
from wgtool.core.model import Amendment, Event, Member

if TYPE_CHECKING:
    from wgtool.core.desks.amendments import AdoptedChange, AmendmentChange
    from wgtool.core.desks.deliberation import Thread


@dataclass(frozen=True)
class AmendmentDetail:
    """One amendment with everything its deliberation shows.

    Attributes:
        amendment: The amendment as the index has it.
        group_name: The proposer's stakeholder group, by name.
        change: Its word diff against the text it was proposed on.
        consensus: The consensus matrix, from the positions among ``events``.
        threads: The comments, replies under what they answer.
        events: Every event on the amendment, in order.
        proposer: The proposer as the roster has them (None: no longer in it).
        cosponsors: Co-sponsors, handle to stakeholder group.
        alternatives: The amendments for the same passage, this one among them.
        adopted: What the merge changed in the draft (merged or reverted amendments only).
        language: The language of its current revision where it is not the authentic one
            (it then awaits the authentic text); ``authentic``: the draft's authentic language.
        parent: The amendment a sub-amendment amends.
        sub_amendments: The sub-amendments to the amendment, as they were tabled.
        sub_consensus: Each sub-amendment's consensus, by id.
    """

    amendment: Amendment
    group_name: str
    change: AmendmentChange
    consensus: Consensus
    threads: tuple[Thread, ...]
    events: tuple[Event, ...]
    proposer: Member | None
    cosponsors: dict[str, str] = field(default_factory=dict)
    alternatives: tuple[Amendment, ...] = ()
    adopted: AdoptedChange | None = None
    language: str | None = None
    authentic: str = "en"
    parent: Amendment | None = None
    sub_amendments: tuple[Amendment, ...] = ()
    sub_consensus: dict[str, Consensus] = field(default_factory=dict)

    @property
    def cosponsor_groups(self) -> set[str]:
        """The stakeholder groups behind the amendment: the proposer's and its co-sponsors'."""
        return set(self.cosponsors.values()) | {self.amendment.group}

    def to_dict(self) -> dict[str, object]:
        """The amendment as ``show --json`` gives it."""
        return {
            **self.amendment.to_dict(),
            "sub_amendments": [
                {
                    "id": x.id,
                    "proposer": x.proposer,
                    "group": x.group,
                    "status": x.status.value,
                    "consensus": self.sub_consensus[x.id].state.value
                    if x.id in self.sub_consensus
                    else None,
                    "merged_by": x.merged_by,
                }
                for x in self.sub_amendments
            ],
            "old_text": self.change.old,
            "new_text": self.change.new,
            "diff": [d.to_dict() for d in self.change.diff],
            "consensus": self.consensus.to_dict(),
            "events": [e.to_dict() for e in self.events],
            "alternatives": [x.id for x in self.alternatives],
            "cosponsors": [{"member": m, "group": g} for m, g in sorted(self.cosponsors.items())],
            "language": self.language or self.authentic,
        }
