"""Word documents out: the clean text, the redline as tracked changes and the compilation, read
back with python-docx; and the HTML templates a secretariat can restyle."""

from __future__ import annotations

from pathlib import Path

import docx

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_TECH, SECRETARIAT, Wg, agree_cli
from tests.test_blame import merged, propose
from wgtool.core.documents.word import BRACKET_STYLE, LABEL_STYLE, NOTE_STYLE

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def export_docx(wgcli: Wg, tmp_path: Path, fmt: str, *args: str) -> docx.document.Document:
    target = tmp_path / f"{fmt}{''.join(args)}.docx"
    assert wgcli.ok("export", "principles", "--format", fmt, "-o", str(target), *args).strip() == (
        f"Wrote {target}"
    )
    return docx.Document(str(target))


def labelled(doc: docx.document.Document) -> dict[str, docx.text.paragraph.Paragraph]:
    """The numbered paragraphs of a document by label ('5', '7bis')."""
    found = {}
    for paragraph in doc.paragraphs:
        runs = paragraph.runs
        if runs and runs[0].style.name == LABEL_STYLE and runs[0].text.endswith(". "):
            found[runs[0].text[:-2]] = paragraph
    return found


def tracked(doc: docx.document.Document) -> list[tuple[str, str, str]]:
    """Every tracked change: (ins|del, author, text)."""
    return [
        (e.tag[len(W) :], e.get(W + "author"), text_of(e))
        for e in doc.element.body.iter(W + "ins", W + "del")
    ]


def text_of(element: object) -> str:
    """The text of an element's runs, deleted text too (lxml's itertext repeats python-docx's
    text nodes)."""
    return "".join(t.text or "" for t in element.iter(W + "t", W + "delText"))


def test_clean_text_in_word_has_labels_headings_and_the_chairs_brackets(
    wgcli: Wg, tmp_path: Path
) -> None:
    words = "free exchange of information"
    wgcli.ok("bracket", "principles", "--paragraph", "5", "--words", words,
             "--reason", "Scope", actor=CHAIR)  # fmt: skip
    doc = export_docx(wgcli, tmp_path, "docx")
    paragraphs = labelled(doc)
    assert list(paragraphs)[:3] == ["1", "2", "3"] and len(paragraphs) == 17
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    assert headings[1:] == ["Preamble", "Principles"]
    five = paragraphs["5"]
    assert f"[{words}]" in five.text
    brackets = [r.text for r in five.runs if r.style.name == BRACKET_STYLE]
    assert brackets == ["[", "]"]
    assert doc.styles[LABEL_STYLE].font.bold and doc.styles[BRACKET_STYLE].font.bold
    notes = [p for p in doc.paragraphs if p.style.name == NOTE_STYLE]
    assert [p.text for p in notes] == [
        "Version: current text",
        "1 passage(s) in square brackets are not agreed.",
    ]
    clean = export_docx(wgcli, tmp_path, "docx", "--clean")
    assert "[" not in labelled(clean)["5"].text


def test_word_needs_a_file_and_never_overwrites_one(wgcli: Wg, tmp_path: Path) -> None:
    refused = wgcli("export", "principles", "--format", "docx")
    assert refused.exit_code == 2 and refused.stdout == ""
    assert refused.stderr.strip() == "wgtool: docx is a Word document, not text: give -o FILE.docx"
    target = tmp_path / "out.docx"
    target.write_bytes(b"mine")
    again = wgcli("export", "principles", "--format", "docx", "-o", str(target))
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert target.read_bytes() == b"mine"


def test_the_word_redline_is_tracked_changes_by_whoever_made_them(
    wgcli: Wg, tmp_path: Path
) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    six = merged(wgcli, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    gone = wgcli.ok("propose", "principles", "--delete", "3", "--rationale", "Not needed.",
                    actor=MEMBER_TECH).strip()  # fmt: skip
    wgcli.ok("merge", agree_cli(wgcli, gone), actor=CHAIR)
    doc = export_docx(wgcli, tmp_path, "docx-redline")
    changes = tracked(doc)
    by_cs = f"amendment {six} by {MEMBER_CS} (Civil society)"
    assert ("ins", by_cs, "and autonomy ") in changes
    deletions = [c for c in changes if c[0] == "del" and c[1].startswith(f"amendment {gone}")]
    assert deletions and "Mindful of the persistent disparities" in "".join(
        text for _, _, text in deletions
    )
    # The deleted paragraph's own end is marked deleted: accepting it removes the paragraph.
    marks = doc.element.body.xpath("./w:p[w:pPr/w:rPr/w:del]")
    assert len(marks) == 1 and "deleted 3." in text_of(marks[0])
    assert any(p.text == f"Changed by {by_cs}" for p in doc.paragraphs)


def test_the_word_compilation_has_the_ledger_and_each_amendments_diff(
    wgcli: Wg, tmp_path: Path
) -> None:
    amendment = propose(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    doc = export_docx(wgcli, tmp_path, "docx-compilation")
    (ledger,) = doc.tables
    assert [c.text for c in ledger.rows[0].cells][:2] == ["¶", "Status"]
    row = next(r for r in ledger.rows if r.cells[0].text == "5")
    assert row.cells[4].text == amendment
    heading = next(p for p in doc.paragraphs if amendment in p.text)
    assert heading.text == f"Paragraph 5 — Am. 1 ({amendment})"
    diff = next(p for p in doc.paragraphs if "protect" in p.text)
    struck = [r.text for r in diff.runs if r.font.strike]
    underlined = [r.text for r in diff.runs if r.font.underline]
    assert struck == ["preserve"] and underlined == ["protect"]


def test_a_secretariat_restyles_html_with_its_own_stylesheet(wgcli: Wg, tmp_path: Path) -> None:
    shipped = wgcli.ok("export", "principles", "--format", "html")
    assert "@media print" in shipped
    mine = tmp_path / "look"
    mine.mkdir()
    (mine / "wgtool.css").write_text("body { font-family: 'Secretariat Sans'; }\n")
    page = wgcli.ok("export", "principles", "--format", "html", "--templates", str(mine))
    assert "Secretariat Sans" in page and "@media print" not in page
    assert '<p id="para-5"><span class="num">5.</span>' in page  # the other templates shipped
    missing = wgcli("export", "principles", "--templates", str(tmp_path / "nowhere"))
    assert missing.exit_code != 0 and "nowhere" in missing.stderr
    assert len(missing.stderr.strip().splitlines()) == 1


def test_a_broken_template_is_one_line_not_a_traceback(wgcli: Wg, tmp_path: Path) -> None:
    (tmp_path / "clean.html.j2").write_text("{% extends 'base.html.j2' %}{% block body %}{{ x(")
    broken = wgcli("export", "principles", "--templates", str(tmp_path))
    assert broken.exit_code == 2 and broken.stdout == ""
    assert broken.stderr.startswith("wgtool: template clean.html.j2")
    assert len(broken.stderr.strip().splitlines()) == 1


def test_every_template_is_shipped_by_pip_install() -> None:
    import fnmatch
    import tomllib

    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["wgtool"]
    folder = root / "wgtool" / "templates"
    templates = sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in str(p))
    assert {t.name for t in templates} >= {"base.html.j2", "wgtool.css", "redline.html.j2"}
    assert any(t.parent.name == "publish" for t in templates)  # the published site's too
    for template in templates:
        relative = f"templates/{template.relative_to(folder).as_posix()}"
        assert any(fnmatch.fnmatch(relative, p) for p in patterns), relative
