"""Akoma Ntoso 3.0 amendments: an ``amendmentList`` of ``amendment`` documents for a draft.

Each amendment names the affected document and its proponent in its preface, says what it
does in ``amendmentBody`` (heading, content as ``mod`` with ``quotedText``, justification),
and points at the paragraph it changes in ``analysis/activeModifications/textualMod``, by the
eId the draft's own export gives that paragraph (``para_<label>``, :func:`export.akoma_ntoso`).
Labels are stable, so the eIds are: an amendment proposed before a renumbering points at the
paragraph's label now. The tree is built with ElementTree, so member text is only ever text.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from wgtool.core.documents.papers import AKN_NS, in_compilation_order
from wgtool.core.errors import InvalidInput, Remedy
from wgtool.core.labels import Labels
from wgtool.core.model import Amendment, Kind
from wgtool.core.safe import xml_text

if TYPE_CHECKING:
    from wgtool.core.desks.parts import Desks

# What each kind of amendment is as a textual modification, and how its ``mod`` reads.
_MOD_TYPES = {
    Kind.REPLACE: "substitution",
    Kind.INSERT: "insertion",
    Kind.DELETE: "repeal",
    Kind.DOCUMENT: "substitution",
}
_QUOTES = {"startQuote": "\u201c", "endQuote": "\u201d"}


@dataclass(frozen=True)
class Item:
    """One amendment as the list shows it: the amendment, its old and new text, the current
    label of the paragraph it targets (None: the whole draft) and its group's name."""

    amendment: Amendment
    old: str
    new: str
    label: str | None
    group_name: str


