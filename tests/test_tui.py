"""The terminal UI, driven like a member drives it: Pilot key presses on real git repositories.

Each test starts the app made by the same factory the CLI uses, on a fresh example working group
in a temp dir, and checks the result both on screen and in the record (through the core).
"""

from __future__ import annotations

import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest
from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual.command import CommandPalette
from textual.coordinate import Coordinate
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import (
    DataTable,
    Footer,
    Input,
    Log,
    OptionList,
    Select,
    Static,
    TextArea,
)

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    agreed,
    git,
    written_before_controls_were_refused,
)
from tests.pilot import settle
from wgtool.core import document
from wgtool.core.desks import MergesDesk, WorkingGroup
from wgtool.core.model import Kind, Status
from wgtool.tui import app as tui_app
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.commands.palette import WorkingGroupCommands
from wgtool.tui.render import diff_text, inline_markdown
from wgtool.tui.screens.amendment import AmendmentScreen
from wgtool.tui.screens.dialogs import PositionDialog, TagDialog, TextDialog
from wgtool.tui.screens.drafts import DraftsScreen
from wgtool.tui.screens.help import HelpScreen
from wgtool.tui.screens.members import MemberPicker
from wgtool.tui.screens.merge import MergeScreen
from wgtool.tui.screens.propose import ProposeScreen
from wgtool.tui.screens.queue import QueueScreen
from wgtool.tui.screens.reader import DraftScreen
from wgtool.tui.screens.sync import SyncScreen
from wgtool.tui.screens.versions import RedlineScreen, VersionsScreen
from wgtool.tui.widgets import ChangesView, CommentThread, ConsensusMatrix, DiffView, ParagraphList

pytestmark = pytest.mark.asyncio

SIZE = (80, 24)
MARKUP_COMMENT = "[red]x[/red] <b>bold</b> \x1b[31mred\x1b[0m **not bold** [link](x)"


# -- helpers ---------------------------------------------------------------------------------------


async def press(pilot: Pilot[None], *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


def open_wg(repo: Path, actor: str | None = None) -> WorkingGroup:
    return WorkingGroup.open(repo, actor)


def propose(
    repo: Path, actor: str, paragraph: int, old: str, new: str, rationale: str = "Clearer."
) -> str:
    with open_wg(repo, actor) as wg:
        text = document.paragraph(wg.drafts.draft("principles").text, paragraph).text
        assert old in text
        return wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=paragraph,
            text=text.replace(old, new, 1),
            rationale=rationale,
            title=f"Say {new}",
        ).id


def merged(repo: Path, actor: str, paragraph: int, old: str, new: str) -> str:
    """An amendment proposed, agreed by another group and merged by the chair; its id."""
    amendment = propose(repo, actor, paragraph, old, new)
    with open_wg(repo, CHAIR) as wg:
        wg.merges.merge(agreed(wg, amendment))
    return amendment


def inserted(view: DiffView) -> list[str]:
    """The inserted pieces a diff view shows (between its {+ +} markers), stripped."""
    import re

    return [m.strip(" ,") for m in re.findall(r"\{\+(.*?)\+\}", view.render().plain, re.S)]


def plain(widget: object) -> str:
    """What a widget shows, as plain text (Static renders Content, other widgets Text)."""
    rendered = widget.render()  # type: ignore[attr-defined]
    return str(rendered.plain if hasattr(rendered, "plain") else rendered)


def shown(container: Widget) -> str:
    """What a container's Static widgets show, one after the other, as plain text."""
    return "\n".join(plain(w) for w in container.query(Static))


def notifications(app: WgApp) -> list[str]:
    """The messages of the notifications the app showed, in order (kept by the app: a toast
    expires after seconds, and a loaded machine can take longer than that to check it)."""
    return list(app.notices)


def footer_descriptions(app: WgApp) -> list[str]:
    """What the footer shows after each key (``^s Merge`` shows ``Merge``)."""
    footer = app.screen.query_one(Footer)
    return [
        part[1].strip()
        for key in footer.query("FooterKey")
        if len(part := plain(key).split(None, 1)) == 2
    ]


async def open_queue(pilot: Pilot[None]) -> tuple[QueueScreen, DataTable[object]]:
    """The amendment queue (a) and its table."""
    await press(pilot, "a")
    queue = pilot.app.screen
    assert isinstance(queue, QueueScreen)
    return queue, queue.query_one("#queue", DataTable)


async def open_amendment(pilot: Pilot[None], amendment_id: str) -> AmendmentScreen:
    """From the first screen: the amendment queue, then the amendment (as a member would)."""
    _, table = await open_queue(pilot)
    table.move_cursor(row=table.get_row_index(amendment_id))
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, AmendmentScreen)
    assert screen.view is not None and screen.view.amendment.id == amendment_id
    return screen


async def show_amendment(pilot: Pilot[None], amendment_id: str) -> AmendmentScreen:
    """The amendment's screen, opened directly (the queue's own test opens it from the queue)."""
    screen = AmendmentScreen(amendment_id)
    await pilot.app.push_screen(screen)
    await settle(pilot)
    assert pilot.app.screen is screen
    assert screen.view is not None and screen.view.amendment.id == amendment_id
    return screen


