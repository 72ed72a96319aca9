"""Word documents in: `draft add --file X.docx` and the secretariat's `draft import`, with what
a draft cannot hold said on stderr, one line each."""

from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from tests.conftest import MEMBER_TECH, SECRETARIAT, Wg, git, refs_snapshot
from wgtool.core import document


def tiny_png() -> bytes:
    """A valid one-pixel PNG, made here."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def tracked(paragraph: docx.text.paragraph.Paragraph, tag: str, text: str) -> None:
    """Append a tracked insertion (``w:ins``) or deletion (``w:del``) of ``text``."""
    change = OxmlElement(tag, attrs={qn("w:id"): "9", qn("w:author"): "A delegate"})
    run = OxmlElement("w:r")
    body = OxmlElement("w:delText" if tag == "w:del" else "w:t")
    body.set(qn("xml:space"), "preserve")
    body.text = text
    run.append(body)
    change.append(run)
    paragraph._p.append(change)


def word_file(tmp_path: Path, name: str = "text.docx") -> Path:
    """A delegation's Word document with everything a draft can and cannot hold."""
    doc = docx.Document()
    doc.add_heading("A title in Word", 0)
    doc.add_heading("Preamble", 1)
    doc.add_paragraph("Recalling its earlier work,\tthe Working Group")
    doc.add_paragraph("")  # empty paragraphs are not blocks
    doc.add_heading("Operative part", 2)
    numbered = doc.add_paragraph("1. Decides to continue;")
    tracked(numbered, "w:ins", " and to report")
    tracked(numbered, "w:del", " never")
    doc.add_paragraph("# Not a heading <script>alert(1)</script>")
    table = doc.add_table(rows=2, cols=2)
    table.cell(0, 0).text = "in a table"
    pictured = doc.add_paragraph("A chart follows.")
    pictured.add_run().add_picture(str(_png_file(tmp_path)))
    commented = doc.add_paragraph("Noted with thanks.")
    doc.add_comment(commented.runs, text="Which thanks?", author="A delegate")
    path = tmp_path / name
    doc.save(str(path))
    return path


def _png_file(tmp_path: Path) -> Path:
    path = tmp_path / "chart.png"
    path.write_bytes(tiny_png())
    return path


def test_draft_add_reads_a_word_document_and_says_what_it_left_out(
    wgcli: Wg, example_repo: Path, tmp_path: Path
) -> None:
    path = word_file(tmp_path)
    result = wgcli("draft", "add", "annex", "--title", "Annex", "--file", str(path),
                   actor=SECRETARIAT)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert result.stdout == "Added draft annex: Annex\n"
    assert git(example_repo, "show", "main:drafts/annex.md") == (
        "# Annex\n\n# Preamble\n\nRecalling its earlier work, the Working Group\n\n"
        "## Operative part\n\n1\\. Decides to continue; and to report\n\n"
        "\\# Not a heading <script>alert(1)</script>\n\nA chart follows.\n\n"
        "Noted with thanks.\n"
    )
    assert result.stderr.splitlines() == [
        f"wgtool: {path}: 2 tracked change(s) in paragraph 2: read as accepted, the marks not kept",
        f"wgtool: {path}: table 1 (2 rows) after paragraph 3: not kept",
        f"wgtool: {path}: image or drawing in paragraph 4: not kept",
        f"wgtool: {path}: comment in paragraph 5: not kept",
    ]
    shown = json.loads(wgcli.ok("draft", "show", "annex", "--json"))
    assert [p["text"][:12] for p in shown["paragraphs"]] == [
        "Recalling it", "1\\. Decides ", "\\# Not a hea", "A chart foll", "Noted with t",
    ]  # fmt: skip
    page = wgcli.ok("export", "annex", "--format", "html")
    assert "<script>" not in page and "# Not a heading &lt;script&gt;" in page


def test_what_is_not_a_word_document_is_one_line_and_adds_nothing(
    wgcli: Wg, example_repo: Path, tmp_path: Path
) -> None:
    before = refs_snapshot(example_repo)
    fake = tmp_path / "notes.docx"
    fake.write_bytes(b"PK\x03\x04 not really a zip")
    for path, problem in [
        (fake, "is not a Word document (.docx)"),
        (tmp_path / "missing.docx", "cannot read"),
    ]:
        result = wgcli("draft", "add", "annex", "--title", "Annex", "--file", str(path),
                       actor=SECRETARIAT)  # fmt: skip
        assert result.exit_code == 2 and result.stdout == ""
        assert problem in result.stderr and len(result.stderr.strip().splitlines()) == 1
    empty = tmp_path / "empty.docx"
    docx.Document().save(str(empty))
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(empty), actor=SECRETARIAT)
    assert result.exit_code == 2 and "holds no text" in result.stderr
    assert refs_snapshot(example_repo) == before


def test_the_secretariat_imports_a_word_text_and_labels_follow_the_paragraphs(
    wgcli: Wg, example_repo: Path, tmp_path: Path
) -> None:
    text = git(example_repo, "show", "main:drafts/principles.md")
    doc = docx.Document()
    for block in document.blocks(text):
        if block.heading:
            doc.add_heading(block.heading_text, block.heading_level)
        elif block.number == 6:
            doc.add_paragraph(block.text.replace("dignity", "dignity and autonomy"))
            doc.add_paragraph("A new paragraph from the informals.")
        else:
            doc.add_paragraph(block.text)
    path = tmp_path / "principles.docx"
    doc.save(str(path))
    refused = wgcli("draft", "import", "principles", "--file", str(path), actor=MEMBER_TECH)
    assert refused.exit_code != 0 and "import a draft needs the secretariat role" in refused.stderr
    shown = wgcli.ok("draft", "import", "principles", "--file", str(path), actor=SECRETARIAT)
    assert shown == f"Imported {path} into draft principles: 18 paragraphs\n"
    paragraphs = {
        p["label"]: p["text"]
        for p in json.loads(wgcli.ok("draft", "show", "principles", "--json"))["paragraphs"]
    }
    assert paragraphs["6bis"] == "A new paragraph from the informals."
    assert "dignity and autonomy" in paragraphs["6"] and paragraphs["7"].startswith("Governments")
    assert git(example_repo, "log", "-1", "--format=%an|%s%n%b", "main").startswith(
        "Elena Petrova|Replace the text of draft principles: Overarching principles"
    )
    assert "Action: import-draft" in git(example_repo, "log", "-1", "--format=%b", "main")
    assert "every change is attributed to a member entitled to make it" in wgcli.ok("verify")
    again = wgcli("draft", "import", "principles", "--file", str(path), actor=SECRETARIAT)
    assert again.exit_code != 0 and "already the text of principles" in again.stderr
