"""Documents read from the record: who wrote which words (blame), attributed redlines."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.api import NotFound
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import color_enabled, emit_json, paragraph_line, render_diff, safe

if TYPE_CHECKING:
    from wgtool.api import AttributedRedline, Blame, RedlineEntry

# Colours a terminal gives the rows of a blame, in order of their share (base text uncoloured).
_COLOURS = ("cyan", "magenta", "yellow", "blue", "green", "red")


@cli.command()
@click.argument("slug")
@click.option("--version", "version", metavar="NAME", help="A consensus version (default: main).")
@click.option(
    "--by",
    "by",
    type=click.Choice(["group", "member", "amendment"]),
    default="group",
    show_default=True,
    help="Attribute words to stakeholder groups, members or amendments.",
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def blame(obj: Context, slug: str, version: str | None, by: str, as_json: bool) -> None:
    """Who wrote every word of a draft: the merged amendment (its member and group) or the
    base text; then each row's share of the words and of the merged amendments."""
    with obj.open() as wg:
        found = wg.documents.blame(slug, version, by)
    if as_json:
        emit_json(found.to_dict())
        return
    colours = _colours(found)
    text = found.attribution.text
    click.echo(f"Who wrote {slug} ({version or 'current text'}), by {by}:")
    click.echo()
    for block in api.document.blocks(text):
        number = "" if block.number is None else f"{block.number:>3}. "
        click.echo(paragraph_line(number, _marked(found.spans(block.start, block.end), colours)))
        click.echo()
    _summary(found)


def _colours(found: Blame) -> Mapping[str, str]:
    return {
        row.key: _COLOURS[i % len(_COLOURS)]
        for i, row in enumerate(r for r in found.shares if r.key != "base")
    }


def _marked(spans: list[tuple[str, str]], colours: Mapping[str, str]) -> str:
    """Spans as text, each not in the base text marked ``[key: words]`` (and coloured)."""
    colour = color_enabled()
    parts = []
    for text, key in spans:
        shown = safe(text)
        if key == "base":
            parts.append(shown)
            continue
        lead = shown[: len(shown) - len(shown.lstrip())]
        marked = f"[{safe(key)}: {shown.strip()}]"
        if colour:
            marked = click.style(marked, fg=colours.get(key))
        parts.append(lead + marked + shown[len(shown.rstrip()) :] if shown.strip() else shown)
    return "".join(parts)


def _summary(found: Blame) -> None:
    total = sum(r.words for r in found.shares)
    merged = sum(r.amendments for r in found.shares)
    click.echo(f"{total} words; {merged} merged amendment(s)")
    # Each row's whole label: the key in brackets is what marks its words in the text above.
    labels = [
        safe(row.label if row.key == row.label else f"{row.label} [{row.key}]")
        for row in found.shares
    ]
    width = max([34, *(len(label) for label in labels)])
    click.echo(f"{found.by:<{width}} {'words':>7} {'share':>7}  {'merged amendments':>18}")
    for row, label in zip(found.shares, labels, strict=True):
        amendments = f"{row.amendments} ({row.amendment_share:.1f}%)" if row.amendments else "-"
        click.echo(f"{label:<{width}} {row.words:>7} {row.share:>6.1f}%  {amendments:>18}")


@cli.command()
@click.argument("slug")
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option("--changed-only", is_flag=True, help="Fold the paragraphs that did not change.")
@click.option("--lang", "lang", metavar="CODE", help="The redline of the translation into CODE.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def redline(
    obj: Context,
    slug: str,
    old: str | None,
    new: str | None,
    changed_only: bool,
    lang: str | None,
    as_json: bool,
) -> None:
    """Redline of a draft between two versions (default: the latest and main), paragraph by
    paragraph with their labels (7bis), each change with the amendment and group that made it."""
    with obj.open() as wg:
        if old is None:
            found = wg.drafts.versions(slug)
            if not found:
                raise NotFound(
                    f"{slug} has no consensus versions to compare with: give OLD and NEW"
                )
            old = found[-1].name
        if lang is None:
            result = wg.documents.attributed_redline(slug, old, new)
        else:
            lang = api.languages.language_code(lang)
            result = wg.translations.redline(slug, lang, old, new)
        groups = wg.record.settings.groups
    if as_json:
        emit_json(
            {
                "draft": slug,
                "language": lang,
                "old": old,
                "new": new,
                "attributed": result.attributed,
                "entries": [e.to_dict(groups) for e in result.entries],
            }
        )
        return
    newer = new or "main"
    if newer == "main":
        newer += " (the current text)"
    into = f" in {lang}" if lang else ""
    click.echo(f"Redline of {slug}{into} from {safe(old)} to {safe(newer)}")
    click.echo()
    if not any(entry.changed for entry in result.entries):
        click.echo(f"No changes: {safe(old)} and {safe(new or 'main')} read the same.")
        return
    _print_redline(result, groups, changed_only)


def _print_redline(
    result: AttributedRedline, groups: Mapping[str, str], changed_only: bool
) -> None:
    folded = 0
    for entry in result.entries:
        if changed_only and not entry.changed and not entry.heading:
            folded += 1
            continue
        if folded:
            click.echo(f"       ({folded} unchanged paragraph{'s' if folded > 1 else ''})\n")
            folded = 0
        click.echo(_entry_line(entry))
        if entry.changed:
            names = "; ".join(safe(s.describe(groups)) for s in entry.by)
            if names:
                click.echo(f"       — {names}")
            elif not result.attributed:
                click.echo("       — (not attributed: OLD is not older than NEW on main)")
        click.echo()
    if folded:
        click.echo(f"       ({folded} unchanged paragraph{'s' if folded > 1 else ''})")


def _entry_line(entry: RedlineEntry) -> str:
    body = render_diff(entry.ops)
    if entry.heading:
        heading = paragraph_line("#" * entry.level + " ", body)
        return click.style(heading, bold=True) if color_enabled() else heading
    return paragraph_line(f"{entry.label:>5}. ", body)
