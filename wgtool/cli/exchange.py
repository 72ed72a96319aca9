"""The record among clones: verify, sync, the remote's guard, clone."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from wgtool import api
from wgtool.api import SyncError, WgError
from wgtool.cli.group import EXIT_CODES, Context, cli, pass_context
from wgtool.cli.inbox import print_news
from wgtool.cli.output import emit_json, remedy_line, safe

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup

GUARD_LINES = 20  # problems a refused push lists


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="One JSON document (exit 1 on problems).")
@click.option(
    "--full",
    is_flag=True,
    help="Judge every commit again, ignoring the verdicts kept from earlier runs.",
)
@pass_context
def verify(obj: Context, as_json: bool, full: bool) -> None:
    """Audit the record: every change made by a member entitled to it (and signed, if required)."""
    with obj.open() as wg:
        report = wg.audit.verify(full=full)
    if as_json:
        emit_json(report.to_dict())
        sys.exit(1 if report.problems else 0)
    for line in report.lines():
        click.echo(safe(line))
    if report.problems:
        sys.exit(1)


# -- sync and UI ---------------------------------------------------------------------------------


@cli.command()
@click.argument("remote", required=False, default="origin")
@click.option(
    "--replay-merges",
    is_flag=True,
    help="Where main here diverged from the remote's, make its merges (and other changes) "
    "again on top of the remote's main, each checked again; exit 3 on a conflict.",
)
@pass_context
def sync(obj: Context, remote: str, replay_merges: bool) -> None:
    """Exchange work with a git remote: fetch, join, fast-forward, push."""
    with obj.open(unknown_actor=True) as wg:
        report = wg.exchange.sync(
            remote,
            progress=lambda line: click.echo(line, err=True),
            replay_merges=replay_merges,
        )
        for line in report.lines():
            click.echo(safe(line))
        for remedy in report.remedies:
            click.echo(safe(remedy_line(remedy, remote)))
        if report.arrived:
            click.echo("What arrived:")
            print_news(report.arrived)
        # The clone's own sync hook (never the record's): its failure is one line, no more.
        hook_problem = api.hooks.after_sync(wg.record.store, report)
        if hook_problem is not None:
            click.echo(f"wgtool: {safe(hook_problem)}", err=True)
        if report.problems:
            sys.exit(EXIT_CODES[SyncError])


@cli.group()
def guard() -> None:
    """Guard a shared remote: a plain git push that breaks the rules is refused by the remote."""


@guard.command("install")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def guard_install(path: Path) -> None:
    """Install the guard as the pre-receive hook of the bare repository at PATH."""
    hook = api.SharedRemote(path).install_guard()
    click.echo(
        f"Installed {hook}: pushes to {path} that break the working group's rules are refused"
    )


@guard.command("script")
def guard_script() -> None:
    """Print the hook script, for hosts that install server hooks their own way."""
    click.echo(api.SharedRemote.hook_text(), nl=False)


@guard.command("check")
def guard_check() -> None:
    """Judge the ref updates a pre-receive hook gets on stdin (the hook runs this)."""
    remote = api.SharedRemote(Path(os.environ.get("GIT_DIR") or "."))
    problems = remote.check(sys.stdin.read())
    for line in problems[:GUARD_LINES]:
        click.echo(f"wgtool guard: {safe(line)}", err=True)
    if len(problems) > GUARD_LINES:
        click.echo(f"wgtool guard: and {len(problems) - GUARD_LINES} more problem(s)", err=True)
    if problems:
        click.echo("wgtool guard: push refused; 'wgtool verify' on a clone says more", err=True)
        sys.exit(1)


@cli.command("clone")
@click.argument("url")
@click.argument("path", type=click.Path(file_okay=False, path_type=Path))
def clone_command(url: str, path: Path) -> None:
    """Join a working group: clone its repository and fetch amendments and deliberation."""
    # git started cloning at the entry point (or starts now), while the rest of wgtool is
    # imported to judge what it brings.
    started = api.CloneStart.take(url, path)
    try:
        wg, report = api.WorkingGroup.clone(url, path, started=started)
    finally:
        started.discard()
    try:
        for line in report.lines():
            click.echo(safe(line))
        click.echo(f"Cloned {safe(wg.record.settings.title)!r} into {path}")
        for line in _who_acts(wg, path):
            click.echo(line)
    finally:
        wg.close()


def _who_acts(wg: WorkingGroup, path: Path) -> list[str]:
    """Who wgtool acts as in the new clone, or what to do so that it knows."""
    try:
        member = wg.record.actor()
    except WgError:
        return [
            "Next: say who you are. wgtool acts as the roster member whose email is git's "
            "user.email, and no member has it here:",
            f"  git -C {safe(str(path))} config user.email EMAIL   "
            "(your email as 'wgtool member list' shows it)",
            "or give --as HANDLE (or set WGTOOL_MEMBER) with each command.",
        ]
    group = wg.record.settings.groups.get(member.group, member.group)
    return [
        f"You act here as {safe(member.handle)} ({safe(group)}); 'wgtool inbox' shows what is new"
    ]
