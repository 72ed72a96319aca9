"""A draft as a list: headings, and numbered paragraphs with their open amendments."""

from __future__ import annotations

import bisect
from collections.abc import Mapping, Sequence
from typing import ClassVar

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets.option_list import Option

from wgtool.api import Event, Span, agreement, document
from wgtool.tui.render import AuthorRun, authored_markdown, inline_markdown, safe
from wgtool.tui.widgets.listing import RecordList


def paragraph_option_id(number: int) -> str:
    return f"p{number}"


class ParagraphList(RecordList):
    """The blocks of a draft; paragraphs can be highlighted and chosen, headings cannot.

    Each paragraph shows its number (as the core counts them: headings are not numbered) and,
    when amendments to it are open, how many.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding(
            "enter",
            "select",
            "Its amendments",
            id="paragraph-amendments",
            tooltip="The amendments to the highlighted paragraph",
        ),
    ]
    """
    | Key(s) | Description |
    | :- | :- |
    | enter | Choose the highlighted paragraph (posts `OptionSelected`). |
    """

    DEFAULT_CSS = """
    ParagraphList {
        height: 1fr;
        & > .option-list--option-disabled { color: $text; text-style: bold; }
    }
    """

    labels: tuple[str, ...] = ()

    def show_draft(
        self,
        text: str,
        open_counts: dict[int, int],
        labels: Sequence[str] = (),
        marks: Mapping[str, str] | None = None,
        spans: Mapping[str, Sequence[Span]] | None = None,
        authors: Sequence[AuthorRun] | None = None,
        comments: Mapping[str, Sequence[Event]] | None = None,
        reservations: Mapping[str, Sequence[Event]] | None = None,
    ) -> None:
        """Show a draft's text, keeping the highlighted paragraph if it still exists: each
        paragraph with its label (``¶7bis``), its status in the margin (``marks``), its
        bracketed words (``spans``) and the comments on it (``comments``), all by label; given
        ``authors`` (runs of the text in the style of whoever wrote them), each word in its
        writer's style; the groups' reservations on it (``reservations``) under it."""
        keep = self.paragraph
        self.labels = tuple(labels)
        self.clear_options()
        options: list[Option] = []
        ends = [end for _, end, _ in authors or ()]
        for block in document.blocks(text):
            if block.number is None:
                options.append(Option(_heading(block), disabled=True))
            else:
                label = self.label_of(block.number)
                count = open_counts.get(block.number, 0)
                found = (spans or {}).get(label, ())
                if authors is None:
                    words = bracketed(block.text, found)
                else:
                    words = authored(block.text, found, _within(authors, ends, block))
                said = (comments or {}).get(label, ())
                if said:
                    words = Text("\n").join([words, comment_lines(said)])
                reserved = (reservations or {}).get(label, ())
                if reserved:
                    words = Text("\n").join([words, reservation_lines(reserved)])
                body = _paragraph(count, label, (marks or {}).get(label, ""), words)
                options.append(Option(body, id=paragraph_option_id(block.number)))
        self.add_options(options)
        target = keep if keep is not None else 1
        try:
            self.highlighted = self.get_option_index(paragraph_option_id(target))
        except LookupError:
            self.action_first()

    def label_of(self, number: int) -> str:
        """The stable label of paragraph ``number`` (``7bis``; the number where none)."""
        return self.labels[number - 1] if 0 < number <= len(self.labels) else str(number)

    @property
    def paragraph(self) -> int | None:
        """The number of the highlighted paragraph, if any."""
        if self.highlighted is None:
            return None
        option = self.get_option_at_index(self.highlighted)
        return paragraph_number(option.id)

    def select_paragraph(self, number: int) -> None:
        """Highlight paragraph ``number`` (when it exists)."""
        try:
            self.highlighted = self.get_option_index(paragraph_option_id(number))
        except LookupError:
            pass


def paragraph_number(option_id: str | None) -> int | None:
    if option_id and option_id.startswith("p") and option_id[1:].isdigit():
        return int(option_id[1:])
    return None


def comment_lines(comments: Sequence[Event]) -> Text:
    """The comments on a paragraph under its text: who (and for whom), then what they said;
    a reply indented under the rest."""
    lines = []
    for comment in comments:
        line = Text("  ↳ " if comment.reply_to else "› ", "dim")
        line.append_text(safe(f"{comment.member} ({comment.group}): ", "italic", one_line=True))
        line.append_text(safe(comment.text, "italic dim", one_line=True))
        lines.append(line)
    return Text("\n").join(lines)


def reservation_lines(reservations: Sequence[Event]) -> Text:
    """A group's reservations on a paragraph: the version, the group (and who recorded it),
    then the reason."""
    lines = []
    for event in reservations:
        line = Text("⚑ ", "bold")
        line.append_text(
            safe(f"Reservation ({event.target}) of {event.group} ({event.member}): ", "bold")
        )
        line.append_text(safe(event.text, one_line=True))
        lines.append(line)
    return Text("\n").join(lines)


def _heading(block: document.Block) -> RenderableType:
    # One line, however many the block has: a heading's own lines cannot pose as paragraphs.
    text = " ".join(block.heading_text.split())
    return safe(text, "bold underline" if block.heading_level == 1 else "bold", one_line=True)


def _within(
    runs: Sequence[AuthorRun], ends: Sequence[int], block: document.Block
) -> list[AuthorRun]:
    """The runs over a block, as offsets in the block's text (``ends``: where each run ends)."""
    first = bisect.bisect_right(ends, block.start)
    found = []
    for start, end, style in runs[first:]:
        if start >= block.end:
            break
        found.append(
            (max(start, block.start) - block.start, min(end, block.end) - block.start, style)
        )
    return found


