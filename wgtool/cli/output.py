"""What the commands write: one-line failures and notices, safe text, JSON, redlines."""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, NoReturn

import click

from wgtool import api
from wgtool.api import (
    HIDDEN_CHARACTERS,
    BracketsRemain,
    NoConsensus,
    Remedy,
    Status,
    WgError,
    terminal_safe,
    validate,
)

if TYPE_CHECKING:
    from wgtool.api import Amendment, Consensus, DiffOp, Thread


def fail(message: str, code: int = 1) -> NoReturn:
    click.echo(f"wgtool: {terminal_safe(message)}", err=True)
    sys.exit(code)


# Each remedy of the core in the command line's words: ``{message}`` is the core's first line,
# the other names the error's fields (``subject``, and a conflict's ``amendment``...).
REMEDIES: dict[Remedy, str] = {
    Remedy.LIST_DRAFTS: "{message}: see 'wgtool draft list'",
    Remedy.LIST_AMENDMENTS: "{message}: see 'wgtool amendments'",
    Remedy.LIST_MEMBERS: "{message}: see 'wgtool member list'",
    Remedy.LIST_VERSIONS: "{message}: see 'wgtool versions {subject}'",
    Remedy.LIST_BRACKETS: "{message}: see 'wgtool brackets'",
    Remedy.LIST_SILENCES: "{message}: see 'wgtool silences'",
    Remedy.CREATE_GROUP: "{message}: run 'wgtool init PATH'",
    Remedy.CHOOSE_REPOSITORY: "{message}: give --repo PATH or run 'wgtool init PATH'",
    Remedy.CHOOSE_MEMBER: "{message} give --as HANDLE or set WGTOOL_MEMBER "
    "(or set git's user.email to a roster member's email)",
    Remedy.ADD_SSH_KEY: "{message}: the secretariat adds it with 'wgtool member key'",
    Remedy.FOUNDER_SECRETARIAT: "{message}: add --role secretariat",
    Remedy.GIVE_PARAGRAPH: "{message}: --paragraph, --insert-after or --delete N",
    Remedy.GIVE_PARAGRAPH_TEXT: "{message} with --text or --text-file",
    Remedy.GIVE_DRAFT_TEXT: "{message} with --from-file",
    Remedy.WHOLE_DRAFT_INSTEAD: "{message}, or the whole draft with --from-file",
    Remedy.GIVE_EARLIER_VERSION: "{message}: give --against NAME",
    Remedy.NO_VERSION_OF_AMENDMENTS: "{message}: drop --version",
    Remedy.GIVE_PENDING_ON: "{message} give --pending-on GROUP",
    Remedy.PENDING_ON_NEEDS_AD_REF: "--pending-on goes with --ad-ref",
    Remedy.END_IN_THE_PAST: "--until {subject} is in the past",
    Remedy.CALL_GUARD_CHECK: "{message}: call 'wgtool guard check' from it instead",
    Remedy.RESOLVE_CONFLICT: "{message}: give {those} as {they} should read with "
    "'wgtool merge {amendment} --resolved-file FILE', merge it as orally revised, "
    "or ask for a revision",
    Remedy.OVERRIDE_CONSENSUS: "{message} ({consensus_line}); "
    "merge anyway with --override-consensus --reason TEXT",
    Remedy.REPLAY_MERGES: "Main diverged: to make the changes here again on top of {subject}'s "
    "main, the chair runs 'wgtool sync {subject} --replay-merges'",
}


def error_line(error: WgError) -> str:
    """The first line of a core error, with what to do about it in the command line's words
    (its flags and commands)."""
    first = error.message.splitlines()[0] if error.message else str(error)
    if isinstance(error, BracketsRemain):
        lift = (
            "before concluding the silence"
            if error.concluding
            else "('wgtool unbracket ID'), or tag anyway with --allow-brackets"
        )
        return f"{first}: lift them {lift}"
    if error.remedy is None:
        return first
    fields = {key: value for key, value in vars(error).items() if isinstance(value, str)}
    if isinstance(error, NoConsensus):
        fields["consensus_line"] = consensus_line(error.consensus)
    return REMEDIES[error.remedy].format_map({**fields, "message": first})


def remedy_line(remedy: Remedy, subject: str) -> str:
    """What to do about a problem a report names, in the command line's words."""
    return REMEDIES[remedy].format_map({"subject": subject})


def consensus_line(consensus: Consensus) -> str:
    """One line: the state and which groups support, object or are not heard."""
    return f"{consensus.state.value}: {groups_line(consensus)}"


def groups_line(consensus: Consensus) -> str:
    """Which groups support, object or are not heard (``supporting: a; objecting: none``)."""
    return "; ".join(
        f"{label}: {', '.join(consensus.groups_in(state)) or 'none'}"
        for label, state in (
            ("supporting", api.GroupState.SUPPORT),
            ("objecting", api.GroupState.OBJECT),
            ("not heard", api.GroupState.NOT_HEARD),
        )
    )


