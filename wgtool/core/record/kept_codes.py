"""The layout of ``.git/wgtool/verdicts.sqlite``, the file that keeps verdicts between runs
(:mod:`wgtool.core.record.rulebook.kept` for commits, :mod:`wgtool.core.exchange.kept_report`
for a whole record): its name, its version and how a key is coded. Only the standard library is
needed here, so that a command answered from a kept verdict imports nothing else.
"""

from __future__ import annotations

import re
import sqlite3

from wgtool.core.record.rules_version import RULES

LAYOUT = 2  # raise when the file's layout changes (2: binary keys, no rowids)
VERSION = LAYOUT * 1000 + RULES  # the file's user_version
FILE = "verdicts.sqlite"


def lay_out(db: sqlite3.Connection) -> None:
    """Lay out an empty file: the table of kept verdicts, and the version it is of."""
    db.execute("CREATE TABLE IF NOT EXISTS kept (key BLOB PRIMARY KEY, verdict TEXT) WITHOUT ROWID")
    db.execute(f"PRAGMA user_version = {VERSION}")


_SHA = re.compile(r"[0-9a-f]{40}")
_SHA_PART, _TEXT_PART, _END = b"\x02", b"\x01", b"\x00"


def encode_key(key: str) -> bytes | None:
    """A key's ``:``-separated parts as bytes: a commit id as a marker and its 20 bytes, any
    other part as a marker, its UTF-8 and a NUL. No part is the end of another, so two keys
    never share a code, and the code of a prefix ending at a part is the prefix of every key's
    code that starts with it. None for a key with a NUL in it (never kept)."""
    if "\x00" in key:
        return None
    # A list rather than a generator, and the pattern tried only on parts of a commit id's
    # length: a clone codes a key for each of tens of thousands of verdicts.
    return b"".join(
        [
            _SHA_PART + bytes.fromhex(part)
            if len(part) == 40 and _SHA.fullmatch(part)
            else _TEXT_PART + part.encode("utf-8", "surrogatepass") + _END
            for part in key.split(":")
        ]
    )


def decode_key(code: bytes) -> str | None:
    """The key :func:`encode_key` made ``code`` of, or None when it is not one."""
    parts: list[str] = []
    at = 0
    try:
        while at < len(code):
            marker, at = code[at : at + 1], at + 1
            if marker == _SHA_PART and at + 20 <= len(code):
                parts.append(code[at : at + 20].hex())
                at += 20
            elif marker == _TEXT_PART and code.find(_END, at) >= 0:
                end = code.index(_END, at)
                parts.append(code[at:end].decode("utf-8", "surrogatepass"))
                at = end + 1
            else:
                return None
    except UnicodeDecodeError:
        return None
    return ":".join(parts)
