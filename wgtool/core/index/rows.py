"""The index's tables and how their rows become model objects (the refresh writes them: see
:mod:`wgtool.core.indexing`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Column, LargeBinary, Table
from sqlalchemy import text as sa_text
from sqlalchemy.engine import Engine, Result
from sqlmodel import Field, SQLModel

# Kept with the glance, which reads the index file without SQLAlchemy: SCHEMA_VERSION is
# raised there with any change to these tables.
from wgtool.core.glance import SCHEMA_VERSION as SCHEMA_VERSION
from wgtool.core.indexed import amendment_from, event_from
from wgtool.core.model import Amendment, Event

# The key is the row (WITHOUT ROWID): a table keyed by text keeps no second copy of its key.
WITHOUT_ROWID = {"sqlite_with_rowid": False}


class RefTip(SQLModel, table=True):
    """A ref's tip as the last refresh read it; the sha as its 20 bytes (see
    :func:`wgtool.core.indexing.rows.sha_bytes`)."""

    __table_args__ = WITHOUT_ROWID
    ref: str = Field(primary_key=True)
    sha: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


class AdoptionColumns(SQLModel):
    """The consensus a merge was taken on, as its merge commit's trailers record it."""

    consensus: str | None = None  # reached | overridden | unrecorded; None: not merged
    supporting: str = ""  # group slugs, comma-separated
    objecting: str = ""
    not_heard: str = ""
    override_reason: str | None = None
    silence: str | None = None  # the silence procedure it was adopted under


class AmendmentRow(AdoptionColumns, table=True):
    """An amendment. Only the columns a query looks a row up by are indexed (draft: a draft's
    listing and numbers; alternative_to and amends: an amendment's family and sub-amendments);
    the other filters read a few thousand rows, which costs less than keeping an index each."""

    id: str = Field(primary_key=True)
    draft: str = Field(index=True)
    kind: str
    paragraph: int | None = None
    title: str
    rationale: str
    proposer: str
    group: str
    base: str
    head: str
    revision: int
    created_at: int
    updated_at: int
    status: str = "open"
    merged_by: str | None = None
    merge_commit: str | None = None
    reason: str | None = None
    reverted_by: str | None = None
    revert_commit: str | None = None
    label: str | None = None
    alternative_to: str | None = Field(default=None, index=True)
    amends: str | None = Field(default=None, index=True)  # a sub-amendment's amendment
    amends_revision: str | None = None
    # The sub-amendments its revisions took in: a JSON list of [sub-amendment, revision
    # commit, who took it in (its proposer, or the chair who merged it)].
    takes_in: str = "[]"
    # The consensus as main's rule stands, kept by every refresh (listings read it, never
    # recompute it): a row of the consensus table (None: not known, read as pending).
    consensus_key: int | None = None


class ConsensusRow(SQLModel, table=True):
    """One consensus that amendments stand at: the verdict, and each stakeholder group's state
    as a JSON list of [group, state] pairs in the settings' order. Thousands of amendments
    share a few hundred of them, each kept once."""

    key: int = Field(primary_key=True)
    verdict: str
    groups: str


class EventRow(SQLModel, table=True):
    """An event; its id is unique within its amendment (the key is both)."""

    __table_args__ = WITHOUT_ROWID

    amendment: str = Field(primary_key=True)
    id: str = Field(primary_key=True)
    type: str
    member: str
    group: str
    at: float
    revision: int
    stance: str | None = None
    text: str = ""
    reply_to: str | None = None
    details: str = ""  # the event's optional fields (brackets, status, silences), as JSON


class MergeRow(AdoptionColumns, table=True):
    """A merge commit on main that carries an ``Amendment-Id`` trailer."""

    amendment: str = Field(primary_key=True)
    commit: str
    merged_by: str
    merged_at: int


class RevertRow(SQLModel, table=True):
    """A chair's commit on main that undoes a merged amendment (``Reverts-Amendment``)."""

    amendment: str = Field(primary_key=True)
    commit: str
    reverted_by: str
    reverted_at: int


