"""Documents the secretariat produces: clean text, redline, compilation of amendments (as HTML
from templates, :mod:`wgtool.core.documents.pages`, or as Word documents,
:mod:`wgtool.core.documents.word`), and Akoma Ntoso 3.0 XML.

Member-written text is data here too: HTML output escapes it (Markdown is rendered with raw HTML
disabled), Word documents hold it as runs of text, and XML is built as a tree, so nothing a
member types becomes markup. Nor is any control
character written raw: text already in the record may hold some (from before they were refused,
or written with plain git), and every document shows them as visible ``\x1b``-style escapes.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree import ElementTree as ET

from wgtool.core import agreement, document, languages, statements
from wgtool.core.documents import akn, pages, word
from wgtool.core.documents.papers import (
    AKN_NS,
    Brackets,
    CleanText,
    CompilationPaper,
    CompiledAmendment,
    RedlinePaper,
)
from wgtool.core.documents.redline import attributed_redline
from wgtool.core.errors import InvalidInput, NotFound, Remedy
from wgtool.core.labels import label_of
from wgtool.core.model import Amendment, DocumentFormat
from wgtool.core.safe import visible_controls, xml_text

if TYPE_CHECKING:
    from wgtool.core.desks.parts import Desks
    from wgtool.core.model import Draft

Paper = CleanText | RedlinePaper | CompilationPaper


def bracketed_markdown(text: str, labels: Sequence[str], spans: Brackets) -> str:
    """The draft's Markdown with ``[ ... ]`` around bracketed words; where the draft has
    brackets, the text's own ``[``, ``]`` and ``\\`` are escaped, so the two never mix."""
    if not spans:
        return text
    out, position = [], 0
    for block in document.blocks(text):
        out.append(text[position : block.start])
        if block.heading:
            out.append(agreement.escape_brackets(block.text))
        else:
            label = label_of(labels, block.number or 0)
            out.append(agreement.bracketed_plain(block.text, spans.get(label, [])))
        position = block.end
    out.append(text[position:])
    return "".join(out)


