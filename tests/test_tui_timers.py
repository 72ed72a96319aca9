"""The terminal UI survives a timer due in the past (a toast whose notification expired).

Textual's timer loop spins forever on a negative interval (see ``wgtool.tui.timers`` for the
minimal reproduction). The test runs the real app in a child process: without the guard the
process hangs and is killed at the limit, and the test fails.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

HANG_LIMIT = 120  # seconds; the child finishes in about one, a hang never does

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys
    from wgtool.tui.app import make_app

    async def main() -> None:
        app = make_app(sys.argv[1], "lhaddad")
        fired = []
        async with app.run_test(size=(100, 32)) as pilot:
            await pilot.pause()
            # A notification that has already expired: its toast's timer is due in the past.
            app.notify("refused: you need the chair role", timeout=-1.0)
            app.set_timer(-0.5, lambda: fired.append("late"))
            app.set_timer(0.05, lambda: fired.append("on time"))
            for _ in range(50):
                await pilot.pause(0.02)
                if len(fired) == 2:
                    break
            await pilot.press("escape")
            await pilot.pause()
        print(sorted(fired))

    asyncio.run(main())
    """
)


def test_a_timer_due_in_the_past_fires_and_the_ui_keeps_answering(example_repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(example_repo)],
        capture_output=True,
        text=True,
        timeout=HANG_LIMIT,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "['late', 'on time']"
