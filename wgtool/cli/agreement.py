"""Agreement as data: brackets, the paragraph ledger, silences, the window, co-sponsors."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import click

from wgtool.api import (
    Bracket,
    ParagraphStatus,
    Silence,
    SilenceState,
    in_words,
    local_time,
    parse_when,
)
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import counted, emit_json, print_threads, safe, warn_placeholder

if TYPE_CHECKING:
    from wgtool.api import ParagraphThreads


def _names(values: Iterable[str]) -> list[str]:
    """Groups or handles given as repeated options or comma-separated."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


LABEL_HELP = "The paragraph's label: 7, or 7bis for one inserted after 7."


@cli.command()
@click.argument("slug")
@click.option("--paragraph", "label", required=True, metavar="LABEL", help=LABEL_HELP)
@click.option("--words", metavar="'EXACT WORDS'", help="The words to bracket (default: all).")
@click.option(
    "--reason", callback=warn_placeholder, required=True, help="Why the words are not agreed."
)
@click.option(
    "--held-by",
    "held_by",
    multiple=True,
    metavar="GROUP|HANDLE",
    help="Who holds the bracket (repeat, or separate with commas).",
)
@pass_context
def bracket(
    obj: Context, slug: str, label: str, words: str | None, reason: str, held_by: tuple[str, ...]
) -> None:
    """Put words of a paragraph in square brackets: not agreed (chair); prints the bracket id."""
    with obj.open() as wg:
        event = wg.agreement.bracket(
            slug, label, words=words, reason=reason, held_by=_names(held_by)
        )
        click.echo(event.id)


@cli.command()
@click.argument("bracket_id", metavar="BRACKET_ID")
@click.option("--reason", callback=warn_placeholder, default="", help="Why the bracket is lifted.")
@pass_context
def unbracket(obj: Context, bracket_id: str, reason: str) -> None:
    """Lift a bracket: the words are agreed (chair)."""
    with obj.open() as wg:
        event = wg.agreement.unbracket(bracket_id, reason=reason)
        click.echo(f"Lifted bracket {event.target}")


def _bracket_line(b: Bracket) -> str:
    words = f"“{safe(b.event.words)}”" if b.event.words else "the whole paragraph"
    held = f"; held by {safe(', '.join(b.event.held_by))}" if b.event.held_by else ""
    where = f"¶{b.label}" if b.label else f"(was ¶{safe(b.event.paragraph or '?')})"
    return (
        f"{b.id}  {safe(b.event.draft or '')} {where:<8} {b.state:<7} {words}{held}\n"
        f"    {safe(b.event.text)} ({safe(b.event.member)}, {local_time(b.event.at)})"
    )


