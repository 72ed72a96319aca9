"""Participation balance and the concordance of labels, on real repositories through the CLI."""

from __future__ import annotations

import json

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_PS,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    agree_cli,
    refs_snapshot,
)
from tests.test_agreement import insert_after, paragraphs_of
from tests.test_blame import merged, propose


def amend_label(wgcli: Wg, actor: str, label: str, old: str, new: str) -> str:
    """Amend the paragraph labelled ``label`` and merge it (with consensus); its id."""
    text = paragraphs_of(wgcli)[label]
    assert old in text, (old, text)
    amendment = wgcli.ok(
        "propose", "principles", "--paragraph", label, "--text", text.replace(old, new, 1),
        "--rationale", "Better.", actor=actor,
    ).strip()  # fmt: skip
    wgcli.ok("merge", agree_cli(wgcli, amendment), actor=CHAIR)
    return amendment


def by_group(wgcli: Wg, *args: str) -> dict[str, dict[str, object]]:
    found = json.loads(wgcli.ok("stats", *args, "--json"))
    rows = {row["group"]: row for row in found["groups"]}
    rows["total"] = found["total"]
    return rows


def test_stats_counts_each_group_in_totals_and_per_member(wgcli: Wg) -> None:
    tech = merged(wgcli, MEMBER_TECH, 5, "preserve", "protect")  # the chair (governments) agrees
    cs = propose(wgcli, MEMBER_CS, 6, "dignity", "dignity and autonomy")
    wgcli.ok("comment", cs, "Why autonomy?", actor="therrera")
    wgcli.ok("position", cs, "object", "--reason", "Too broad.", actor=MEMBER_PS)
    gov = propose(wgcli, MEMBER_GOV, 7, "legitimate", "recognised")
    wgcli.ok("withdraw", gov, actor=MEMBER_GOV)
    other = wgcli.ok(
        "propose", "roles", "--paragraph", "1", "--text", "Another text.", "--rationale", "R",
        actor=MEMBER_PS,
    ).strip()  # fmt: skip
    wgcli.ok("reject", other, "--reason", "Out of scope.", actor=CHAIR)

    rows = by_group(wgcli, "principles")
    assert list(rows) == [
        "governments", "private-sector", "civil-society", "technical-academic",
        "intergovernmental", "total",
    ]  # fmt: skip
    assert rows["technical-academic"]["merged"] == 1
    assert rows["technical-academic"]["per_member"]["proposed"] == 0.5  # type: ignore[index]
    assert rows["governments"]["members"] == 3
    assert rows["governments"]["withdrawn"] == 1 and rows["governments"]["positions"] == 1
    assert rows["civil-society"]["open"] == 1 and rows["civil-society"]["comments"] == 1
    assert rows["private-sector"]["positions"] == 1 and rows["private-sector"]["rejected"] == 0
    # The proposer alone does not make their group heard; the objection makes its group heard.
    assert rows["civil-society"]["not_heard_on"] == [cs]
    assert rows["private-sector"]["not_heard_on"] == []
    assert rows["total"]["proposed"] == 3 and rows["total"]["members"] == 11
    assert rows["total"]["not_heard"] == 1
    assert tech not in json.dumps(rows["total"]["not_heard_on"])

    everything = by_group(wgcli)
    assert everything["private-sector"]["rejected"] == 1
    assert everything["total"]["proposed"] == 4

    out = wgcli.ok("stats", "principles")
    assert "Technical and academic" in out and "per member" in out
    assert f"Civil society: {cs}" in out


def test_stats_refuses_bad_input_in_one_line_and_writes_nothing(wgcli: Wg) -> None:
    refs = refs_snapshot(wgcli.repo)
    for args, code in [(("stats", "nosuch"), 1), (("stats", "../x"), 2)]:
        result = wgcli(*args)
        assert result.exit_code == code, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout
    assert refs_snapshot(wgcli.repo) == refs


