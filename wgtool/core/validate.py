"""Checks on everything that comes from outside: names, texts and files.

Names end up in ref names, file paths and git arguments, so they are held to a strict pattern
that rules out path tricks (``../x``) and option look-alikes (``--upload-pack=...``).
"""

from __future__ import annotations

import os
import re
import unicodedata
from pathlib import Path
from typing import TYPE_CHECKING

from wgtool.core import safe
from wgtool.core.errors import InvalidInput
from wgtool.core.safe import FORBIDDEN_CHARACTERS
from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    from wgtool.core import document
else:
    document = lazy_module("wgtool.core.document")  # only whole drafts are counted in paragraphs

MAX_TEXT_BYTES = 1_000_000
# Paragraphs a draft may have: past a few thousand every command that reads the draft slows
# down; a file of a million one-letter paragraphs would jam the working group.
MAX_PARAGRAPHS = 10_000
BYTE_ORDER_MARK = "\ufeff"
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
ID_PREFIX_RE = re.compile(r"^[0-9a-f]{1,40}$")
# Characters that have no place in a member's text (see wgtool.core.safe): they would let one
# member's words act on another's terminal or disguise what an amendment says. A carriage return
# passes only as part of a CRLF line end, which becomes LF.
FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CHARACTERS}]")
# The names control characters are known by (Unicode gives them none).
_C0_NAMES = (
    "NUL SOH STX ETX EOT ENQ ACK BEL BS HT LF VT FF CR SO SI "
    "DLE DC1 DC2 DC3 DC4 NAK SYN ETB CAN EM SUB ESC FS GS RS US"
).split()
_C1_NAMES = (
    "PAD HOP BPH NBH IND NEL SSA ESA HTS HTJ VTS PLD PLU RI SS2 SS3 "
    "DCS PU1 PU2 STS CCH MW SPA EPA SOS SGCI SCI CSI ST OSC PM APC"
).split()


def name(value: str, what: str) -> str:
    """A slug or handle: lowercase letters, digits and dashes, starting with a letter or digit."""
    if not NAME_RE.match(value or ""):
        raise InvalidInput(
            f"invalid {what} {value!r}: use 1-40 lowercase letters, digits and dashes, "
            "starting with a letter or digit"
        )
    return value


def version_name(value: str) -> str:
    if not VERSION_RE.match(value or "") or ".." in value or value.endswith((".", ".lock")):
        raise InvalidInput(
            f"invalid version name {value!r}: use letters, digits, '.', '_' and '-', "
            "starting with a letter or digit"
        )
    return value


# What the README and the commands' help write where a member's own text goes.
PLACEHOLDER_WORDS = frozenset({"T", "R", "M", "TEXT", "REASON", "RATIONALE", "MESSAGE"})
ELLIPSES = ("...", "\u2026")


def placeholder(value: str) -> str | None:
    """What in ``value`` reads like a placeholder copied from an example (``...``, ``TEXT``),
    or None. Such text is still valid (an ellipsis can be meant); the faces warn about it."""
    stripped = value.strip()
    if stripped in PLACEHOLDER_WORDS:
        return stripped
    return next((mark for mark in ELLIPSES if mark in value), None)


CURRENT_TEXT = "main"
"""What redline and concordance call the current text, beside the versions' names."""


def new_version_name(value: str) -> str:
    """A name for a version about to be tagged: :func:`version_name`, and not ``main``, which
    names the current text wherever versions are named."""
    version_name(value)
    if value == CURRENT_TEXT:
        raise InvalidInput(
            f"{CURRENT_TEXT!r} names the current text (as in a redline from v1 to main): "
            "choose another version name"
        )
    return value


