"""The refresh of the index file by a command that has not opened the index proper.

A command finds the file behind the refs after any write (its own last one, a sync, another
member's): it brings the file up to date here, through ``sqlite3``, and reads it at a glance,
without importing SQLAlchemy and SQLModel (most of a second). A file that is not there yet (a
new clone, a removed index) is created here too, with the tables of
:mod:`wgtool.core.indexing.schema`. Anything out of the ordinary (another schema version, a
file that does not read as wgtool wrote it, one that cannot be created) is left to the index
proper, which heals or rebuilds the file with the same refresher.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager

from wgtool.core.errors import WgError
from wgtool.core.glance import SCHEMA_VERSION, index_path
from wgtool.core.indexing.refresh import Refresher
from wgtool.core.indexing.schema import create_tables, remove_index_files
from wgtool.core.record.gitstore import GitStore


def refreshed(store: GitStore, *, stale: bool = False) -> dict[str, str] | None:
    """Refresh the index file of ``store`` and return the ref tips it now reflects (see
    :meth:`Refresher.refresh`), or None when this is for the index proper: the file is of
    another schema version, cannot be created, or does not read as wgtool wrote it (nothing
    is changed then: the refresh is one transaction)."""
    path = index_path(store)
    if not os.path.lexists(path) and not _created(store):
        return None
    if path.is_symlink() or not path.is_file():
        return None
    try:
        # mode=rw: never create a file here (only _created does, with its tables).
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


def _created(store: GitStore) -> bool:
    """Create the index file of ``store`` with its tables (under the refresher's lock: another
    process may be creating it too); whether there is a file now. Where it cannot be made
    whole (nothing is left of it then), the index proper takes over, as for any file."""
    path = index_path(store)
    try:
        with store.locked("index.lock"):
            if os.path.lexists(path):
                return True  # made meanwhile
            try:
                with closing(sqlite3.connect(path, timeout=60)) as db:
                    db.execute("PRAGMA journal_mode=WAL")
                    create_tables(db)
                return True
            except sqlite3.Error:
                remove_index_files(path)
                return False
    except (OSError, WgError):
        return False
