"""Snapshots of the main screens at 80x24, the size the UI must work in.

The record is made deterministic (amendment and event ids, clock, time zone) so that the SVGs
only change when the UI does. Update them with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` after checking the new look in the report.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    written_before_controls_were_refused,
)
from tests.pilot import screen_text, settle
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind
from wgtool.tui.app import WgApp, make_app
from wgtool.tui.screens.help import SECTIONS
from wgtool.tui.widgets import ParagraphList

SIZE = (80, 24)
START = 1_767_225_600  # 2026-01-01 00:00 UTC


class FrozenCore:
    """A predictable clock and id source for the core (the UI's own clock is untouched)."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)
        self._times = itertools.count(START, 60)

    def ids(self) -> str:
        return f"{next(self._ids):08x}"

    def clock(self) -> float:
        return float(next(self._times))


@pytest.fixture(autouse=True)
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Times shown in UTC, whatever the machine's zone."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _replace(
    wg: WorkingGroup, actor: str, paragraph: int, old: str, new: str, rationale: str, title: str
) -> str:
    wg.record.act_as(actor)
    text = document.paragraph(wg.drafts.draft("principles").text, paragraph).text
    return wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=paragraph,
        text=text.replace(old, new, 1),
        rationale=rationale,
        title=title,
    ).id


