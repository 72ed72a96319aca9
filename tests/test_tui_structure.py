"""The terminal UI's house, drawn from its imports: screens do not know each other, nothing in
the UI imports the app, and no import circle runs through it.

Every import counts: at the top of a module, under ``TYPE_CHECKING`` and inside functions (a late
import hides an arrow from readers, it does not remove it). Screens open one another by name
through the navigator (:mod:`wgtool.tui.navigation`), whose routes must each name a real screen.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

import pytest
from textual.screen import Screen

import wgtool
from wgtool.tui.navigation import ROUTES, SCREENS_PACKAGE, screen_class

PACKAGE = Path(wgtool.__file__).parent
TUI = "wgtool.tui"
APP = "wgtool.tui.app"
SCREENS = "wgtool.tui.screens"
SHARED_BY_SCREENS = {"wgtool.tui.screens", "wgtool.tui.screens.base"}
"""What every screen may import of the screens package: the base all screens stand on."""

ENTRY_POINTS = {"wgtool.cli.ui", "wgtool.tui.start"}
"""The only modules that may import the app: the command line opens the UI there (the demo),
and in :mod:`wgtool.tui.start` (``wgtool`` and ``wgtool tui``)."""


def modules(root: Path) -> dict[str, Path]:
    """Every module of the ``wgtool`` package under ``root``, by dotted name."""
    found = {}
    for path in sorted(root.rglob("*.py")):
        parts = path.relative_to(root.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def imports(path: Path, known: Iterable[str]) -> set[str]:
    """The modules of ``known`` that the module at ``path`` imports, wherever the import is.

    ``from a.b import c`` imports ``a.b.c`` when that is a module, else ``a.b``.
    """
    names = set(known)
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                if child in names:
                    found.add(child)
                elif node.module in names:
                    found.add(node.module)
    return found


def graph(root: Path) -> dict[str, set[str]]:
    """Each module of the package under ``root`` and the package's modules it imports."""
    known = modules(root)
    return {name: imports(path, known) - {name} for name, path in known.items()}


def circles(arrows: dict[str, set[str]], within: str) -> list[set[str]]:
    """The import circles among the modules under ``within``: the strongly connected
    components of more than one module (Tarjan's algorithm)."""
    nodes = [n for n in arrows if n == within or n.startswith(within + ".")]
    inside = set(nodes)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(arrows[node] & inside):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in nodes:
        if node not in index:
            visit(node)
    return found


def screens_importing_screens(arrows: dict[str, set[str]]) -> dict[str, set[str]]:
    """Each screen module that imports another screen module (the shared base aside)."""
    found = {}
    for name, targets in arrows.items():
        if name.startswith(SCREENS + ".") and name not in SHARED_BY_SCREENS:
            others = {
                t for t in targets if t.startswith(SCREENS + ".") and t not in SHARED_BY_SCREENS
            }
            if others:
                found[name] = others
    return found


def importers_of_the_app(arrows: dict[str, set[str]]) -> set[str]:
    return {name for name, targets in arrows.items() if APP in targets}


@pytest.fixture(scope="module")
def arrows() -> dict[str, set[str]]:
    return graph(PACKAGE)


def test_no_screen_imports_another(arrows: dict[str, set[str]]) -> None:
    assert screens_importing_screens(arrows) == {}


def test_only_the_entry_point_imports_the_app(arrows: dict[str, set[str]]) -> None:
    assert importers_of_the_app(arrows) == ENTRY_POINTS


def test_no_import_circle_inside_the_ui(arrows: dict[str, set[str]]) -> None:
    assert circles(arrows, TUI) == []


def test_the_reading_sees_what_it_must(tmp_path: Path) -> None:
    """The checks find what they look for: a late import of another screen, an import of the
    app under TYPE_CHECKING, and the circle they make, in a small package written here."""
    root = tmp_path / "wgtool"
    (root / "tui" / "screens").mkdir(parents=True)
    (root / "cli").mkdir()
    files = {
        "__init__.py": "",
        "cli/__init__.py": "",
        "cli/ui.py": "def run():\n    from wgtool.tui.app import run_app\n",
        "tui/__init__.py": "",
        "tui/app.py": "from wgtool.tui.screens.one import One\n",
        "tui/screens/__init__.py": "",
        "tui/screens/base.py": (
            "from typing import TYPE_CHECKING\n"
            "if TYPE_CHECKING:\n    from wgtool.tui.app import A\n"
        ),
        "tui/screens/one.py": (
            "from wgtool.tui.screens.base import B\n"
            "def go():\n    from wgtool.tui.screens import two\n"
        ),
        "tui/screens/two.py": "import wgtool.tui.screens.base\n",
    }
    for name, text in files.items():
        (root / name).write_text(text)
    seen = graph(root)
    assert screens_importing_screens(seen) == {"wgtool.tui.screens.one": {"wgtool.tui.screens.two"}}
    assert importers_of_the_app(seen) == {"wgtool.cli.ui", "wgtool.tui.screens.base"}
    every_module_but_the_package = set(seen) - {"wgtool", "wgtool.cli", "wgtool.cli.ui"}
    assert circles(seen, TUI) == [
        every_module_but_the_package - {"wgtool.tui", "wgtool.tui.screens"}
    ]


@pytest.mark.parametrize("route", sorted(ROUTES))
def test_each_route_opens_a_screen_of_its_own_module(route: str) -> None:
    module = ROUTES[route].split(":")[0]
    cls = screen_class(route)
    assert issubclass(cls, Screen)
    assert cls.__module__ == f"{SCREENS_PACKAGE}.{module}"


def test_every_screen_module_is_reached_by_a_route() -> None:
    """No screen module is left for another screen to import."""
    routed = {target.split(":")[0] for target in ROUTES.values()}
    screen_modules = {path.stem for path in (PACKAGE / "tui" / "screens").glob("*.py")} - {
        "__init__",
        "base",
    }
    assert screen_modules == routed
