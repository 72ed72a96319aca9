"""Redlines name paragraphs by their stable labels (7bis) in the terminal, HTML and Word, and
name the chair's oral revisions; Word and HTML documents show a draft's Markdown as what it says
(real headings, emphasis as emphasis), member-written raw HTML staying text."""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import docx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_TECH, SECRETARIAT, Wg, agree_cli
from tests.test_golden_documents import word_text
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.documents.export import produce
from wgtool.core.inline import layout, shown, styled_diff
from wgtool.core.text import DiffOp, word_diff

NEW_TEXT = "Members *should* act **in good faith**, see `RFC 1` and <b>raw</b>."
REVISED = "The private sector and *all* other stakeholders bring distinct expertise."


@dataclass(frozen=True)
class Amended:
    """The example group after v1: a paragraph inserted after 7 (so 7bis), and paragraph 8
    amended, merged as orally revised."""

    wgcli: Wg
    inserted: str
    revised: str


def amended_group(wgcli: Wg, tmp_path: Path) -> Amended:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    inserted = wgcli.ok("propose", "principles", "--insert-after", "7", "--text", NEW_TEXT,
                        "--rationale", "Good faith.", actor=MEMBER_CS).strip()  # fmt: skip
    wgcli.ok("merge", agree_cli(wgcli, inserted), actor=CHAIR)
    revised = wgcli.ok("propose", "principles", "--paragraph", "8", "--text",
                       "The private sector brings expertise.", "--rationale", "Shorter.",
                       actor=MEMBER_TECH).strip()  # fmt: skip
    oral = tmp_path / "oral.md"
    oral.write_text(REVISED + "\n")
    wgcli.ok("merge", agree_cli(wgcli, revised), "--text-file", str(oral), actor=CHAIR)
    return Amended(wgcli, inserted, revised)


@pytest.fixture
def amended(wgcli: Wg, tmp_path: Path) -> Amended:
    return amended_group(wgcli, tmp_path)


def since_v1(amended: Amended, fmt: str) -> str | bytes:
    """A redline of the amended group's draft since v1, in ``fmt``."""
    with WorkingGroup.open(amended.wgcli.repo) as wg:
        return produce(wg, "principles", fmt, against="v1")


def test_the_terminal_redline_names_paragraphs_by_label_and_oral_revisions(
    amended: Amended,
) -> None:
    out = amended.wgcli.ok("redline", "principles", "v1")
    assert f"new 7bis. {{+{NEW_TEXT}+}}" in out
    assert f"       — amendment {amended.inserted} by {MEMBER_CS} (Civil society)\n" in out
    assert "    8. The private sector" in out
    by_tech = f"amendment {amended.revised} by {MEMBER_TECH} (Technical and academic community)"
    assert f"       — {by_tech}, as orally revised\n" in out
    # The paragraphs after the insertion keep their labels: no renumbering in the redline.
    assert "    9. Processes of enhanced cooperation" in out and "(was" not in out
    entries = json.loads(amended.wgcli.ok("redline", "principles", "v1", "--json"))["entries"]
    changed = [e for e in entries if e["changed"]]
    assert [(e["old_label"], e["new_label"]) for e in changed] == [(None, "7bis"), ("8", "8")]
    assert [(e["new_number"], e["by"][0]["revised"]) for e in changed] == [(8, False), (9, True)]


def test_after_a_renumbering_the_redline_says_what_each_paragraph_was(amended: Amended) -> None:
    amended.wgcli.ok("renumber", "principles", actor=SECRETARIAT)
    out = amended.wgcli.ok("redline", "principles", "v1", "--changed-only")
    assert f"new 8. {{+{NEW_TEXT}+}}" in out
    assert "9 (was 8). The private sector" in out


def test_the_html_redline_labels_paragraphs_and_shows_markdown_as_it_reads(
    amended: Amended,
) -> None:
    page = since_v1(amended, "redline")
    assert isinstance(page, str)
    assert '<div class="para changed" id="para-7bis">' in page
    assert '<span class="num">new 7bis.</span>' in page
    assert '<div class="para unchanged" id="para-9">' in page
    assert (
        "<ins>Members <em>should</em> act <strong>in good faith</strong>, see "
        "<code>RFC 1</code> and &lt;b&gt;raw&lt;/b&gt;.</ins>"
    ) in page
    assert "*should*" not in page and "`RFC" not in page and "<b>raw" not in page
    assert ", as orally revised</p>" in page


def test_the_word_redline_labels_paragraphs_and_sets_emphasis_as_word_does(
    amended: Amended,
) -> None:
    data = since_v1(amended, "docx-redline")
    assert isinstance(data, bytes)
    lines = word_text(data).splitlines()
    assert (
        "[Normal] new 7bis. {+Members +}{+should+}{+ act +}{+in good faith+}{+, see +}"
        "{+RFC 1+}{+ and <b>raw</b>.+}"
    ) in lines
    assert any(line.startswith("[Normal] 8. The private sector") for line in lines)
    assert any(line.startswith("[Normal] 9. Processes") for line in lines)
    assert not any("(was" in line or "*" in line or "`" in line for line in lines)
    assert any(line.endswith(", as orally revised") for line in lines)
    paragraph = next(p for p in docx.Document(io.BytesIO(data)).paragraphs if "7bis" in p.text)
    runs = paragraph._p.xpath(".//w:ins/w:r")
    looks = {
        "".join(run.xpath("./w:t/text()")): (
            bool(run.xpath("./w:rPr/w:b")),
            bool(run.xpath("./w:rPr/w:i")),
            run.xpath("./w:rPr/w:rFonts/@w:ascii"),
        )
        for run in runs
    }
    assert looks["should"] == (False, True, []) and looks["in good faith"] == (True, False, [])
    assert looks["RFC 1"] == (False, False, ["Courier New"])


