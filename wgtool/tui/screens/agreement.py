"""Agreement in the TUI: what the chair and the secretariat say of a draft's paragraphs
(brackets, status, the window, renumbering), silences, co-sponsors and alternatives.

The reader offers the paragraph actions in its palette; the silences screen lists every silence
procedure with the actions each allows; the amendment screen offers co-sponsoring, a silence and
an alternative text. Every write goes through the core in a worker (``WgScreen.write``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Header, Input, Label, Static

from wgtool.api import ParagraphState, Silence, WorkingGroup, in_words, local_time, parse_when
from wgtool.tui.commands import Command
from wgtool.tui.render import clip, safe
from wgtool.tui.screens.base import WgModal, WgScreen
from wgtool.tui.screens.dialogs import CONFIRM_BINDINGS
from wgtool.tui.widgets import KeysFooter, RecordTable


@dataclass(frozen=True)
class Field:
    """One line of a :class:`FieldsDialog`."""

    key: str
    label: str
    initial: str = ""
    required: bool = True
    placeholder: str = ""


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


def names(value: str) -> list[str]:
    """Groups or handles typed with commas or spaces between them."""
    return [part for part in value.replace(",", " ").split() if part]


def ask(
    screen: WgScreen,
    dialog: FieldsDialog,
    change: Callable[[WorkingGroup, dict[str, str]], object],
    summary: str,
) -> None:
    """Show ``dialog``; once confirmed, write ``change(wg, values)`` in a worker."""

    def confirmed(values: dict[str, str] | None) -> None:
        if values is not None:
            screen.write(lambda wg: change(wg, values), summary)

    screen.app.push_screen(dialog, confirmed)


DEADLINE = Field("until", "Deadline (ISO 8601 with a zone, or 72h, 30m)", placeholder="72h")


def paragraph_commands(
    screen: WgScreen, slug: str, state: ParagraphState | None
) -> Iterable[Command]:
    """The palette's actions on the highlighted paragraph: bracket, lift, agree, reopen,
    comment."""
    if state is None:
        return
    label = state.label
    yield Command(
        f"Bracket words in ¶{label}",
        "Chair: square brackets around words that are not agreed",
        lambda: ask(
            screen,
            FieldsDialog(
                f"Bracket words in ¶{label}",
                [
                    Field("words", "Exact words (empty: the whole paragraph)", required=False),
                    Field("reason", "Reason"),
                    Field("held_by", "Held by (groups or handles)", required=False),
                ],
                confirm="Bracket",
            ),
            lambda wg, v: wg.agreement.bracket(
                slug,
                label,
                words=v["words"] or None,
                reason=v["reason"],
                held_by=names(v["held_by"]),
            ),
            f"Bracketed words in ¶{label}",
        ),
        needs="bracket",
    )
    for bracket in state.brackets:
        words = clip(bracket.event.words or "the whole paragraph", 30)
        yield Command(
            f"Lift the bracket on “{words}” in ¶{label}",
            "Chair: the words are agreed",
            _lift(screen, bracket.id, label),
            needs="lift a bracket",
        )
    yield from status_commands(screen, slug, state)
    yield Command(
        f"Comment on ¶{label}",
        "A comment on the paragraph itself",
        lambda: ask(
            screen,
            FieldsDialog(f"Comment on ¶{label}", [Field("text", "Your comment")], confirm="Send"),
            lambda wg, v: wg.agreement.comment_paragraph(slug, label, v["text"]),
            f"Comment on ¶{label} added",
        ),
        needs="comment",
    )


def status_commands(screen: WgScreen, slug: str, state: ParagraphState) -> Iterable[Command]:
    """The chair's paragraph status actions: agree, agree ad referendum, reopen."""
    label = state.label
    yield Command(
        f"Agree ¶{label}",
        "Chair: record the paragraph as agreed",
        lambda: screen.write(lambda wg: wg.agreement.agree(slug, label), f"¶{label} agreed"),
        needs="agree a paragraph",
    )
    yield Command(
        f"Agree ¶{label} ad referendum",
        "Chair: agreed, pending on some groups or members",
        lambda: ask(
            screen,
            FieldsDialog(
                f"¶{label} agreed ad referendum",
                [Field("pending", "Pending on (groups or handles)")],
                confirm="Agree",
            ),
            lambda wg, v: wg.agreement.agree(
                slug, label, ad_ref=True, pending_on=names(v["pending"])
            ),
            f"¶{label} agreed ad referendum",
        ),
        needs="agree a paragraph",
    )
    if state.status != "open" or state.changed:
        yield Command(
            f"Reopen ¶{label}",
            "Chair: the paragraph is open again",
            lambda: ask(
                screen,
                FieldsDialog(f"Reopen ¶{label}", [Field("reason", "Reason")], confirm="Reopen"),
                lambda wg, v: wg.agreement.reopen(slug, label, reason=v["reason"]),
                f"¶{label} open again",
            ),
            needs="reopen a paragraph",
        )


