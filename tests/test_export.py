"""The secretariat's documents: clean text, redline, compilation, Akoma Ntoso XML."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from lxml import etree

from tests.conftest import agreed
from wgtool.core import document
from wgtool.core.documents.export import akoma_ntoso, produce
from wgtool.core.model import Kind

SCHEMA_DIR = Path(__file__).parent / "schemas" / "akoma-ntoso"


@pytest.fixture(scope="module")
def akn_schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_DIR / "akomantoso30.xsd")))


def test_akoma_ntoso_export_is_valid_and_keeps_every_paragraph(open_wg, akn_schema) -> None:
    wg = open_wg("epetrova")
    for slug in wg.drafts.draft_slugs():
        draft = wg.drafts.draft(slug)
        xml = produce(wg, slug, "akn")
        root = etree.fromstring(xml.encode())
        assert akn_schema.validate(root), akn_schema.error_log
        ns = {"a": "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"}
        paragraphs = root.findall(".//a:paragraph", ns)
        expected = document.paragraphs(draft.text)
        assert len(paragraphs) == len(expected)
        assert [p.findtext("a:num", namespaces=ns) for p in paragraphs] == [
            f"{b.number}." for b in expected
        ]
        assert paragraphs[0].findtext("a:content/a:p", namespaces=ns) == expected[0].text


def test_markup_in_text_stays_text_in_xml(akn_schema) -> None:
    text = "# A <b>title</b>\n\nFirst & <script>alert(1)</script> paragraph.\n"
    xml = akoma_ntoso(
        slug="x",
        title="A <b>title</b>",
        text=text,
        version="v1",
        working_group="WG",
        date=dt.date(2026, 1, 1),
    )
    root = etree.fromstring(xml.encode())
    assert akn_schema.validate(root), akn_schema.error_log
    assert "<script>" not in xml
    assert root.find(".//{*}paragraph/{*}content/{*}p").text == (
        "First & <script>alert(1)</script> paragraph."
    )


def test_html_exports_escape_member_text(open_wg) -> None:
    wg = open_wg("mchen")
    text = document.paragraph(wg.drafts.draft("principles").text, 5).text
    amendment = wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=5,
        text=text.replace("global", "global <script>x()</script>"),
        rationale="Because <img src=x onerror=alert(1)> matters.",
        title="A <b>bold</b> title",
    )
    page = produce(wg, "principles", "compilation")
    assert "<script>" not in page and "<img" not in page and "<b>bold" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page
    assert amendment.id in page
    wg.record.act_as("lhaddad")
    wg.merges.merge(agreed(wg, amendment.id))
    clean = produce(wg, "principles", "html")
    assert "<script>" not in clean and "&lt;script&gt;" in clean
    assert 'id="para-5"' in clean


def test_redline_since_a_version_shows_the_merged_change(open_wg) -> None:
    wg = open_wg("epetrova")
    wg.procedure.tag("principles", "v1", message="First reading")
    text = document.paragraph(wg.drafts.draft("principles").text, 6).text
    wg.record.act_as("ndlamini")
    amendment = wg.amendments.propose(
        "principles",
        kind=Kind.REPLACE,
        paragraph=6,
        text=text.replace("freedom of expression", "freedom of opinion and expression"),
        rationale="Fuller wording.",
    )
    wg.record.act_as("lhaddad")
    wg.merges.merge(agreed(wg, amendment.id))
    page = produce(wg, "principles", "redline")
    assert "<ins>opinion and </ins>" in page
    assert "<del>" not in page
    assert produce(wg, "principles", "markdown") == wg.drafts.draft("principles").text
    assert "opinion" not in produce(wg, "principles", "markdown", version="v1")


def test_export_cli_writes_a_file_once(wgcli, example_repo, tmp_path) -> None:
    target = tmp_path / "principles.xml"
    wgcli.ok("export", "principles", "--format", "akn", "-o", str(target), actor="epetrova")
    assert target.read_text().startswith("<?xml")
    again = wgcli("export", "principles", "--format", "akn", "-o", str(target), actor="epetrova")
    assert again.exit_code == 2
    assert "already exists" in again.stderr
    bad = wgcli("export", "principles", "--format", "redline", actor="epetrova")
    assert bad.exit_code != 0 and "no earlier consensus version" in bad.stderr
