"""Amendments to amendments: propose one (``propose --to``), accept one, and how ``show``, the
queue and ``merge`` speak of them."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wgtool.cli.editing import edit_text
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import consensus_counts, emit_json, safe, verdict

if TYPE_CHECKING:
    from wgtool.api import Amendment, AmendmentDetail, Consensus, WorkingGroup


def propose_to(
    wg: WorkingGroup,
    parent_id: str,
    *,
    text: str | None,
    edit: bool,
    rationale: str,
    title: str | None,
    as_json: bool,
) -> None:
    """``propose --to ID``: a sub-amendment to amendment ID; prints its id."""
    if edit:
        wg.record.actor()  # a refusal comes before the editor opens
        parent = wg.amendments.amendment(parent_id)
        text = edit_text(wg.amendments.change(parent).new + "\n", "paragraph")
    if text is None:
        raise click.UsageError("give the amendment's text as you would have it with --text")
    sub = wg.subamendments.propose_to(parent_id, text=text, rationale=rationale, title=title)
    if as_json:
        emit_json(sub.to_dict())
    else:
        click.echo(sub.id)


@cli.command()
@click.argument("sub_id", metavar="SUB")
@pass_context
def accept(obj: Context, sub_id: str) -> None:
    """Accept a sub-amendment to your own amendment: a new revision of it reads as the
    sub-amendment proposes (positions on the earlier revision become stale)."""
    with obj.open() as wg:
        parent = wg.subamendments.accept(sub_id)
        sub = wg.amendments.amendment(sub_id)
        click.echo(f"Accepted {sub.id} into {parent.id} (revision {parent.revision})")


def merge_sub(wg: WorkingGroup, sub_id: str, override_reason: str | None) -> None:
    """``merge SUB``: the chair merges a sub-amendment into its amendment."""
    parent = wg.subamendments.merge(sub_id, override_reason=override_reason)
    sub = wg.amendments.amendment(sub_id)
    click.echo(f"Merged {sub.id} into amendment {parent.id} (revision {parent.revision})")


def sub_status(sub: Amendment, parent: Amendment | None = None) -> str:
    """A sub-amendment's status as a sentence states it."""
    if sub.status.value == "accepted":
        if parent is not None and sub.merged_by == parent.proposer:
            return f"accepted into {sub.amends} by its proposer ({safe(sub.merged_by or '')})"
        return f"accepted into {sub.amends} (merged by {safe(sub.merged_by or '')})"
    if sub.status.value == "lapsed":
        return f"lapsed (amendment {sub.amends} was decided or revised since)"
    return sub.status.label


def parent_line(parent: Amendment) -> str:
    """What a sub-amendment amends, in its header."""
    return (
        f"Amends:    amendment {parent.id} by {safe(parent.proposer)} ({safe(parent.group)}), "
        f"{parent.status.label}: {safe(parent.title)[:50]}"
    )


def print_sub_amendments(detail: AmendmentDetail) -> None:
    """The sub-amendments to an amendment, each with proposer, group, status and consensus."""
    if not detail.sub_amendments:
        return
    click.echo("Sub-amendments:")
    for sub in detail.sub_amendments:
        consensus: Consensus | None = detail.sub_consensus.get(sub.id)
        said = f"consensus {verdict(consensus)}" if consensus else ""
        click.echo(
            f"  {sub.id}  {safe(sub.proposer)} ({safe(sub.group)})  "
            f"{sub_status(sub, detail.amendment)}; {said}: {safe(sub.title)[:50]}"
        )


def queue_order(found: list[Amendment]) -> list[tuple[Amendment, bool]]:
    """The queue with each sub-amendment right under its amendment (when that is listed too);
    True marks a sub-amendment so placed."""
    listed = {a.id for a in found}
    under: dict[str, list[Amendment]] = {}
    for a in found:
        if a.amends in listed:
            under.setdefault(a.amends or "", []).append(a)
    result: list[tuple[Amendment, bool]] = []
    for a in found:
        if a.amends in listed:
            continue
        result.append((a, False))
        result.extend((sub, True) for sub in under.get(a.id, []))
    return result


def queue_line(sub: Amendment, consensus: Consensus) -> str:
    """A sub-amendment's line in the queue, indented under its amendment."""
    return (
        f"  ↳ {sub.id}  sub-amendment by {safe(sub.proposer)} ({safe(sub.group)})  "
        f"{sub.status.label:<9} {consensus.state.value:<9} {consensus_counts(consensus):<14} "
        f"{safe(sub.title)[:50]}"
    )
