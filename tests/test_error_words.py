"""Errors as data: the core says what is wrong and, as a remedy with fields, what can be done;
each face says the remedy in its own words. No core message names a flag or a command."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from wgtool.cli import cli
from wgtool.cli.output import REMEDIES as CLI_REMEDIES
from wgtool.cli.output import error_line
from wgtool.core import errors
from wgtool.core.consensus import Consensus, NoConsensus
from wgtool.core.errors import MergeConflict, NotFound, Remedy, WgError
from wgtool.core.model import Verdict
from wgtool.tui.render import REMEDIES as TUI_REMEDIES
from wgtool.tui.render import error_words

CORE = Path(__file__).resolve().parent.parent / "wgtool" / "core"
# A flag (``--as``, ``--reason TEXT``) or one of the command line's commands (``'wgtool draft
# list'``, ``wgtool sync``).
FACE_WORDS = re.compile(
    r"(?:^|[\s('\"“])--[a-z][a-z-]*|\bwgtool (?:%s)\b" % "|".join(sorted(cli.commands))
)
REPORT_LINES = ("problems", "notes")  # what a sync, verify or clone report says, line by line
ERROR_NAMES = {name for name in dir(errors) if name[0].isupper()} | {NoConsensus.__name__}


def _messages(tree: ast.AST) -> list[tuple[int, str]]:
    """The string literals (f-string parts too) in every raise statement, every call of an
    error class of the core (an error built before it is raised) and every line added to a
    report's problems or notes, with their line."""
    found: dict[int, tuple[int, str]] = {}
    for node in ast.walk(tree):
        call_of_error = isinstance(node, ast.Call) and (
            (isinstance(node.func, ast.Name) and node.func.id in ERROR_NAMES)
            or (isinstance(node.func, ast.Attribute) and node.func.attr in ERROR_NAMES)
        )
        said = (  # a line a report says: ``report.problems.append(...)``, notes likewise
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr in ("append", "extend")
            and isinstance(node.func.value, ast.Attribute)
            and node.func.value.attr in REPORT_LINES
        )
        if isinstance(node, ast.Raise) or call_of_error or said:
            for inner in ast.walk(node):
                if isinstance(inner, ast.Constant) and isinstance(inner.value, str):
                    found[id(inner)] = (inner.lineno, inner.value)
    return list(found.values())


def test_no_core_error_message_names_a_flag_or_a_command() -> None:
    offending = [
        f"{path.relative_to(CORE)}:{line}: {text!r}"
        for path in sorted(CORE.rglob("*.py"))
        for line, text in _messages(ast.parse(path.read_text(encoding="utf-8")))
        if FACE_WORDS.search(text)
    ]
    assert offending == []


def test_the_scan_sees_a_flag_and_a_command() -> None:
    """Guard against a vacuous pass: the old messages are caught."""
    old = """
raise NotFound(f"no draft {slug!r}: see 'wgtool draft list'")
raise InvalidInput("--pending-on goes with --ad-ref")
error = NoConsensus("no consensus; merge anyway with --override-consensus --reason TEXT")
"""
    assert len([t for _, t in _messages(ast.parse(old)) if FACE_WORDS.search(t)]) == 3
    harmless = 'raise StateError(f"{path} is not a wgtool working group")\nrun(["--stdin"])'
    assert [t for _, t in _messages(ast.parse(harmless)) if FACE_WORDS.search(t)] == []


def test_each_face_says_every_remedy() -> None:
    assert set(CLI_REMEDIES) == set(Remedy) == set(TUI_REMEDIES)


@pytest.mark.parametrize("remedy", list(Remedy))
def test_each_remedy_reads_in_its_face(remedy: Remedy) -> None:
    """The CLI names its flags and commands; the TUI never does."""
    error: WgError = NotFound("no such thing", remedy=remedy, subject="principles")
    if remedy is Remedy.OVERRIDE_CONSENSUS:
        pending = Consensus(state=Verdict.PENDING, groups=(), rule="at least 1 supporting group")
        error = NoConsensus(
            "amendment 3f9a01bc has no consensus", amendment="3f9a01bc", consensus=pending
        )
    if remedy is Remedy.RESOLVE_CONFLICT:
        error = MergeConflict(
            "it conflicts", remedy=remedy, amendment="3f9a01bc", those="that paragraph"
        )
    cli, tui = error_line(error), error_words(error)
    assert "\n" not in cli and "\n" not in tui
    assert not re.search(r"(?:^|\s)--[a-z]|'wgtool ", tui), tui
    assert cli != tui


def test_not_found_in_each_face(open_wg) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(NotFound) as caught:
        open_wg().drafts.draft("nothing")
    assert caught.value.remedy is Remedy.LIST_DRAFTS
    assert error_line(caught.value) == "no draft 'nothing' on main: see 'wgtool draft list'"
    assert error_words(caught.value) == "no draft 'nothing' on main: ctrl+p Drafts lists them"
