"""Judging amendments to amendments.

A sub-amendment is an amendment chain whose revisions say ``Amends: <amendment>`` and
``Amends-Revision: <that amendment's revision it was made against>``. It is based on the same
main commit as its amendment, changes only the amendment's draft, and there only what the
amendment changes (:func:`wgtool.core.subamending.confined`); an amendment to a
sub-amendment is refused. A revision of an amendment that takes a sub-amendment in says
``Accepts: <sub-amendment>`` and ``Accepts-Revision: <its revision>``: its draft is exactly
that revision's, made on the revision of the amendment the sub-amendment was made against. It
is the amendment's proposer's (accepting it), or the chair's (``Merged-by``, with the
sub-amendment's proposer in ``Proposed-by`` and the consensus it was taken on, replayed from
the sub-amendment's events as a merge into main is).
"""

from __future__ import annotations

from typing import Protocol

from wgtool.core.model import Event, Role
from wgtool.core.record.rulebook.base import Reader
from wgtool.core.record.rulebook.consent import Proposal, replayed_consensus
from wgtool.core.record.rulebook.history import AmendmentChain, MainHistory
from wgtool.core.record.rulebook.layout import (
    ACCEPTS,
    ACCEPTS_REVISION,
    AMENDMENT_ID_RE,
    AMENDS,
    AMENDS_REVISION,
    CONSENSUS,
    EVENTS,
    KIND,
    MEMBER,
    MERGED_BY,
    NO_EVENTS,
    PARAGRAPH,
    PROPOSED_BY,
    SHA_RE,
    draft_path,
)
from wgtool.core.record.rulebook.records import Record, consensus_problems
from wgtool.core.subamending import confined


class Chains(Protocol):
    """What the judge of sub-amendments reads of the chain judge."""

    reads: Reader

    def amendment_chain(
        self, amendment: str, tip: str, history: MainHistory, *, limit: int | None = None
    ) -> AmendmentChain: ...

    def judged_events(
        self,
        key: str,
        tip: str,
        history: MainHistory,
        proposer: str | None,
        *,
        limit: int | None = None,
    ) -> list[Event] | str: ...


def takes_in(record: Record) -> bool:
    """Whether a revision takes a sub-amendment in (and may then be the chair's)."""
    return record.trailer(ACCEPTS) is not None


def concerned(chain: AmendmentChain) -> bool:
    """Whether a chain is a sub-amendment or takes one in (the rest is judged as before)."""
    return any(r.trailer(AMENDS) or r.trailer(ACCEPTS) for r in chain.revisions)


def sub_amendment_problems(
    chains: Chains, chain: AmendmentChain, history: MainHistory, limit: int | None
) -> list[tuple[Record | None, str]]:
    """What breaks the rules of sub-amendments in ``chain`` (judged otherwise already)."""
    problems: list[tuple[Record | None, str]] = []
    first = chain.revisions[0]
    parent = first.trailer(AMENDS)
    for number, record in enumerate(chain.revisions, 1):
        if record.trailer(AMENDS) != parent:
            problems.append((record, "changes which amendment it amends"))
        elif parent is not None:
            for reason in _judge_sub(chains, chain, record, parent, history, limit):
                problems.append((record, reason))
        if takes_in(record):
            position = chain.positions[number - 1] if number <= len(chain.positions) else 0
            for reason in _judge_taking_in(chains, chain, record, number, history, position, limit):
                problems.append((record, reason))
    return problems