@cli.command()
@click.argument("slug", required=False)
@click.option("--all", "lifted_too", is_flag=True, help="Lifted brackets too.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def brackets(obj: Context, slug: str | None, lifted_too: bool, as_json: bool) -> None:
    """List the brackets of a draft (or of every draft): open, and lapsed with their words."""
    with obj.open() as wg:
        found = wg.agreement.brackets(slug, lifted_too=lifted_too)
        if as_json:
            emit_json([b.to_dict() for b in found])
            return
        if not found:
            click.echo("no brackets" + (f" in {slug}" if slug else ""))
        for b in found:
            click.echo(_bracket_line(b))


@cli.command()
@click.argument("slug")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def status(obj: Context, slug: str, as_json: bool) -> None:
    """The paragraph ledger: each paragraph's status, brackets, open amendments, pending on."""
    with obj.open() as wg:
        ledger = wg.agreement.ledger(slug)
        window = wg.procedure.window(slug)
        now = wg.record.clock()
        reserved = [
            s for s in wg.reservations.statements(slug) if s.kind == "reservation" and s.active
        ]
        if as_json:
            emit_json(
                [
                    p.to_dict()
                    | {"reservations": [s.to_dict() for s in reserved if s.label == p.label]}
                    for p in ledger
                ]
            )
            return
        click.echo(f"{slug}: amendment window {window.describe(now)}")
        click.echo(
            f"{'¶':<7} {'status':<16} {'brackets':>8} {'open':>5} {'comments':>8}  pending on"
        )
        for p in ledger:
            state = "open (changed)" if p.changed else p.status
            click.echo(
                f"{safe(p.label):<7} {state:<16} {len(p.brackets) or '':>8} "
                f"{len(p.open_amendments) or '':>5} {len(p.comments) or '':>8}  "
                f"{safe(', '.join(p.pending_on))}".rstrip()
            )
        agreed = sum(p.status is ParagraphStatus.AGREED for p in ledger)
        click.echo(f"{agreed} of {len(ledger)} paragraph(s) agreed")
        if reserved:
            click.echo(
                "Reservations: "
                + ", ".join(
                    safe(f"¶{s.label or s.event.paragraph} ({s.event.group})") for s in reserved
                )
            )
        commented = [p.label for p in ledger if p.comments]
        if commented:
            click.echo(
                f"Comments on ¶{', ¶'.join(safe(label) for label in commented)}: "
                f"'wgtool comments {slug} --paragraph LABEL' reads them"
            )


def print_paragraph_threads(found: list[ParagraphThreads]) -> None:
    """Each paragraph's comments under its label (one deleted since: the label it had)."""
    for number, paragraph in enumerate(found):
        if number:
            click.echo()
        where = f"¶{paragraph.label}" if paragraph.label else f"¶{paragraph.was} (deleted since)"
        click.echo(f"{safe(where)}: {counted(paragraph.count(), 'comment')}")
        print_threads(paragraph.threads)


@cli.command()
@click.argument("slug")
@click.option(
    "--paragraph", "label", metavar="LABEL", help="Only this paragraph's comments (7, 7bis)."
)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def comments(obj: Context, slug: str, label: str | None, as_json: bool) -> None:
    """The comments on a draft's paragraphs, with their replies, paragraph by paragraph
    (written with 'wgtool comment SLUG --paragraph LABEL')."""
    with obj.open() as wg:
        found = wg.agreement.paragraph_threads(slug, label)
    if as_json:
        emit_json([p.to_dict() for p in found])
        return
    if not found:
        where = f"¶{label} of {slug}" if label else f"the paragraphs of {slug}"
        click.echo(f"No comments on {safe(where)}")
        return
    print_paragraph_threads(found)


@cli.command()
@click.argument("slug")
@click.option("--paragraph", "label", required=True, metavar="LABEL", help=LABEL_HELP)
@click.option("--ad-ref", "ad_ref", is_flag=True, help="Agreed ad referendum.")
@click.option(
    "--pending-on",
    "pending_on",
    multiple=True,
    metavar="GROUP|HANDLE",
    help="Who an ad referendum agreement waits for (repeat, or separate with commas).",
)
@pass_context
def agree(obj: Context, slug: str, label: str, ad_ref: bool, pending_on: tuple[str, ...]) -> None:
    """Record a paragraph as agreed, or agreed ad referendum (chair)."""
    with obj.open() as wg:
        event = wg.agreement.agree(slug, label, ad_ref=ad_ref, pending_on=_names(pending_on))
        pending = f", pending on {', '.join(event.held_by)}" if event.held_by else ""
        click.echo(f"¶{event.paragraph} of {slug}: {event.state}{pending}")


@cli.command()
@click.argument("slug")
@click.option("--paragraph", "label", required=True, metavar="LABEL", help=LABEL_HELP)
@click.option("--reason", callback=warn_placeholder, required=True)
@pass_context
def reopen(obj: Context, slug: str, label: str, reason: str) -> None:
    """Open an agreed paragraph again (chair)."""
    with obj.open() as wg:
        event = wg.agreement.reopen(slug, label, reason=reason)
        click.echo(f"¶{event.paragraph} of {slug}: open")


@cli.command()
@click.argument("slug")
@pass_context
def renumber(obj: Context, slug: str) -> None:
    """Number a draft's paragraphs 1 to n again (secretariat); prints the concordance."""
    with obj.open() as wg:
        concordance = wg.procedure.renumber(slug)
        click.echo(f"Renumbered {slug}: {len(concordance)} paragraph(s) changed label")
        for old, new in concordance:
            click.echo(f"  {old} -> {new}")


@cli.command()
@click.argument("amendment_id", metavar="ID")
@click.option("--withdraw", is_flag=True, help="Take your name off it.")
@pass_context
def cosponsor(obj: Context, amendment_id: str, withdraw: bool) -> None:
    """Add your name to another member's amendment (or take it off)."""
    with obj.open() as wg:
        event = wg.procedure.cosponsor(amendment_id, withdraw=withdraw)
        verb = "no longer co-sponsor" if withdraw else "co-sponsor"
        click.echo(f"{safe(event.member)} ({event.group}): {verb} {event.amendment}")


@cli.command()
@click.argument("slug")
@click.argument("state", type=click.Choice(["open", "close"]), required=False)
@click.option("--until", metavar="WHEN", help="When it turns the other way (ISO 8601 or 72h).")
@pass_context
def window(obj: Context, slug: str, state: str | None, until: str | None) -> None:
    """Open or close the tabling of amendments to a draft (secretariat); alone, show it."""
    with obj.open() as wg:
        if state is None:
            if until is not None:
                raise click.UsageError("--until goes with open or close")
            click.echo(
                f"{slug}: amendment window {wg.procedure.window(slug).describe(wg.record.clock())}"
            )
            return
        deadline = None if until is None else parse_when(until, wg.record.clock())
        wg.procedure.set_window(slug, state, until=deadline)
        click.echo(
            f"{slug}: amendment window {wg.procedure.window(slug).describe(wg.record.clock())}"
        )


@cli.group()
def silence() -> None:
    """The silence procedure: a text is adopted at a deadline unless a member breaks silence."""


@silence.command("start")
@click.argument("subject", metavar="ID|SLUG")
@click.option("--until", required=True, metavar="WHEN", help="ISO 8601 with a zone, or 72h.")
@click.option(
    "--message",
    "-m",
    callback=warn_placeholder,
    required=True,
    help="What is put under silence, and why.",
)
@click.option("--version", metavar="NAME", help="A draft: the version it is tagged as.")
@pass_context
def silence_start(
    obj: Context, subject: str, until: str, message: str, version: str | None
) -> None:
    """Put an amendment, or a draft's current text, under silence (chair or secretariat);
    prints the silence id."""
    with obj.open() as wg:
        deadline = parse_when(until, wg.record.clock())
        event = wg.procedure.silence_start(
            subject, until=deadline, message=message, version=version
        )
        click.echo(event.id)


@silence.command("break")
@click.argument("silence_id", metavar="SILENCE_ID")
@click.option("--reason", callback=warn_placeholder, required=True)
@pass_context
def silence_break(obj: Context, silence_id: str, reason: str) -> None:
    """Break a silence before its deadline: an objection from your stakeholder group."""
    with obj.open() as wg:
        event = wg.procedure.silence_break(silence_id, reason=reason)
        click.echo(f"{safe(event.member)} ({event.group}) broke silence {event.target}")


@silence.command("conclude")
@click.argument("silence_id", metavar="SILENCE_ID")
@pass_context
def silence_conclude(obj: Context, silence_id: str) -> None:
    """Adopt a text whose silence ended unbroken: merge it, or tag the draft (chair)."""
    with obj.open() as wg:
        done = wg.procedure.silence_conclude(silence_id)
        click.echo(f"Silence concluded: adopted as {done}")


def _silence_line(s: Silence, now: float) -> str:
    state = s.state(now).value
    if s.state(now) is SilenceState.RUNNING:
        state += f" ({in_words(s.until - now)} left)"
    what = f"draft {s.subject}" if s.on_draft else f"amendment {s.subject}"
    lines = [
        f"{s.id}  {safe(what)}  until {local_time(s.until)}  {state}",
        f"    {safe(s.event.text)} ({safe(s.event.member)})",
    ]
    lines += [f"    broken by {safe(b.member)} ({b.group}): {safe(b.text)}" for b in s.breaks]
    if s.concluded:
        lines.append(f"    concluded: {safe(s.concluded)}")
    return "\n".join(lines)


@silence.command("list")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def silence_list(obj: Context, as_json: bool) -> None:
    """List the silence procedures: running, ended, broken and concluded."""
    with obj.open() as wg:
        found = wg.procedure.silences()
        now = wg.record.clock()
        if as_json:
            emit_json([s.to_dict(now) for s in found])
            return
        if not found:
            click.echo("no silence procedures")
        for s in found:
            click.echo(_silence_line(s, now))
