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

RULES = 2  # raise when a rule changes: every kept verdict is then judged again
FILE = "verdicts.sqlite"


class KeptVerdicts:
    """Valid verdicts by key, read on demand and written in one transaction per :meth:`flush`."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / FILE
        self._db: sqlite3.Connection | None = None
        self._broken = False
        self._empty = False
        self._new: dict[str, str] = {}

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

    def load(self, keys: Iterable[str]) -> dict[str, object]:
        """The kept verdicts among ``keys``."""
        wanted = [f"{RULES}:{key}" for key in keys]
        found: dict[str, object] = {}
        db = self._connect() if wanted else None
        if db is None or self._empty:
            return found
        try:
            for start in range(0, len(wanted), 500):
                chunk = wanted[start : start + 500]
                marks = ",".join("?" * len(chunk))
                query = f"SELECT key, verdict FROM kept WHERE key IN ({marks})"
                for key, verdict in db.execute(query, chunk):
                    found[key.partition(":")[2]] = json.loads(verdict)
        except (sqlite3.Error, ValueError) as error:
            if not _busy(error):
                self._heal()
            return {}
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