def akoma_ntoso(
    *,
    slug: str,
    title: str,
    text: str,
    version: str | None,
    working_group: str,
    date: dt.date,
    labels: Sequence[str] = (),
    spans: Brackets = None,
    language: str = "en",
    translated_from: str | None = None,
    notes: Sequence[tuple[str | None, str]] = (),
) -> str:
    """The draft as an Akoma Ntoso 3.0 ``doc`` (valid against the OASIS schema); bracketed
    words are ``<inline name="bracketed">`` elements. ``language``: the expression's language;
    ``translated_from``: the authentic language it is a translation of, if it is one; ``notes``
    (a reservation on a label, an explanation of position on the whole text: None) are
    ``<note>`` elements in the meta's ``<notes>``, each pointed at by a ``<noteRef>`` in its
    paragraph (or the preface).

    Long because it writes the document in the schema's order, element by element.
    """
    ET.register_namespace("", AKN_NS)

    def el(
        parent: ET.Element | None, tag: str, text: str | None = None, **attrs: str
    ) -> ET.Element:
        attrs = {name: xml_text(value) for name, value in attrs.items()}
        node = (
            ET.Element(f"{{{AKN_NS}}}{tag}", attrs)
            if parent is None
            else ET.SubElement(parent, f"{{{AKN_NS}}}{tag}", attrs)
        )
        if text is not None:
            node.text = xml_text(text)
        return node

    expression = version or "current"
    work_uri = f"/akn/un/doc/wg/{date.year}/{slug}"
    code = akn_language(language)
    expression_uri = f"{work_uri}/{code}@{expression}"
    root = el(None, "akomaNtoso")
    doc = el(root, "doc", name=slug)
    meta = el(doc, "meta")
    ident = el(meta, "identification", source="#wgtool")
    iso = date.isoformat()
    frbr = [
        ("FRBRWork", work_uri, f"{work_uri}/!main", "#wg"),
        ("FRBRExpression", expression_uri, f"{expression_uri}/!main", "#wg"),
        ("FRBRManifestation", f"{expression_uri}.akn", f"{expression_uri}/!main.xml", "#wgtool"),
    ]
    for tag, uri, this, author in frbr:
        level = el(ident, tag)
        el(level, "FRBRthis", value=this)
        el(level, "FRBRuri", value=uri)
        el(
            level,
            "FRBRdate",
            date=iso,
            name="generation" if tag == "FRBRManifestation" else "draft",
        )
        el(level, "FRBRauthor", href=author)
        if tag == "FRBRWork":
            el(level, "FRBRcountry", value="un")
        if tag == "FRBRExpression":
            el(level, "FRBRlanguage", language=code)
            if translated_from is not None:
                source = f"{work_uri}/{akn_language(translated_from)}@{expression}"
                el(
                    level,
                    "FRBRtranslation",
                    href=source,
                    fromLanguage=akn_language(translated_from),
                    authoritative="false",
                    by="#wg",
                )
    refs = el(meta, "references", source="#wgtool")
    el(
        refs,
        "TLCOrganization",
        eId="wg",
        href="/akn/ontology/organization/wg",
        showAs=working_group,
    )
    el(
        refs,
        "TLCOrganization",
        eId="wgtool",
        href="/akn/ontology/organization/wgtool",
        showAs="wgtool",
    )
    if notes:
        kept = el(meta, "notes", source="#wgtool")
        for number, (_, note) in enumerate(notes, 1):
            el(el(kept, "note", eId=f"note_{number}"), "p", note)

    def refer(line: ET.Element, on: str | None) -> None:
        for number, (label, _) in enumerate(notes, 1):
            if label == on:
                el(line, "noteRef", href=f"#note_{number}", marker=str(number))

    preface = el(doc, "preface")
    heading = el(preface, "p")
    el(heading, "docTitle", title)
    refer(heading, None)
    body = el(doc, "mainBody")
    container: ET.Element = body
    section = 0
    for block in document.blocks(text):
        if block.heading:
            if block.heading_level == 1:
                continue  # the title, already in the preface
            section += 1
            container = el(body, "hcontainer", name="section", eId=f"sec_{section}")
            el(container, "heading", block.heading_text)
            continue
        label = label_of(labels, block.number or 0)
        para = el(container, "paragraph", eId=f"para_{label}")
        el(para, "num", f"{label}.")
        line = el(el(para, "content"), "p")
        last: ET.Element | None = None
        for piece, bracket in agreement.pieces(block.text, (spans or {}).get(label, [])):
            words = xml_text(re.sub(r"\s+", " ", piece))
            if bracket is not None:
                last = el(line, "inline", re.sub(r"\s+", " ", piece), name="bracketed")
            elif last is None:
                line.text = (line.text or "") + words
            else:
                last.tail = (last.tail or "") + words
        refer(line, label)

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# ISO 639-2 codes, as Akoma Ntoso names languages, of the languages working groups use most.
_ISO_639_2 = {
    "en": "eng", "fr": "fra", "es": "spa", "ar": "ara", "zh": "zho", "ru": "rus", "pt": "por",
    "de": "deu", "it": "ita", "ja": "jpn", "ko": "kor", "he": "heb", "fa": "fas", "tr": "tur",
    "hi": "hin", "sw": "swa", "nl": "nld", "pl": "pol", "uk": "ukr", "ur": "urd",
}  # fmt: skip


def akn_language(code: str) -> str:
    """Akoma Ntoso's name of language ``code`` (``fr`` -> ``fra``; ``pt-BR`` -> ``por-BR``)."""
    first, _, rest = code.partition("-")
    return _ISO_639_2.get(first, first) + (f"-{rest}" if rest else "")


FORMATS = tuple(f.value for f in DocumentFormat)


# The paper each HTML or Word format lays out.
_PAPERS = {
    "html": CleanText,
    "docx": CleanText,
    "redline": RedlinePaper,
    "docx-redline": RedlinePaper,
    "compilation": CompilationPaper,
    "docx-compilation": CompilationPaper,
}


