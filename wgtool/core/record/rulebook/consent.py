"""The consensus a commit records, replayed: the rule in force applied to the events it names.

A merge into main and a chair's merge of a sub-amendment into its amendment both record the
consensus they were taken on (``Consensus:`` and the group lists); both are judged here.
"""

from __future__ import annotations

from dataclasses import dataclass

from wgtool.core.consensus import Consensus, as_position, compute_consensus
from wgtool.core.model import Adoption, Event, Settings, Verdict
from wgtool.core.record.rulebook.layout import CONSENSUS, CONSENSUS_GROUPS
from wgtool.core.record.rulebook.records import Record


@dataclass(frozen=True)
class Proposal:
    """An amendment as consensus counts it (see :class:`wgtool.core.consensus.Proposal`)."""

    proposer: str
    revision: int


def group_lists(adoption: Adoption) -> tuple[str, str, str]:
    """The group lists a merge records, as the merge writes them."""
    return tuple(  # type: ignore[return-value]
        ", ".join(groups)
        for groups in (adoption.supporting, adoption.objecting, adoption.not_heard)
    )


def replayed_consensus(
    record: Record, settings: Settings, proposal: Proposal, events: list[Event]
) -> tuple[Consensus, list[str]]:
    """The consensus ``events`` give under ``settings``, and where ``record``'s consensus
    trailers differ from it: every group list exactly, and a verdict of ``reached`` only
    where the rule holds, ``overridden`` only where it does not."""
    consensus = compute_consensus(
        settings,
        proposal,
        [as_position(e) for e in events if e.type in ("position", "silence-break")],
    )
    problems = []
    lists = dict(zip(CONSENSUS_GROUPS, group_lists(consensus.adoption()), strict=True))
    for key, wanted in lists.items():
        if (record.trailer(key) or "") != wanted:
            problems.append(
                f"says {key}: {record.trailer(key) or ''!r}, but the events it names give "
                f"{wanted!r}"
            )
    recorded = record.trailer(CONSENSUS)
    if recorded == "reached" and consensus.state != Verdict.CONSENSUS:
        problems.append(
            f"records consensus reached, but the events it names give {consensus.state}"
        )
    elif recorded == "overridden" and consensus.state == Verdict.CONSENSUS:
        problems.append("records consensus overridden, but the events it names reach it")
    return consensus, problems
