"""The core and the command line never import Textual or Rich (the TUI is the only face that does),
and no face imports git or the database directly (they go through the core).

Each check of the core runs in a fresh interpreter, so that modules other tests imported do not
count; the faces' own import statements are read from their source.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import textwrap
from pathlib import Path

from wgtool.core.desks import WorkingGroup

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("textual", "rich")


def forbidden_after(code: str, cwd: Path = ROOT) -> list[str]:
    """Run ``code`` in a new interpreter; return the forbidden modules it left in sys.modules."""
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        found = sorted(m for m in sys.modules
                       if m.split(".")[0] in {FORBIDDEN!r})
        print(json.dumps(found))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=str(cwd), timeout=60
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_checker_sees_a_forbidden_import() -> None:
    """Guard against a vacuous pass: importing the TUI's toolkit is noticed."""
    assert "textual" in forbidden_after("import textual.app")


def test_core_and_cli_import_neither_textual_nor_rich() -> None:
    assert (
        forbidden_after("""
        import importlib.util
        import wgtool.core.desks
        if importlib.util.find_spec("wgtool.core.exchange.sync") is not None:
            import wgtool.core.exchange.sync
        import wgtool.cli
    """)
        == []
    )


def test_every_core_module_imports_neither_textual_nor_rich() -> None:
    assert (
        forbidden_after("""
        import importlib, pkgutil
        import wgtool.core
        for info in pkgutil.iter_modules(wgtool.core.__path__, "wgtool.core."):
            importlib.import_module(info.name)
        import wgtool.cli
    """)
        == []
    )


def test_running_commands_imports_neither_textual_nor_rich(example_repo: Path) -> None:
    from wgtool.core.model import Kind

    with WorkingGroup.open(example_repo, "mchen") as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=3, rationale="r"
        ).id
    commands = [
        ["--help"],
        ["amendments", "--json"],
        ["show", amendment],
        ["draft", "show", "principles"],
        ["position", amendment, "support", "--reason", "[bold]yes[/bold]"],
        ["comment", amendment, "[red]no markup[/red]"],
    ]
    base = ["--repo", str(example_repo), "--as", "ndlamini"]
    assert (
        forbidden_after(f"""
        import wgtool.cli
        for argv in {commands!r}:
            try:
                wgtool.cli.cli.main({base!r} + argv, prog_name="wgtool")
            except SystemExit as exit:
                assert exit.code in (0, None), (argv, exit.code)
    """)
        == []
    )
    # The commands really ran: the position and the comment are in the record.
    with WorkingGroup.open(example_repo) as wg:
        assert [e.type for e in wg.deliberation.events(amendment)] == ["position", "comment"]


# -- the faces go through the core -----------------------------------------------------------------

STORAGE = ("git", "sqlalchemy", "sqlmodel")
"""Libraries only the core may import: the faces reach the record through it."""


def face_modules() -> list[Path]:
    """Every module file of the faces: the CLI (a module or a package), ``__main__``, the TUI,
    the web server."""
    package = ROOT / "wgtool"
    files = [package / "__main__.py", *sorted((package / "tui").rglob("*.py"))]
    files += sorted((package / "web").rglob("*.py"))
    cli = package / "cli"
    files += sorted(cli.rglob("*.py")) if cli.is_dir() else [package / "cli.py"]
    return files


def imported_storage(source: str) -> list[str]:
    """The storage libraries (or their submodules) that ``source``'s import statements name,
    wherever they are (also inside functions, or under ``if TYPE_CHECKING``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [name for name in names if name.split(".")[0] in STORAGE]
    return found


def test_the_import_checker_sees_storage_imports() -> None:
    """Guard against a vacuous pass: every way of importing is noticed, and only those."""
    source = """
import os, git
from sqlalchemy.orm import Session
def later():
    import sqlmodel as sm
