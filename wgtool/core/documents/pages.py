"""The secretariat's HTML documents, laid out by Jinja2 templates with autoescaping.

The templates ship in ``wgtool/templates`` (``*.html.j2`` and the stylesheet ``wgtool.css``,
with its print rules). A secretariat restyles them without touching code: a folder given as
``templates`` holds its own copies of any of those files, which win over the shipped ones.

Member-written text reaches a template only as data, so autoescaping escapes it. The one piece
of markup made here is a paragraph rendered from Markdown with raw HTML disabled (and links only
to safe schemes, images off); its brackets are private-use marks placed before the rendering
(:func:`wgtool.core.agreement.with_marks`) and turned into elements after it, so the text's own
``[`` never becomes a bracket.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from wgtool.core import agreement, document, inline, languages
from wgtool.core.documents.papers import (
    CONSENSUS_LEGEND,
    CleanText,
    CompilationPaper,
    RedlinePaper,
    consensus_line,
    ledger_status,
    status_line,
)
from wgtool.core.errors import InvalidInput
from wgtool.core.safe import visible_controls
from wgtool.core.text import DiffOp
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import jinja2
    import markupsafe
    from jinja2 import Environment
else:
    # HTML documents only: a command that makes none does not import Jinja2
    jinja2 = lazy_module("jinja2")
    markupsafe = lazy_module("markupsafe")

_OPEN = '<span class="bracket">[</span>'
_CLOSE = '<span class="bracket">]</span>'


@functools.lru_cache(maxsize=8)
def environment(templates: Path | None = None) -> Environment:
    """The template environment: ``templates`` (a folder) first, then the shipped templates."""
    loaders: list[Any] = [jinja2.PackageLoader("wgtool", "templates")]
    if templates is not None:
        if not templates.is_dir():
            raise InvalidInput(f"templates folder {str(templates)!r} is not a folder")
        loaders.insert(0, jinja2.FileSystemLoader(str(templates)))
    env = jinja2.Environment(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    # Text across paragraphs (from a template of a secretariat's own) breaks at blank lines.
    env.filters["breaks"] = lambda text: markupsafe.Markup("<br><br>\n").join(
        markupsafe.escape(part) for part in str(text).split("\n\n")
    )
    env.filters["utc_date"] = _utc_date
    env.globals.update(
        status_line=status_line,
        consensus_line=consensus_line,
        ledger_status=ledger_status,
        diff_runs=diff_runs,
        consensus_legend=CONSENSUS_LEGEND,
    )
    return env


def _utc_date(seconds: int) -> str:
    """A time from the record (seconds since the epoch) as a date and time in UTC."""
    return dt.datetime.fromtimestamp(seconds, dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def diff_runs(ops: Sequence[DiffOp]) -> list[tuple[str, list[inline.Styled]]]:
    """A word diff laid out as its Markdown reads (:func:`wgtool.core.inline.styled_diff`),
    in runs of one op: each run one ``<del>`` or ``<ins>``, however many looks it has."""
    return [(op, list(run)) for op, run in itertools.groupby(inline.styled_diff(ops), _op)]


def _op(piece: inline.Styled) -> str:
    return piece.op


def render(name: str, templates: Path | None = None, **context: object) -> str:
    """Render template ``name``; what it holds shows control characters as visible escapes."""
    try:
        page = environment(templates).get_template(name).render(**context)
    except jinja2.TemplateError as error:
        where = f" in {templates}" if templates is not None else ""
        raise InvalidInput(f"template {name}{where} failed: {error}") from None
    return visible_controls(page, html=True)


def paragraph_html(text: str, spans: Iterable[agreement.Span]) -> str:
    """One paragraph as inline HTML: Markdown rendered with raw HTML escaped, and the chair's
    brackets as ``<span class="bracket">`` elements."""
    rendered = document.inline_html(agreement.with_marks(text, spans)).strip()
    return rendered.replace(agreement.OPEN_MARK, _OPEN).replace(agreement.CLOSE_MARK, _CLOSE)


def clean_blocks(paper: CleanText) -> list[dict[str, object]]:
    """The headings and paragraphs ``clean.html.j2`` lays out, each paragraph's HTML rendered."""
    return [
        {
            "heading": b.heading,
            "level": b.level,
            "text": b.text,
            "label": b.label,
            "html": markupsafe.Markup(paragraph_html(b.text, (paper.spans or {}).get(b.label, []))),
            "stale": not b.heading and b.label in paper.stale,
        }
        for b in paper.blocks()
    ]


def clean_html(paper: CleanText, templates: Path | None = None) -> str:
    return render(
        "clean.html.j2",
        templates,
        page_title=paper.title,
        paper=paper,
        blocks=clean_blocks(paper),
        **_language(paper.language),
    )


def redline_html(paper: RedlinePaper, templates: Path | None = None) -> str:
    return render(
        "redline.html.j2",
        templates,
        page_title=f"{paper.title} — redline",
        paper=paper,
        **_language(paper.language),
    )


def _language(code: str) -> dict[str, object]:
    """What the page's ``<html>`` says of its language: ``lang``, and ``dir="rtl"`` for a
    language written right to left."""
    return {"lang": code, "rtl": languages.is_rtl(code)}


def compilation_html(paper: CompilationPaper, templates: Path | None = None) -> str:
    return render(
        "compilation.html.j2",
        templates,
        page_title=f"{paper.title} — compilation",
        paper=paper,
    )


def page(paper: CleanText | RedlinePaper | CompilationPaper, templates: Path | None = None) -> str:
    """The HTML document for ``paper``."""
    if isinstance(paper, CleanText):
        return clean_html(paper, templates)
    if isinstance(paper, RedlinePaper):
        return redline_html(paper, templates)
    return compilation_html(paper, templates)
