"""Word tokens: the unit every diff and merge of wgtool works on.

:func:`tokenize` splits text into words, whitespace runs and single punctuation characters,
losslessly. :class:`TokenCodec` encodes tokens as one character each, so that
diff-match-patch's character machinery becomes a token-level one (the same trick as its
``diff_linesToChars``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from itertools import chain, islice

# A word (\w is unicode-aware for str patterns), a whitespace run, or any other single character.
# DOTALL so that "." also takes characters that are neither \w nor \s; every character of the
# input is matched by exactly one alternative, which is what makes tokenize() lossless.
_TOKEN_RE = re.compile(r"\w+|\s+|.", re.DOTALL)
# The same split of ASCII text, with the classes spelled out: in ASCII, \w is [A-Za-z0-9_] and
# \s is what str.isspace() takes (\x1c-\x1f included). Explicit classes are matched by a
# table lookup instead of a unicode category test per character (a seventh faster).
_ASCII_TOKEN_RE = re.compile(r"[A-Za-z0-9_]+|[ \t\n\r\f\v\x1c-\x1f]+|.", re.DOTALL)

# Zero-width (non-)joiners occur inside words in Persian, Indic scripts and emoji sequences.
_JOINERS = frozenset("\u200c\u200d")

# Token indices are encoded as code points, skipping the surrogate block so that every encoded
# string is a well-formed Python str.
_SURROGATE_START = 0xD800
_SURROGATE_SIZE = 0x800
MAX_TOKENS = 0x110000 - _SURROGATE_SIZE

_BLANK_LINE = re.compile(r"\n[ \t\r\f\v]*\n")
_BLANK_LINE_END = re.compile(r"\n\r?\n$")
_BLANK_LINE_START = re.compile(r"^\r?\n\r?\n")


def _is_word_continuer(char: str) -> bool:
    """Tell whether a non-\\w character belongs inside a word.

    Python's ``\\w`` does not match combining marks (category M*), so decomposed "café"
    (``e`` + U+0301) and most Devanagari or Thai words would otherwise be cut into pieces,
    making redlines mark half-words.
    """
    return char in _JOINERS or unicodedata.category(char).startswith("M")


def is_word(token: str) -> bool:
    """Tell whether a token is a word (starts with a character ``\\w`` matches)."""
    first = token[0]
    return first.isalnum() or first == "_"


def tokenize(text: str) -> list[str]:
    """Split text into word tokens, whitespace runs and single other characters.

    Words are runs of unicode word characters (letters, digits, underscore) together with any
    combining marks and zero-width joiners inside them. Each whitespace run (including newlines)
    is one token; every other character (punctuation, symbols) is a token of its own.

    Args:
        text: Any text.

    Returns:
        The tokens, all non-empty; ``"".join(tokenize(text)) == text`` always holds.
    """
    if text.isascii():
        # ASCII has no combining marks or joiners: the regex split is already final.
        return _ASCII_TOKEN_RE.findall(text)
    raw = _TOKEN_RE.findall(text)
    tokens: list[str] = []
    for token in raw:
        if tokens and is_word(tokens[-1]):
            previous = tokens[-1]
            # A mark or joiner extends the word before it, and a word right after a trailing
            # mark/joiner continues that same word (e.g. Devanagari consonant + virama + ...).
            if (len(token) == 1 and _is_word_continuer(token)) or (
                _is_word_continuer(previous[-1]) and is_word(token)
            ):
                tokens[-1] = previous + token
                continue
        tokens.append(token)
    return tokens


def is_soft_space(token: str) -> bool:
    """Whitespace that does not break a paragraph: edits on either side of it touch."""
    return token.isspace() and not _BLANK_LINE.search(token)


def _char_for(index: int) -> str:
    """Encode a token index as one character (skipping surrogates)."""
    if index >= MAX_TOKENS:
        raise ValueError(f"text has more than {MAX_TOKENS} distinct tokens")
    return chr(index if index < _SURROGATE_START else index + _SURROGATE_SIZE)


def _index_for(char: str) -> int:
    """Decode one character produced by :func:`_char_for` back to a token index."""
    code = ord(char)
    return code if code < _SURROGATE_START else code - _SURROGATE_SIZE


class TokenCodec:
    """A shared token <-> character table for all texts of one diff or merge.

    One table must be shared by every text that is compared, so that equal tokens get equal
    characters. Tokens get codes in the order they are first seen: the code points are not
    meaningless to diff-match-patch, whose own semantic clean-up scores them as characters.
    """

    def __init__(self) -> None:
        self._chars: dict[str, str] = {}
        self._tokens: list[str] = []
        self._table: list[str | None] | None = None

    @property
    def tokens(self) -> list[str]:
        """Every token seen, in the order of their codes."""
        return self._tokens

    def encode(self, tokens: Iterable[str]) -> str:
        """Encode tokens as a string with one character per token."""
        tokens = tokens if isinstance(tokens, list) else list(tokens)
        chars = self._chars
        known = len(chars)
        # dict.fromkeys keeps first occurrences in order: the tokens seen before, then the new
        # ones as they come, all in C rather than one dictionary call per token.
        fresh = list(islice(dict.fromkeys(chain(chars, tokens)), known, None))
        if fresh:
            codes = range(known, known + len(fresh))
            to_char = chr if codes.stop <= _SURROGATE_START else _char_for
            chars.update(zip(fresh, map(to_char, codes), strict=True))
            self._tokens.extend(fresh)
            self._table = None
        return "".join(map(chars.__getitem__, tokens))

    @classmethod
    def pair(
        cls,
        old: list[str],
        new: list[str],
        old_kinds: Iterable[str] | None = None,
        new_kinds: Iterable[str] | None = None,
    ) -> tuple[TokenCodec, str, str]:
        """A new codec with ``old`` then ``new`` encoded: ``codec.encode(old)`` and
        ``codec.encode(new)`` on a fresh codec, in fewer passes over the tokens.

        ``old_kinds`` and ``new_kinds`` may give the distinct tokens of each list in the order
        they first occur (``dict.fromkeys(old)``), if the caller has them already.
        """
        codec = cls()
        kinds = dict.fromkeys(
            chain(
                dict.fromkeys(old) if old_kinds is None else old_kinds,
                dict.fromkeys(new) if new_kinds is None else new_kinds,
            )
        )
        if len(kinds) > _SURROGATE_START:
            return codec, codec.encode(old), codec.encode(new)
        tokens = codec._tokens = list(kinds)
        chars = codec._chars = dict(zip(tokens, map(chr, range(len(tokens))), strict=True))
        to_char = chars.__getitem__
        return codec, "".join(map(to_char, old)), "".join(map(to_char, new))

    def token(self, char: str) -> str:
        """Return the token that one encoded character stands for."""
        return self._tokens[_index_for(char)]

    def decode(self, chars: str) -> list[str]:
        """Decode an encoded string back to its tokens."""
        return list(map(self._tokens.__getitem__, map(_index_for, chars)))

    def text(self, chars: str) -> str:
        """Decode an encoded string back to the text its tokens make."""
        return chars.translate(self.translation())

    def translation(self) -> list[str | None]:
        """The table with which ``encoded.translate(table)`` decodes to text (the token of
        each code point, by position)."""
        if self._table is None:
            tokens = self._tokens
            if len(tokens) <= _SURROGATE_START:
                self._table = list(tokens)
            else:
                surrogates: list[str | None] = [None] * _SURROGATE_SIZE
                self._table = [*tokens[:_SURROGATE_START], *surrogates, *tokens[_SURROGATE_START:]]
        return self._table


def boundary_score(left: str, right: str) -> int:
    """Score how natural a boundary between two tokens is (5 best, 0 worst).

    The same scale diff-match-patch uses for characters, applied to the real tokens on each
    side of the boundary, so shifted edits land after sentence ends, at blank lines and
    paragraph breaks rather than at arbitrary token boundaries.
    """
    char1 = left[-1]
    char2 = right[0]
    non_alnum1 = not char1.isalnum()
    non_alnum2 = not char2.isalnum()
    space1 = non_alnum1 and char1.isspace()
    space2 = non_alnum2 and char2.isspace()
    line_break1 = space1 and char1 in "\r\n"
    line_break2 = space2 and char2 in "\r\n"
    if (line_break1 and _BLANK_LINE_END.search(left)) or (
        line_break2 and _BLANK_LINE_START.match(right)
    ):
        return 5
    if line_break1 or line_break2:
        return 4
    if non_alnum1 and not space1 and space2:
        return 3
    if space1 or space2:
        return 2
    if non_alnum1 or non_alnum2:
        return 1
    return 0
