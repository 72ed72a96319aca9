"""Commit and tag messages: a title, a body and trailers (``Key: value``), as git writes them.

Every record wgtool writes says who and what in trailers; the rulebook reads them back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from sys import intern


def record_mark() -> str:
    """A separator for records in git's formatted output that no message can contain.

    Messages hold member text, which may hold any character (even a forged commit's); a random
    mark, new for each call, cannot end a record early.
    """
    return f"\x1e{secrets.token_hex(8)}\x1e"


TRAILER_RE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*): (.*)$")
# TRAILER_RE for every line of a paragraph at once, and the characters other than "\n" at which
# str.splitlines() also ends a line (a paragraph holding one is read a line at a time).
_TRAILER_LINES_RE = re.compile(TRAILER_RE.pattern, re.MULTILINE)
_OTHER_LINE_ENDS = re.compile("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]")


def parse_message(message: str) -> tuple[str, str, dict[str, list[str]]]:
    """Split a commit message into title, body and trailers (the last paragraph of Key: value)."""
    text = message.strip("\n")
    paragraphs = text.split("\n\n")
    trailers: dict[str, list[str]] = {}
    if len(paragraphs) > 1:
        last = paragraphs[-1]
        if _OTHER_LINE_ENDS.search(last) is None:
            # One search over the paragraph (a clone reads tens of thousands of messages): it
            # is all trailers when every one of its lines is one.
            found = _TRAILER_LINES_RE.findall(last)
            whole = len(found) == last.count("\n") + 1
        else:
            matches = [TRAILER_RE.match(line) for line in last.splitlines()]
            whole = bool(matches) and all(matches)
            found = [match.groups() for match in matches if match]
        if whole:
            for key, value in found:
                # Kept once however many commits repeat them (a clone reads thousands).
                trailers.setdefault(intern(key), []).append(intern(value))
            paragraphs = paragraphs[:-1]
    title = paragraphs[0]
    body = "\n\n".join(paragraphs[1:])
    return title, body, trailers


def format_message(title: str, body: str, trailers: Iterable[tuple[str, str]]) -> str:
    """A commit message with trailers git and ``git interpret-trailers`` understand."""
    parts = [title.strip()]
    if body.strip():
        parts.append(body.strip())
    trailer_lines = [f"{key}: {' '.join(value.split())}" for key, value in trailers]
    if trailer_lines:
        parts.append("\n".join(trailer_lines))
    return "\n\n".join(parts) + "\n"
