"""A draft, paragraph by paragraph, with how many open amendments target each paragraph; or
coloured by the stakeholder group whose merged amendment wrote each word, with a legend."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Header, OptionList, Static

from wgtool.api import Draft, Event, Kind, ParagraphState, ParagraphStatus, Statement, document
from wgtool.tui.commands import Command
from wgtool.tui.commands.agreement import draft_commands, paragraph_commands
from wgtool.tui.commands.statements import statement_commands
from wgtool.tui.render import Authors, safe
from wgtool.tui.screens.base import WgScreen
from wgtool.tui.widgets import KeysFooter, ParagraphList
from wgtool.tui.widgets.paragraphs import paragraph_number

if TYPE_CHECKING:
    from wgtool.api import WorkingGroup

SENT_TO = "origin"
"""The remote a focus set in the reader is sent to at once (when this clone has it), so that
rooms following it (``wgtool present SLUG --follow origin``) see it."""


class DraftScreen(WgScreen):
    """Read a draft; propose an amendment to the highlighted paragraph; see its amendments."""

    AUTO_FOCUS = "#paragraphs"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "p",
            "propose",
            "Propose",
            id="propose",
            tooltip="Propose an amendment to the highlighted paragraph",
        ),
        Binding("p", "refuse('propose')", show=False),
        Binding(
            "a",
            "amendments",
            "Amendments",
            id="draft-amendments",
            tooltip="All amendments to this draft",
        ),
        Binding(
            "v",
            "versions",
            "Versions",
            id="draft-versions",
            tooltip="Consensus versions of this draft, and redlines",
        ),
        Binding(
            "f",
            "focus_room",
            "Focus the room",
            id="focus-room",
            tooltip="Chair: show the meeting room (wgtool present) the highlighted paragraph",
        ),
        Binding("f", "refuse('focus the room')", show=False),
        Binding(
            "w",
            "who_wrote",
            "Who wrote it",
            id="who-wrote-it",
            tooltip="Colour each word by the stakeholder group whose amendment wrote it (again: "
            "plain text)",
        ),
        Binding(
            "l",
            "languages",
            "Languages",
            id="draft-languages",
            tooltip="The draft beside its translations, paragraph by paragraph",
        ),
    ]

    def __init__(self, slug: str) -> None:
        super().__init__()
        self.slug = slug
        self.draft: Draft | None = None
        self.open_counts: dict[int, int] = {}
        self.ledger: dict[str, ParagraphState] = {}
        self.window_open: bool | None = None
        self.reservations: dict[str, list[Event]] = {}  # standing, by the label now
        self.explanations = 0
        self.by_group = False
        """Whether the words are coloured by who wrote them (read with the draft, in its
        worker: tracing who wrote them is git work)."""
        self.authors: Authors | None = None

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(safe(self.slug, one_line=True), id="draft-info", classes="screen-title")
        yield Static(id="draft-legend")
        yield ParagraphList(id="paragraphs")
        yield KeysFooter()

    def load(self) -> None:
        paragraphs = self.query_one(ParagraphList)
        self.wg_app.busy(paragraphs)
        self.read_draft(paragraphs)

    @work(thread=True, exclusive=True, group="load")
    def read_draft(self, paragraphs: ParagraphList) -> None:
        with self.wg_app.core(busy=paragraphs) as wg:
            draft = wg.drafts.draft(self.slug)
            counts = wg.deliberation.open_counts(self.slug)
            ledger = wg.agreement.ledger(self.slug)
            window = wg.procedure.window(self.slug).is_open(wg.record.clock())
            authors = Authors.of(wg.documents.blame(self.slug)) if self.by_group else None
            said = wg.reservations.statements(self.slug)
            self.wg_app.deliver(self.show, draft, counts, ledger, window, authors, said)

    def show(
        self,
        draft: Draft,
        counts: dict[int, int],
        ledger: list[ParagraphState] | None = None,
        window_open: bool | None = None,
        authors: Authors | None = None,
        said: list[Statement] | None = None,
    ) -> None:
        self.draft, self.open_counts = draft, counts
        standing = [s for s in said or [] if s.active]
        self.reservations = {}
        for s in standing:
            if s.kind == "reservation" and s.label is not None:
                self.reservations.setdefault(s.label, []).append(s.event)
        self.explanations = sum(s.kind == "explanation" for s in standing)
        self.ledger = {p.label: p for p in ledger or []}
        self.window_open = window_open
        # Main may have moved between reading the draft and tracing it: the next load agrees.
        traced = authors is not None and authors.blame.attribution.text == draft.text
        self.authors = authors if traced else None
        self.show_text()
        total = len(document.paragraphs(draft.text))
        agreed = sum(p.status is ParagraphStatus.AGREED for p in self.ledger.values())
        brackets = sum(len(p.brackets) for p in self.ledger.values())
        info = Text()
        info.append_text(safe(self.slug, "bold", one_line=True))
        info.append(f" · {total} ¶ · {agreed} agreed · {brackets} bracket(s)")
        info.append(f" · {sum(counts.values())} open amendments")
        comments = sum(len(p.comments) for p in self.ledger.values())
        if comments:
            info.append(f" · {comments} comment(s)")
        reserved = sum(len(r) for r in self.reservations.values())
        if reserved or self.explanations:
            info.append(f" · {reserved} reservation(s), {self.explanations} explanation(s)")
        if window_open is False:
            info.append(" · window closed", "bold")
        self.query_one("#draft-info", Static).update(info)

    def show_text(self) -> None:
        """The draft's paragraphs: plain, or each word in the colour of its writer's group."""
        if self.draft is None:
            return
        legend = self.query_one("#draft-legend", Static)
        authors = self.authors if self.by_group else None
        if authors is not None:
            legend.update(authors.legend(colour=not self.app.no_color))
        legend.display = authors is not None
        self.query_one(ParagraphList).show_draft(
            self.draft.text,
            self.open_counts,
            self.draft.labels,
            {label: p.mark for label, p in self.ledger.items()},
            {
                label: [(b.start or 0, b.end or 0, b.id) for b in p.brackets]
                for label, p in self.ledger.items()
            },
            None if authors is None else authors.runs,
            {label: p.comments for label, p in self.ledger.items()},
            self.reservations,
        )

    @property
    def label(self) -> str | None:
        """The stable label of the highlighted paragraph (``7bis``)."""
        number = self.paragraph
        return None if number is None else self.query_one(ParagraphList).label_of(number)

    @property
    def paragraph(self) -> int | None:
        return self.query_one(ParagraphList).paragraph

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "propose":
            return self.wg_app.allows("propose")
        if action == "focus_room":
            return self.wg_app.allows("focus the room")
        return super().check_action(action, parameters)

    def action_propose(self, kind: str = Kind.REPLACE.value) -> None:
        number = self.paragraph
        if self.draft is None or number is None:
            self.notify("Highlight a paragraph first.", severity="warning")
            return
        self.navigator.open(
            "propose", self.slug, number, self.draft.text, Kind(kind), label=self.label
        )

    def action_focus_room(self) -> None:
        """Focus the meeting room on the highlighted paragraph (the chair)."""
        label = self.label
        if label is None:
            self.notify("Highlight a paragraph first.", severity="warning")
            return
        slug = self.slug

        def focus(wg: WorkingGroup) -> None:
            _, written = wg.meeting.focus(slug, label)
            if written and SENT_TO in wg.exchange.remotes():
                wg.exchange.sync(SENT_TO, news=False)  # rooms following the remote see it

        self.write(focus, f"The room is on ¶{label} of {slug}")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        number = paragraph_number(event.option.id)
        if number is not None:
            self.navigator.open("queue", draft=self.slug, paragraph=number)

    def action_amendments(self) -> None:
        self.navigator.open("queue", draft=self.slug)

    def action_versions(self) -> None:
        self.navigator.open("versions", self.slug)

    def action_languages(self) -> None:
        self.navigator.open("translation", self.slug)

    def action_tag(self) -> None:
        self.navigator.open("tag", self.slug)

    def action_who_wrote(self) -> None:
        """Colour the words by who wrote them (traced in the worker), or show them plain."""
        self.by_group = not self.by_group
        if self.by_group:
            self.load()
        else:
            self.authors = None
            self.show_text()

    def commands(self) -> Iterable[Command]:
        number = self.paragraph
        if number is not None:
            label = self.label or str(number)
            yield from paragraph_commands(self, self.slug, self.ledger.get(label))
            yield from statement_commands(self, self.slug, label)
            yield Command(
                f"Focus the room on ¶{label}",
                "Chair: the meeting room's screen (wgtool present) shows this paragraph",
                self.action_focus_room,
                needs="focus the room",
            )
            yield Command(
                f"Amend paragraph {label}",
                "Propose a replacement text",
                lambda: self.action_propose(Kind.REPLACE.value),
                needs="propose",
            )
            yield Command(
                f"Insert a paragraph after paragraph {label}",
                "Propose a new paragraph",
                lambda: self.action_propose(Kind.INSERT.value),
                needs="propose",
            )
            yield Command(
                f"Delete paragraph {label}",
                "Propose deleting it",
                lambda: self.action_propose(Kind.DELETE.value),
                needs="propose",
            )
            yield Command(
                f"Amendments to paragraph {label}",
                "The queue, for this paragraph",
                lambda: self.navigator.open("queue", draft=self.slug, paragraph=number),
            )
        yield Command(
            f"Versions of {self.slug}", "Consensus versions and redlines", self.action_versions
        )
        yield Command(
            f"Translations of {self.slug}",
            "The draft beside its translation, stale paragraphs marked",
            self.action_languages,
        )
        yield Command(
            f"Tag a version of {self.slug}",
            "Secretariat: the current text as a consensus version",
            self.action_tag,
            needs="tag",
        )
        yield Command(
            "Plain text" if self.by_group else "Who wrote it: colour the words by group",
            "The draft as it reads"
            if self.by_group
            else "Each word in the colour of the stakeholder group whose amendment wrote it",
            self.action_who_wrote,
        )
        yield from draft_commands(self, self.slug, self.window_open)
        if number is None:
            yield from statement_commands(self, self.slug, None)
