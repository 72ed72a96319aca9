"""Starting the terminal UI: it paints before the core is loaded, fills its first screen and the
queue from a current index without SQLAlchemy, and, opened by the command line, still ends
with the command line's one-line error on a folder that is no working group or nobody to act.
"""

from __future__ import annotations

import asyncio
import gc
import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from textual.app import App
from textual.css.stylesheet import Stylesheet
from textual.pilot import Pilot

from tests.conftest import CHAIR, Wg, propose_sample
from tests.pilot import settle
from tests.test_import_hygiene import loaded_after
from wgtool import launch
from wgtool.api import WgError
from wgtool.cli import cli
from wgtool.tui import start
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.screens.base import SCREENS_CSS
from wgtool.tui.screens.drafts import DraftsScreen
from wgtool.tui.screens.queue import QueueScreen
from wgtool.tui.widgets import RecordTable

HEAVY = ("git", "sqlalchemy", "sqlmodel", "markdown_it")


def test_the_first_paint_waits_for_neither_the_core_nor_the_index() -> None:
    """What the app imports before its first frame: Textual and its first screen; GitPython,
    the index's libraries and markdown-it come with the worker that first reads the record."""
    loaded = loaded_after(
        """
        import sys
        import wgtool.cli, wgtool.tui.app
        from wgtool.tui.app import make_app
        make_app(None, None).get_default_screen()
        assert "wgtool.core.desks" not in sys.modules
        assert "wgtool.core.index" not in sys.modules
        assert "wgtool.tui.commands.palette" not in sys.modules  # when the palette opens
        """,
        HEAVY,
    )
    assert loaded == []


FIRST_FRAME = """
import gc, json, sys
from textual.app import App
from wgtool.launch import main

at_first_frame = {}
display, run = App._display, App.run

def first_frame(app, screen, renderable):
    if renderable is not None and not at_first_frame:
        at_first_frame["modules"] = sorted(sys.modules)
        screens_css = sys.modules["wgtool.tui.screens.base"].SCREENS_CSS
        at_first_frame["screens_css"] = app.stylesheet.has_source(str(screens_css))
        at_first_frame["collecting"] = gc.isenabled()
        app.exit()
    display(app, screen, renderable)

App._display = first_frame
App.run = lambda app, **options: run(app, headless=True, size=(100, 32))
sys.argv = ["wgtool", *sys.argv[1:]]
main()
at_first_frame["collecting_at_the_end"] = gc.isenabled()
print(json.dumps(at_first_frame))
"""
"""Runs ``wgtool ARGS`` (``sys.argv[1:]``) as the ``wgtool`` script does, its terminal UI
headless; prints the modules loaded when the UI's first frame is handed to the terminal,
whether the other screens' look was read by then and whether the garbage collector ran then
and once the UI had ended."""


