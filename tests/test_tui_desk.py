"""The terminal UI as a new member finds it: the keys, marks and layout that make a desk usable
at 80x24, screens that follow the record as others change it, and the secretariat's desk.

Pilot drives the app made by the CLI's factory on a real example working group in a temp dir.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, RadioSet, Select, TextArea

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_TECH,
    PROJECT,
    SECRETARIAT,
    agreed,
    new_key,
)
from tests.pilot import settle
from tests.test_tui import (
    SIZE,
    _conflicting_document_amendment,
    footer_descriptions,
    notifications,
    open_draft,
    open_queue,
    open_redline,
    open_wg,
    plain,
    press,
    propose,
    show_amendment,
    type_a_resolution,
)
from wgtool.core import document
from wgtool.core.model import Role
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.commands.palette import WorkingGroupCommands
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.desk import (
    DraftDialog,
    KeyDialog,
    MemberDialog,
    RosterScreen,
    SettingsDialog,
)
from wgtool.tui.screens.dialogs import TagDialog
from wgtool.tui.screens.drafts import DraftsScreen
from wgtool.tui.screens.members import MemberPicker
from wgtool.tui.screens.propose import ProposeScreen
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.screens.versions import VersionsScreen
from wgtool.tui.widgets import DiffView, MarkedCheckbox, MarkedRadioButton, ParagraphList

pytestmark = pytest.mark.asyncio


@asynccontextmanager
async def proposing(
    repo: Path, paragraph: int = 5
) -> AsyncIterator[tuple[WgApp, Pilot[None], ProposeScreen]]:
    """The app as a member, on the propose form for a paragraph of principles (from the
    reader, as the member gets there)."""
    app = make_app(repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(paragraph)
        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, ProposeScreen)
        yield app, pilot, form


# -- proposing -------------------------------------------------------------------------------------


async def test_the_propose_form_selects_all_on_ctrl_a_and_says_so(example_repo: Path) -> None:
    async with proposing(example_repo) as (app, pilot, form):
        text = form.query_one("#text", TextArea)
        assert app.focused is text
        assert "Select all" in footer_descriptions(app)
        await press(pilot, "ctrl+a")
        assert text.selected_text == text.text and text.text
        await press(pilot, "x")  # typing replaces the whole selection
        assert text.text == "x"
        await press(pilot, "home")  # home still goes to the start of the line
        assert text.selection.is_empty


async def test_tab_goes_from_the_text_to_the_rationale(example_repo: Path) -> None:
    async with proposing(example_repo) as (app, pilot, form):
        text = form.query_one("#text", TextArea)
        before = text.text
        assert app.focused is text
        await press(pilot, "tab")
        assert app.focused is form.query_one("#rationale", TextArea)
        await pilot.press(*"Because")
        await settle(pilot)
        assert text.text == before
        assert form.query_one("#rationale", TextArea).text == "Because"
        await press(pilot, "tab")
        assert app.focused is form.query_one("#title", Input)


async def test_the_kind_of_change_is_marked_without_colour(
    monkeypatch: pytest.MonkeyPatch, example_repo: Path
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    async with proposing(example_repo) as (app, pilot, form):
        buttons = {b.id: b for b in form.query(MarkedRadioButton)}
        assert "●" in plain(buttons["kind-replace"]) and "●" not in plain(buttons["kind-insert"])
        form.query_one(RadioSet).focus()
        await press(pilot, "right", "enter")
        assert "●" in plain(buttons["kind-insert"]) and "●" not in plain(buttons["kind-replace"])


async def test_the_form_buttons_show_at_80x24(example_repo: Path) -> None:
    async with proposing(example_repo) as (app, pilot, form):
        screen = app.screen.region
        for selector in ("#submit", "#cancel", "#text", "#rationale", "#title"):
            region = form.query_one(selector).region
            assert region.height and screen.contains_region(region), selector


# -- the footer, tables and versions ---------------------------------------------------------------


async def test_the_footer_keeps_help_act_as_and_the_palette_at_80_columns(
    example_repo: Path,
) -> None:
    app = make_app(example_repo, MEMBER_TECH, demo=True)  # the demo offers F2
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_queue(pilot)
        footer = app.screen.query_one("KeysFooter")
        shown = [key for key in footer.query("FooterKey") if key.region.width]
        labels = " ".join(plain(key) for key in shown)
        for wanted in ("f1 Help", "f2 Act as", "^p palette", "Search"):
            assert wanted in labels
        for key in shown:
            assert app.screen.region.contains_region(key.region)


async def test_tables_go_to_rows_with_j_k_g_and_end(example_repo: Path) -> None:
    for paragraph, new in ((5, "secure"), (6, "free"), (7, "open")):
        with open_wg(example_repo, MEMBER_TECH) as wg:
            text = document.paragraph(wg.drafts.draft("principles").text, paragraph).text
        propose(example_repo, MEMBER_TECH, paragraph, text.split()[0], f"{text.split()[0]} {new}")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, table = await open_queue(pilot)
        assert table.row_count == 3 and table.cursor_row == 0
        await press(pilot, "end")
        assert table.cursor_row == 2 and table.scroll_x == 0
        await press(pilot, "home")
        assert table.cursor_row == 0
        await press(pilot, "j", "j")
        assert table.cursor_row == 2
        await press(pilot, "k")
        assert table.cursor_row == 1
        await press(pilot, "g")
        assert table.cursor_row == 0
        await press(pilot, "G")
        assert table.cursor_row == 2


async def test_the_queue_shows_the_essential_columns_at_80_columns(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        _, table = await open_queue(pilot)
        visible = table.scrollable_content_region.width
        shown_width = 0
        for key in ("id", "target", "status", "consensus", "title"):
            column = table.columns[next(k for k in table.columns if k.value == key)]
            shown_width += column.get_render_width(table)
        assert shown_width <= visible
        title = table.get_cell(amendment, "title")
        assert title.plain == "Say single, secure, open"  # whole (32 characters fit)
        assert table.get_cell(amendment, "consensus").plain.startswith("… S0")


async def test_d_redlines_from_the_highlighted_version(example_repo: Path) -> None:
    with open_wg(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v1", message="First")
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo, CHAIR) as wg:
        wg.merges.merge(agreed(wg, amendment))
    with open_wg(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "v2", message="Second")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        redline = await open_redline(pilot, "v1")  # the older one, second row
        assert redline.old == "v1"
        assert plain(redline.query_one("#redline-info")).startswith("1 change ")


# -- dialogs ---------------------------------------------------------------------------------------


async def test_the_tag_dialog_shows_the_rule_and_keeps_what_was_typed(example_repo: Path) -> None:
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, TagDialog)
        assert "no spaces" in plain(dialog.query_one("#naming-rule"))
        dialog.query_one("#version-name", Input).value = "second reading"
        dialog.query_one("#version-message", TextArea).text = "Agreed in Geneva"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog  # refused: still open, nothing lost
        assert dialog.query_one("#version-message", TextArea).text == "Agreed in Geneva"
        assert any("invalid version name 'second reading'" in n for n in notifications(app))
        with open_wg(example_repo) as wg:
            assert wg.drafts.versions("principles") == []
        # A name the core refuses only when writing (it exists already) keeps the dialog too.
        with open_wg(example_repo, SECRETARIAT) as wg:
            wg.procedure.tag("principles", "second-reading", message="Taken")
        dialog.query_one("#version-name", Input).value = "second-reading"
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert any("already exists" in n for n in notifications(app))
        dialog.query_one("#version-name", Input).value = "second-reading-2"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, VersionsScreen)
        with open_wg(example_repo) as wg:
            names = [v.name for v in wg.drafts.versions("principles")]
        assert names == ["second-reading", "second-reading-2"]
        table = app.screen.query_one("#versions", DataTable)
        assert {str(k.value) for k in table.rows} == set(names)


# -- merged amendments -----------------------------------------------------------------------------


async def test_an_orally_revised_merge_shows_the_adopted_text(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo, CHAIR) as wg:
        agreed(wg, amendment)
        paragraph = document.paragraph(wg.drafts.draft("principles").text, 5).text
        wg.merges.merge(
            amendment, revised_text=paragraph.replace("single, open", "single, safe, open")
        )
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        assert isinstance(screen, AmendmentScreen)
        assert "as orally revised" in plain(screen.query_one("#change-title"))
        adopted = plain(screen.query_one("#change", DiffView))
        assert "{+safe,+}" in adopted.replace(" ", "") and "secure" not in adopted
        proposed = screen.query_one("#proposed", DiffView)
        assert proposed.display and "secure" in plain(proposed)


# -- live screens ----------------------------------------------------------------------------------

WATCH_WAIT = 600
"""Pauses of 0.05 s to wait at most for a change made outside the app to show (30 s: the app
looks every two seconds; a loaded machine is slow)."""


async def wgtool_process(repo: Path, *args: str) -> str:
    """Run the real CLI in another process, as a member at another terminal would; its output."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "wgtool",
        "--repo",
        str(repo),
        *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        cwd=PROJECT,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    return out.decode().strip()


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Wait, without pressing anything, until ``condition()`` holds (at most WATCH_WAIT)."""
    for _ in range(WATCH_WAIT):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("the screen never showed the change")


async def test_the_queue_shows_what_another_process_writes(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    second = propose(example_repo, MEMBER_TECH, 6, "right to privacy", "right to privacy, data")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue, table = await open_queue(pilot)
        table.move_cursor(row=table.get_row_index(second))
        with open_wg(example_repo) as wg:
            text = document.paragraph(wg.drafts.draft("principles").text, 7).text
        third = await wgtool_process(
            example_repo,
            "--as",
            MEMBER_CS,
            "propose",
            "principles",
            "--paragraph",
            "7",
            "--text",
            text + " Together.",
            "--rationale",
            "Said at the session.",
        )
        await until(pilot, lambda: third in {str(k.value) for k in table.rows})
        await settle(pilot)
        assert {str(k.value) for k in table.rows} == {first, second, third}
        assert queue.highlighted == second  # the cursor stayed on its amendment
        assert app.focused is table
        assert plain(queue.query_one("#queue-info")).startswith("3 amendments")


async def test_an_open_amendment_shows_positions_taken_elsewhere(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        assert screen.view is not None and screen.view.consensus.state == "pending"
        with open_wg(example_repo) as wg:  # a second handle on the record, in this process
            agreed(wg, amendment)
        await until(
            pilot, lambda: screen.view is not None and screen.view.consensus.state == "consensus"
        )
        assert app.screen is screen


async def test_a_change_elsewhere_keeps_what_the_member_is_typing(example_repo: Path) -> None:
    async with proposing(example_repo, paragraph=6) as (app, pilot, form):
        await press(pilot, "tab")
        await pilot.press(*"Because")
        await settle(pilot)
        seen = app.data_version
        propose(example_repo, MEMBER_CS, 6, "right to privacy", "right to privacy, data")
        await until(pilot, lambda: app.data_version > seen)
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#rationale", TextArea).text == "Because"
        assert app.focused is form.query_one("#rationale", TextArea)
        await press(pilot, "escape")  # the reader below reads the record again
        reader = app.screen
        assert isinstance(reader, DraftScreen) and reader.open_counts == {6: 1}


async def test_a_merge_being_resolved_follows_the_draft_and_keeps_the_resolution(
    example_repo: Path,
) -> None:
    amendment, _ = _conflicting_document_amendment(example_repo)
    other = propose(example_repo, MEMBER_CS, 9, "transparent", "open")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        merge, editor, typed = await type_a_resolution(pilot, amendment)
        with open_wg(example_repo, CHAIR) as wg:  # the chair's other window merges another
            wg.merges.merge(agreed(wg, other))
            moved = wg.record.main()
        await until(pilot, lambda: merge.view is not None and merge.view.plan.main == moved)
        await settle(pilot)
        assert app.screen is merge and merge.mode == "conflict"
        assert editor.text == typed


# -- the secretariat's desk ------------------------------------------------------------------------

DESK = ["Roster", "Settings", "Add a draft", "Tag a version of principles"]


async def palette(app: WgApp) -> list[str]:
    """What the command palette offers on the current screen."""
    provider = WorkingGroupCommands(app.screen)
    return [str(hit.text) async for hit in provider.discover()]


def fill(screen: Screen[object], **fields: str) -> None:
    """Type into a dialog's inputs, by id."""
    for selector, value in fields.items():
        screen.query_one(f"#{selector.replace('_', '-')}", Input).value = value