@pytest.fixture(scope="module")
def example_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One working group for every snapshot (they only read it), made once per module."""
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test Runner\n\temail = runner@example.invalid\n"
    )
    path = tmp_path_factory.mktemp("snapshots") / "wg"
    frozen = FrozenCore()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HOME", str(home))
        patch.setenv("GIT_CONFIG_NOSYSTEM", "1")
        WorkingGroup.init(
            path,
            title="Example working group",
            example=True,
            clock=frozen.clock,
            ids=frozen.ids,
        ).close()
    return path


@pytest.fixture(scope="module")
def record(example_repo: Path) -> dict[str, str]:
    """A small record: a version, open amendments with positions and comments, decisions (a
    merge on consensus, a rejection, a revert) and an amendment that lapsed."""
    frozen = FrozenCore()
    with WorkingGroup.open(example_repo, clock=frozen.clock, ids=frozen.ids) as wg:
        wg.record.act_as(SECRETARIAT)
        wg.procedure.tag(
            "principles", "first-reading", message="Text as circulated for the first reading"
        )
        security = _replace(
            wg,
            MEMBER_TECH,
            5,
            "single, open, global",
            "single, open, secure, global",
            "Security keeps the network single and open.",
            "Name security among the core properties",
        )
        free = _replace(
            wg,
            MEMBER_PS,
            5,
            "single, open, global",
            "single, open, free, global",
            "Freedom matters as much.",
            "Add freedom",
        )
        rights = _replace(
            wg,
            MEMBER_CS,
            6,
            "the right to privacy",
            "the right to privacy, the right to seek and impart information",
            "Access to information is [often] restricted online.",
            "The right to seek and impart information",
        )
        for actor, stance, reason in (
            (MEMBER_CS, "support", ""),
            (MEMBER_GOV, "support", "Welcome."),
            (MEMBER_PS, "object", "Too broad <as drafted>."),
        ):
            wg.record.act_as(actor)
            wg.deliberation.position(rights, stance, reason=reason)
        wg.record.act_as(MEMBER_GOV)
        with written_before_controls_were_refused():
            question = wg.deliberation.comment(
                rights, "Does [bold]this[/bold] cover *all* media? \x1b[2J"
            )
        wg.record.act_as(MEMBER_CS)
        wg.deliberation.comment(rights, "Yes: <b>every</b> medium.", reply_to=question.id)
        wg.record.act_as(MEMBER_GOV)
        wg.deliberation.position(security, "support", reason="Agreed.")
        wg.record.act_as(CHAIR)
        wg.merges.merge(security)
        wg.record.act_as(MEMBER_TECH)
        deleted = wg.amendments.propose(
            "principles",
            kind=Kind.DELETE,
            paragraph=17,
            rationale="The review clause belongs in the mandate.",
        ).id
        wg.record.act_as(CHAIR)
        wg.deliberation.reject(deleted, reason="The group wants the review clause.")
        lapsed = _replace(
            wg,
            MEMBER_PS,
            16,
            "fair competition",
            "open and fair competition",
            "Open markets serve innovation.",
            "Open and fair competition",
        )
        wg.record.act_as(MEMBER_CS)
        removal = wg.amendments.propose(
            "principles",
            kind=Kind.DELETE,
            paragraph=16,
            rationale="Paragraph 15 covers it.",
            title="Delete paragraph 16",
        ).id
        wg.record.act_as(MEMBER_GOV)
        wg.deliberation.position(removal, "support")
        wg.record.act_as(CHAIR)
        wg.merges.merge(removal)
        reverted = _replace(
            wg,
            MEMBER_GOV,
            10,
            "developing countries",
            "developing and least developed countries",
            "Least developed countries face the greatest barriers.",
            "Least developed countries",
        )
        wg.record.act_as(MEMBER_CS)
        wg.deliberation.position(reverted, "support")
        wg.record.act_as(CHAIR)
        wg.merges.merge(reverted)
        wg.merges.revert(reverted, reason="Adopted before every group had read it.")
        # Agreement: a bracket (with [brackets] of the member's own beside it), statuses and
        # a silence whose deadline passed.
        wg.agreement.bracket(
            "principles",
            "5",
            words="free exchange of information",
            reason="Scope not agreed",
            held_by=["governments"],
        )
        wg.agreement.agree("principles", "4")
        wg.agreement.agree("principles", "3", ad_ref=True, pending_on=["governments"])
        silence = wg.procedure.silence_start(
            free, until=START + 86_400, message="Adopted unless broken"
        )
        wg.record.act_as(MEMBER_GOV)
        wg.procedure.silence_break(silence.id, reason="Our capital objects")
        wg.agreement.comment_paragraph("principles", "5", "Does 'fragment' cover routing?")
    return {
        "security": security,
        "free": free,
        "rights": rights,
        "deleted": deleted,
        "lapsed": lapsed,
        "reverted": reverted,
    }


async def _settle(pilot: Pilot[None]) -> None:
    await settle(pilot)
    for widget in pilot.app.screen.query("Input, TextArea"):
        assert isinstance(widget, Input | TextArea)
        widget.cursor_blink = False
    # Tables measure new rows when idle, and a scroll moves its scrollbar on a later frame:
    # wait until two frames in a row look the same (no fixed pause).
    previous = None
    for _ in range(200):
        await pilot.pause()
        with contextlib.suppress(asyncio.TimeoutError):
            await asyncio.wait_for(pilot.app.screen.wait_for_refresh(), 5)
        await pilot.wait_for_scheduled_animations()
        shot = pilot.app.export_screenshot()
        if shot == previous:
            return
        previous = shot
    raise AssertionError("the screen kept changing")


HELP_SECTION = {
    "drafts": "Drafts",
    "draft": "A draft",
    "queue": "Amendment queue",
    "amendment": "An amendment",
    "merge": "Merging",
    "propose": "Proposing or revising",
    "versions": "Versions",
    "redline": "Versions",
    "inbox": "Inbox",
    "silences": "Silence procedures",
    "roster": next(title for title, _ in SECTIONS if title.startswith("The secretariat's desk")),
}
"""The help's section on each screen (dialogs have none: their keys are on their buttons)."""

SHARED_SECTIONS = ("Everywhere", "Lists and tables")


def _help_keys(section: str) -> dict[str, str]:
    """Each key the help names in ``section`` (``"c / r"`` names c and r), with what it says
    the key does."""
    keys = {}
    for title, rows in SECTIONS:
        if title == section:
            for key, does in rows:
                names = key.split()
                for name in names if names == ["/"] else [n for n in names if n != "/"]:
                    keys[name.lower()] = does
    return keys


KEY_CHARACTERS = {"slash": "/", "question_mark": "?"}
"""Textual's names of the keys that the help writes as the character they type."""


@dataclass(frozen=True)
class Key:
    """A key press that must do what the help says: ``key`` in the help's ``section`` is
    described with ``says``, and pressing it opens ``route``."""

    key: str
    section: str
    says: str
    route: str


