"""Driving the terminal UI in tests: waiting until it has done what a key press started."""

from __future__ import annotations

import asyncio
from typing import Any

from textual.pilot import Pilot
from textual.worker import Worker, WorkerCancelled, WorkerState

from wgtool.tui.app import WgApp

REFRESH_TIMEOUT = 10.0
"""Seconds to wait for a repaint (a screen that closed meanwhile never repaints)."""

QUIET_PASSES = 3
"""Passes in a row that must find the UI at rest: a key press travels as a chain of messages
(the app, the screen, the focused widget, the message bubbling up, a focus change back on the
app), and one pass waits for the messages queued when it starts, not for those they post."""

SETTLE_TIMEOUT = 120.0
"""Seconds after which a UI that is still working fails the test (a loaded machine is slow)."""


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the UI is at rest: messages handled, the screen repainted and animations
    done, and the app not working (``WgApp.working``: no worker unfinished, no load deferred
    until after a repaint, no screen waiting to start one), :data:`QUIET_PASSES` times in a row
    (screens start their workers after a repaint, workers deliver to the UI, which may repaint and
    start others).

    A worker that a newer one of its group replaced (an exclusive load started again) was
    cancelled: it is done, and its successor is waited for. Any other failure is raised.
    """
    app = pilot.app
    assert isinstance(app, WgApp)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + SETTLE_TIMEOUT
    quiet = 0
    while loop.time() < deadline:
        await pilot.pause()
        try:
            await asyncio.wait_for(app.screen.wait_for_refresh(), REFRESH_TIMEOUT)
        except asyncio.TimeoutError:
            quiet = 0
            continue
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        started = [
            w for w in app.workers if not w.is_finished and w.state is not WorkerState.PENDING
        ]
        if started:
            quiet = 0
            await _finished(started)
        elif app.working:
            quiet = 0  # a deferred load, a pending worker or a delayed search: look again
        else:
            quiet += 1
            if quiet == QUIET_PASSES:
                return
    raise AssertionError("the UI kept working")


async def _finished(workers: list[Worker[Any]]) -> None:
    """Wait for the workers; one cancelled (replaced by a newer one of its group) is done."""
    results = await asyncio.gather(*(w.wait() for w in workers), return_exceptions=True)
    for result in results:
        if isinstance(result, WorkerCancelled | asyncio.CancelledError):
            continue
        if isinstance(result, BaseException):
            raise result


def screen_text(app: WgApp) -> str:
    """What the screen shows (a dialog over the screens below it), as plain text, one line per
    row, runs of spaces made one: rendered as ``App.export_screenshot`` renders the snapshots."""
    import io

    from rich.console import Console

    width, height = app.size
    console = Console(
        width=width, height=height, file=io.StringIO(), record=True, color_system=None
    )
    console.print(
        app.screen._compositor.render_update(full=True, screen_stack=app._background_screens)
    )
    return "\n".join(" ".join(line.split()) for line in console.export_text().splitlines())