@asynccontextmanager
async def at_the_desk(repo: Path) -> AsyncIterator[tuple[WgApp, Pilot[None]]]:
    """The app as the secretariat, on the roster (opened from the command palette)."""
    app = make_app(repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "ctrl+p")
        await pilot.press(*"roster")
        await settle(pilot)
        await press(pilot, "enter")
        assert isinstance(app.screen, RosterScreen)
        yield app, pilot


async def test_the_desk_is_offered_to_the_secretariat_only(example_repo: Path) -> None:
    for actor, offered in ((SECRETARIAT, True), (CHAIR, False), (MEMBER_TECH, False)):
        app = make_app(example_repo, actor)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            titles = await palette(app)
            assert all((title in titles) is offered for title in DESK), actor
            assert ("Add draft" in footer_descriptions(app)) is offered
            await press(pilot, "n")
            assert isinstance(app.screen, DraftDialog) is offered
            if not offered:
                assert "add draft needs the secretariat role" in " ".join(notifications(app))


async def test_the_secretariat_adds_a_member_by_group(example_repo: Path) -> None:
    async with at_the_desk(example_repo) as (app, pilot):
        roster = app.screen
        table = roster.query_one("#roster", DataTable)
        assert table.get_cell("lhaddad", "group").plain == "Governments"
        assert table.get_cell("rsubramanian", "group").plain == ""  # the same group
        assert "Add member" in footer_descriptions(app)
        await press(pilot, "n")
        dialog = app.screen
        assert isinstance(dialog, MemberDialog)
        fill(dialog, member_handle="J Doe", member_name="Jo Doe", member_email="jo@example.org")
        dialog.query_one("#member-group", Select).value = "civil-society"
        dialog.query_one("#role-chair", MarkedCheckbox).value = True
        await press(pilot, "ctrl+s")
        assert app.screen is dialog  # refused: every field kept
        assert any(n.startswith("invalid handle 'J Doe'") for n in notifications(app))
        assert dialog.query_one("#member-name", Input).value == "Jo Doe"
        fill(dialog, member_handle="jdoe")
        await press(pilot, "ctrl+s")
        assert app.screen is roster
        with open_wg(example_repo) as wg:
            added = wg.record.roster.get("jdoe")
        assert (added.name, added.email, added.group) == (
            "Jo Doe",
            "jo@example.org",
            "civil-society",
        )
        assert added.has(Role.CHAIR) and not added.has(Role.SECRETARIAT)
        assert table.get_cell("jdoe", "roles").plain == "chair"
        assert "Added jdoe to the roster" in notifications(app)