def el(parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    """An Akoma Ntoso element; its text and attributes made fit for XML, never parsed."""
    values = {name: xml_text(value) for name, value in attrs.items()}
    name = f"{{{AKN_NS}}}{tag}"
    node = ET.Element(name, values) if parent is None else ET.SubElement(parent, name, values)
    if text is not None:
        node.text = xml_text(text)
    return node


def _identification(meta: ET.Element, uri: str, date: dt.date, author: str = "#wg") -> None:
    ident = el(meta, "identification", source="#wgtool")
    for tag, this, level_uri in (
        ("FRBRWork", f"{uri}/!main", uri),
        ("FRBRExpression", f"{uri}/eng@/!main", f"{uri}/eng@"),
        ("FRBRManifestation", f"{uri}/eng@/!main.xml", f"{uri}/eng@.akn"),
    ):
        level = el(ident, tag)
        el(level, "FRBRthis", value=this)
        el(level, "FRBRuri", value=level_uri)
        el(level, "FRBRdate", date=date.isoformat(), name="generation")
        el(level, "FRBRauthor", href=author)
        if tag == "FRBRWork":
            el(level, "FRBRcountry", value="un")
        if tag == "FRBRExpression":
            el(level, "FRBRlanguage", language="eng")


def _mod(parent: ET.Element, item: Item, eid: str) -> None:
    """The amendment's words: what it does to which paragraph, the texts as ``quotedText``."""
    a, where = item.amendment, f"paragraph {item.label}"
    mod = el(parent, "mod", eId=eid)

    def quote(text: str, suffix: str) -> ET.Element:
        words = re.sub(r"\s+", " ", text).strip()
        return el(mod, "quotedText", words, eId=f"{eid}__qstr_{suffix}", **_QUOTES)

    if a.kind is Kind.INSERT:
        place = "At the start" if item.label == "0" else f"After {where}"
        mod.text = f"{place}, insert the following paragraph: "
        quote(item.new, "new")
    elif a.kind is Kind.DELETE:
        mod.text = f"Delete {where}: "
        quote(item.old, "old")
    else:
        mod.text = f"In {where if item.label else 'the draft'}, replace "
        quote(item.old, "old").tail = " by "
        quote(item.new, "new")


def _amendment(parent: ET.Element, item: Item, draft_uri: str, title: str, d: dt.date) -> None:
    """One ``component`` holding one ``amendment``; its eIds start with ``amd_<id>``, so they
    are unique in the list, and stay the same from one export to the next."""
    a = item.amendment
    key = re.sub(r"[^A-Za-z0-9_-]", "", a.id)
    prefix = f"amd_{key}"
    amendment = el(el(parent, "component", eId=f"cmp_{key}"), "amendment", name=a.id)
    meta = el(amendment, "meta")
    _identification(meta, f"{draft_uri}/amendment/{key}", d, f"#{prefix}__proponent")
    mods = el(el(meta, "analysis", source="#wgtool"), "activeModifications")
    textual = el(mods, "textualMod", type=_MOD_TYPES[a.kind], eId=f"{prefix}__txtmod_1")
    el(textual, "source", href=f"#{prefix}__mod_1")
    target, pos = f"{draft_uri}/!main", "after" if a.kind is Kind.INSERT else None
    if item.label == "0":
        pos = "start"
    elif item.label is not None:
        target += f"#para_{item.label}"
    destination = el(textual, "destination", href=target)
    if pos is not None:
        destination.set("pos", pos)
    refs = el(meta, "references", source="#wgtool")
    el(refs, "TLCPerson", eId=f"{prefix}__proponent",
       href=f"/akn/ontology/person/{a.proposer}", showAs=a.proposer)  # fmt: skip
    el(refs, "TLCOrganization", eId=f"{prefix}__group",
       href=f"/akn/ontology/organization/{a.group}", showAs=item.group_name)  # fmt: skip
    preface = el(amendment, "preface")
    line = el(preface, "p", "Amendment ")
    if a.number is None:
        el(line, "docNumber", a.id).tail = " to "
    else:
        el(line, "docNumber", str(a.number)).tail = f" ({a.id}) to "
    el(line, "affectedDocument", title, href=f"{draft_uri}/!main")
    line = el(preface, "p", "Proposed by ")
    el(line, "docProponent", a.proposer, refersTo=f"#{prefix}__proponent").tail = " ("
    el(line, "organization", item.group_name, refersTo=f"#{prefix}__group").tail = "); status: "
    el(line, "docStatus", a.status.label)
    body = el(amendment, "amendmentBody")
    el(el(body, "amendmentHeading"), "p", a.title)
    _mod(el(el(body, "amendmentContent"), "p"), item, f"{prefix}__mod_1")
    el(el(body, "amendmentJustification"), "p", a.rationale)


def amendment_list(
    *,
    slug: str,
    title: str,
    items: Sequence[Item],
    working_group: str,
    date: dt.date,
) -> str:
    """The amendments to a draft as an Akoma Ntoso ``amendmentList`` (valid against the OASIS
    schema); an empty list is one ``component`` saying so, as the schema needs one."""
    ET.register_namespace("", AKN_NS)
    draft_uri = f"/akn/un/doc/wg/{date.year}/{slug}"
    root = el(None, "akomaNtoso")
    listing = el(root, "amendmentList", name=f"{slug}-amendments")
    meta = el(listing, "meta")
    _identification(meta, f"{draft_uri}/amendments", date)
    refs = el(meta, "references", source="#wgtool")
    el(refs, "TLCOrganization", eId="wg", href="/akn/ontology/organization/wg",
       showAs=working_group)  # fmt: skip
    el(refs, "TLCOrganization", eId="wgtool", href="/akn/ontology/organization/wgtool",
       showAs="wgtool")  # fmt: skip
    el(el(el(listing, "preface"), "p"), "docTitle", f"Amendments to {title}")
    collection = el(listing, "collectionBody")
    for item in items:
        _amendment(collection, item, draft_uri, title, date)
    if not items:
        note = el(el(collection, "component", eId="cmp_none"), "interstitial", eId="none")
        el(note, "p", "No amendments.")
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def items(wg: Desks, amendments: Sequence[Amendment]) -> list[Item]:
    """Each amendment, in paragraph order as a compilation has them, with its texts and the
    label its paragraph has on main now (followed through renumberings since the amendment's
    base; its label there if it is gone)."""
    slug_labels: dict[str, Labels] = {}
    found = []
    for a in in_compilation_order(amendments, lambda a: a):
        if a.draft not in slug_labels:
            slug_labels[a.draft] = wg.drafts.labels_at(wg.record.main(), a.draft)
        now = slug_labels[a.draft]
        label = None if a.kind is Kind.DOCUMENT else (a.label or str(a.paragraph))
        if label is not None:
            position = now.as_of(label, wg.drafts.labels_at(a.base, a.draft).generation)
            label = now.current[position - 1] if position is not None else label
        change = wg.amendments.change(a)
        name = wg.record.settings.groups.get(a.group, a.group)
        found.append(Item(a, change.old, change.new, label, name))
    return found


def document(
    wg: Desks, slug: str, *, version: str | None = None, include_closed: bool = False
) -> str:
    """The open amendments to a draft (all of them: ``include_closed``) as an Akoma Ntoso
    ``amendmentList``, against the current text (there is no ``version`` of amendments)."""
    if version is not None:
        raise InvalidInput(
            "the amendments are listed against the current text",
            remedy=Remedy.NO_VERSION_OF_AMENDMENTS,
        )
    draft = wg.drafts.draft(slug)
    found = [
        a for a in wg.amendments.amendments(draft=slug) if include_closed or a.status.undecided
    ]
    return amendment_list(
        slug=slug,
        title=draft.title,
        items=items(wg, found),
        working_group=wg.record.settings.title,
        date=dt.date.today(),
    )
