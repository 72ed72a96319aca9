"""Who wrote the draft, and who changed it, in the terminal UI: the reader coloured by
stakeholder group with a legend, and the redline attributed paragraph by paragraph (Pilot, real
repositories)."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from textual.command import CommandPalette
from textual.widgets import Static

from tests.conftest import MEMBER_CS, MEMBER_GOV, MEMBER_TECH, SECRETARIAT, Wg
from tests.pilot import settle
from tests.test_structured_documents import amended_group
from tests.test_tui import SIZE, merged, open_draft, open_redline, open_wg, plain, press
from wgtool.core.desks import DocumentsDesk
from wgtool.tui.app import make_app
from wgtool.tui.render import GROUP_COLOURS
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.widgets import ParagraphList, RedlineView

pytestmark = pytest.mark.asyncio

GROUPS = ("governments", "private-sector", "civil-society", "technical-academic")


def paragraph_text(screen: DraftScreen, number: int) -> Text:
    """The text the reader shows for paragraph ``number`` (beside its label)."""
    option = screen.query_one(ParagraphList).get_option(f"p{number}")
    grid = option.prompt.renderable  # type: ignore[union-attr]
    text = grid.columns[1]._cells[0]
    assert isinstance(text, Text)
    return text


def styles_of(text: Text, words: str) -> set[str]:
    """The styles over the characters of ``words`` in ``text`` (every span touching them)."""
    start = text.plain.index(words)
    end = start + len(words)
    return {str(s.style) for s in text.spans if s.start < end and s.end > start}


def legend(screen: DraftScreen) -> Static:
    return screen.query_one("#draft-legend", Static)


async def test_the_reader_colours_each_word_by_the_group_that_wrote_it(
    example_repo: Path,
) -> None:
    merged(example_repo, MEMBER_TECH, 5, "preserve", "protect")
    merged(example_repo, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    with open_wg(example_repo) as wg:
        shares = {row.key: row for row in wg.documents.blame("principles").shares}
        names = dict(wg.record.settings.groups)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_draft(pilot)
        plain_six = paragraph_text(screen, 6)
        assert not legend(screen).display
        await press(pilot, "w")
        assert legend(screen).display
        shown = " ".join(plain(legend(screen)).split())
        for key, name in names.items():
            share = shares[key].share if key in shares else 0.0
            assert f"{name} {share:.1f}%" in shown, (name, shown)
        assert shares["civil-society"].share > 0 and shares["technical-academic"].share > 0
        assert f"base text {shares['base'].share:.1f}%" in shown

        cs, tech = GROUPS.index("civil-society"), GROUPS.index("technical-academic")
        six = paragraph_text(screen, 6)
        assert six.plain == plain_six.plain  # the same words, coloured
        assert styles_of(six, "and autonomy") == {GROUP_COLOURS[cs]}
        assert styles_of(six, "The rights that people") == set()  # the base text: plain
        assert styles_of(paragraph_text(screen, 5), "protect") == {GROUP_COLOURS[tech]}

        await press(pilot, "w")
        assert not legend(screen).display
        again = paragraph_text(screen, 6)
        assert (again.plain, again.spans) == (plain_six.plain, plain_six.spans)


async def test_who_wrote_it_is_in_the_palette_and_the_ui_answers_while_it_is_traced(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    merged(example_repo, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    entered, release = threading.Event(), threading.Event()
    traced_in: list[threading.Thread] = []
    blame = DocumentsDesk.blame

    def held(self: DocumentsDesk, *args: Any, **kwargs: Any) -> Any:
        traced_in.append(threading.current_thread())
        entered.set()
        release.wait(timeout=60)
        return blame(self, *args, **kwargs)

    monkeypatch.setattr(DocumentsDesk, "blame", held)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_draft(pilot)
        await pilot.press("ctrl+p", *"Who wrote")
        await settle(pilot)
        await pilot.press("enter")
        assert await asyncio.to_thread(entered.wait, 60)
        # While the words are traced, the UI still answers: the palette opens and closes.
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press("escape")
        assert app.screen is screen and not legend(screen).display
        release.set()
        await settle(pilot)
        assert legend(screen).display and "Civil society" in plain(legend(screen))
        assert traced_in and threading.main_thread() not in traced_in
        titles = [c.title for c in screen.commands()]
        assert "Plain text" in titles


async def test_the_redline_names_who_made_each_change_by_paragraph_label(
    example_repo: Path, tmp_path: Path
) -> None:
    amended = amended_group(Wg(example_repo), tmp_path)
    edited = Path(example_repo, "drafts/principles.md").read_text()
    edited = edited.replace("security, stability and resilience", "security and stability")
    (tmp_path / "edited.md").write_text(edited)
    amended.wgcli.ok("draft", "import", "principles", "--file", str(tmp_path / "edited.md"),
                     actor=SECRETARIAT)  # fmt: skip
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        redline = await open_redline(pilot, "v1")
        assert plain(redline.query_one("#redline-info")).startswith("3 changes ")
        view = redline.query_one("#redline", RedlineView)
        shown = view.render().plain
        assert (
            "new ¶7bis\n{+Members should act in good faith, see RFC 1 and <b>raw</b>.+}\n"
            f"— amendment {amended.inserted} by {MEMBER_CS} (Civil society)\n"
        ) in shown
        assert "¶8\nThe private sector[-, civil society" in shown
        assert "{+ and all other stakeholders bring distinct expertise+}." in shown
        by_tech = f"amendment {amended.revised} by {MEMBER_TECH} (Technical and academic community)"
        assert f"— {by_tech}, as orally revised\n" in shown
        assert "¶11\nEnhanced cooperation should strengthen the security[-, stability-]" in shown
        assert f"— secretariat edit by {SECRETARIAT}" in shown
        assert "(was" not in shown and "¶9\n" not in shown  # unchanged paragraphs are folded
        assert "(4 unchanged paragraphs)" in shown
        await press(pilot, "c")  # the whole text
        assert "¶9\nProcesses of enhanced cooperation" in view.render().plain
