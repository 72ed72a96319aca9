"""The inbox in the terminal UI (Pilot, real repositories): the first screen once a member is
chosen, its filters, marking as seen on leaving, and news written by another process."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList

from tests.conftest import CHAIR, MEMBER_GOV, MEMBER_PS, MEMBER_TECH
from tests.pilot import settle
from tests.test_tui import SIZE, open_wg, plain, press, propose
from tests.test_tui_desk import until, wgtool_process
from wgtool.tui.app import make_app
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.inbox import InboxScreen
from wgtool.tui.screens.members import MemberPicker

pytestmark = pytest.mark.asyncio


def options_text(screen: InboxScreen) -> str:
    options = screen.query_one("#inbox", OptionList)
    return "\n".join(
        str(getattr(options.get_option_at_index(i).prompt, "plain", ""))
        for i in range(options.option_count)
    )


def listed(screen: InboxScreen) -> list[str]:
    options = screen.query_one("#inbox", OptionList)
    return [
        str(options.get_option_at_index(i).id).removeprefix("amendment:")
        for i in range(options.option_count)
    ]


async def test_the_inbox_comes_first_and_is_marked_seen_on_leaving(example_repo: Path) -> None:
    mine = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    other = propose(example_repo, MEMBER_PS, 6, "right to privacy", "right to privacy, data")
    with open_wg(example_repo, MEMBER_GOV) as wg:
        wg.deliberation.position(mine, "support", reason="Welcome.")
    app = make_app(example_repo, None, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, MemberPicker)
        options = picker.query_one(OptionList)
        await until(pilot, lambda: options.option_count > 0)
        options.highlighted = options.get_option_index(MEMBER_TECH)
        await press(pilot, "enter")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        assert set(listed(inbox)) >= {mine, other}
        shown = options_text(inbox)
        assert "rsubramanian (governments): support: Welcome." in shown
        assert "[yours]" in shown and "[needs your position]" in shown
        assert "your first look here" in plain(inbox.query_one("#inbox-info"))
        await press(pilot, "n")
        assert listed(inbox) == [other]  # only what needs mchen's position
        await press(pilot, "n")
        await press(pilot, "enter")
        assert isinstance(app.screen, AmendmentScreen)
        await press(pilot, "escape")
        with open_wg(example_repo, MEMBER_TECH) as wg:
            assert wg.inbox.inbox().since is None  # opening an amendment is not leaving the inbox
        await press(pilot, "escape")
        assert not isinstance(app.screen, InboxScreen)
    with open_wg(example_repo, MEMBER_TECH) as wg:
        assert wg.inbox.inbox().since is not None and not wg.inbox.inbox().news


async def test_the_inbox_shows_what_another_process_writes(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen) and listed(inbox) == [first]
        await wgtool_process(
            example_repo, "--as", CHAIR, "comment", first, "Seen from the chair's terminal."
        )
        await until(pilot, lambda: "Seen from the chair" in options_text(inbox))
        await press(pilot, "x")
        await settle(pilot)
    with open_wg(example_repo, MEMBER_PS) as wg:
        assert not wg.inbox.inbox().news
