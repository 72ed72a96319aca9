"""The meeting room's screen (``wgtool present SLUG``): the paragraph the chair has in focus,
large and high in contrast, for a projector or a remote delegation's screen.

It follows the chair on its own and writes nothing: no key of this app changes the record, and
it has no command palette. Twice a second a worker looks at the refs the room shows (one ``git
for-each-ref``: see ``MeetingDesk.room_fingerprint``) and reads the room again when they moved,
so a focus, an oral revision, a bracket or a status set by the chair here (the CLI, the chair's
UI, a sync) is on screen within a second. Following a remote (``--follow REMOTE``), it also
asks the remote every ``follow_every`` seconds where those refs stand (``git ls-remote``) and,
when they moved, syncs without pushing: it takes what the chair sent, and sends nothing.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static
from textual.worker import Worker, get_current_worker

from wgtool.api import Room, WgError, local_time, terminal_safe
from wgtool.tui import timers
from wgtool.tui.render import error_words, safe
from wgtool.tui.session import Session
from wgtool.tui.widgets.paragraphs import bracketed

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup

LOOK_SECONDS = 0.5
"""How often the room looks at the refs it shows (locally: one ``git for-each-ref``)."""


def ledger_line(room: Room) -> Text:
    """The focused paragraph's line of the ledger: its status, brackets, open amendments,
    comments, and on whom an ad referendum agreement waits."""
    state = room.state
    if state is None:
        return Text("")
    status = "open (changed since agreed)" if state.changed else str(state.status.value)
    parts = [f"Status: {status}"]
    if state.pending_on:
        parts.append(f"pending on {terminal_safe(', '.join(state.pending_on))}")
    parts.append(_count(len(state.brackets), "bracket"))
    parts.append(_count(len(state.open_amendments), "open amendment"))
    parts.append(_count(len(state.comments), "comment"))
    return Text(" · ".join(parts))


def _count(number: int, thing: str) -> str:
    return f"{number} {thing}{'' if number == 1 else 's'}"


class RoomApp(App[None]):
    """What the room sees of one draft: the paragraph in focus. Read only."""

    CSS_PATH = "present.tcss"
    TITLE = "wgtool present"
    ENABLE_COMMAND_PALETTE = False
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("q", "quit", "Quit", id="room-quit", tooltip="Close the room's screen"),
    ]

    def __init__(
        self,
        session: Session,
        slug: str,
        *,
        remote: str | None = None,
        follow_every: float = 1.0,
        look_every: float = LOOK_SECONDS,
    ) -> None:
        timers.install()
        super().__init__()
        self.session = session
        self.slug = slug
        self.remote = remote
        self.follow_every = follow_every
        self.look_every = look_every
        self.room: Room | None = None
        """What the room shows now (None until first read)."""
        self.shown_at: float | None = None
        """When (``time.monotonic``) the room was last drawn from a new reading."""
        self._seen: str | None = None
        self._remote_seen: str | None = None
        self._followed_at = 0.0
        self._look: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        yield Static(safe(self.slug, one_line=True), id="room-draft")
        with VerticalScroll(id="room-body"):
            yield Static("", id="room-label")
            yield Static("Waiting for the chair…", id="room-text")
        yield Static("", id="room-ledger")
        yield Static("", id="room-following")

    def on_mount(self) -> None:
        self.call_after_refresh(self.look)  # paint first, then read
        self.set_interval(self.look_every, self.look)

    def look(self) -> None:
        """Start a look at the record, unless one is still under way."""
        if self._look is None or self._look.is_finished:
            self._look = self.read_room()

    @work(thread=True, group="room")
    def read_room(self) -> None:
        try:
            with self.session.use() as wg:
                following = self._follow(wg) if self.remote is not None else None
                fingerprint = wg.meeting.room_fingerprint(self.slug)
                if fingerprint == self._seen:
                    if following is not None:
                        self._deliver(self._say_following, following)
                    return
                room = wg.meeting.room(self.slug)
        except WgError as error:
            self._seen = None  # read the room again once the problem is gone
            self._deliver(self._problem, error)
            return
        self._seen = fingerprint
        self._deliver(self.show, room, following)

    def _deliver(self, callback: Callable[..., object], *args: object) -> None:
        """From the worker: run ``callback`` on the UI thread, unless the app is closing."""
        if not get_current_worker().is_cancelled and self.is_running:
            self.call_from_thread(callback, *args)

    def _follow(self, wg: WorkingGroup) -> str:
        """Take what the remote has when it moved (asked every ``follow_every`` seconds); what
        to say of it."""
        now = time.monotonic()
        if self.remote is not None and now - self._followed_at >= self.follow_every:
            self._followed_at = now
            there = wg.exchange.peek(self.remote, wg.meeting.room_refs(self.slug))
            if there != self._remote_seen:
                wg.exchange.sync(self.remote, news=False, push=False)
                self._remote_seen = there
        return f"Following the chair through {self.remote} · read only"

    def show(self, room: Room, following: str | None = None) -> None:
        """Draw the room as newly read."""
        self.room = room
        self.shown_at = time.monotonic()
        self._draw(room, following)

    def _draw(self, room: Room, following: str | None) -> None:
        title = Text()
        title.append_text(safe(room.title, "bold", one_line=True))
        title.append(f"  ({terminal_safe(room.slug)}, {room.paragraph_count} paragraphs)")
        self.query_one("#room-draft", Static).update(title)
        label = self.query_one("#room-label", Static)
        text = self.query_one("#room-text", Static)
        focus = room.focus
        if focus is None:
            label.update("")
            text.update("Waiting for the chair to focus on a paragraph…")
        elif room.label is None:
            label.update(Text(f"¶{terminal_safe(focus.paragraph or '?')}", "bold"))
            text.update("This paragraph has been deleted since the chair focused on it.")
        else:
            heading = Text(f"¶{terminal_safe(room.label)}", "bold")
            if room.orally_revised:
                heading.append("   as orally revised", "bold italic")
            label.update(heading)
            text.update(bracketed(room.text, room.brackets))
        self.query_one("#room-ledger", Static).update(ledger_line(room))
        note = following or "Following the chair · read only"
        if focus is not None:
            note += f" · focus set {local_time(focus.at)} by {terminal_safe(focus.member)}"
        self.query_one("#room-following", Static).update(note)

    def _say_following(self, following: str) -> None:
        if self.room is not None:
            self._draw(self.room, following)

    def _problem(self, error: WgError) -> None:
        self.query_one("#room-following", Static).update(
            Text(terminal_safe(error_words(error)), "bold")
        )

    def on_unmount(self) -> None:
        self.session.close()


def make_room(
    repo: str | os.PathLike[str] | None,
    slug: str,
    *,
    remote: str | None = None,
    follow_every: float = 1.0,
    look_every: float = LOOK_SECONDS,
) -> RoomApp:
    """The room's app on a working group (the CLI and the tests share it)."""
    return RoomApp(
        Session(repo, None), slug, remote=remote, follow_every=follow_every, look_every=look_every
    )


def run_room(
    repo: str | os.PathLike[str] | None,
    slug: str,
    *,
    remote: str | None = None,
    follow_every: float = 1.0,
) -> None:
    """Run the room's app (see :func:`make_room`)."""
    make_room(repo, slug, remote=remote, follow_every=follow_every).run()