def _unicode(value: str, what: str) -> str:
    """Refuse text that cannot be stored as UTF-8 (e.g. undecodable bytes from the command line)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} is not valid Unicode text: check your terminal's encoding"
        ) from None
    return value


def character_name(char: str) -> str:
    """``U+001B (ESC)``, ``U+202E (RIGHT-TO-LEFT OVERRIDE)``: how a refusal names a character."""
    code = ord(char)
    if code < 0x20:
        name = _C0_NAMES[code]
    elif code == 0x7F:
        name = "DEL"
    elif 0x80 <= code <= 0x9F:
        name = _C1_NAMES[code - 0x80]
    else:
        name = unicodedata.name(char, "unnamed")
    return f"U+{code:04X} ({name})"


def _where(value: str, position: int) -> str:
    line = value.count("\n", 0, position) + 1
    column = position - (value.rfind("\n", 0, position) + 1) + 1
    return f"line {line}, column {column}" if "\n" in value else f"position {column}"


def refuse_controls(value: str, what: str) -> None:
    """One line naming the first forbidden character of ``value`` and where it is."""
    value = value.replace("\r\n", "\n")
    match = FORBIDDEN_RE.search(value)
    if match is None:
        return
    raise InvalidInput(
        f"{what} holds the control character {character_name(match.group(0))} at "
        f"{_where(value, match.start())}: "
        "remove it (text may hold newlines and tabs, no other control characters)"
    )


def refuse_hidden(value: str, what: str) -> None:
    """One line naming the first character of ``value`` that shows nothing where it stands
    (see :mod:`wgtool.core.safe` for which those are), where it is and why it may not stay."""
    value = value.replace("\r\n", "\n")
    position = next(safe.hidden(value), None)
    if position is None:
        return
    char = value[position]
    if char in (safe.ZERO_WIDTH_JOINER, safe.ZERO_WIDTH_NON_JOINER):
        why = "a joiner may stand only where it changes how the letters around it join"
    elif char in "\u200e\u200f\u061c":
        why = "a direction mark may stand only in a line with right-to-left letters"
    else:
        why = "it shows nothing, yet makes text that reads the same differ"
    raise InvalidInput(
        f"{what} holds the invisible character {character_name(char)} at "
        f"{_where(value, position)}: remove it ({why})"
    )


def refuse_unsafe(value: str, what: str) -> None:
    """What new member text may not hold: control characters, and characters that show
    nothing where they stand; one line naming the first."""
    refuse_controls(value, what)
    refuse_hidden(value, what)


def one_line(value: str, what: str, *, max_length: int = 200, recorded: bool = False) -> str:
    """A title, a name: one line of text. ``recorded``: read from the record, where only
    control characters are refused (the views show the rest visibly)."""
    value = _unicode(value, what).strip()
    if not value:
        raise InvalidInput(f"{what} is empty: give some text")
    if "\n" in value or "\r" in value:
        raise InvalidInput(f"{what} must be a single line of printable text")
    (refuse_controls if recorded else refuse_unsafe)(value, what)
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    return value


def text(value: str, what: str, *, allow_empty: bool = False) -> str:
    """Free text written by a member: any Unicode text, bounded in size, with LF line ends.

    Control characters (but newline and tab), bidirectional overrides and characters that
    show nothing where they stand are refused.
    """
    value = value.replace("\r\n", "\n")
    if not allow_empty and not value.strip():
        raise InvalidInput(f"{what} is empty: give some text")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise InvalidInput(f"{what} is larger than 1 MB")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} is not valid Unicode text") from None
    refuse_unsafe(value, what)
    return value


def draft_text(value: str, what: str) -> str:
    """A whole draft: free text (:func:`text`) of at most :data:`MAX_PARAGRAPHS` paragraphs."""
    value = text(value, what)
    count = len(document.paragraphs(value))
    if count > MAX_PARAGRAPHS:
        raise InvalidInput(
            f"{what} has {count:,} paragraphs: a draft may have at most {MAX_PARAGRAPHS:,} "
            "(split it into several drafts)"
        )
    return value


def seconds_from_environment(name: str, default: float) -> float:
    """A time limit in seconds from the environment variable ``name`` (``default`` when it is
    unset); one line when it is not a positive number."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < 1e9:
        raise InvalidInput(f"{name} must be a positive number of seconds")
    return seconds


def file_size(p: Path, what: str, limit: int) -> int:
    """The size of the regular file ``p`` (``what`` it is), at most ``limit`` bytes; a one-line
    error otherwise."""
    try:
        size = p.stat().st_size
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {str(p)!r}: {error.strerror or error}") from None
    if not p.is_file():
        raise InvalidInput(f"{what} {str(p)!r} is not a regular file")
    if size > limit:
        megabytes = limit // 1_000_000
        raise InvalidInput(f"{what} {str(p)!r} is larger than {megabytes} MB ({size} bytes)")
    return size


def read_text_file(path: str | Path, what: str = "file") -> str:
    """Read a UTF-8 text file of at most 1 MB, with a one-line error otherwise."""
    p = Path(path)
    file_size(p, what, MAX_TEXT_BYTES)
    try:
        data = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} {str(p)!r} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {str(p)!r}: {error.strerror or error}") from None
    if "\x00" in data:
        raise InvalidInput(f"{what} {str(p)!r} is binary, not text")
    return data.removeprefix(BYTE_ORDER_MARK)  # an editor's mark of the encoding, not text


def email(value: str, *, recorded: bool = False) -> str:
    value = _unicode(value, "email").strip()
    (refuse_controls if recorded else refuse_unsafe)(value, "email")
    if not re.match(r"^[^\s<>@,]+@[^\s<>@,]+$", value):
        raise InvalidInput(f"invalid email {value!r}: expected something like name@example.org")
    return value


def person_name(value: str, *, recorded: bool = False) -> str:
    value = one_line(value, "name", max_length=120, recorded=recorded)
    if "<" in value or ">" in value:
        raise InvalidInput("a name cannot contain '<' or '>'")
    return value
