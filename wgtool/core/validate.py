"""Checks on everything that comes from outside: names, texts and files.

Names end up in ref names, file paths and git arguments, so they are held to a strict pattern
that rules out path tricks (``../x``) and option look-alikes (``--upload-pack=...``).
"""

from __future__ import annotations

import re
from pathlib import Path

from wgtool.core.errors import InvalidInput

MAX_TEXT_BYTES = 1_000_000
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")
ID_PREFIX_RE = re.compile(r"^[0-9a-f]{1,40}$")
# Control characters other than newline and tab have no place in a member's text.
CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


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


def _unicode(value: str, what: str) -> str:
    """Refuse text that cannot be stored as UTF-8 (e.g. undecodable bytes from the command line)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(
            f"{what} is not valid Unicode text: check your terminal's encoding"
        ) from None
    return value


def one_line(value: str, what: str, *, max_length: int = 200) -> str:
    value = _unicode(value, what).strip()
    if not value:
        raise InvalidInput(f"{what} is empty: give some text")
    if "\n" in value or CONTROL_RE.search(value):
        raise InvalidInput(f"{what} must be a single line of printable text")
    if len(value) > max_length:
        raise InvalidInput(f"{what} is longer than {max_length} characters")
    return value


def text(value: str, what: str, *, allow_empty: bool = False) -> str:
    """Free text written by a member: any Unicode, bounded in size."""
    if not allow_empty and not value.strip():
        raise InvalidInput(f"{what} is empty: give some text")
    if len(value.encode("utf-8", "surrogatepass")) > MAX_TEXT_BYTES:
        raise InvalidInput(f"{what} is larger than 1 MB")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{what} is not valid Unicode text") from None
    if "\x00" in value:
        raise InvalidInput(f"{what} holds a NUL character: git cannot store it in a message")
    return value


def read_text_file(path: str | Path, what: str = "file") -> str:
    """Read a UTF-8 text file of at most 1 MB, with a one-line error otherwise."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {str(p)!r}: {error.strerror or error}") from None
    if not p.is_file():
        raise InvalidInput(f"{what} {str(p)!r} is not a regular file")
    if size > MAX_TEXT_BYTES:
        raise InvalidInput(f"{what} {str(p)!r} is larger than 1 MB ({size} bytes)")
    try:
        data = p.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidInput(f"{what} {str(p)!r} is not UTF-8 text") from None
    except OSError as error:
        raise InvalidInput(f"cannot read {what} {str(p)!r}: {error.strerror or error}") from None
    if "\x00" in data:
        raise InvalidInput(f"{what} {str(p)!r} is binary, not text")
    return data


def email(value: str) -> str:
    value = _unicode(value, "email").strip()
    if not re.match(r"^[^\s<>@,]+@[^\s<>@,]+$", value):
        raise InvalidInput(f"invalid email {value!r}: expected something like name@example.org")
    return value


def person_name(value: str) -> str:
    value = one_line(value, "name", max_length=120)
    if "<" in value or ">" in value:
        raise InvalidInput("a name cannot contain '<' or '>'")
    return value
