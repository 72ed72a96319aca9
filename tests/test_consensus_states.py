"""The index keeps each amendment's consensus by :func:`consensus_states` (the verdict and each
group's state, from plain rows): it says what :func:`compute_consensus`, the whole matrix every
command shows, says, on random groups, rules, revisions and positions."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from wgtool.core.consensus import PositionRow, as_position, compute_consensus, consensus_states
from wgtool.core.model import ConsensusRule, Event, Settings

GROUPS = ("governments", "private-sector", "civil-society", "technical", "igos")
# Members by group; "observers" is in no group the settings name.
MEMBERS = {f"m{n}": (GROUPS + ("observers",))[n % 6] for n in range(9)}
STANCES = ("support", "no-objection", "abstain", "object", None, "")


@dataclass(frozen=True)
class Proposal:
    proposer: str
    revision: int


events = st.lists(
    st.tuples(
        st.sampled_from(sorted(MEMBERS)),
        st.sampled_from(("position", "position", "silence-break", "comment")),
        st.sampled_from(STANCES),
        st.integers(1, 3),  # the revision it was taken on
        st.integers(0, 5),  # when (ties are ordered by id)
    ),
    max_size=14,
)


@settings(max_examples=400, deadline=None)
@given(
    groups=st.lists(st.sampled_from(GROUPS), min_size=1, max_size=5, unique=True),
    least=st.integers(0, 4),
    most=st.integers(0, 3),
    everyone=st.booleans(),
    proposer=st.sampled_from(sorted(MEMBERS)),
    revision=st.integers(1, 3),
    said=events,
)
def test_the_states_are_those_of_the_matrix(
    groups: list[str],
    least: int,
    most: int,
    everyone: bool,
    proposer: str,
    revision: int,
    said: list[tuple[str, str, str | None, int, int]],
) -> None:
    rule = ConsensusRule(least, most, everyone)
    config = Settings("A group", {slug: slug.title() for slug in groups}, rule)
    made = [
        Event(f"e{n:02}", "a1", kind, member, MEMBERS[member], float(at), made_on, stance)
        for n, (member, kind, stance, made_on, at) in enumerate(said)
    ]
    matrix = compute_consensus(config, Proposal(proposer, revision), map(as_position, made))
    # The rows the index reads: positions and broken silences, a break as an objection.
    rows: list[PositionRow] = [
        (
            e.at,
            e.id,
            e.member,
            e.group,
            "object" if e.type == "silence-break" else e.stance,
            e.revision,
        )
        for e in made
        if e.type in ("position", "silence-break")
    ]
    verdict, states = consensus_states(config, proposer, revision, reversed(rows))
    assert (verdict, states) == (matrix.state, tuple((g.group, g.state) for g in matrix.groups))
