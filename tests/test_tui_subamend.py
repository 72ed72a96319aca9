"""Amendments to amendments in the terminal UI, driven through Pilot on real repositories: the
propose form opened on an amendment (a), the sub-amendments listed on the amendment's screen,
the proposer's acceptance (y) and the chair's merge (m) of a sub-amendment into it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static, TextArea

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH
from tests.pilot import settle
from tests.test_tui import SIZE, notifications, plain, press, show_amendment
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind, Status
from wgtool.tui.app import make_app
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.propose import SubAmendScreen

pytestmark = pytest.mark.asyncio

PARENT_TEXT = "Enhanced cooperation involves all stakeholders."
SUB_TEXT = "Enhanced cooperation involves all stakeholders on an equal footing."


def parent_amendment(repo: Path) -> str:
    with WorkingGroup.open(repo, MEMBER_PS) as wg:
        return wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=1, text=PARENT_TEXT, rationale="Who."
        ).id


def sub_amendment(repo: Path, parent: str, actor: str = MEMBER_TECH) -> str:
    with WorkingGroup.open(repo, actor) as wg:
        return wg.subamendments.propose_to(parent, text=SUB_TEXT, rationale="Footing.").id


async def test_a_member_amends_an_amendment_from_its_screen(example_repo: Path) -> None:
    parent = parent_amendment(example_repo)
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_amendment(pilot, parent)
        await press(pilot, "a")
        form = app.screen
        assert isinstance(form, SubAmendScreen)
        text = form.query_one("#text", TextArea)
        assert text.text == PARENT_TEXT  # opened on the amendment's text
        text.text = SUB_TEXT
        form.query_one("#rationale", TextArea).text = "On an equal footing."
        await press(pilot, "ctrl+s")  # review: the word diff against the amendment's text
        assert "on an equal footing" in plain(form.query_one("#preview"))
        await press(pilot, "ctrl+s")
        screen = app.screen
        assert isinstance(screen, AmendmentScreen) and screen.view is not None
        sub = screen.view.amendment
        assert sub.amends == parent and sub.proposer == MEMBER_TECH
        assert f"Amends amendment {parent} by {MEMBER_PS}" in plain(screen.query_one("#summary"))
        # One level deep: the sub-amendment cannot be amended in turn.
        await press(pilot, "a")
        assert f"amend {parent} instead" in notifications(app)[-1]
        assert isinstance(app.screen, AmendmentScreen)
    with WorkingGroup.open(example_repo) as wg:
        assert [s.id for s in wg.subamendments.sub_amendments(wg.amendments.amendment(parent))] == [
            sub.id
        ]


async def test_the_amendment_lists_its_sub_amendments_and_its_proposer_accepts(
    example_repo: Path,
) -> None:
    parent = parent_amendment(example_repo)
    sub = sub_amendment(example_repo, parent)
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, parent)
        listed = plain(screen.query_one("#sub-amendments", Static))
        assert "Sub-amendments (1)" in listed
        assert f"{sub}  {MEMBER_TECH} (technical-academic)  open" in listed
        assert "consensus" in listed
        await show_amendment(pilot, sub)
        await press(pilot, "y")
        screen = app.screen
        assert isinstance(screen, AmendmentScreen) and screen.view is not None
        assert screen.view.amendment.status is Status.ACCEPTED
        assert f"Accepted into amendment {parent} by {MEMBER_PS}" in plain(
            screen.query_one("#decision")
        )
    with WorkingGroup.open(example_repo) as wg:
        amended = wg.amendments.amendment(parent)
        assert amended.revision == 2 and wg.amendments.change(amended).new == SUB_TEXT


async def test_only_the_proposer_accepts_and_the_chair_merges(example_repo: Path) -> None:
    parent = parent_amendment(example_repo)
    sub = sub_amendment(example_repo, parent)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_amendment(pilot, sub)
        await press(pilot, "y")
        assert f"only the proposer ({MEMBER_PS})" in notifications(app)[-1]
    with WorkingGroup.open(example_repo, MEMBER_CS) as wg:
        wg.deliberation.position(sub, "support")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, sub)
        await press(pilot, "m")  # consensus holds: merged into the amendment at once
        assert screen.view is not None and screen.view.amendment.status is Status.ACCEPTED
        assert f"Merged into amendment {parent} by {CHAIR}" in plain(screen.query_one("#decision"))
    with WorkingGroup.open(example_repo) as wg:
        assert wg.amendments.amendment(parent).revision == 2
        assert wg.amendments.amendment(parent).status is Status.OPEN
