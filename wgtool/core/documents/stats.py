"""Participation balance: what each stakeholder group has done in the record, in totals and per
member, so groups of very different size compare fairly.

:func:`balance` is a pure function over what the index holds (the roster, amendments, their
events and consensus); :func:`participation` gathers those from a working group.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from wgtool.core import validate
from wgtool.core.consensus import Consensus
from wgtool.core.errors import NotFound, Remedy
from wgtool.core.model import DRAFT_CHAIN, Amendment, Event, GroupState, Member, Status

if TYPE_CHECKING:
    from wgtool.core.desks.parts import Desks

# The counts a group's row carries, in the order tables show them.
COUNTS = ("proposed", "merged", "rejected", "withdrawn", "open", "positions", "comments")


@dataclass(frozen=True)
class GroupBalance:
    """One stakeholder group's part in the record (or the totals of every group).

    Attributes:
        group, name: The group's slug and display name (``total`` for the totals row).
        members: Members of the group on the roster now.
        counts: Amendments proposed (any status), merged, rejected, withdrawn and open, position
            events taken and comments written, by the group's members.
        not_heard: The open amendments on which the group is "not heard" by the consensus rule
            (no current position by a member who is not the proposer).
    """

    group: str
    name: str
    members: int
    counts: Mapping[str, int]
    not_heard: tuple[str, ...] = ()

    def per_member(self, count: str) -> float | None:
        """A count divided by the group's members (None for a group with none)."""
        return self.counts[count] / self.members if self.members else None

    def to_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "name": self.name,
            "members": self.members,
            **dict(self.counts),
            "not_heard": len(self.not_heard),
            "not_heard_on": list(self.not_heard),
            "per_member": {
                count: None if (value := self.per_member(count)) is None else round(value, 2)
                for count in COUNTS
            },
        }


@dataclass(frozen=True)
class Balance:
    """Participation per stakeholder group, in the working group's order, and the totals."""

    draft: str | None
    groups: tuple[GroupBalance, ...]
    total: GroupBalance
    open_amendments: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, object]:
        return {
            "draft": self.draft,
            "open_amendments": len(self.open_amendments),
            "groups": [g.to_dict() for g in self.groups],
            "total": self.total.to_dict(),
        }


def balance(
    groups: Mapping[str, str],
    members: Iterable[Member],
    amendments: Sequence[Amendment],
    events: Iterable[Event],
    consensus: Mapping[str, Consensus],
    draft: str | None = None,
) -> Balance:
    """Each group's members, amendments by status, positions, comments, and the open amendments
    it has not been heard on (by ``consensus``). Groups the record names that the settings no
    longer hold come after the settings' own, under their slug."""
    names = dict(groups)
    headcount: dict[str, int] = {}
    for member in members:
        headcount[member.group] = headcount.get(member.group, 0) + 1
    counts: dict[str, dict[str, int]] = {}

    def add(group: str, count: str) -> None:
        names.setdefault(group, group)
        row = counts.setdefault(group, dict.fromkeys(COUNTS, 0))
        row[count] += 1

    for amendment in amendments:
        add(amendment.group, "proposed")
        if amendment.status.value in COUNTS:
            add(amendment.group, amendment.status.value)
    for event in events:
        if event.type == "position":
            add(event.group, "positions")
        elif event.type == "comment":
            add(event.group, "comments")
    opened = tuple(a.id for a in amendments if a.status is Status.OPEN)
    silent: dict[str, list[str]] = {}
    for amendment_id in opened:
        if amendment_id in consensus:
            for group in consensus[amendment_id].groups_in(GroupState.NOT_HEARD):
                silent.setdefault(group, []).append(amendment_id)
    rows = tuple(
        GroupBalance(
            group=slug,
            name=name,
            members=headcount.get(slug, 0),
            counts=counts.get(slug, dict.fromkeys(COUNTS, 0)),
            not_heard=tuple(silent.get(slug, ())),
        )
        for slug, name in names.items()
    )
    total = GroupBalance(
        group="total",
        name="All groups",
        members=sum(r.members for r in rows),
        counts={c: sum(r.counts[c] for r in rows) for c in COUNTS},
        not_heard=tuple(dict.fromkeys(a for r in rows for a in r.not_heard)),
    )
    return Balance(draft, rows, total, opened)


def participation(wg: Desks, slug: str | None = None) -> Balance:
    """The participation balance of the whole working group, or of one draft (its amendments,
    their deliberation and the comments on its paragraphs)."""
    if slug is not None:
        validate.name(slug, "draft")
        if slug not in wg.drafts.draft_slugs():
            raise NotFound(f"no draft {slug!r} on main", remedy=Remedy.LIST_DRAFTS)
    amendments = wg.amendments.amendments(draft=slug)
    keys = None if slug is None else [*(a.id for a in amendments), DRAFT_CHAIN + slug]
    events = wg.record.index.chain_events(keys, ("position", "comment"))
    opened = [a for a in amendments if a.status is Status.OPEN]
    return balance(
        wg.record.settings.groups,
        wg.secretariat.members(),
        amendments,
        events,
        wg.deliberation.consensus_briefs(opened),
        slug,
    )
