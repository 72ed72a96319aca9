"""Starting the terminal UI: it paints before the core is loaded, fills its first screen and the
queue from a current index without SQLAlchemy, and, opened by the command line, still ends
with the command line's one-line error on a folder that is no working group or nobody to act.
"""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tests.conftest import CHAIR, Wg, propose_sample
from tests.pilot import settle
from tests.test_import_hygiene import loaded_after
from wgtool.cli import cli
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.screens.drafts import DraftsScreen
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
        """,
        HEAVY,
    )
    assert loaded == []


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
    where: str,
    argv: list[str],
    error: str,
) -> None:
    repo = {"nowhere": tmp_path / "nowhere", "example": example_repo}.get(where, tmp_path / "git")
    if where == "plain git":
        subprocess.run(["git", "init", "--quiet", str(repo)], check=True)
    monkeypatch.setattr(WgApp, "run", run_headless(WgApp.run))
    result = CliRunner().invoke(cli, ["--repo", str(repo), *argv, "tui"])
    assert result.exit_code == 1, result.output
    assert result.stderr == f"wgtool: {error.format(repo=repo)}\n"


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