class MainRow(SQLModel, table=True):
    """One commit of main's first-parent history as the rulebook judged it, in order: a
    refresh goes on from the last one instead of reading main again."""

    position: int = Field(primary_key=True)
    sha: str = Field(index=True)
    tree: str
    committed_at: int
    kind: str
    problem: str | None = None
    member: str | None = None
    amendment: str | None = None
    draft: str | None = None
    settings_blob: str | None = None
    roster_blob: str | None = None
    founded: bool = False
    # The steps this commit made in the drafts it changed, as JSON (see
    # wgtool.core.documents.attribution), each sealed with a digest: who wrote which words follows
    # from them. NULL: not read yet.
    draft_steps: str | None = None


class DraftRow(SQLModel, table=True):
    """A draft on main, as the first screen lists it (kept when main moves)."""

    slug: str = Field(primary_key=True)
    title: str
    paragraphs: int


class VersionRow(SQLModel, table=True):
    """A consensus version: a tag the rulebook accepted when the refresh judged the tags, in
    the rulebook's order (a tag it refuses has no row)."""

    position: int = Field(primary_key=True)
    tag: str
    sha: str  # the tag object
    draft: str
    name: str
    commit: str
    message: str
    tagger: str
    tagged_at: int


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


# The tables themselves, for queries in SQLAlchemy Core: plain rows, no ORM objects, and
# none of the ORM's set-up on a command's first query.
def table_of(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


AMENDMENTS = table_of(AmendmentRow)
EVENTS = table_of(EventRow)
MERGES = table_of(MergeRow)
REVERTS = table_of(RevertRow)
MAIN_ROWS = table_of(MainRow)
META = table_of(Meta)
DRAFT_ROWS = table_of(DraftRow)
VERSION_ROWS = table_of(VersionRow)
REF_TIPS = table_of(RefTip)
CONSENSUS = table_of(ConsensusRow)


def amendments_from(
    result: Result[Any],
    numbers: Callable[[set[str]], Mapping[str, tuple[str, int]]] | None = None,
) -> list[Amendment]:
    """The amendments of a query's result rows (whole rows of the amendments table), each with
    its official number from ``numbers`` of the drafts they amend (by id; without it, none).
    Each row is read as a dict: a row's attributes cost a lookup each, and so does asking every
    row for its column names, which shows in a listing of thousands."""
    names = list(result.keys())
    rows = [dict(zip(names, row, strict=True)) for row in result]
    if numbers is not None and rows:
        found = numbers({row["draft"] for row in rows})
        for row in rows:
            row["number"] = found[row["id"]][1]
    return [amendment_from(row) for row in rows]


def event_from_row(row: Any) -> Event:
    return event_from(row._mapping)


def create_schema(engine: Engine) -> None:
    """The tables, stamped with the schema version (a file that has them is left as it is)."""
    with engine.begin() as conn:
        if conn.execute(sa_text("SELECT count(*) FROM sqlite_master WHERE type='table'")).scalar():
            return
        SQLModel.metadata.create_all(conn)
        conn.execute(META.insert(), [{"key": "schema", "value": str(SCHEMA_VERSION)}])


def schema_problem(connection: sqlite3.Connection, *, thorough: bool) -> str | None:
    """Why a database is not an index this version of wgtool can use, or None."""
    tables = {
        name for (name,) in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
    }
    if not tables:
        return None  # empty: the tables are created on opening
    for name, table in SQLModel.metadata.tables.items():
        columns = {row[1] for row in connection.execute(f'PRAGMA table_info("{name}")')}
        if columns != {column.name for column in table.columns}:
            return "from another version of wgtool"
    version = connection.execute("SELECT value FROM meta WHERE key = 'schema'").fetchone()
    if version is None or version[0] != str(SCHEMA_VERSION):
        return "from another version of wgtool"
    if thorough:
        verdict = connection.execute("PRAGMA quick_check").fetchone()
        if verdict is None or verdict[0] != "ok":
            return f"damaged ({verdict[0] if verdict else 'no answer to a check'})"
    return None
