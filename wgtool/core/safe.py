"""Member-written text is data: make it safe to show in a terminal or write into a document.

Control characters (escape sequences above all) would let one member's comment repaint or
re-title another member's terminal, and bidirectional overrides make text read differently from
what it holds. New text holding them is refused (see :mod:`wgtool.core.validate`); text already
in the record is shown with such characters as visible ``\\x1b``-style escapes instead.
"""

from __future__ import annotations

import re

# Characters member text may not hold: C0 controls but tab and newline, DEL, C1 controls, and the
# bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
FORBIDDEN_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CHARACTERS}]")
# On a terminal, line and paragraph separators too (some terminals act on them).
_TERMINAL_RE = re.compile(f"[{FORBIDDEN_CHARACTERS}\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str) -> str:
    """The text with every character member text may not hold made visible (``\\x1b``)."""
    return _FORBIDDEN_RE.sub(_escape, text)


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """The text with every control character (but newline and tab) made visible."""
    result = _TERMINAL_RE.sub(_escape, text)
    if not keep_newlines:
        result = result.replace("\n", " ").replace("\t", " ")
    return result
