"""Every import stands where a reader finds it: at the top of its module.

A module that only some commands need is named at the top all the same, and imported when first
used: the core's names through :mod:`wgtool.api` (``api.WorkingGroup``), any other module
through :func:`wgtool.lazy.lazy_module`. No import hides in a function body; and what
``wgtool --help`` or ``import wgtool.cli`` loads stays as light as it was when imports were
scattered through function bodies to keep start-up short.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from tests.test_import_hygiene import loaded_after

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "wgtool"

ALLOWED: tuple[tuple[str, str, str], ...] = ()
"""(path, module, why): the imports that must stay inside a function. None today."""

HEAVY = (
    "sqlalchemy",
    "sqlmodel",
    "git",
    "gitdb",
    "docx",
    "lxml",
    "textual",
    "rich",
    "markdown_it",
    "jinja2",
    "markupsafe",
    "idna",
    "confusable_homoglyphs",
    "aiohttp",
    "textual_serve",
)
"""Libraries no command pays for at start-up: each is imported by the commands that use it."""


def loaded(code: str) -> list[str]:
    return loaded_after(code, HEAVY)


def python(*argv: str) -> subprocess.CompletedProcess[str]:
    """This interpreter run afresh in the worktree with ``argv``."""
    run = [sys.executable, *argv]
    return subprocess.run(run, capture_output=True, text=True, cwd=str(ROOT), timeout=60)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def inline_imports(source: str) -> list[tuple[int, str]]:
    """(line, module) of each import inside a function body of ``source`` (methods, nested
    functions and lambdas' scopes included; ``if TYPE_CHECKING`` blocks left out)."""
    found: list[tuple[int, str]] = []

    def visit(node: ast.AST, in_function: bool) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for statement in node.orelse:
                visit(statement, in_function)
            return
        if in_function and isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif in_function and isinstance(node, ast.ImportFrom):
            found.append((node.lineno, "." * node.level + (node.module or "")))
        inner = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for child in ast.iter_child_nodes(node):
            visit(child, in_function or inner)

    visit(ast.parse(source), False)
    return found


def test_the_checker_sees_imports_in_functions_and_only_there() -> None:
    """Guard against a vacuous pass: every place a function can hide an import is seen."""
    source = textwrap.dedent("""
        import os
        from typing import TYPE_CHECKING
        if TYPE_CHECKING:
            import docx
        def f():
            import json
            if TYPE_CHECKING:
                from lxml import etree
            else:
                import zlib
            def g():
                from wgtool.api import sync
        class C:
            import re
            def m(self):
                try:
                    from . import sibling
                except ImportError:
                    pass
            async def n(self):
                import asyncio
    """)
    assert inline_imports(source) == [
        (7, "json"),
        (11, "zlib"),
        (13, "wgtool.api"),
        (18, "."),
        (22, "asyncio"),
    ]


def test_no_module_imports_inside_a_function() -> None:
    files = sorted(PACKAGE.rglob("*.py"))
    assert PACKAGE / "cli" / "ui.py" in files and len(files) > 100
    allowed = {(path, module) for path, module, _ in ALLOWED}
    found = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in inline_imports(path.read_text(encoding="utf-8"))
        if (str(path.relative_to(ROOT)), module) not in allowed
    ]
    assert found == [], "import at the top, or lazily there: api.X or lazy_module('module')"


def lazy_names(source: str) -> tuple[dict[str, str], set[str]]:
    """The names ``source`` binds to ``lazy_module("...")`` (name -> module), and the names
    its ``if TYPE_CHECKING`` blocks import."""
    tree = ast.parse(source)
    lazy: dict[str, str] = {}
    typed: set[str] = set()
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Name)
            and node.value.func.id == "lazy_module"
        ):
            argument = node.value.args[0]
            assert isinstance(argument, ast.Constant)
            lazy[node.targets[0].id] = str(argument.value)
        elif isinstance(node, ast.If) and _is_type_checking(node):
            for statement in node.body:
                if isinstance(statement, (ast.Import, ast.ImportFrom)):
                    typed |= {alias.asname or alias.name.split(".")[0] for alias in statement.names}
    return lazy, typed


def test_each_lazy_module_is_imported_for_the_type_checker_too() -> None:
    """``x = lazy_module("m")`` stands in the ``else`` of an ``if TYPE_CHECKING`` that imports
    ``x`` itself, so mypy reads the real module's types (and a reader sees the import)."""
    untyped = {}
    uses = 0
    for path in sorted(PACKAGE.rglob("*.py")):
        lazy, typed = lazy_names(path.read_text(encoding="utf-8"))
        uses += len(lazy)
        if missing := sorted(set(lazy) - typed):
            untyped[str(path.relative_to(ROOT))] = missing
    assert uses >= 10
    assert untyped == {}


def test_importing_the_command_line_or_the_api_loads_no_heavy_library() -> None:
    assert "docx" in loaded("import docx")  # the check sees a library loaded
    assert loaded("import wgtool.api") == []
    assert loaded("import wgtool.cli") == []
    # Naming the core's modules lazily costs nothing either.
    assert loaded("import wgtool.core.documents.word_in, wgtool.core.documents.export") == []


def test_wgtool_help_imports_no_heavy_library() -> None:
    """``wgtool --help``, run as a command, with Python's own record of what it imported."""
    result = python("-X", "importtime", "-m", "wgtool", "--help")
    assert result.returncode == 0, result.stderr
    assert "Usage: wgtool" in result.stdout
    imported = {
        line.rpartition("|")[2].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:")
    }
    assert {"click", "wgtool.cli", "wgtool.cli.ui"} <= imported
    assert sorted({name.split(".")[0] for name in imported} & set(HEAVY)) == []
    assert not any(name.startswith(("wgtool.tui", "wgtool.web")) for name in imported)


def test_a_lazy_module_imports_on_first_use_and_only_then() -> None:
    script = """
        import json, sys
        from wgtool.lazy import LazyModule, lazy_module
        wave = lazy_module("wave")
        json_module = lazy_module("json")
        report = {"stand-in": isinstance(wave, LazyModule), "before": "wave" in sys.modules}
        report["read"] = wave.Error.__name__
        report["after"] = "wave" in sys.modules
        report["loaded given as it is"] = json_module is json
        email = lazy_module("email")
        report["submodule"] = email.charset.__name__
        missing = lazy_module("wgtool_no_such_module")
        try:
            missing.anything
        except ModuleNotFoundError as error:
            report["missing"] = error.name
        try:
            lazy_module("email").no_such_attribute
        except AttributeError:
            report["no attribute"] = True
        print(json.dumps(report))
    """
    result = python("-c", textwrap.dedent(script))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {
        "stand-in": True,
        "before": False,
        "read": "Error",
        "after": True,
        "loaded given as it is": True,
        "submodule": "email.charset",
        "missing": "wgtool_no_such_module",
        "no attribute": True,
    }
