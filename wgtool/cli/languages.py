"""A draft in several languages: translations, the authentic language, reading a translation."""

from __future__ import annotations

import click

from wgtool import api
from wgtool.cli.drafts import draft, read_draft_file
from wgtool.cli.group import Context, pass_context
from wgtool.cli.output import emit_json, notice


@draft.command("translate")
@click.argument("slug")
@click.option("--lang", "lang", required=True, metavar="CODE", help="fr, es, ar, zh, pt-BR...")
@click.option("--file", "file", required=True, metavar="PATH", help="Markdown, or Word (.docx).")
@pass_context
def draft_translate(obj: Context, slug: str, lang: str, file: str) -> None:
    """Record a translation of a draft (secretariat): paired with the draft paragraph by
    paragraph, by label; what does not pair is named on stderr, one line each."""
    with obj.open() as wg:
        api.validate.name(slug, "draft")
        code = api.languages.language_code(lang)
        text, labels = read_draft_file(file)
        reading = wg.translations.translate(slug, code, text=text, labels=labels)
    for key in reading.orphans:
        notice(f"{file}: {key} pairs with no paragraph of {slug}: left out")
    for key in reading.missing:
        notice(f"{file}: {key} of {slug} is not translated")
    click.echo(
        f"Translated {slug} into {code}: {len(reading.translation.units)} of "
        f"{len(reading.translation.units) + len(reading.missing)} units"
    )


@draft.command("language")
@click.argument("slug")
@click.option("--authentic", metavar="CODE", help="Make CODE the language of the draft's text.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def draft_language(obj: Context, slug: str, authentic: str | None, as_json: bool) -> None:
    """Show a draft's languages: the authentic one and each translation's state; with
    --authentic, name the authentic language (secretariat)."""
    with obj.open() as wg:
        if authentic is not None:
            code = wg.translations.set_authentic(slug, authentic)
            click.echo(f"The authentic language of {slug} is {code}")
            return
        summary = wg.translations.summary(slug)
    if as_json:
        emit_json(summary.to_dict())
        return
    click.echo(f"{slug}: authentic language {summary.authentic}")
    for t in summary.translations:
        done = sum(1 for r in t.rows if not r.missing)
        click.echo(
            f"  {t.lang:<8} {done}/{len(t.rows)} units  stale: {', '.join(t.stale) or '-'}  "
            f"missing: {', '.join(t.missing) or '-'}"
            + (f"  orphaned: {', '.join(k for k, _ in t.orphans)}" if t.orphans else "")
        )
    if not summary.translations:
        click.echo("  no translations yet")
