"""Each member's desk: the inbox, and the news block that ``sync`` prints too."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import click

from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import counted, emit_json, safe

if TYPE_CHECKING:
    from wgtool.api import AmendmentNews, Inbox, News


def print_news(news: News) -> None:
    """Per amendment a header line and one indented line per change; then the new versions."""
    for item in news.amendments:
        click.echo(_header(item))
        for change in item.changes:
            click.echo(f"    {safe(change.describe())}")
    if news.versions:
        click.echo("New versions:")
        for v in news.versions:
            first_line = v.message.splitlines()[0] if v.message else ""
            click.echo(f"    {safe(v.tag)} (tagged by {safe(v.tagger)}): {safe(first_line)}")


def _header(item: AmendmentNews) -> str:
    a = item.amendment
    flags = (("needs your position", item.needs_position), ("yours", item.mine))
    marks = "".join(f"  [{mark}]" for mark, on in flags if on)
    place = f"{a.draft} {a.target}".strip()
    return f"{a.id}  {safe(place)}  {a.status.label}  {safe(a.title)[:60]}{marks}"


def _when(box: Inbox) -> str:
    assert box.since is not None
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(box.since))


def _print_inbox(box: Inbox, filters: list[str]) -> None:
    if box.news:
        if box.since is None:
            click.echo("Everything so far (your first look in this clone):")
        else:
            click.echo(f"Since your last look ({_when(box)}):")
        print_news(box.news)
    elif filters:
        click.echo(f"No amendments match {' '.join(filters)}")
    elif box.since is None:
        click.echo("No amendments and no versions yet")
    else:
        click.echo(f"Nothing new since your last look ({_when(box)})")


@cli.command()
@click.option(
    "--needs-position",
    "needs_position",
    is_flag=True,
    help="Only open amendments by others on whose current revision you have no position.",
)
@click.option("--mine", is_flag=True, help="Only amendments you proposed.")
@click.option(
    "--all", "everything", is_flag=True, help="Every amendment (that passes the filters)."
)
@click.option("--peek", is_flag=True, help="Do not mark what is shown as seen.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def inbox(
    obj: Context, needs_position: bool, mine: bool, everything: bool, peek: bool, as_json: bool
) -> None:
    """What changed since you last looked (in this clone), per amendment; marks it as seen."""
    with obj.open() as wg:
        box = wg.inbox.inbox(needs_position=needs_position, mine=mine, everything=everything)
        if not peek:
            wg.inbox.mark_seen(box)
    if as_json:
        emit_json(box.to_dict())
        return
    flags = (("--needs-position", needs_position), ("--mine", mine), ("--all", everything))
    _print_inbox(box, [flag for flag, on in flags if on])
    if box.waiting and not (needs_position and everything):
        waiting = counted(box.waiting, "open amendment needs", "open amendments need")
        click.echo(f"{waiting} your position: 'wgtool inbox --needs-position --all'")