async def test_the_secretariat_records_a_members_key(example_repo: Path, tmp_path: Path) -> None:
    key = new_key(tmp_path, MEMBER_TECH)
    async with at_the_desk(example_repo) as (app, pilot):
        roster = app.screen
        table = roster.query_one("#roster", DataTable)
        table.move_cursor(row=table.get_row_index(MEMBER_TECH))
        await press(pilot, "s")
        dialog = app.screen
        assert isinstance(dialog, KeyDialog) and dialog.handle == MEMBER_TECH
        fill(dialog, key_file=str(tmp_path / "missing.pub"))
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert any(n.startswith("cannot read key file") for n in notifications(app))
        fill(dialog, key_file=str(key.with_suffix(".pub")))
        await press(pilot, "ctrl+s")
        assert app.screen is roster
        assert table.get_cell(MEMBER_TECH, "key").plain == "yes"
        assert roster.highlighted == MEMBER_TECH
        with open_wg(example_repo) as wg:
            assert wg.record.roster.get(MEMBER_TECH).ssh_key.startswith("ssh-ed25519 ")


async def test_the_secretariat_adds_a_draft_from_a_file(example_repo: Path, tmp_path: Path) -> None:
    source = tmp_path / "mandate.md"
    source.write_text("The group meets twice a year.\n\nIt reports to the plenary.\n")
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "n")
        dialog = app.screen
        assert isinstance(dialog, DraftDialog)
        fill(dialog, draft_slug="mandate", draft_title="Mandate", draft_file=str(source))
        await press(pilot, "ctrl+s")
        drafts = app.screen
        assert isinstance(drafts, DraftsScreen)
        table = drafts.query_one("#drafts", DataTable)
        assert "mandate" in {str(k.value) for k in table.rows}
        with open_wg(example_repo) as wg:
            assert "It reports to the plenary." in wg.drafts.draft("mandate").text