def _lift(screen: WgScreen, bracket_id: str, label: str) -> Callable[[], None]:
    def lift() -> None:
        ask(
            screen,
            FieldsDialog(
                "Lift a bracket", [Field("reason", "Reason", required=False)], confirm="Lift"
            ),
            lambda wg, v: wg.agreement.unbracket(bracket_id, reason=v["reason"]),
            f"Lifted a bracket in ¶{label}",
        )

    return lift


def draft_commands(screen: WgScreen, slug: str, window_open: bool | None) -> Iterable[Command]:
    """The palette's actions on a whole draft: silence, the window, renumbering."""
    yield Command(
        f"Put {slug} under silence",
        "Chair or secretariat: adopted as a version at a deadline unless someone objects",
        lambda: ask(
            screen,
            FieldsDialog(
                f"Silence procedure on {slug}",
                [
                    DEADLINE,
                    Field("message", "Message"),
                    Field("version", "Version name when adopted", required=False),
                ],
                confirm="Start",
            ),
            lambda wg, v: wg.procedure.silence_start(
                slug,
                until=parse_when(v["until"], wg.record.clock()),
                message=v["message"],
                version=v["version"] or None,
            ),
            f"{slug} is under silence",
        ),
        needs="start a silence",
    )
    verb = "Close" if window_open in (True, None) else "Open"
    yield Command(
        f"{verb} the amendment window for {slug}",
        "Secretariat: whether new amendments may be tabled",
        lambda: ask(
            screen,
            FieldsDialog(
                f"{verb} the amendment window for {slug}",
                [Field("until", "Until (optional: when it turns back)", required=False)],
                confirm=verb,
            ),
            lambda wg, v: wg.procedure.set_window(
                slug,
                verb.lower(),
                until=parse_when(v["until"], wg.record.clock()) if v["until"].strip() else None,
            ),
            f"Amendment window for {slug}: {verb.lower()}d",
        ),
        needs="open or close the window",
    )
    yield Command(
        f"Renumber the paragraphs of {slug}",
        "Secretariat: 7bis becomes 8; the concordance is recorded",
        lambda: screen.write(lambda wg: wg.procedure.renumber(slug), f"Renumbered {slug}"),
        needs="renumber",
    )
    yield Command(
        "Silence procedures", "Running, ended, broken and concluded", screen_silences(screen)
    )


def screen_silences(screen: WgScreen) -> Callable[[], object]:
    return lambda: screen.app.push_screen(SilencesScreen())


def amendment_commands(
    screen: WgScreen, amendment_id: str, cosponsoring: bool, own: bool, undecided: bool
) -> Iterable[Command]:
    """The palette's agreement actions on an amendment."""
    if not own and undecided:
        verb = "Stop co-sponsoring" if cosponsoring else "Co-sponsor"
        yield Command(
            f"{verb} this amendment",
            "Your name on another member's amendment",
            lambda: screen.write(
                lambda wg: wg.procedure.cosponsor(amendment_id, withdraw=cosponsoring),
                f"{verb} {amendment_id}: done",
            ),
            needs="co-sponsor",
        )
    if undecided:
        yield Command(
            "Put this amendment under silence",
            "Chair or secretariat: adopted at a deadline unless someone objects",
            lambda: ask(
                screen,
                FieldsDialog(
                    f"Silence procedure on amendment {amendment_id}",
                    [DEADLINE, Field("message", "Message")],
                    confirm="Start",
                ),
                lambda wg, v: wg.procedure.silence_start(
                    amendment_id,
                    until=parse_when(v["until"], wg.record.clock()),
                    message=v["message"],
                ),
                f"Amendment {amendment_id} is under silence",
            ),
            needs="start a silence",
        )
    yield Command(
        "Silence procedures", "Running, ended, broken and concluded", screen_silences(screen)
    )


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
            state = s.state(now)
            if state == "running":
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
        if silence.on_draft:
            from wgtool.tui.screens.reader import DraftScreen

            self.app.push_screen(DraftScreen(silence.subject))
        else:
            from wgtool.tui.screens.amendment import AmendmentScreen

            self.app.push_screen(AmendmentScreen(silence.subject))

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
            FieldsDialog(
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
