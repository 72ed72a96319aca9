"""The wgtool terminal UI: the app, the factory the CLI and the tests share, and ``run_app``.

Screens live in :mod:`wgtool.tui.screens`, widgets in :mod:`wgtool.tui.widgets`. The app holds
what every screen shares: the working group (used from worker threads, one at a time), the acting
member, and a counter of changes to the record so that screens know when to read it again.

Paint first: before the first frame only Textual and the first screen are imported. The core
(GitPython and the rest) is imported by the first worker that opens the working group, the index
(SQLAlchemy) only by the first read that needs more than a glance at it, and every other screen
when it is opened.
"""

from __future__ import annotations

import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, ClassVar
from weakref import WeakSet

from textual import events, work
from textual.app import App
from textual.binding import BindingType
from textual.command import Provider
from textual.message_pump import MessagePump
from textual.notifications import SeverityLevel
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widget import Widget
from textual.worker import Worker, get_current_worker

from wgtool import api
from wgtool.api import Member, NotFound, WgError, terminal_safe
from wgtool.lazy import lazy_module
from wgtool.tui import timers
from wgtool.tui.commands import APP_BINDINGS
from wgtool.tui.messages import ActorChanged, RecordChanged
from wgtool.tui.navigation import Navigator
from wgtool.tui.render import error_words, roles_label
from wgtool.tui.screens.base import SCREENS_CSS, WgScreen
from wgtool.tui.session import FirstGlance, Session

if TYPE_CHECKING:
    from wgtool.api import DraftSummary, WorkingGroup
    from wgtool.tui.commands import palette
else:
    palette = lazy_module("wgtool.tui.commands.palette")  # when the palette first opens

LOADING_DELAY = 0.15
"""Seconds of work before a loading indicator appears (quicker work shows no flicker)."""

NOTICES_KEPT = 200
"""How many of the latest notifications :attr:`WgApp.notices` keeps."""

WATCH_INTERVAL = 2.0
"""Seconds between two looks at the record's refs, for changes made outside this app (the
CLI, another member's sync into this clone, a second window)."""


def palette_commands() -> type[Provider]:
    """The app's command palette provider (Textual calls this when the palette opens)."""
    return palette.WorkingGroupCommands


