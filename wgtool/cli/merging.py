"""Merging an amendment into its draft (with a dry run), and reverting one."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.api import MergeConflict, NoConsensus, validate
from wgtool.cli import subamend
from wgtool.cli.group import EXIT_CODES, Context, cli, pass_context
from wgtool.cli.output import (
    emit_json,
    error_line,
    groups_line,
    paragraph_line,
    render_diff,
    safe,
    verdict,
    warn_placeholder,
)

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option(
    "--text-file",
    "text_file",
    metavar="PATH",
    help='Merge "as orally revised": the revised paragraph (or whole draft).',
)
@click.option(
    "--resolved-file",
    "resolved_file",
    metavar="PATH",
    help="After a conflict: the conflicting paragraph(s) as they should read, in order.",
)
@click.option(
    "--whole-draft",
    is_flag=True,
    help="With --resolved-file: the file holds the whole draft, which replaces it.",
)
@click.option(
    "--override-consensus",
    is_flag=True,
    help="Merge although the consensus rule does not hold (needs --reason; recorded).",
)
@click.option(
    "--reason",
    callback=warn_placeholder,
    metavar="TEXT",
    help="Why the consensus rule is overridden.",
)
@click.option("--dry-run", is_flag=True, help="Show what the merge would do; write nothing.")
@click.option("--json", "as_json", is_flag=True, help="With --dry-run: one JSON document.")
@pass_context
def merge(
    obj: Context,
    amendment_id: str,
    text_file: str | None,
    resolved_file: str | None,
    whole_draft: bool,
    override_consensus: bool,
    reason: str | None,
    dry_run: bool,
    as_json: bool,
) -> None:
    """Merge an amendment into the draft (chair).

    The group's consensus rule must hold (exit 6 otherwise, unless --override-consensus
    --reason TEXT). Exit 3 on a conflict: the message names the paragraph(s); give them as they
    should read with --resolved-file. --dry-run prints the word diff the merge would make, or
    the conflicts, and exits as the merge would.
    """
    if text_file and resolved_file:
        raise click.UsageError("give either --text-file or --resolved-file, not both")
    if whole_draft and not resolved_file:
        raise click.UsageError("--whole-draft goes with --resolved-file")
    if override_consensus and not reason:
        raise click.UsageError("--override-consensus needs --reason TEXT")
    if reason and not override_consensus:
        raise click.UsageError("--reason goes with --override-consensus")
    if as_json and not dry_run:
        raise click.UsageError("--json goes with --dry-run")
    revised = validate.read_text_file(text_file, "text file") if text_file else None
    resolved = validate.read_text_file(resolved_file, "resolved file") if resolved_file else None
    with obj.open() as wg:
        if wg.amendments.amendment(amendment_id).amends is not None:
            if text_file or resolved_file or dry_run:
                raise click.UsageError(
                    "a sub-amendment is merged into its amendment as proposed: "
                    "no --text-file, --resolved-file or --dry-run"
                )
            subamend.merge_sub(wg, amendment_id, reason if override_consensus else None)
            return
        if dry_run:
            _dry_run(wg, amendment_id, revised, as_json)
            return
        before = (
            wg.drafts.draft(wg.amendments.amendment(amendment_id).draft).text if whole_draft else ""
        )
        merged = wg.merges.merged(
            amendment_id,
            revised_text=revised,
            resolved_text=resolved,
            whole_draft=whole_draft,
            override_reason=reason if override_consensus else None,
        )
        a = merged.amendment
        click.echo(f"Merged {a.id} into {a.draft} ({merged.commit[:10]})")
        click.echo(f"Adopted with {safe(merged.adoption.describe())}")
        if whole_draft:
            after = wg.drafts.draft(a.draft).text
            click.echo(
                f"Replaced the whole draft: {len(api.document.paragraphs(before))} paragraph(s) "
                f"before, {len(api.document.paragraphs(after))} after"
            )


def _dry_run(wg: WorkingGroup, amendment_id: str, revised: str | None, as_json: bool) -> None:
    """Print what merging would do; exit 0, 3 (conflict) or 6 (no consensus) as merge would."""
    # Refused as the merge itself would be: a merged amendment changes nothing "in 0 places".
    amendment = wg.amendments.amendment(amendment_id)
    api.require_open(amendment, "merge")
    wg.translations.refuse_unauthentic(amendment)
    plan = wg.merges.plan_merge(amendment_id, revised_text=revised)
    code = 0 if plan.consensus.reached else EXIT_CODES[NoConsensus]
    if not plan.clean:
        code = EXIT_CODES[MergeConflict]
    if as_json:
        emit_json({**plan.to_dict(), "exit_code": code})
        sys.exit(code)
    a = plan.amendment
    if plan.clean:
        changes = plan.changes()
        click.echo(
            f"Merging {a.id} into {safe(a.draft)} would change "
            f"{len(changes)} place(s) (nothing is written):"
        )
        for change in changes:
            click.echo()
            click.echo(f"{safe(change.label)}:")
            click.echo(paragraph_line("", render_diff(change.ops)))
    else:
        conflict = api.merging.conflict(plan)
        click.echo(f"{safe(error_line(conflict))} (nothing is written)")
        for line in conflict.message.splitlines()[1:]:
            click.echo(f"  {safe(line)}")
    click.echo()
    consensus = plan.consensus
    click.echo(
        f"Consensus: {verdict(consensus)}; {safe(groups_line(consensus))} ({safe(consensus.rule)})"
    )
    for group, view in consensus.objections():  # why a group objects is what the chair weighs
        reason = view.reason or "no reason given"
        click.echo(f"Objection: {safe(view.member)} ({safe(group.name)}): {safe(reason)}")
    if not plan.consensus.reached:
        click.echo("The merge needs --override-consensus --reason TEXT.")
    sys.exit(code)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option(
    "--reason",
    callback=warn_placeholder,
    required=True,
    help="Why the amendment is undone (recorded).",
)
@pass_context
def revert(obj: Context, amendment_id: str, reason: str) -> None:
    """Undo a merged amendment with a new commit on main (chair). Exit 3 on a conflict."""
    with obj.open() as wg:
        commit = wg.merges.revert(amendment_id, reason=reason)
        a = wg.amendments.amendment(amendment_id)
        click.echo(f"Reverted {a.id} in {safe(a.draft)} ({commit[:10]})")
