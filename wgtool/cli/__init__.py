"""The command line: each command is a thin call into a core use case.

Errors from the core become one line on stderr (``wgtool: ...``) and an exit code from
:data:`EXIT_CODES`, the one table that maps them. Text written by members is passed through
:func:`~wgtool.core.safe.terminal_safe` before it reaches the terminal.

The commands live in modules by desk: :mod:`.roster` (working group, roster, settings),
:mod:`.drafts` (drafts, versions, exports), :mod:`.documents` (blame, redlines),
:mod:`.reports` (participation balance, concordance), :mod:`.publish` (the observers' site),
:mod:`.amendments` (amendments and deliberation),
:mod:`.merging` (merge and revert), :mod:`.subamend` (amendments to amendments),
:mod:`.chairing` (order of consideration, chair's text),
:mod:`.exchange` (sync, verify, guard, clone), :mod:`.inbox`
(what changed since the member last looked), :mod:`.agreement` (brackets, paragraph status,
silences, the amendment window, co-sponsors), :mod:`.meeting` (the chair's focus and the
meeting room's screen), :mod:`.statements` (reservations, explanations of position,
reminders, the sync hook), :mod:`.shell` (completion), :mod:`.ui` (the
terminal UI and the demo) and :mod:`.serve` (the UI in web browsers, login links);
:mod:`.editing` opens the member's editor and reads paragraph references.
"""

from __future__ import annotations

# The commands register themselves on the group when their modules are imported.
from wgtool.cli import (  # noqa: F401
    agreement,
    amendments,
    chairing,
    documents,
    drafts,
    exchange,
    inbox,
    languages,
    meeting,
    merging,
    publish,
    reports,
    roster,
    serve,
    shell,
    statements,
    subamend,
    ui,
)
from wgtool.cli.group import EXIT_CODES, Context, cli, exit_code, exit_code_of, pass_context

__all__ = ["EXIT_CODES", "Context", "cli", "exit_code", "exit_code_of", "main", "pass_context"]


def main() -> None:
    cli(prog_name="wgtool")
