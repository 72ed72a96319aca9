"""Golden files: the text of a small redline and compilation, as HTML and as Word, on a working
group whose clock and ids are fixed. A change to what these documents say shows here as a diff;
after checking it, rewrite the files with WGTOOL_UPDATE_GOLDEN=1."""

from __future__ import annotations

import io
import itertools
import os
import re
import sys
from pathlib import Path

import docx
import pytest

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_GOV, MEMBER_PS, MEMBER_TECH, SECRETARIAT
from wgtool.core.desks import WorkingGroup
from wgtool.core.documents.export import produce
from wgtool.core.model import Kind

GOLDEN = Path(__file__).parent / "golden"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"

MEMO = """## Purpose

The group meets to agree a short memo.

Members speak in turn and the chair keeps time.

Notes are circulated within a week.
"""


@pytest.fixture
def memo(example_repo: Path) -> WorkingGroup:
    """A three-paragraph memo, tagged v1; one amendment merged (paragraph 2), one open
    (paragraph 3) with a co-sponsor, one open deletion of paragraph 1, and a comment on
    paragraph 3 with a reply."""
    ids = (f"0000{n:04d}" for n in itertools.count(1))
    wg = WorkingGroup.open(example_repo, SECRETARIAT, clock=lambda: 1_800_000_000, ids=ids.__next__)
    wg.drafts.add_draft("memo", title="Memo on working methods", text=MEMO)
    wg.procedure.tag("memo", "v1", message="First reading")
    wg.record.act_as(MEMBER_CS)
    merged = wg.amendments.propose(
        "memo", kind=Kind.REPLACE, paragraph=2, rationale="Fairer.", title="Speaking order",
        text="Members speak in an order drawn by lot and the chair keeps time.",
    )  # fmt: skip
    wg.record.act_as(MEMBER_GOV)
    wg.deliberation.position(merged.id, "support")
    wg.record.act_as(CHAIR)
    wg.merges.merge(merged.id)
    wg.record.act_as(MEMBER_TECH)
    sooner = wg.amendments.propose(
        "memo", kind=Kind.REPLACE, paragraph=3, rationale="Sooner.",
        text="Notes are circulated within three days.",
    )  # fmt: skip
    wg.record.act_as(MEMBER_PS)
    wg.procedure.cosponsor(sooner.id)
    wg.amendments.propose("memo", kind=Kind.DELETE, paragraph=1, rationale="Obvious.")
    wg.record.act_as(MEMBER_GOV)
    asked = wg.agreement.comment_paragraph("memo", "3", "Three days is short for the translations.")
    wg.record.act_as(MEMBER_TECH)
    wg.agreement.comment_paragraph(
        "memo", "3", "Drafts first, translations within a week?", reply_to=asked.id
    )
    return wg


def body_text(page: str) -> str:
    """The body of an HTML page: what it says, apart from the stylesheet."""
    return page[page.index("<body>") :]


def word_text(data: bytes) -> str:
    """A Word document as lines: each paragraph with its style, tracked insertions as {+ +},
    tracked deletions as [- -], struck runs as [~ ~], underlined runs as {_ _}; table rows with
    cells separated by |."""
    doc = docx.Document(io.BytesIO(data))
    lines = []
    for block in doc.element.body.iterchildren():
        if block.tag == W + "p":
            style = docx.text.paragraph.Paragraph(block, doc).style.name
            lines.append(f"[{style}] {runs_text(block)}")
        elif block.tag == W + "tbl":
            for row in block.iter(W + "tr"):
                lines.append(" | ".join(runs_text(cell) for cell in row.iter(W + "tc")))
    return "\n".join(lines) + "\n"


def runs_text(element: object) -> str:
    out = []
    for run in element.iter(W + "r"):
        text = "".join(t.text or "" for t in run.iter(W + "t", W + "delText"))
        parent = run.getparent().tag
        props = run.find(W + "rPr")
        if parent == W + "ins":
            text = "{+" + text + "+}"
        elif parent == W + "del":
            text = "[-" + text + "-]"
        elif props is not None and props.find(W + "strike") is not None:
            text = "[~" + text + "~]"
        elif props is not None and props.find(W + "u") is not None:
            text = "{_" + text + "_}"
        out.append(text)
    return "".join(out)


def check(name: str, actual: str) -> None:
    """Compare with the golden file. With WGTOOL_UPDATE_GOLDEN=1 the file is rewritten and the
    test fails all the same (a file compared with itself proves nothing): read the diff, then run
    again without it."""
    path = GOLDEN / name
    if os.environ.get("WGTOOL_UPDATE_GOLDEN"):
        before = path.read_text(encoding="utf-8") if path.exists() else None
        path.write_text(actual, encoding="utf-8")
        pytest.fail(
            f"{name} {'unchanged' if before == actual else 'rewritten'} "
            "(WGTOOL_UPDATE_GOLDEN is set): check it, then run again without it"
        )
    assert actual == path.read_text(encoding="utf-8"), f"{name} differs from the golden file"


@pytest.mark.parametrize(
    ("fmt", "name", "text_of"),
    [
        ("redline", "memo-redline.html.txt", body_text),
        ("compilation", "memo-compilation.html.txt", body_text),
        ("docx-redline", "memo-redline.docx.txt", word_text),
        ("docx-compilation", "memo-compilation.docx.txt", word_text),
    ],
)
def test_documents_say_what_the_golden_files_say(memo, fmt, name, text_of) -> None:
    content = produce(memo, "memo", fmt)
    check(name, re.sub(r"\d{4}-\d\d-\d\d", "DATE", text_of(content)))


def test_update_mode_never_passes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rewriting the golden files fails the run, whether they changed or not: a file compared
    with itself proves nothing."""
    monkeypatch.setattr(sys.modules[__name__], "GOLDEN", tmp_path)
    monkeypatch.setenv("WGTOOL_UPDATE_GOLDEN", "1")
    for _ in range(2):  # once to write it, once with the same text already there
        with pytest.raises(pytest.fail.Exception, match="run again without it"):
            check("page.txt", "the text\n")
        assert (tmp_path / "page.txt").read_text(encoding="utf-8") == "the text\n"
    monkeypatch.delenv("WGTOOL_UPDATE_GOLDEN")
    check("page.txt", "the text\n")
    with pytest.raises(AssertionError, match="differs from the golden file"):
        check("page.txt", "another text\n")
