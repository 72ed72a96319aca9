"""wgtool's entry point: two command lines are answered before the command line (click, every
command's module, GitPython, SQLAlchemy) is imported, the rest go to :func:`wgtool.cli.main`:

* a plain ``wgtool verify`` on a record unchanged since a clean run, from the kept report
  (``api.quick_report``);
* ``wgtool [--repo PATH] [--as HANDLE] [tui]``, which opens the terminal UI
  (:mod:`wgtool.tui.start`): importing the command line would take longer than the UI takes to
  paint its first frame. A core error that ends the UI is reported as the command line reports
  it (:func:`wgtool.cli.group.errors_reported`, imported then).

And two are begun here, their git started to run while the command line is imported, then
taken over by the command: ``wgtool [--repo PATH] [--as HANDLE] sync [REMOTE]`` starts its
``git fetch`` (:mod:`wgtool.core.exchange.fetch_start`), ``wgtool clone URL PATH`` its ``git
clone`` (:mod:`wgtool.core.exchange.clone_start`).

Any other form of those command lines (an option given twice, ``--help``, shell completion...)
goes to the command line, which reads it as it reads every other.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING

from wgtool import api
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.cli import group
    from wgtool.tui import start
else:
    group = lazy_module("wgtool.cli.group")  # when the UI ended with an error
    start = lazy_module("wgtool.tui.start")  # (Textual: once the first screen's glance started)

COMMAND_LINE = "wgtool.cli"  # imported only when neither answers

LEADING_OPTIONS = {"--repo": "WGTOOL_REPO", "--as": "WGTOOL_MEMBER"}
"""The command group's options read here, with the environment variable each falls back on."""

COMPLETION_VARIABLE = "_WGTOOL_COMPLETE"
"""Set by a shell asking click to complete a command line (see ``wgtool completion``)."""


def main() -> None:
    argv = sys.argv[1:]
    if quick_verify(argv):
        return
    options = ui_options(argv)
    if options is not None:
        open_ui(*options)
        return
    start_git(argv)
    # __import__, as an import statement does (and -X importtime lists it, as it lists
    # every module an import statement loads); importlib.import_module would not be listed.
    __import__(COMMAND_LINE, fromlist=["main"]).main()


def leading_options(argv: list[str]) -> tuple[dict[str, str], list[str]] | None:
    """The values of ``--repo`` and ``--as`` at the head of ``argv`` (``--repo PATH`` or
    ``--repo=PATH``), by option, and what follows them; None where click may read them
    otherwise than this: an option given twice, a value empty or starting with a dash, or a
    shell asking for completion."""
    if os.environ.get(COMPLETION_VARIABLE):
        return None
    given: dict[str, str] = {}
    rest = list(argv)
    while rest and rest[0].partition("=")[0] in LEADING_OPTIONS:
        option, equals, value = rest.pop(0).partition("=")
        if not equals:
            if not rest:
                return None
            value = rest.pop(0)
        if option in given or not value or value.startswith("-"):
            return None
        given[option] = value
    return given, rest


def chosen(given: dict[str, str], option: str) -> str | None:
    """An option's value as click gives it: the option's, else its environment variable's
    (an empty one counts as unset), else None."""
    return given.get(option) or os.environ.get(LEADING_OPTIONS[option]) or None


def ui_options(argv: list[str]) -> tuple[str | None, str | None] | None:
    """The working group and the member (``--repo``, ``--as``) of a command line that opens
    the terminal UI, ``[--repo PATH] [--as HANDLE] [tui]``; None for any other, and for one
    :func:`leading_options` leaves to click."""
    read = leading_options(argv)
    if read is None or read[1] not in ([], ["tui"]):
        return None
    given = read[0]
    return chosen(given, "--repo"), chosen(given, "--as")


def open_ui(repo: str | None, actor: str | None) -> None:
    """The terminal UI, as ``wgtool tui`` opens it; what ends it with an error is reported as
    the command line reports any command's error."""
    try:
        start.open_terminal_ui(repo, actor)
    except (Exception, KeyboardInterrupt):
        with group.errors_reported():
            raise


def start_git(argv: list[str]) -> None:
    """Start the fetch of ``[--repo PATH] [--as HANDLE] sync [REMOTE]`` and the clone of
    ``clone URL PATH`` (any other command line, or a form :func:`leading_options` leaves to
    click, starts nothing)."""
    read = leading_options(argv)
    if read is None:
        return
    given, rest = read
    if rest == ["sync"]:
        api.FetchStart.begin(chosen(given, "--repo"), "origin")
    elif len(rest) == 2 and rest[0] == "sync":
        api.FetchStart.begin(chosen(given, "--repo"), rest[1])
    elif len(rest) == 3 and rest[0] == "clone":
        api.CloneStart.begin(rest[1], rest[2])


def quick_verify(argv: list[str]) -> bool:
    """Print the kept report for ``[--repo PATH] verify`` and say so; False for any other
    command line, for one naming a member (``--as`` and ``WGTOOL_MEMBER`` are checked against
    the roster by the command line), and when the record must be judged."""
    read = leading_options(argv)
    if os.environ.get("WGTOOL_MEMBER") or read is None:
        return False
    given, rest = read
    if rest != ["verify"] or "--as" in given:
        return False
    report = api.quick_report(chosen(given, "--repo"))
    if report is None:
        return False
    sys.stdout.write("".join(api.terminal_safe(line) + "\n" for line in report.lines()))
    return True
