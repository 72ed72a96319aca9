"""The secretariat's documents as Word files (.docx), made with python-docx.

Clean text: headings in Word's heading styles, each paragraph opening with its label in bold
(``7bis.``), the chair's brackets as runs of their own in the character style "Bracket" (so a
text's own ``[`` is never mistaken for one). Redline: Word's tracked changes (``w:ins`` and
``w:del``, authored by the amendment, member and group that made them), so a delegation can step
through them with Word's Review tools. Compilation: the paragraph ledger as a table, then each
amendment with its word diff, block by block (the draft's headings as Word headings), as
struck-through and underlined runs.

Member text is only ever the text of runs: Markdown emphasis becomes bold or italic runs (in
diffs too, :func:`wgtool.core.inline.styled_diff`), inline code a monospaced run, links their
words followed by the address in parentheses (no hyperlink is made), and raw HTML stays literal
text. What XML cannot hold is made visible first, as in every export.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from wgtool.core import agreement, inline, languages
from wgtool.core.documents.papers import (
    CONSENSUS_LEGEND,
    CleanText,
    CompilationPaper,
    CompiledAmendment,
    RedlinePaper,
    consensus_line,
    ledger_status,
    status_line,
)
from wgtool.core.inline import Look, Styled
from wgtool.core.safe import xml_text
from wgtool.core.text import DiffOp
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import docx
    import docx.enum.style
    import docx.oxml
    import docx.oxml.ns
    import docx.shared
    from docx.document import Document
    from docx.oxml.xmlchemy import BaseOxmlElement
    from docx.text.paragraph import Paragraph
    from docx.text.run import Run

    from wgtool.core.documents.redline import RedlineEntry
else:
    docx = lazy_module("docx")  # python-docx (with lxml): only Word documents pay for it

BRACKET_STYLE = "Bracket"
LABEL_STYLE = "wgtool label"
"""The character style of a paragraph's label (``7bis.``) in the clean text."""
NOTE_STYLE = "wgtool note"
"""The paragraph style of what the clean text says about the draft (its version, its
brackets), which is no part of it. With :data:`LABEL_STYLE` and :data:`BRACKET_STYLE` it lets
the importer read wgtool's own export back as the same paragraphs, labels and text."""
NOTE_REF_STYLE = "wgtool note reference"
"""The character style of a note's number in the text (a reservation on the paragraph, an
explanation of position after the version line): Word has no footnotes python-docx can write,
so the notes are numbered and listed at the end, in :data:`NOTE_STYLE`, like endnotes."""
CODE_FONT = "Courier New"
INSERTED = "006600"
DELETED = "AA0000"


def document_bytes(doc: Document) -> bytes:
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def render(paper: CleanText | RedlinePaper | CompilationPaper) -> bytes:
    """The Word document for ``paper``."""
    if isinstance(paper, CleanText):
        doc = clean_docx(paper)
    elif isinstance(paper, RedlinePaper):
        doc = redline_docx(paper)
    else:
        doc = compilation_docx(paper)
    if not isinstance(paper, CompilationPaper) and languages.is_rtl(paper.language):
        right_to_left(doc)
    return document_bytes(doc)


# The elements that follow ``w:bidi`` in a paragraph's properties and ``w:rtl`` in a run's, in
# the order the schema gives them (a new element goes before the first of them present).
_AFTER_BIDI = (
    "w:adjustRightInd", "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing",
    "w:mirrorIndents", "w:suppressOverlap", "w:jc", "w:textDirection", "w:textAlignment",
    "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle", "w:rPr", "w:sectPr",
    "w:pPrChange",
)  # fmt: skip
_AFTER_RTL = ("w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath")


def right_to_left(doc: Document) -> None:
    """Every paragraph of ``doc`` set right to left (``w:bidi``), and every run in it
    (``w:rtl``), as Word writes Arabic, Hebrew or Persian text."""
    qn = docx.oxml.ns.qn
    for paragraph in doc.paragraphs:
        properties = paragraph._p.get_or_add_pPr()
        if properties.find(qn("w:bidi")) is None:
            properties.insert_element_before(docx.oxml.OxmlElement("w:bidi"), *_AFTER_BIDI)
        for run in paragraph._p.iter(qn("w:r")):
            run_properties = run.get_or_add_rPr()
            if run_properties.find(qn("w:rtl")) is None:
                run_properties.insert_element_before(docx.oxml.OxmlElement("w:rtl"), *_AFTER_RTL)


def _new(title: str) -> Document:
    doc = docx.Document()
    doc.core_properties.title = xml_text(title)[:255]
    doc.core_properties.author = "wgtool"
    bracket = doc.styles.add_style(BRACKET_STYLE, docx.enum.style.WD_STYLE_TYPE.CHARACTER)
    bracket.font.bold = True
    doc.styles.add_style(LABEL_STYLE, docx.enum.style.WD_STYLE_TYPE.CHARACTER).font.bold = True
    return doc


