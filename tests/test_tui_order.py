"""The terminal UI shows official numbers beside ids, and the queue offers the order of
consideration (``o``), the same order as ``wgtool order``: driven by Pilot on a real group."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH
from tests.pilot import screen_text, settle
from tests.test_tui import SIZE, open_amendment, open_queue, press, shown
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind
from wgtool.tui.app import make_app

pytestmark = pytest.mark.asyncio


def table(repo: Path) -> dict[str, str]:
    """Four open amendments, tabled ten seconds apart, and one to another draft."""
    ids: dict[str, str] = {}
    at = 1_900_000_000
    for name, member, kind, paragraph, text in (
        ("late", MEMBER_PS, Kind.REPLACE, 7, "Governments take part."),
        ("small", MEMBER_CS, Kind.REPLACE, 2, None),
        ("delete", MEMBER_TECH, Kind.DELETE, 2, None),
        ("first", MEMBER_GOV, Kind.INSERT, 0, "A new first paragraph."),
    ):
        at += 10
        with WorkingGroup.open(repo, member, clock=lambda at=at: at) as wg:
            if text is None and kind is Kind.REPLACE:
                old = wg.drafts.draft("principles").text.split("\n\n")[3]
                text = old.replace("network of networks", "network of many networks")
            ids[name] = wg.amendments.propose(
                "principles", kind=kind, paragraph=paragraph, text=text, rationale="Why."
            ).id
    with WorkingGroup.open(repo, MEMBER_PS) as wg:
        ids["roles"] = wg.amendments.propose(
            "roles", kind=Kind.DELETE, paragraph=1, rationale="Why."
        ).id
    return ids


async def test_the_queue_takes_the_order_of_consideration(example_repo: Path) -> None:
    ids = table(example_repo)
    with WorkingGroup.open(example_repo) as wg:
        expected = [
            p.amendment.id
            for item in wg.chairing.order("principles").items
            for p in item.placements
        ]
    assert expected == [ids["first"], ids["delete"], ids["small"], ids["late"]]
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue, rows = await open_queue(pilot)
        await press(pilot, "c")  # every draft's amendments
        numbers = {str(key.value): str(rows.get_row(key)[1]) for key in rows.rows}
        assert numbers == {
            ids["late"]: "1", ids["small"]: "2", ids["delete"]: "3", ids["first"]: "4",
            ids["roles"]: "1",
        }  # fmt: skip
        await press(pilot, "o")
        order = [str(k.value) for k in rows.rows]
        listed = [rows.coordinate_to_cell_key((i, 0)).row_key.value for i in range(len(order))]
        assert listed == [*expected, ids["roles"]]
        assert "in the order of consideration ▲" in screen_text(app)
        await press(pilot, "r")
        listed = [rows.coordinate_to_cell_key((i, 0)).row_key.value for i in range(len(order))]
        assert listed == [ids["roles"], *reversed(expected)]
        await press(pilot, "s")  # the columns again, from the first
        assert "sorted by ID ▲" in screen_text(app)


async def test_the_amendment_screen_names_its_number(example_repo: Path) -> None:
    ids = table(example_repo)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_amendment(pilot, ids["delete"])
        assert "· revision 1 · Am. 3 (principles/3)" in shown(screen)
