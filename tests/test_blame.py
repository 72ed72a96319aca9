"""Blame and attributed redlines on real repositories, through the real command line."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import CHAIR, MEMBER_CS, MEMBER_TECH, SECRETARIAT, Wg, agree_cli, refs_snapshot
from wgtool.core import document
from wgtool.core.desks import WorkingGroup
from wgtool.core.documents.export import produce
from wgtool.core.text import minimal_word_diff


def propose(wgcli: Wg, actor: str, number: int, old: str, new: str) -> str:
    with WorkingGroup.open(wgcli.repo) as wg:
        text = document.paragraph(wg.drafts.draft("principles").text, number).text
    assert old in text, (old, text)
    return wgcli.ok(
        "propose", "principles", "--paragraph", str(number), "--text",
        text.replace(old, new, 1), "--rationale", "Better.", actor=actor,
    ).strip()  # fmt: skip


def merged(wgcli: Wg, actor: str, number: int, old: str, new: str) -> str:
    amendment = agree_cli(wgcli, propose(wgcli, actor, number, old, new))
    wgcli.ok("merge", amendment, actor=CHAIR)
    return amendment


def rows(wgcli: Wg, *args: str) -> dict[str, dict[str, object]]:
    found = json.loads(wgcli.ok("blame", "principles", "--json", *args))
    return {row["key"]: row for row in found["summary"]}


def test_blame_names_the_group_of_every_merged_word_and_sums_to_100(wgcli: Wg) -> None:
    merged(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    cs = merged(wgcli, MEMBER_CS, 6, "dignity", "dignity and autonomy")

    by_group = rows(wgcli)
    assert by_group["technical-academic"]["words"] == 1
    assert by_group["civil-society"]["words"] == 2
    assert by_group["civil-society"]["label"] == "Civil society"
    assert by_group["civil-society"]["amendment_share"] == 50.0
    assert round(sum(r["share"] for r in by_group.values()), 6) == 100.0  # type: ignore[misc]
    assert by_group["base"]["amendments"] == 0

    assert rows(wgcli, "--by", "member")[MEMBER_CS]["words"] == 2
    assert rows(wgcli, "--by", "amendment")[cs]["amendments"] == 1
    # At the version tagged before the second merge, only the first is there.
    assert "civil-society" not in rows(wgcli, "--version", "v1")

    spans = json.loads(wgcli.ok("blame", "principles", "--json"))["spans"]
    assert "".join(s["text"] for s in spans) == Path(wgcli.repo, "drafts/principles.md").read_text()
    out = wgcli.ok("blame", "principles")
    assert "[technical-academic: protect]" in out
    assert "[civil-society: and autonomy]" in out
    assert "  6. The rights" in out


def test_a_revert_gives_the_words_back_to_who_wrote_them_before(wgcli: Wg) -> None:
    before = rows(wgcli)
    tech = merged(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    assert rows(wgcli)["technical-academic"]["words"] == 1
    wgcli.ok("revert", tech, "--reason", "Mistake.", actor=CHAIR)
    after = rows(wgcli)
    assert after == before  # no words and no merged amendment left to the reverted one
    assert "preserve" in wgcli.ok("blame", "principles")


def test_blame_refuses_bad_input_in_one_line_and_writes_nothing(wgcli: Wg) -> None:
    refs = refs_snapshot(wgcli.repo)
    for args, code in [
        (("blame", "nosuch"), 1),
        (("blame", "principles", "--version", "v9"), 1),
        (("blame", "principles", "--by", "colour"), 2),
        (("blame", "../x"), 2),
    ]:
        result = wgcli(*args)
        assert result.exit_code == code, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1
        assert result.stdout == ""
    assert refs_snapshot(wgcli.repo) == refs


def test_the_minimal_diff_keeps_a_word_an_amendment_kept() -> None:
    ops = minimal_word_diff("The quick brown fox.\n", "A slow brown dog.\n")
    assert ("equal", " brown ") in [(op.op, op.text) for op in ops]


def test_the_redline_is_numbered_and_names_who_changed_each_paragraph(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    tech = merged(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    cs = merged(wgcli, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    out = wgcli.ok("redline", "principles", "v1")
    assert "## Principles" in out
    assert "  5. Enhanced cooperation should [-preserve-]{+protect+}" in out
    assert f"     — amendment {tech} by {MEMBER_TECH} (Technical and academic community)" in out
    assert f"     — amendment {cs} by {MEMBER_CS} (Civil society)" in out
    assert "  4. Convinced" in out

    folded = wgcli.ok("redline", "principles", "v1", "--changed-only")
    assert "  4. Convinced" not in folded
    assert "(4 unchanged paragraphs)" in folded
    entries = json.loads(wgcli.ok("redline", "principles", "v1", "--json"))["entries"]
    changed = [e for e in entries if e["changed"]]
    assert [e["new_number"] for e in changed] == [5, 6]
    assert [e["by"][0]["amendment"] for e in changed] == [tech, cs]


def test_a_deleted_paragraph_keeps_its_label_and_who_deleted_it(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    amendment = wgcli.ok(
        "propose", "principles", "--delete", "3", "--rationale", "Not needed.", actor=MEMBER_CS
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    entries = json.loads(wgcli.ok("redline", "principles", "v1", "--json"))["entries"]
    deleted = [e for e in entries if e["new_number"] is None and not e["heading"]]
    assert [(e["old_number"], e["by"][0]["amendment"]) for e in deleted] == [(3, amendment)]
    assert "deleted 3. [-Mindful" in wgcli.ok("redline", "principles", "v1")
    # The paragraph after it keeps its stable label (4), though it is now the third.
    assert "    4. Convinced" in wgcli.ok("redline", "principles", "v1")


def test_the_html_redline_has_the_structure_and_member_text_stays_inert(
    wgcli: Wg, example_repo: Path
) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    hostile = "<script>alert(1)</script> <img src=x onerror=alert(2)> [x](javascript:alert(3))"
    amendment = merged(wgcli, MEMBER_CS, 6, "dignity", f"dignity {hostile}")
    with WorkingGroup.open(example_repo) as wg:
        page = produce(wg, "principles", "redline")
    assert "<h2>Principles</h2>" in page and "<h1>" in page
    assert '<div class="para changed" id="para-6">' in page
    assert '<span class="num">5.</span>' in page
    assert f"Changed by amendment {amendment} by {MEMBER_CS} (Civil society)" in page
    assert "<script>" not in page and "<img" not in page and 'href="javascript' not in page
    assert "&lt;script&gt;" in page
    assert "<br><br>" not in page and "## " not in page
