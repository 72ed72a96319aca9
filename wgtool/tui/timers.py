"""A guard against a Textual bug: a timer whose delay is negative spins forever.

``textual.timer.Timer._run`` skips missed ticks with ``count = int((now - start) / interval +
1)``; with a negative interval that stays 0 and the loop ``continue``s without ever awaiting, so
the event loop is stuck at 100% CPU and no key is answered. A toast gets such a delay when its
notification has expired by the time the toast is mounted (``Toast`` uses the notification's
``time_left`` as its timeout): for instance when a notification is dismissed with Escape just
as it expires and the remaining toasts are mounted again. Minimal reproduction::

    class Repro(App):
        def on_mount(self):
            self.set_timer(-0.5, lambda: None)
            self.set_timer(0.2, self.exit)  # never fires

Until Textual clamps the interval itself, every timer's interval is clamped here to a small
positive value (a timer due in the past then fires at once, which is what it means).
"""

from __future__ import annotations

import functools
from typing import Any

from textual.timer import Timer

MIN_INTERVAL = 0.001
"""Seconds: the shortest interval a timer is given."""

_GUARD_MARK = "_wgtool_clamps_negative_intervals"


def install() -> None:
    """Clamp every Textual timer's interval to at least :data:`MIN_INTERVAL` (idempotent)."""
    original = Timer.__init__
    if getattr(original, _GUARD_MARK, False):
        return

    @functools.wraps(original)
    def clamped(self: Timer, event_target: Any, interval: float, *args: Any, **kwargs: Any) -> None:
        original(self, event_target, max(float(interval), MIN_INTERVAL), *args, **kwargs)

    setattr(clamped, _GUARD_MARK, True)
    Timer.__init__ = clamped  # type: ignore[method-assign]
