"""Verdicts kept between runs, by commit id: a sync, the guard and verify judge only what is new.

A commit never changes, and neither does what it depends on: a main commit's first-parent
history, the amendment revision and the events it names, the settings and roster in force.
So a verdict that a commit is valid, reached once by the rulebook's full replay (signatures
included where the working group requires them), holds for good. Only such verdicts are kept:
a commit judged invalid may become valid once objects it names arrive, so it is judged again.

The verdicts live in ``.git/wgtool/verdicts.sqlite`` (never in the record), keyed by the rules'
version, so that a wgtool whose rules changed judges everything again. The file is a cache:
when it cannot be read or written, everything is judged as if it were empty, and a damaged file
is replaced. ``wgtool verify --full`` ignores it.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

from wgtool.core.record.rules_version import RULES

FILE = "verdicts.sqlite"


class KeptVerdicts:
    """Valid verdicts by key, read on demand and written in one transaction per :meth:`flush`."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._empty = False
        self._new: dict[str, str] = {}
        # Whole key ranges read at once (see :meth:`load_all`): full key -> verdict JSON.
        self._ranges: dict[str, dict[str, str]] = {}

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is None and not self._broken:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
                db.execute("CREATE TABLE IF NOT EXISTS kept (key TEXT PRIMARY KEY, verdict TEXT)")
                # Nothing kept yet (a new clone): no look-up can find anything.
                self._empty = db.execute("SELECT 1 FROM kept LIMIT 1").fetchone() is None
                self._db = db
            except (sqlite3.Error, OSError):
                self._heal()
        return self._db

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
        """Read every verdict whose key starts with ``prefix`` in one query, for a pass that
        looks up most of them (verify, a first sync); later :meth:`load` calls for such keys
        are answered from what was read. The keys found, without ``prefix``."""
        start = f"{RULES}:{prefix}"
        if start not in self._ranges:
            rows: dict[str, str] = {}
            db = self._connect()
            if db is not None and not self._empty:
                try:
                    query = "SELECT key, verdict FROM kept WHERE key >= ? AND key < ?"
                    rows = dict(db.execute(query, (start, start + "\U0010ffff")))
                except sqlite3.Error as error:
                    if not _busy(error):
                        self._heal()
            self._ranges[start] = rows
        return {key[len(start) :] for key in self._ranges[start]}

    def load(self, keys: Iterable[str]) -> dict[str, object]:
        """The kept verdicts among ``keys``."""
        wanted = [f"{RULES}:{key}" for key in keys]
        try:
            return {
                key.partition(":")[2]: json.loads(verdict) for key, verdict in self._rows(wanted)
            }
        except (sqlite3.Error, ValueError) as error:
            if not _busy(error):
                self._heal()
            return {}

    def _rows(self, wanted: list[str]) -> list[tuple[str, str]]:
        """The rows kept under the full keys ``wanted``: from a range read whole when it holds
        them all, else from the file."""
        for begin, rows in self._ranges.items():
            if wanted and all(key.startswith(begin) for key in wanted):
                return [(key, rows[key]) for key in wanted if key in rows]
        db = self._connect() if wanted else None
        if db is None or self._empty:
            return []
        found: list[tuple[str, str]] = []
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT key, verdict FROM kept WHERE key IN ({marks})"
            found += db.execute(query, chunk).fetchall()
        return found

    def keep(self, verdicts: Mapping[str, object]) -> None:
        """Remember valid verdicts (written by :meth:`flush`)."""
        self._new.update({f"{RULES}:{k}": json.dumps(v) for k, v in verdicts.items()})

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