async def test_the_secretariat_changes_the_consensus_rule(example_repo: Path) -> None:
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.action_settings()
        await settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, SettingsDialog)
        assert dialog.query_one("#min-supporting", Input).value == "1"
        assert dialog.query_one("#signatures", Select).value == "off"
        assert dialog.query_one("#publish", Select).value == "texts"
        fill(dialog, min_supporting="9")
        await press(pilot, "ctrl+s")
        assert app.screen is dialog
        assert any(
            n.startswith("supporting groups must be between 0 and 5") for n in notifications(app)
        )
        fill(dialog, min_supporting="2")
        dialog.query_one("#all-heard", MarkedCheckbox).value = True
        dialog.query_one("#publish", Select).value = "amendments"
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, DraftsScreen)
        with open_wg(example_repo) as wg:
            rule = wg.record.settings.consensus
            published = wg.record.settings.publish
        assert (rule.min_supporting_groups, rule.require_all_groups_heard) == (2, True)
        assert published == "amendments"


async def test_outside_the_demo_the_member_is_who_started_it(example_repo: Path) -> None:
    """What ``wgtool serve`` runs per browser connection (``--as HANDLE tui``): that member
    acts, and neither F2 nor the palette offers to act as anyone else."""
    app = make_app(example_repo, MEMBER_CS, strict=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert not isinstance(app.screen, MemberPicker)
        assert app.member is not None and app.member.handle == MEMBER_CS
        assert "Act as" not in footer_descriptions(app)
        await press(pilot, "f2")
        assert not isinstance(app.screen, MemberPicker)
        assert app.member.handle == MEMBER_CS
        assert "Act as another member" not in await palette(app)
