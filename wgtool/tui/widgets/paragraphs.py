"""A draft as a list: headings, and numbered paragraphs with their open amendments."""

from __future__ import annotations

from typing import ClassVar

from rich.console import RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.binding import Binding, BindingType
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from wgtool.core import document
from wgtool.tui.render import inline_markdown, safe


def paragraph_option_id(number: int) -> str:
    return f"p{number}"


class ParagraphList(OptionList):
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

    def show_draft(self, text: str, open_counts: dict[int, int]) -> None:
        """Show a draft's text, keeping the highlighted paragraph if it still exists."""
        keep = self.paragraph
        self.clear_options()
        options: list[Option] = []
        for block in document.blocks(text):
            if block.number is None:
                options.append(Option(_heading(block), disabled=True))
            else:
                count = open_counts.get(block.number, 0)
                options.append(
                    Option(_paragraph(block, count), id=paragraph_option_id(block.number))
                )
        self.add_options(options)
        target = keep if keep is not None else 1
        try:
            self.highlighted = self.get_option_index(paragraph_option_id(target))
        except LookupError:
            self.action_first()

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


def _heading(block: document.Block) -> RenderableType:
    return safe(block.heading_text, "bold underline" if block.heading_level == 1 else "bold")


def _paragraph(block: document.Block, open_count: int) -> RenderableType:
    gutter = Text(f"¶{block.number}", style="bold")
    if open_count:
        gutter.append(f"\n{open_count} open", style="reverse")
    grid = Table.grid(padding=(0, 1), expand=True)
    grid.add_column(width=7, no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_row(gutter, inline_markdown(block.text))
    return Padding(grid, (0, 0, 1, 0))