def _note_style(doc: Document) -> None:
    """The style of the clean text's notes, which marks it as a draft in wgtool's own form
    (see :data:`NOTE_STYLE`; a redline or a compilation is no draft to read back)."""
    note = doc.styles.add_style(NOTE_STYLE, docx.enum.style.WD_STYLE_TYPE.PARAGRAPH)
    note.base_style = doc.styles["Normal"]
    note.font.italic = True


def _heading(doc: Document, level: int) -> Paragraph:
    heading: Paragraph = doc.add_heading("", min(max(level, 1), 9))
    return heading


def _meta(doc: Document, text: str) -> Paragraph:
    paragraph = doc.add_paragraph()
    run = paragraph.add_run(xml_text(text))
    run.italic = True
    return paragraph


def _label(paragraph: Paragraph, label: str) -> None:
    paragraph.add_run(xml_text(f"{label}. "), LABEL_STYLE)


def _add_markdown(paragraph: Paragraph, text: str) -> None:
    """Runs for one paragraph's inline Markdown; the bracket marks become "Bracket" runs."""
    for piece in inline.layout(text):
        _add_text(paragraph, piece.text, piece.look)


def _add_text(paragraph: Paragraph, text: str, look: Look) -> None:
    """Runs for ``text``, split at the bracket marks: each mark a run in the Bracket style."""
    for piece in _split_marks(text):
        if piece in (agreement.OPEN_MARK, agreement.CLOSE_MARK):
            paragraph.add_run("[" if piece == agreement.OPEN_MARK else "]", BRACKET_STYLE)
        else:
            _run(paragraph, piece, look)


def _run(paragraph: Paragraph, text: str, look: Look) -> Run:
    """A run of ``text`` (a line break in it as a space) set as ``look`` says."""
    run = paragraph.add_run(xml_text(text.replace("\n", " ")))
    run.bold = look.bold or None
    run.italic = look.italic or None
    if look.code:
        run.font.name = CODE_FONT
    return run


def _split_marks(text: str) -> Iterator[str]:
    piece = ""
    for char in text:
        if char in (agreement.OPEN_MARK, agreement.CLOSE_MARK):
            if piece:
                yield piece
            yield char
            piece = ""
        else:
            piece += char
    if piece:
        yield piece


def clean_docx(paper: CleanText) -> Document:
    """The text with its headings, labelled paragraphs and brackets."""
    doc = _new(paper.title)
    _note_style(doc)
    version = doc.add_paragraph(xml_text(f"Version: {paper.version or 'current text'}"), NOTE_STYLE)
    if paper.notes:
        reference = doc.styles.add_style(NOTE_REF_STYLE, docx.enum.style.WD_STYLE_TYPE.CHARACTER)
        reference.font.superscript = True
        _note_refs(version, paper.note_numbers(None))
    for line in paper.preface:
        doc.add_paragraph(xml_text(line), NOTE_STYLE)
    if paper.bracket_count:
        note = f"{paper.bracket_count} passage(s) in square brackets are not agreed."
        doc.add_paragraph(note, NOTE_STYLE)
    for block in paper.blocks():
        if block.heading:
            _add_markdown(_heading(doc, block.level), block.text)
            continue
        paragraph = doc.add_paragraph()
        _label(paragraph, block.label)
        spans = (paper.spans or {}).get(block.label, [])
        _add_markdown(paragraph, agreement.with_marks(block.text, spans))
        if block.label in paper.stale:  # a note: reading the document back leaves it out
            doc.add_paragraph(f"{block.label}: stale, translated from an earlier text", NOTE_STYLE)
        _note_refs(paragraph, paper.note_numbers(block.label))
    if paper.notes:
        doc.add_paragraph("Notes", NOTE_STYLE)
        for number, (_, note) in enumerate(paper.notes, 1):
            doc.add_paragraph(xml_text(f"{number}. {note}"), NOTE_STYLE)
    return doc


def _note_refs(paragraph: Paragraph, numbers: list[int]) -> None:
    if numbers:
        paragraph.add_run(",".join(str(n) for n in numbers), NOTE_REF_STYLE)


# -- the redline, as tracked changes -----------------------------------------------------------


class _Revisions:
    """Numbers Word's revisions: every ``w:ins`` and ``w:del`` needs an id of its own."""

    def __init__(self) -> None:
        self._ids = itertools.count(1)

    def mark(self, tag: str, author: str) -> BaseOxmlElement:
        qn = docx.oxml.ns.qn
        return docx.oxml.OxmlElement(
            tag, attrs={qn("w:id"): str(next(self._ids)), qn("w:author"): xml_text(author)[:255]}
        )

    def add(self, paragraph: Paragraph, piece: Styled, author: str) -> None:
        """``piece`` as a run of ``paragraph``: as it is (``equal``), or inside a tracked
        insertion or deletion by ``author``."""
        run = _run(paragraph, piece.text, piece.look)._r
        if piece.op == "equal":
            return
        if piece.op == "delete":
            for text in run.findall(docx.oxml.ns.qn("w:t")):
                text.tag = docx.oxml.ns.qn("w:delText")
        change = self.mark("w:del" if piece.op == "delete" else "w:ins", author)
        run.addprevious(change)
        change.append(run)

    def whole_paragraph(self, paragraph: Paragraph, op: str, author: str) -> None:
        """Mark the paragraph's own end as inserted or deleted, so accepting the change adds
        or removes the whole paragraph (not just its words)."""
        properties = paragraph._p.get_or_add_pPr()
        marks = properties.find(docx.oxml.ns.qn("w:rPr"))
        if marks is None:
            marks = docx.oxml.OxmlElement("w:rPr")
            properties.append(marks)
        marks.append(self.mark("w:del" if op == "delete" else "w:ins", author))