async def open_merge(pilot: Pilot[None], amendment_id: str, mode: str) -> MergeScreen:
    """The amendment's screen, then its merge screen (m), showing ``mode``."""
    await show_amendment(pilot, amendment_id)
    await press(pilot, "m")
    merge = pilot.app.screen
    assert isinstance(merge, MergeScreen) and merge.mode == mode
    return merge


async def open_draft(pilot: Pilot[None], slug: str = "principles") -> DraftScreen:
    table = pilot.app.screen.query_one("#drafts", DataTable)
    table.move_cursor(row=table.get_row_index(slug))
    await press(pilot, "enter")
    screen = pilot.app.screen
    assert isinstance(screen, DraftScreen)
    return screen


async def open_redline(pilot: Pilot[None], version: str) -> RedlineScreen:
    """From the drafts: the versions of the highlighted draft (v), then the redline from
    ``version`` (highlighted, d)."""
    await press(pilot, "v")
    versions = pilot.app.screen
    assert isinstance(versions, VersionsScreen)
    table = versions.query_one("#versions", DataTable)
    table.move_cursor(row=table.get_row_index(version))
    await press(pilot, "d")
    redline = pilot.app.screen
    assert isinstance(redline, RedlineScreen)
    return redline


def paragraph_texts(screen: DraftScreen) -> dict[int, str]:
    """What the reader shows for each paragraph number, as plain text."""
    from rich.console import Console

    paragraphs = screen.query_one(ParagraphList)
    console = Console(width=200, record=True, color_system=None)
    shown = {}
    for index in range(paragraphs.option_count):
        option = paragraphs.get_option_at_index(index)
        if option.id and option.id.startswith("p"):
            with console.capture() as capture:
                console.print(option.prompt)
            shown[int(option.id[1:])] = " ".join(capture.get().split())
    return shown


# -- the flows -------------------------------------------------------------------------------------


