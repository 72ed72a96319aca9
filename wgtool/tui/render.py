"""Rich ``Text`` from the core's data. Member-written text is data: never markup, never escapes.

Every string that a member wrote (drafts, titles, rationales, comments, reasons, handles) reaches
the screen through :func:`safe` or :func:`diff_text`, which build ``Text`` objects (never parsed
as console markup) from :func:`terminal_safe` text (control characters made visible).
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

from rich.style import Style
from rich.text import Text

from wgtool import api
from wgtool.api import (
    BracketsRemain,
    GroupState,
    Member,
    Remedy,
    Role,
    Status,
    Verdict,
    WgError,
    terminal_safe,
)
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import markdown_it
    from markdown_it import MarkdownIt

    from wgtool.api import DiffOp
else:
    markdown_it = lazy_module("markdown_it")  # the screens that paint first show no Markdown

if TYPE_CHECKING:
    # The consensus module only where a consensus is shown (not in the first frame).
    from wgtool.api import Blame, Consensus, inline

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


# Each remedy of the core in the UI's words (its screens, keys and dialogs): ``{message}`` is
# the core's first line, the other names the error's fields.
REMEDIES: dict[Remedy, str] = {
    Remedy.LIST_DRAFTS: "{message}: ctrl+p Drafts lists them",
    Remedy.LIST_AMENDMENTS: "{message}: ctrl+p Amendment queue lists them",
    Remedy.LIST_MEMBERS: "{message}: ctrl+p Roster lists them",
    Remedy.LIST_VERSIONS: "{message}: the versions of {subject} are listed on its screen",
    Remedy.LIST_BRACKETS: "{message}: the draft's margin shows its brackets",
    Remedy.LIST_SILENCES: "{message}: ctrl+p Silence procedures lists them",
    Remedy.CREATE_GROUP: "{message}: open the UI in a working group (wgtool init makes one)",
    Remedy.CHOOSE_REPOSITORY: "{message}: open the UI in a working group's folder",
    Remedy.CHOOSE_MEMBER: "{message} choose who you are (F2 in the demo), or start the UI as a "
    "member of the roster",
    Remedy.ADD_SSH_KEY: "{message}: the secretariat adds it in the roster",
    Remedy.FOUNDER_SECRETARIAT: "{message}: tick the secretariat role",
    Remedy.GIVE_PARAGRAPH: "{message}: choose the paragraph in the draft",
    Remedy.GIVE_PARAGRAPH_TEXT: "{message}: write it in the text box",
    Remedy.GIVE_DRAFT_TEXT: "{message}: write it in the editor",
    Remedy.WHOLE_DRAFT_INSTEAD: "{message}, or amend the whole draft",
    Remedy.GIVE_EARLIER_VERSION: "{message}: choose the version to compare with",
    Remedy.NO_VERSION_OF_AMENDMENTS: "{message}",
    Remedy.GIVE_PENDING_ON: "{message} name them in “Pending on”",
    Remedy.PENDING_ON_NEEDS_AD_REF: "{message}: agree it ad referendum",
    Remedy.END_IN_THE_PAST: "the end of the window, {subject}, is in the past: choose a later one",
    Remedy.CALL_GUARD_CHECK: "{message}",
    Remedy.REPLAY_MERGES: "Main diverged: the chair can make the changes here again on top of "
    "{subject}'s main, with a sync from the command line that replays the merges",
    Remedy.RESOLVE_CONFLICT: "{message}: give {those} as {they} should read in the merge "
    "screen, merge it as orally revised, or ask for a revision",
    Remedy.OVERRIDE_CONSENSUS: "{message} ({consensus}): the chair may merge anyway, "
    "giving a reason",
}


def error_words(error: WgError) -> str:
    """A core error's first line in the UI's own words: what to do is said with the UI's keys,
    screens and checkboxes, never the command line's flags."""
    first = error.message.splitlines()[0] if error.message else str(error)
    if isinstance(error, BracketsRemain):
        lift = "lift them in the draft (ctrl+p: Lift the bracket)"
        if error.concluding:
            return f"{first}: {lift} first"
        return f"{first}: {lift}, or tick “Tag although brackets remain” to tag anyway"
    if error.remedy is None:
        return first
    fields = {key: value for key, value in vars(error).items() if isinstance(value, str)}
    if isinstance(error, api.NoConsensus):
        fields["consensus"] = f"{error.consensus.state.value}: {groups_line(error.consensus)}"
    return REMEDIES[error.remedy].format_map({**fields, "message": first})


def remedy_words(remedy: Remedy, subject: str) -> str:
    """What to do about a problem a report names, in the UI's words."""
    return REMEDIES[remedy].format_map({"subject": subject})


VERDICT_WORDS = {
    Verdict.CONSENSUS: "reached",
    Verdict.OBJECTION: "not reached: a group objects",
    Verdict.PENDING: "not reached yet",
}
"""A consensus's state in words, for a heading."""


def verdict_words(consensus: Consensus) -> str:
    """The state in words: ``reached``, ``not reached: a group objects``..."""
    return VERDICT_WORDS[consensus.state]


GROUP_STATES = (
    ("supporting", GroupState.SUPPORT),
    ("objecting", GroupState.OBJECT),
    ("not heard", GroupState.NOT_HEARD),
)
"""The group states a line about a consensus names, with their words."""


def groups_line(consensus: Consensus) -> str:
    """Which groups support, object or are not heard (``supporting: a; objecting: none``)."""
    return "; ".join(
        f"{label}: {', '.join(consensus.groups_in(state)) or 'none'}"
        for label, state in GROUP_STATES
    )


