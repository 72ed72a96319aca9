"""A Word document (.docx) read into a draft's Markdown, with python-docx.

Each Word paragraph is one block; a paragraph in a heading style ("Title", "Heading 1"...) is a
Markdown heading of that level. Tracked changes are read as if accepted. What a draft cannot
hold is left out and said, one line each: tables, images and drawings, comments, footnotes, the
marks of tracked changes. Text that Markdown would read as structure (a leading ``#``, ``>``,
``-`` or ``1.``) is escaped, so a Word paragraph never becomes a heading or a list by accident.

A document is bounded before python-docx parses it: its size on disk, what its parts unzip to
(as the archive declares it, which Python's zipfile holds it to), and, read as a stream, how
many XML elements it has, how many paragraphs hold text and how much text; reading stops at the
first bound passed, so a small file of millions of paragraphs costs next to nothing. Reading
also gives up after ``WGTOOL_IMPORT_TIMEOUT`` seconds. Each is one line. A paragraph's text
follows the rules of all member text (:mod:`wgtool.core.validate`): a control or invisible
character is refused with its paragraph and position; Word's optional hyphens are left out.
"""

from __future__ import annotations

import io
import re
import time
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wgtool.core import validate
from wgtool.core.documents.word import (
    BRACKET_STYLE,
    CODE_FONT,
    LABEL_STYLE,
    NOTE_REF_STYLE,
    NOTE_STYLE,
)
from wgtool.core.errors import InvalidInput
from wgtool.core.labels import LABEL_RE
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import docx
    import docx.text.paragraph
    from docx.document import Document
    from lxml import etree
else:
    # python-docx and lxml: only reading a Word document pays for them
    docx = lazy_module("docx")
    etree = lazy_module("lxml.etree")

MAX_DOCX_BYTES = 10_000_000
# What the parts of a .docx may add up to once unzipped: a small file that unzips to gigabytes
# is refused before it is read.
MAX_UNZIPPED_BYTES = 100_000_000
# XML elements in all the parts together: a draft's 10,000 paragraphs with rich formatting
# need a few hundred thousand; python-docx holds every one in memory.
MAX_ELEMENTS = 1_000_000
IMPORT_TIMEOUT_ENV = "WGTOOL_IMPORT_TIMEOUT"
DEFAULT_IMPORT_TIMEOUT = 60.0
SOFT_HYPHEN = "\u00ad"  # Word's optional hyphen, as some programs write it into the text

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_HEADING_RE = re.compile(r"^heading\s*([1-9])$", re.IGNORECASE)
# A paragraph's start that Markdown reads as structure: a heading, a quote, a list item, a code
# fence, a rule; and a numbered list item, whose dot (or parenthesis) is what to escape.
_STRUCTURE_RE = re.compile(r"^(#|>|[-+*](?=\s)|`{3}|~{3}|([-*_])(\s*\2){2,}\s*$)")
_NUMBERED_RE = re.compile(r"^(\d{1,9})(?=[.)](\s|$))")
_SPACES_RE = re.compile(r"\s+")
_LEFT_OUT = {
    "drawing": "image or drawing",
    "pict": "image or drawing",
    "object": "embedded object",
    "commentReference": "comment",
    "footnoteReference": "footnote",
    "endnoteReference": "endnote",
}


@dataclass
class WordText:
    """What was read: the Markdown, and one line for each thing that was left out; from
    wgtool's own export, each paragraph's label too (``labels``, empty when any is missing)."""

    text: str = ""
    left_out: list[str] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    _blocks: list[str] = field(default_factory=list)
    _paragraphs: int = 0
    _own: OwnExport | None = None
    _levels: dict[str | None, int] = field(default_factory=dict)  # heading level by style id
    _source: str = ""
    _deadline: float = 0.0

    def where(self) -> str:
        number = self._paragraphs
        return f"after paragraph {number}" if number else "before the first paragraph"


