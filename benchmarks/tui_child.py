"""A terminal UI measured from spawn (a child process of ``benchmarks/run.py``).

    python benchmarks/tui_child.py DRAFT_ROWS QUEUE_ROWS wgtool REPO ACTOR
    python benchmarks/tui_child.py DRAFT_ROWS QUEUE_ROWS bare DRAFTS.json QUEUE.json
    python benchmarks/tui_child.py 0 0 minimal

``wgtool`` runs the real command line (``wgtool --repo REPO --as ACTOR tui``, through the
``wgtool`` script's entry point ``wgtool.launch.main``: the app, then the identity check in
it); ``bare`` is a Textual app with the same widgets as wgtool's first screen and amendment
queue, which loads the same rows from JSON files in a worker thread (``tui_bare.py``,
imported only then); ``minimal`` is ``App().run()``: a Textual app with no
widgets at all, the least a Textual app costs to paint. All run headless at 100x32 and are driven
alike: as soon as the first screen holds its rows, ``a`` opens the amendment queue of the first
draft (``minimal`` ends at its first frame).

Each frame the compositor hands to the app is turned into the bytes a terminal would receive
(only the write is skipped), and the probe looks at it. Nothing here imports a widget: the probe
finds tables by their type's name. The child prints one JSON line, seconds since the parent
spawned it (``WGTOOL_BENCH_SPAWNED_AT``, a system-wide monotonic clock):

* ``paint``: the first frame;
* ``filled``: the first frame in which the first screen's table holds every draft;
* ``queue``: the first frame in which the queue's table holds every amendment of the draft.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

SPAWNED_AT = float(os.environ.get("WGTOOL_BENCH_SPAWNED_AT", time.perf_counter()))
SIZE = (100, 32)
signal.alarm(300)  # a probe that never sees its rows ends the child instead of hanging the run

from textual._compositor import CompositorUpdate  # noqa: E402
from textual.app import App  # noqa: E402

if TYPE_CHECKING:
    from textual.pilot import Pilot
    from textual.screen import Screen

MARKS = {"minimal": ("paint",), "bare": ("paint", "filled", "queue")}


class Probe:
    """Stamps the frames at which the first screen and then the queue hold their rows."""

    def __init__(self, draft_rows: int, queue_rows: int, marks: tuple[str, ...]) -> None:
        self.draft_rows = draft_rows
        self.queue_rows = queue_rows
        self.wanted = marks
        self.marks: dict[str, float] = {}
        self.queue_requested = False
        self.painted = asyncio.Event()
        self.filled = asyncio.Event()
        self.queued = asyncio.Event()

    def frame(self, app: App[Any]) -> None:
        at = time.perf_counter() - SPAWNED_AT
        if "paint" not in self.marks:
            self.marks["paint"] = at
            self.painted.set()
        if "filled" not in self.wanted:
            return
        tables = app.screen.query("DataTable")  # by the type's name: no widget imported here
        rows = max((getattr(table, "row_count", 0) for table in tables), default=0)
        if not self.queue_requested and "filled" not in self.marks and rows >= self.draft_rows:
            self.marks["filled"] = at
            self.filled.set()
        elif (
            self.queue_requested
            and "queue" not in self.marks
            and len(app.screen_stack) > 1
            and rows >= self.queue_rows
        ):
            self.marks["queue"] = at
            self.queued.set()

    async def autopilot(self, pilot: Pilot[Any]) -> None:
        if "filled" not in self.wanted:
            await self.painted.wait()
            pilot.app.exit()
            return
        await self.filled.wait()
        self.queue_requested = True
        await pilot.press("a")
        await self.queued.wait()
        pilot.app.exit()

    def install(self) -> None:
        """Every app runs headless and driven by this probe; every frame is rendered and seen."""
        probe = self
        display = App._display
        run = App.run

        def probed_display(app: App[Any], screen: Screen[Any], renderable: Any) -> None:
            if renderable is not None and not app._batch_count:
                if isinstance(renderable, CompositorUpdate):
                    renderable.render_segments(app.console)  # what a terminal would be sent
                probe.frame(app)
            display(app, screen, renderable)

        def probed_run(app: App[Any], **_options: Any) -> Any:
            return run(app, headless=True, size=SIZE, auto_pilot=probe.autopilot)

        App._display = probed_display  # type: ignore[method-assign,assignment]
        App.run = probed_run  # type: ignore[method-assign,assignment]


def main() -> None:
    draft_rows, queue_rows, kind, *paths = sys.argv[1:]
    marks = MARKS.get(kind, MARKS["bare"])
    probe = Probe(int(draft_rows), int(queue_rows), marks)
    probe.install()
    if kind == "minimal":
        App[None]().run()
    elif kind == "bare":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from tui_bare import BareApp

        BareApp(Path(paths[0]), Path(paths[1])).run()
    else:
        from wgtool.launch import main as wgtool_main

        repo, actor = paths
        sys.argv = ["wgtool", "--repo", repo, "--as", actor, "tui"]
        try:
            wgtool_main()
        except SystemExit as done:
            if done.code:
                raise
    missing = set(marks) - set(probe.marks)
    if missing:
        raise SystemExit(f"the UI never reached: {', '.join(sorted(missing))}")
    print(json.dumps(probe.marks))


if __name__ == "__main__":
    main()
