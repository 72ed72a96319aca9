"""Hostile documents are bounded: a Word file of millions of paragraphs in a few hundred
kilobytes, a zip bomb, a file whose zip headers lie, floods of XML elements or of text, a
document that takes too long, and a Markdown draft of too many paragraphs are each refused in one
line, early, with nothing written."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import docx
import pytest

from tests.conftest import MEMBER_TECH, PROJECT, SECRETARIAT, Wg, git, refs_snapshot
from wgtool.core import validate

ONE_PARAGRAPH = "<w:p><w:r><w:t>x</w:t></w:r></w:p>"


def crafted_docx(path: Path, body: str, count: int, *, level: int = zipfile.ZIP_DEFLATED) -> Path:
    """A .docx made by python-docx whose body is ``body`` written ``count`` times, streamed
    into the archive (nothing that size is held in memory here)."""
    made = io.BytesIO()
    seed = docx.Document()
    seed.add_paragraph("Seed")
    seed.save(made)
    with zipfile.ZipFile(made) as source, zipfile.ZipFile(path, "w", level) as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename != "word/document.xml":
                target.writestr(info, data)
                continue
            head = data.decode().partition("<w:body>")[0] + "<w:body>"
            with target.open("word/document.xml", "w", force_zip64=True) as part:
                part.write(head.encode())
                chunk, left = (body * 1000).encode(), count
                while left >= 1000:
                    part.write(chunk)
                    left -= 1000
                part.write((body * left).encode())
                part.write(b"<w:sectPr/></w:body></w:document>")
    return path


# The command line, reporting at its exit the peak of its own memory (VmHWM: the kernel's
# high-water mark of this program's pages, which starts afresh when the program starts).
MEASURED_CLI = """
import atexit, os, sys
def peak():
    status = open("/proc/self/status").read()
    open(os.environ["WGTOOL_TEST_PEAK"], "w").write(status.split("VmHWM:")[1].split()[0])
