"""A paragraph's inline Markdown as pieces of styled text, each located in its source.

Documents show a paragraph as what it says (``*very*`` as *very*), not as its Markdown; a redline
and a reader coloured by author also need to know which characters of the source each shown
character comes from. :func:`layout` gives both: the paragraph parsed as every export parses it
(:func:`wgtool.core.document.inline_tokens`: raw HTML is text, unsafe links stay text), as
:class:`Piece` objects in source order; the Markdown's own marks (``*``, backticks, a link's
address) belong to no piece. :func:`styled_diff` lays out a word diff the same way: the new side
(equal and inserted text) gives the look of equal and inserted characters, the old side that of
deleted ones.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from wgtool.core import document
from wgtool.core.text import DiffOp

_ENTITY_RE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


@dataclass(frozen=True)
class Look:
    """How a piece of text is set: emphasis (italic), strong emphasis (bold), inline code."""

    bold: bool = False
    italic: bool = False
    code: bool = False


PLAIN = Look()


@dataclass(frozen=True)
class Piece:
    """Text shown for the source characters ``[at, at + span)``.

    ``text`` is those characters themselves when ``span == len(text)``; else what they decode
    to (an entity such as ``&amp;``), or, with ``span`` 0, text the layout adds at ``at`` (a
    link's address after its words, a character no source character stands for).
    """

    at: int
    span: int
    text: str
    look: Look = PLAIN

    @property
    def literal(self) -> bool:
        return self.span == len(self.text)


@dataclass(frozen=True)
class Styled:
    """A piece of a word diff as documents show it: ``equal``, ``insert`` or ``delete``."""

    op: str
    text: str
    look: Look = PLAIN


class _Aligner:
    """Finds the characters of the parser's text tokens in the source, in order."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.cursor = 0
        self.pieces: list[Piece] = []

    def text(self, content: str, look: Look) -> None:
        """The content of a text token: runs of source characters, decoded entities, and what
        no source character stands for."""
        source, i = self.source, 0
        while i < len(content):
            found = source.find(content[i], self.cursor)
            entity = _ENTITY_RE.search(source, self.cursor, found if found >= 0 else len(source))
            if entity is not None:
                decoded = html.unescape(entity.group(0))
                if content.startswith(decoded, i):
                    self.pieces.append(Piece(entity.start(), len(entity.group(0)), decoded, look))
                    self.cursor, i = entity.end(), i + len(decoded)
                    continue
            if found < 0:
                self.pieces.append(Piece(self.cursor, 0, content[i], look))
                i += 1
                continue
            length = 1
            while (
                i + length < len(content)
                and found + length < len(source)
                and source[found + length] == content[i + length]
            ):
                length += 1
            self.pieces.append(Piece(found, length, content[i : i + length], look))
            self.cursor, i = found + length, i + length

    def after_link(self, href: str, words: str, look: Look) -> None:
        """Past the rest of a link (``](address)``, ``][name]`` or an autolink's ``>``), then
        its address shown after its words."""
        source = self.source
        if source.startswith(">", self.cursor):
            self.cursor += 1
        else:
            close = source.find("]", self.cursor)
            after = source[close + 1 : close + 2] if close >= 0 else ""
            end = (
                source.find(")" if after == "(" else "]", close + 2) if after in ("(", "[") else -1
            )
            if close >= 0:
                self.cursor = (end if end >= 0 and after else close) + 1
        if href and href != words and f"mailto:{words}" != href:
            self.pieces.append(Piece(self.cursor, 0, f" ({href})", look))


def layout(source: str) -> list[Piece]:
    """The pieces a paragraph's inline Markdown shows, in source order (line breaks are kept
    as ``"\\n"`` pieces; a document may show them as spaces)."""
    aligner = _Aligner(source)
    bold = italic = 0
    links: list[tuple[str, int]] = []
    for token in document.inline_tokens(source):
        kind = token.type
        look = Look(bold > 0, italic > 0)
        if kind in ("strong_open", "strong_close"):
            bold += 1 if kind == "strong_open" else -1
        elif kind in ("em_open", "em_close"):
            italic += 1 if kind == "em_open" else -1
        elif kind == "link_open":
            links.append((str(token.attrs.get("href", "")), len(aligner.pieces)))
        elif kind == "link_close" and links:
            href, first = links.pop()
            words = "".join(p.text for p in aligner.pieces[first:])
            aligner.after_link(href, words, look)
        elif kind in ("softbreak", "hardbreak"):
            aligner.text("\n", look)
        elif kind == "code_inline":
            aligner.text(token.content, Look(look.bold, look.italic, True))
        elif token.content:
            aligner.text(token.content, look)
    return aligner.pieces


def shown(source: str) -> str:
    """What a paragraph says: the text of its pieces."""
    return "".join(p.text for p in layout(source))


class _Side:
    """One side of a diff (the old or the new text), read op by op in order."""

    def __init__(self, text: str) -> None:
        self.pieces = layout(text)
        self.index = 0

    def take(self, start: int, end: int) -> Iterator[tuple[str, Look]]:
        """The shown text of source characters ``[start, end)``: literal pieces cut at the
        bounds, an entity where it starts, added text with the character it follows."""
        pieces = self.pieces
        while self.index < len(pieces):
            piece = pieces[self.index]
            anchor = piece.at - 1 if piece.span == 0 and piece.at > 0 else piece.at
            if anchor >= end:
                return
            if piece.literal:
                low, high = max(piece.at, start), min(piece.at + piece.span, end)
                if high > low:
                    yield piece.text[low - piece.at : high - piece.at], piece.look
                if piece.at + piece.span > end:
                    return
            elif anchor >= start:
                yield piece.text, piece.look
            self.index += 1


def styled_diff(ops: Sequence[DiffOp]) -> list[Styled]:
    """A word diff as documents show it: each op's text laid out as its side's Markdown, the
    Markdown's own marks dropped; neighbours of one op and one look joined."""
    new = _Side("".join(op.text for op in ops if op.op != "delete"))
    old = _Side("".join(op.text for op in ops if op.op != "insert"))
    result: list[Styled] = []
    new_at = old_at = 0
    for op in ops:
        length = len(op.text)
        if op.op == "delete":
            taken: Iterable[tuple[str, Look]] = old.take(old_at, old_at + length)
            old_at += length
        else:
            taken = new.take(new_at, new_at + length)
            new_at += length
            old_at += length if op.op == "equal" else 0
        for text, look in taken:
            if result and result[-1].op == op.op and result[-1].look == look:
                result[-1] = Styled(op.op, result[-1].text + text, look)
            elif text:
                result.append(Styled(op.op, text, look))
    return result
