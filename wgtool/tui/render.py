"""Rich ``Text`` from the core's data. Member-written text is data: never markup, never escapes.

Every string that a member wrote (drafts, titles, rationales, comments, reasons, handles) reaches
the screen through :func:`safe` or :func:`diff_text`, which build ``Text`` objects (never parsed
as console markup) from :func:`terminal_safe` text (control characters made visible).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from functools import cache
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from wgtool.core.model import Member, Role, Status
from wgtool.core.safe import terminal_safe

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

    from wgtool.core.text import DiffOp

ELLIPSIS = "…"
PARAGRAPH_BREAK = "\n\n"


def safe(text: str, style: str | Style = "", *, one_line: bool = False) -> Text:
    """Member-written text as literal ``Text``: markup-like brackets stay brackets."""
    return Text(terminal_safe(text, keep_newlines=not one_line), style=style)


STATUS_STYLES = {
    Status.OPEN: "bold",
    Status.LAPSED: "italic yellow",
    Status.MERGED: "green",
    Status.REVERTED: "italic magenta",
    Status.REJECTED: "red",
    Status.WITHDRAWN: "dim",
}


def status_text(status: Status) -> Text:
    """An amendment's status as a word (never by colour alone), styled."""
    return Text(status.value, STATUS_STYLES.get(status, ""))


def clip(text: str, limit: int) -> str:
    """One line of at most ``limit`` characters, for tables and option lists."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + ELLIPSIS


def when(timestamp: float) -> str:
    """A moment as local date and time, to the minute."""
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(timestamp))


def roles_label(member: Member) -> str:
    """The roles that matter (``chair``, ``secretariat``) or ``member``."""
    special = [r.value for r in member.roles if r is not Role.MEMBER]
    return ", ".join(special) or Role.MEMBER.value


def member_label(member: Member) -> str:
    """``Name (handle) · group · roles``, for the header and the member picker."""
    return f"{member.name} ({member.handle}) · {member.group} · {roles_label(member)}"


def diff_text(
    ops: Sequence[DiffOp],
    *,
    delete_style: str | Style = "strike",
    insert_style: str | Style = "underline",
    marker_style: str | Style = "dim",
    context_only: bool = False,
) -> Text:
    """A word diff as ``Text``: ``[-deleted-]`` struck through, ``{+inserted+}`` highlighted.

    The markers make the diff readable without colour (NO_COLOR, a monochrome terminal, a
    screen reader); the styles make it quick to read with colour.

    Args:
        ops: The diff, as the core's :func:`~wgtool.core.text.word_diff` returns it.
        delete_style: Style of deleted words.
        insert_style: Style of inserted words.
        marker_style: Style of the ``[- -]`` and ``{+ +}`` markers.
        context_only: Keep only the paragraphs that changed; unchanged paragraphs between them
            become a line with an ellipsis.
    """
    result = Text()
    for index, op in enumerate(ops):
        text = terminal_safe(op.text)
        if op.op == "equal":
            if context_only:
                text = _elide(text, first=index == 0, last=index == len(ops) - 1)
            result.append(text)
        elif op.op == "delete":
            result.append("[-", marker_style)
            result.append(text, delete_style)
            result.append("-]", marker_style)
        else:
            result.append("{+", marker_style)
            result.append(text, insert_style)
            result.append("+}", marker_style)
    return result


def _elide(text: str, *, first: bool, last: bool) -> str:
    """Unchanged text around changes, cut down to the paragraphs the changes are in.

    Before the first paragraph break is the end of the changed paragraph before (unless this is
    the start of the text), after the last one the start of the changed paragraph after (unless
    this is the end); whole unchanged paragraphs in between become one ellipsis.
    """
    parts = text.split(PARAGRAPH_BREAK)
    if len(parts) == 1:
        return text
    elided = parts[1:-1] + ([parts[0]] if first else []) + ([parts[-1]] if last else [])
    kept = [] if first else [parts[0]]
    if any(p.strip() for p in elided):
        kept.append(ELLIPSIS)
    if not last:
        kept.append(parts[-1])
    return PARAGRAPH_BREAK.join(kept)


def redline_plain(ops: Iterable[DiffOp]) -> str:
    """The same diff as plain text, as the CLI prints it without colour."""
    return diff_text(list(ops)).plain


_INLINE_STYLES = {"em": "italic", "strong": "bold", "s": "strike"}


@cache
def _parser() -> MarkdownIt:
    # Imported on first use: the screens that paint first show no Markdown.
    from markdown_it import MarkdownIt

    # commonmark without raw HTML: a member's <b> stays the four characters it is.
    return MarkdownIt("commonmark", {"html": False, "linkify": False})


def inline_markdown(source: str) -> Text:
    """One Markdown paragraph as ``Text``: emphasis, strong and code styled, nothing else active.

    Raw HTML is disabled in the parser, so ``<b>`` stays literal text; links show their text
    followed by the address.
    """
    tokens = _parser().parseInline(terminal_safe(source))
    result = Text()
    stack: list[str] = []
    link_targets: list[str] = []
    for token in tokens[0].children or () if tokens else ():
        kind = token.type
        if kind == "text":
            result.append(token.content, " ".join(stack))
        elif kind in ("softbreak", "hardbreak"):
            result.append("\n")
        elif kind == "code_inline":
            result.append(token.content, "reverse")
        elif kind.endswith("_open") and kind[:-5] in _INLINE_STYLES:
            stack.append(_INLINE_STYLES[kind[:-5]])
        elif kind.endswith("_close") and kind[:-6] in _INLINE_STYLES:
            if stack:
                stack.pop()
        elif kind == "link_open":
            link_targets.append(str(token.attrs.get("href", "")))
            stack.append("underline")
        elif kind == "link_close":
            if stack:
                stack.pop()
            target = link_targets.pop() if link_targets else ""
            if target:
                result.append(f" <{target}>", "dim")
        elif kind == "image":
            result.append(token.content or "[image]")
        else:
            result.append(token.content)
    return result
