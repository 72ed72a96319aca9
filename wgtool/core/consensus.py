"""The consensus rule: from members' positions to each stakeholder group's state and a verdict
(a :class:`Consensus`: each group's positions and state, and what a merge records of it).

Pure functions of the settings, the amendment and its position events; the record and the
index feed them, nothing here reads git.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Protocol

from wgtool.core.errors import Remedy, WgError
from wgtool.core.model import (
    Adoption,
    Event,
    GroupState,
    Settings,
    Stance,
    Verdict,
)


@dataclass(frozen=True)
class PositionView:
    member: str
    group: str
    stance: Stance
    reason: str
    revision: int
    stale: bool
    at: float
    proposer: bool = False  # the proposer's own position, shown but not counted


@dataclass(frozen=True)
class GroupPosition:
    group: str
    name: str
    state: GroupState
    positions: tuple[PositionView, ...]


@dataclass(frozen=True)
class Consensus:
    state: Verdict
    groups: tuple[GroupPosition, ...]
    rule: str

    @property
    def reached(self) -> bool:
        """The rule holds: the amendment may be merged without an override."""
        return self.state is Verdict.CONSENSUS

    def groups_in(self, state: GroupState) -> tuple[str, ...]:
        """The slugs of the groups in one state (support, object, not heard...)."""
        return tuple(g.group for g in self.groups if g.state == state)

    def counts(self) -> dict[GroupState, int]:
        """How many groups are in each state (every state, zero included)."""
        counts = dict.fromkeys(GroupState, 0)
        for g in self.groups:
            counts[g.state] += 1
        return counts

    def adoption(self, reason: str | None = None) -> Adoption:
        """What a merge records of this consensus; with ``reason`` when the chair overrides it."""
        return Adoption(
            consensus="overridden" if reason else "reached",
            supporting=self.groups_in(GroupState.SUPPORT),
            objecting=self.groups_in(GroupState.OBJECT),
            not_heard=self.groups_in(GroupState.NOT_HEARD),
            reason=reason,
        )

    def objections(self) -> tuple[tuple[GroupPosition, PositionView], ...]:
        """The objections that count (current revision, not the proposer's), each with its
        group: why a group objects is what the chair weighs."""
        return tuple(
            (group, view)
            for group in self.groups
            for view in group.positions
            if view.stance is Stance.OBJECT and not view.stale and not view.proposer
        )

    def to_dict(self) -> dict[str, object]:
        return {
            "state": self.state.value,
            "rule": self.rule,
            "groups": [
                {
                    "group": g.group,
                    "name": g.name,
                    "state": g.state.value,
                    "positions": [
                        {
                            "member": p.member,
                            "stance": p.stance.value,
                            "reason": p.reason,
                            "revision": p.revision,
                            "stale": p.stale,
                            "proposer": p.proposer,
                        }
                        for p in g.positions
                    ],
                }
                for g in self.groups
            ],
        }


# The order in which one member's stance decides their group's state: an objection from any
# member of a group makes the group object, and so on.
_PRECEDENCE = (
    (Stance.OBJECT, GroupState.OBJECT),
    (Stance.SUPPORT, GroupState.SUPPORT),
    (Stance.NO_OBJECTION, GroupState.NO_OBJECTION),
    (Stance.ABSTAIN, GroupState.ABSTAIN),
)


class Proposal(Protocol):
    """What consensus needs of an amendment: who proposed it, and its current revision."""

    @property
    def proposer(self) -> str: ...

    @property
    def revision(self) -> int: ...


def compute_consensus(
    settings: Settings, amendment: Proposal, positions: Iterable[Event]
) -> Consensus:
    """The consensus matrix: each group's members' current positions and the group's state.

    Every stakeholder group counts once, whatever its number of members (governments included,
    on an equal footing). Positions taken on an earlier revision are shown as stale and do not
    count until the member confirms or changes them. Consensus never rests on the proposer
    alone: the proposer's own position is shown but not counted, so their group supports only
    when another of its members does.
    """
    latest: dict[str, Event] = {}
    for ev in sorted(positions, key=Event.sort_key):
        if ev.type == "position" and ev.stance:
            latest[ev.member] = ev
    groups = []
    for slug, name in settings.groups.items():
        views = tuple(
            PositionView(
                member=ev.member,
                group=ev.group,
                stance=Stance(ev.stance or "abstain"),
                reason=ev.text,
                revision=ev.revision,
                stale=ev.revision < amendment.revision,
                at=ev.at,
                proposer=ev.member == amendment.proposer,
            )
            for ev in latest.values()
            if ev.group == slug
        )
        state = group_state({v.stance for v in views if not v.stale and not v.proposer})
        groups.append(GroupPosition(group=slug, name=name, state=state, positions=views))
    verdict = _verdict(settings, [group.state for group in groups])
    return Consensus(state=verdict, groups=tuple(groups), rule=settings.consensus.describe())


def group_state(counted: set[Stance]) -> GroupState:
    """A group's state from the stances its members' counted positions take."""
    return next((label for stance, label in _PRECEDENCE if stance in counted), GroupState.NOT_HEARD)


def _verdict(settings: Settings, states: list[GroupState]) -> Verdict:
    rule = settings.consensus
    heard = sum(state is not GroupState.NOT_HEARD for state in states)
    if states.count(GroupState.OBJECT) > rule.max_objecting_groups:
        return Verdict.OBJECTION
    if states.count(GroupState.SUPPORT) >= rule.min_supporting_groups and (
        not rule.require_all_groups_heard or heard == len(settings.groups)
    ):
        return Verdict.CONSENSUS
    return Verdict.PENDING


PositionRow = tuple[float, str, str, str, str | None, int]
"""A position as the index holds it: when, its event id, member, group, stance, revision (a
silence broken is its breaker's objection; see :func:`as_position`)."""


def consensus_states(
    settings: Settings, proposer: str, revision: int, positions: Iterable[PositionRow]
) -> tuple[Verdict, tuple[tuple[str, GroupState], ...]]:
    """What :func:`compute_consensus` says of an amendment by ``proposer`` at ``revision``,
    the verdict and each group's state only (no one's position is kept: the index stores
    thousands of them)."""
    latest: dict[str, PositionRow] = {}
    for row in sorted(positions):
        if row[4]:
            latest[row[2]] = row
    counted: dict[str, set[Stance]] = {slug: set() for slug in settings.groups}
    for _at, _id, member, group, stance, made_on in latest.values():
        if made_on >= revision and member != proposer and group in counted:
            counted[group].add(Stance(stance or "abstain"))
    states = [group_state(stances) for stances in counted.values()]
    return _verdict(settings, states), tuple(zip(counted, states, strict=True))


def consensus_brief(
    settings: Settings, verdict: str, group_states: Iterable[tuple[str, str]]
) -> Consensus:
    """A consensus as the index keeps it for listings: the verdict and each group's state,
    without the members' positions (:func:`compute_consensus` gives the whole matrix)."""
    return Consensus(
        state=Verdict(verdict),
        groups=tuple(
            GroupPosition(group, settings.groups.get(group, group), GroupState(state), ())
            for group, state in group_states
        ),
        rule=settings.consensus.describe(),
    )


def shared_briefs(settings: Settings) -> Callable[[str, Iterable[tuple[str, str]]], Consensus]:
    """:func:`consensus_brief` for many amendments: one answer per state, shared (they are
    immutable, and thousands of amendments are in a few dozen different states)."""
    answers: dict[tuple[str, tuple[tuple[str, str], ...]], Consensus] = {}

    def brief(verdict: str, group_states: Iterable[tuple[str, str]]) -> Consensus:
        key = (verdict, tuple(group_states))
        if key not in answers:
            answers[key] = consensus_brief(settings, verdict, key[1])
        return answers[key]

    return brief


def as_position(event: Event) -> Event:
    """A position as consensus counts it: a silence broken is its breaker's objection."""
    if event.type == "silence-break":
        return replace(event, type="position", stance="object")
    return event


class NoConsensus(WgError):
    """The working group's consensus rule does not hold for the amendment (the chair may
    override it with a reason).

    Attributes:
        amendment: The amendment's id.
        consensus: Where consensus stands on it (each face says it its own way).
    """

    def __init__(self, message: str, *, amendment: str, consensus: Consensus) -> None:
        super().__init__(message, remedy=Remedy.OVERRIDE_CONSENSUS, subject=amendment)
        self.amendment = amendment
        self.consensus = consensus
