"""The chair's text as a document: Markdown, or through the clean text's HTML template and
Word layout (:class:`~wgtool.core.documents.papers.CleanText` with notes)."""

from __future__ import annotations

from pathlib import Path

from wgtool.core.consideration import ChairConflict, ChairText
from wgtool.core.documents import pages, word
from wgtool.core.documents.papers import CleanText
from wgtool.core.safe import visible_controls

TITLE = "Chair's text"


def notes(paper: ChairText) -> list[str]:
    """What the chair's text says before its text: what it holds and what it could not."""
    taken = ", ".join(a.official for a in paper.taken) or "none"
    lines = [
        f"The text of {paper.slug} at main {paper.main[:12]} with these open amendments, "
        f"applied in the order of consideration: {taken}. Nothing is recorded."
    ]
    lines += [conflict_note(c) for c in paper.conflicts]
    return lines


def conflict_note(conflict: ChairConflict) -> str:
    return (
        f"CONFLICT in {conflict.where}: {conflict.amendment.official} is not applied. "
        f"The text with the amendments before it reads: «{' '.join(conflict.text.split())}» "
        f"— {conflict.amendment.official} would make it: "
        f"«{' '.join(conflict.proposed.split())}»"
    )


def render(paper: ChairText, fmt: str, templates: Path | None = None) -> str | bytes:
    """The chair's text as ``fmt`` (markdown, html or docx: bytes)."""
    if fmt == "markdown":
        return visible_controls(markdown(paper))
    clean = CleanText(
        f"{TITLE} — {paper.title}", paper.text, TITLE, paper.labels, preface=notes(paper)
    )
    return word.render(clean) if fmt == "docx" else pages.page(clean, templates)


def markdown(paper: ChairText) -> str:
    """The chair's text in Markdown: a title, what it holds, each conflict as a quoted block
    with both texts, then the text."""
    out = [f"# {TITLE}: {paper.title}", "", notes(paper)[0], ""]
    for conflict in paper.conflicts:
        out += [
            f"> **CONFLICT** in {conflict.where}: {conflict.amendment.official} is not applied.",
            ">",
            "> The text with the amendments before it:",
            ">",
            *(f"> {line}" for line in conflict.text.strip().splitlines()),
            ">",
            f"> {conflict.amendment.official} would make it:",
            ">",
            *(f"> {line}" for line in conflict.proposed.strip().splitlines()),
            "",
        ]
    out.append(paper.text)
    return "\n".join(out).rstrip("\n") + "\n"
