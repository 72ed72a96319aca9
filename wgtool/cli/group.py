"""The command group every command registers on: its options (``--repo``, ``--as``), the
:class:`Context` the commands are given, and :data:`EXIT_CODES`, the one table from the core's
errors to exit codes. The commands' modules import this one; :mod:`wgtool.cli` imports them all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wgtool import api
from wgtool.api import (
    BracketsRemain,
    ConcurrentUpdate,
    InvalidInput,
    LocalFileError,
    LookAlike,
    LostRace,
    MergeConflict,
    NoConsensus,
    NotFound,
    PermissionDenied,
    StateError,
    SyncError,
    WgError,
)
from wgtool.cli.output import PLACEHOLDER_WARNINGS, error_line, fail, notice, safe

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup


# The exit code of each error of the core; an error not listed exits as its nearest listed base.
EXIT_CODES: dict[type[WgError], int] = {
    WgError: 1,
    NotFound: 1,
    StateError: 1,
    BracketsRemain: 1,
    LocalFileError: 1,
    InvalidInput: 2,
    LookAlike: 2,
    MergeConflict: 3,
    PermissionDenied: 4,
    SyncError: 5,
    NoConsensus: 6,
    ConcurrentUpdate: 7,
    LostRace: 7,  # retry_cas retries it; a writer outside retry_cas may still lose a race
}


def exit_code(error: WgError) -> int:
    """The exit code for an error of the core (see :data:`EXIT_CODES`)."""
    return exit_code_of(type(error))


def exit_code_of(kind: type[WgError]) -> int:
    """The exit code for a kind of error: its own, or its nearest listed base's."""
    for base in kind.__mro__:
        if base in EXIT_CODES:
            return EXIT_CODES[base]
    return EXIT_CODES[WgError]


class Context:
    def __init__(self, repo: str | None, actor: str | None) -> None:
        self.repo = repo
        self.actor = actor

    @contextmanager
    def open(self, *, unknown_actor: bool = False) -> Iterator[WorkingGroup]:
        """The working group, as the member --as (or WGTOOL_MEMBER) names. A handle the roster
        does not hold is refused here, for reads too (a typo must not read as someone), unless
        the roster is empty (the first member adds themselves) or ``unknown_actor`` (a sync may
        bring the roster that adds them)."""
        wg = api.WorkingGroup.open(self.repo, self.actor, notify=notice)
        wg.record.snapshot_reads = True  # a command reads one state of the record
        try:
            if self.actor and not unknown_actor and len(wg.record.roster):
                wg.record.act_as(self.actor)
            yield wg
        finally:
            wg.close()


pass_context = click.make_pass_decorator(Context)


def usage_failure(error: click.UsageError) -> NoReturn:
    """A usage error as one line (click's default is a usage block over several lines)."""
    if isinstance(error, click.exceptions.NoArgsIsHelpError):
        raise error
    hint = f" (see '{error.ctx.command_path} --help')" if error.ctx is not None else ""
    fail(" ".join(error.format_message().split()) + hint, error.exit_code)


class WgGroup(click.Group):
    """Runs commands with the core's errors mapped to one line and an exit code."""

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            usage_failure(error)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            with errors_reported():
                result = super().invoke(ctx)
                # Warnings about what was recorded, once it was (a refusal stays one line).
                for line in ctx.meta.pop(PLACEHOLDER_WARNINGS, []):
                    notice(line)
                return result
        except click.UsageError as error:
            usage_failure(error)


@contextmanager
def errors_reported() -> Iterator[None]:
    """A core error raised in the block as one line on stderr (a merge conflict with its
    conflicts below it) and its exit code; an interrupt as ``interrupted``, exit code 130.
    Every command runs in it, and so does the terminal UI that :mod:`wgtool.launch` opens
    before the command line is imported."""
    try:
        yield
    except MergeConflict as error:
        click.echo(f"wgtool: {safe(error_line(error))}", err=True)
        for line in error.message.splitlines()[1:]:
            click.echo(f"  {safe(line)}", err=True)
        sys.exit(exit_code(error))
    except WgError as error:
        fail(error_line(error), exit_code(error))
    except KeyboardInterrupt:
        fail("interrupted", 130)


@click.group(
    cls=WgGroup,
    invoke_without_command=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.option(
    "--repo",
    "repo",
    metavar="PATH",
    envvar="WGTOOL_REPO",
    help="The working group's repository (default: the one around this folder).",
)
@click.option(
    "--as",
    "actor",
    metavar="HANDLE",
    envvar="WGTOOL_MEMBER",
    help="Act as this roster member (default: the member with git's user.email).",
)
@click.version_option(package_name="wgtool")
@click.pass_context
def cli(ctx: click.Context, repo: str | None, actor: str | None) -> None:
    """wgtool: a working group drafts texts together, with git as the record.

    Run with no command to open the terminal UI on the working group here;
    'wgtool demo' opens it on a fresh copy of the example working group.
    """
    ctx.obj = Context(repo, actor)
    if ctx.invoked_subcommand is None:
        ctx.invoke(cli.commands["tui"])  # registered by wgtool.cli.ui