def test_stats_rows_show_group_names_safely() -> None:
    from wgtool.cli.reports import _row
    from wgtool.core.documents.stats import COUNTS, GroupBalance

    row = GroupBalance("evil", "Evil \x1b]0;pwned\x07", 0, dict.fromkeys(COUNTS, 2))
    for per_member in (False, True):
        shown = _row(row, per_member=per_member)
        assert "\x1b" not in shown and "\x07" not in shown
    assert _row(row, per_member=True).split()[-1] == "-"  # no members: no rate


def test_concordance_follows_insertions_deletions_and_a_renumbering(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    inserted = insert_after(wgcli, "7", "A new paragraph after seven.")
    eight = amend_label(wgcli, MEMBER_CS, "8", "distinct expertise", "distinct and vital expertise")
    deleted = wgcli.ok(
        "propose", "principles", "--delete", "3", "--rationale", "Redundant.", actor=MEMBER_GOV
    ).strip()
    wgcli.ok("merge", agree_cli(wgcli, deleted), actor=CHAIR)
    wgcli.ok("renumber", "principles", actor=SECRETARIAT)
    later = amend_label(
        wgcli, MEMBER_PS, "8", "fully", "wholly"
    )  # old 8 is 8 again: 3 went, 7bis came
    wgcli.ok("tag", "principles", "v2", "-m", "Second reading", actor=SECRETARIAT)

    found = json.loads(wgcli.ok("concordance", "principles", "v1", "v2", "--json"))
    rows = {(r["old"], r["new"]): r for r in found["rows"]}
    assert rows[("3", None)]["change"] == "deleted"
    assert [a["id"] for a in rows[("3", None)]["amendments"]] == [deleted]
    assert rows[("4", "3")]["change"] == "renumbered" and rows[("4", "3")]["amendments"] == []
    assert not rows[("4", "3")]["text_changed"]
    assert rows[(None, "7")]["change"] == "inserted"
    assert rows[(None, "7")]["amendments"][0] == {
        "id": inserted, "proposer": MEMBER_TECH, "group": "technical-academic",
    }  # fmt: skip
    assert [a["id"] for a in rows[("8", "8")]["amendments"]] == [eight, later]
    assert rows[("8", "8")]["change"] == "kept" and rows[("8", "8")]["text_changed"]
    assert rows[("1", "1")] == {
        "old": "1", "new": "1", "change": "kept", "text_changed": False, "amendments": [],
    }  # fmt: skip
    assert [r["old"] for r in found["rows"]][:4] == ["1", "2", "3", "4"]
    assert len(found["rows"]) == 18  # 17 old paragraphs and one inserted

    assert json.loads(wgcli.ok("concordance", "principles", "v1", "main", "--json")) == {
        **found, "new": "main",
    }  # fmt: skip
    out = wgcli.ok("concordance", "principles", "v1", "v2")
    assert "         3  -           deleted, " in out
    assert f"         -  7           inserted, {inserted} ({MEMBER_TECH}, Technical" in out


def test_concordance_within_one_generation_keeps_bis_labels(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    inserted = insert_after(wgcli, "2", "A paragraph after two.")
    found = json.loads(wgcli.ok("concordance", "principles", "v1", "main", "--json"))
    rows = [(r["old"], r["new"]) for r in found["rows"]]
    assert rows[:4] == [("1", "1"), ("2", "2"), (None, "2bis"), ("3", "3")]
    assert found["rows"][2]["amendments"][0]["id"] == inserted


def test_concordance_refuses_bad_input_in_one_line(wgcli: Wg) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    merged(wgcli, MEMBER_TECH, 5, "preserve", "protect")
    wgcli.ok("tag", "principles", "v2", "-m", "Second reading", actor=SECRETARIAT)
    refs = refs_snapshot(wgcli.repo)
    for args, code in [
        (("concordance", "principles", "v2", "v1"), 2),
        (("concordance", "principles", "v1", "v9"), 1),
        (("concordance", "nosuch", "v1", "main"), 1),
        (("concordance", "../x", "v1", "main"), 2),
    ]:
        result = wgcli(*args)
        assert result.exit_code == code, (args, result.output)
        assert len(result.stderr.strip().splitlines()) == 1 and not result.stdout
    assert refs_snapshot(wgcli.repo) == refs