def first_frame_of(*argv: str) -> dict[str, Any]:
    """What ``wgtool argv`` has loaded and read at its first frame (see :data:`FIRST_FRAME`)."""
    run = [sys.executable, "-c", FIRST_FRAME, *argv]
    result = subprocess.run(run, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    at_first_frame: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return at_first_frame


def test_the_first_frame_holds_the_first_screen_alone(example_repo: Path) -> None:
    """What the app has loaded when it paints its first frame, run as a process: the first
    screen and no other, neither the palette nor the other screens' look, and nothing a column
    label parsed as markup would import."""
    at_first_frame = first_frame_of("--repo", str(example_repo), "--as", CHAIR)
    loaded = set(at_first_frame["modules"])
    screens = {name for name in loaded if name.startswith("wgtool.tui.screens.")}
    assert screens == {"wgtool.tui.screens.base", "wgtool.tui.screens.drafts"}
    assert "wgtool.tui.commands.palette" not in loaded
    assert "rich._emoji_codes" not in loaded  # what rich's markup parser imports
    assert "wgtool.core.consensus" not in loaded  # where a consensus is shown
    assert {name.split(".")[0] for name in loaded} & set(HEAVY) == set()
    assert at_first_frame["screens_css"] is False
    assert at_first_frame["collecting"] is False  # off until the first frame: see tui.start
    assert at_first_frame["collecting_at_the_end"] is True


@pytest.mark.parametrize("outcome", ["runs", "ends at start"])
def test_the_collector_runs_again_from_the_first_frame_on(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, outcome: str
) -> None:
    """The garbage collector, off while the UI starts, runs while the UI runs and after it
    ends, however it ends."""
    collecting: list[bool] = []

    async def look(pilot: Pilot[Any]) -> None:
        if outcome == "runs":
            await settle(pilot)
            collecting.append(gc.isenabled())
            pilot.app.exit()
        # else the app ends itself, its member unknown

    def run(app: WgApp, **options: Any) -> None:
        App.run(app, headless=True, size=(80, 24), auto_pilot=look)

    monkeypatch.setattr(WgApp, "run", run)
    if outcome == "runs":
        start.open_terminal_ui(str(example_repo), CHAIR)
        assert collecting == [True]
    else:
        with pytest.raises(WgError):
            start.open_terminal_ui(str(example_repo), "nobody")
    assert gc.isenabled()


@pytest.mark.parametrize(
    "argv",
    [["--repo", "{repo}", "--as", CHAIR], ["--as=" + CHAIR, "--repo={repo}", "tui"], ["tui"]],
)
def test_wgtool_paints_the_ui_before_the_command_line_is_imported(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str]
) -> None:
    """``wgtool`` (and ``wgtool tui``) opens the UI from its entry point: its first frame comes
    before click and the command line's modules are imported."""
    monkeypatch.setenv("WGTOOL_REPO", str(example_repo))
    monkeypatch.setenv("WGTOOL_MEMBER", CHAIR)
    loaded = first_frame_of(*(part.format(repo=example_repo) for part in argv))["modules"]
    assert "wgtool.tui.screens.drafts" in loaded  # the UI painted
    assert "click" not in loaded
    assert [name for name in loaded if name.startswith("wgtool.cli")] == []