from wgtool.core.record import gitstore
import gitdb_like
from . import git
"""
    assert imported_storage(source) == ["git", "sqlalchemy.orm", "sqlmodel"]


def test_the_faces_never_import_git_or_the_database_directly() -> None:
    files = face_modules()
    assert ROOT / "wgtool" / "tui" / "app.py" in files and len(files) > 10
    offending = {
        str(path.relative_to(ROOT)): found
        for path in files
        if (found := imported_storage(path.read_text(encoding="utf-8")))
    }
    assert offending == {}


def loaded_after(code: str, prefixes: tuple[str, ...], cwd: Path = ROOT) -> list[str]:
    """Run ``code`` in a new interpreter; the top-level packages among ``prefixes`` it loaded."""
    script = textwrap.dedent(code) + textwrap.dedent(f"""
        import json, sys
        print(json.dumps(sorted({{m.split(".")[0] for m in sys.modules}} & {set(prefixes)!r})))
    """)
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=str(cwd), timeout=60
    )
    assert result.returncode == 0, result.stderr
    loaded: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


RUN_COMMAND = """
    import contextlib, io, wgtool.cli
    with contextlib.redirect_stdout(io.StringIO()) as out:
        try:
            wgtool.cli.cli.main({argv!r}, prog_name="wgtool")
        except SystemExit as exit:
            assert exit.code in (0, None), exit.code
    assert {expect!r} in out.getvalue(), out.getvalue()