def read_docx(path: str | Path) -> WordText:
    """The draft text of the Word document at ``path``; a one-line error if it is not one."""
    found = WordText(_source=str(path), _deadline=time.monotonic() + import_timeout())
    doc = _open(Path(path), found)
    found._own = OwnExport.of(doc)
    _read_body(doc.element.body, doc, found)
    found.text = "\n\n".join(found._blocks) + "\n" if found._blocks else ""
    if found._own is not None and not found._own.labels_complete(found._paragraphs):
        found.labels = []
    elif found._own is not None:
        found.labels = found._own.labels
    if not found.text:
        raise InvalidInput(f"{path} holds no text to make a draft of")
    return found


def import_timeout() -> float:
    """Seconds reading a document may take: ``WGTOOL_IMPORT_TIMEOUT`` or a generous default."""
    return validate.seconds_from_environment(IMPORT_TIMEOUT_ENV, DEFAULT_IMPORT_TIMEOUT)


def _open(path: Path, found: WordText) -> Document:
    validate.file_size(path, "Word document", MAX_DOCX_BYTES)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise InvalidInput(f"cannot read {path}: {error.strerror or error}") from None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
            if unzipped > MAX_UNZIPPED_BYTES:
                raise InvalidInput(f"{path} unzips to {unzipped} bytes: too large to read")
            _scan(archive, path, found)
        doc = docx.Document(io.BytesIO(data))
    except InvalidInput:
        raise
    except Exception:  # python-docx raises many kinds (zip, XML, missing part): all one answer
        raise InvalidInput(f"{path} is not a Word document (.docx)") from None
    _in_time(found)
    return doc


def _scan(archive: zipfile.ZipFile, path: Path, found: WordText) -> None:
    """Stream every XML part, counting as it goes, and refuse at the first bound passed:
    elements, paragraphs that hold text, and text. Nothing read is kept."""
    elements = paragraphs = text_bytes = 0
    paragraph_has_text = False
    for info in archive.infolist():
        if not info.filename.endswith((".xml", ".rels")):
            continue
        with archive.open(info) as stream:
            events = etree.iterparse(
                stream, events=("end",), resolve_entities=False, no_network=True, load_dtd=False
            )
            for _event, element in events:
                elements += 1
                if elements % 1000 == 0:
                    _in_time(found)
                if elements > MAX_ELEMENTS:
                    raise InvalidInput(
                        f"{path} holds more than {MAX_ELEMENTS:,} XML elements: "
                        "too large to read as a draft"
                    )
                tag = element.tag
                if tag == f"{_W}t" and element.text:
                    text_bytes += len(element.text.encode("utf-8", "surrogatepass"))
                    paragraph_has_text = True
                    if text_bytes > validate.MAX_TEXT_BYTES:
                        raise InvalidInput(
                            f"{path} holds more than {validate.MAX_TEXT_BYTES // 1_000_000} MB "
                            "of text: too large for a draft"
                        )
                elif tag == f"{_W}p":
                    paragraphs += paragraph_has_text
                    paragraph_has_text = False
                    if paragraphs > validate.MAX_PARAGRAPHS:
                        raise InvalidInput(
                            f"{path} holds more than {validate.MAX_PARAGRAPHS:,} paragraphs of "
                            "text: too many for a draft (split it into several drafts)"
                        )
                # What was counted is no longer needed: keep the tree being built empty.
                element.clear(keep_tail=False)
                while element.getprevious() is not None:
                    del element.getparent()[0]


def _in_time(found: WordText) -> None:
    if time.monotonic() > found._deadline:
        raise InvalidInput(
            f"{found._source} took longer than {import_timeout():g} s to read "
            f"(set {IMPORT_TIMEOUT_ENV} to wait longer)"
        )


def _read_body(body: Any, doc: Document, found: WordText) -> None:
    tables = 0
    for child in body.iterchildren():
        tag = child.tag.removeprefix(_W)
        if tag == "p":
            _in_time(found)
            _read_paragraph(child, doc, found)
        elif tag == "tbl":
            tables += 1
            rows = len(child.findall(f"{_W}tr"))
            found.left_out.append(f"table {tables} ({rows} rows) {found.where()}: not kept")
        elif tag == "sdt":  # a content control: its paragraphs are the document's own
            for content in child.iterchildren(f"{_W}sdtContent"):
                _read_body(content, doc, found)
        elif tag not in ("sectPr", "bookmarkStart", "bookmarkEnd"):
            found.left_out.append(f"{tag} element {found.where()}: not kept")


