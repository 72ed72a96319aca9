"""The refresh of the index file by a command that has not opened the index proper.

A command finds the file behind the refs after any write (its own last one, a sync, another
member's): it brings the file up to date here, through ``sqlite3``, and reads it at a glance,
without importing SQLAlchemy and SQLModel (most of a second). Anything out of the ordinary (no
file yet, another schema version, a file that does not read as wgtool wrote it) is left to the
index proper, which creates, heals or rebuilds the file with the same refresher.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager

from wgtool.core.glance import SCHEMA_VERSION, index_path
from wgtool.core.indexing.refresh import Refresher
from wgtool.core.record.gitstore import GitStore


def refreshed(store: GitStore, *, stale: bool = False) -> dict[str, str] | None:
    """Refresh the index file of ``store`` and return the ref tips it now reflects (see
    :meth:`Refresher.refresh`), or None when this is for the index proper: there is no file
    of this schema version, or it does not read as wgtool wrote it (nothing is changed then:
    the refresh is one transaction)."""
    path = index_path(store)
    if path.is_symlink() or not path.is_file():
        return None
    try:
        # mode=rw: never create a file (the index proper makes it, with its tables).
        db = sqlite3.connect(f"{path.as_uri()}?mode=rw", uri=True, timeout=60)
    except sqlite3.Error:
        return None
    with closing(db):
        try:
            db.execute("PRAGMA synchronous=NORMAL")
            found = db.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
            if found is None or found[0] != str(SCHEMA_VERSION):
                return None

            @contextmanager
            def connect() -> Iterator[sqlite3.Connection]:
                yield db

            refresher = Refresher(store, connect, lambda: store.locked("index.lock"))
            return refresher.refresh(stale=stale)
        except (sqlite3.Error, ValueError, TypeError):
            return None
