"""The meeting room: the chair's focus (``focus``) and the room's screen (``present``)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from wgtool.api import SyncError
from wgtool.cli.agreement import LABEL_HELP
from wgtool.cli.group import EXIT_CODES, Context, cli, pass_context
from wgtool.cli.output import remedy_line, safe
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.tui import present as room
else:
    room = lazy_module("wgtool.tui.present")  # Textual: only when the room's screen opens

FOLLOW_SECONDS = 0.5
"""How often ``present --follow`` asks the remote whether anything moved (a ``git ls-remote``;
it fetches only then)."""


@cli.command()
@click.argument("slug")
@click.option("--paragraph", "label", required=True, metavar="LABEL", help=LABEL_HELP)
@click.option("--text", metavar="TEXT", help="The paragraph as the chair reads it out, revised.")
@click.option(
    "--sync",
    "remote",
    metavar="REMOTE",
    help="Then sync with REMOTE (e.g. origin), so that rooms following it see the focus.",
)
@pass_context
def focus(obj: Context, slug: str, label: str, text: str | None, remote: str | None) -> None:
    """Show the room paragraph LABEL of draft SLUG (chair): every 'wgtool present SLUG'
    follows."""
    with obj.open() as wg:
        event, written = wg.meeting.focus(slug, label, text=text)
        where = f"¶{safe(event.paragraph or '?')} of {safe(slug)}"
        revised = ", as orally revised" if event.text else ""
        if written:
            click.echo(f"The room is on {where}{revised}")
        else:
            click.echo(f"The room is on {where}{revised} already: nothing written")
        if remote is None:
            return
        report = wg.exchange.sync(remote, news=False)
        for line in report.lines():
            click.echo(safe(line), err=True)
        for remedy in report.remedies:
            click.echo(safe(remedy_line(remedy, remote)), err=True)
        if report.problems:
            sys.exit(EXIT_CODES[SyncError])


@cli.command()
@click.argument("slug")
@click.option(
    "--follow",
    "remote",
    metavar="REMOTE",
    help="Follow the chair through REMOTE (e.g. origin): fetch what it has, send nothing.",
)
@pass_context
def present(obj: Context, slug: str, remote: str | None) -> None:
    """The paragraph the chair has in focus, large, for a projector; it follows the chair.
    Read only: no key writes anything."""
    with obj.open(unknown_actor=True) as wg:
        wg.drafts.existing_draft(slug)  # a missing draft is one line here, not a blank screen
        if remote is not None:
            wg.exchange.peek(remote, wg.meeting.room_refs(slug))
    room.run_room(obj.repo, slug, remote=remote, follow_every=FOLLOW_SECONDS)