def _read_paragraph(p: Any, doc: Document, found: WordText) -> None:
    if found._own is not None and found._own.is_note(p):
        return  # what wgtool's export says about the draft is no part of it
    text, lost, changes = _paragraph_text(p)
    text = _SPACES_RE.sub(" ", text.replace(SOFT_HYPHEN, "")).strip()
    level = _heading_level(p, doc, found._levels)
    if text:
        place = "a heading" if level else f"paragraph {found._paragraphs + 1}"
        validate.refuse_unsafe(text, f"{found._source}: {place}")
    if found._own is not None and text:
        # wgtool's own export: emphasis back to Markdown, the label and brackets left out.
        label, text = found._own.markdown(p)
        text = text.replace(SOFT_HYPHEN, "")
        if text and not level:
            found._own.labels.append(label)
    if text and level:
        found._blocks.append("#" * min(level, 6) + " " + text)
    elif text:
        found._paragraphs += 1
        found._blocks.append(as_markdown(text))
    where = (
        f"in paragraph {found._paragraphs}"
        if text and not level
        else (f"in heading {text[:40]!r}" if text else found.where())
    )
    for what in lost:
        found.left_out.append(f"{what} {where}: not kept")
    if changes:
        found.left_out.append(
            f"{changes} tracked change(s) {where}: read as accepted, the marks not kept"
        )


class OwnExport:
    """Reading back wgtool's own clean-text export (:func:`wgtool.core.documents.word.clean_docx`),
    recognised by its styles: notes about the draft are skipped, each paragraph's label run
    is taken as its label, the chair's bracket runs are left out (brackets are events, not
    text), and bold, italic and code runs become Markdown emphasis again. So a draft exported
    and read back is the same paragraphs, labels and text (a property test checks it)."""

    def __init__(self, label_style: str, note_style: str, bracket_style: str | None) -> None:
        self.label_style = label_style
        self.note_style = note_style
        self.bracket_style = bracket_style
        self.note_ref_style: str | None = None  # a note's number: no part of the text
        self.labels: list[str] = []

    @classmethod
    def of(cls, doc: Document) -> OwnExport | None:
        ids = {style.name: style.style_id for style in doc.styles}
        if LABEL_STYLE not in ids or NOTE_STYLE not in ids:
            return None
        found = cls(ids[LABEL_STYLE], ids[NOTE_STYLE], ids.get(BRACKET_STYLE))
        found.note_ref_style = ids.get(NOTE_REF_STYLE)
        return found

    def is_note(self, p: Any) -> bool:
        style = p.find(f"{_W}pPr/{_W}pStyle")
        return style is not None and style.get(f"{_W}val") == self.note_style

    def labels_complete(self, paragraphs: int) -> bool:
        """Whether every paragraph came with a label of its own (none typed in Word since)."""
        labels = self.labels
        return (
            len(labels) == paragraphs
            and len(set(labels)) == len(labels)
            and all(LABEL_RE.match(label) for label in labels)
        )

    def markdown(self, p: Any) -> tuple[str, str]:
        """A paragraph's label (empty if none) and its text as Markdown."""
        label = ""
        pieces: list[tuple[str, str]] = []  # (text, its Markdown marks)
        for run in p.iter(f"{_W}r"):
            if any(a.tag in (f"{_W}del", f"{_W}moveFrom") for a in run.iterancestors()):
                continue
            style, marks = self._look(run)
            text = _SPACES_RE.sub(" ", _run_text(run))
            if style == self.label_style:
                label += text
            elif text and (style is None or style not in (self.bracket_style, self.note_ref_style)):
                if pieces and pieces[-1][1] == marks:
                    pieces[-1] = (pieces[-1][0] + text, marks)
                else:
                    pieces.append((text, marks))
        return label.strip().removesuffix("."), "".join(_marked(t, m) for t, m in pieces).strip()

    @staticmethod
    def _look(run: Any) -> tuple[str | None, str]:
        """A run's character style and the Markdown marks its own formatting stands for."""
        props = run.find(f"{_W}rPr")
        if props is None:
            return None, ""
        style = props.find(f"{_W}rStyle")

        def on(tag: str) -> bool:
            found = props.find(f"{_W}{tag}")
            return found is not None and found.get(f"{_W}val") not in ("0", "false", "off")

        fonts = props.find(f"{_W}rFonts")
        if fonts is not None and fonts.get(f"{_W}ascii") == CODE_FONT:
            marks = "`"
        else:
            marks = "*" * (on("i") + 2 * on("b"))
        return (None if style is None else style.get(f"{_W}val")), marks


