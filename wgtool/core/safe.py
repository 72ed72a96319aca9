"""Member-written text is data: make it safe to show in a terminal.

Control characters (escape sequences above all) would let one member's comment repaint or
re-title another member's terminal. They are shown as visible ``\\x1b``-style escapes instead.
"""

from __future__ import annotations

import re

_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """The text with every control character (but newline and tab) made visible."""
    result = _CONTROL_RE.sub(_escape, text)
    if not keep_newlines:
        result = result.replace("\n", " ").replace("\t", " ")
    return result
