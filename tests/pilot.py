"""Driving the terminal UI in tests: waiting until it has done what a key press started."""

from __future__ import annotations

import asyncio

from textual.pilot import Pilot
from textual.worker import WorkerCancelled, WorkerState

REFRESH_TIMEOUT = 10.0
"""Seconds to wait for a repaint (a screen that closed meanwhile never repaints)."""


async def settle(pilot: Pilot[None]) -> None:
    """Wait until the UI is at rest: messages handled, the screen repainted and animations
    done, no worker pending or running, and then once more nothing to do (screens start their
    workers after a repaint, workers deliver to the UI, which may repaint and start others).

    A worker that a newer one of its group replaced (an exclusive load started again) was
    cancelled: it is done, and its successor is waited for. Any other failure is raised.
    """
    app = pilot.app
    quiet = False
    for _ in range(50):
        await pilot.pause()
        try:
            await asyncio.wait_for(app.screen.wait_for_refresh(), REFRESH_TIMEOUT)
        except asyncio.TimeoutError:
            quiet = False
            continue
        await pilot.wait_for_scheduled_animations()
        await pilot.pause()
        unfinished = [w for w in app.workers if not w.is_finished]
        if not unfinished:
            if quiet:
                return
            quiet = True
            continue
        quiet = False
        started = [w for w in unfinished if w.state is not WorkerState.PENDING]
        results = await asyncio.gather(*(w.wait() for w in started), return_exceptions=True)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, WorkerCancelled):
                raise result
    raise AssertionError("the UI kept working")
