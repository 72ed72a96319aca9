"""Drafts, their consensus versions, redlines and exports."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from wgtool import api
from wgtool.api import DocumentFormat, Draft, InvalidInput, validate
from wgtool.cli.agreement import print_paragraph_threads
from wgtool.cli.editing import paragraph_option
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import (
    color_enabled,
    emit_json,
    notice,
    paragraph_line,
    safe,
    warn_placeholder,
)
from wgtool.cli.statements import print_statements
from wgtool.cli.translated import show_translation, translation_json


@cli.group()
def draft() -> None:
    """Drafts: the texts the working group negotiates."""


@draft.command("add")
@click.argument("slug")
@click.option("--title", required=True)
@click.option("--file", "file", required=True, metavar="PATH", help="Markdown, or Word (.docx).")
@pass_context
def draft_add(obj: Context, slug: str, title: str, file: str) -> None:
    """Add a draft from a Markdown file or a Word document (secretariat)."""
    with obj.open() as wg:
        validate.name(slug, "draft")
        text, labels = read_draft_file(file)
        added = wg.drafts.add_draft(slug, title=title, text=text, labels=labels)
        click.echo(f"Added draft {added.slug}: {safe(added.title)}")
        if labels and added.labels != tuple(str(n) for n in range(1, len(labels) + 1)):
            click.echo(f"Its paragraphs keep the labels of the exported draft ({labels[0]}...)")


@draft.command("import")
@click.argument("slug")
@click.option("--file", "file", required=True, metavar="PATH", help="Word (.docx), or Markdown.")
@click.option("--title", help="A new title (default: the draft's own).")
@pass_context
def draft_import(obj: Context, slug: str, file: str, title: str | None) -> None:
    """Replace the text of a draft with a Word document or Markdown file (secretariat): the
    paragraphs that stay keep their labels."""
    with obj.open() as wg:
        validate.name(slug, "draft")
        text, _ = read_draft_file(file)  # paragraphs that stay keep their labels here
        imported = wg.drafts.import_draft(slug, text=text, title=title)
        count = len(imported.labels)
        click.echo(f"Imported {safe(file)} into draft {slug}: {count} paragraphs")


def read_draft_file(path: str) -> tuple[str, list[str]]:
    """A draft's text from a Markdown file or, by its .docx name, a Word document; what a
    Word document held that a draft cannot is said on stderr, one line each. With it, the
    paragraphs' labels where the document is wgtool's own export (else none)."""
    if not path.lower().endswith(".docx"):
        return validate.read_text_file(path, "draft file"), []

    found = api.read_docx(path)
    for line in found.left_out:
        notice(f"{path}: {line}")
    return found.text, found.labels


@draft.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def draft_list(obj: Context, as_json: bool) -> None:
    """List the drafts with their paragraphs, open amendments and versions."""
    with obj.open() as wg:
        drafts = wg.drafts.drafts()
        if as_json:
            emit_json([d.to_dict() for d in drafts])
            return
        if not drafts:
            click.echo("No drafts yet: the secretariat adds them with 'wgtool draft add'")
        for d in drafts:
            versions = ", ".join(d.versions) or "-"
            click.echo(
                f"{d.slug:<20} {d.paragraphs:>3} paragraphs  {d.open_amendments:>4} open  "
                f"versions: {safe(versions)}\n    {safe(d.title)}"
            )


@draft.command("show")
@click.argument("slug")
@click.option("--version", "version", metavar="NAME", help="A consensus version (see 'versions').")
@click.option("--clean", is_flag=True, help="Without the square brackets around unagreed words.")
@click.option(
    "--paragraph",
    "paragraph",
    callback=paragraph_option,
    metavar="LABEL",
    help="Only paragraph LABEL (7, 7bis).",
)
@click.option(
    "--lang", "lang", metavar="CODE", help="Its translation into CODE, stale ones marked."
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def draft_show(
    obj: Context,
    slug: str,
    version: str | None,
    clean: bool,
    paragraph: str | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """Show a draft (or one paragraph) with its paragraph labels (7, 7bis) and, on main, its
    brackets: words in [ ] are not agreed; where there are brackets, the text's own \\[ and \\]
    are escaped. With --lang, its translation beside the same labels."""
    if lang is not None:
        with obj.open() as wg:
            (translation_json if as_json else show_translation)(wg, slug, lang, version)
        return
    with obj.open() as wg:
        d = wg.drafts.draft(slug, version)
        spans = {} if clean else wg.agreement.bracket_spans(slug, version)
        said = wg.reservations.statements(slug, version=version)
        groups = wg.record.settings.groups
        if paragraph is not None:
            block = api.document.paragraph(d.text, d.position(paragraph))
            label = d.label(block.number or 0)
            # The comments on the paragraph are on it as it is now, not in a version.
            threads = () if version else wg.agreement.paragraph_threads(slug, label)
    if paragraph is not None:
        if as_json:
            found = sorted(spans.get(label, []))
            emit_json(
                {
                    "slug": d.slug,
                    "version": version,
                    "number": block.number,
                    "label": label,
                    "text": block.text,
                    "brackets": [{"start": s, "end": e, "id": i} for s, e, i in found],
                    "comments": [t.to_dict() for p in threads for t in p.threads],
                }
            )
        else:
            body = safe(_bracketed(block.text, spans.get(label, [])))
            click.echo(paragraph_line(f"{label:>5}. ", body))
            if threads:
                click.echo()
                print_paragraph_threads(list(threads))
            # A version's reservations name its labels; on main, the label now.
            on = [x for x in said if (x.event.paragraph if version else x.label) == label]
            if any(x.active for x in on):
                click.echo()
                print_statements(on, groups)
        return
    if as_json:
        data = d.to_dict(version)
        data["statements"] = [x.to_dict() for x in said if x.active]
        for entry in data["paragraphs"]:  # type: ignore[attr-defined]
            found = spans.get(entry["label"], [])
            entry["brackets"] = [{"start": s, "end": e, "id": i} for s, e, i in sorted(found)]
        emit_json(data)
        return
    _print_draft(d, spans)
    if any(x.active for x in said):
        click.echo()
        print_statements(said, groups)


def _bracketed(text: str, spans: list[tuple[int, int, str]] | None) -> str:
    return api.agreement.bracketed_plain(text, spans) if spans else text


def _print_draft(d: Draft, spans: dict[str, list[tuple[int, int, str]]]) -> None:
    """Headings in bold, paragraphs by label; bracketed words in [ ] where the draft has any."""
    for b in api.document.blocks(d.text):
        if b.heading:
            text = api.agreement.escape_brackets(b.text) if spans else b.text
            heading = paragraph_line("", safe(text))
            click.echo(click.style(heading, bold=True) if color_enabled() else heading)
        else:
            label = d.label(b.number or 0)
            text = api.agreement.bracketed_plain(b.text, spans.get(label, [])) if spans else b.text
            click.echo(paragraph_line(f"{label:>5}. ", safe(text)))
        click.echo()


@cli.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def versions(obj: Context, slug: str, as_json: bool) -> None:
    """List the consensus versions of a draft."""
    with obj.open() as wg:
        found = wg.drafts.versions(slug)
        for tag, problem in wg.drafts.version_problems().items():
            if tag.startswith(f"{slug}/"):
                notice(f"ignored the tag {tag}: {problem}")
        if as_json:
            emit_json([v.to_dict() for v in found])
            return
        if not found:
            click.echo(f"{slug} has no consensus versions yet")
        for v in found:
            first_line = v.message.splitlines()[0] if v.message else ""
            click.echo(
                f"{safe(v.name):<12} {v.commit[:10]}  {safe(v.tagger):<24} {safe(first_line)}"
            )


@cli.command()
@click.argument("slug")
@click.argument("name")
@click.option("--message", "-m", callback=warn_placeholder, required=True)
@click.option(
    "--allow-brackets",
    "allow_brackets",
    is_flag=True,
    help="Tag although brackets remain (the tag records how many).",
)
@click.option(
    "--renumber", is_flag=True, help="Number the paragraphs 1 to n first (see 'renumber')."
)
@pass_context
def tag(
    obj: Context, slug: str, name: str, message: str, allow_brackets: bool, renumber: bool
) -> None:
    """Tag the current text of a draft as a consensus version (secretariat); refused while
    brackets remain, unless --allow-brackets."""
    with obj.open() as wg:
        v = wg.procedure.tag(
            slug, name, message=message, allow_brackets=allow_brackets, renumber=renumber
        )
        click.echo(f"Tagged {v.tag} at {v.commit[:10]}")

        pending = api.ad_referendum_note(wg.agreement.ledger(slug, amendments=False))
        if pending:
            click.echo(f"Agreed ad referendum, recorded in the tag: {safe(pending)}")
        if wg.exchange.remotes():
            click.echo("Others see it after 'wgtool sync'")


@cli.command()
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    default="html",
    show_default=True,
    type=click.Choice([f.value for f in DocumentFormat]),
    help="markdown/html: clean text; redline: changes since a version; compilation: "
    "the open amendments; akn: Akoma Ntoso 3.0 XML; akn-amendments: the open amendments "
    "as an Akoma Ntoso amendmentList; docx, docx-redline (tracked changes), docx-compilation: "
    "the same as Word documents (with -o FILE).",
)
@click.option("--version", "version", metavar="NAME", help="A consensus version (default: main).")
@click.option("--against", metavar="NAME", help="For a redline: the older version.")
@click.option(
    "--all", "include_closed", is_flag=True, help="Compilation, akn-amendments: closed ones too."
)
@click.option("--output", "-o", metavar="PATH", help="Write to a file instead of standard output.")
@click.option("--clean", is_flag=True, help="Without the square brackets around unagreed words.")
@click.option(
    "--templates",
    metavar="FOLDER",
    envvar="WGTOOL_TEMPLATES",
    type=click.Path(file_okay=False, path_type=Path),
    help="HTML: your own templates or stylesheet, used instead of the shipped ones of the same "
    "name (or WGTOOL_TEMPLATES).",
)
@click.option("--lang", "lang", metavar="CODE", help="In the draft's translation into CODE.")
@pass_context
def export(
    obj: Context,
    slug: str,
    fmt: str,
    version: str | None,
    against: str | None,
    include_closed: bool,
    output: str | None,
    clean: bool,
    templates: Path | None,
    lang: str | None,
) -> None:
    """Produce a document for a draft: clean text, redline, compilation (HTML or Word) or
    Akoma Ntoso XML."""
    if output is None and DocumentFormat(fmt).binary:
        raise InvalidInput(f"{fmt} is a Word document, not text: give -o FILE.docx")
    target = None if output is None else Path(output)
    if target is not None and target.exists():
        raise InvalidInput(f"{output} already exists: choose another file name")
    with obj.open() as wg:
        content = wg.documents.export(
            slug,
            fmt,
            version=version,
            against=against,
            include_closed=include_closed,
            clean=clean,
            templates=templates,
            language=lang,
        )
    deliver_document(content, output)


def deliver_document(content: str | bytes, output: str | None) -> None:
    """A document on standard output (a Word document was refused without a file before), or
    written to ``output``, a new file."""
    if output is None:
        # The document escapes what it holds; on a terminal, what a terminal acts on too.
        assert isinstance(content, str)  # a Word document without -o was refused above
        click.echo(safe(content) if sys.stdout.isatty() else content, nl=False)
        return
    write_new_file(Path(output), content.encode() if isinstance(content, str) else content)
    click.echo(f"Wrote {output}")


def write_new_file(target: Path, data: bytes) -> None:
    """Write ``data`` to ``target``, a file that does not exist yet: all of it, or nothing."""
    if target.exists():
        raise InvalidInput(f"{target} already exists: choose another file name")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.write_bytes(data)
        partial.replace(target)
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise InvalidInput(f"cannot write {target}: {error.strerror or error}") from None
