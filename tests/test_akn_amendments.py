"""Akoma Ntoso amendment lists: valid against the OASIS schema, pointing at the eIds the draft's
own export gives its paragraphs, member text only ever text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import (
    CHAIR,
    MEMBER_CS,
    MEMBER_GOV,
    MEMBER_TECH,
    SECRETARIAT,
    Wg,
    agreed,
    refs_snapshot,
    written_before_controls_were_refused,
)
from wgtool.core import document
from wgtool.core.documents.akn import amendment_list
from wgtool.core.documents.export import produce
from wgtool.core.model import Kind

SCHEMA = Path(__file__).parent / "schemas" / "akoma-ntoso" / "akomantoso30.xsd"
NS = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}


@pytest.fixture(scope="module")
def akn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA)))


def valid(xml: str, schema: etree.XMLSchema) -> etree._Element:
    root = etree.fromstring(xml.encode())
    assert schema.validate(root), schema.error_log
    return root


def amendments_of(root: etree._Element) -> dict[str, etree._Element]:
    return {a.get("name"): a for a in root.iterfind(".//a:amendment", NS)}


def destination(amendment: etree._Element) -> etree._Element:
    mods = amendment.findall("a:meta/a:analysis/a:activeModifications/a:textualMod", NS)
    assert len(mods) == 1
    return mods[0].find("a:destination", NS)


def draft_eids(wg, slug: str = "principles") -> set[str]:  # type: ignore[no-untyped-def]
    root = etree.fromstring(produce(wg, slug, "akn").encode())
    return {e.get("eId") for e in root.iter() if e.get("eId")}


def test_amendment_list_is_valid_and_points_at_the_paragraphs(open_wg, akn_schema) -> None:
    wg = open_wg(MEMBER_TECH)
    text = "Enhanced cooperation should protect a single, open Internet."
    replace = wg.amendments.propose(
        "principles", kind=Kind.REPLACE, paragraph="5", text=text, rationale="R1"
    )
    insert = wg.amendments.propose(
        "principles", kind=Kind.INSERT, paragraph="7", text="New.", rationale="R"
    )
    delete = open_wg(MEMBER_CS).amendments.propose(
        "principles", kind=Kind.DELETE, paragraph="3", rationale="Redundant."
    )
    xml = produce(wg, "principles", "akn-amendments")
    root = valid(xml, akn_schema)
    found = amendments_of(root)
    assert list(found) == [delete.id, replace.id, insert.id]  # in paragraph order

    kinds = {name: destination(a) for name, a in found.items()}
    assert kinds[replace.id].get("href").endswith("/principles/!main#para_5")
    assert kinds[insert.id].get("href").endswith("#para_7")
    assert kinds[insert.id].get("pos") == "after"
    assert kinds[delete.id].getparent().get("type") == "repeal"
    eids = draft_eids(wg)
    for mark in kinds.values():
        assert mark.get("href").rpartition("#")[2] in eids

    first = found[replace.id]
    assert first.findtext(".//a:docProponent", namespaces=NS) == MEMBER_TECH
    assert first.find(".//a:affectedDocument", NS).text == wg.drafts.draft("principles").title
    assert first.findtext(".//a:organization", namespaces=NS) == "Technical and academic community"
    assert first.findtext("a:amendmentBody/a:amendmentJustification/a:p", namespaces=NS) == "R1"
    quoted = first.findall(".//a:mod/a:quotedText", NS)
    principles = wg.drafts.draft("principles").text
    assert [q.text for q in quoted] == [document.paragraph(principles, 5).text,
                                        text]  # fmt: skip
    mod = first.find(".//a:mod", NS)
    source = first.find(".//a:textualMod/a:source", NS)
    assert source.get("href") == "#" + mod.get("eId")
    # Stable: the same record gives the same document, eIds and all.
    assert produce(wg, "principles", "akn-amendments") == xml


def test_an_amendment_made_before_a_renumbering_points_at_the_label_now(
    wgcli: Wg, open_wg, akn_schema
) -> None:
    first = wgcli.ok(
        "propose", "principles", "--insert-after", "2", "--text", "After two.", "--rationale", "R",
        actor=MEMBER_TECH,
    ).strip()  # fmt: skip
    wg = open_wg(MEMBER_GOV)
    agreed(wg, first)
    wgcli.ok("merge", first, actor=CHAIR)
    pending = open_wg(MEMBER_GOV).amendments.propose(
        "principles", kind=Kind.REPLACE, paragraph="3", text="Three, amended.", rationale="R"
    )
    wgcli.ok("renumber", "principles", actor=SECRETARIAT)  # 2bis is 3 now, and 3 is 4
    wg = open_wg(MEMBER_GOV)
    root = valid(produce(wg, "principles", "akn-amendments"), akn_schema)
    mark = destination(amendments_of(root)[pending.id])
    assert mark.get("href").endswith("#para_4")
    draft = etree.fromstring(produce(wg, "principles", "akn").encode())
    para = draft.find(".//a:paragraph[@eId='para_4']/a:content/a:p", NS)
    old = amendments_of(root)[pending.id].find(".//a:quotedText", NS)
    assert para.text.split()[:4] == old.text.split()[:4] == ["Mindful", "of", "the", "persistent"]


def test_member_text_stays_text(open_wg, akn_schema) -> None:
    hostile = "A <script>alert(1)</script> & <img src=x onerror=alert(2)> \x1b[31m\x07 end"
    with written_before_controls_were_refused():
        wg = open_wg(MEMBER_CS)
        made = wg.amendments.propose(
            "principles", kind=Kind.REPLACE, paragraph="6", text=hostile, rationale=hostile,
            title=hostile,
        )  # fmt: skip
    xml = produce(wg, "principles", "akn-amendments")
    root = valid(xml, akn_schema)
    assert "<script>" not in xml and "<img" not in xml and "\x1b" not in xml and "\x07" not in xml
    amendment = amendments_of(root)[made.id]
    shown = "A <script>alert(1)</script> & <img src=x onerror=alert(2)> \\x1b[31m\\x07 end"
    assert amendment.findtext(".//a:amendmentHeading/a:p", namespaces=NS) == shown
    assert amendment.findtext(".//a:amendmentJustification/a:p", namespaces=NS) == shown
    assert amendment.findall(".//a:quotedText", NS)[-1].text == shown
    assert not amendment.findall(".//a:script", NS) and not amendment.findall(".//a:img", NS)


def test_an_empty_list_is_valid_and_closed_ones_come_with_all(open_wg, akn_schema) -> None:
    xml = amendment_list(
        slug="x", title="T", items=[], working_group="WG", date=dt.date(2026, 1, 1)
    )
    assert not amendments_of(valid(xml, akn_schema))
    wg = open_wg(MEMBER_TECH)
    made = wg.amendments.propose(
        "principles", kind=Kind.REPLACE, paragraph="5", text="Five.", rationale="R"
    )
    wg.deliberation.withdraw(made.id)
    assert not amendments_of(valid(produce(wg, "principles", "akn-amendments"), akn_schema))
    every = valid(produce(wg, "principles", "akn-amendments", include_closed=True), akn_schema)
    assert every.findtext(".//a:docStatus", namespaces=NS) == "withdrawn"


def test_export_refuses_a_version_for_amendments_and_writes_nothing(wgcli: Wg, tmp_path) -> None:
    wgcli.ok("tag", "principles", "v1", "-m", "First reading", actor=SECRETARIAT)
    refs = refs_snapshot(wgcli.repo)
    target = tmp_path / "out.xml"
    result = wgcli(
        "export", "principles", "--format", "akn-amendments", "--version", "v1", "-o", str(target)
    )
    assert result.exit_code == 2 and len(result.stderr.strip().splitlines()) == 1
    assert not target.exists() and refs_snapshot(wgcli.repo) == refs
    wgcli.ok("export", "principles", "--format", "akn-amendments", "-o", str(target))
    assert target.read_text().startswith("<?xml")
