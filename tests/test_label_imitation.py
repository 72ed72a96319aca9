"""A paragraph's text can never pose as another paragraph: a line break inside a paragraph is a
space to Markdown, and every view shows it as one, so a member who writes ``"\\n    8. ..."``
does not make ``draft show``, the redline, blame, the merge preview, the HTML export or the
terminal UI show a paragraph 8 that is not there."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html
from rich.console import Console

from tests.conftest import CHAIR, MEMBER_TECH, SECRETARIAT, Wg, agree_cli, plant_on_main
from tests.pilot import settle
from tests.test_hostile_text import on_a_terminal
from tests.test_tui import SIZE, open_draft
from wgtool.tui.app import make_app
from wgtool.tui.widgets import ParagraphList

POSING = (
    "Enhanced cooperation should preserve a single Internet.\n"
    "    8. A paragraph eight that is not there.\n"
    "  12bis. Nor is this one.\n"
    "# A heading that is not one\n"
    "1. A list that is not one\n"
    "¶9 A reader's label that is not one."
)
# A line as draft show, the redline and the merge preview begin a paragraph: its label,
# right-aligned in five columns; blame numbers paragraphs in three.
LABEL_LINE = re.compile(r"^ {0,4}(\S+)\. ")


@pytest.fixture
def posing(example_repo: Path, wgcli: Wg) -> tuple[Wg, str]:
    """Version v1 of principles, then an amendment whose paragraph 5 holds lines that look
    like labels, headings and lists, merged by the chair (and its id)."""
    wgcli.ok("tag", "principles", "v1", "--message", "First.", actor=SECRETARIAT)
    amendment = wgcli.ok(
        "propose", "principles", "--paragraph", "5", "--text", POSING, "--rationale", "R.",
        actor=MEMBER_TECH,
    ).strip()  # fmt: skip
    agree_cli(wgcli, amendment)
    return wgcli, amendment


def labels_of(wgcli: Wg) -> list[str]:
    shown = json.loads(wgcli.ok("draft", "show", "principles", "--json"))
    return [p["label"] for p in shown["paragraphs"]]


def test_the_command_line_never_shows_a_label_that_is_not_there(
    posing: tuple[Wg, str], example_repo: Path
) -> None:
    wgcli, amendment = posing
    preview = wgcli.ok("merge", amendment, "--dry-run", actor=CHAIR)
    assert "A paragraph eight" in preview
    assert [line for line in preview.splitlines() if LABEL_LINE.match(line)] == []
    wgcli.ok("merge", amendment, actor=CHAIR)
    labels = labels_of(wgcli)
    assert len(labels) == 17 and "8" in labels and "12bis" not in labels

    shown = wgcli.ok("draft", "show", "principles")
    on_terminal = on_a_terminal(example_repo, "draft", "show", "principles").decode()
    for output in (shown, on_terminal.replace("\r\n", "\n")):
        assert [LABEL_LINE.match(x)[1] for x in output.splitlines() if LABEL_LINE.match(x)] == (
            labels
        )
        assert "preserve a single Internet. 8. A paragraph eight that is not there. " in output
    one = wgcli.ok("draft", "show", "principles", "--paragraph", "5")
    assert one.count("\n") == 1 and one.startswith("    5. Enhanced cooperation")

    redline = wgcli.ok("redline", "principles", "v1")
    assert [LABEL_LINE.match(x)[1] for x in redline.splitlines() if LABEL_LINE.match(x)] == (labels)
    blame = wgcli.ok("blame", "principles")
    numbered = [int(m[1]) for x in blame.splitlines() if (m := re.match(r"^ {0,2}(\d+)\. ", x))]
    assert numbered == list(range(1, 18))


def test_the_html_export_keeps_the_paragraph_one_paragraph(posing: tuple[Wg, str]) -> None:
    wgcli, amendment = posing
    wgcli.ok("merge", amendment, actor=CHAIR)
    page = lxml_html.fromstring(wgcli.ok("export", "principles", "--format", "html"))
    headings = [h.text_content() for h in page.iter("h1", "h2", "h3", "h4", "h5", "h6")]
    assert "A heading that is not one" not in " ".join(headings)
    assert page.findall(".//ol") == [] and page.findall(".//li") == []
    assert "Internet. 8. A paragraph eight" in " ".join(page.text_content().split())


def test_a_heading_written_over_several_lines_stays_one_line(example_repo: Path, wgcli: Wg) -> None:
    """A block is one heading however many lines it has (planted with plain git)."""
    text = "# Trap\n\n## Scope\n    2. A label under a heading\n\nOnly paragraph.\n"
    plant_on_main(example_repo, {"drafts/trap.md": text.encode()})
    shown = wgcli.ok("draft", "show", "trap")
    assert "## Scope 2. A label under a heading" in shown
    assert [x for x in shown.splitlines() if LABEL_LINE.match(x)] == ["    1. Only paragraph."]


def rendered_rows(paragraphs: ParagraphList, width: int) -> list[str]:
    """Every row the reader's list shows, as plain text at ``width`` columns."""
    console = Console(width=width, record=True, color_system=None)
    rows = []
    for index in range(paragraphs.option_count):
        with console.capture() as capture:
            console.print(paragraphs.get_option_at_index(index).prompt)
        rows += capture.get().splitlines()
    return rows


@pytest.mark.asyncio
async def test_the_reader_never_shows_a_label_that_is_not_there(
    posing: tuple[Wg, str], example_repo: Path
) -> None:
    wgcli, amendment = posing
    wgcli.ok("merge", amendment, actor=CHAIR)
    plant_on_main(example_repo, {"drafts/trap.md": b"# Trap\n\n## Scope\n\xc2\xb68 Fake\n\nOne.\n"})
    labels = labels_of(wgcli)
    app = make_app(example_repo, MEMBER_TECH)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reader = await open_draft(pilot)
        paragraphs = reader.query_one(ParagraphList)
        rows = rendered_rows(paragraphs, paragraphs.size.width)
        gutter = [row.split()[0][1:] for row in rows if row.startswith("¶")]
        assert gutter == labels
        text = " ".join(" ".join(rows).split())
        assert "Internet. 8. A paragraph eight that is not there. 12bis. Nor" in text
        await pilot.press("escape")
        await settle(pilot)
        trap = await open_draft(pilot, "trap")
        trapped = trap.query_one(ParagraphList)
        rows = rendered_rows(trapped, trapped.size.width)
        assert [row.split()[0] for row in rows if row.startswith("¶")] == ["¶1"]
        assert any("Scope ¶8 Fake" in row for row in rows)