def test_the_compilation_lays_out_a_whole_draft_amendment_with_real_headings(
    wgcli: Wg, tmp_path: Path
) -> None:
    draft = Path(wgcli.repo, "drafts/principles.md").read_text()
    changed = draft.replace("## Principles", "## Guiding *principles*").replace(
        "should preserve and promote", "should **preserve** and *promote* <i>always</i>"
    )
    source = tmp_path / "whole.md"
    source.write_text(changed)
    wgcli.ok("propose", "principles", "--from-file", str(source), "--rationale", "Emphasis.",
             actor=MEMBER_CS)  # fmt: skip
    target = tmp_path / "compilation.docx"
    wgcli.ok("export", "principles", "--format", "docx-compilation", "-o", str(target))
    lines = word_text(target.read_bytes()).splitlines()
    start = next(i for i, line in enumerate(lines) if "Whole draft — Am. 1 (" in line)
    body = lines[start + 3 : start + 5]  # after the heading, who proposed it, and the title
    assert body == [
        "[Heading 4] [~Principles~]{_Guiding _}{_principles_}",
        "[Normal] Enhanced cooperation should [~preserve and promote~]{_preserve_}{_ and _}"
        "{_promote_}{_ <i>always</i>_} a single, open, global and interoperable Internet. Measures "
        "that would fragment the network, impair the free exchange of information across it or "
        "weaken the common technical standards on which it rests should be avoided.",
    ]
    assert not any(re.search(r"(^|\] )#|\*", line) for line in lines)
    paragraph = next(p for p in docx.Document(str(target)).paragraphs if "<i>always" in p.text)
    assert [(r.text, r.bold, r.italic) for r in paragraph.runs if r.font.underline][:3] == [
        ("preserve", True, None), (" and ", None, None), ("promote", None, True)
    ]  # fmt: skip
    html = wgcli.ok("export", "principles", "--format", "compilation")
    assert "<h4><del>Principles</del><ins>Guiding <em>principles</em></ins></h4>" in html
    assert "&lt;i&gt;always&lt;/i&gt;" in html and "## " not in html and "<br>" not in html


def test_the_clean_text_in_word_keeps_emphasis_and_literal_html(wgcli: Wg, tmp_path: Path) -> None:
    amendment = wgcli.ok("propose", "principles", "--paragraph", "5", "--text", NEW_TEXT,
                         "--rationale", "Good faith.", actor=MEMBER_CS).strip()  # fmt: skip
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    target = tmp_path / "clean.docx"
    wgcli.ok("export", "principles", "--format", "docx", "-o", str(target))
    lines = word_text(target.read_bytes()).splitlines()
    assert "[Normal] 5. Members should act in good faith, see RFC 1 and <b>raw</b>." in lines
    assert "[Heading 2] Principles" in lines


# -- the layout of inline Markdown, as a property ----------------------------------------------

WORDS = st.sampled_from(
    ["word", "*em*", "**strong**", "`code`", "[link](https://example.org)", "<b>x</b>",
     "&amp;", "&copy;", "\\*", "_u_", "a*b", "[x]", "<https://a.org>", "\n", ",", "**"]
)  # fmt: skip
PARAGRAPHS = st.lists(WORDS, min_size=1, max_size=12).map(" ".join)


@settings(max_examples=200, deadline=None)
@given(old=PARAGRAPHS, new=PARAGRAPHS)
def test_a_styled_diff_shows_the_new_text_once_and_in_order(old: str, new: str) -> None:
    pieces = styled_diff(word_diff(old, new))
    assert "".join(p.text for p in pieces if p.op != "delete") == shown(new)
    deleted = "".join(p.text for p in pieces if p.op == "delete")
    assert len(deleted) <= len(shown(old))


@settings(max_examples=200, deadline=None)
@given(text=PARAGRAPHS)
def test_the_layout_keeps_source_order_and_literal_pieces_are_the_source(text: str) -> None:
    pieces = layout(text)
    assert [p.at for p in pieces] == sorted(p.at for p in pieces)
    for piece in pieces:
        if piece.literal:
            assert text[piece.at : piece.at + piece.span] == piece.text
    assert shown(text) == "".join(p.text for p in pieces)


def test_an_unchanged_paragraph_reads_as_its_markdown_says() -> None:
    text = "See *this* and [that](https://example.org) &amp; `x`."
    [piece, *rest] = styled_diff([DiffOp("equal", text)])
    assert "".join(p.text for p in [piece, *rest]) == (
        "See this and that (https://example.org) & x."
    )
    assert [p.text for p in rest if p.look.italic] == ["this"]
    assert document.inline_tokens(text)  # parsed as every export parses it