def _judge_sub(
    chains: Chains,
    chain: AmendmentChain,
    record: Record,
    parent: str,
    history: MainHistory,
    limit: int | None,
) -> list[str]:
    """A revision of a sub-amendment against the amendment's revision it names."""
    against = record.trailer(AMENDS_REVISION) or ""
    if not AMENDMENT_ID_RE.match(parent) or parent == chain.amendment or not SHA_RE.match(against):
        return [f"amends {parent!r} at {against!r}, which is no other amendment's revision"]
    if takes_in(record):
        return ["a sub-amendment takes in a sub-amendment"]
    amended = chains.amendment_chain(parent, against, history, limit=limit)
    if not amended.valid or amended.revisions[-1].sha != against:
        return [f"amends {parent} at {against[:10]}, which is no valid revision of it"]
    if amended.revisions[0].trailer(AMENDS):
        return [f"amends {parent}, which is itself a sub-amendment"]
    problems = []
    if amended.base != chain.base or amended.draft != chain.draft:
        problems.append(f"is not based where amendment {parent} is")
    head = amended.revisions[-1]
    if (record.trailer(KIND), record.trailer(PARAGRAPH)) != (
        head.trailer(KIND),
        head.trailer(PARAGRAPH),
    ):
        problems.append(f"names another passage than amendment {parent}")
    assert chain.draft is not None
    reads = chains.reads
    base = reads.text_at(amended.base or "", chain.draft) or ""
    text = reads.text_at(against, chain.draft) or ""
    mine = reads.text_at(record.sha, chain.draft) or ""
    if not confined(base, text, mine):
        problems.append(f"changes {chain.draft} beyond what amendment {parent} changes")
    elif record is chain.revisions[0] and mine == text:
        problems.append(f"changes nothing in amendment {parent}")
    return problems


def _judge_taking_in(
    chains: Chains,
    chain: AmendmentChain,
    record: Record,
    number: int,
    history: MainHistory,
    position: int,
    limit: int | None,
) -> list[str]:
    """A revision of an amendment that takes a sub-amendment in: exactly its text, on the
    revision it was made against; the proposer's, or the chair's on its consensus."""
    sub = record.trailer(ACCEPTS) or ""
    revision = record.trailer(ACCEPTS_REVISION) or ""
    if number == 1 or not AMENDMENT_ID_RE.match(sub) or not SHA_RE.match(revision):
        return [f"takes in {sub!r} at {revision!r}, which is no sub-amendment's revision"]
    taken = chains.amendment_chain(sub, revision, history, limit=limit)
    if not taken.valid or taken.revisions[-1].sha != revision:
        return [f"takes in {sub} at {revision[:10]}, which is no valid revision of it"]
    head = taken.revisions[-1]
    if taken.revisions[0].trailer(AMENDS) != chain.amendment:
        return [f"takes in {sub}, which is no sub-amendment to {chain.amendment}"]
    if head.trailer(AMENDS_REVISION) != record.parents[0]:
        return [f"takes in {sub}, made against another revision of {chain.amendment}"]
    problems = []
    path = draft_path(chain.draft or "")
    if chains.reads.file_at(record.sha, path) != chains.reads.file_at(revision, path):
        problems.append(f"reads otherwise than sub-amendment {sub} it takes in")
    chair = record.trailer(MERGED_BY)
    if chair is None:
        if record.trailer(MEMBER) != chain.proposer:
            problems.append(
                f"accepts {sub} by {record.trailer(MEMBER)}, not by the proposer {chain.proposer}"
            )
        return problems
    current = history.config(position)
    member = current.roster.members.get(chair) if current else None
    if current is None or member is None or not member.has(Role.CHAIR):
        return [*problems, f"merged by {chair}, who is not the chair"]
    if record.trailer(MEMBER) != chair:
        problems.append(f"says Member {record.trailer(MEMBER)} but Merged-by {chair}")
    if record.trailer(PROPOSED_BY) != taken.proposer:
        problems.append(
            f"says it was proposed by {record.trailer(PROPOSED_BY)}, not {taken.proposer}"
        )
    problems.extend(consensus_problems(record, current.settings))
    recorded, named = record.trailer(CONSENSUS), record.trailer(EVENTS)
    if recorded not in ("reached", "overridden") or named is None:
        return [*problems, f"records no consensus ({CONSENSUS}: reached or overridden; {EVENTS})"]
    events: list[Event] = []
    if named != NO_EVENTS:
        judged = chains.judged_events(sub, named, history, taken.proposer, limit=limit)
        if isinstance(judged, str):
            return [*problems, judged]
        events = judged
    proposal = Proposal(taken.proposer or "", len(taken.revisions))
    problems.extend(replayed_consensus(record, current.settings, proposal, events)[1])
    return problems