def _footer_keys(app: WgApp) -> set[str]:
    """The keys the footer offers for the screen on top (the app's own keys aside)."""
    return {
        KEY_CHARACTERS.get(name, name)
        for active in app.active_bindings.values()
        if active.node is app.screen and active.binding.show and active.enabled
        for name in [active.binding.key.split(",")[0]]
    }


def _steps(
    *steps: str | Key | Callable[[WgApp], object],
    route: str,
    shows: Sequence[str] = (),
    focus: str | None = None,
) -> Callable[[Pilot[None]], object]:
    """Key presses and calls on the app, each followed by waiting for the workers; then what
    the screen is for, checked in behaviour and words as well as in pixels (a snapshot alone
    would take a screen that lost its point):

    - the screen on top is the one ``route`` opens, and the widget ``focus`` has the focus;
    - it shows each of ``shows``;
    - each :class:`Key` step is in the help with what it does, and opened its route;
    - every key its footer offers is named in the help's section on that screen.
    """
    assert shows, "say what the screen is for"

    async def run(pilot: Pilot[None]) -> None:
        app = pilot.app
        assert isinstance(app, WgApp)
        await _settle(pilot)
        for step in steps:
            if isinstance(step, Key):
                assert step.says in _help_keys(step.section).get(step.key.lower(), ""), step
                await pilot.press(step.key)
                await _settle(pilot)
                assert app.navigator.current == step.route, (step, app.navigator.current)
                continue
            if isinstance(step, str):
                await pilot.press(step)
            else:
                step(app)
            await _settle(pilot)
        assert app.navigator.current == route, (route, app.navigator.current)
        if focus is not None:
            assert app.focused is not None and app.focused.id == focus, app.focused
        shown = screen_text(app)
        for phrase in shows:
            assert phrase in shown, (phrase, shown)
        if route in HELP_SECTION:
            documented: dict[str, str] = {}
            for section in (HELP_SECTION[route], *SHARED_SECTIONS):
                documented |= _help_keys(section)
            assert _footer_keys(app) <= set(documented), (route, _footer_keys(app))

    return run


def _amendment(
    snap_compare: Callable[..., bool],
    example_repo: Path,
    actor: str,
    amendment_id: str,
    *keys: str | Key,
    shows: Sequence[str],
    route: str = "amendment",
    focus: str | None = "amendment",
) -> bool:
    """The snapshot of an amendment's screen as ``actor``, after pressing ``keys``; it shows
    each of ``shows``."""
    return snap_compare(
        make_app(example_repo, actor),
        terminal_size=SIZE,
        run_before=_steps(
            lambda app: app.navigator.open("amendment", amendment_id),
            *keys,
            route=route,
            shows=shows,
            focus=focus,
        ),
    )


MERGE = Key("m", "An amendment", "chair: merge", "merge")


