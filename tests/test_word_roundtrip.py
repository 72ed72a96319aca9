"""Word round trip: a draft exported as a Word document (``export --format docx``) and read back
(``draft add --file``, ``draft import``) is the same paragraphs, labels and text.

The property test's reference is the simplest there is: the draft itself. Random drafts hold
headings, emphasis (italic and bold), the chair's brackets and ``bis`` labels, on a real working
group; the export and the reading are the real ones (python-docx writing and reading a file).
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_PS, SECRETARIAT, Wg
from wgtool.core.desks import WorkingGroup
from wgtool.core.desks.drafts import titled
from wgtool.core.documents.export import produce
from wgtool.core.documents.word_in import read_docx
from wgtool.core.errors import StateError

WORDS = (
    "cooperation", "Internet", "stakeholders", "governments", "open", "secure", "global",
    "rights", "network", "Working", "Group", "policy", "access", "development", "the", "of",
    "and", "should", "be", "all", "États", "régions", "équité",
)  # fmt: skip
TITLE = "A draft read back from Word"


@st.composite
def phrases(draw: st.DrawFn) -> str:
    """Words, some with punctuation after them, some runs of them emphasised (``*x*``,
    ``**x y**``); never a Markdown sign outside emphasis."""
    parts = []
    for _ in range(draw(st.integers(1, 12))):
        if draw(st.integers(0, 5)) == 0:
            words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=3))
            mark = draw(st.sampled_from(["*", "**"]))
            parts.append(f"{mark}{' '.join(words)}{mark}")
        else:
            word = draw(st.sampled_from(WORDS))
            parts.append(word + draw(st.sampled_from(["", "", "", ",", ";", ".", ":"])))
    return " ".join(parts)


@st.composite
def drafts(draw: st.DrawFn) -> tuple[str, list[str], list[tuple[int, str]]]:
    """A draft's body (paragraphs under headings, a paragraph first), its paragraphs' labels
    (some inserted ones: ``2bis``), and brackets to put (paragraph index, exact words)."""
    blocks: list[str] = []
    paragraphs: list[str] = []
    for index in range(draw(st.integers(1, 7))):
        if index and draw(st.integers(0, 3)) == 0:
            level = draw(st.integers(1, 4))
            blocks.append("#" * level + " " + draw(phrases()))
        text = draw(phrases())
        blocks.append(text)
        paragraphs.append(text)
    labels: list[str] = []
    number = 0
    for _ in paragraphs:
        if number and draw(st.booleans()):
            labels.append(f"{number}{'bis' if labels[-1] == str(number) else 'ter'}")
            if labels.count(labels[-1]) > 1:
                number += 1
                labels[-1] = str(number)
        else:
            number += 1
            labels.append(str(number))
    brackets = []
    for index, text in enumerate(paragraphs):
        plain = [w for w in text.split() if "*" not in w]
        if plain and draw(st.booleans()):
            start = draw(st.integers(0, len(plain) - 1))
            words = " ".join(plain[start : start + draw(st.integers(1, 2))])
            if text.count(words) == 1:
                brackets.append((index, words))
    return "\n\n".join(blocks) + "\n", labels, brackets


@pytest.fixture(scope="module")
def group(tmp_path_factory: pytest.TempPathFactory) -> WorkingGroup:
    path = tmp_path_factory.mktemp("roundtrip") / "wg"
    WorkingGroup.init(path, title="Round trip", example=True).close()
    wg = WorkingGroup.open(path, SECRETARIAT)
    yield wg
    wg.close()


SLUGS = (f"d{n}" for n in itertools.count(1))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(draft=drafts())
def test_a_draft_read_back_from_its_word_export_is_the_same(
    group: WorkingGroup, tmp_path_factory: pytest.TempPathFactory, draft
) -> None:
    body, labels, brackets = draft
    wg = group
    slug = next(SLUGS)
    wg.record.act_as(SECRETARIAT)
    added = wg.drafts.add_draft(slug, title=TITLE, text=body, labels=labels)
    assert list(added.labels) == labels
    wg.record.act_as(CHAIR)
    for index, words in brackets:
        wg.agreement.bracket(slug, labels[index], words=words, reason="Not agreed")
    original = wg.drafts.draft(slug)
    path = tmp_path_factory.mktemp("docx") / f"{slug}.docx"
    path.write_bytes(produce(wg, slug, "docx"))  # type: ignore[arg-type]

    found = read_docx(path)
    assert found.left_out == []
    assert titled(found.text, TITLE) == original.text
    assert found.labels == labels

    # Added again as a new draft: the same text and labels; imported over itself: nothing to do.
    wg.record.act_as(SECRETARIAT)
    copy = wg.drafts.add_draft(f"{slug}-copy", title=TITLE, text=found.text, labels=found.labels)
    assert copy.text == original.text
    assert wg.drafts.draft(f"{slug}-copy").labels == original.labels
    with pytest.raises(StateError, match="nothing to import"):
        wg.drafts.import_draft(slug, text=found.text)


def test_the_example_draft_comes_back_whole_through_the_command_line(
    wgcli: Wg, tmp_path: Path
) -> None:
    """What a newcomer did: export the example draft, add it from Word, import it back; once
    with the first reading, once after an inserted paragraph (7bis) and a bracket."""
    principles = json.loads(wgcli.ok("draft", "show", "principles", "--json"))
    exported = tmp_path / "principles.docx"
    wgcli.ok("export", "principles", "--format", "docx", "-o", str(exported))
    title = principles["title"]
    added = wgcli("draft", "add", "copy", "--title", title, "--file", str(exported),
                  actor=SECRETARIAT)  # fmt: skip
    assert added.exit_code == 0 and added.stderr == "", added.stderr
    copy = json.loads(wgcli.ok("draft", "show", "copy", "--json"))
    assert copy["text"] == principles["text"] and copy["paragraphs"] == principles["paragraphs"]
    assert len(copy["paragraphs"]) == 17
    refused = wgcli("draft", "import", "principles", "--file", str(exported), actor=SECRETARIAT)
    assert refused.exit_code == 1 and "nothing to import" in refused.stderr

    # An inserted paragraph, a bracket, emphasis: then the round trip again.
    amendment = wgcli.ok(
        "propose", "principles", "--insert-after", "7", "--text",
        "Governments should *consult* the other stakeholders **regularly**.",
        "--rationale", "Consultation.", actor=MEMBER_PS,
    ).strip()  # fmt: skip
    wgcli.ok("position", amendment, "support", actor=MEMBER_CS)
    wgcli.ok("merge", amendment, actor=CHAIR)
    wgcli.ok("bracket", "principles", "--paragraph", "7bis", "--words", "the other stakeholders",
             "--reason", "Who exactly?", actor=CHAIR)  # fmt: skip
    principles = json.loads(wgcli.ok("draft", "show", "principles", "--json"))
    again = tmp_path / "again.docx"
    wgcli.ok("export", "principles", "--format", "docx", "-o", str(again))
    added = wgcli("draft", "add", "copy2", "--title", title, "--file", str(again),
                  actor=SECRETARIAT)  # fmt: skip
    assert added.exit_code == 0, added.stderr
    assert "keep the labels of the exported draft" in added.stdout
    copy = json.loads(wgcli.ok("draft", "show", "copy2", "--json"))
    assert copy["text"] == principles["text"]
    assert [p["label"] for p in copy["paragraphs"]] == [
        p["label"] for p in principles["paragraphs"]
    ]
    assert "7bis" in [p["label"] for p in copy["paragraphs"]]
    refused = wgcli("draft", "import", "principles", "--file", str(again), actor=SECRETARIAT)
    assert refused.exit_code == 1 and "nothing to import" in refused.stderr


def test_a_word_document_not_from_wgtool_is_read_as_before(tmp_path: Path) -> None:
    """Without wgtool's styles, bold runs stay plain text and every paragraph is text: the
    recognition is of wgtool's own export only."""
    import docx

    doc = docx.Document()
    doc.add_heading("Memo", 1)
    paragraph = doc.add_paragraph()
    paragraph.add_run("1. ").bold = True
    paragraph.add_run("Members speak *in turn*.")
    doc.add_paragraph("Version: a line of the document, kept.")
    path = tmp_path / "memo.docx"
    doc.save(path)
    found = read_docx(path)
    assert found.text == (
        "# Memo\n\n1\\. Members speak *in turn*.\n\nVersion: a line of the document, kept.\n"
    )
    assert found.labels == []


def test_an_export_edited_in_word_keeps_its_labels_only_when_every_paragraph_has_one(
    tmp_path: Path, example_repo: Path
) -> None:
    import docx

    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        data = produce(wg, "principles", "docx")
    path = tmp_path / "edited.docx"
    path.write_bytes(data)  # type: ignore[arg-type]
    doc = docx.Document(path)
    doc.add_paragraph("A paragraph typed in Word, without a label.")
    doc.save(path)
    found = read_docx(path)
    assert found.text.endswith("\n\nA paragraph typed in Word, without a label.\n")
    assert found.labels == []  # numbered 1 to n when added: no label is guessed
    with WorkingGroup.open(example_repo, SECRETARIAT) as wg:
        imported = wg.drafts.import_draft("principles", text=found.text)
        assert imported.labels[-1] == "17bis"  # a new paragraph after 17, as imports do
