"""Amendments and deliberation: propose, list, show, revise, positions, comments, decisions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.api import LABEL_RE, Amendment, Consensus, InvalidInput, Kind, Stance, Status, validate
from wgtool.cli import subamend
from wgtool.cli.editing import edit_text, paragraph_option
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import (
    consensus_counts,
    emit_json,
    number,
    print_threads,
    read_text_option,
    render_diff,
    safe,
    status_phrase,
    verdict,
    warn_placeholder,
)

if TYPE_CHECKING:
    from wgtool.api import DiffOp, WorkingGroup

STATUSES = [s.value for s in Status]
STANCES = [s.value for s in Stance]


LANG_HELP = (
    "The language of the text, one the draft is in (default: its authentic language, the one "
    "merged; a text in another awaits the authentic text)."
)


@cli.command()
@click.argument("slug", required=False)
@click.option(
    "--to",
    "to",
    metavar="ID",
    help="Propose a change to open amendment ID's text (a sub-amendment): no SLUG.",
)
@click.option(
    "--paragraph",
    "paragraph",
    callback=paragraph_option,
    metavar="LABEL",
    help="Replace paragraph LABEL (7, 7bis).",
)
@click.option(
    "--insert-after",
    "insert_after",
    callback=paragraph_option,
    metavar="LABEL",
    help="Insert a new paragraph after paragraph LABEL (0: before the first).",
)
@click.option(
    "--delete", "delete", callback=paragraph_option, metavar="LABEL", help="Delete paragraph LABEL."
)
@click.option("--from-file", "from_file", metavar="PATH", help="The whole draft as you want it.")
@click.option("--text", callback=warn_placeholder, help="The new paragraph's text.")
@click.option(
    "--text-file", "text_file", metavar="PATH", help="Read the new paragraph from a file."
)
@click.option(
    "--edit", is_flag=True, help="Write the new paragraph in $EDITOR (opened on the current one)."
)
@click.option(
    "--rationale",
    callback=warn_placeholder,
    required=True,
    help="Why the working group should accept it.",
)
@click.option("--title", help="A short title (default: says what the amendment does).")
@click.option(
    "--alternative-to",
    "alternative_to",
    metavar="ID",
    help="Offer another text for the passage amendment ID amends (Alt 1, Alt 2...).",
)
@click.option("--lang", "lang", metavar="CODE", help=LANG_HELP)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def propose(
    obj: Context,
    slug: str | None,
    to: str | None,
    paragraph: str | None,
    insert_after: str | None,
    delete: str | None,
    from_file: str | None,
    text: str | None,
    text_file: str | None,
    edit: bool,
    rationale: str,
    title: str | None,
    alternative_to: str | None,
    lang: str | None,
    as_json: bool,
) -> None:
    """Propose an amendment to a draft (or, with --to, to an amendment); prints its id."""
    if to is not None:
        if slug is not None or any(v is not None for v in (paragraph, insert_after, delete)):
            raise click.UsageError("--to names the amendment: no SLUG or paragraph with it")
        if from_file is not None or alternative_to is not None:
            raise click.UsageError("--to takes --text, --text-file or --edit")
        with obj.open() as wg:
            text = read_text_option(text, text_file, "text file")
            subamend.propose_to(
                wg, to, text=text, edit=edit, rationale=rationale, title=title, as_json=as_json
            )
        return
    if slug is None:
        raise click.UsageError("say which draft to amend (SLUG), or which amendment with --to")
    chosen = [
        (k, v)
        for k, v in (
            ("paragraph", paragraph),
            ("insert-after", insert_after),
            ("delete", delete),
            ("from-file", from_file),
        )
        if v is not None
    ]
    if len(chosen) != 1:
        raise click.UsageError(
            "say what to amend with exactly one of "
            "--paragraph, --insert-after, --delete, --from-file"
        )
    which, value = chosen[0]
    with obj.open() as wg:
        if edit:
            text = _edit_paragraph(wg, slug, which, value, text is not None or bool(text_file))
        kind, number, new_text = _what_to_amend(which, value, text, text_file)
        amendment_id = wg.amendments.propose_id(
            slug,
            kind=kind,
            paragraph=number,
            text=new_text,
            rationale=rationale,
            title=title,
            alternative_to=alternative_to,
            language=lang,
        )
        if as_json:
            emit_json(wg.amendments.amendment(amendment_id).to_dict())
        else:
            click.echo(amendment_id)


def _what_to_amend(
    which: str, value: str, text: str | None, text_file: str | None
) -> tuple[Kind, str | None, str | None]:
    """The kind, paragraph and text of an amendment from the option that says what it amends
    (``which``, one of paragraph, insert-after, delete, from-file) and the text options."""
    if which == "from-file":
        if text is not None or text_file is not None:
            raise click.UsageError("--from-file holds the whole draft: no --text with it")
        return Kind.DOCUMENT, None, validate.read_text_file(str(value), "file")
    label = value.strip().removeprefix("¶")
    kind = {"paragraph": Kind.REPLACE, "insert-after": Kind.INSERT, "delete": Kind.DELETE}[which]
    new_text = read_text_option(text, text_file, "text file")
    if kind is Kind.DELETE and new_text is not None:
        raise click.UsageError("--delete takes no --text")
    if kind is not Kind.DELETE and new_text is None:
        raise click.UsageError("give the new paragraph with --text or --text-file")
    if not LABEL_RE.match(label):
        raise InvalidInput(
            f"paragraph {label!r} is out of range: give a paragraph's label, such as 7 or 7bis"
        )
    return kind, label, new_text


def _edit_paragraph(wg: WorkingGroup, slug: str, which: str, value: str, text_given: bool) -> str:
    """The new paragraph as the member writes it in their editor, opened on the paragraph
    (``--paragraph``) or on nothing (``--insert-after``)."""
    if text_given:
        raise click.UsageError("--edit writes the text: no --text or --text-file with it")
    if which not in ("paragraph", "insert-after"):
        raise click.UsageError("--edit goes with --paragraph or --insert-after")
    wg.record.actor()  # a refusal comes before the editor opens
    current = ""
    if which == "paragraph":
        draft = wg.drafts.draft(slug)
        current = api.document.paragraph(draft.text, draft.position(value)).text
    return edit_text(current + "\n" if current else "", "paragraph")


@cli.command()
@click.argument("slug", required=False)
@click.option("--status", type=click.Choice(STATUSES))
@click.option(
    "--group", metavar="GROUP", help="Only amendments proposed for this stakeholder group."
)
@click.option("--proposer", metavar="HANDLE")
@click.option(
    "--search", "search", metavar="TEXT", help="Only amendments whose title or rationale has TEXT."
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def amendments(
    obj: Context,
    slug: str | None,
    status: str | None,
    group: str | None,
    proposer: str | None,
    search: str | None,
    as_json: bool,
) -> None:
    """List amendments (from the index), oldest first."""
    with obj.open() as wg:
        # At a glance when the index is current: a listing imports no SQLAlchemy tables.
        listed = wg.deliberation.listing(
            draft=slug, status=status, group=group, proposer=proposer, text=search
        )
        found = [a for a, _ in listed]
        summaries = {a.id: consensus for a, consensus in listed}
        if as_json:
            emit_json(
                [
                    {
                        **a.to_dict(),
                        "consensus": summaries[a.id].state.value,
                        "consensus_summary": consensus_counts(summaries[a.id]),
                    }
                    for a in found
                ]
            )
            return
        if not found:
            filtered = any(v is not None for v in (slug, status, group, proposer, search))
            click.echo("No amendments match" if filtered else "No amendments yet")
        for a, placed_under in subamend.queue_order(found):
            c = summaries[a.id]
            if placed_under:
                click.echo(subamend.queue_line(a, c))
                continue
            alt = f"(alternative to {a.alternative_to}) " if a.alternative_to else ""
            click.echo(
                f"{a.id}  {safe(a.draft):<14} {a.target or '-':>5}  {number(a):<8} "
                f"{safe(a.proposer):<14} "
                f"{safe(a.group):<19} "
                f"{a.status.label:<9} {c.state.value:<9} {consensus_counts(c):<14} "
                f"{alt}{safe(a.title)[:60]}"
            )


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def show(obj: Context, amendment_id: str, as_json: bool) -> None:
    """Show an amendment: its word-level diff, rationale, status, positions and thread."""
    with obj.open() as wg:
        detail = wg.amendment_detail(amendment_id)
    if as_json:
        emit_json(detail.to_dict())
        return
    a, alternatives, threads = detail.amendment, detail.alternatives, detail.threads
    _print_amendment(a, detail.group_name, detail.change.diff, detail.parent)
    if detail.language is not None:
        click.echo(f"Language:  {detail.language}: awaits the authentic text ({detail.authentic})")
    subamend.print_sub_amendments(detail)
    if detail.cosponsors:
        names = ", ".join(f"{safe(m)} ({g})" for m, g in sorted(detail.cosponsors.items()))
        groups = len(detail.cosponsor_groups)
        click.echo(f"Co-sponsors: {names}: {groups} stakeholder group(s) with the proposer's")
    if alternatives:
        click.echo("Alternatives for this passage:")
        for number, other in enumerate(alternatives, 1):
            mark = "*" if other.id == a.id else " "
            click.echo(
                f"  {mark} Alt {number}: {other.id}  {other.status.label:<11} "
                f"{safe(other.proposer)}: {safe(other.title)[:50]}"
            )
    _print_consensus(detail.consensus)
    if threads:
        click.echo()
        click.echo("Comments:")
        print_threads(threads)


def _print_amendment(
    a: Amendment, group_name: str, diff: tuple[DiffOp, ...], parent: Amendment | None = None
) -> None:
    """The amendment's header lines, its word diff and its rationale."""
    click.echo(f"Amendment {a.id} ({number(a)}): {safe(a.title)}")
    click.echo(f"Draft:     {safe(a.draft)} ({a.place})")
    click.echo(f"Proposer:  {safe(a.proposer)} ({safe(group_name)})")
    if parent is not None:
        click.echo(subamend.parent_line(parent))
    status = subamend.sub_status(a, parent) if a.amends else status_phrase(a.status)
    if a.merged_by and not a.amends:
        status += f" (merged by {safe(a.merged_by)})"
    if a.reverted_by:
        status += f" (reverted by {safe(a.reverted_by)})"
    if a.decided_reason:
        status += f": {safe(a.decided_reason)}"
    click.echo(f"Status:    {status}")
    if a.adoption is not None:
        click.echo(f"Adopted:   {safe(a.adoption.describe())}")
    click.echo(f"Revision:  {a.revision}")
    click.echo()
    click.echo(render_diff(diff))
    click.echo()
    click.echo("Rationale:")
    for line in safe(a.rationale).splitlines():
        click.echo(f"    {line}")
    click.echo()


