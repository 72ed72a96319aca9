"""Agreement in the terminal UI, through Textual's Pilot on real repositories: the reader's
margin and brackets, the palette's paragraph and draft actions by role, silences."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from textual.widgets import DataTable, Input, TextArea

from tests.conftest import CHAIR, MEMBER_GOV, MEMBER_PS, MEMBER_TECH, SECRETARIAT
from tests.pilot import settle
from tests.test_tui import (
    SIZE,
    footer_descriptions,
    notifications,
    open_draft,
    open_wg,
    paragraph_texts,
    press,
)
from wgtool.core.model import Kind
from wgtool.tui.app import make_app
from wgtool.tui.commands import Command
from wgtool.tui.screens.agreement import FieldsDialog, SilencesScreen
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.widgets import ParagraphList

pytestmark = pytest.mark.asyncio


def offered(screen: object, app: object) -> dict[str, Command]:
    """The palette's commands on ``screen`` that the acting member's roles allow."""
    commands = list(screen.commands())  # type: ignore[attr-defined]
    return {c.title: c for c in commands if c.needs is None or app.allows(c.needs)}  # type: ignore[attr-defined]


async def fill(pilot, values: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    dialog = pilot.app.screen
    assert isinstance(dialog, FieldsDialog)
    for key, value in values.items():
        dialog.query_one(f"#field-{key}", Input).value = value
    await press(pilot, "ctrl+s")
    await settle(pilot)


async def test_the_chair_brackets_and_agrees_from_the_reader(example_repo: Path) -> None:
    with open_wg(example_repo) as wg:
        from wgtool.core import document

        words = " ".join(
            document.paragraph(wg.drafts.draft("principles").text, 3).text.split()[2:4]
        )
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(3)
        commands = offered(reader, app)
        commands["Bracket words in ¶3"].callback()
        await settle(pilot)
        await fill(pilot, {"words": words, "reason": "Not agreed yet", "held_by": "governments"})
        assert isinstance(app.screen, DraftScreen)
        assert f"[{words}]" in paragraph_texts(app.screen)[3]
        app.screen.query_one(ParagraphList).select_paragraph(4)
        offered(app.screen, app)["Agree ¶4"].callback()
        await settle(pilot)
        assert "agreed" in paragraph_texts(app.screen)[4]
        assert "1 agreed · 1 bracket(s)" in str(app.screen.query_one("#draft-info").render())
    with open_wg(example_repo) as wg:
        (bracket,) = wg.agreement.brackets("principles")
        assert bracket.event.words == words and bracket.event.held_by == ("governments",)
        ledger = {p.label: p for p in wg.agreement.ledger("principles")}
        assert ledger["4"].status == "agreed" and ledger["4"].decided is not None
        assert ledger["4"].decided.member == CHAIR


async def test_a_member_is_offered_comments_not_the_chairs_actions(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(2)
        titles = offered(reader, app)
        assert "Comment on ¶2" in titles and "Silence procedures" in titles
        assert not any(
            t.startswith(("Bracket", "Agree", "Renumber", "Close the amendment", "Put "))
            for t in titles
        )
        titles["Comment on ¶2"].callback()
        await settle(pilot)
        await fill(pilot, {"text": "A question on this paragraph"})
    with open_wg(example_repo) as wg:
        (comment,) = wg.agreement.paragraph_comments("principles", "2")
        assert comment.member == MEMBER_GOV and comment.text == "A question on this paragraph"


async def test_the_secretariat_closes_the_window_and_renumbers(example_repo: Path) -> None:
    with open_wg(example_repo, MEMBER_TECH) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.INSERT, paragraph=2, text="Inserted.", rationale="R"
        ).id
    with open_wg(example_repo, CHAIR) as wg:
        wg.merges.merge(amendment, override_reason="For the test")
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        assert "¶2bis" in paragraph_texts(reader)[3]
        offered(reader, app)["Close the amendment window for principles"].callback()
        await settle(pilot)
        await fill(pilot, {"until": ""})
        assert "window closed" in str(app.screen.query_one("#draft-info").render())
        offered(app.screen, app)["Renumber the paragraphs of principles"].callback()
        await settle(pilot)
        assert "¶3" in paragraph_texts(app.screen)[3]
    with open_wg(example_repo, MEMBER_PS) as wg:
        assert not wg.procedure.window("principles").is_open(time.time())
        assert wg.drafts.draft("principles").labels[2] == "3"


async def test_a_silence_is_started_broken_and_listed(example_repo: Path) -> None:
    with open_wg(example_repo, MEMBER_TECH) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="Under silence.", rationale="R"
        ).id
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = AmendmentScreen(amendment)
        await app.push_screen(screen)
        await settle(pilot)
        offered(screen, app)["Put this amendment under silence"].callback()
        await settle(pilot)
        await fill(pilot, {"until": "72h", "message": "Adopted unless someone objects"})
        assert f"Amendment {amendment} is under silence" in notifications(app)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(SilencesScreen())
        await settle(pilot)
        table = app.screen.query_one("#silences", DataTable)
        assert table.row_count == 1 and "running" in str(table.get_row_at(0)[2])
        assert "Break" in footer_descriptions(app) and "Conclude" not in footer_descriptions(app)
        await press(pilot, "b")
        await fill(pilot, {"reason": "Our capital objects"})
        await settle(pilot)
        assert "broken by governments" in str(
            app.screen.query_one("#silences", DataTable).get_row_at(0)[2]
        )
    with open_wg(example_repo) as wg:
        (silence,) = wg.procedure.silences()
        assert [b.member for b in silence.breaks] == [MEMBER_GOV]
        assert "governments" in wg.deliberation.consensus(
            wg.amendments.amendment(amendment)
        ).groups_in("object")


async def test_enter_on_a_silence_opens_its_amendment(example_repo: Path) -> None:
    with open_wg(example_repo, MEMBER_TECH) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="Silenced.", rationale="R"
        ).id
    with open_wg(example_repo, CHAIR) as wg:
        wg.procedure.silence_start(amendment, until=time.time() + 3600, message="m")
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await app.push_screen(SilencesScreen())
        await settle(pilot)
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, AmendmentScreen) and screen.amendment_id == amendment


async def test_tagging_with_brackets_left_is_a_choice_in_the_dialog(example_repo: Path) -> None:
    from wgtool.tui.screens.dialogs import TagDialog
    from wgtool.tui.widgets import MarkedCheckbox

    with open_wg(example_repo, CHAIR) as wg:
        wg.agreement.bracket("principles", "2", words=None, reason="Open")
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        dialog = TagDialog("principles")
        await app.push_screen(dialog)
        await settle(pilot)
        dialog.query_one("#version-name", Input).value = "v1"
        dialog.query_one("#version-message", TextArea).text = "Agreed, one bracket left"
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is dialog  # refused: a bracket remains; what was typed stays
        assert any("1 bracket(s) remain" in n for n in notifications(app))
        assert dialog.query_one("#version-name", Input).value == "v1"
        dialog.query_one("#allow-brackets", MarkedCheckbox).value = True
        await press(pilot, "ctrl+s")
        await settle(pilot)
        assert app.screen is not dialog, notifications(app)
    with open_wg(example_repo) as wg:
        (version,) = wg.drafts.versions("principles")
        assert version.name == "v1"
