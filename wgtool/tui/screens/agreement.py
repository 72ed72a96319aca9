"""Agreement in the TUI: the fields dialog its palette entries ask with, and the silences.

The palette entries themselves (brackets, status, the window, renumbering, co-sponsors) are in
:mod:`wgtool.tui.commands.agreement`; the silences screen lists every silence procedure with the
actions each allows. Every write goes through the core in a worker (``WgScreen.write``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from wgtool.api import Silence, SilenceState, in_words, local_time
from wgtool.tui.commands import CONFIRM_BINDINGS, Command
from wgtool.tui.commands.agreement import Field, Fields, ask
from wgtool.tui.render import clip, safe
from wgtool.tui.screens.base import WgModal, WgScreen
from wgtool.tui.widgets import KeysFooter, RecordTable


class FieldsDialog(WgModal[dict[str, str]]):
    """A few one-line fields (words, a reason, a deadline...); returns {key: text} or None."""

    BINDINGS: ClassVar[list[BindingType]] = CONFIRM_BINDINGS

    def __init__(self, title: Text | str, fields: Sequence[Field], *, confirm: str) -> None:
        super().__init__()
        self.dialog_title = title if isinstance(title, Text) else Text(title, "bold")
        self.fields = list(fields)
        self.confirm_label = confirm

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(self.dialog_title, classes="dialog-title")
            for field in self.fields:
                yield Label(field.label, classes="field-label")
                yield Input(
                    field.initial,
                    id=f"field-{field.key}",
                    placeholder=field.placeholder,
                    compact=True,
                )
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.confirm_label} (ctrl+s)", id="confirm", variant="primary", compact=True
                )
                yield Button("Cancel", id="cancel", compact=True)

    def on_mount(self) -> None:
        if self.fields:
            self.query_one(f"#field-{self.fields[0].key}", Input).focus()

    def values(self) -> dict[str, str]:
        return {f.key: self.query_one(f"#field-{f.key}", Input).value for f in self.fields}

    @on(Button.Pressed, "#confirm")
    @on(Input.Submitted)
    def action_confirm(self) -> None:
        values = self.values()
        for field in self.fields:
            if field.required and not values[field.key].strip():
                self.notify(f"{field.label.split(' (')[0]} is empty", severity="warning")
                return
        self.dismiss(values)

    @on(Button.Pressed, "#cancel")
    def _cancel(self) -> None:
        self.dismiss(None)


class SilencesScreen(WgScreen):
    """Every silence procedure: break one before its deadline, or conclude one (chair)."""

    AUTO_FOCUS = "#silences"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("b", "break_silence", "Break", id="break", tooltip="Object: break the silence"),
        Binding(
            "c",
            "conclude",
            "Conclude",
            id="conclude",
            tooltip="Chair: adopt a text whose silence ended unbroken",
        ),
        Binding("c", "refuse('conclude a silence')", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.silences: list[Silence] = []
        self.now = 0.0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(Text("Silence procedures", "bold"), classes="screen-title")
        yield RecordTable(id="silences")
        yield KeysFooter()

    def on_mount(self) -> None:
        table = self.query_one("#silences", DataTable)
        table.add_columns("On", "Until", "State", "Message")

    def load(self) -> None:
        table = self.query_one("#silences", DataTable)
        self.wg_app.busy(table)
        self.read(table)

    @work(thread=True, exclusive=True, group="load")
    def read(self, table: DataTable[Text]) -> None:
        with self.wg_app.core(busy=table) as wg:
            found = wg.procedure.silences()
            self.wg_app.deliver(self.show, found, wg.record.clock())

    def show(self, silences: list[Silence], now: float) -> None:
        self.silences, self.now = silences, now
        table = self.query_one("#silences", DataTable)
        table.clear()
        for s in silences:
            state = s.state(now).value
            if s.state(now) is SilenceState.RUNNING:
                state += f", {in_words(s.until - now)} left"
            if s.breaks:
                state += " by " + ", ".join(b.group for b in s.breaks)
            what = f"draft {s.subject}" if s.on_draft else f"amendment {s.subject}"
            table.add_row(
                safe(what, one_line=True),
                Text(local_time(s.until)),
                Text(state),
                safe(clip(s.event.text, 40), one_line=True),
                key=s.id,
            )
        if not silences:
            self.notify("No silence procedures yet.")

    @property
    def chosen(self) -> Silence | None:
        table = self.query_one("#silences", DataTable)
        if not self.silences or table.cursor_row is None:
            return None
        return self.silences[min(table.cursor_row, len(self.silences) - 1)]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        """Open what the highlighted silence is on: the amendment, or the draft."""
        silence = self.chosen
        if silence is None:
            return
        self.navigator.open("draft" if silence.on_draft else "amendment", silence.subject)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "conclude":
            return self.wg_app.allows("conclude a silence")
        return super().check_action(action, parameters)

    def action_break_silence(self) -> None:
        silence = self.chosen
        if silence is None:
            return
        ask(
            self,
            Fields(
                f"Break silence {silence.id} (until {local_time(silence.until)})",
                [Field("reason", "Why your group objects")],
                confirm="Break",
            ),
            lambda wg, v: wg.procedure.silence_break(silence.id, reason=v["reason"]),
            f"Broke silence {silence.id}",
        )

    def action_conclude(self) -> None:
        silence = self.chosen
        if silence is not None:
            self.write(
                lambda wg: wg.procedure.silence_conclude(silence.id), f"Concluded {silence.id}"
            )

    def commands(self) -> Iterable[Command]:
        silence = self.chosen
        if silence is None:
            return
        yield Command("Break this silence", "Object before the deadline", self.action_break_silence)
        yield Command(
            "Conclude this silence",
            "Chair: adopt the text (merge or tag)",
            self.action_conclude,
            needs="conclude a silence",
        )