atexit.register(peak)
from wgtool.cli import main
main()
"""


def run_measured(repo: Path, peak: Path, *args: str) -> tuple[int, str, int]:
    """Run the real command line; its exit code, stderr and peak memory in megabytes."""
    process = subprocess.run(
        [sys.executable, "-c", MEASURED_CLI, "--repo", str(repo), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=PROJECT,
        env={**os.environ, "WGTOOL_TEST_PEAK": str(peak)},
        text=True,
        timeout=600,
    )
    return process.returncode, process.stderr, int(peak.read_text()) // 1024


@pytest.mark.parametrize(
    "command",
    [
        ["draft", "add", "annex", "--title", "Annex", "--file"],
        ["draft", "import", "principles", "--file"],
    ],
    ids=["add", "import"],
)
def test_a_small_file_of_a_million_paragraphs_is_refused_before_it_is_parsed(
    example_repo: Path, tmp_path: Path, command: list[str]
) -> None:
    hostile = crafted_docx(tmp_path / "million.docx", ONE_PARAGRAPH, 1_500_000)
    assert hostile.stat().st_size < 1_000_000  # a few hundred kilobytes on disk
    before = refs_snapshot(example_repo)
    code, stderr, megabytes = run_measured(
        example_repo, tmp_path / "peak", "--as", SECRETARIAT, *command, str(hostile)
    )
    assert code == 2, stderr
    assert stderr == (
        f"wgtool: {hostile} holds more than 10,000 paragraphs of text: too many for a draft "
        "(split it into several drafts)\n"
    )
    # Parsed whole, it took over 900 MB; read as a stream up to the bound, what Python and
    # wgtool need anyway.
    assert megabytes < 100, megabytes
    assert refs_snapshot(example_repo) == before


def test_a_zip_bomb_is_refused_by_what_it_unzips_to(example_repo: Path, wgcli: Wg, tmp_path: Path):
    bomb = crafted_docx(tmp_path / "bomb.docx", " " * 1000, 150_000)  # 150 MB of spaces
    assert bomb.stat().st_size < 1_000_000
    before = refs_snapshot(example_repo)
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(bomb), actor=SECRETARIAT)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "unzips to" in result.stderr, result.stderr
    assert "too large to read" in result.stderr
    assert refs_snapshot(example_repo) == before


def test_a_zip_whose_headers_understate_a_part_is_not_read_past_them(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    honest = crafted_docx(tmp_path / "honest.docx", ONE_PARAGRAPH, 50_000).read_bytes()
    with zipfile.ZipFile(io.BytesIO(honest)) as archive:
        real = archive.getinfo("word/document.xml").file_size
    # Claim a tenth of the real size, in the local header and in the central directory.
    stated = (real // 10).to_bytes(4, "little")
    lying = honest.replace(real.to_bytes(4, "little"), stated)
    assert lying != honest
    path = tmp_path / "lying.docx"
    path.write_bytes(lying)
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(path), actor=SECRETARIAT)
    assert result.exit_code == 2
    assert result.stderr == f"wgtool: {path} is not a Word document (.docx)\n"


def test_a_flood_of_empty_elements_is_refused(example_repo: Path, wgcli: Wg, tmp_path: Path):
    flood = crafted_docx(tmp_path / "flood.docx", "<w:r/>", 1_100_000)
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(flood), actor=SECRETARIAT)
    assert result.exit_code == 2
    assert "holds more than 1,000,000 XML elements: too large to read as a draft" in result.stderr


def test_more_text_than_a_draft_may_hold_is_refused(example_repo: Path, wgcli: Wg, tmp_path: Path):
    words = f"<w:p><w:r><w:t>{'Wordy text. ' * 20}</w:t></w:r></w:p>"  # 240 bytes each
    flood = crafted_docx(tmp_path / "wordy.docx", words, 5_000)
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(flood), actor=SECRETARIAT)
    assert result.exit_code == 2
    assert result.stderr == f"wgtool: {flood} holds more than 1 MB of text: too large for a draft\n"


def test_reading_gives_up_after_the_time_allowed(
    example_repo: Path, wgcli: Wg, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    document = crafted_docx(tmp_path / "slow.docx", ONE_PARAGRAPH, 5_000)
    before = refs_snapshot(example_repo)
    monkeypatch.setenv("WGTOOL_IMPORT_TIMEOUT", "0.000001")
    result = wgcli(
        "draft", "add", "annex", "--title", "A", "--file", str(document), actor=SECRETARIAT
    )
    assert result.exit_code == 2
    assert result.stderr == (
        f"wgtool: {document} took longer than 1e-06 s to read "
        "(set WGTOOL_IMPORT_TIMEOUT to wait longer)\n"
    )
    monkeypatch.setenv("WGTOOL_IMPORT_TIMEOUT", "soon")
    result = wgcli(
        "draft", "add", "annex", "--title", "A", "--file", str(document), actor=SECRETARIAT
    )
    assert result.stderr == "wgtool: WGTOOL_IMPORT_TIMEOUT must be a positive number of seconds\n"
    assert refs_snapshot(example_repo) == before
    monkeypatch.delenv("WGTOOL_IMPORT_TIMEOUT")
    wgcli.ok("draft", "add", "annex", "--title", "A", "--file", str(document), actor=SECRETARIAT)
    assert len(git(example_repo, "show", "main:drafts/annex.md").split("\n\n")) == 5_001


def test_word_text_follows_the_rules_of_member_text(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    made = docx.Document()
    made.add_paragraph("Enhanced co\u00adoperation, with optional hyphens left out.")
    made.add_paragraph("A zero\u200bwidth space hides here.")
    path = tmp_path / "hidden.docx"
    made.save(str(path))
    before = refs_snapshot(example_repo)
    result = wgcli("draft", "add", "annex", "--title", "A", "--file", str(path), actor=SECRETARIAT)
    assert result.exit_code == 2
    assert result.stderr == (
        f"wgtool: {path}: paragraph 2 holds the invisible character U+200B (ZERO WIDTH SPACE) "
        "at position 7: remove it (it shows nothing, yet makes text that reads the same differ)\n"
    )
    assert refs_snapshot(example_repo) == before
    made = docx.Document(str(path))
    made.paragraphs[1].text = "A zero width space no longer hides here."
    made.save(str(path))
    wgcli.ok("draft", "add", "annex", "--title", "A", "--file", str(path), actor=SECRETARIAT)
    assert "Enhanced cooperation, with" in git(example_repo, "show", "main:drafts/annex.md")


def test_a_markdown_draft_of_too_many_paragraphs_is_refused(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    """A megabyte of one-letter paragraphs would be added in seconds and then slow every
    command that reads the draft to minutes."""
    many = tmp_path / "many.md"
    many.write_text("# Many\n\n" + "a\n\n" * (validate.MAX_PARAGRAPHS + 1))
    before = refs_snapshot(example_repo)
    refused = (
        "has 10,001 paragraphs: a draft may have at most 10,000 (split it into several drafts)"
    )
    for actor, args in (
        (SECRETARIAT, ["draft", "add", "many", "--title", "Many", "--file", str(many)]),
        (SECRETARIAT, ["draft", "import", "principles", "--file", str(many)]),
        (MEMBER_TECH, ["propose", "principles", "--from-file", str(many), "--rationale", "R."]),
    ):
        result = wgcli(*args, actor=actor)
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1 and refused in result.stderr, result.stderr
    assert refs_snapshot(example_repo) == before
