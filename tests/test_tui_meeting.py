"""The meeting room in the terminal, through Textual's Pilot on real repositories: the room's
screen (``wgtool present``) following a focus the chair sets in another process, locally and
through a remote, writing nothing; and the chair's key in the draft reader."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.pilot import Pilot

from tests.conftest import CHAIR, MEMBER_TECH, Clones, git, refs_snapshot
from tests.conftest import wgtool_run as wgtool
from tests.pilot import screen_text, settle
from tests.test_tui import SIZE, notifications, open_draft, press
from tests.test_tui_agreement import offered
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.tui.app import make_app
from wgtool.tui.present import RoomApp, make_room
from wgtool.tui.widgets import ParagraphList

pytestmark = pytest.mark.asyncio

EVENTS = "refs/wg/events/draft-principles"
ROOM_SIZE = (100, 30)
WAIT_SECONDS = 60.0
"""How long a room may take to show a change on a loaded machine: a bound, not the target (2 s,
which the browser test holds; these tests print what they measured)."""


async def until(pilot: Pilot[None], condition: Callable[[], bool]) -> None:
    """Let the room work until ``condition`` holds: each pass waits for the look under way
    (its worker) and for the messages it posted; bounded by :data:`WAIT_SECONDS`."""
    app = pilot.app
    assert isinstance(app, RoomApp)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + WAIT_SECONDS
    while not condition():
        assert loop.time() < deadline, screen_text(app)  # type: ignore[arg-type]
        for worker in list(app.workers):
            if not worker.is_finished:
                await worker.wait()
        await pilot.pause()


def shown(app: RoomApp) -> str:
    """What the room's screen shows, as one line (its wrapping undone)."""
    return " ".join(screen_text(app).split())  # type: ignore[arg-type]


def showing(app: RoomApp, label: str, revised: bool = False) -> Callable[[], bool]:
    return lambda: (
        app.room is not None and app.room.label == label and app.room.orally_revised == revised
    )


async def test_the_room_follows_the_chair_and_no_key_writes(example_repo: Path) -> None:
    words = "free exchange of information"
    with WorkingGroup.open(example_repo, CHAIR) as wg:
        wg.agreement.bracket("principles", "5", words=words, reason="Scope")
        text = document.paragraph(wg.drafts.draft("principles").text, 5).text
    revised = text.replace("fragment the network", "split the network apart")
    app = make_room(example_repo, "principles", look_every=0.1)
    async with app.run_test(size=ROOM_SIZE) as pilot:
        await until(pilot, lambda: app.room is not None)
        assert "Waiting for the chair" in shown(app)
        started = time.monotonic()
        focused = await asyncio.to_thread(
            wgtool, example_repo, "focus", "principles", "--paragraph", "5", actor=CHAIR
        )
        assert focused.returncode == 0, focused.stderr
        written = time.monotonic()
        await until(pilot, showing(app, "5"))
        assert app.shown_at is not None
        print(
            f"local room: shown {app.shown_at - written:+.2f} s after wgtool focus returned "
            f"(which took {written - started:.2f} s)"
        )
        text = shown(app)
        assert "¶5" in text and f"[{words}]" in text, text
        assert "Status: open · 1 bracket · 0 open amendments · 0 comments" in text

        focused = await asyncio.to_thread(
            wgtool,
            example_repo,
            "focus",
            "principles",
            "--paragraph",
            "5",
            "--text",
            revised,
            actor=CHAIR,
        )
        assert focused.returncode == 0, focused.stderr
        await until(pilot, showing(app, "5", revised=True))
        text = shown(app)
        assert (
            "as orally revised" in text
            and "split the network apart" in text
            and f"[{words}]" in text
        ), text

        # The chair agrees the paragraph: the ledger line follows, with no move of the focus.
        agreed = await asyncio.to_thread(
            wgtool, example_repo, "agree", "principles", "--paragraph", "5", actor=CHAIR
        )
        assert agreed.returncode == 0, agreed.stderr
        await until(
            pilot,
            lambda: (
                app.room is not None
                and app.room.state is not None
                and app.room.state.status.value == "agreed"
            ),
        )
        assert "Status: agreed" in shown(app)

        before = refs_snapshot(example_repo)
        for key in [*"abcdefghijklmnoprstuvwxyz", "enter", "ctrl+s", "ctrl+p", "f2", "escape"]:
            await pilot.press(key)
        await until(pilot, lambda: all(w.is_finished for w in app.workers))
        assert refs_snapshot(example_repo) == before
        assert app.is_running  # no key but q closes it
        await pilot.press("q")


async def test_a_remote_room_follows_the_chair_through_the_remote(clones: Clones) -> None:
    app = make_room(clones.b, "principles", remote="origin", follow_every=0.2, look_every=0.1)
    async with app.run_test(size=ROOM_SIZE) as pilot:
        await until(pilot, lambda: app.room is not None)
        focused = await asyncio.to_thread(
            wgtool,
            clones.a,
            "focus",
            "principles",
            "--paragraph",
            "7",
            "--sync",
            "origin",
            actor=CHAIR,
        )
        assert focused.returncode == 0, focused.stderr
        sent = time.monotonic()
        await until(pilot, showing(app, "7"))
        assert app.shown_at is not None
        print(f"remote room: shown {app.shown_at - sent:+.2f} s after wgtool focus --sync returned")

        # The same through the core, timed from the moment the push to the remote is done.
        def send() -> float:
            with WorkingGroup.open(clones.a, CHAIR) as wg:
                wg.meeting.focus("principles", "9")
                assert not wg.exchange.sync("origin", news=False).problems
                return time.monotonic()

        pushed = await asyncio.to_thread(send)
        await until(pilot, showing(app, "9"))
        assert app.shown_at is not None
        print(f"remote room: shown {app.shown_at - pushed:+.2f} s after the chair's sync returned")
        assert "Following the chair through origin" in shown(app)
    assert git(clones.b, "rev-parse", EVENTS) == git(clones.origin, "rev-parse", EVENTS)


async def test_a_room_on_an_unreachable_remote_says_so(clones: Clones) -> None:
    git(clones.b, "remote", "set-url", "origin", str(clones.origin.parent / "gone.git"))
    app = make_room(clones.b, "principles", remote="origin", follow_every=0.1, look_every=0.1)
    async with app.run_test(size=ROOM_SIZE) as pilot:
        await until(pilot, lambda: "could not reach origin" in shown(app))


async def test_the_chair_focuses_the_room_from_the_reader(clones: Clones) -> None:
    app = make_app(clones.a, CHAIR)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(3)
        await settle(pilot)
        assert "Focus the room on ¶3" in offered(reader, app)
        await press(pilot, "f")
        assert "The room is on ¶3 of principles" in notifications(app)
    with WorkingGroup.open(clones.a) as wg:
        assert wg.meeting.room("principles").label == "3"
    # Sent to origin at once: a room following it sees it.
    assert git(clones.a, "rev-parse", EVENTS) == git(clones.origin, "rev-parse", EVENTS)


async def test_a_member_pressing_the_chairs_key_is_told_why_and_writes_nothing(
    example_repo: Path,
) -> None:
    before = refs_snapshot(example_repo)
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        reader.query_one(ParagraphList).select_paragraph(3)
        await settle(pilot)
        assert "Focus the room on ¶3" not in offered(reader, app)
        await press(pilot, "f")
        assert any("focus the room needs the chair role" in n for n in notifications(app))
    assert refs_snapshot(example_repo) == before
