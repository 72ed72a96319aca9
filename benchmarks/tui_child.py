"""A terminal UI measured from spawn (a child process of ``benchmarks/run.py``).

    python benchmarks/tui_child.py DRAFT_ROWS QUEUE_ROWS wgtool REPO ACTOR
    python benchmarks/tui_child.py DRAFT_ROWS QUEUE_ROWS bare DRAFTS.json QUEUE.json

``wgtool`` runs the real command line (``wgtool --repo REPO --as ACTOR tui``: click, the
identity check, then the app); ``bare`` is a Textual app with the same widgets as wgtool's first
screen and amendment queue, which loads the same rows from JSON files in a worker thread. Both
run headless at 100x32 and are driven alike: as soon as the first screen holds its rows, ``a``
opens the amendment queue of the first draft.

Each frame the compositor hands to the app is turned into the bytes a terminal would receive
(only the write is skipped), and the probe looks at it. The child prints one JSON line, seconds
since the parent spawned it (``WGTOOL_BENCH_SPAWNED_AT``, a system-wide monotonic clock):

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
from typing import Any

SPAWNED_AT = float(os.environ.get("WGTOOL_BENCH_SPAWNED_AT", time.perf_counter()))
SIZE = (100, 32)
signal.alarm(300)  # a probe that never sees its rows ends the child instead of hanging the run

from rich.text import Text  # noqa: E402
from textual import work  # noqa: E402
from textual._compositor import CompositorUpdate  # noqa: E402
from textual.app import App, ComposeResult  # noqa: E402
from textual.containers import Horizontal  # noqa: E402
from textual.pilot import Pilot  # noqa: E402
from textual.screen import Screen  # noqa: E402
from textual.widgets import DataTable, Footer, Header, Input, Select, Static  # noqa: E402


class Probe:
    """Stamps the frames at which the first screen and then the queue hold their rows."""

    def __init__(self, draft_rows: int, queue_rows: int) -> None:
        self.draft_rows = draft_rows
        self.queue_rows = queue_rows
        self.marks: dict[str, float] = {}
        self.queue_requested = False
        self.filled = asyncio.Event()
        self.queued = asyncio.Event()

    def frame(self, app: App[Any]) -> None:
        at = time.perf_counter() - SPAWNED_AT
        self.marks.setdefault("paint", at)
        rows = max((table.row_count for table in app.screen.query(DataTable)), default=0)
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


# -- the bare app: wgtool's widgets, the same rows, nothing else --------------------------------


QUEUE_COLUMNS = (
    ("ID", 8),
    ("Draft ¶", 15),
    ("Status", 9),
    ("Consensus", 21),
    ("Title", 40),
    ("Proposer", 14),
    ("Group", 18),
    ("Proposed", 16),
)


class BareDrafts(Screen[None]):
    BINDINGS = [("a", "queue", "Amendments")]

    def __init__(self, drafts_file: Path, queue_file: Path) -> None:
        super().__init__()
        self.drafts_file, self.queue_file = drafts_file, queue_file
        self.slugs: list[str] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Drafts"))
        yield DataTable(id="drafts", cursor_type="row", zebra_stripes=True)
        yield Static(id="drafts-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Draft", "Title", "¶", "Open", "Versions"):
            table.add_column(label)
        self.load()

    @work(thread=True)
    def load(self) -> None:
        drafts = json.loads(self.drafts_file.read_text())
        self.app.call_from_thread(self.show, drafts)

    def show(self, drafts: list[dict[str, Any]]) -> None:
        self.slugs = [d["slug"] for d in drafts]
        self.query_one(DataTable).add_rows(
            [
                Text(d["slug"]),
                Text(d["title"][:40]),
                d["paragraphs"],
                d["open_amendments"],
                Text(", ".join(d["versions"]) or "—"),
            ]
            for d in drafts
        )

    def action_queue(self) -> None:
        self.app.push_screen(BareQueue(self.queue_file))


class BareQueue(Screen[None]):
    def __init__(self, queue_file: Path) -> None:
        super().__init__()
        self.queue_file = queue_file

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="queue-info")
        with Horizontal():
            yield Select([], prompt="Draft: all")
            yield Select([], prompt="Status: all")
            yield Select([], prompt="Group: all")
            yield Input(placeholder="Search… (/)")
        yield DataTable(id="queue", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label, width in QUEUE_COLUMNS:
            table.add_column(label, width=width)
        self.load()

    @work(thread=True)
    def load(self) -> None:
        amendments = json.loads(self.queue_file.read_text())
        rows = [
            [
                Text(a["id"]),
                Text(f"{a['draft']} ¶{a['paragraph']}"),
                Text(a["status"]),
                Text(f"{a['consensus']} {a['consensus_summary']}"),
                Text(a["title"][:40]),
                Text(a["proposer"]),
                Text(a["group"]),
                Text(time.strftime("%Y-%m-%d %H:%M", time.localtime(a["created_at"]))),
            ]
            for a in amendments
        ]
        self.app.call_from_thread(self.show, rows)

    def show(self, rows: list[list[Text]]) -> None:
        self.query_one(DataTable).add_rows(rows)
        self.query_one("#queue-info", Static).update(Text(f"{len(rows)} amendments"))


class BareApp(App[None]):
    def __init__(self, drafts_file: Path, queue_file: Path) -> None:
        super().__init__()
        self.drafts_file, self.queue_file = drafts_file, queue_file

    def get_default_screen(self) -> Screen[Any]:
        return BareDrafts(self.drafts_file, self.queue_file)


def main() -> None:
    draft_rows, queue_rows, kind, first, second = sys.argv[1:]
    probe = Probe(int(draft_rows), int(queue_rows))
    probe.install()
    if kind == "bare":
        BareApp(Path(first), Path(second)).run()
    else:
        from wgtool.cli import main as wgtool_main

        repo, actor = first, second

        sys.argv = ["wgtool", "--repo", repo, "--as", actor, "tui"]
        try:
            wgtool_main()
        except SystemExit as done:
            if done.code:
                raise
    missing = {"paint", "filled", "queue"} - set(probe.marks)
    if missing:
        raise SystemExit(f"the UI never reached: {', '.join(sorted(missing))}")
    print(json.dumps(probe.marks))


if __name__ == "__main__":
    main()
