"""Reservations in the terminal UI, through Textual's Pilot on a real repository: a member
reserves the highlighted paragraph and explains the group's position from the reader's palette,
and the reader shows the reservation under its paragraph."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from textual.widgets import Log

from tests.conftest import MEMBER_CS, MEMBER_GOV, SECRETARIAT, Clones, do_sync, git
from tests.pilot import settle
from tests.test_tui import SIZE, open_draft, open_wg, paragraph_texts, synced
from tests.test_tui_agreement import fill, offered
from wgtool.tui.app import make_app
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.widgets import ParagraphList

pytestmark = pytest.mark.asyncio


async def test_a_member_reserves_a_paragraph_from_the_reader(example_repo: Path) -> None:
    with open_wg(example_repo, SECRETARIAT) as wg:
        wg.procedure.tag("principles", "first-reading", message="Agreed")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.reservations.explain("principles", "We join the consensus.")
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(5)
        commands = offered(reader, app)
        assert "Explain your group's position on principles" in commands
        commands["Reserve ¶5 for your group"].callback()
        await settle(pilot)
        await fill(pilot, {"reason": "Our capital reads [b]access[/b] broadly"})
        assert isinstance(app.screen, DraftScreen)
        shown = paragraph_texts(app.screen)[5]
        assert (
            "⚑ Reservation (first-reading) of governments (rsubramanian): "
            "Our capital reads [b]access[/b] broadly"
        ) in shown
        info = str(app.screen.query_one("#draft-info").render())
        assert "1 reservation(s), 1 explanation(s)" in info
        # A paragraph the version lacks is one notification, and nothing is written.
        app.screen.query_one(ParagraphList).select_paragraph(2)
        offered(app.screen, app)["Reserve ¶2 for your group"].callback()
        await settle(pilot)
        await fill(pilot, {"reason": "On a version that is not", "version": "second"})
        assert any("no version 'second'" in n for n in app.notices)
    with open_wg(example_repo) as wg:
        found = wg.reservations.statements("principles")
    assert [(s.kind, s.event.member, s.event.paragraph) for s in found] == [
        ("explanation", MEMBER_CS, None),
        ("reservation", MEMBER_GOV, "5"),
    ]


async def test_a_sync_from_the_ui_runs_the_clones_hook(clones: Clones, tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    copy = "import shutil, sys; shutil.copyfileobj(sys.stdin, open(sys.argv[1], 'w'))"
    git(clones.b, "config", "wgtool.hook.sync", f'{sys.executable} -c "{copy}" {out}')
    with open_wg(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(clones.amendment, "Our capital agrees.")
    assert not do_sync(clones.a).problems
    app = make_app(clones.b, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await synced(pilot)
        await settle(pilot)
        assert str(dialog.query_one("#sync-result").render()).startswith("Synced")
        log = "\n".join(dialog.query_one("#sync-log", Log).lines)
        assert "sync hook" not in log
    report = json.loads(out.read_text())
    assert report["received"]["events"] == 1 and report["remote"] == "origin"
    git(clones.b, "config", "wgtool.hook.sync", f"{sys.executable} -c 'raise SystemExit(4)'")
    with open_wg(clones.a, MEMBER_GOV) as wg:
        wg.deliberation.comment(clones.amendment, "And again.")
    assert not do_sync(clones.a).problems
    app = make_app(clones.b, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await synced(pilot)
        await settle(pilot)
        log = "\n".join(dialog.query_one("#sync-log", Log).lines)
        assert "the sync hook failed (exit 4)" in log
        assert str(dialog.query_one("#sync-result").render()).startswith("Synced")
