"""The chair's preparation: the order of consideration and the chair's text (reading only)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.api import InvalidInput
from wgtool.cli.drafts import deliver_document
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import counted, emit_json, number, paragraph_line, safe

if TYPE_CHECKING:
    from wgtool.api import ChairText

_EXPORTS = {"md": "markdown", "markdown": "markdown", "html": "html", "docx": "docx"}


@cli.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def order(obj: Context, slug: str, as_json: bool) -> None:
    """The open amendments to a draft in the order the chair takes them: by paragraph;
    within one, deletions, replacements, then insertions, the furthest from the text first;
    identical ones and alternatives together."""
    with obj.open() as wg:
        found = wg.chairing.order(slug)
    if as_json:
        emit_json(found.to_dict())
        return
    total = sum(len(item.placements) for item in found.items)
    click.echo(
        f"Order of consideration of {slug}: {counted(total, 'open amendment')} "
        f"at main {found.main[:12]}"
    )
    for position, item in enumerate(found.items, 1):
        together = [
            word
            for word, present in (
                ("identical: taken together", item.identical),
                ("alternatives: side by side", item.alternatives),
            )
            if present
        ]
        click.echo(f"{position:>3}. {safe(item.where)}" + "".join(f" — {t}" for t in together))
        for p in item.placements:
            a = p.amendment
            how = f"{p.shape.name.lower()}, {counted(p.distance, 'word')}"
            if p.result is None:
                how += ", conflicts with the text"
            alt = f", alternative to {a.alternative_to}" if a.alternative_to else ""
            click.echo(
                paragraph_line(
                    f"       {number(a)} ({a.id})  {how}{alt}  ",
                    f"{safe(a.proposer)} ({safe(a.group)}): {safe(a.title)}",
                )
            )


@cli.command()
@click.argument("slug")
@click.option(
    "--with",
    "chosen",
    metavar="ID",
    multiple=True,
    required=True,
    help="An open amendment to apply (id, prefix or SLUG/N); again for each, or IDs with commas.",
)
@click.option(
    "--export",
    "fmt",
    type=click.Choice(sorted(_EXPORTS)),
    help="A document instead of the terminal view (docx only with -o FILE).",
)
@click.option("--output", "-o", metavar="PATH", help="Write to a file instead of standard output.")
@click.option(
    "--templates",
    metavar="FOLDER",
    envvar="WGTOOL_TEMPLATES",
    type=click.Path(file_okay=False, path_type=Path),
    help="HTML: your own templates (or WGTOOL_TEMPLATES), as for export.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def preview(
    obj: Context,
    slug: str,
    chosen: tuple[str, ...],
    fmt: str | None,
    output: str | None,
    templates: Path | None,
    as_json: bool,
) -> None:
    """The chair's text: the draft with the chosen open amendments applied in the order of
    consideration, a conflict between them shown with both texts; nothing is recorded."""
    ids = [part.strip() for value in chosen for part in value.split(",") if part.strip()]
    if as_json and (fmt is not None or output is not None):
        raise InvalidInput("--json prints the chair's text as data: leave out --export and -o")
    if fmt == "docx" and output is None:
        raise InvalidInput("docx is a Word document, not text: give -o FILE.docx")
    if output is not None and Path(output).exists():
        raise InvalidInput(f"{output} already exists: choose another file name")
    if fmt is None and output is not None:
        fmt = "md"
    with obj.open() as wg:
        if fmt is not None:
            content = wg.chairing.chair_document(slug, ids, _EXPORTS[fmt], templates)
        else:
            paper = wg.chairing.chair_text(slug, ids)
    if fmt is None:
        if as_json:
            emit_json(paper.to_dict())
        else:
            _print(paper)
        return
    deliver_document(content, output)


def _print(paper: ChairText) -> None:
    """The chair's text in the terminal: what it holds, each conflict with both texts, then
    the paragraphs by label."""
    click.echo(f"Chair's text: {safe(paper.title)} (nothing is recorded)")
    taken = ", ".join(f"{number(a)} ({a.id})" for a in paper.taken) or "none"
    click.echo(f"Applied, in the order of consideration: {taken}")
    for c in paper.conflicts:
        a = c.amendment
        click.echo()
        click.echo(f"<<< CONFLICT in {safe(c.where)}: {number(a)} ({a.id}) is not applied")
        click.echo(paragraph_line("    the text reads:   ", safe(c.text.strip())))
        click.echo(paragraph_line(f"    {number(a)} makes it: ", safe(c.proposed.strip())))
        click.echo(">>>")
    click.echo()
    for b in api.document.blocks(paper.text):
        if b.heading:
            click.echo(paragraph_line("", safe(b.text)))
        else:
            label = paper.label(b.number or 0)
            click.echo(paragraph_line(f"{label:>5}. ", safe(b.text)))
        click.echo()