class WgApp(App[None]):
    """The working group's desk: drafts, amendments, deliberation, decisions and versions."""

    CSS_PATH = "wgtool.tcss"
    TITLE = "wgtool"
    COMMANDS = App.COMMANDS | {palette_commands}
    BINDINGS: ClassVar[list[BindingType]] = APP_BINDINGS

    member: reactive[Member | None] = reactive(None)
    """The acting member (None until identified, or when nobody could be)."""

    def __init__(
        self, session: Session, *, on_first_frame: Callable[[], object] | None = None
    ) -> None:
        timers.install()  # before any timer exists: see wgtool.tui.timers
        super().__init__()
        self.session = session
        self._on_first_frame = on_first_frame
        self.navigator = Navigator(self)
        """Opens screens by name: the one place that knows them all."""
        self.data_version = 0
        """Goes up on every change to the record; screens compare it to what they showed."""
        self._loading_timers: dict[Widget, Timer] = {}
        self._loaded_screens: WeakSet[Screen[Any]] = WeakSet()
        self._deferred: dict[int, MessagePump] = {}
        self._deferred_ids = itertools.count()
        self.notices: deque[str] = deque(maxlen=NOTICES_KEPT)
        """The messages of the latest notifications shown, oldest first (a toast expires)."""
        self._record_seen: str | None = None
        self._watch: Worker[None] | None = None
        self.opened = False
        """Whether the working group has been opened (by :meth:`load_identity`): screens
        start reading it only then, so that a folder that is no working group is reported once
        rather than by every screen's worker."""
        self.startup_error: WgError | None = None
        """What ended the app at start (see :meth:`_unusable`)."""
        self._holding_keys = True
        """Whether keys wait (in :attr:`_held_keys`) for the screen on top to be loaded: from
        the start, and from choosing another member (F2) until their inbox is read."""
        self._held_keys: list[events.Key] = []

    # -- start-up --------------------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return self.navigator.build("drafts")

    def on_mount(self) -> None:
        # Paint first: the worker starts once the first frame is on screen, and the other
        # screens' look is read then.
        self.after_refresh(self, self.load_identity)
        self.call_after_refresh(self.read_screens_css)
        if self._on_first_frame is not None:
            self.call_after_refresh(self._on_first_frame)
        self.set_interval(WATCH_INTERVAL, self.watch_record)

    def read_screens_css(self) -> None:
        """Add the look of the screens after the first (:data:`SCREENS_CSS`) to the app's
        stylesheet, once the first frame has painted without it.

        Each of those screens names the file as its ``CSS_PATH`` too, but Textual, reading it
        as a screen opens, parses every stylesheet of the app again (every widget's included);
        read here, only this file is parsed (the others come from the stylesheet's cache).
        """
        if not self.stylesheet.has_source(str(SCREENS_CSS)):
            self.stylesheet.read(SCREENS_CSS)
            self.stylesheet.parse()
            self.stylesheet.update(self)

    @work(thread=True, exclusive=True, group="identity")
    def load_identity(self) -> None:
        """Open the working group, read its title and who is acting (after the first paint);
        first, the first screen's drafts at a glance, should the index be current (unless the
        screen showed them as it mounted)."""
        drafts = self.session.first_screen()
        if drafts is not None:
            shown = threading.Event()
            self.call_from_thread(self._glanced, drafts, shown)
            # Opening the group imports the core: only once the rows are on screen, so that
            # the import does not take the interpreter from the frame that shows them.
            shown.wait(timeout=1)
        try:
            with self.session.use() as wg:
                title = wg.record.settings.title
                fingerprint = wg.record.record_fingerprint()
                try:
                    member: Member | None = wg.record.actor()
                    problem: WgError | None = None
                except NotFound as error:
                    member, problem = None, error
        except WgError as error:
            self.call_from_thread(self._unusable, error)
            return
        if problem is not None and self.session.strict:
            self.call_from_thread(self._unusable, problem)
            return
        self.call_from_thread(self._record_read, fingerprint, self.data_version)
        self.call_from_thread(self._opened)
        self.deliver(self._identified, title, member, problem)

    def _glanced(self, drafts: list[DraftSummary], shown: threading.Event) -> None:
        top = self.top_screen
        if isinstance(top, WgScreen):
            top.show_glanced(drafts)
        # A table sizes its new rows when idle and paints them on the refresh after that.
        self.call_after_refresh(self.call_after_refresh, shown.set)

    def _opened(self) -> None:
        self.opened = True
        top = self.top_screen
        # Screens below load when they are back on top; a screen showing rows read at a
        # glance, once the keys typed meanwhile have acted (see _identified): the first of
        # them may open another screen, which should not wait for this read.
        if isinstance(top, WgScreen) and not (top.glanced and self._holding_keys):
            top.reload_if_stale()

    def _reload_top(self) -> None:
        top = self.top_screen
        if isinstance(top, WgScreen):
            top.reload_if_stale()

    def _unusable(self, error: WgError) -> None:
        """The working group cannot be opened, or nobody is acting: with a strict session the
        app ends and the command line reports the error (see :func:`run_app`), else it is
        shown."""
        if self.session.strict:
            self.startup_error = error
            self.exit(return_code=1)
        else:
            self.show_error(error)
            self.release_keys()  # no screen will load: the keys go where they can

    # -- keys typed before a screen has anything to act on ----------------------------------------

    QUIT_KEYS = frozenset({"ctrl+q", "ctrl+c"})
    """Keys never held: leaving the app does not wait for anything."""

    async def on_event(self, event: events.Event) -> None:
        """Hold the keys typed while the screen on top reads what it shows for the first time
        (at start, on opening a screen, and after F2 while the new member's inbox is read): a
        table without rows, a widget still loading (which takes no focus), or an action that
        needs what is being read, would drop them. They are replayed in order once the screen
        is loaded (see :meth:`release_keys`)."""
        if (
            isinstance(event, events.Key)
            and not event.is_forwarded
            and event.key not in self.QUIT_KEYS
            and (
                self._holding_keys
                or self._held_keys
                # Escape leaves a screen still reading (a slow read is no trap).
                or (event.key != "escape" and self._top_screen_unread())
            )
        ):
            self._held_keys.append(event)
            return
        await super().on_event(event)

    def _top_screen_unread(self) -> bool:
        """Whether the screen on top reads the record and has not finished its first read
        (every screen that reads marks its widget busy until then: see :meth:`not_busy`)."""
        screen = self.top_screen
        return isinstance(screen, WgScreen) and screen.reads and screen not in self._loaded_screens

    def hold_keys(self) -> None:
        """Hold the keys typed from now until the next screen on top is loaded."""
        self._holding_keys = True

    def release_keys(self) -> None:
        """Replay the held keys, in order, ahead of any typed since (see :meth:`on_event`)."""
        if self._holding_keys or self._held_keys:
            self.call_later(self._replay_keys)

    async def _replay_keys(self) -> None:
        # The app handles nothing else meanwhile: keys typed during the replay queue behind.
        while self._held_keys:
            held = self._held_keys.pop(0)
            await super().on_event(events.Key(held.key, held.character))
        self._holding_keys = False

    def _identified(self, title: str, member: Member | None, problem: WgError | None) -> None:
        self.title = terminal_safe(title, keep_newlines=False)
        self.post_message(ActorChanged(member))
        top = self.top_screen
        if isinstance(top, WgScreen) and top.glanced:
            # Its rows, read at a glance, are as current as a read of the open group: once the
            # member is known (keys such as "add a draft" depend on their roles), the keys
            # typed meanwhile act on them rather than wait for that read.
            self._loaded_screens.add(top)
            self.release_keys()
            self.call_later(self._reload_top)  # after the keys held (see _opened)
        if member is None and self.session.demo:
            self.action_act_as()
        elif problem is not None:
            self.show_error(problem)

    def on_actor_changed(self, message: ActorChanged) -> None:
        self.member = message.member

    def watch_member(self, member: Member | None) -> None:
        if member is not None:
            self.sub_title = f"as {member.handle} ({roles_label(member)})"
        else:
            choose = self.session.demo
            self.sub_title = "choose a member: F2" if choose else "read only: nobody is acting"
        self.refresh_bindings()

    # -- work in progress -----------------------------------------------------------------------

    def after_refresh(
        self, owner: MessagePump, callback: Callable[..., object], *args: object
    ) -> None:
        """``owner.call_after_refresh(callback, *args)``, counted in :attr:`working` until it
        has run (or ``owner`` has closed: a closed screen's deferred work never runs)."""
        key = next(self._deferred_ids)

        def run() -> object:
            self._deferred.pop(key, None)
            return callback(*args)

        if owner.call_after_refresh(run):
            self._deferred[key] = owner

    @property
    def working(self) -> bool:
        """Whether the UI has work under way: a worker not finished, a load deferred until after
        a repaint, a screen waiting to start one (see :attr:`WgScreen.waiting`), or held keys
        waiting for one (see :meth:`on_event`)."""
        if self._held_keys or any(not worker.is_finished for worker in self.workers):
            return True
        for key, owner in list(self._deferred.items()):
            if not owner.is_running:
                del self._deferred[key]
        if self._deferred:
            return True
        return any(isinstance(s, WgScreen) and s.waiting for s in self.screen_stack)

    # -- the core, from worker threads -----------------------------------------------------------

    @contextmanager
    def core(self, *, busy: Widget | None = None) -> Iterator[WorkingGroup]:
        """In a worker thread: the working group, to this thread alone.

        A core error ends the block and is shown as a notification with the error's one line;
        ``busy`` (a widget showing a loading indicator) stops loading either way.
        """
        try:
            with self.session.use() as wg:
                yield wg
        except WgError as error:
            self.call_from_thread(self.show_error, error)
        finally:
            if busy is not None:
                self.call_from_thread(self.not_busy, busy)

    def busy(self, widget: Widget) -> None:
        """Show a loading indicator on ``widget`` if its worker takes longer than a blink."""
        self._stop_loading_timer(widget)

        def show_loading() -> None:
            # A timer stopped after it fired still runs its callback, queued before the stop:
            # only the timer of a load still under way may show the indicator, else it would
            # stay on over a loaded widget (which then takes no keys).
            if self._loading_timers.get(widget) is timer:
                del self._loading_timers[widget]
                widget.loading = True

        timer = widget.set_timer(LOADING_DELAY, show_loading)
        self._loading_timers[widget] = timer

    def _stop_loading_timer(self, widget: Widget) -> None:
        timer = self._loading_timers.pop(widget, None)
        if timer is not None:
            timer.stop()

    def not_busy(self, widget: Widget) -> None:
        self._stop_loading_timer(widget)
        if not widget.is_attached:
            return  # its screen closed meanwhile
        screen = widget.screen
        first_load = screen not in self._loaded_screens
        self._loaded_screens.add(screen)
        if first_load and not self._top_screen_unread():
            self.release_keys()  # what was typed meanwhile goes to the screen on top
        if widget.loading:
            widget.loading = False
            # A widget's keys are not offered while it loads: show them again in the footer.
            screen.refresh_bindings()
            # Nor can it take the focus: if the screen opened while it loaded, give it the focus
            # the screen meant it to have (on its first load only, never while the member types).
            if first_load:
                self._focus_as_meant(screen, widget)

    def _focus_as_meant(self, screen: Screen[Any], loaded: Widget) -> None:
        meant = screen.meant_focus() if isinstance(screen, WgScreen) else screen.AUTO_FOCUS
        target = screen.query(meant).first() if meant else None
        if target is not None and (target is loaded or loaded in target.ancestors):
            target.focus(scroll_visible=False)

    def deliver(self, callback: Callable[..., object], *args: object) -> None:
        """From a worker thread: run ``callback`` on the UI thread, unless the worker was
        cancelled (a newer load of the same view replaced it)."""
        if not get_current_worker().is_cancelled:
            self.call_from_thread(callback, *args)

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Show a notification (a toast), and keep its message in :attr:`notices`."""
        self.notices.append(message)
        super().notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    def show_error(self, error: WgError) -> None:
        """A core error as a notification: in the UI's own words where the CLI's would name
        flags or commands (see :func:`error_words`), else its first line, as the CLI prints
        it."""
        self.notify(terminal_safe(error_words(error)), severity="error", markup=False, timeout=8)

    def allows(self, action: str) -> bool:
        """Whether the acting member's roles allow a core action (``"merge"``, ``"tag"``, ...)."""
        if self.member is None:
            return False
        # A member is known only once a worker has opened the working group, which imported
        # the rulebook: reading it here costs the first paint nothing.
        return api.rulebook.allowed(self.member, action)

    def refuse(self, action: str) -> bool:
        """Tell the member (with the core's words) why they may not do ``action``.

        Returns:
            True when the action was refused, False when the roles allow it.
        """
        if self.member is None:
            self.notify(
                "nobody is acting: start wgtool with --as HANDLE", severity="error", markup=False
            )
            return True

        try:
            api.rulebook.require(self.member, action)
        except WgError as error:
            self.show_error(error)
            return True
        return False

    # -- live screens: the record as others change it ----------------------------------------------

    def watch_record(self) -> None:
        """Look whether the record changed (one at a time: a look still under way, or a write
        holding the working group, makes this one wait for the next tick)."""
        if self._watch is None or self._watch.is_finished:
            self._watch = self.read_fingerprint(self.data_version)

    @work(thread=True, group="watch")
    def read_fingerprint(self, version: int) -> None:
        try:
            with self.session.use_if_free() as wg:
                fingerprint = None if wg is None else wg.record.record_fingerprint()
        except WgError:
            return  # the repository is unreadable now: the screens say so when they load
        if fingerprint is not None:
            self.call_from_thread(self._record_read, fingerprint, version)

    def _record_read(self, fingerprint: str, version: int) -> None:
        if version != self.data_version:
            return  # read before a change this app made, which set what was seen
        if self._record_seen is None:
            self._record_seen = fingerprint
        elif fingerprint != self._record_seen:
            self.post_message(RecordChanged(fingerprint=fingerprint))

    def on_record_changed(self, message: RecordChanged) -> None:
        if message.fingerprint is not None:
            self._record_seen = message.fingerprint
        self.data_version += 1
        if message.summary:
            self.notify(terminal_safe(message.summary), markup=False)
        top = self.top_screen
        if isinstance(top, WgScreen):
            top.reload_if_stale()

    @property
    def top_screen(self) -> Screen[Any] | None:
        """The screen on top, or None once the app is closing (its screens already gone: a
        message from a worker may still arrive then)."""
        return self.screen if self.screen_stack else None

    # -- actions -----------------------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "act_as":
            # In the demo only: anywhere else the member is who started wgtool.
            return self.session.demo
        return True

    # Each screen is opened by its route, and imported when it is first opened (see the
    # module's description and wgtool.tui.navigation).

    def action_help(self) -> None:
        if not self.navigator.showing("help"):
            self.navigator.open("help")

    def action_act_as(self) -> None:
        current = self.member.handle if self.member else None
        self.navigator.open("act-as", current, then=self._act_as_chosen)

    def _act_as_chosen(self, handle: str | None) -> None:
        if handle is not None:
            self.hold_keys()  # what is typed now is meant for the new member's inbox
            self.switch_actor(handle)

    def action_inbox(self) -> None:
        if not self.navigator.showing("inbox"):
            self.navigator.open("inbox")

    @work(thread=True, exclusive=True, group="identity")
    def switch_actor(self, handle: str) -> None:
        switched = False
        with self.core() as wg:
            wg.record.act_as(handle)
            self.session.actor = handle
            member = wg.record.actor()
            self.post_message(ActorChanged(member))
            self.call_from_thread(
                self.notify,
                f"Acting as {member.name} ({member.handle}), {member.group}, {roles_label(member)}",
                markup=False,
            )
            # What changed is the first thing a member sees once chosen, over the first screen:
            # the previous member's screens are not the new member's way back.
            self.call_from_thread(self.action_home)
            self.call_from_thread(self.action_inbox)
            switched = True
        if not switched:
            self.call_from_thread(self.release_keys)

    def action_sync(self) -> None:
        self.navigator.open("sync")

    def action_silences(self) -> None:
        self.navigator.open("silences")

    def action_queue(self) -> None:
        self.navigator.open("queue")

    def action_roster(self) -> None:
        self.navigator.open("roster")

    def action_settings(self) -> None:
        self.navigator.open("settings")

    def action_stats(self) -> None:
        self.navigator.open("stats")

    def action_home(self) -> None:
        self.navigator.home()

    def on_unmount(self) -> None:
        self.session.close()


def make_app(
    repo: str | os.PathLike[str] | None = None,
    actor: str | None = None,
    demo: bool = False,
    strict: bool = False,
    glance: FirstGlance | None = None,
    on_first_frame: Callable[[], object] | None = None,
) -> WgApp:
    """The app on a working group, as ``actor`` (None: WGTOOL_MEMBER or git's user.email);
    with ``strict``, a repository that is not a working group, or nobody to act, ends the app
    at start; ``glance``: its first screen, being read since before Textual was imported;
    ``on_first_frame``: called once the first frame is painted."""
    session = Session(repo, actor, demo=demo, strict=strict, glance=glance)
    return WgApp(session, on_first_frame=on_first_frame)


def run_app(
    repo: str | os.PathLike[str] | None = None,
    actor: str | None = None,
    demo: bool = False,
    strict: bool = False,
    glance: FirstGlance | None = None,
    on_first_frame: Callable[[], object] | None = None,
) -> None:
    """Run the app (see :func:`make_app`).

    Raises:
        WgError: what ended a ``strict`` app at start, for the command line to report.
    """
    app = make_app(repo, actor, demo, strict, glance, on_first_frame)
    app.run()
    if app.startup_error is not None:
        raise app.startup_error
