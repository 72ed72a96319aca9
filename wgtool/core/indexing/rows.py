"""Rows of the index as the refresh writes them, through ``sqlite3``.

The tables are SQLModel's (:mod:`wgtool.core.index.rows`, which also creates them); here they are
named as SQLite knows them. A column a row leaves out takes the default its SQLModel field
declares (:data:`DEFAULTS`, which a test holds equal to the fields), as it did when SQLAlchemy
wrote the rows.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from wgtool.core.model import Event, Kind, Status
from wgtool.core.record.rulebook import (
    ACCEPTS,
    ALTERNATIVE_TO,
    AMENDS,
    AMENDS_REVISION,
    KIND,
    MEMBER,
    PARAGRAPH,
    PARAGRAPH_LABEL,
    MainHistory,
    Rulebook,
)

# The tables, as SQLite names them (SQLModel's class names, in lower case).
AMENDMENTS = "amendmentrow"
EVENTS = "eventrow"
MERGES = "mergerow"
REVERTS = "revertrow"
MAIN_ROWS = "mainrow"
META = "meta"
DRAFT_ROWS = "draftrow"
VERSION_ROWS = "versionrow"
REF_TIPS = "reftip"
CONSENSUS = "consensusrow"

# The defaults of the columns whose SQLModel field has one other than None, by table.
_ADOPTION = {"supporting": "", "objecting": "", "not_heard": ""}
DEFAULTS: dict[str, dict[str, object]] = {
    AMENDMENTS: {**_ADOPTION, "status": Status.OPEN.value, "takes_in": "[]"},
    EVENTS: {"text": "", "details": ""},
    MERGES: dict(_ADOPTION),
    MAIN_ROWS: {"founded": False},
}

# The columns a decision (merge, revert, reject, withdraw) sets on an amendment's row.
DECIDED_COLUMNS = (
    "status",
    "merged_by",
    "merge_commit",
    "reason",
    "consensus",
    "supporting",
    "objecting",
    "not_heard",
    "override_reason",
    "silence",
    "reverted_by",
    "revert_commit",
)

# Rows written per statement: a clone's tens of thousands of rows go a thousand at a time,
# made as they are written.
BATCH = 1000

# ``column IN`` a JSON list bound as one value: no limit on how many, one statement's text.
IN_LIST = "(SELECT value FROM json_each(?))"


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One transaction on ``db``: committed when the block ends, rolled back if it raises."""
    if db.in_transaction:
        db.rollback()
    db.execute("BEGIN")
    try:
        yield db
    except BaseException:
        db.rollback()
        raise
    db.commit()


def in_list(values: Iterable[object]) -> str:
    """The value to bind to :data:`IN_LIST`."""
    return json.dumps(list(values))


def quoted(name: str) -> str:
    return f'"{name}"'


def insert(
    db: sqlite3.Connection,
    table: str,
    rows: Iterable[dict[str, object]],
    *,
    verb: str = "INSERT",
    size: int = BATCH,
) -> None:
    """Write ``rows`` into ``table`` (``verb``: ``INSERT``, ``INSERT OR REPLACE``, ``INSERT
    OR IGNORE``), ``size`` at a time, each row with the keys of the first; a column the rows
    leave out takes its default."""
    it = iter(rows)
    sql: str | None = None
    names: list[str] = []
    defaults = DEFAULTS.get(table, {})
    while batch := list(islice(it, size)):
        if sql is None:
            names = [*batch[0], *(name for name in defaults if name not in batch[0])]
            columns = ", ".join(quoted(name) for name in names)
            sql = f"{verb} INTO {table} ({columns}) VALUES ({', '.join('?' * len(names))})"
        db.executemany(
            sql, [tuple(row[n] if n in row else defaults[n] for n in names) for row in batch]
        )


def upsert(db: sqlite3.Connection, table: str, rows: Iterable[dict[str, object]]) -> None:
    insert(db, table, rows, verb="INSERT OR REPLACE")


def update(
    db: sqlite3.Connection,
    table: str,
    columns: Sequence[str],
    rows: Iterable[Sequence[object]],
    *,
    key: str = "id",
) -> None:
    """Set ``columns`` of the rows of ``table`` named by ``key``: each of ``rows`` holds the
    new values, in order, then the key."""
    assignments = ", ".join(f"{quoted(column)} = ?" for column in columns)
    db.executemany(f"UPDATE {table} SET {assignments} WHERE {quoted(key)} = ?", rows)


def dicts(cursor: sqlite3.Cursor) -> list[dict[str, Any]]:
    """The rows of a query's ``cursor``, each as a dict of its columns."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor]


def sha_bytes(sha: str) -> bytes:
    return bytes.fromhex(sha)


def sha_hex(value: object) -> str:
    """A sha kept as its bytes, in hex (a TypeError for anything else: the index is rebuilt)."""
    if value.__class__ is not bytes:
        raise TypeError(f"a sha kept as {value.__class__.__name__}")
    assert isinstance(value, bytes)
    return value.hex()


def event_row(event: Event) -> dict[str, object]:
    """The index row of an event."""
    details = event.details()
    return {
        "amendment": event.amendment,
        "id": event.id,
        "type": event.type,
        "member": event.member,
        "group": event.group,
        "at": event.at,
        "revision": event.revision,
        "stance": event.stance,
        "text": event.text,
        "reply_to": event.reply_to,
        "details": json.dumps(details, sort_keys=True) if details else "",
    }


def read_amendment_chains(
    book: Rulebook, history: MainHistory, tips: dict[str, str]
) -> Iterator[dict[str, object]]:
    """Index rows of the amendments the rulebook accepts (a forged or malformed one is left out,
    and ``wgtool verify`` reports it). The proposer's group is the roster's."""
    for amendment_id, chain in book.amendment_chains(tips, history).items():
        if not chain.valid:
            continue
        first, head = chain.revisions[0], chain.revisions[-1]
        paragraph = head.trailer(PARAGRAPH) or ""
        yield (
            {
                "id": amendment_id,
                "draft": chain.draft,
                "kind": head.trailer(KIND) or Kind.DOCUMENT.value,
                "paragraph": int(paragraph) if paragraph.isdigit() else None,
                "label": head.trailer(PARAGRAPH_LABEL) or (paragraph or None),
                "alternative_to": first.trailer(ALTERNATIVE_TO),
                "amends": first.trailer(AMENDS),
                "amends_revision": head.trailer(AMENDS_REVISION),
                "takes_in": json.dumps(
                    [
                        [r.trailer(ACCEPTS), r.sha, r.trailer(MEMBER)]
                        for r in chain.revisions
                        if r.trailer(ACCEPTS)
                    ]
                ),
                "title": head.title,
                "rationale": head.body,
                "proposer": chain.proposer,
                "group": chain.group,
                "base": chain.base,
                "head": head.sha,
                "revision": len(chain.revisions),
                "created_at": first.authored_at,
                "updated_at": head.authored_at,
                "status": Status.OPEN.value,
                "merged_by": None,
                "merge_commit": None,
                "reason": None,
            }
        )
