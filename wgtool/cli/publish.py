"""The record as a static website for observers: ``wgtool publish OUT``."""

from __future__ import annotations

from pathlib import Path

import click

from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import safe


@cli.command()
@click.argument("out", type=click.Path(path_type=Path))
@click.option(
    "--drafts",
    "slugs",
    multiple=True,
    metavar="SLUG",
    help="Only this draft (repeat for more; default: every draft).",
)
@pass_context
def publish(obj: Context, out: Path, slugs: tuple[str, ...]) -> None:
    """Write a static website of the record into folder OUT, for observers: the drafts, the
    status of their paragraphs, every consensus version with its redline, an Atom feed, and
    as much of the deliberation as the settings allow (`wgtool settings --publish`). OUT must
    be new, empty, or a site published there before (which is replaced)."""
    with obj.open() as wg:
        done = wg.documents.publish(out, slugs or None)
    shown = {"texts": "texts", "amendments": "texts and amendments"}.get(
        done.level, "texts, amendments, positions and comments"
    )
    click.echo(
        f"Published {len(done.drafts)} draft(s) and {done.versions} version(s) into "
        f"{safe(str(out))} ({done.files} files; {shown}; main {done.commit[:10]})"
    )
