"""The widget-matched anchor of the terminal UI (imported by ``tui_child.py`` in ``bare`` mode).

A Textual app with the same widgets as wgtool's first screen and amendment queue, which loads the
same rows from JSON files in a worker thread: what wgtool's UI would cost if reading the record
were free.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

from rich.text import Text
from textual import work
from textual.app import App, ComposeResult
from textual.containers import Horizontal
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Select, Static

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
