"""Member text is data in every document: scripts, event handlers, javascript: links and raw HTML
written into titles, rationales, comments, bracket reasons and paragraph text stay text, in every
HTML and Word document the secretariat exports."""

from __future__ import annotations

import io
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import docx
import pytest

from tests.conftest import CHAIR, MEMBER_CS, SECRETARIAT, Wg, agree_cli

HOSTILE = (
    "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) "
    '<a href="javascript:alert(4)">a</a> <javascript:alert(5)> ![t](http://tracker.example/t.png)'
)
DRAFT = f"""## Part <script>alert(6)</script>

First paragraph. {HOSTILE}

<div onclick="alert(7)">Raw HTML block</div>

Third paragraph with *emphasis* and [a safe link](https://example.org).
"""

SAFE_TAGS = {
    *"html head meta title style body p span div del ins strong em code a br".split(),
    *"table tr th td".split(),
    *(f"h{n}" for n in range(1, 7)),
}


class Tags(HTMLParser):
    """Every tag and attribute of a page, as a browser's tokenizer would see them."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text += data


@pytest.fixture
def hostile(wgcli: Wg, tmp_path: Path) -> Wg:
    """A draft, a version and amendments with hostile text in every member-written field."""
    source = tmp_path / "hostile.md"
    source.write_text(DRAFT)
    wgcli.ok("draft", "add", "hostile", "--title", f"Title {HOSTILE}", "--file", str(source),
             actor=SECRETARIAT)  # fmt: skip
    wgcli.ok("bracket", "hostile", "--paragraph", "1", "--words", "First paragraph.",
             "--reason", HOSTILE, actor=CHAIR)  # fmt: skip
    wgcli.ok("tag", "hostile", "v1", "-m", HOSTILE, "--allow-brackets", actor=SECRETARIAT)
    merged = wgcli.ok("propose", "hostile", "--paragraph", "3", "--text",
                      f"Third paragraph, amended. {HOSTILE}", "--rationale", HOSTILE,
                      "--title", HOSTILE, actor=MEMBER_CS).strip()  # fmt: skip
    wgcli.ok("comment", merged, HOSTILE, actor=SECRETARIAT)
    wgcli.ok("merge", agree_cli(wgcli, merged), actor=CHAIR)
    opened = wgcli.ok(
        "propose",
        "hostile",
        "--insert-after",
        "2",
        "--text",
        HOSTILE,
        "--rationale",
        HOSTILE,
        "--title",
        HOSTILE,
        actor=MEMBER_CS,
    ).strip()
    wgcli.ok("comment", opened, HOSTILE, actor=SECRETARIAT)
    wgcli.ok("comment", "hostile", "--paragraph", "1", HOSTILE, actor=MEMBER_CS)
    return wgcli  # fmt: skip


HTML = [["--format", "html"], ["--format", "html", "--version", "v1"],
        ["--format", "redline"], ["--format", "compilation", "--all"]]  # fmt: skip


@pytest.mark.parametrize("args", HTML, ids=lambda a: "-".join(a[1::2]))
def test_member_text_is_inert_in_every_html_document(hostile: Wg, args: list[str]) -> None:
    page = hostile.ok("export", "hostile", *args)
    parser = Tags()
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= SAFE_TAGS
    for tag, attrs in parser.tags:
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert not re.match(r"\s*(javascript|data|vbscript):", value or "", re.I), value
            # An image the reader's browser would fetch on opening is at most a link to click.
            assert tag == "a" or "tracker.example" not in (value or ""), (tag, name)
    assert "<script>alert(1)</script>" in parser.text  # shown as the text it is
    assert "onerror=alert(2)" in parser.text


@pytest.mark.parametrize("fmt", ["docx", "docx-redline", "docx-compilation"])
def test_member_text_is_inert_in_every_word_document(hostile: Wg, tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"{fmt}.docx"
    hostile.ok("export", "hostile", "--format", fmt, "--all", "-o", str(target))
    data = target.read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            part = archive.read(name).decode("utf-8", "replace")
            assert 'TargetMode="External"' not in part, name  # nothing fetched when opened
            for element in ("w:hyperlink", "w:fldSimple", "w:instrText", "w:altChunk"):
                assert f"<{element}" not in part, (name, element)
        assert not [n for n in archive.namelist() if n.startswith("word/media/")]
    body = docx.Document(io.BytesIO(data)).element.body
    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    text = "".join(t.text or "" for t in body.iter(W + "t", W + "delText"))
    assert "<script>alert(1)</script>" in text and "onerror=alert(2)" in text
