"""A draft beside its translations in the terminal UI (Pilot, a real repository): each
paragraph by label, stale ones marked, Arabic kept as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from tests.conftest import CHAIR, MEMBER_GOV, MEMBER_PS, SECRETARIAT
from tests.pilot import screen_text, settle
from tests.test_tui import SIZE, open_draft, plain, press, show_amendment
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind
from wgtool.core.safe import HIDDEN_CHARACTERS
from wgtool.tui.app import make_app
from wgtool.tui.screens.translation import TranslationScreen

pytestmark = pytest.mark.asyncio

ARABIC_WORDS = "يعترف الفريق العامل بأن الإنترنت أصبحت موردا عالميا."
FRENCH = "# Principes\n\n## Préambule\n\nLe Groupe de travail reconnaît.\n\nDeuxième point.\n"


def translated_and_amended(repo: Path) -> None:
    """French and Arabic translations of principles, then a merge that changes paragraph 1."""
    with WorkingGroup.open(repo, SECRETARIAT) as wg:
        wg.translations.translate("principles", "fr", text=FRENCH)
        wg.translations.translate(
            "principles", "ar", text=f"# مبادئ\n\n## ديباجة\n\n{ARABIC_WORDS}\n"
        )
    with WorkingGroup.open(repo, MEMBER_PS) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=1, text="A shorter first paragraph.",
            rationale="Shorter.",
        ).id  # fmt: skip
    with WorkingGroup.open(repo, MEMBER_GOV) as wg:
        wg.deliberation.position(amendment, "support")
    with WorkingGroup.open(repo, CHAIR) as wg:
        wg.merges.merge(amendment)


def rows(screen: TranslationScreen) -> list[tuple[str, str, str, bool]]:
    """Each row the screen shows: label, authentic text, translation, marked stale."""
    found = []
    for row in screen.query(".translation-row"):
        label, source, target = (plain(w) for w in row.query(Static))
        found.append((label, source, target, row.has_class("stale")))
    return found


async def test_the_draft_beside_its_translation_with_stale_paragraphs_marked(
    example_repo: Path,
) -> None:
    translated_and_amended(example_repo)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await open_draft(pilot)
        await press(pilot, "l")
        screen = app.screen
        assert isinstance(screen, TranslationScreen)
        assert screen.lang == "ar"  # the first language, by code
        info = plain(screen.query_one("#translation-info"))
        assert "en (authentic) | ar · 1 stale" in info

        # Arabic: the very characters of the record, in their logical order, nothing added.
        first = rows(screen)[2]
        assert first[0] == "1." and first[1] == "A shorter first paragraph."
        assert first[2] == f"[stale] {ARABIC_WORDS}" and first[3]
        assert not set(first[2]) & set(HIDDEN_CHARACTERS)
        assert screen.query_one(".translation-target").has_class("rtl")
        assert "يعترف" in screen_text(app)

        await press(pilot, "n")  # the next language: French
        assert screen.lang == "fr"
        shown = rows(screen)
        assert shown[0][0] == "" and shown[0][1].startswith("Overarching principles")
        assert shown[0][2] == "Principes" and shown[1][2] == "Préambule"
        assert shown[2] == (
            "1.",
            "A shorter first paragraph.",
            "[stale] Le Groupe de travail reconnaît.",
            True,
        )
        assert shown[3][0] == "2." and shown[3][2] == "Deuxième point." and not shown[3][3]
        assert shown[4][2] == "(not translated)"
        assert not screen.query_one(".translation-target").has_class("rtl")
        assert "[stale] Le Groupe de travail reconnaît." in screen_text(app)


async def test_a_draft_without_translations_says_so(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await open_draft(pilot)
        await press(pilot, "l")
        screen = app.screen
        assert isinstance(screen, TranslationScreen)
        assert "en, authentic · no translations yet" in plain(screen.query_one("#translation-info"))
        assert not screen.query(".translation-row")


async def test_an_amendment_in_another_language_says_it_awaits_the_authentic_text(
    example_repo: Path,
) -> None:
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        wg.translations.translate("principles", "fr", text=FRENCH)
    with WorkingGroup.open(example_repo, MEMBER_PS) as wg:
        amendment = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph=2, text="Deuxième point, plus court.",
            rationale="Plus court.", language="fr",
        ).id  # fmt: skip
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        summary = plain(screen.query_one("#summary"))
        assert "In fr: awaits the authentic text (en) before it can be merged" in summary
