"""Reports on the record: participation balance by stakeholder group, and the concordance of
paragraph labels between two versions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import emit_json, safe

if TYPE_CHECKING:
    from wgtool.api import Balance, Concordance, GroupBalance

_HEADINGS = ("proposed", "merged", "rejected", "withdrawn", "open", "positions", "comments")
_SHORT = ("prop", "merged", "rej", "wdrawn", "open", "pos", "comm")


@cli.command()
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def stats(obj: Context, slug: str | None, as_json: bool) -> None:
    """Participation balance: per stakeholder group, members, amendments proposed, merged,
    rejected, withdrawn and open, positions, comments, and the open amendments the group has
    not been heard on; in totals and per member."""
    with obj.open() as wg:
        found = wg.reports.participation(slug)
    if as_json:
        emit_json(found.to_dict())
        return
    where = f"draft {slug}" if slug else "all drafts"
    click.echo(
        f"Participation by stakeholder group, {where} "
        f"({len(found.open_amendments)} open amendment(s))"
    )
    click.echo()
    click.echo(_header("totals"))
    for row in (*found.groups, found.total):
        click.echo(_row(row, per_member=False))
    click.echo()
    click.echo(_header("per member"))
    for row in (*found.groups, found.total):
        click.echo(_row(row, per_member=True))
    _not_heard(found)


def _header(title: str) -> str:
    cells = "".join(f"{h:>7}" for h in _SHORT)
    return f"{title:<30}{'members':>8}{cells}{'not heard':>10}"


def _row(row: GroupBalance, *, per_member: bool) -> str:
    name = safe(row.name)[:29]
    if per_member:
        values = [row.per_member(c) for c in _HEADINGS]
        cells = "".join(f"{'-':>7}" if v is None else f"{v:>7.2f}" for v in values)
        heard = "" if not row.members else f"{len(row.not_heard) / row.members:>10.2f}"
    else:
        cells = "".join(f"{row.counts[c]:>7}" for c in _HEADINGS)
        heard = f"{len(row.not_heard):>10}"
    return f"{name:<30}{row.members:>8}{cells}{heard}"


def _not_heard(found: Balance) -> None:
    silent = [g for g in found.groups if g.not_heard]
    if not silent:
        return
    click.echo()
    click.echo("Open amendments not yet heard from:")
    for row in silent:
        shown = ", ".join(row.not_heard[:8]) + (", ..." if len(row.not_heard) > 8 else "")
        click.echo(f"  {safe(row.name)}: {safe(shown)}")


@cli.command()
@click.argument("slug")
@click.argument("old")
@click.argument("new")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def concordance(obj: Context, slug: str, old: str, new: str, as_json: bool) -> None:
    """Old paragraph label -> new label between two versions of a draft (OLD and NEW are
    version names, or main for the current text), with the merged amendments that changed
    each paragraph; paragraphs inserted or deleted in between are said to be."""
    with obj.open() as wg:
        found = wg.reports.concordance(slug, old, new)
        groups = wg.record.settings.groups
    if as_json:
        emit_json(found.to_dict())
        return
    _print_concordance(found, groups)


def _print_concordance(found: Concordance, groups: dict[str, str]) -> None:
    click.echo(f"Concordance of {found.draft}: {safe(found.old)} -> {safe(found.new)}")
    click.echo(f"{'old':>10}  {'new':<10}  changed by")
    for row in found.rows:
        old = row.old or "-"
        new = row.new or "-"
        what = {"inserted": "inserted", "deleted": "deleted"}.get(row.change, "")
        by = "; ".join(
            f"{a.id} ({safe(a.proposer)}, {safe(groups.get(a.group, a.group))})"
            for a in row.amendments
        )
        detail = ", ".join(part for part in (what, by) if part)
        click.echo(f"{old:>10}  {new:<10}  {detail}".rstrip())