def _print_consensus(consensus: Consensus) -> None:
    """The consensus state, and each group's state with its members' positions."""
    click.echo(f"Consensus: {verdict(consensus)} ({consensus.rule})")
    for g in consensus.groups:
        click.echo(f"  {safe(g.name):<50} {g.state.value}")
        for p in g.positions:
            stale = " (stale: on an earlier revision)" if p.stale else ""
            reason = f": {safe(p.reason)}" if p.reason else ""
            click.echo(f"      {safe(p.member)}: {p.stance.value}{stale}{reason}")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option(
    "--text",
    callback=warn_placeholder,
    help="The revised paragraph (or whole draft for a whole-draft amendment).",
)
@click.option("--text-file", "text_file", metavar="PATH")
@click.option("--edit", is_flag=True, help="Write the revision in $EDITOR (opened on the current).")
@click.option(
    "--rationale", callback=warn_placeholder, help="A new rationale (default: keep the old one)."
)
@click.option("--lang", "lang", metavar="CODE", help=LANG_HELP)
@pass_context
def revise(
    obj: Context,
    amendment_id: str,
    text: str | None,
    text_file: str | None,
    edit: bool,
    rationale: str | None,
    lang: str | None,
) -> None:
    """Revise your own open amendment."""
    new_text = read_text_option(text, text_file, "text file")
    if edit and new_text is not None:
        raise click.UsageError("--edit writes the text: no --text or --text-file with it")
    if new_text is None and not edit:
        raise click.UsageError("give the revised text with --text, --text-file or --edit")
    with obj.open() as wg:
        if new_text is None:
            change = wg.amendments.change(
                wg.amendments.own_open_amendment(amendment_id, "revise")[1]
            )
            new_text = edit_text((change.new or change.old) + "\n", "revision")
        a = wg.amendments.revise(amendment_id, text=new_text, rationale=rationale, language=lang)
        click.echo(f"Revised {a.id} (revision {a.revision})")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.argument("stance", type=click.Choice(STANCES))
