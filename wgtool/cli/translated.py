"""A translation as the command line shows it: beside its source's labels, stale units marked."""

from __future__ import annotations

import click

from wgtool import api
from wgtool.cli.output import color_enabled, emit_json, paragraph_line, safe

STALE = "[stale]"


def show_translation(wg: api.WorkingGroup, slug: str, lang: str, version: str | None) -> None:
    """The translation of ``slug`` into ``lang`` paragraph by paragraph, by label: stale ones
    marked, untranslated ones said so, orphans at the end."""
    aligned = wg.translations.aligned(slug, lang, version)
    for row in aligned.rows:
        mark = f" {STALE}" if row.stale else ""
        if row.unit.heading:
            shown = paragraph_line("", safe(row.text if row.text is not None else row.unit.text))
            line = shown + mark + ("" if row.text is not None else " (not translated)")
            click.echo(click.style(line, bold=True) if color_enabled() else line)
        elif row.text is None:
            click.echo(f"{row.unit.key:>5}. (not translated)")
        else:
            click.echo(paragraph_line(f"{row.unit.key:>5}. ", safe(row.text)) + mark)
        click.echo()
    for key, text in aligned.orphans:
        click.echo(paragraph_line(f"orphaned {key}: ", safe(text)))


def translation_json(wg: api.WorkingGroup, slug: str, lang: str, version: str | None) -> None:
    aligned = wg.translations.aligned(slug, lang, version)
    emit_json(
        {
            "slug": slug,
            "language": aligned.lang,
            "version": version,
            "rtl": api.languages.is_rtl(aligned.lang),
            "units": [
                {
                    "key": r.unit.key,
                    "heading": r.unit.heading,
                    "source": r.unit.text,
                    "text": r.text,
                    "stale": r.stale,
                }
                for r in aligned.rows
            ],
            "orphans": [{"key": k, "text": t} for k, t in aligned.orphans],
        }
    )
