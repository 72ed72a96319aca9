"""Drafts as Markdown: blocks, numbered paragraphs, paragraph edits and safe HTML.

A draft is Markdown with blocks separated by blank lines. Headings structure the text; every
other block is a paragraph, numbered from 1 through the whole draft (as operative paragraphs of
a resolution are). Edits work on the original character spans, so untouched text keeps every byte.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from wgtool.core.errors import InvalidInput, Remedy
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import markdown_it
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
else:
    markdown_it = lazy_module("markdown_it")  # only exports render HTML: not paid by every command

BLOCK_RE = re.compile(r"(?:[^\n]*\S[^\n]*(?:\n|\Z))+")
HEADING_RE = re.compile(r"^#{1,6}\s")


@dataclass(frozen=True)
class Block:
    text: str
    start: int
    end: int
    heading: bool
    number: int | None  # paragraph number, None for headings

    @property
    def heading_level(self) -> int:
        return len(self.text) - len(self.text.lstrip("#")) if self.heading else 0

    @property
    def heading_text(self) -> str:
        return self.text.lstrip("#").strip() if self.heading else ""


def blocks(text: str) -> list[Block]:
    """Every block of a draft with its span and paragraph number."""
    result: list[Block] = []
    number = 0
    for match in BLOCK_RE.finditer(text):
        raw = match.group(0)
        body = raw.rstrip("\n")
        heading = bool(HEADING_RE.match(body))
        if not heading:
            number += 1
        result.append(
            Block(
                body, match.start(), match.start() + len(body), heading, None if heading else number
            )
        )
    return result


def paragraphs(text: str) -> list[Block]:
    return [b for b in blocks(text) if not b.heading]


def common_ends(old: list[str], new: list[str]) -> tuple[int, int]:
    """How many blocks two texts' block lists share at the start, and then at the end."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    return start, end


def title(text: str) -> str | None:
    for b in blocks(text):
        if b.heading:
            return b.heading_text
    return None


def listed(slug: str, text: str) -> tuple[str, int]:
    """What a list of drafts shows of draft ``slug`` of ``text``: its title (else its slug)
    and how many paragraphs it has."""
    return title(text) or slug, len(paragraphs(text))


def paragraph(text: str, number: int) -> Block:
    paras = paragraphs(text)
    if not 1 <= number <= len(paras):
        raise InvalidInput(
            f"paragraph {number} is out of range: the draft has paragraphs 1-{len(paras)}"
            if paras
            else f"paragraph {number} is out of range: the draft has no paragraphs"
        )
    return paras[number - 1]


def clean_paragraph_text(new: str) -> str:
    new = new.strip()
    if not new:
        raise InvalidInput("the paragraph text is empty: give the new text")
    if re.search(r"\n[ \t]*\n", new):
        raise InvalidInput(
            "the text holds more than one paragraph: propose one paragraph at a time",
            remedy=Remedy.WHOLE_DRAFT_INSTEAD,
        )
    return new


def replace_paragraph(text: str, number: int, new: str) -> str:
    block = paragraph(text, number)
    return text[: block.start] + clean_paragraph_text(new) + text[block.end :]


def insert_after(text: str, number: int, new: str) -> str:
    """Insert a paragraph after paragraph ``number`` (0: before the first paragraph)."""
    new = clean_paragraph_text(new)
    if number == 0:
        paras = paragraphs(text)
        if not paras:
            return text.rstrip("\n") + "\n\n" + new + "\n"
        first = paras[0]
        return text[: first.start] + new + "\n\n" + text[first.start :]
    block = paragraph(text, number)
    return text[: block.end] + "\n\n" + new + text[block.end :]


def delete_paragraph(text: str, number: int) -> str:
    block = paragraph(text, number)
    before = text[: block.start]
    after = text[block.end :]
    if before.strip():
        # Drop the blank line(s) that separated the block from what comes before it.
        return before.rstrip("\n") + after
    return before + after.lstrip("\n")


def paragraph_at(text: str, offset: int) -> int | None:
    """The number of the paragraph at or nearest after a character offset."""
    for b in blocks(text):
        if offset <= b.end and b.number is not None:
            return b.number
    paras = paragraphs(text)
    return paras[-1].number if paras else None


def normalise(text: str) -> str:
    """The form drafts are stored in: LF line ends and exactly one final newline."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.strip("\n") + "\n"


def _markdown() -> MarkdownIt:
    # commonmark without raw HTML: member text such as <script> is escaped, never passed through;
    # without images, so no document fetches what a member pointed it at when it is opened.
    return markdown_it.MarkdownIt("commonmark", {"html": False, "linkify": False}).disable("image")


def inline_html(text: str) -> str:
    """One paragraph's Markdown as inline HTML: its emphasis, code and links, never a block.
    A line inside it that Markdown would read as a heading, a list or a quote stays text of
    the paragraph, as wgtool reads it (a block is one paragraph, however many lines)."""
    html: str = _markdown().renderInline(text)
    return html


def inline_tokens(text: str) -> list[Token]:
    """The inline Markdown of one paragraph as markdown-it tokens (text, emphasis, links...),
    parsed as :func:`inline_html` parses it: raw HTML is text, unsafe link schemes stay text."""
    tokens: list[Token] = []
    for block in _markdown().parseInline(text):
        tokens.extend(block.children or [])
    return tokens