def _run_text(run: Any) -> str:
    parts = []
    for node in run.iterchildren():
        tag = node.tag.removeprefix(_W)
        if tag == "t":
            parts.append(node.text or "")
        elif tag in ("tab", "br", "cr"):
            parts.append(" ")
        elif tag == "noBreakHyphen":
            parts.append("-")
    return "".join(parts)


_MARKDOWN_SIGNS_RE = re.compile(r"([\\*_`])")


def _marked(text: str, marks: str) -> str:
    """Text in Markdown: plain text with the signs Markdown would act on escaped; emphasis or
    code between its marks, with the spaces at its edges outside them."""
    if not marks:
        return _MARKDOWN_SIGNS_RE.sub(r"\\\1", text)
    core = text.strip()
    if not core:
        return text
    lead, trail = text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]
    inner = core if marks == "`" else _MARKDOWN_SIGNS_RE.sub(r"\\\1", core)
    return f"{lead}{marks}{inner}{marks}{trail}"


def as_markdown(text: str) -> str:
    """One paragraph of Word text as a Markdown paragraph that reads as the same words."""
    if _STRUCTURE_RE.match(text):
        return "\\" + text
    return _NUMBERED_RE.sub(r"\1\\", text, count=1)


def _paragraph_text(p: Any) -> tuple[str, list[str], int]:
    """The text of a paragraph as if its tracked changes were accepted; what it held that a
    draft cannot (each once); and how many tracked changes it had."""
    parts: list[str] = []
    lost: list[str] = []
    changes = 0
    skip: set[Any] = set()
    for node in p.iter():
        if node in skip or not isinstance(node.tag, str):
            continue
        tag = node.tag.removeprefix(_W)
        if tag in ("ins", "del", "moveFrom", "moveTo"):
            changes += 1
        if tag in ("del", "moveFrom", "drawing", "pict", "object", "txbxContent"):
            skip.update(node.iter())  # deleted text, and the text inside drawings
        if tag in _LEFT_OUT and _LEFT_OUT[tag] not in lost:
            lost.append(_LEFT_OUT[tag])
        if node in skip:
            continue
        if tag == "t":
            parts.append(node.text or "")
        elif tag in ("tab", "br", "cr"):
            parts.append(" ")
        elif tag == "noBreakHyphen":
            parts.append("-")
    return "".join(parts), lost, changes


def _heading_level(p: Any, doc: Document, levels: dict[str | None, int]) -> int:
    """The heading level of a paragraph's style (Title: 1), 0 for body text; ``levels`` keeps
    each style's answer (python-docx takes milliseconds to find a paragraph's style)."""
    style_id = p.style
    if style_id in levels:
        return levels[style_id]
    levels[style_id] = level = _style_level(docx.text.paragraph.Paragraph(p, doc).style)
    return level


def _style_level(style: Any) -> int:
    while style is not None:
        if style.name and style.name.lower() == "title":
            return 1
        match = _HEADING_RE.match(style.name or "") or _HEADING_RE.match(style.style_id or "")
        if match:
            return int(match.group(1))
        style = style.base_style
    return 0