def _paragraph(open_count: int, label: str, mark: str, text: Text) -> RenderableType:
    gutter = Text(f"¶{label}", style="bold")
    if mark and mark != "open":
        gutter.append(f"\n{mark}", style="italic" if mark == "changed" else "bold")
    if open_count:
        gutter.append(f"\n{open_count} open", style="reverse")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=8, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(gutter, text)
    return Padding(grid, (0, 0, 1, 0))


def bracketed(text: str, spans: Sequence[Span]) -> Text:
    """A paragraph as ``Text`` with the chair's brackets as styled ``[`` and ``]`` around
    reversed words: marks placed as data before the Markdown is read, never found by looking
    for the text's own ``[``."""
    if not spans:
        return inline_markdown(text)
    return _marks_shown(inline_markdown(agreement.with_marks(text, spans)))


def authored(text: str, spans: Sequence[Span], runs: Sequence[AuthorRun]) -> Text:
    """A paragraph with each word in the style of whoever wrote it (``runs``: offsets in
    ``text``) and the chair's brackets still shown, as :func:`bracketed` shows them."""
    if not spans:
        return authored_markdown(text, runs)
    marked = agreement.with_marks(text, spans)
    # Where each character of ``text`` went in ``marked`` (the marks push it on), and which
    # offsets a bracket opens or closes at: a run from or to there takes the mark in too.
    moved: list[int] = []
    opens: set[int] = set()
    closes: set[int] = set()
    position = 0
    for piece, bracket in agreement.pieces(text, spans):
        if bracket is not None:
            opens.add(len(moved))
            position += 1
        moved.extend(range(position, position + len(piece)))
        position += len(piece)
        if bracket is not None:
            closes.add(len(moved))
            position += 1
    shifted = [
        (moved[start] - (start in opens), moved[end - 1] + 1 + (end in closes), style)
        for start, end, style in runs
        if end > start
    ]
    return _marks_shown(authored_markdown(marked, shifted))


def _marks_shown(rendered: Text) -> Text:
    """Rendered text with the bracket marks shown as ``[`` and ``]`` in bold reverse, and the
    words between them underlined."""
    plain = rendered.plain
    result = Text(
        plain.replace(agreement.OPEN_MARK, "[").replace(agreement.CLOSE_MARK, "]"),
        style=rendered.style,
    )
    result.spans = list(rendered.spans)
    start = None
    for index, char in enumerate(plain):
        if char == agreement.OPEN_MARK:
            start = index
        elif char == agreement.CLOSE_MARK and start is not None:
            result.stylize("bold reverse", start, start + 1)
            result.stylize("underline", start + 1, index)
            result.stylize("bold reverse", index, index + 1)
            start = None
    return result