def produce(
    wg: Desks,
    slug: str,
    fmt: str,
    *,
    version: str | None = None,
    against: str | None = None,
    include_closed: bool = False,
    clean: bool = False,
    templates: Path | None = None,
    language: str | None = None,
) -> str | bytes:
    """One of the secretariat's documents for a draft: text, or bytes for a Word document
    (the formats whose :attr:`DocumentFormat.binary` is true); ``language``: in that
    translation (see :func:`translated`).

    ``version`` picks a consensus version (default: the current text on main); ``against`` is the
    older version a redline starts from (default: the latest consensus version). The text on
    main shows its brackets, unless ``clean``. ``templates``: a folder of HTML templates that
    win over the shipped ones.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if language is not None:
        return translated(wg, slug, fmt, language, version, against, templates)
    if fmt == "akn-amendments":
        return akn.document(wg, slug, version=version, include_closed=include_closed)
    draft = wg.drafts.draft(slug, version)
    spans = None if clean else wg.agreement.bracket_spans(slug, version)
    notes = version_notes(wg, slug, version, draft.labels)
    if fmt == "markdown":
        return visible_controls(bracketed_markdown(draft.text, draft.labels, spans))
    if fmt == "akn":
        return draft_akn(wg, draft, version, spans=spans, notes=notes)
    kind = _PAPERS[fmt]
    paper: Paper
    if kind is CleanText:
        paper = CleanText(draft.title, draft.text, version, draft.labels, spans, notes=notes)
    elif kind is RedlinePaper:
        paper = redline_paper(wg, draft, version, against)
    else:
        paper = compilation_paper(wg, draft, version, include_closed)
    if DocumentFormat(fmt).binary:
        return word.render(paper)
    return pages.page(paper, templates)


def translated(
    wg: Desks,
    slug: str,
    fmt: str,
    language: str,
    version: str | None,
    against: str | None,
    templates: Path | None,
) -> str | bytes:
    """A document of draft ``slug`` in its translation into ``language``: the text (each
    unit not translated in the authentic words, stale ones marked), or its redline; the
    chair's brackets, on the authentic text, are not in it."""
    language = languages.language_code(language)
    if fmt in ("compilation", "docx-compilation", "akn-amendments"):
        raise InvalidInput(f"a {fmt} is in the authentic language only")
    aligned = wg.translations.aligned(slug, language, version)
    if fmt == "markdown":  # as a translator reads and writes it: each unit marked
        blocks = [
            f"<!-- {r.unit.key}{' stale' if r.stale else ''} -->\n{r.text or r.unit.text}"
            for r in aligned.rows
        ]
        return visible_controls("\n\n".join(blocks) + "\n")
    draft = wg.translations.translated_draft(slug, language, version)
    if fmt == "akn":
        authentic = wg.translations.authentic(slug)
        return draft_akn(wg, draft, version, language=language, translated_from=authentic)
    paper: Paper
    if _PAPERS[fmt] is CleanText:
        stale = frozenset(aligned.stale)
        paper = CleanText(draft.title, draft.text, version, draft.labels, None, language, stale)
    else:
        against = against or latest_other_version(wg, slug, version)
        changes = wg.translations.redline(slug, language, against, version)
        name = version or "current text"
        groups = wg.record.settings.groups
        paper = RedlinePaper(draft.title, against, name, changes, groups, language=language)
    if DocumentFormat(fmt).binary:
        return word.render(paper)
    return pages.page(paper, templates)


def draft_akn(wg: Desks, draft: Draft, version: str | None, **extra: Any) -> str:
    """The Akoma Ntoso document of ``draft`` (``extra``: brackets, language)."""
    return akoma_ntoso(
        slug=draft.slug,
        title=draft.title,
        text=draft.text,
        version=version,
        working_group=wg.record.settings.title,
        date=dt.date.today(),
        labels=draft.labels,
        **extra,
    )


