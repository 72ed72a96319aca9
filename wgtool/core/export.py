"""Documents the secretariat produces: clean text, redline, compilation of amendments, and
Akoma Ntoso 3.0 XML.

Member-written text is data here too: HTML output escapes it (Markdown is rendered with raw HTML
disabled) and XML is built as a tree, so nothing a member types becomes markup. Nor is any control
character written raw: text already in the record may hold some (from before they were refused,
or written with plain git), and every document shows them as visible ``\x1b``-style escapes.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from wgtool.core import agreement, document
from wgtool.core.errors import InvalidInput, NotFound
from wgtool.core.model import Amendment, Consensus, DocumentFormat, Status
from wgtool.core.safe import visible_controls
from wgtool.core.text import DiffOp

if TYPE_CHECKING:
    from wgtool.core.agreement import ParagraphState
    from wgtool.core.redline import AttributedRedline
    from wgtool.core.workgroup import WorkingGroup

Brackets = Mapping[str, Sequence[agreement.Span]] | None

AKN_NS = "http://docs.oasis-open.org/legaldocml/ns/akn/3.0"
# What XML 1.0 cannot hold at all, beyond the control characters: surrogates, U+FFFE and U+FFFF.
_NOT_XML_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")

_STYLE = """
body { font-family: Georgia, serif; max-width: 46em; margin: 2em auto; line-height: 1.45; }
.num { font-weight: bold; margin-right: .5em; }
del { color: #a00; text-decoration: line-through; }
ins { color: #060; text-decoration: underline; }
.amendment { border-top: 1px solid #ccc; padding-top: .6em; margin-top: 1em; }
.meta { color: #555; font-size: .9em; }
.by { color: #555; font-size: .85em; margin: -.6em 0 0 2em; }
.para.unchanged { color: #333; }
"""


def _page(title: str, body: str) -> str:
    page = (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{_STYLE}</style>\n</head>\n<body>\n"
        f"{body}</body>\n</html>\n"
    )
    return visible_controls(page)


def xml_text(text: str) -> str:
    """Text that XML 1.0 can hold: controls made visible, what it forbids outright replaced."""
    return _NOT_XML_RE.sub("\ufffd", visible_controls(text))


def _numbered_html(text: str, labels: Sequence[str] = (), spans: Brackets = None) -> str:
    """The draft as HTML with its paragraph labels, raw HTML in the text escaped; brackets
    (``spans`` by label) are elements of their own, never the text's own ``[``."""
    parts = []
    for block in document.blocks(text):
        if block.heading:
            level = min(block.heading_level, 6)
            parts.append(f"<h{level}>{html.escape(block.heading_text)}</h{level}>\n")
            continue
        label = _label(labels, block.number or 0)
        marked = agreement.with_marks(block.text, (spans or {}).get(label, []))
        rendered = document.to_html(marked).strip()
        if rendered.startswith("<p>"):
            rendered = rendered[3:]
        if rendered.endswith("</p>"):
            rendered = rendered[:-4]
        rendered = rendered.replace(agreement.OPEN_MARK, '<span class="bracket">[</span>')
        rendered = rendered.replace(agreement.CLOSE_MARK, '<span class="bracket">]</span>')
        parts.append(
            f'<p id="para-{html.escape(label)}"><span class="num">{html.escape(label)}.</span>'
            f"{rendered}</p>\n"
        )
    return "".join(parts)


def _label(labels: Sequence[str], number: int) -> str:
    return labels[number - 1] if 0 < number <= len(labels) else str(number)


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
            label = _label(labels, block.number or 0)
            out.append(agreement.bracketed_plain(block.text, spans.get(label, [])))
        position = block.end
    out.append(text[position:])
    return "".join(out)


def clean_html(
    title: str,
    text: str,
    version: str | None,
    labels: Sequence[str] = (),
    spans: Brackets = None,
) -> str:
    heading = f'<p class="meta">Version: {html.escape(version or "current text")}</p>\n'
    if spans:
        count = sum(len(s) for s in spans.values())
        heading += f'<p class="meta">{count} passage(s) in square brackets are not agreed.</p>\n'
    return _page(title, heading + _numbered_html(text, labels, spans))


def diff_html(ops: tuple[DiffOp, ...] | list[DiffOp]) -> str:
    out = []
    for op in ops:
        text = html.escape(op.text).replace("\n\n", "<br><br>\n")
        if op.op == "equal":
            out.append(text)
        elif op.op == "delete":
            out.append(f"<del>{text}</del>")
        else:
            out.append(f"<ins>{text}</ins>")
    return "".join(out)


def redline_html(
    title: str,
    old_name: str,
    new_name: str,
    redline: AttributedRedline,
    groups: Mapping[str, str],
) -> str:
    """The redline with the draft's structure: headings, numbered paragraphs (one block each),
    and under each changed one who changed it. Every text is escaped, never rendered."""
    parts = [
        f'<p class="meta">Changes from {html.escape(old_name)} to '
        f"{html.escape(new_name)}: deletions struck through, insertions underlined.</p>\n"
    ]
    for entry in redline.entries:
        body = diff_html(entry.ops)
        if entry.heading:
            level = min(max(entry.level, 1), 6)
            parts.append(f"<h{level}>{body}</h{level}>\n")
            continue
        state = "changed" if entry.changed else "unchanged"
        anchor = f' id="para-{entry.new_number}"' if entry.new_number is not None else ""
        parts.append(
            f'<div class="para {state}"{anchor}><p><span class="num">'
            f"{html.escape(entry.label)}.</span> {body}</p>\n"
        )
        if entry.changed and entry.by:
            names = "; ".join(html.escape(s.describe(groups)) for s in entry.by)
            parts.append(f'<p class="by">Changed by {names}</p>\n')
        parts.append("</div>\n")
    return _page(f"{title} — redline", "".join(parts))


def ledger_html(ledger: Sequence[ParagraphState]) -> str:
    """The paragraph ledger as a table: status, who it is pending on, brackets, amendments."""
    rows = [
        "<h2>Paragraph status</h2>\n<table>\n<tr><th>¶</th><th>Status</th><th>Pending on</th>"
        "<th>Brackets</th><th>Open amendments</th></tr>\n"
    ]
    for p in ledger:
        status = "open (changed since agreed)" if p.changed else p.status
        rows.append(
            f"<tr><td>{html.escape(p.label)}</td><td>{html.escape(status)}</td>"
            f"<td>{html.escape(', '.join(p.pending_on))}</td><td>{len(p.brackets) or ''}</td>"
            f"<td>{html.escape(', '.join(p.open_amendments))}</td></tr>\n"
        )
    return "".join(rows) + "</table>\n"


def compilation_html(
    title: str,
    amendments: list[tuple[Amendment, tuple[DiffOp, ...], Consensus]],
    groups: dict[str, str],
    ledger: Sequence[ParagraphState] = (),
    notes: Mapping[str, Sequence[str]] | None = None,
) -> str:
    """All amendments to a draft in paragraph order, as a compilation for a reading; with the
    paragraph ledger, and ``notes`` per amendment (alternatives, co-sponsors)."""
    parts = [
        f'<h1>{html.escape(title)}</h1>\n<p class="meta">Compilation of '
        f"{len(amendments)} amendment(s)</p>\n"
    ]
    if ledger:
        parts.append(ledger_html(ledger))
    for amendment, diff, consensus in sorted(
        amendments, key=lambda item: (item[0].paragraph or 0, item[0].created_at, item[0].id)
    ):
        where = amendment.place[:1].upper() + amendment.place[1:]
        parts.append(
            '<div class="amendment">\n'
            f"<h2>{html.escape(where)} — amendment {html.escape(amendment.id)}</h2>\n"
            f'<p class="meta">Proposed by {html.escape(amendment.proposer)} '
            f"({html.escape(groups.get(amendment.group, amendment.group))}); status: "
            f"{html.escape(status_line(amendment))}; consensus: {html.escape(consensus.state)} "
            f"({html.escape(consensus.summary())})</p>\n"
            f"<p><strong>{html.escape(amendment.title)}</strong></p>\n"
            f"<p>{diff_html(diff)}</p>\n"
            f'<p class="meta">Rationale: {html.escape(amendment.rationale)}</p>\n'
            + "".join(
                f'<p class="meta">{html.escape(note)}</p>\n'
                for note in (notes or {}).get(amendment.id, ())
            )
            + "</div>\n"
        )
    return _page(f"{title} — compilation", "".join(parts))


def status_line(amendment: Amendment) -> str:
    """The status as a compilation states it: how a merge was adopted, why it lapsed."""
    status = amendment.status
    if status is Status.LAPSED:
        return status.phrase
    line: str = status.label
    if amendment.merged_by:
        line += f" by {amendment.merged_by}"
    if amendment.adoption is not None and amendment.adoption.consensus != "unrecorded":
        line += f", {amendment.adoption.describe()}"
    if amendment.reverted_by:
        line += f"; reverted by {amendment.reverted_by}"
    if amendment.decided_reason:
        line += f": {amendment.decided_reason}"
    return line


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
) -> str:
    """The draft as an Akoma Ntoso 3.0 ``doc`` (valid against the OASIS schema); bracketed
    words are ``<inline name="bracketed">`` elements.

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
    expression_uri = f"{work_uri}/eng@{expression}"
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
            el(level, "FRBRlanguage", language="eng")
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
    preface = el(doc, "preface")
    el(el(preface, "p"), "docTitle", title)
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
        label = _label(labels, block.number or 0)
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

    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


FORMATS = tuple(f.value for f in DocumentFormat)


def produce(
    wg: WorkingGroup,
    slug: str,
    fmt: str,
    *,
    version: str | None = None,
    against: str | None = None,
    include_closed: bool = False,
    clean: bool = False,
) -> str:
    """One of the secretariat's documents for a draft, as text.

    ``version`` picks a consensus version (default: the current text on main); ``against`` is the
    older version a redline starts from (default: the latest consensus version). The text on
    main shows its brackets, unless ``clean``.
    """
    if fmt not in FORMATS:
        raise InvalidInput(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
    if fmt == "akn-amendments":
        from wgtool.core import akn

        return akn.document(wg, slug, version=version, include_closed=include_closed)
    draft = wg.draft(slug, version)
    spans = None if clean else wg.bracket_spans(slug, version)
    if fmt == "markdown":
        return visible_controls(bracketed_markdown(draft.text, draft.labels, spans))
    if fmt == "html":
        return clean_html(draft.title, draft.text, version, draft.labels, spans)
    if fmt == "akn":
        return akoma_ntoso(
            slug=slug,
            title=draft.title,
            text=draft.text,
            version=version,
            working_group=wg.settings.title,
            date=dt.date.today(),
            labels=draft.labels,
            spans=spans,
        )
    if fmt == "redline":
        if against is None:
            versions = [v.name for v in wg.versions(slug) if v.name != version]
            if not versions:
                raise NotFound(f"{slug} has no earlier consensus version: give --against NAME")
            against = versions[-1]
        changes = wg.attributed_redline(slug, against, version)
        return redline_html(
            draft.title, against, version or "current text", changes, wg.settings.groups
        )
    found = [a for a in wg.amendments(draft=slug) if include_closed or a.status.undecided]
    consensus = wg.consensus_many(found)
    items = [(a, wg.change(a).diff, consensus[a.id]) for a in found]
    ledger = wg.ledger(slug) if version is None else []
    return compilation_html(
        draft.title, items, wg.settings.groups, ledger, amendment_notes(wg, found)
    )


def amendment_notes(wg: WorkingGroup, amendments: Sequence[Amendment]) -> dict[str, list[str]]:
    """What a compilation says of each amendment beyond its text: the alternatives it is one
    of, and its co-sponsors with the stakeholder groups they come from."""
    notes: dict[str, list[str]] = {}
    for amendment in amendments:
        lines = notes.setdefault(amendment.id, [])
        group = wg.alternatives(amendment)
        if group:
            number = [a.id for a in group].index(amendment.id) + 1
            others = ", ".join(a.id for a in group if a.id != amendment.id)
            lines.append(f"Alt {number} of {len(group)} for this passage (with {others})")
        sponsors = wg.cosponsors(amendment)
        if sponsors.members:
            names = ", ".join(f"{m} ({g})" for m, g in sorted(sponsors.members.items()))
            groups = len(set(sponsors.groups) | {amendment.group})
            lines.append(
                f"Co-sponsored by {names}: {groups} stakeholder group(s) with the proposer's"
            )
    return notes