async def test_first_screen_paints_before_the_record_is_read(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        # Before any worker finished, the first screen is there (with its loading state).
        assert isinstance(app.screen, DraftsScreen)
        await settle(pilot)
        table = app.screen.query_one("#drafts", DataTable)
        assert [str(k.value) for k in table.rows] == ["principles", "roles"]
        assert "mchen" in app.sub_title
        assert app.member is not None and app.member.handle == MEMBER_TECH


async def test_a_member_proposes_an_amendment_to_paragraph_n(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(5)
        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, ProposeScreen) and form.paragraph == 5
        text = form.query_one("#text", TextArea)
        text.text = text.text.replace("single, open, global", "single, open, secure, global")
        form.query_one("#rationale", TextArea).text = "Security belongs among the properties."
        await press(pilot, "ctrl+s")  # first review: the word diff of what will be sent
        preview = form.query_one("#preview", DiffView)
        assert preview.display
        assert "secure" in inserted(preview)
        with open_wg(example_repo) as wg:
            assert wg.amendments.amendments() == []  # nothing is sent before the member confirms
        await press(pilot, "ctrl+s")
        screen = app.screen
        assert isinstance(screen, AmendmentScreen)
        with open_wg(example_repo) as wg:
            [amendment] = wg.amendments.amendments()
        assert amendment.paragraph == 5 and amendment.proposer == MEMBER_TECH
        assert amendment.kind is Kind.REPLACE
        assert screen.view is not None and screen.view.amendment.id == amendment.id
        assert "secure" in inserted(screen.query_one("#change", DiffView))
        assert f"Proposed amendment {amendment.id}" in notifications(app)
        # Back in the reader, paragraph 5 counts one open amendment.
        await press(pilot, "escape")
        assert isinstance(app.screen, DraftScreen)
        assert app.screen.open_counts == {5: 1}
        assert "1 open" in paragraph_texts(app.screen)[5]


async def test_proposing_can_insert_or_delete(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(3)
        await press(pilot, "p")
        form = app.screen
        assert isinstance(form, ProposeScreen)
        await pilot.click("#kind-delete")
        await settle(pilot)
        assert not form.query_one("#text").display
        await press(pilot, "ctrl+s")  # no rationale: the core's own words, nothing sent
        assert "rationale is empty: give some text" in notifications(app)
        assert not form.query_one("#preview").display
        form.query_one("#rationale", TextArea).text = "Redundant."
        await press(pilot, "ctrl+s")
        assert form.query_one("#preview", DiffView).render().plain.startswith("[-Mindful")
        await press(pilot, "ctrl+s")
    with open_wg(example_repo) as wg:
        [amendment] = wg.amendments.amendments()
    assert amendment.kind is Kind.DELETE and amendment.paragraph == 3


async def test_a_second_member_supports_it(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, MEMBER_CS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await open_amendment(pilot, amendment)
        await press(pilot, "p")
        dialog = app.screen
        assert isinstance(dialog, PositionDialog)
        dialog.query_one("#reason", Input).value = "Good for users."
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        assert screen.view is not None
        civil = next(g for g in screen.view.consensus.groups if g.group == "civil-society")
        assert civil.state == "support"
        matrix = screen.query_one(ConsensusMatrix)
        assert matrix.consensus is screen.view.consensus
        assert screen.view.consensus.state == "consensus"
    with open_wg(example_repo) as wg:
        [event] = [e for e in wg.deliberation.events(amendment) if e.type == "position"]
    assert (event.member, event.stance, event.text) == (MEMBER_CS, "support", "Good for users.")


async def test_the_chair_merges_it_and_the_draft_shows_the_new_text(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.position(amendment, "support")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        assert "Merge" in footer_descriptions(app)
        await press(pilot, "m")
        merge = app.screen
        assert isinstance(merge, MergeScreen) and merge.mode == "proposed"
        consensus = plain(merge.query_one("#merge-consensus"))
        assert consensus.startswith("Consensus: reached (rule:")
        assert "supporting: Civil society" in consensus
        preview = merge.query_one("#merge-preview", ChangesView)
        assert [c.label for c in preview.changes] == ["¶5"]
        assert preview.render().plain.startswith("¶5\n")
        assert "secure" in inserted(preview)
        assert str(merge.query_one("#merge-button").label) == "Merge (ctrl+s)"
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        assert screen.view is not None and screen.view.amendment.status is Status.MERGED
        await press(pilot, "escape")  # the queue
        await press(pilot, "escape")  # the drafts
        reader = await open_draft(pilot)
        assert "single, secure, open" in paragraph_texts(reader)[5]
        assert reader.open_counts == {}
    with open_wg(example_repo) as wg:
        merged = wg.amendments.amendment(amendment)
    assert merged.merged_by == CHAIR
    assert merged.adoption is not None and merged.adoption.consensus == "reached"


async def test_the_chair_merges_as_orally_revised(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo) as wg:
        agreed(wg, amendment)
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_amendment(pilot, amendment)
        provider = WorkingGroupCommands(app.screen)
        assert "Merge this amendment" in [hit.text async for hit in provider.search("merge")]
        await press(pilot, "m")
        merge = app.screen
        assert isinstance(merge, MergeScreen)
        await press(pilot, "ctrl+r")
        editor = merge.query_one("#editor", TextArea)
        assert "single, secure, open" in editor.text
        editor.text = editor.text.replace("single, secure, open", "single, safe, open")
        await press(pilot, "ctrl+s")  # review the revised text
        assert isinstance(app.screen, MergeScreen)
        assert "safe" in inserted(merge.query_one("#merge-preview", DiffView))
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AmendmentScreen)
    with open_wg(example_repo) as wg:
        assert "single, safe, open" in wg.drafts.draft("principles").text
        assert wg.amendments.amendment(amendment).status is Status.MERGED


async def test_a_conflict_shows_both_sides_and_the_chair_resolves_it(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    second = propose(example_repo, MEMBER_PS, 5, "single, open", "single, free, open")
    with open_wg(example_repo, CHAIR) as wg:
        wg.merges.merge(agreed(wg, first))
        agreed(wg, second)
        now = document.paragraph(wg.drafts.draft("principles").text, 5).text
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        merge = await open_merge(pilot, second, "conflict")
        conflicts = shown(merge.query_one("#conflicts"))
        assert "conflicts with the current text in ¶5" in conflicts
        assert "the draft now reads:" in conflicts and "secure" in conflicts
        assert "the amendment has:" in conflicts and "free" in conflicts
        editor = merge.query_one("#editor", TextArea)
        assert editor.text == now  # the conflicting paragraph as it stands now, nothing else
        assert app.focused is editor
        editor.text = editor.text.replace("single, secure, open", "single, secure, free, open")
        await press(pilot, "ctrl+s")  # review the resolution
        preview = merge.query_one("#merge-preview", ChangesView)
        assert [c.label for c in preview.changes] == ["¶5"]
        assert inserted(preview) == ["free"]
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AmendmentScreen)
    with open_wg(example_repo) as wg:
        assert "single, secure, free, open" in wg.drafts.draft("principles").text
        assert wg.amendments.amendment(second).status is Status.MERGED
    assert "Resolved-by: lhaddad" in git(example_repo, "log", "-1", "--format=%B", "main")


async def test_a_merge_without_consensus_asks_for_the_chairs_reason(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo, MEMBER_PS) as wg:
        wg.deliberation.position(amendment, "object", reason="Not now.")
    before = git(example_repo, "rev-parse", "main")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        await press(pilot, "m")
        merge = app.screen
        assert isinstance(merge, MergeScreen) and merge.mode == "proposed"
        consensus = plain(merge.query_one("#merge-consensus"))
        assert consensus.startswith("Consensus: not reached: a group objects")
        assert "objecting: Private sector" in consensus and "supporting: none" in consensus
        assert "Objection: kwatanabe (Private sector): Not now." in consensus  # why, for the chair
        button = merge.query_one("#merge-button")
        assert str(button.label) == "Merge without consensus… (ctrl+s)"  # type: ignore[attr-defined]
        # An empty reason cancels: nothing is written.
        await press(pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        assert isinstance(dialog.query_one("#dialog-text"), Input)
        await press(pilot, "ctrl+s")
        assert app.screen is merge
        assert "Not merged: merging without consensus needs a reason" in notifications(app)
        assert git(example_repo, "rev-parse", "main") == before
        # With a reason it merges, and the merge commit records the override.
        await press(pilot, "ctrl+s")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        dialog.query_one(Input).value = "Agreed orally in the plenary."
        await press(pilot, "ctrl+s")
        assert app.screen is screen and screen.view is not None
        assert screen.view.amendment.status is Status.MERGED
        decision = plain(screen.query_one("#decision"))
        assert "consensus overridden" in decision
        assert "reason: Agreed orally in the plenary." in decision
    message = git(example_repo, "log", "-1", "--format=%B", "main")
    assert f"Amendment-Id: {amendment}" in message
    assert "Consensus: overridden" in message
    assert "Objecting-Groups: private-sector" in message
    assert "Override-Reason: Agreed orally in the plenary." in message


def _conflicting_document_amendment(repo: Path) -> tuple[str, str]:
    """main changed ¶5; a whole-draft amendment changes the same words of ¶5 and, cleanly,
    ¶6. Returns the amendment's id and its text of ¶6."""
    first = propose(repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(repo, MEMBER_PS) as wg:
        text = wg.drafts.draft("principles").text
        p5, p6 = document.paragraph(text, 5).text, document.paragraph(text, 6).text
        their6 = p6.replace("right to privacy", "right to privacy and data protection")
        second = wg.amendments.propose(
            "principles",
            kind=Kind.DOCUMENT,
            paragraph=None,
            text=text.replace(p5, p5.replace("single, open", "single, free, open")).replace(
                p6, their6
            ),
            rationale="Freedom; data protection.",
        ).id
    with open_wg(repo, CHAIR) as wg:
        wg.merges.merge(agreed(wg, first))
        agreed(wg, second)
    return second, their6


async def test_resolving_a_conflict_edits_only_its_paragraphs(example_repo: Path) -> None:
    amendment, their6 = _conflicting_document_amendment(example_repo)
    with open_wg(example_repo) as wg:
        current = wg.drafts.draft("principles").text
    now5 = document.paragraph(current, 5).text
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        merge = await open_merge(pilot, amendment, "conflict")
        conflicts = shown(merge.query_one("#conflicts"))
        assert "¶5" in conflicts and "¶6" not in conflicts
        assert "where the draft now has “, secure,” and the amendment “, free,”" in conflicts
        editor = merge.query_one("#editor", TextArea)
        assert editor.text == now5  # only the conflicting paragraph, not the draft
        resolution = now5.replace("single, secure, open", "single, secure, free, open")
        editor.text = resolution
        await press(pilot, "ctrl+s")
        preview = merge.query_one("#merge-preview", ChangesView)
        assert preview.display
        # The review shows the whole merge: the resolution and the amendment's clean change.
        assert [c.label for c in preview.changes] == ["¶5", "¶6"]
        free, data = inserted(preview)
        assert free == "free" and "data protection" in data
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AmendmentScreen)
    expected = document.replace_paragraph(
        document.replace_paragraph(current, 5, resolution), 6, their6
    )
    with open_wg(example_repo) as wg:
        assert wg.drafts.draft("principles").text == expected
        assert wg.amendments.amendment(amendment).status is Status.MERGED


async def test_a_resolution_the_core_refuses_keeps_the_typed_text(example_repo: Path) -> None:
    amendment, _ = _conflicting_document_amendment(example_repo)
    before = git(example_repo, "rev-parse", "main")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        merge = await open_merge(pilot, amendment, "conflict")
        editor = merge.query_one("#editor", TextArea)
        typed = editor.text + "\n\nA paragraph of my own."
        editor.text = typed
        for _ in range(2):  # neither a review nor a merge
            await press(pilot, "ctrl+s")
            assert app.screen is merge and merge.mode == "conflict"
            assert editor.text == typed
            assert not merge.query_one("#merge-preview").display
        assert any(
            n.startswith("the resolution holds 2 paragraph(s) but the conflict is in ¶5")
            for n in notifications(app)
        )
    assert git(example_repo, "rev-parse", "main") == before


async def type_a_resolution(
    pilot: Pilot[None], amendment: str
) -> tuple[MergeScreen, TextArea, str]:
    """The merge screen of a conflicting amendment with the chair's resolution typed: the
    screen, its editor and the text typed."""
    merge = await open_merge(pilot, amendment, "conflict")
    editor = merge.query_one("#editor", TextArea)
    typed = editor.text.replace("single, secure, open", "single, secure, free, open")
    editor.text = typed
    return merge, editor, typed


async def test_a_resolution_on_a_draft_that_moved_is_looked_at_again(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The draft moves between the chair's review and merge, quicker than the app's watch of
    the record notices it (which here never looks): the merge itself finds out."""
    monkeypatch.setattr(tui_app, "WATCH_INTERVAL", 3600.0)
    amendment, _ = _conflicting_document_amendment(example_repo)
    other = propose(example_repo, MEMBER_CS, 9, "transparent", "open")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        merge, editor, typed = await type_a_resolution(pilot, amendment)
        await press(pilot, "ctrl+s")  # reviewed ...
        with open_wg(example_repo, CHAIR) as wg:  # ... when another merge moves main
            wg.merges.merge(agreed(wg, other))
            moved = wg.record.main()
        await press(pilot, "ctrl+s")
        assert app.screen is merge and merge.mode == "conflict"
        assert any(n.startswith("the draft changed while you resolved") for n in notifications(app))
        assert merge.view is not None and merge.view.plan.main == moved
        assert editor.text == typed  # the chair's work is kept, to be reviewed again
        assert not merge.query_one("#merge-preview").display
        await press(pilot, "ctrl+s")
        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, AmendmentScreen)
    with open_wg(example_repo) as wg:
        text = wg.drafts.draft("principles").text
    assert "single, secure, free, open" in text and "should be open, inclusive" in text


@pytest.mark.parametrize("conflict", [False, True], ids=["preview", "conflict"])
async def test_a_slow_preview_still_gets_the_focus(
    example_repo: Path, monkeypatch: pytest.MonkeyPatch, conflict: bool
) -> None:
    """While a screen loads, its widgets cannot take the focus; once loaded, the focus goes
    where the screen means it: the merge button, or the editor of a conflict."""
    if conflict:
        amendment, _ = _conflicting_document_amendment(example_repo)
    else:
        amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    release = threading.Event()
    plan_merge = MergesDesk.plan_merge

    def held(self: MergesDesk, *args: Any, **kwargs: Any) -> Any:
        release.wait(timeout=30)
        return plan_merge(self, *args, **kwargs)

    monkeypatch.setattr(MergesDesk, "plan_merge", held)
    monkeypatch.setattr(tui_app, "LOADING_DELAY", 0.001)
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await show_amendment(pilot, amendment)
        await pilot.press("m")
        merge = app.screen
        assert isinstance(merge, MergeScreen)
        body = merge.query_one("#merge")
        for _ in range(300):  # until the loading indicator is up (the worker waits for it)
            if body.loading:
                break
            await pilot.pause(0.01)
        assert body.loading
        release.set()
        await settle(pilot)
        assert merge.mode == ("conflict" if conflict else "proposed") and not body.loading
        assert app.focused is merge.query_one("#editor" if conflict else "#merge-button")


async def test_the_chair_reverts_a_merged_amendment(example_repo: Path) -> None:
    still_open = propose(example_repo, MEMBER_CS, 9, "transparent", "open")
    amendment = merged(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # An open amendment cannot be reverted: no key, and the key says why.
        await show_amendment(pilot, still_open)
        assert "Revert" not in footer_descriptions(app)
        await press(pilot, "u")
        assert f"cannot revert amendment {still_open}: it is open, not merged" in notifications(app)
        await press(pilot, "escape")
        screen = await open_amendment(pilot, amendment)
        assert "Merged by lhaddad · consensus reached" in plain(screen.query_one("#decision"))
        assert "Revert" in footer_descriptions(app)
        provider = WorkingGroupCommands(app.screen)
        assert "Revert this amendment" in [hit.text async for hit in provider.search("revert")]
        await press(pilot, "u")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        await press(pilot, "ctrl+s")  # a revert needs a reason
        assert app.screen is dialog
        dialog.query_one(TextArea).text = "Adopted by mistake."
        await press(pilot, "ctrl+s")
        assert app.screen is screen and screen.view is not None
        assert screen.view.amendment.status is Status.REVERTED
        decision = plain(screen.query_one("#decision"))
        assert decision.startswith("Reverted by lhaddad")
        assert "Merged by lhaddad" in decision
        assert "Revert" not in footer_descriptions(app)
        assert f"Reverted amendment {amendment}" in notifications(app)
        await press(pilot, "escape")  # the queue shows it as reverted, in words
        queue = app.screen
        assert isinstance(queue, QueueScreen)
        table = queue.query_one("#queue", DataTable)
        status = table.get_cell(amendment, "status")
        assert status.plain == "reverted"
    with open_wg(example_repo) as wg:
        assert "single, open" in wg.drafts.draft("principles").text
        assert "secure" not in document.paragraph(wg.drafts.draft("principles").text, 5).text
    message = git(example_repo, "log", "-1", "--format=%B", "main")
    assert f"Reverts-Amendment: {amendment}" in message and "Adopted by mistake." in message


async def test_a_revert_the_core_refuses_is_one_line(example_repo: Path) -> None:
    amendment = merged(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    # A later merge changes the same words: the revert would conflict.
    merged(example_repo, MEMBER_PS, 5, "single, secure, open", "single, safe, open")
    before = git(example_repo, "rev-parse", "main")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        await press(pilot, "u")
        assert isinstance(app.screen, TextDialog)
        app.screen.query_one(TextArea).text = "Adopted by mistake."
        await press(pilot, "ctrl+s")
        assert app.screen is screen
        [refusal] = [n for n in notifications(app) if "revert" in n]
        assert refusal.startswith(f"reverting amendment {amendment} conflicts with later changes")
        assert "\n" not in refusal
    assert git(example_repo, "rev-parse", "main") == before


async def test_only_the_chair_may_revert(example_repo: Path) -> None:
    amendment = merged(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    before = git(example_repo, "rev-parse", "main")
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        assert "Revert" not in footer_descriptions(app)
        titles = [c.title for c in screen.commands() if c.needs is None or app.allows(c.needs)]
        assert "Revert this amendment" not in titles
        await press(pilot, "u")
        assert app.screen is screen
        assert "revert needs the chair role; rsubramanian is member" in notifications(app)
    assert git(example_repo, "rev-parse", "main") == before


async def test_a_lapsed_amendment_shows_as_lapsed_and_cannot_be_merged(example_repo: Path) -> None:
    lapsing = propose(example_repo, MEMBER_GOV, 17, "periodic review", "annual review")
    with open_wg(example_repo, MEMBER_TECH) as wg:
        removal = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=17, rationale="Belongs in the mandate."
        ).id
    with open_wg(example_repo, CHAIR) as wg:
        agreed(wg, lapsing)  # consensus does not make it mergeable once it has lapsed
        wg.merges.merge(agreed(wg, removal))
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue, table = await open_queue(pilot)
        assert table.get_cell(lapsing, "status").plain == "lapsed"
        queue.query_one("#f-status", Select).value = "lapsed"
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == [lapsing]
        await press(pilot, "enter")
        screen = app.screen
        assert isinstance(screen, AmendmentScreen)
        assert " · lapsed · " in plain(screen.query_one("#summary"))
        assert plain(screen.query_one("#decision")).startswith(
            "Lapsed: its paragraph is no longer in the draft."
        )
        shown_keys = footer_descriptions(app)
        assert "Merge" not in shown_keys and "Reject" in shown_keys
        titles = [c.title for c in screen.commands() if c.needs is None or app.allows(c.needs)]
        assert "Merge this amendment" not in titles and "Reject this amendment" in titles
        await press(pilot, "m")
        assert app.screen is screen
        assert (
            f"cannot merge amendment {lapsing}: its paragraph is no longer in the draft"
            in notifications(app)
        )
    with open_wg(example_repo) as wg:
        assert wg.amendments.amendment(lapsing).status is Status.LAPSED


async def test_a_member_is_refused_the_chairs_actions(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        # Not offered: no key in the footer ...
        shown = footer_descriptions(app)
        assert "Position" in shown and "Merge" not in shown and "Reject" not in shown
        # ... and nothing in the command palette.
        titles = [c.title for c in screen.commands() if c.needs is None or app.allows(c.needs)]
        assert "Take a position" in titles
        assert not any("Merge" in t or "Reject" in t for t in titles)
        await press(pilot, "ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await pilot.press(*"merge")
        await settle(pilot)
        hits = app.screen.query_one(OptionList)
        prompts = [str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)]
        assert not any("Merge" in p for p in prompts)
        await press(pilot, "escape")
        # An attempt is refused with the core's own words, and nothing is written.
        await press(pilot, "m")
        assert app.screen is screen
        assert "merge needs the chair role; rsubramanian is member" in notifications(app)
        await press(pilot, "x")
        assert "reject needs the chair role; rsubramanian is member" in notifications(app)
        # Someone else's amendment cannot be withdrawn either.
        await press(pilot, "w")
        assert f"only the proposer (mchen) can withdraw amendment {amendment}" in notifications(app)
        # Nor is the member offered the secretariat's tagging.
        await press(pilot, "escape")
        await press(pilot, "v")
        assert isinstance(app.screen, VersionsScreen)
        assert "Tag version" not in footer_descriptions(app)
        await press(pilot, "t")
        assert "tag needs the secretariat role; rsubramanian is member" in notifications(app)
    with open_wg(example_repo) as wg:
        assert wg.amendments.amendment(amendment).status is Status.OPEN
        assert wg.drafts.versions("principles") == []


async def test_the_chair_rejects_with_a_reason(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    app = make_app(example_repo, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        await press(pilot, "x")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        await press(pilot, "ctrl+s")  # an empty reason is refused before anything is sent
        assert app.screen is dialog
        dialog.query_one(TextArea).text = "Out of scope."
        await press(pilot, "ctrl+s")
        assert app.screen is screen and screen.view is not None
        assert screen.view.amendment.status is Status.REJECTED
        assert "Out of scope." in plain(screen.query_one("#decision"))
        assert "Merge" not in footer_descriptions(app)
        await press(pilot, "m")
        assert f"cannot merge amendment {amendment}: it is rejected" in notifications(app)


async def test_the_proposer_comments_revises_and_withdraws(example_repo: Path) -> None:
    amendment = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.comment(amendment, "Why secure?")
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        assert {"Revise", "Withdraw", "Reply"} <= set(footer_descriptions(app))
        await press(pilot, "r")
        dialog = app.screen
        assert isinstance(dialog, TextDialog)
        dialog.query_one(TextArea).text = "Because it is."
        await press(pilot, "ctrl+s")
        threads = screen.query_one(CommentThread).threads
        assert [r.comment.text for r in threads[0].replies] == ["Because it is."]
        await press(pilot, "e")
        form = app.screen
        assert isinstance(form, ProposeScreen.__mro__[1])  # the amendment form
        text = form.query_one("#text", TextArea)
        assert "single, secure, open" in text.text
        text.text = text.text.replace("single, secure, open", "single, open, secure")
        await press(pilot, "ctrl+s")
        await press(pilot, "ctrl+s")
        assert app.screen is screen and screen.view is not None
        assert screen.view.amendment.revision == 2
        await press(pilot, "w")
        await press(pilot, "ctrl+s")
        assert screen.view.amendment.status is Status.WITHDRAWN
    with open_wg(example_repo) as wg:
        assert wg.amendments.amendment(amendment).status is Status.WITHDRAWN


async def test_the_secretariat_tags_a_version_and_reads_the_redline(example_repo: Path) -> None:
    app = make_app(example_repo, SECRETARIAT)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "v")
        versions = app.screen
        assert isinstance(versions, VersionsScreen)
        assert "Tag version" in footer_descriptions(app)
        await press(pilot, "t")
        dialog = app.screen
        assert isinstance(dialog, TagDialog)
        dialog.query_one("#version-name", Input).value = "v1"
        dialog.query_one("#version-message", TextArea).text = "First reading"
        await press(pilot, "ctrl+s")
        assert app.screen is versions
        table = versions.query_one("#versions", DataTable)
        assert [str(k.value) for k in table.rows] == ["v1"]
        with open_wg(example_repo) as wg:
            [version] = wg.drafts.versions("principles")
        assert (version.name, version.message.splitlines()[0]) == ("v1", "First reading")
        # A change after the tag shows in the redline from v1 to the current text.
        propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
        with open_wg(example_repo, CHAIR) as wg:
            [amendment] = wg.amendments.amendments()
            wg.merges.merge(agreed(wg, amendment.id))
        await press(pilot, "enter")
        redline = app.screen
        assert isinstance(redline, RedlineScreen)
        assert "secure" in inserted(redline.query_one("#redline", DiffView))
        assert redline.query_one("#redline-from", Select).value == "v1"
        assert plain(redline.query_one("#redline-info")).startswith("1 change ")
        # Choosing another end reads the redline again, once.
        redline.query_one("#redline-to", Select).value = "v1"
        await settle(pilot)
        assert (redline.old, redline.new) == ("v1", "v1")
        assert plain(redline.query_one("#redline-info")).startswith("0 changes ")
        assert redline.query_one("#redline-from", Select).value == "v1"


async def test_member_text_is_shown_literally(example_repo: Path) -> None:
    amendment = propose(
        example_repo,
        MEMBER_TECH,
        5,
        "single, open",
        "single, secure, open",
        rationale="[bold]rationale[/bold] <i>x</i>",
    )
    with open_wg(example_repo, MEMBER_CS) as wg, written_before_controls_were_refused():
        wg.deliberation.comment(amendment, MARKUP_COMMENT)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        screen = await show_amendment(pilot, amendment)
        thread = screen.query_one(CommentThread)
        literal = "[red]x[/red] <b>bold</b> \\x1b[31mred\\x1b[0m **not bold** [link](x)"
        assert literal in thread.plain()
        assert "\x1b" not in thread.plain()
        rendered = thread.render()
        assert isinstance(rendered, Group)
        texts = [
            part.renderable
            for part in rendered.renderables
            if isinstance(part, Padding) and isinstance(part.renderable, Text)
        ]
        assert len(texts) == len(rendered.renderables)
        assert not any(
            "red" in str(span.style) or "bold" == str(span.style)
            for t in texts[1::2]
            for span in t.spans
        )  # the comments themselves
        assert plain(screen.query_one("#amendment-rationale")) == (
            "[bold]rationale[/bold] <i>x</i>"
        )
        # The whole screen, as the terminal would get it: no raw escape from the comment.
        assert "\x1b[31mred" not in app.export_screenshot()


async def test_markup_in_drafts_and_diffs_stays_text() -> None:
    shown = inline_markdown("Some *emphasis* and [red]x[/red] <b>b</b> \x1b]0;title\x07")
    assert shown.plain == "Some emphasis and [red]x[/red] <b>b</b> \\x1b]0;title\\x07"
    from wgtool.core.text import word_diff

    diff = diff_text(word_diff("a [b] c", "a [red]d[/red] c"))
    assert diff.plain == "a [[-b-]{+red]d[/red+}] c"


async def test_core_errors_are_notifications_not_tracebacks(example_repo: Path) -> None:
    app = make_app(example_repo, "nobody")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        # In the UI's own words: its command palette, not a command line.
        assert "no member 'nobody' in the roster: ctrl+p Roster lists them" in notifications(app)
        assert app.member is None and "read only" in app.sub_title
        assert isinstance(app.screen, DraftsScreen)  # the UI goes on, read only
        await open_draft(pilot)
        assert "Propose" not in footer_descriptions(app)


async def test_the_queue_filters_and_sorts(example_repo: Path) -> None:
    first = propose(example_repo, MEMBER_TECH, 5, "single, open", "single, secure, open")
    second = propose(example_repo, MEMBER_CS, 6, "right to privacy", "right to privacy and data")
    with open_wg(example_repo, MEMBER_CS) as wg:
        wg.deliberation.withdraw(second)
    app = make_app(example_repo, MEMBER_GOV)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        queue, table = await open_queue(pilot)
        assert {str(k.value) for k in table.rows} == {first, second}
        queue.query_one("#f-status", Select).value = "withdrawn"
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == [second]
        queue.query_one("#f-status", Select).clear()
        await settle(pilot)
        assert table.row_count == 2
        await press(pilot, "slash")
        await pilot.press(*"secure")
        await settle(pilot)
        assert [str(k.value) for k in table.rows] == [first]
        await press(pilot, "enter")  # leave the search field for the table
        assert app.focused is table
        await press(pilot, "c")
        assert table.row_count == 2
        queue.sort_by("status", reverse=True)
        await settle(pilot)
        first_row = table.coordinate_to_cell_key(Coordinate(0, 0)).row_key.value
        assert first_row == second  # "withdrawn" after "open", reversed


async def test_help_and_the_palette(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "f1")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        await press(pilot, "escape")
        assert isinstance(app.screen, DraftsScreen)
        provider = WorkingGroupCommands(app.screen)
        titles = [hit.text async for hit in provider.discover()]
        assert "Amendment queue" in titles and "Read draft principles" in titles
        assert "Act as another member" not in titles  # only in the demo


async def test_the_demo_member_picker_acts_as_anyone(example_repo: Path) -> None:
    app = make_app(example_repo, None, demo=True)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        picker = app.screen
        assert isinstance(picker, MemberPicker)  # nobody is acting yet: choose
        options = picker.query_one(OptionList)
        for _ in range(50):  # the roster arrives from the picker's own worker
            if options.option_count:
                break
            await pilot.pause(0.02)
        options.highlighted = options.get_option_index(SECRETARIAT)
        await press(pilot, "enter")
        assert app.member is not None and app.member.handle == SECRETARIAT
        assert "secretariat" in app.sub_title
        await press(pilot, "f2")
        picker = app.screen
        assert isinstance(picker, MemberPicker)
        options = picker.query_one(OptionList)
        options.highlighted = options.get_option_index(CHAIR)
        await press(pilot, "enter")
        assert app.member is not None and app.member.handle == CHAIR


async def synced(pilot: Pilot[None]) -> SyncScreen:
    """Open the sync dialog with ``s`` once the UI is at rest, and sync (ctrl+s)."""
    await settle(pilot)
    await press(pilot, "s")
    dialog = pilot.app.screen
    assert isinstance(dialog, SyncScreen)
    await press(pilot, "ctrl+s")
    return dialog


async def test_sync_with_a_remote_shows_progress_and_the_result(
    example_repo: Path, tmp_path: Path
) -> None:
    origin = tmp_path / "origin.git"
    other = tmp_path / "other"
    subprocess.run(
        ["git", "clone", "--quiet", "--bare", str(example_repo), str(origin)], check=True
    )
    subprocess.run(
        ["git", "-C", str(example_repo), "remote", "add", "origin", str(origin)], check=True
    )
    subprocess.run(["git", "clone", "--quiet", str(origin), str(other)], check=True)
    from wgtool.core.exchange.sync import sync

    with open_wg(other, MEMBER_PS) as wg:
        sync(wg)
        text = document.paragraph(wg.drafts.draft("principles").text, 5).text
        remote_amendment = wg.amendments.propose(
            "principles",
            kind=Kind.REPLACE,
            paragraph=5,
            text=text + " Really.",
            rationale="Emphasis.",
        ).id
        sync(wg)
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await synced(pilot)
        assert plain(dialog.query_one("#sync-result")).startswith("Synced")
        log = "\n".join(dialog.query_one("#sync-log", Log).lines)
        assert "Syncing with origin" in log
        await press(pilot, "escape")
        await press(pilot, "a")
        table = app.screen.query_one("#queue", DataTable)
        assert remote_amendment in [str(k.value) for k in table.rows]


async def test_a_diverged_main_is_explained_in_the_uis_words(
    example_repo: Path, tmp_path: Path
) -> None:
    """The sync engine says main diverged; what to do about it is the UI's own sentence, which
    names no flag of the command line."""
    origin = tmp_path / "origin.git"
    other = tmp_path / "other"
    git(tmp_path, "clone", "--quiet", "--bare", str(example_repo), str(origin))
    git(example_repo, "remote", "add", "origin", str(origin))
    git(tmp_path, "clone", "--quiet", str(origin), str(other))
    for repo, slug in ((other, "charter"), (example_repo, "agenda")):
        with open_wg(repo, SECRETARIAT) as wg:
            wg.drafts.add_draft(slug, title=slug.title(), text="One paragraph.\n")
            if repo == other:
                assert not wg.exchange.sync().problems
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await synced(pilot)
        log = "\n".join(dialog.query_one("#sync-log", Log).lines)
        assert "main has diverged from origin" in log
        assert (
            "Main diverged: the chair can make the changes here again on top of origin's main, "
            "with a sync from the command line that replays the merges"
        ) in log
        assert "--replay-merges" not in log


async def test_sync_with_an_unknown_remote_says_so(example_repo: Path) -> None:
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        dialog = await synced(pilot)
        assert "origin" in plain(dialog.query_one("#sync-result"))
        assert any("origin" in n for n in notifications(app))


async def test_no_color_is_honoured(monkeypatch: pytest.MonkeyPatch, example_repo: Path) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    assert make_app(example_repo, MEMBER_TECH).no_color
