"""`wgtool order` and `wgtool preview`, run as the real command in a process, on the example
group: the order a chair takes the open amendments in, and the chair's text (nothing written)."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    git,
    refs_snapshot,
)
from wgtool.core.desks import WorkingGroup
from wgtool.core.model import Kind

PROJECT = Path(__file__).resolve().parents[1]
P5 = (
    "Enhanced cooperation should preserve and promote a single, open, global and interoperable "
    "Internet. Measures that would fragment the network, impair the free exchange of "
    "information across it or weaken the common technical standards on which it rests should "
    "be avoided."
)


def wgtool(repo: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "wgtool", "--repo", str(repo), "--as", CHAIR, *args],
        capture_output=True,
        text=True,
        cwd=PROJECT,
    )


class Tabled:
    """The example group with open amendments of every kind, tabled ten seconds apart."""

    def __init__(self, repo: Path) -> None:
        self.repo = repo
        self.at = 1_900_000_000
        self.ids: dict[str, str] = {}

    def propose(self, name: str, member: str, kind: Kind, paragraph: int | None = None,
                text: str | None = None, alternative_to: str | None = None) -> str:  # fmt: skip
        self.at += 10
        at = self.at
        with WorkingGroup.open(self.repo, member, clock=lambda: at) as wg:
            other = self.ids.get(alternative_to or "")
            found = wg.amendments.propose(
                "principles", kind=kind, paragraph=paragraph, text=text, rationale="Why.",
                alternative_to=other,
            )  # fmt: skip
        self.ids[name] = found.id
        return found.id


@pytest.fixture
def tabled(example_repo: Path) -> Tabled:
    t = Tabled(example_repo)
    t.propose("small", MEMBER_PS, Kind.REPLACE, 5, P5.replace("global and", "global, secure and"))
    t.propose("insert", MEMBER_GOV, Kind.INSERT, 5, "Cooperation should be open to all.")
    t.propose("same", MEMBER_CS, Kind.REPLACE, 5, P5.replace("global and", "global, secure and"))
    t.propose("delete", MEMBER_TECH, Kind.DELETE, 5)
    t.propose("large", MEMBER_GOV, Kind.REPLACE, 5, "Enhanced cooperation keeps one Internet.")
    t.propose("alt", MEMBER_CS, Kind.REPLACE, 5, P5.replace("open, ", ""), alternative_to="large")
    t.propose("two", MEMBER_PS, Kind.REPLACE, 2, "No single actor determines the Internet.")
    with WorkingGroup.open(example_repo) as wg:
        text = wg.drafts.draft("principles").text
    paragraph_3 = text.split("\n\n")[4]  # after the title, a heading, 1 and 2
    whole = text.replace(paragraph_3, paragraph_3.replace("divides", "gaps")).replace(
        "on an equal footing", "on an equal footing with one another"
    )
    t.propose("whole", MEMBER_TECH, Kind.DOCUMENT, None, whole)
    return t


def test_order_by_paragraph_deletion_first_furthest_first_with_groups(tabled: Tabled) -> None:
    ids = tabled.ids
    result = wgtool(tabled.repo, "order", "principles", "--json")
    assert result.returncode == 0, result.stderr
    found = json.loads(result.stdout)
    got = [
        (
            item["where"],
            [a["id"] for a in item["amendments"]],
            item["identical"],
            item["alternatives"],
        )
        for item in found["order"]
    ]
    assert got == [
        ("¶2", [ids["two"]], False, False),
        ("¶3", [ids["whole"]], False, False),  # a whole-draft amendment: its first paragraph
        ("¶5", [ids["delete"]], False, False),
        ("¶5", [ids["large"], ids["alt"]], False, True),  # the furthest first, its alternative
        ("¶5", [ids["small"], ids["same"]], True, False),  # identical: taken together
        ("after ¶5", [ids["insert"]], False, False),
    ]
    first = found["order"][2]["amendments"][0]
    assert (first["shape"], first["number"], first["conflicts_with_text"]) == ("delete", 4, False)
    assert [a["distance"] for a in found["order"][4]["amendments"]] == [2, 2]
    human = wgtool(tabled.repo, "order", "principles").stdout.splitlines()
    assert human[0].startswith("Order of consideration of principles: 8 open amendments at main ")
    assert "  4. ¶5 — alternatives: side by side" in human
    assert f"       Am. 4 ({ids['delete']})  delete, 45 words  {MEMBER_TECH} (" in "\n".join(human)


def test_order_of_a_missing_draft_or_none_open(example_repo: Path) -> None:
    missing = wgtool(example_repo, "order", "nosuch")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert missing.stderr.splitlines() == ["wgtool: no draft 'nosuch': see 'wgtool draft list'"]
    empty = json.loads(wgtool(example_repo, "order", "principles", "--json").stdout)
    assert empty["order"] == []


def unchanged(repo: Path) -> tuple[str, str, str]:
    """The refs, git's index file and the working tree's status: what preview must not touch."""
    index = hashlib.sha256((repo / ".git" / "index").read_bytes()).hexdigest()
    return refs_snapshot(repo), index, git(repo, "status", "--porcelain")


def test_preview_applies_in_order_and_shows_a_conflict_writing_nothing(
    tabled: Tabled, tmp_path: Path
) -> None:
    ids = tabled.ids
    before = unchanged(tabled.repo)
    result = wgtool(
        tabled.repo, "preview", "principles", "--with", f"principles/1,{ids['insert']}",
        "--with", ids["large"], "--with", ids["two"],
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = result.stdout
    lines = out.splitlines()
    assert lines[1] == (
        f"Applied, in the order of consideration: Am. 7 ({ids['two']}), Am. 5 ({ids['large']}), "
        f"Am. 2 ({ids['insert']})"
    )
    assert f"<<< CONFLICT in ¶5: Am. 1 ({ids['small']}) is not applied" in lines
    assert "    the text reads:   Enhanced cooperation keeps one Internet." in lines
    assert "    Am. 1 makes it: " + P5.replace("global and", "global, secure and") in lines
    assert "    2. No single actor determines the Internet." in lines
    assert " 5bis. Cooperation should be open to all." in lines
    data = json.loads(
        wgtool(tabled.repo, "preview", "principles", "--with", ids["insert"], "--json").stdout
    )
    assert [p.get("label") for p in data["paragraphs"] if "label" in p][4:7] == ["5", "5bis", "6"]
    html = tmp_path / "chair.html"
    assert wgtool(tabled.repo, "preview", "principles", "--with", ids["two"], "--export", "html",
                  "-o", str(html)).returncode == 0  # fmt: skip
    page = html.read_text()
    assert "<title>Chair&#39;s text — Overarching principles" in page
    assert f"applied in the order of consideration: Am. 7 ({ids['two']})" in page
    docx = tmp_path / "chair.docx"
    made = wgtool(tabled.repo, "preview", "principles", "--with", ids["two"], "--export", "docx",
                  "-o", str(docx))  # fmt: skip
    assert (made.returncode, made.stdout) == (0, f"Wrote {docx}\n")
    assert docx.read_bytes()[:2] == b"PK"
    md = wgtool(tabled.repo, "preview", "principles", "--with", ids["small"], "--with",
                ids["large"], "--export", "md").stdout  # fmt: skip
    assert md.startswith("# Chair's text: Overarching principles")
    assert f"> **CONFLICT** in ¶5: Am. 1 ({ids['small']}) is not applied." in md
    assert unchanged(tabled.repo) == before


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--with", "principles/99"], 1, "wgtool: no amendment 'principles/99'"),
        (["--with", "roles/1"], 1, "wgtool: no amendment 'roles/1'"),
        (["--with", "withdrawn"], 1, "is withdrawn: only open amendments go into the chair's text"),
        (["--with", "zz"], 2, "wgtool: invalid amendment id 'zz'"),
        (["--with", "principles/1", "--export", "docx"], 2, "wgtool: docx is a Word document"),
        (["--with", "principles/1", "--export", "pdf"], 2, "Invalid value for '--export'"),
        (["--with", "principles/1", "--json", "-o", "x.md"], 2, "leave out --export and -o"),
    ],
)
def test_preview_refuses_bad_input_with_one_line(
    tabled: Tabled, args: list[str], code: int, says: str
) -> None:
    with WorkingGroup.open(tabled.repo, MEMBER_GOV) as wg:
        gone = wg.amendments.propose(
            "principles", kind=Kind.DELETE, paragraph=1, rationale="Why."
        ).id
        wg.deliberation.withdraw(gone)
    args = [gone if a == "withdrawn" else a for a in args]
    before = unchanged(tabled.repo)
    result = wgtool(tabled.repo, "preview", "principles", *args)
    assert (result.returncode, result.stdout) == (code, "")
    assert says in result.stderr.splitlines()[-1]
    assert unchanged(tabled.repo) == before