def test_drafts(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert snap_compare(
        make_app(example_repo, MEMBER_TECH),
        terminal_size=SIZE,
        run_before=_steps(
            route="drafts",
            focus="drafts",
            shows=["Drafts", "principles", "first-reading", "⏎ Open"],
        ),
    )


def test_draft_reader(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    def to_paragraph_5(app: WgApp) -> None:
        assert app.navigator.current == "draft"
        app.screen.query_one(ParagraphList).select_paragraph(5)

    assert snap_compare(
        make_app(example_repo, MEMBER_TECH),
        terminal_size=SIZE,
        run_before=_steps(
            Key("enter", "Drafts", "read the highlighted draft", "draft"),
            to_paragraph_5,
            route="draft",
            focus="paragraphs",
            shows=[
                "1 agreed · 1 bracket(s) · 2 open amendments · 1 comment(s)",
                "[free exchange of information]",
                "› rsubramanian (governments): Does 'fragment' cover routing?",
            ],
        ),
    )


def test_amendment_queue(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert snap_compare(
        make_app(example_repo, CHAIR),
        terminal_size=SIZE,
        run_before=_steps(
            Key("a", "Drafts", "the amendments to it", "queue"),
            route="queue",
            focus="queue",
            shows=[
                "7 amendments",
                "✓ reached ✗ objected … not yet · S support N no objection O object ? not heard",
                "✗ S1 N0 O1 ?3 The right to seek and",
            ],
        ),
    )


def test_amendment_as_a_member(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _amendment(
        snap_compare,
        example_repo,
        MEMBER_GOV,
        record["rights"],
        shows=[
            "Amendment 00000003 · open",
            "Consensus: not reached: a group objects",
            "kwatanabe object: Too broad <as",
        ],
    )


def test_amendment_consensus_and_comments(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    """Literal member text: markup, HTML, Markdown and an escape sequence in the comments."""
    assert _amendment(
        snap_compare,
        example_repo,
        CHAIR,
        record["rights"],
        "end",
        shows=["rsubramanian support: Welcome.", "<b>every</b> medium"],
    )


def test_propose_review(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    def write(app: WgApp) -> None:
        text = app.screen.query_one("#text", TextArea)
        text.text = text.text.replace("freedom of expression", "freedom of opinion and expression")
        app.screen.query_one("#rationale", TextArea).text = "Opinion is protected too."

    def to_paragraph_6(app: WgApp) -> None:
        app.screen.query_one(ParagraphList).select_paragraph(6)

    assert snap_compare(
        make_app(example_repo, MEMBER_CS),
        terminal_size=SIZE,
        run_before=_steps(
            Key("enter", "Drafts", "read the highlighted draft", "draft"),
            to_paragraph_6,
            Key("p", "A draft", "propose an amendment", "propose"),
            write,
            Key("ctrl+s", "Proposing or revising", "review the word diff", "propose"),
            route="propose",
            shows=["What you are about to send:", "Opinion is protected too."],
        ),
    )


def test_merge_conflict(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _amendment(
        snap_compare,
        example_repo,
        CHAIR,
        record["free"],
        MERGE,
        route="merge",
        focus="editor",
        shows=[
            "Merge amendment 00000002 into principles",
            "Objection: rsubramanian (Governments): Our capital objects",
            "conflicts with the current text in ¶5",
        ],
    )


def test_merge_preview_without_consensus(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    """The consensus up front (an objecting group), then the paragraph the merge changes."""
    assert _amendment(
        snap_compare,
        example_repo,
        CHAIR,
        record["rights"],
        MERGE,
        route="merge",
        focus="merge-button",
        shows=[
            "Consensus: not reached: a group objects",
            "Objection: kwatanabe (Private sector): Too broad <as drafted>.",
            "What merging as proposed changes in the draft:",
        ],
    )


def test_amendment_reverted(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    """How it was adopted and who reverted it."""
    assert _amendment(
        snap_compare,
        example_repo,
        CHAIR,
        record["reverted"],
        shows=["Amendment 0000000f · reverted", "Consensus: reached (rule:"],
    )


def test_amendment_lapsed(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _amendment(
        snap_compare,
        example_repo,
        CHAIR,
        record["lapsed"],
        shows=["Amendment 0000000c · lapsed", "Lapsed: its paragraph is no longer in the draft"],
    )


def test_redline(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert snap_compare(
        make_app(example_repo, SECRETARIAT),
        terminal_size=SIZE,
        run_before=_steps(
            Key("v", "Drafts", "its consensus versions", "versions"),
            Key("enter", "Versions", "redline from the highlighted version", "redline"),
            route="redline",
            focus="redline-body",
            shows=["From", "first-reading", "2 changes", "{+ secure,+}"],
        ),
    )


def test_help(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert snap_compare(
        make_app(example_repo, MEMBER_TECH),
        terminal_size=SIZE,
        run_before=_steps(
            Key("f1", "Everywhere", "this help", "help"),
            route="help",
            shows=["wgtool help", "? / F1 this help"],
        ),
    )


def test_propose_form(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    """The form at 80x24: the kinds marked without colour, the buttons in sight."""

    def to_paragraph_6(app: WgApp) -> None:
        app.screen.query_one(ParagraphList).select_paragraph(6)

    assert snap_compare(
        make_app(example_repo, MEMBER_CS),
        terminal_size=SIZE,
        # Focus is the form's to give (its Pilot tests check where it goes); here the look,
        # without a text cursor whose drawing depends on when focus arrived under load.
        run_before=_steps(
            Key("enter", "Drafts", "read the highlighted draft", "draft"),
            to_paragraph_6,
            Key("p", "A draft", "propose an amendment", "propose"),
            lambda app: app.screen.query_one("#kind").focus(),
            route="propose",
            focus="kind",
            shows=["Propose an amendment to principles ¶6", "Replace it", "Review (ctrl+s)"],
        ),
    )


def test_versions(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert snap_compare(
        make_app(example_repo, SECRETARIAT),
        terminal_size=SIZE,
        run_before=_steps(
            Key("v", "Drafts", "its consensus versions", "versions"),
            route="versions",
            focus="versions",
            shows=["first-reading", "Elena Petrova"],
        ),
    )


def test_tag_dialog(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    """The naming rule up front."""
    assert snap_compare(
        make_app(example_repo, SECRETARIAT),
        terminal_size=SIZE,
        run_before=_steps(
            Key("v", "Drafts", "its consensus versions", "versions"),
            Key("t", "Versions", "secretariat: tag the current text", "tag"),
            route="tag",
            focus="version-name",
            shows=["Tag a consensus version of principles", "Letters, digits, '.', '_' and '-'"],
        ),
    )


def _desk(
    snap_compare: Callable[..., bool],
    example_repo: Path,
    *steps: str | Key | Callable[[WgApp], object],
    route: str,
    focus: str,
    shows: Sequence[str],
) -> bool:
    return bool(
        snap_compare(
            make_app(example_repo, SECRETARIAT),
            terminal_size=SIZE,
            run_before=_steps(*steps, route=route, focus=focus, shows=shows),
        )
    )


ROSTER = HELP_SECTION["roster"]


def test_roster(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _desk(
        snap_compare,
        example_repo,
        lambda app: app.action_roster(),
        route="roster",
        focus="roster",
        shows=["Roster · 11 members in 5 of 5 groups", "lhaddad Laila Haddad chair"],
    )


def test_add_member(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _desk(
        snap_compare,
        example_repo,
        lambda app: app.action_roster(),
        Key("n", ROSTER, "in the roster: add a member", "add-member"),
        route="add-member",
        focus="member-handle",
        shows=["Add a member to the roster", "Handle: lowercase letters"],
    )


def test_settings(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _desk(
        snap_compare,
        example_repo,
        lambda app: app.action_settings(),
        route="settings",
        focus="min-supporting",
        shows=["Working group settings", "Consensus: the fewest groups that must support"],
    )


def test_add_draft(
    snap_compare: Callable[..., bool], record: dict[str, str], example_repo: Path
) -> None:
    assert _desk(
        snap_compare,
        example_repo,
        Key("n", "Drafts", "secretariat: add a draft", "add-draft"),
        route="add-draft",
        focus="draft-slug",
        shows=["Add a draft from a file", "Name: lowercase"],
    )


def test_silences(
    snap_compare: Callable[..., bool], example_repo: Path, record: dict[str, str]
) -> None:
    assert snap_compare(
        make_app(example_repo, MEMBER_TECH),
        terminal_size=SIZE,
        run_before=_steps(
            lambda app: app.navigator.open("silences"),
            route="silences",
            focus="silences",
            shows=["Silence procedures"],
        ),
    )


def test_participation_balance(
    snap_compare: Callable[..., bool], example_repo: Path, record: dict[str, str]
) -> None:
    """The table and the bar charts per member, at 80x24."""
    assert snap_compare(
        make_app(example_repo, SECRETARIAT),
        terminal_size=SIZE,
        run_before=_steps(
            lambda app: app.navigator.open("stats"),
            route="stats",
            focus="stats",
            shows=["Participation by stakeholder group", "Amendments proposed per member"],
        ),
    )


def test_inbox(
    snap_compare: Callable[..., bool], example_repo: Path, record: dict[str, str]
) -> None:
    assert snap_compare(
        make_app(example_repo, MEMBER_TECH),
        terminal_size=SIZE,
        run_before=_steps(
            Key("i", "Everywhere", "your inbox", "inbox"),
            route="inbox",
            focus="inbox",
            shows=["Inbox · your first look here · 2 need your position", "[needs your position]"],
        ),
    )