def consensus_counts(consensus: Consensus) -> str:
    """``S2 N1 O0 ?2``: how many groups support, do not object, object and are not heard."""
    n = consensus.counts()
    return (
        f"S{n[GroupState.SUPPORT]} N{n[GroupState.NO_OBJECTION]} "
        f"O{n[GroupState.OBJECT]} ?{n[GroupState.NOT_HEARD]}"
    )


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


def styled_diff_text(
    ops: Sequence[DiffOp],
    *,
    delete_style: str | Style = "strike",
    insert_style: str | Style = "underline",
    marker_style: str | Style = "dim",
) -> Text:
    """A word diff as :func:`diff_text` shows it, its inline Markdown as it reads: emphasis in
    italics, strong emphasis in bold, code reversed, the Markdown's own marks left out
    (:func:`wgtool.core.inline.styled_diff`)."""
    result = Text()
    pieces = api.inline.styled_diff(ops)  # the text engine, imported by the first diff
    for index, piece in enumerate(pieces):
        opens = index == 0 or pieces[index - 1].op != piece.op
        closes = index == len(pieces) - 1 or pieces[index + 1].op != piece.op
        style: str | Style = ""
        if piece.op != "equal":
            style = delete_style if piece.op == "delete" else insert_style
        markers = ("[-", "-]") if piece.op == "delete" else ("{+", "+}")
        if opens and piece.op != "equal":
            result.append(markers[0], marker_style)
        start = len(result)
        result.append(terminal_safe(piece.text), style)
        result.stylize(_look_style(piece.look), start, len(result))
        if closes and piece.op != "equal":
            result.append(markers[1], marker_style)
    return result


# Who wrote the words: one colour per stakeholder group, in the order of the group's settings
# (readable on dark and light themes); the base text in the text's own colour.
GROUP_COLOURS = ("#5fafff", "#ff8700", "#5fd75f", "#d787ff", "#ff5f87", "#00c0c0", "#d7af00")
NOT_A_GROUP_STYLE = "italic"
"""Words of a secretariat edit, a revert, or a commit the rulebook does not accept."""

AuthorRun = tuple[int, int, str]
"""``(start, end, style)``: characters of a text and the style of whoever wrote them."""


@dataclass(frozen=True)
class Authors:
    """Who wrote a text, as the reader colours it: each row of a blame by group with its
    style, and the text as runs of one writer's style. Made in a worker (:meth:`of`)."""

    blame: Blame
    styles: dict[str, str]
    runs: list[AuthorRun]

    @classmethod
    def of(cls, blame: Blame) -> Authors:
        """Each group its colour (every group of the settings, then any other found), the
        base text none, other writers (secretariat edits, reverts) italic."""
        found = [row.key for row in blame.shares]
        groups = list(blame.groups) + [k for k in found if k not in blame.groups and is_group(k)]
        styles = {key: GROUP_COLOURS[i % len(GROUP_COLOURS)] for i, key in enumerate(groups)}
        styles.update({key: NOT_A_GROUP_STYLE for key in found if not is_group(key)})
        styles["base"] = ""
        runs: list[AuthorRun] = []
        position = 0
        for text, key in blame.spans():
            runs.append((position, position + len(text), styles.get(key, "")))
            position += len(text)
        return cls(blame, styles, runs)

    def legend(self, *, colour: bool = True) -> Text:
        """Each group with its colour and its share of the words; then the base text and any
        other writer (secretariat edits, reverts) with theirs."""
        shares = {row.key: row for row in self.blame.shares}
        legend = Text("Who wrote it, by group: ", "bold")
        for key, style in self.styles.items():
            row = shares.get(key)
            if row is None and not is_group(key):
                continue
            share = row.share if row is not None else 0.0
            label = row.label if row is not None else self.blame.groups.get(key, key)
            legend.append("■ " if style else "□ ", style or "dim")
            legend.append_text(safe(label, style, one_line=True))
            legend.append(f" {share:.1f}%  ")
        if not colour:
            legend.append("(colours are off: NO_COLOR)", "dim")
        legend.rstrip()
        return legend


def is_group(key: str) -> bool:
    """Whether a blame row is a stakeholder group's (not the base text, an edit, a revert)."""
    return key not in api.OTHER_KEYS


def authored_markdown(source: str, runs: Sequence[AuthorRun]) -> Text:
    """One paragraph's inline Markdown as ``Text`` (emphasis, strong and code styled), each
    character in the style of whoever wrote it: ``runs`` are offsets in ``source``."""
    result = Text()
    for piece in api.inline.layout(source):
        look = _look_style(piece.look)
        if not piece.literal:
            style = next((s for start, end, s in runs if start <= piece.at < end), "")
            result.append(terminal_safe(piece.text), f"{look} {style}".strip())
            continue
        end_of_piece = piece.at + piece.span
        for start, end, style in runs:
            low, high = max(start, piece.at), min(end, end_of_piece)
            if high > low:
                chunk = piece.text[low - piece.at : high - piece.at]
                result.append(terminal_safe(chunk), f"{look} {style}".strip())
    return result


def _look_style(look: inline.Look) -> str:
    return " ".join(
        name
        for name, on in (("bold", look.bold), ("italic", look.italic), ("reverse", look.code))
        if on
    )


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
    # commonmark without raw HTML: a member's <b> stays the four characters it is.
    return markdown_it.MarkdownIt("commonmark", {"html": False, "linkify": False})


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
        elif kind == "softbreak":  # a line break inside a paragraph: a space, as Markdown reads it
            result.append(" ", " ".join(stack))
        elif kind == "hardbreak":
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