"""
"""Code that runs ``wgtool argv`` (``.format(argv=..., expect=...)``) and checks that it
succeeded and printed ``expect``."""


def test_commands_that_never_read_the_index_do_not_import_sqlalchemy(example_repo: Path) -> None:
    """verify and showing a draft pay neither SQLAlchemy nor markdown-it; listing does;
    tagging a version does not, once the index is current."""
    heavy = ("sqlalchemy", "sqlmodel", "markdown_it")
    base = ["--repo", str(example_repo)]
    run = RUN_COMMAND
    for argv, expect in (
        (["verify"], "every change"),
        (["draft", "show", "principles"], "Enhanced cooperation"),
    ):
        assert loaded_after(run.format(argv=base + argv, expect=expect), heavy) == []
    listing = run.format(argv=[*base, "amendments", "--json"], expect="[")
    assert loaded_after(listing, heavy) == ["sqlalchemy", "sqlmodel"]
    # With the index current (as the listing left it), tagging a version reads none of it.
    tag = [*base, "--as", "epetrova", "tag", "principles", "v1", "--message", "First"]
    assert loaded_after(run.format(argv=tag, expect="Tagged"), heavy) == []
    # Proposing prints the new id without reading it back from the index: none of it either,
    # and its amendment is in the listing once the index is refreshed.
    propose = [*base, "--as", "mchen", "propose", "principles", "--paragraph", "1"]
    propose += ["--text", "A new first paragraph.", "--rationale", "Clearer."]
    assert loaded_after(run.format(argv=propose, expect=""), heavy) == []
    with WorkingGroup.open(example_repo, "mchen") as wg:
        newest = wg.amendments.amendments(draft="principles")[-1]
    assert newest.rationale == "Clearer." and newest.proposer == "mchen"


# -- one surface, no circles, no arrows back up ---------------------------------------------------

PACKAGE = ROOT / "wgtool"

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("lazy imports", ("wgtool.lazy",)),
    ("text engine", ("wgtool.core.text",)),
    ("record, rules, index and documents", ("wgtool.core", "wgtool.example")),
    ("desks", ("wgtool.core.desks.*",)),
    (
        "engines the desks run",
        tuple(
            f"wgtool.core.{name}"
            for name in (
                "documents.akn",
                "documents.concordance",
                "documents.export",
                "documents.publish",
                "documents.stats",
                "exchange.sync",
                "exchange.verify",
            )
        ),
    ),
    (
        "the working group and the desks that run engines",
        tuple(
            f"wgtool.core.desks{name}"
            for name in ("", ".audit", ".documents", ".exchange", ".reports")
        ),
    ),
    ("use cases beside the desks", ("wgtool.core.demo", "wgtool.core.exchange.logins")),
    ("the API surface", ("wgtool.api",)),
    ("faces", ("wgtool", "wgtool.cli", "wgtool.tui", "wgtool.web")),
)
"""The layers, lowest first: a module may import its own layer and those below. A module
belongs to the layer of the longest prefix that names it; a prefix ending in ``.*`` names the
package's modules but not the package itself (the desks are below the engines, the working
group that holds them above)."""


def named_by(module: str, prefix: str) -> bool:
    if prefix.endswith(".*"):
        return module.startswith(prefix[:-1])
    return module == prefix or module.startswith(prefix + ".")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer_of(module: str) -> int:
    best, found = -1, 0
    for number, (_, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if named_by(module, prefix) and len(prefix) > best:
                best, found = len(prefix), number
    return found


def lazy_module_call(node: ast.AST) -> str | None:
    """The module named by ``lazy_module("name")`` (:mod:`wgtool.lazy`), if ``node`` is one."""
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "lazy_module"
        and len(node.args) == 1
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ):
        return node.args[0].value
    return None


def import_graph(root: Path = PACKAGE) -> dict[str, set[str]]:
    """Module -> the wgtool modules it imports, wherever the import stands (at the top, inside
    a function, under ``if TYPE_CHECKING``) or is named for later (``lazy_module("...")``): the
    graph a reader follows."""
    files = {module_name(path): path for path in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for module, path in files.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            elif (lazy := lazy_module_call(node)) is not None:
                names = [lazy]
            else:
                continue
            for name in names:
                while name and name not in files:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    found.add(name)
        graph[module] = found
    return graph


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def arrows_back_up(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted(
        (source, target)
        for source, targets in graph.items()
        for target in targets
        if layer_of(target) > layer_of(source)
    )


def test_the_graph_checks_see_a_circle_and_an_arrow_back_up() -> None:
    """Guard against a vacuous pass: a loop and a lower module importing a higher one."""
    graph = {"wgtool.core.a": {"wgtool.core.b"}, "wgtool.core.b": {"wgtool.core.a"}}
    assert circles(graph) == [["wgtool.core.a", "wgtool.core.b"]]
    assert circles({"wgtool.core.a": {"wgtool.core.b"}, "wgtool.core.b": set()}) == []
    upward = {"wgtool.core.model": {"wgtool.core.desks"}, "wgtool.cli": {"wgtool.api"}}
    assert arrows_back_up(upward) == [("wgtool.core.model", "wgtool.core.desks")]
    assert layer_of("wgtool.core.exchange.sync.joining") > layer_of("wgtool.core.desks.drafts")
    assert layer_of("wgtool.core.desks") > layer_of("wgtool.core.exchange.sync.joining")
    assert layer_of("wgtool.core.desks.exchange") == layer_of("wgtool.core.desks")
    graph = import_graph()
    assert "wgtool.core.desks.drafts" in graph["wgtool.core.desks.amendments"]
    # A module named for later is an arrow too: the desks' context opens the index lazily.
    assert "wgtool.core.index" in graph["wgtool.core.desks.context"]
    assert layer_of("wgtool.lazy") < layer_of("wgtool.core.text") < layer_of("wgtool.cli")


def test_the_core_has_no_import_circles() -> None:
    core = {m: t for m, t in import_graph().items() if layer_of(m) < len(LAYERS) - 1}
    assert "wgtool.api" in core and "wgtool.core.desks" in core
    assert circles(core) == []


def test_the_faces_have_no_import_circles() -> None:
    """The command line's commands import the group they register on (``wgtool.cli.group``),
    not the package that imports them all."""
    graph = import_graph()
    assert "wgtool.cli.group" in graph["wgtool.cli.drafts"]
    assert "wgtool.cli.drafts" in graph["wgtool.cli"]
    assert circles(graph) == []


def test_no_import_runs_back_up_the_layers() -> None:
    assert arrows_back_up(import_graph()) == []


def test_the_faces_import_the_core_only_through_the_api() -> None:
    graph = import_graph()
    faces = {m for m in graph if layer_of(m) == len(LAYERS) - 1}
    assert {"wgtool.cli", "wgtool.tui.app", "wgtool.web.server"} <= faces
    below = {
        face: sorted(t for t in targets if t.startswith("wgtool.core"))
        for face, targets in graph.items()
        if face in faces
    }
    assert {face: found for face, found in below.items() if found} == {}
    assert any("wgtool.api" in graph[face] for face in faces)


def test_the_api_offers_every_name_it_lists_and_loads_each_only_when_used() -> None:
    script = """
        import json, sys
        import wgtool.api as api
        before = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "docx"))
        assert api.__all__ == sorted(api._TABLE), "__all__ and the table differ"
        missing = [name for name in api.__all__ if getattr(api, name, None) is None]
        print(json.dumps([before, missing]))
    """
    result = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    before, missing = json.loads(result.stdout.strip().splitlines()[-1])
    assert before == [] and missing == []
