"""What a newcomer meets in their first hour in the terminal UI, each friction seen on a fresh
clone: Textual's Pilot on real repositories, as a member drives it."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from textual.widgets import Footer, Input, OptionList, Static, TextArea

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH, SECRETARIAT
from tests.pilot import settle
from tests.test_tui import (
    SIZE,
    notifications,
    open_draft,
    open_wg,
    paragraph_texts,
    plain,
    press,
    propose,
    show_amendment,
)
from tests.test_tui_agreement import offered
from tests.test_tui_desk import until
from tests.test_tui_inbox import listed
from wgtool.api import AmendmentsDesk
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.dialogs import PositionDialog
from wgtool.tui.screens.drafts import DraftsScreen
from wgtool.tui.screens.inbox import InboxScreen
from wgtool.tui.screens.members import MemberPicker
from wgtool.tui.screens.merge import MergeScreen
from wgtool.tui.screens.queue import CONSENSUS_LEGEND, QueueScreen
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.widgets import ConsensusMatrix

pytestmark = pytest.mark.asyncio

OBJECTION = "Not acceptable to the private sector"


def rendered(widget: object) -> str:
    """What a widget shows, as one line of plain words (its render may be a Rich table)."""
    from rich.console import Console

    console = Console(width=200, record=True, color_system=None)
    with console.capture() as capture:
        console.print(widget.render())  # type: ignore[attr-defined]
    return " ".join(capture.get().split())


async def pick(pilot, handle: str) -> None:  # type: ignore[no-untyped-def]
    """In the member picker (demo): choose ``handle``."""
    picker = pilot.app.screen
    assert isinstance(picker, MemberPicker)
    options = picker.query_one(OptionList)
    await until(pilot, lambda: options.option_count > 0)
    options.highlighted = options.get_option_index(handle)
    await press(pilot, "enter")


# -- the chair decides on the reasons --------------------------------------------------------------


async def test_the_amendment_and_merge_screens_show_why_groups_object(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    with open_wg(example_repo, "cdubois") as wg:
        wg.deliberation.position(amendment, "object", reason=OBJECTION)
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.position(amendment, "support", reason="Agreed.")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        matrix = rendered(screen.query_one(ConsensusMatrix))
        assert f"cdubois object: {OBJECTION}" in matrix
        assert "ndlamini support: Agreed." in matrix
        title = plain(screen.query_one("#consensus-title", Static))
        assert title.startswith("Consensus: not reached: a group objects")
        await press(pilot, "m")
        merge = app.screen
        assert isinstance(merge, MergeScreen)
        shown = " ".join(rendered(w) for w in [*merge.query(Static), *merge.query(ConsensusMatrix)])
        assert OBJECTION in shown
        assert "consensus: consensus" not in shown.lower()


async def test_consensus_reads_reached_not_consensus(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.position(amendment, "support")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        title = plain(screen.query_one("#consensus-title", Static))
        assert title.startswith("Consensus: reached (rule:")


# -- paragraph comments in the reader --------------------------------------------------------------


async def test_the_reader_shows_the_comments_on_each_paragraph(example_repo: Path) -> None:
    with open_wg(example_repo, MEMBER_GOV) as wg:
        asked = wg.agreement.comment_paragraph("principles", "5", "Does 'fragment' cover routing?")
    with open_wg(example_repo, MEMBER_TECH) as wg:
        wg.agreement.comment_paragraph("principles", "5", "It does.", reply_to=asked.id)
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        texts = paragraph_texts(reader)
        assert "› rsubramanian (governments): Does 'fragment' cover routing?" in texts[5]
        assert "↳ mchen (technical-academic): It does." in texts[5]
        assert "›" not in texts[4]
        assert "2 comment(s)" in plain(reader.query_one("#draft-info", Static))
        # Written from the palette, the comment shows at once.
        commands = offered(reader, app)
        reader.query_one("#paragraphs", OptionList).highlighted = reader.query_one(
            "#paragraphs", OptionList
        ).get_option_index("p4")
        commands = offered(reader, app)
        commands["Comment on ¶4"].callback()
        await settle(pilot)
        app.screen.query_one("#field-text", Input).value = "Keep 'without prejudice'."
        await press(pilot, "ctrl+s")
        assert (
            "› kwatanabe (private-sector): Keep 'without prejudice'."
            in (paragraph_texts(reader)[4])
        )


async def test_who_wrote_it_keeps_the_brackets(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.position(amendment, "support")
    with open_wg(example_repo, CHAIR) as wg:
        wg.merges.merge(amendment)
        wg.agreement.bracket(
            "principles", "5", words="free exchange of information", reason="Scope",
            held_by=["governments"],
        )  # fmt: skip
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=(160, 40)) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        assert "impair the [free exchange of information] across" in paragraph_texts(reader)[5]
        await press(pilot, "w")
        coloured = paragraph_texts(reader)[5]
        assert "global, secure and" in coloured
        assert "impair the [free exchange of information] across" in coloured
        assert reader.query_one("#draft-legend", Static).display


# -- the inbox -------------------------------------------------------------------------------------


async def test_needs_me_explains_what_waits_but_is_not_new(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    second = propose(example_repo, MEMBER_CS, 6, "right to privacy", "right to privacy, data")
    with open_wg(example_repo, MEMBER_PS) as wg:
        wg.inbox.mark_seen(wg.inbox.inbox())  # seen once: nothing is new now, both still wait
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        inbox = app.screen
        assert isinstance(inbox, InboxScreen)
        info = plain(inbox.query_one("#inbox-info", Static))
        assert "2 need your position" in info and "Nothing new." in info
        await press(pilot, "n")
        info = " ".join(plain(inbox.query_one("#inbox-info", Static)).split())
        assert "Nothing matches. The 2 amendments waiting for your position did not change" in info
        assert "press e to list every one" in info
        await press(pilot, "e")
        assert set(listed(inbox)) == {first, second}


async def test_the_inbox_moves_with_g_and_G_as_lists_do(example_repo: Path) -> None:
    made = [
        propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and"),
        propose(example_repo, MEMBER_CS, 6, "right to privacy", "right to privacy, data"),
        propose(example_repo, MEMBER_GOV, 7, "equal footing", "equal and fair footing"),
    ]
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "i")
        options = app.screen.query_one("#inbox", OptionList)
        assert sorted(listed(app.screen)) == sorted(made) and options.highlighted == 0
        await press(pilot, "G")
        assert options.highlighted == 2
        await press(pilot, "k")
        assert options.highlighted == 1
        await press(pilot, "g")
        assert options.highlighted == 0
        await press(pilot, "j")
        assert options.highlighted == 1


# -- keys typed before a screen is ready -----------------------------------------------------------


async def test_keys_typed_at_start_reach_the_first_screen(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        # Typed at once, before the drafts are read: they wait, then act, in order.
        await pilot.press("down", "enter")
        await settle(pilot)
        reader = app.screen
        assert isinstance(reader, DraftScreen) and reader.slug == "roles"


async def test_keys_typed_after_choosing_a_member_reach_their_inbox(example_repo: Path) -> None:
    propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, None, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, MemberPicker)
        options = picker.query_one(OptionList)
        await until(pilot, lambda: options.option_count > 0)
        options.highlighted = options.get_option_index(MEMBER_PS)
        await pilot.press("enter", "n")  # n: what needs my position, typed at once
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen) and inbox.needs_position
        assert app.member is not None and app.member.handle == MEMBER_PS
        await pilot.press("f2")
        await settle(pilot)
        await pick(pilot, MEMBER_CS)
        await pilot.press("m")
        await settle(pilot)
        inbox = app.screen
        assert isinstance(inbox, InboxScreen) and inbox.mine and not inbox.needs_position


async def test_escape_after_choosing_a_member_does_not_walk_the_last_ones_screens(
    example_repo: Path,
) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, None, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pick(pilot, MEMBER_PS)
        await press(pilot, "escape")  # leaves the inbox for the drafts
        await press(pilot, "a")
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        await show_amendment(pilot, amendment)
        assert len(app.screen_stack) == 3
        await press(pilot, "f2")
        await pick(pilot, MEMBER_CS)
        await settle(pilot)
        assert isinstance(app.screen, InboxScreen)
        assert [type(s) for s in app.screen_stack] == [DraftsScreen, InboxScreen]
        await press(pilot, "escape")
        assert isinstance(app.screen, DraftsScreen) and len(app.screen_stack) == 1
        await press(pilot, "escape")
        assert isinstance(app.screen, DraftsScreen)


# -- tagging ---------------------------------------------------------------------------------------


async def test_the_tag_dialog_points_to_its_own_checkbox(example_repo: Path) -> None:
    from wgtool.tui.screens.dialogs import TagDialog

    with open_wg(example_repo, CHAIR) as wg:
        wg.agreement.bracket("principles", "2", words=None, reason="Open")
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        commands = offered(reader, app)
        commands["Tag a version of principles"].callback()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, TagDialog) and dialog.slug == "principles"
        dialog.query_one("#version-name", Input).value = "v1"
        dialog.query_one("#version-message", TextArea).text = "Agreed"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        said = notifications(app)[-1]
        assert said.startswith("1 bracket(s) remain in principles (¶2): lift them in the draft")
        assert "“Tag although brackets remain”" in said
        assert "wgtool unbracket" not in said and "--allow-brackets" not in said


async def test_only_the_secretariat_is_offered_tagging_on_the_draft(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        assert "Tag a version of principles" not in offered(reader, app)
        assert "Tag a version of principles" in {c.title for c in reader.commands()}


# -- at 80 columns ---------------------------------------------------------------------------------


def footer_keys_fit(app: WgApp) -> list[str]:
    """The footer keys shown, each checked to be shown whole (none cut at the edge)."""
    footer = app.screen.query_one(Footer)
    row = footer.query_one("#screen-keys")
    shown = []
    for key in row.children:
        if not key.display:
            continue
        assert key.region.right <= row.region.right, (type(app.screen).__name__, plain(key))
        shown.append(plain(key).strip())
    return shown


@pytest.mark.parametrize("actor", [CHAIR, SECRETARIAT, MEMBER_TECH])
async def test_footers_at_80_columns_show_whole_keys(example_repo: Path, actor: str) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, actor)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        assert footer_keys_fit(app)
        await show_amendment(pilot, amendment)
        keys = footer_keys_fit(app)
        assert keys[0] == "esc Back"
        if actor == CHAIR:
            assert "x Reject" in keys  # the key the footer used to cut to "x R"
        await press(pilot, "escape")
        await open_draft(pilot)
        assert footer_keys_fit(app)
        await press(pilot, "i")
        assert footer_keys_fit(app)
        await press(pilot, "escape", "a")
        assert footer_keys_fit(app)
    async with make_app(example_repo, actor).run_test(size=(60, 24)) as pilot:
        await settle(pilot)
        await show_amendment(pilot, amendment)
        footer_keys_fit(pilot.app)  # narrower still: fewer keys, none cut


async def test_the_queue_says_what_its_consensus_letters_mean(example_repo: Path) -> None:
    propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "a")
        info = plain(app.screen.query_one("#queue-info", Static)).splitlines()
        assert info[-1] == CONSENSUS_LEGEND and len(CONSENSUS_LEGEND) <= 78
        assert AmendmentScreen  # the queue's rows open amendments (tested in test_tui)


def hold_amendment_reads(monkeypatch: pytest.MonkeyPatch) -> tuple[threading.Event, ...]:
    """From now on, reading an amendment waits for the first event returned (the gate); the
    second is set once such a read has begun."""
    gate = threading.Event()
    reading = threading.Event()
    real = AmendmentsDesk.amendment

    def slow_amendment(self: AmendmentsDesk, ref: str) -> object:
        reading.set()
        assert gate.wait(60), "the test never let the read go on"
        return real(self, ref)

    monkeypatch.setattr(AmendmentsDesk, "amendment", slow_amendment)
    return gate, reading


async def test_keys_typed_as_a_screen_opens_wait_for_what_it_reads(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``p`` typed on an amendment's screen before the amendment is read is not refused as
    "still loading": it waits for the read, then opens the position dialog."""
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        gate, reading = hold_amendment_reads(monkeypatch)
        app.push_screen(AmendmentScreen(amendment))
        await until(pilot, reading.is_set)
        await pilot.press("p")  # typed while the amendment is being read
        assert not isinstance(app.screen, PositionDialog)
        gate.set()
        await settle(pilot)
        assert isinstance(app.screen, PositionDialog), app.notices
        assert "the amendment is still loading" not in app.notices


async def test_escape_leaves_a_screen_still_reading(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A read that takes long is no trap: escape goes back at once, keys typed before it wait."""
    amendment = propose(example_repo, MEMBER_TECH, 5, "global and", "global, secure and")
    app = make_app(example_repo, MEMBER_PS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        first = app.screen
        gate, reading = hold_amendment_reads(monkeypatch)
        app.push_screen(AmendmentScreen(amendment))
        await until(pilot, reading.is_set)
        await pilot.press("escape")
        assert app.screen is first
        gate.set()
        await settle(pilot)
        assert app.screen is first