def latest_other_version(wg: Desks, slug: str, version: str | None) -> str:
    """The version a redline of ``version`` starts from when none is given: the latest other."""
    versions = [v.name for v in wg.drafts.versions(slug) if v.name != version]
    if not versions:
        raise NotFound(
            f"{slug} has no earlier consensus version", remedy=Remedy.GIVE_EARLIER_VERSION
        )
    return versions[-1]


def redline_paper(
    wg: Desks, draft: Draft, version: str | None, against: str | None
) -> RedlinePaper:
    """The changes to ``draft`` since ``against`` (default: its latest consensus version)."""
    against = against or latest_other_version(wg, draft.slug, version)
    changes = wg.documents.attributed_redline(draft.slug, against, version)
    groups = wg.record.settings.groups
    return RedlinePaper(draft.title, against, version or "current text", changes, groups)


def compilation_paper(
    wg: Desks, draft: Draft, version: str | None, include_closed: bool
) -> CompilationPaper:
    """The undecided amendments to ``draft`` (all, with ``include_closed``), with the ledger
    of the text on main."""
    found = [
        a
        for a in wg.amendments.amendments(draft=draft.slug)
        if include_closed or a.status.undecided
    ]
    consensus = wg.deliberation.consensus_many(found)
    notes = amendment_notes(wg, found)
    items = []
    for a in found:
        change = wg.amendments.change(a)
        entries = attributed_redline(change.old, change.new, None).entries
        blocks = tuple(e for e in entries if e.changed)
        items.append(CompiledAmendment(a, blocks, consensus[a.id], notes.get(a.id, ())))
    ledger = wg.agreement.ledger(draft.slug) if version is None else []
    groups = wg.record.settings.groups
    said = [
        f"{s.version}: {statements.note_text(s, groups.get(s.event.group, s.event.group))}"
        for s in wg.reservations.statements(draft.slug, version=version)
        if s.active
    ]
    return CompilationPaper(draft.title, items, groups, ledger, statements=said)


def version_notes(
    wg: Desks, slug: str, version: str | None, labels: Sequence[str]
) -> list[tuple[str | None, str]]:
    """A version's notes: the reservations standing on it (on their paragraph's label), then
    the explanations of position (on the whole text). The current text has none."""
    if version is None:
        return []
    groups = wg.record.settings.groups
    said = wg.reservations.statements(slug, version=version)
    found = statements.notes_for(said, version, labels)
    return [
        (
            s.event.paragraph if s.kind == statements.RESERVATION else None,
            statements.note_text(s, groups.get(s.event.group, s.event.group)),
        )
        for s in found
    ]


def amendment_notes(wg: Desks, amendments: Sequence[Amendment]) -> dict[str, list[str]]:
    """What a compilation says of each amendment beyond its text: the alternatives it is one
    of, and its co-sponsors with the stakeholder groups they come from."""
    notes: dict[str, list[str]] = {}
    by_id = {a.id: a for a in amendments}
    for amendment in amendments:
        lines = notes.setdefault(amendment.id, [])
        parent = by_id.get(amendment.amends or "")
        if amendment.amends:
            by = f", proposed by {parent.proposer} ({parent.group})" if parent else ""
            lines.append(f"Amends amendment {amendment.amends}{by}")
        subs = [a for a in amendments if a.amends == amendment.id]
        if subs:
            said = ", ".join(f"{a.id} ({a.proposer}, {a.group}: {a.status.label})" for a in subs)
            lines.append(f"Sub-amendments: {said}")
        group = wg.procedure.alternatives(amendment)
        if group:
            number = [a.id for a in group].index(amendment.id) + 1
            others = ", ".join(a.id for a in group if a.id != amendment.id)
            lines.append(f"Alt {number} of {len(group)} for this passage (with {others})")
        sponsors = wg.procedure.cosponsors(amendment)
        if sponsors.members:
            names = ", ".join(f"{m} ({g})" for m, g in sorted(sponsors.members.items()))
            groups = len(set(sponsors.groups) | {amendment.group})
            lines.append(
                f"Co-sponsored by {names}: {groups} stakeholder group(s) with the proposer's"
            )
    return notes