@click.option("--reason", callback=warn_placeholder, default="", help="Why (shown to everyone).")
@pass_context
def position(obj: Context, amendment_id: str, stance: str, reason: str) -> None:
    """Take or change your position on an amendment."""
    with obj.open() as wg:
        ev = wg.deliberation.position(amendment_id, stance, reason=reason)
        click.echo(f"{safe(ev.member)} ({ev.group}): {stance} on {ev.amendment}")


@cli.command()
@click.argument("amendment_id", metavar="ID|SLUG")
@click.argument("text", callback=warn_placeholder, required=False)
@click.option("--reply-to", "reply_to", metavar="COMMENT_ID")
@click.option(
    "--paragraph",
    "label",
    metavar="LABEL",
    help="Comment on paragraph LABEL of draft SLUG instead of on an amendment.",
)
@pass_context
def comment(
    obj: Context, amendment_id: str, text: str | None, reply_to: str | None, label: str | None
) -> None:
    """Comment on an amendment (or on a paragraph of a draft), or reply to a comment; with no
    TEXT, write it in $EDITOR.

    Prints the comment's id on stdout (for scripts) and a confirmation on stderr."""
    with obj.open() as wg:
        if text is None:
            wg.record.actor()  # refusals come before the editor opens
            if label is None:
                wg.amendments.amendment(amendment_id)
            text = edit_text("", "comment")
        if label is not None:
            ev = wg.agreement.comment_paragraph(amendment_id, label, text, reply_to=reply_to)
        else:
            ev = wg.deliberation.comment(amendment_id, text, reply_to=reply_to)
        click.echo(ev.id)
        on = f"¶{ev.paragraph} of {ev.draft}" if ev.draft else ev.amendment
        what = f"Replied to {safe(ev.reply_to)} on" if ev.reply_to else "Commented on"
        click.echo(f"{what} {safe(on)} as {safe(ev.member)} ({safe(ev.group)})", err=True)


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--reason", callback=warn_placeholder, required=True)
@pass_context
def reject(obj: Context, amendment_id: str, reason: str) -> None:
    """Reject an amendment with a reason (chair)."""
    with obj.open() as wg:
        ev = wg.deliberation.reject(amendment_id, reason=reason)
        click.echo(f"Rejected {ev.amendment}")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--reason", callback=warn_placeholder, default="")
@pass_context
def withdraw(obj: Context, amendment_id: str, reason: str) -> None:
    """Withdraw your own open amendment."""
    with obj.open() as wg:
        ev = wg.deliberation.withdraw(amendment_id, reason=reason)
        click.echo(f"Withdrew {ev.amendment}")