def _author(entry: RedlineEntry, paper: RedlinePaper) -> str:
    """Who a tracked change is by, as Word shows it: the amendment, member and group."""
    if not entry.by:
        return "wgtool"
    return "; ".join(source.describe(paper.groups) for source in entry.by)


def redline_docx(paper: RedlinePaper) -> Document:
    """The redline: headings and labelled paragraphs, each change a tracked change by whoever
    made it, and under each changed paragraph a line naming them."""
    doc = _new(f"{paper.title} — redline")
    revisions = _Revisions()
    _meta(doc, f"Changes from {paper.old_name} to {paper.new_name}, as tracked changes.")
    for entry in paper.redline.entries:
        author = _author(entry, paper)
        if entry.heading:
            paragraph = _heading(doc, entry.level)
        else:
            paragraph = doc.add_paragraph()
            _label(paragraph, entry.label)
        if entry.new_number is None and not entry.heading:
            revisions.whole_paragraph(paragraph, "delete", author)
        elif entry.old_number is None and not entry.heading:
            revisions.whole_paragraph(paragraph, "insert", author)
        for piece in inline.styled_diff(entry.ops):
            revisions.add(paragraph, piece, author)
        if entry.changed and entry.by and not entry.heading:
            _meta(doc, f"Changed by {author}")
    return doc


# -- the compilation ---------------------------------------------------------------------------


def _add_diff(paragraph: Paragraph, ops: Iterable[DiffOp]) -> None:
    """A word diff as runs: deletions struck through in red, insertions underlined in green."""
    for piece in inline.styled_diff(list(ops)):
        run = _run(paragraph, piece.text, piece.look)
        if piece.op == "delete":
            run.font.strike = True
            run.font.color.rgb = docx.shared.RGBColor.from_string(DELETED)
        elif piece.op == "insert":
            run.font.underline = True
            run.font.color.rgb = docx.shared.RGBColor.from_string(INSERTED)


def _ledger(doc: Document, paper: CompilationPaper) -> None:
    doc.add_heading("Paragraph status", 2)
    headings = ("¶", "Status", "Pending on", "Brackets", "Open amendments", "Comments")
    table = doc.add_table(rows=1, cols=len(headings))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, headings, strict=True):
        cell.text = text
    for p in paper.ledger:
        values = (
            p.label,
            ledger_status(p),
            ", ".join(p.pending_on),
            str(len(p.brackets) or ""),
            ", ".join(p.open_amendments),
            str(len(p.comments) or ""),
        )
        for cell, text in zip(table.add_row().cells, values, strict=True):
            cell.text = xml_text(text)
    comments = paper.comments()
    if comments:
        doc.add_heading("Comments on the paragraphs", 2)
        for label, c in comments:
            reply = ", in reply" if c.reply_to else ""
            line = f"¶{label} — {c.member} ({paper.group_name(c.group)}){reply}: {c.text}"
            doc.add_paragraph(xml_text(line))


def _amendment(doc: Document, paper: CompilationPaper, item: CompiledAmendment) -> None:
    a = item.amendment
    doc.add_heading(xml_text(item.heading), 3 if a.amends else 2)
    consensus = consensus_line(item.consensus)
    _meta(
        doc,
        f"Proposed by {a.proposer} ({paper.group_name(a.group)}); status: {status_line(a)}; "
        f"consensus: {consensus}",
    )
    doc.add_paragraph().add_run(xml_text(a.title)).bold = True
    for block in item.blocks:
        # The draft's own headings sit under the amendment's: two levels down.
        paragraph = _heading(doc, block.level + 2) if block.heading else doc.add_paragraph()
        _add_diff(paragraph, block.ops)
    _meta(doc, f"Rationale: {a.rationale}")
    for note in item.notes:
        _meta(doc, note)


def compilation_docx(paper: CompilationPaper) -> Document:
    """The amendments in paragraph order, after the paragraph ledger."""
    doc = _new(f"{paper.title} — compilation")
    doc.add_heading(xml_text(paper.title), 1)
    _meta(doc, f"Compilation of {len(paper.amendments)} amendment(s). {CONSENSUS_LEGEND}")
    if paper.ledger:
        _ledger(doc, paper)
    if paper.statements:
        doc.add_heading("Reservations and explanations of position", 2)
        for line in paper.statements:
            doc.add_paragraph(xml_text(line))
    for item in paper.ordered():
        _amendment(doc, paper, item)
    return doc
