"""What a group says of an adopted text (reservations, explanations of position), what awaits
each group and member (reminders), and the sync hook."""

from __future__ import annotations

import click

from wgtool import api
from wgtool.api import Statement
from wgtool.cli.group import Context, cli, pass_context
from wgtool.cli.output import emit_json, fail, safe, warn_placeholder


def statement_line(s: Statement, groups: dict[str, str]) -> str:
    """One reservation or explanation, as the listings and ``draft show`` say it."""
    group = groups.get(s.event.group, s.event.group)
    where = f"¶{s.event.paragraph}" if s.kind == "reservation" else "explanation"
    if s.kind == "reservation" and s.label != s.event.paragraph:
        where += f" (now ¶{s.label})" if s.label else " (deleted since)"
    state = "" if s.active else f"  [retracted by {s.retracted.member if s.retracted else ''}]"
    return safe(
        f"{s.event.id}  {s.version}  {where}  {group} ({s.event.member}): {s.event.text}{state}"
    )


def print_statements(found: list[Statement], groups: dict[str, str]) -> None:
    """The standing reservations and explanations under one heading each (nothing if none)."""
    for kind, heading in (
        ("reservation", "Reservations"),
        ("explanation", "Explanations of position"),
    ):
        standing = [s for s in found if s.kind == kind and s.active]
        if standing:
            click.echo(f"{heading}:")
            for s in standing:
                click.echo(f"  {statement_line(s, groups)}")


@cli.command()
@click.argument("slug", required=False)
@click.option("--paragraph", "label", metavar="LABEL", help="The version's paragraph (7, 7bis).")
@click.option("--reason", callback=warn_placeholder, help="Why your group reserves it.")
@click.option("--version", metavar="NAME", help="The consensus version (default: the latest).")
@click.option(
    "--withdraw",
    "withdraw",
    metavar="ID",
    help="Retract your group's reservation (or explanation) ID instead.",
)
@pass_context
def reserve(
    obj: Context,
    slug: str | None,
    label: str | None,
    reason: str | None,
    version: str | None,
    withdraw: str | None,
) -> None:
    """Record your stakeholder group's reservation on a paragraph of an adopted version;
    prints its id. With --withdraw ID, retract one of your group's."""
    with obj.open() as wg:
        if withdraw is not None:
            if slug or label or reason or version:
                fail("--withdraw ID takes nothing else", 2)
            event = wg.reservations.retract(withdraw)
            click.echo(f"{safe(event.member)} ({event.group}) retracted {event.target}")
            return
        if not slug or not label or reason is None:
            fail("give SLUG, --paragraph LABEL and --reason TEXT (or --withdraw ID)", 2)
        event = wg.reservations.reserve(slug, label, reason=reason, version=version)
        click.echo(event.id)
        click.echo(
            f"Reservation of {event.group} on ¶{safe(event.paragraph or '')} of "
            f"{slug}/{safe(event.target or '')}",
            err=True,
        )


@cli.command()
@click.argument("slug")
@click.argument("text", callback=warn_placeholder)
@click.option("--version", metavar="NAME", help="The consensus version (default: the latest).")
@pass_context
def explain(obj: Context, slug: str, text: str, version: str | None) -> None:
    """Record your stakeholder group's explanation of position on an adopted version; prints
    its id ('wgtool reserve --withdraw ID' retracts it)."""
    with obj.open() as wg:
        event = wg.reservations.explain(slug, text, version=version)
        click.echo(event.id)
        click.echo(
            f"Explanation of position of {event.group} on {slug}/{safe(event.target or '')}",
            err=True,
        )


@cli.command()
@click.argument("slug")
@click.option("--version", metavar="NAME", help="Only those on this version.")
@click.option("--all", "everything", is_flag=True, help="Retracted ones too.")
@click.option("--json", "as_json", is_flag=True)
@pass_context
def reservations(
    obj: Context, slug: str, version: str | None, everything: bool, as_json: bool
) -> None:
    """The reservations and explanations of position on a draft's versions, oldest first."""
    with obj.open() as wg:
        found = wg.reservations.statements(slug, version=version)
        groups = wg.record.settings.groups
    shown = [s for s in found if everything or s.active]
    if as_json:
        emit_json([s.to_dict() for s in shown])
        return
    if not shown:
        click.echo("No reservations or explanations of position")
        return
    for s in shown:
        click.echo(statement_line(s, groups))


@cli.command()
@click.argument("slug", required=False)
@click.option("--json", "as_json", is_flag=True)
@pass_context
def remind(obj: Context, slug: str | None, as_json: bool) -> None:
    """What awaits each stakeholder group and member: open amendments they have not been
    heard on, silences running and amendment windows turning, with their deadlines."""
    with obj.open() as wg:
        found = wg.reminders.reminders(slug)
    if as_json:
        emit_json(found.to_dict())
        return
    for group in found.groups:
        heard = ", ".join(group.not_heard) or "nothing"
        click.echo(f"{safe(group.name)}: not heard on {heard}")
        for member in group.members:
            awaiting = ", ".join(member.awaiting)
            if awaiting:
                click.echo(f"  {safe(member.handle)}: no position on {awaiting}")
    for s in found.silences:
        what = f"draft {s.subject}" if s.on_draft else f"amendment {s.subject}"
        click.echo(
            f"Silence {s.id} on {safe(what)}: break it before {api.local_time(s.until)} "
            f"({api.in_words(s.until - found.now)} left)"
        )
    for name, window in found.windows:
        click.echo(f"Amendment window of {name}: {window.describe(found.now)}")


@cli.group(invoke_without_command=True)
@click.pass_context
def hooks(ctx: click.Context) -> None:
    """The sync hook: a command of this clone's (git config wgtool.hook.sync CMD) run after
    each sync that brought something, with the sync's report as JSON on stdin."""
    if ctx.invoked_subcommand is not None:
        return
    obj = ctx.find_object(Context)
    assert obj is not None
    with obj.open(unknown_actor=True) as wg:
        command = api.hooks.configured(wg.record.store)
    if command is None:
        click.echo(f"No sync hook configured (git config {api.hooks.HOOK_KEY} COMMAND)")
    else:
        click.echo(f"sync: {safe(command)}")


@hooks.command("run")
@pass_context
def hooks_run(obj: Context) -> None:
    """Run the sync hook again with the report of the last sync that brought something."""
    with obj.open(unknown_actor=True) as wg:
        store = wg.record.store
        api.hooks.run(store, api.hooks.last(store))
    click.echo("The sync hook ran", err=True)


__all__ = ["print_statements", "statement_line"]
