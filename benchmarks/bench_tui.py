"""Benchmark: time to first paint of the wgtool UI on 4,000 amendments, next to a minimal app.

Both apps run headless in this one process, alternately, several rounds:

* ``wgtool``: the real app (``make_app``) on a seeded working group with 4,000 amendments.
* ``minimal``: a Textual app with the same widgets as wgtool's first screen (Header, a title,
  a DataTable with the same columns, an empty-state Static, Footer) and no data at all.

"First paint" is from constructing the app until the compositor hands its first full frame to
the driver (the headless driver then skips only the writing to a terminal). "Loaded" adds the
time until the workers have read the record and the table is filled. "Queue" is the time from
pressing ``a`` on the first draft to its amendment queue holding all its rows (about half of the
amendments).

Run: ``.venv/bin/python benchmarks/bench_tui.py [COUNT] [ROUNDS]``
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header, Static

sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed import seed  # noqa: E402

from wgtool.tui.app import make_app  # noqa: E402

SIZE = (100, 32)


class MinimalApp(App[None]):
    """The same widgets as wgtool's first screen, with nothing to load."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Drafts")
        yield DataTable(id="drafts")
        yield Static(id="empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Draft", "Title", "¶", "Open", "Versions"):
            table.add_column(label)


async def first_paint(factory: Callable[[], App[None]]) -> tuple[float, float]:
    """(seconds to the first full frame, seconds until the workers have filled the screen)."""
    start = time.perf_counter()
    app = factory()
    frames: list[float] = []
    display = app._display

    def record_frame(screen: object, renderable: object) -> None:
        # The compositor hands every frame to _display; the headless driver only skips writing.
        if renderable is not None and not app._batch_count and not frames:
            frames.append(time.perf_counter())
        display(screen, renderable)  # type: ignore[arg-type]

    app._display = record_frame  # type: ignore[method-assign]
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        loaded = time.perf_counter()
    return frames[0] - start, loaded - start


async def open_queue(repo: Path) -> tuple[float, int]:
    from textual.widgets import DataTable as Table

    app = make_app(repo, "lhaddad")
    async with app.run_test(size=SIZE) as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("a")
        await pilot.pause()
        await app.workers.wait_for_complete()
        await pilot.pause()
        elapsed = time.perf_counter() - start
        rows = max(t.row_count for t in app.screen.query(Table))
    return elapsed, rows


def main() -> None:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 4000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 7
    folder = Path(tempfile.mkdtemp(prefix="wgtool-bench-tui-"))
    try:
        repo = seed(folder / "wg", count)
        # Build the index once, as any earlier command would have: first paint is about the UI.
        from wgtool.core.desks import WorkingGroup

        with WorkingGroup.open(repo, "lhaddad") as wg:
            wg.record.refresh()
        wg_paint, wg_loaded, min_paint, min_loaded = [], [], [], []
        asyncio.run(first_paint(MinimalApp))  # warm up imports and CSS parsing for both
        asyncio.run(first_paint(lambda: make_app(repo, "lhaddad")))
        for _ in range(rounds):
            paint, loaded = asyncio.run(first_paint(lambda: make_app(repo, "lhaddad")))
            wg_paint.append(paint)
            wg_loaded.append(loaded)
            paint, loaded = asyncio.run(first_paint(MinimalApp))
            min_paint.append(paint)
            min_loaded.append(loaded)
        queue_runs = [asyncio.run(open_queue(repo)) for _ in range(3)]
        queue = [elapsed for elapsed, _ in queue_runs]

        def ms(values: list[float]) -> str:
            return f"{statistics.median(values) * 1000:8.1f} ms"

        print(f"\n{count} amendments, {rounds} rounds, terminal {SIZE[0]}x{SIZE[1]}, medians")
        print(f"| {'app':<10} | {'first paint':>12} | {'loaded':>12} |")
        print(f"|{'-' * 12}|{'-' * 14}|{'-' * 14}|")
        print(f"| {'wgtool':<10} | {ms(wg_paint):>12} | {ms(wg_loaded):>12} |")
        print(f"| {'minimal':<10} | {ms(min_paint):>12} | {ms(min_loaded):>12} |")
        ratio = statistics.median(wg_paint) / statistics.median(min_paint)
        print(f"first paint ratio wgtool/minimal: {ratio:.2f}")
        rows = queue_runs[0][1]
        print(f"amendment queue of the first draft ({rows} rows) filled after: {ms(queue)}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
