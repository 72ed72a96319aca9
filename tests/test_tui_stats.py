"""The participation balance in the terminal UI: from the command palette, at 80x24."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import DataTable, Static

from tests.conftest import MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH
from tests.pilot import settle
from tests.test_tui import SIZE, merged, open_wg, plain, press, propose
from wgtool.tui.app import make_app
from wgtool.tui.screens.stats import StatsScreen, bar, chart


def row(table: DataTable[object], key: str) -> list[str]:
    return [str(cell) for cell in table.get_row(key)]


@pytest.mark.asyncio
async def test_the_balance_opens_from_the_palette_and_shows_totals_and_per_member(
    example_repo: Path,
) -> None:
    merged(example_repo, MEMBER_TECH, 5, "preserve", "protect")
    cs = propose(example_repo, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    with open_wg(example_repo, MEMBER_PS) as wg:
        wg.deliberation.position(cs, "object", reason="Too broad.")
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"Participation")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, StatsScreen)
        table = app.screen.query_one("#stats", DataTable)
        assert table.row_count == 6  # five groups and the totals
        # Members, proposed, merged, rejected, withdrawn, open, positions, comments, unheard.
        assert row(table, "technical-academic")[1:] == ["2", "1", "1", "0", "0", "0", "0", "0", "1"]
        assert row(table, "private-sector")[7] == "1" and row(table, "private-sector")[9] == "0"
        assert row(table, "total")[1:3] == ["11", "2"]
        bars = plain(app.screen.query_one("#stats-bars", Static))
        assert "Amendments proposed per member" in bars
        proposed, heard = bars.split("Positions and comments per member")
        lines = {line.split()[0]: line for line in proposed.splitlines()[1:] if line.strip()}
        assert "0.50" in lines["Technical"] and "█" in lines["Technical"]
        assert "█" not in lines["Governments"]  # proposed nothing
        lines = {line.split()[0]: line for line in heard.splitlines() if line.strip()}
        assert lines["Private"].endswith("0.50") and lines["Governments"].endswith("0.33")

        await press(pilot, "m")
        table = app.screen.query_one("#stats", DataTable)
        assert row(table, "technical-academic")[2] == "0.50"
        assert "per member" in plain(app.screen.query_one("#stats-title", Static))
        await press(pilot, "escape")
        assert not isinstance(app.screen, StatsScreen)


def test_bars_are_drawn_to_an_eighth_and_a_group_without_members_has_none() -> None:
    assert bar(1.0, 1.0, width=4) == "████"
    assert bar(0.5, 1.0, width=3) == "█▌"
    assert bar(0.0, 1.0) == "" and bar(1.0, 0.0) == ""
    drawn = chart("T", [("Big group", 3.0), ("Empty [b]x[/b]", None)]).plain
    assert drawn.splitlines()[2].startswith("Empty [b]x[/b]") and drawn.endswith("-\n")
