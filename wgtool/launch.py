"""wgtool's entry point: a plain ``wgtool verify`` on a record unchanged since a clean run is
answered from the kept report (``api.quick_report``) before the command line (click,
GitPython, SQLAlchemy) is imported; every other command goes to :func:`wgtool.cli.main`."""

from __future__ import annotations

import os
import sys

from wgtool import api

COMMAND_LINE = "wgtool.cli"  # imported only when the kept report does not answer


def main() -> None:
    if not quick_verify(sys.argv[1:]):
        # __import__, as an import statement does (and -X importtime lists it, as it lists
        # every module an import statement loads); importlib.import_module would not be listed.
        __import__(COMMAND_LINE, fromlist=["main"]).main()


def quick_verify(argv: list[str]) -> bool:
    """Print the kept report for ``[--repo PATH] verify`` and say so; False for any other
    command line, for one naming a member (``--as`` and ``WGTOOL_MEMBER`` are checked against
    the roster by the command line), and when the record must be judged."""
    if os.environ.get("WGTOOL_MEMBER"):
        return False
    repo = os.environ.get("WGTOOL_REPO") or None
    if argv[:1] == ["--repo"] and len(argv) > 1:
        repo, argv = argv[1], argv[2:]
    elif argv[:1] and argv[0].startswith("--repo="):
        repo, argv = argv[0].partition("=")[2], argv[1:]
    if argv != ["verify"] or repo == "":
        return False
    report = api.quick_report(repo)
    if report is None:
        return False
    sys.stdout.write("".join(api.terminal_safe(line) + "\n" for line in report.lines()))
    return True