@pytest.mark.asyncio
async def test_the_other_screens_look_is_read_once_after_the_first_frame(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The app reads the other screens' look after its first frame, parsing that file alone;
    a screen that opens then finds it read, and no stylesheet is parsed again."""
    reparsed: list[Stylesheet] = []
    reparse = Stylesheet.reparse

    def counted(stylesheet: Stylesheet) -> None:
        reparsed.append(stylesheet)
        reparse(stylesheet)

    monkeypatch.setattr(Stylesheet, "reparse", counted)
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=(100, 32)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DraftsScreen)
        assert app.stylesheet.has_source(str(SCREENS_CSS))
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert str(app.screen.query_one("#f-text").styles.width) == "1fr"  # #filters Input
        assert reparsed == []


def test_the_first_screen_and_the_queue_read_a_current_index_without_sqlalchemy(
    example_repo: Path, wgcli: Wg
) -> None:
    amendment = propose_sample(example_repo)
    wgcli.ok("amendments")  # the index as any command leaves it: current
    loaded = loaded_after(
        f"""
        from wgtool.core.desks import WorkingGroup
        with WorkingGroup.open({str(example_repo)!r}, {CHAIR!r}) as wg:
            assert [d.open_amendments for d in wg.drafts.drafts() if d.slug == "principles"] == [1]
            assert [a.id for a, _ in wg.deliberation.listing(draft="principles")] == [{amendment!r}]
        """,
        HEAVY,
    )
    assert loaded == ["git"]


def run_headless(run: Callable[..., Any]) -> Callable[..., Any]:
    def headless(app: WgApp, **options: Any) -> Any:
        return run(app, headless=True, size=(80, 24))

    return headless


def run_wgtool(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """``wgtool argv`` in this process as the ``wgtool`` script runs it: its exit code and
    what it wrote on stderr."""
    capsys.readouterr()
    with patched_argv(["wgtool", *argv]), pytest.raises(SystemExit) as exited:
        launch.main()
        sys.exit(0)
    code = exited.value.code
    return code if isinstance(code, int) else 1, capsys.readouterr().err


@contextmanager
def patched_argv(argv: list[str]) -> Iterator[None]:
    saved, sys.argv = sys.argv, argv
    try:
        yield
    finally:
        sys.argv = saved


@pytest.mark.parametrize("through", ["command line", "entry point"])
@pytest.mark.parametrize(
    ("where", "argv", "error"),
    [
        ("nowhere", [], "no git repository at {repo}: give --repo PATH or run 'wgtool init PATH'"),
        (
            "plain git",
            [],
            "{repo} is not a wgtool working group (no wg.toml on main): run 'wgtool init PATH'",
        ),
        (
            "example",
            ["--as", "nobody"],
            "no member 'nobody' in the roster: see 'wgtool member list'",
        ),
    ],
)
def test_the_command_line_ends_the_ui_with_its_one_line_error(
    tmp_path: Path,
    example_repo: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    through: str,
    where: str,
    argv: list[str],
    error: str,
) -> None:
    """Through the command line (``tui``) or the ``wgtool`` script's entry point, which opens
    the UI before the command line is imported and reports its error as the command line."""
    repo = {"nowhere": tmp_path / "nowhere", "example": example_repo}.get(where, tmp_path / "git")
    if where == "plain git":
        subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    monkeypatch.setattr(WgApp, "run", run_headless(WgApp.run))
    if through == "command line":
        result = CliRunner().invoke(cli, ["--repo", str(repo), *argv, "tui"])
        code, stderr = result.exit_code, result.stderr
    else:
        code, stderr = run_wgtool(["--repo", str(repo), *argv], capsys)
    assert code == 1, stderr
    assert stderr == f"wgtool: {error.format(repo=repo)}\n"


@pytest.mark.parametrize(
    ("argv", "env", "by_the_entry_point"),
    [
        ([], {}, True),
        (["tui"], {"WGTOOL_REPO": "/g", "WGTOOL_MEMBER": "m"}, True),
        (["--repo", "/a", "--as", "m", "tui"], {"WGTOOL_REPO": "/g"}, True),
        (["--as=m", "--repo=/a"], {"WGTOOL_MEMBER": "n"}, True),
        (["--repo", "/a"], {"WGTOOL_REPO": "", "WGTOOL_MEMBER": ""}, True),
        (["--repo", "/a", "--repo", "/b"], {}, False),
        (["--repo", "-a", "tui"], {}, False),
        (["--repo="], {"WGTOOL_REPO": "/g"}, False),
    ],
)
def test_the_entry_point_opens_the_ui_as_the_command_line_would(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    env: dict[str, str],
    by_the_entry_point: bool,
) -> None:
    """The working group and member the entry point opens the UI on are those the command
    line would read; a form it might read otherwise goes to the command line."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    opened: list[tuple[str | None, str | None]] = []
    monkeypatch.setattr(start, "open_terminal_ui", lambda *where: opened.append(where))
    result = CliRunner().invoke(cli, argv)
    assert result.exit_code == 0, result.output
    assert run_wgtool(argv, capsys) == (0, "")
    assert opened[1] == opened[0]
    assert (launch.ui_options(argv) is not None) is by_the_entry_point


@pytest.mark.asyncio
async def test_a_strict_start_goes_on_when_the_member_is_known(example_repo: Path) -> None:
    app = make_app(example_repo, CHAIR, strict=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await asyncio.sleep(0)
        assert app.startup_error is None and app.is_running
        assert isinstance(app.screen, DraftsScreen)
        assert app.screen.query_one("#drafts", RecordTable).row_count == 2
        assert app.member is not None and app.member.handle == CHAIR
