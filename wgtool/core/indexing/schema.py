"""The index's tables as SQLite statements, for a command that creates the file without the
index proper (see :func:`wgtool.core.indexing.plain.refreshed`).

The tables are SQLModel's (:mod:`wgtool.core.index.rows`); :data:`TABLES` is what SQLAlchemy's
``create_all`` writes for them, statement for statement (a test holds the two equal: columns,
types, keys and indexes, as SQLite keeps them).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from pathlib import Path

from wgtool.core.glance import SCHEMA_VERSION
from wgtool.core.indexing.rows import transaction

_ADOPTION = (
    "consensus VARCHAR, supporting VARCHAR NOT NULL, objecting VARCHAR NOT NULL, "
    "not_heard VARCHAR NOT NULL, override_reason VARCHAR, silence VARCHAR, "
)

TABLES = (
    "CREATE TABLE amendmentrow ("
    + _ADOPTION
    + "id VARCHAR NOT NULL, draft VARCHAR NOT NULL, kind VARCHAR NOT NULL, "
    "paragraph INTEGER, title VARCHAR NOT NULL, rationale VARCHAR NOT NULL, "
    'proposer VARCHAR NOT NULL, "group" VARCHAR NOT NULL, base VARCHAR NOT NULL, '
    "head VARCHAR NOT NULL, revision INTEGER NOT NULL, created_at INTEGER NOT NULL, "
    "updated_at INTEGER NOT NULL, status VARCHAR NOT NULL, merged_by VARCHAR, "
    "merge_commit VARCHAR, reason VARCHAR, reverted_by VARCHAR, revert_commit VARCHAR, "
    "label VARCHAR, alternative_to VARCHAR, amends VARCHAR, amends_revision VARCHAR, "
    "takes_in VARCHAR NOT NULL, consensus_key INTEGER, PRIMARY KEY (id))",
    "CREATE INDEX ix_amendmentrow_alternative_to ON amendmentrow (alternative_to)",
    "CREATE INDEX ix_amendmentrow_amends ON amendmentrow (amends)",
    "CREATE INDEX ix_amendmentrow_draft ON amendmentrow (draft)",
    'CREATE TABLE consensusrow ("key" INTEGER NOT NULL, verdict VARCHAR NOT NULL, '
    'groups VARCHAR NOT NULL, PRIMARY KEY ("key"))',
    "CREATE TABLE draftrow (slug VARCHAR NOT NULL, title VARCHAR NOT NULL, "
    "paragraphs INTEGER NOT NULL, PRIMARY KEY (slug))",
    "CREATE TABLE eventrow (amendment VARCHAR NOT NULL, id VARCHAR NOT NULL, "
    'type VARCHAR NOT NULL, member VARCHAR NOT NULL, "group" VARCHAR NOT NULL, '
    "at FLOAT NOT NULL, revision INTEGER NOT NULL, stance VARCHAR, text VARCHAR NOT NULL, "
    "reply_to VARCHAR, details VARCHAR NOT NULL, PRIMARY KEY (amendment, id)) WITHOUT ROWID",
    "CREATE TABLE mainrow (position INTEGER NOT NULL, sha VARCHAR NOT NULL, "
    "tree VARCHAR NOT NULL, committed_at INTEGER NOT NULL, kind VARCHAR NOT NULL, "
    "problem VARCHAR, member VARCHAR, amendment VARCHAR, draft VARCHAR, settings_blob VARCHAR, "
    "roster_blob VARCHAR, founded BOOLEAN NOT NULL, draft_steps VARCHAR, PRIMARY KEY (position))",
    "CREATE INDEX ix_mainrow_sha ON mainrow (sha)",
    "CREATE TABLE mergerow ("
    + _ADOPTION
    + 'amendment VARCHAR NOT NULL, "commit" VARCHAR NOT NULL, merged_by VARCHAR NOT NULL, '
    "merged_at INTEGER NOT NULL, PRIMARY KEY (amendment))",
    'CREATE TABLE meta ("key" VARCHAR NOT NULL, value VARCHAR NOT NULL, PRIMARY KEY ("key"))',
    "CREATE TABLE reftip (ref VARCHAR NOT NULL, sha BLOB NOT NULL, PRIMARY KEY (ref)) "
    "WITHOUT ROWID",
    'CREATE TABLE revertrow (amendment VARCHAR NOT NULL, "commit" VARCHAR NOT NULL, '
    "reverted_by VARCHAR NOT NULL, reverted_at INTEGER NOT NULL, PRIMARY KEY (amendment))",
    "CREATE TABLE versionrow (position INTEGER NOT NULL, tag VARCHAR NOT NULL, "
    'sha VARCHAR NOT NULL, draft VARCHAR NOT NULL, name VARCHAR NOT NULL, "commit" VARCHAR '
    "NOT NULL, message VARCHAR NOT NULL, tagger VARCHAR NOT NULL, tagged_at INTEGER NOT NULL, "
    "PRIMARY KEY (position))",
)


def create_tables(db: sqlite3.Connection) -> None:
    """The tables, stamped with the schema version, in one transaction (an interrupted one
    leaves a file with no tables, which the index proper fills in)."""
    with transaction(db):
        for statement in TABLES:
            db.execute(statement)
        db.execute("INSERT INTO meta (key, value) VALUES ('schema', ?)", (str(SCHEMA_VERSION),))


def remove_index_files(path: Path) -> None:
    """Remove the index file at ``path`` and its journals; a link is removed, never what it
    points at."""
    for each in (path, *(Path(f"{path}{suffix}") for suffix in ("-wal", "-shm", "-journal"))):
        if each.is_dir() and not each.is_symlink():
            shutil.rmtree(each)
        elif os.path.lexists(each):
            each.unlink()
