"""Verdicts kept between runs, by commit id: a sync, the guard and verify judge only what is new.

A commit never changes, and neither does what it depends on: a main commit's first-parent
history, the amendment revision and the events it names, the settings and roster in force.
So a verdict that a commit is valid, reached once by the rulebook's full replay (signatures
included where the working group requires them), holds for good. Only such verdicts are kept:
a commit judged invalid may become valid once objects it names arrive, so it is judged again.

The verdicts live in ``.git/wgtool/verdicts.sqlite`` (never in the record), in a table without
rowids (each key stored once) whose keys are compact: each commit id in it as its 20 bytes (see
:func:`encode_key`). The file's ``user_version`` says the rules' version and the layout: a file
of another version (an older wgtool's, or rules that changed) is replaced, so that everything is
judged again, never misread. The file is a cache: when it cannot be read or written, everything
is judged as if it were empty, and a damaged file is replaced; a row that cannot be read is
ignored (what it was for is judged again). ``wgtool verify --full`` ignores it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from wgtool.core.record.kept_codes import FILE, VERSION, decode_key, encode_key, lay_out

# One encoder for every verdict kept (json.dumps with separators makes a new one per call).
_COMPACT = json.JSONEncoder(separators=(",", ":"))


class KeptVerdicts:
    """Valid verdicts by key, read on demand and written in one transaction per :meth:`flush`."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._empty = False
        self._new: dict[bytes, str] = {}
        # Whole key ranges read at once (see :meth:`load_all`): by prefix, key -> verdict JSON.
        self._ranges: dict[str, dict[str, str]] = {}

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                version = db.execute("PRAGMA user_version").fetchone()[0]
                if version != VERSION:
                    db = self._replace(db, version)
                # Nothing kept yet (a new clone): no look-up can find anything.
                self._empty = db.execute("SELECT 1 FROM kept LIMIT 1").fetchone() is None
                self._db = db
            except (sqlite3.Error, OSError):
                self._heal()
        return self._db

    def _replace(self, db: sqlite3.Connection, version: int) -> sqlite3.Connection:
        """The file laid out anew (empty) when it is of another version: an older wgtool's,
        or verdicts reached by other rules."""
        if version != 0 or db.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone():
            db.close()
            self.path.unlink()
            db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        lay_out(db)
        return db

    def _heal(self) -> None:
        """A cache that cannot be read is judged again: replace it once, else do without."""
        if self._db is not None:
            self._db.close()
            self._db = None
        if not self._broken:
            self._broken = True
            try:
                if self.path.is_file():
                    self.path.unlink()
            except OSError:
                pass

    def load_all(self, prefix: str) -> set[str]:
        """Read every verdict whose key starts with ``prefix`` (ending with ``:``) in one
        query, for a pass that looks up most of them (verify, a first sync); later :meth:`load`
        calls for such keys are answered from what was read. The keys found, without
        ``prefix``."""
        if prefix not in self._ranges:
            rows: dict[str, str] = {}
            db = self._connect()
            start = encode_key(prefix.rstrip(":"))
            if db is not None and not self._empty and start is not None:
                try:
                    query = "SELECT key, verdict FROM kept WHERE key >= ? AND key < ?"
                    for code, verdict in db.execute(query, (start, start + b"\xff")):
                        key = decode_key(code) if isinstance(code, bytes) else None
                        if key is not None and key.startswith(prefix):
                            rows[key] = verdict
                except sqlite3.Error as error:
                    if not _busy(error):
                        self._heal()
            self._ranges[prefix] = rows
        return {key[len(prefix) :] for key in self._ranges[prefix]}

    def starts(self, prefix: str, firsts: Iterable[str]) -> set[str]:
        """Which of ``firsts`` begin a kept key after ``prefix`` (ending with ``:``), each
        found with one look-up of the key's index: for a pass that finds few of many kept,
        where :meth:`load_all` would read every verdict."""
        db = self._connect()
        if db is None or self._empty:
            return set()
        found: set[str] = set()
        query = "SELECT 1 FROM kept WHERE key > ? AND key < ? LIMIT 1"
        try:
            for first in firsts:
                code = encode_key(prefix + first)
                if code is not None and db.execute(query, (code, code + b"\xff")).fetchone():
                    found.add(first)
        except sqlite3.Error as error:
            if not _busy(error):
                self._heal()
            return set()
        return found

    def load(self, keys: Iterable[str]) -> dict[str, object]:
        """The kept verdicts among ``keys`` (a row that cannot be read is left out: what it
        was for is judged again)."""
        try:
            rows = self._rows(list(keys))
        except sqlite3.Error as error:
            if not _busy(error):
                self._heal()
            return {}
        found: dict[str, object] = {}
        for key, verdict in rows:
            try:
                found[key] = json.loads(verdict)
            except (TypeError, ValueError):
                continue
        return found

    def _rows(self, wanted: list[str]) -> list[tuple[str, str]]:
        """The rows kept under the keys ``wanted``: from a range read whole when it holds
        them all, else from the file."""
        for begin, rows in self._ranges.items():
            if wanted and all(key.startswith(begin) for key in wanted):
                return [(key, rows[key]) for key in wanted if key in rows]
        db = self._connect() if wanted else None
        if db is None or self._empty:
            return []
        codes = {code: key for key in wanted if (code := encode_key(key)) is not None}
        found: list[tuple[str, str]] = []
        listed = list(codes)
        for start in range(0, len(listed), 500):
            chunk = listed[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, verdict FROM kept WHERE key IN ({marks})"
            found += [(codes[code], verdict) for code, verdict in db.execute(query, chunk)]
        return found

    def keep(self, verdicts: Mapping[str, object]) -> None:
        """Remember valid verdicts (written by :meth:`flush`)."""
        for key, verdict in verdicts.items():
            code = encode_key(key)
            if code is not None:
                self._new[code] = _COMPACT.encode(verdict)

    def flush(self) -> None:
        if not self._new:
            return
        db = self._connect()
        rows, self._new = list(self._new.items()), {}
        if db is None:
            return
        try:
            with db:
                db.execute("BEGIN")
                db.executemany("INSERT OR REPLACE INTO kept VALUES (?, ?)", rows)
        except sqlite3.Error as error:
            if not _busy(error):  # another process writing: these are judged again next time
                self._heal()

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


def _busy(error: Exception) -> bool:
    return isinstance(error, sqlite3.OperationalError) and "locked" in str(error)