def verdict(consensus: Consensus) -> str:
    """The state in words: ``reached``, ``not reached: a group objects``, ``not reached yet``."""
    return {
        api.Verdict.CONSENSUS: "reached",
        api.Verdict.OBJECTION: "not reached: a group objects",
        api.Verdict.PENDING: "not reached yet",
    }[consensus.state]


def consensus_counts(consensus: Consensus) -> str:
    """A compact cell such as ``S2 N1 O0 ?2``: groups supporting, not objecting, objecting and
    not heard."""
    n = consensus.counts()
    return (
        f"S{n[api.GroupState.SUPPORT]} N{n[api.GroupState.NO_OBJECTION]} "
        f"O{n[api.GroupState.OBJECT]} ?{n[api.GroupState.NOT_HEARD]}"
    )


def number(amendment: Amendment) -> str:
    """An amendment's official number in its draft, ``Am. 12`` (``-`` where none was read)."""
    return "-" if amendment.number is None else f"Am. {amendment.number}"


def status_phrase(status: Status) -> str:
    """The status as a sentence states it: the word, and for ``lapsed`` what that means."""
    if status is Status.LAPSED:
        return f"{status.label} (its paragraph is no longer in the draft)"
    return status.label


def notice(message: str) -> None:
    """One line on stderr about something wgtool repaired on its own; the command goes on."""
    click.echo(f"wgtool: {terminal_safe(message, keep_newlines=False)}", err=True)


PLACEHOLDER_WARNINGS = "wgtool.placeholders"
"""Where :func:`warn_placeholder` keeps its warnings, in the root context's ``meta``, for the
command group to print once the command has succeeded."""


def warn_placeholder(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """A click callback: when a member's text reads like a placeholder from an example
    (``--text "..."``), one line on stderr after the command has recorded it as written."""
    found = None if value is None else validate.placeholder(value)
    if found is not None and value is not None:
        where = param.opts[0] if isinstance(param, click.Option) else "the text"
        says = "is" if found == value.strip() else "holds"
        ctx.find_root().meta.setdefault(PLACEHOLDER_WARNINGS, []).append(
            f"warning: {where} {says} {found!r}, which reads like a placeholder from an "
            "example: it was recorded as written"
        )
    return value


def safe(text: str) -> str:
    return terminal_safe(text)


def print_threads(threads: Sequence[Thread], depth: int = 0) -> None:
    """Comments with their replies indented under them: id, member and group, then the text."""
    for t in threads:
        pad = "    " * depth
        c = t.comment
        click.echo(f"{pad}- [{safe(c.id)}] {safe(c.member)} ({safe(c.group)}):")
        for line in safe(c.text).splitlines() or [""]:
            click.echo(f"{pad}    {line}")
        print_threads(t.replies, depth + 1)


# A line break inside a paragraph, with the spaces around it.
_LINE_BREAK_RE = re.compile(r"[ \t]*\n[ \t]*")


def paragraph_line(label: str, body: str) -> str:
    """A paragraph after its label, on one line. A line break inside a paragraph is a space
    to Markdown and is shown as one, so no line of a paragraph's text can pose as the label
    of another paragraph (``\\n    8. ...``)."""
    return f"{label}{_LINE_BREAK_RE.sub(' ', body)}"


def counted(number: int, one: str, many: str | None = None) -> str:
    """``1 amendment``, ``2 amendments`` (``many``: the plural where it is not one + s)."""
    return f"{number} {one if number == 1 else many or one + 's'}"


def color_enabled() -> bool:
    return "NO_COLOR" not in os.environ and sys.stdout.isatty()


_JSON_UNSAFE_RE = re.compile(
    f"[\\x7f-\\x9f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069{HIDDEN_CHARACTERS}]"
)


def emit_json(data: Any) -> None:
    """One JSON document; characters a terminal could act on, and characters that show
    nothing, are written as \\u escapes (the same string to a JSON reader)."""
    text = json.dumps(data, ensure_ascii=False, indent=2)
    click.echo(_JSON_UNSAFE_RE.sub(_json_escape, text))


def _json_escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000  # beyond the first plane: JSON writes a surrogate pair
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


def render_diff(ops: tuple[DiffOp, ...] | list[DiffOp]) -> str:
    """A redline readable without colour ([-deleted-] {+inserted+}), coloured on a terminal."""
    colour = color_enabled()
    parts = []
    for op in ops:
        text = safe(op.text)
        if op.op == "equal":
            parts.append(text)
        elif op.op == "delete":
            parts.append(
                click.style(f"[-{text}-]", fg="red", strikethrough=True)
                if colour
                else f"[-{text}-]"
            )
        else:
            parts.append(
                click.style(f"{{+{text}+}}", fg="green", underline=True)
                if colour
                else f"{{+{text}+}}"
            )
    return "".join(parts)


def read_text_option(text: str | None, text_file: str | None, what: str) -> str | None:
    if text is not None and text_file is not None:
        raise click.UsageError("give either --text or --text-file, not both")
    if text_file is not None:
        return validate.read_text_file(text_file, what)
    return text
