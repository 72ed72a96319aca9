"""Member-written text is data: make it safe to show in a terminal or write into a document.

Control characters (escape sequences above all) would let one member's comment repaint or
re-title another member's terminal, and bidirectional overrides make text read differently from
what it holds. New text holding them is refused (see :mod:`wgtool.core.validate`); text already
in the record is shown with such characters as visible ``\\x1b``-style escapes instead.

Invisible characters are the other half: a zero-width space, a soft hyphen or a stray direction
mark shows nothing, yet makes two texts that read the same differ (in a diff, a search, a merge,
a name). Each kind gets one policy, the same for refusing new text and for showing the record:

* never visible, never needed in a working group's texts (zero-width space, word joiner, the
  invisible operators, byte order mark, soft hyphen, combining grapheme joiner, the Hangul
  fillers and the blank Braille pattern, interlinear annotations, deprecated format characters,
  shorthand and musical format controls, tag characters): refused, and shown as ``<U+200B>``;
* the zero-width joiner and non-joiner, which Persian, Arabic and the Indic scripts need to
  join or break letters: accepted where they change how letters join (the contextual rules of
  RFC 5892, as IDNA applies them: after a virama, or between letters that join), and the joiner
  within an emoji sequence; anywhere else they change nothing visible and count as the first kind;
* the left-to-right, right-to-left and Arabic letter marks, which place punctuation and digits in
  right-to-left text: accepted in a line that holds right-to-left letters; in a line without
  any, their only effect is to reorder digits and punctuation unseen, so they count as the
  first kind;
* the Mongolian vowel separator: accepted between Mongolian letters, the first kind elsewhere;
* tag characters: accepted only as an emoji flag's tag sequence.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from typing import TYPE_CHECKING

from wgtool.lazy import lazy_module

if TYPE_CHECKING:
    import idna
else:
    idna = lazy_module("idna")  # RFC 5892's joiner rules: only for text that has a joiner

# Characters member text may not hold: C0 controls but tab and newline, DEL, C1 controls, and the
# bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069).
FORBIDDEN_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
_FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CHARACTERS}]")
# On a terminal, line and paragraph separators too (some terminals act on them).
_TERMINAL_RE = re.compile(f"[{FORBIDDEN_CHARACTERS}\u2028\u2029]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible_controls(text: str, *, html: bool = False) -> str:
    """The text with every character member text may not hold made visible (``\\x1b``,
    ``<U+200B>``; ``html``: text that is already HTML, where the marks are escaped)."""
    return show_hidden(_FORBIDDEN_RE.sub(_escape, text), html=html)


# What XML 1.0 cannot hold at all, beyond the control characters: surrogates, U+FFFE and U+FFFF.
_NOT_XML_RE = re.compile("[\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """Text that XML 1.0 can hold: controls made visible, what it forbids outright replaced."""
    return _NOT_XML_RE.sub("\ufffd", visible_controls(text))


def terminal_safe(text: str, *, keep_newlines: bool = True) -> str:
    """The text with every control character (but newline and tab) and every character that
    shows nothing made visible."""
    result = show_hidden(_TERMINAL_RE.sub(_escape, text))
    if not keep_newlines:
        result = result.replace("\n", " ").replace("\t", " ")
    return result


ZERO_WIDTH_NON_JOINER = "\u200c"
ZERO_WIDTH_JOINER = "\u200d"
_DIRECTION_MARKS = "\u200e\u200f\u061c"
_MONGOLIAN_VOWEL_SEPARATOR = "\u180e"
_TAGS = "\U000e0001\U000e0020-\U000e007f"
# Every character that shows nothing (see the module's docstring for which are accepted where).
HIDDEN_CHARACTERS = (
    "\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2060-\u2064"
    "\u206a-\u206f\u2800\u3164\ufeff\uffa0\ufff9-\ufffb"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a" + _TAGS
)
HIDDEN_RE = re.compile(f"[{HIDDEN_CHARACTERS}]")
_FLAG_TAGS_RE = re.compile("\U0001f3f4[\U000e0020-\U000e007e]+\U000e007f")
_EMOJI_MODIFIERS = re.compile("[\ufe0f\U0001f3fb-\U0001f3ff]*$")


def hidden(text: str) -> Iterator[int]:
    """The positions in ``text`` of the characters that show nothing where they stand."""
    if not HIDDEN_RE.search(text):
        return
    flags: list[tuple[int, int]] | None = None
    right_to_left: dict[int, bool] = {}  # by the start of a line: does it hold RTL letters?
    for match in HIDDEN_RE.finditer(text):
        position, char = match.start(), match.group(0)
        if char in (ZERO_WIDTH_NON_JOINER, ZERO_WIDTH_JOINER):
            if _joins(text, position):
                continue
        elif char in _DIRECTION_MARKS:
            start = text.rfind("\n", 0, position) + 1
            if start not in right_to_left:
                end = text.find("\n", position)
                right_to_left[start] = _holds_right_to_left(text[start : None if end < 0 else end])
            if right_to_left[start]:
                continue
        elif char == _MONGOLIAN_VOWEL_SEPARATOR:
            if 0 < position < len(text) - 1 and all(
                "\u1820" <= c <= "\u1878" for c in (text[position - 1], text[position + 1])
            ):
                continue
        elif "\U000e0000" <= char <= "\U000e007f":
            if flags is None:
                flags = [m.span() for m in _FLAG_TAGS_RE.finditer(text)]
            if any(start < position < end for start, end in flags):
                continue
        yield position


def _joins(text: str, position: int) -> bool:
    """Whether the joiner at ``position`` changes how the characters around it show."""
    # What decides: the nearest characters either side that are not marks or format characters
    # (RFC 5892 looks through those, and an emoji sequence through its modifiers).
    start = position
    while start > 0 and _see_through(text[start - 1]):
        start -= 1
    end = position + 1
    while end < len(text) and _see_through(text[end]):
        end += 1
    start, window = max(0, start - 1), text[max(0, start - 1) : end + 1]
    try:
        if idna.valid_contextj(window, position - start):
            return True
    except (ValueError, idna.IDNAError):  # a neighbour with no Unicode name
        return False
    if text[position] != ZERO_WIDTH_JOINER or position + 1 >= len(text):
        return False
    # An emoji sequence (a family, a profession, a flag): symbols, modifiers between.
    before = _EMOJI_MODIFIERS.sub("", text[start:position])
    return (
        bool(before)
        and unicodedata.category(before[-1]) == "So"
        and unicodedata.category(text[position + 1]) == "So"
    )


def _see_through(char: str) -> bool:
    """A mark, a format character or an emoji modifier, which a joiner's context looks through
    (and a character newer than Python's Unicode, which may be a mark). Not a joiner itself:
    every character is then looked through from one joiner either side at most, and finding
    every joiner's context takes time in proportion to the text."""
    return (
        unicodedata.category(char) in ("Mn", "Me", "Cf", "Cn")
        and char not in (ZERO_WIDTH_JOINER, ZERO_WIDTH_NON_JOINER)
    ) or "\U0001f3fb" <= char <= "\U0001f3ff"


def _holds_right_to_left(line: str) -> bool:
    return any(
        unicodedata.bidirectional(c) in ("R", "AL") and c not in _DIRECTION_MARKS for c in line
    )


def _mark(char: str, *, html: bool) -> str:
    shown = f"U+{ord(char):04X}"
    return f"&lt;{shown}&gt;" if html else f"<{shown}>"


def show_hidden(text: str, *, html: bool = False) -> str:
    """The text with every character that shows nothing where it stands written as
    ``<U+200B>`` (``&lt;U+200B&gt;`` in HTML); the ones that do show (a joiner that joins,
    a direction mark in right-to-left text) are kept."""
    positions = list(hidden(text))
    if not positions:
        return text
    out, last = [], 0
    for position in positions:
        out.append(text[last:position])
        out.append(_mark(text[position], html=html))
        last = position + 1
    out.append(text[last:])
    return "".join(out)
