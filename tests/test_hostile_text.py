"""Text stays text: control characters and bidirectional overrides are refused in everything a
member writes, and every export escapes what the record already holds (drafts planted with plain
git, from before the rule), on a terminal and in HTML and XML."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_PS,
    MEMBER_TECH,
    PROJECT,
    SECRETARIAT,
    Wg,
    git,
    plant_on_main,
    propose_sample,
    refs_snapshot,
)

SCHEMA = Path(__file__).parent / "schemas" / "akoma-ntoso" / "akomantoso30.xsd"
# Every character member text may not hold, and a few that it may.
FORBIDDEN = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))] + [
    chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))
]
HOSTILE = (
    "# Hostile \x1b[31mtitle\u202e\n\n"
    "First \x1b[31mred\x1b[0m paragraph\x0c with ]]> and <script>alert(1)</script>.\n\n"
    "Second \x1b]0;pwned\x07 paragraph \u202eesrever\u202c, \x9b2J and \x00 NUL, \ufffe.\n\n"
    "Third paragraph, \u2028 quietly separated.\n"
)


# -- refused on the way in ---------------------------------------------------------------------


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return str(path)


def refusals(tmp_path: Path, amendment: str) -> list[tuple[str, list[str], str]]:
    """(actor, arguments, what the refusal must name) for every way a member writes text."""
    para = "Enhanced cooperation involves all {} stakeholders."
    draft = "# Annex\n\nOne paragraph.\n\nAnother one\u2066 here.\n"
    return [
        (
            SECRETARIAT,
            ["draft", "add", "annex", "--title", "Annex", "--file", write(tmp_path, "d.md", draft)],
            "U+2066 (LEFT-TO-RIGHT ISOLATE) at line 5, column 12",
        ),
        (
            SECRETARIAT,
            [
                "draft",
                "add",
                "annex",
                "--title",
                "An\u202enex",
                "--file",
                write(tmp_path, "ok.md", "Fine.\n"),
            ],
            "U+202E (RIGHT-TO-LEFT OVERRIDE) at position 3",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--paragraph",
                "1",
                "--text",
                para.format("\x1b[8m"),
                "--rationale",
                "R.",
            ],
            "U+001B (ESC) at position 35",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--insert-after",
                "1",
                "--text-file",
                write(tmp_path, "p.txt", para.format("\x0c")),
                "--rationale",
                "R.",
            ],
            "U+000C (FF) at position 35",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--from-file",
                write(tmp_path, "w.md", "# P\n\nWhole\x85 draft.\n"),
                "--rationale",
                "R.",
            ],
            "U+0085 (NEL) at line 3, column 6",
        ),
        (
            MEMBER_TECH,
            ["propose", "principles", "--delete", "2", "--rationale", "Because\x9b."],
            "U+009B (CSI) at position 8",
        ),
        (
            MEMBER_TECH,
            [
                "propose",
                "principles",
                "--delete",
                "2",
                "--rationale",
                "R.",
                "--title",
                "Delete \u2067it",
            ],
            "U+2067 (RIGHT-TO-LEFT ISOLATE) at position 8",
        ),
        (
            MEMBER_PS,
            ["revise", amendment, "--text", para.format("\x7f")],
            "U+007F (DEL) at position 35",
        ),
        (
            MEMBER_PS,
            ["revise", amendment, "--text", para.format(""), "--rationale", "\x1b]8;;x\x07"],
            "U+001B (ESC) at position 1",
        ),
        (
            CHAIR,
            ["merge", amendment, "--text-file", write(tmp_path, "o.txt", para.format("\u202d"))],
            "U+202D (LEFT-TO-RIGHT OVERRIDE) at position 35",
        ),
        (
            CHAIR,
            [
                "merge",
                amendment,
                "--resolved-file",
                write(tmp_path, "r.md", "# P\n\nResolved\x1b[2J.\n"),
            ],
            "U+001B (ESC) at line 3, column 9",
        ),
        (CHAIR, ["reject", amendment, "--reason", "No\x08pe"], "U+0008 (BS) at position 3"),
        (
            MEMBER_PS,
            ["withdraw", amendment, "--reason", "\u2069Gone"],
            "U+2069 (POP DIRECTIONAL ISOLATE) at position 1",
        ),
        (
            MEMBER_CS,
            ["comment", amendment, "Look \x1b]0;owned\x07 here"],
            "U+001B (ESC) at position 6",
        ),
        (
            MEMBER_CS,
            ["position", amendment, "object", "--reason", "\x9dOSC"],
            "U+009D (OSC) at position 1",
        ),
        (
            SECRETARIAT,
            ["tag", "principles", "v1", "--message", "Agreed\x1b[5m"],
            "U+001B (ESC) at position 7",
        ),
        (
            SECRETARIAT,
            [
                "member",
                "add",
                "zz",
                "--name",
                "Z\x1bz",
                "--email",
                "z@example.org",
                "--group",
                "governments",
            ],
            "U+001B (ESC) at position 2",
        ),
        (
            SECRETARIAT,
            [
                "member",
                "add",
                "zz",
                "--name",
                "Zed",
                "--email",
                "z\x1b@example.org",
                "--group",
                "governments",
            ],
            "U+001B (ESC) at position 2",
        ),
    ]


def test_every_way_of_writing_text_refuses_control_characters_in_one_line(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    amendment = propose_sample(example_repo)
    before = refs_snapshot(example_repo)
    for actor, args, named in refusals(tmp_path, amendment):
        result = wgcli(*args, actor=actor)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.count("\n") == 1, result.stderr
        assert f"holds the control character {named}: remove it" in result.stderr, result.stderr
        assert refs_snapshot(example_repo) == before, args


def test_crlf_line_ends_are_text_and_are_stored_as_lf(
    example_repo: Path, wgcli: Wg, tmp_path: Path
) -> None:
    path = write(tmp_path, "crlf.md", "# Annex\r\n\r\nOne paragraph.\r\n\r\nAnother one.\r\n")
    wgcli.ok("draft", "add", "annex", "--title", "Annex", "--file", path, actor=SECRETARIAT)
    assert git(example_repo, "show", "main:drafts/annex.md") == (
        "# Annex\n\nOne paragraph.\n\nAnother one.\n"
    )


# -- escaped on the way out ----------------------------------------------------------------------


@pytest.fixture
def hostile(example_repo: Path, wgcli: Wg) -> Wg:
    """A draft planted with plain git holding every kind of hostile text, a version of it, a
    later change, and an open amendment to it."""
    plant_on_main(example_repo, {"drafts/hostile.md": HOSTILE.encode()}, "Add a draft by hand")
    wgcli.ok("tag", "hostile", "v1", "--message", "First.", actor=SECRETARIAT)
    changed = HOSTILE.replace("Third paragraph", "Third \x1b[41mchanged\x1b[0m paragraph")
    plant_on_main(example_repo, {"drafts/hostile.md": changed.encode()}, "Change it by hand")
    wgcli.ok(
        "propose",
        "hostile",
        "--paragraph",
        "1",
        "--text",
        "A clean first paragraph.",
        "--rationale",
        "Clean it up.",
        actor=MEMBER_TECH,
    )
    return wgcli


FORMATS = [
    ["--format", "markdown"],
    ["--format", "html"],
    ["--format", "redline", "--against", "v1"],
    ["--format", "compilation"],
    ["--format", "akn"],
    ["--format", "akn", "--version", "v1"],
    ["--format", "akn-amendments"],
]


def raw_controls(text: str) -> list[str]:
    return sorted({c for c in text if c in FORBIDDEN})


@pytest.mark.parametrize("args", FORMATS, ids=lambda a: "-".join(a[1::2]))
def test_exports_of_hostile_text_written_with_plain_git_hold_no_raw_controls(
    hostile: Wg, args: list[str], tmp_path: Path
) -> None:
    printed = hostile.ok("export", "hostile", *args)
    target = tmp_path / "out"
    hostile.ok("export", "hostile", *args, "-o", str(target))
    for document in (printed, target.read_text(encoding="utf-8")):
        assert raw_controls(document) == []
        assert "<script>" not in document or args[1] == "markdown"
        assert "\\x1b[31m" in document  # made visible, not dropped
        assert "\\u202e" in document


def test_akoma_ntoso_amendments_of_hostile_text_are_valid(hostile: Wg) -> None:
    xml = hostile.ok("export", "hostile", "--format", "akn-amendments")
    root = etree.fromstring(xml.encode("utf-8"))
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    old, new = root.findall(".//{*}mod/{*}quotedText")
    assert "<script>" in old.text and new.text == "A clean first paragraph."


@pytest.mark.parametrize("version", [[], ["--version", "v1"]])
def test_akoma_ntoso_of_hostile_text_is_well_formed_and_valid(hostile: Wg, version) -> None:
    xml = hostile.ok("export", "hostile", "--format", "akn", *version)
    root = etree.fromstring(xml.encode("utf-8"))  # well-formed, or this raises
    schema = etree.XMLSchema(etree.parse(str(SCHEMA)))
    assert schema.validate(root), schema.error_log
    paragraphs = root.findall(".//{*}paragraph/{*}content/{*}p")
    assert "]]> and <script>alert(1)</script>." in paragraphs[0].text
    assert "\\x00 NUL" in paragraphs[1].text and "\ufffd" in paragraphs[1].text
    assert root.find(".//{*}docTitle").text == "Hostile \\x1b[31mtitle\\u202e"


def on_a_terminal(repo: Path, *args: str) -> bytes:
    """What the real command line writes when its output is a terminal (a pseudo-terminal)."""
    controller, terminal = pty.openpty()
    try:
        process = subprocess.Popen(
            [sys.executable, "-m", "wgtool", "--repo", str(repo), *args],
            stdout=terminal,
            stderr=subprocess.PIPE,
            cwd=PROJECT,
        )
    finally:
        os.close(terminal)
    output = b""
    while True:
        try:
            chunk = os.read(controller, 65536)
        except OSError:  # the terminal closed: everything was read
            break
        if not chunk:
            break
        output += chunk
    os.close(controller)
    assert process.wait(timeout=60) == 0, process.stderr.read() if process.stderr else b""
    return output


@pytest.mark.parametrize("args", FORMATS[:4], ids=lambda a: "-".join(a[1::2]))
def test_exports_on_a_terminal_emit_no_escape_sequences(
    hostile: Wg, example_repo: Path, args: list[str]
) -> None:
    shown = on_a_terminal(example_repo, "export", "hostile", *args).decode("utf-8")
    # The terminal turns each newline into CRLF; nothing else it could act on may arrive.
    assert raw_controls(shown.replace("\r\n", "\n")) == []
    assert "\u2028" not in shown and "\\x1b[31m" in shown
    if args[1] != "compilation":  # the compilation shows only the amended first paragraph
        assert "\\u2028" in shown
