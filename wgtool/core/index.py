"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.
"""

from __future__ import annotations

import fcntl
import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, bindparam, func, or_
from sqlalchemy import event as sa_event
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert
from sqlmodel import Field, Session, SQLModel, col, create_engine, delete, select

from wgtool.core.gitstore import GitStore
from wgtool.core.model import Amendment, Event, Kind, Status
from wgtool.core.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS_PREFIX,
    KIND,
    MAIN_REF,
    MERGE,
    PARAGRAPH,
    MainHistory,
    Rulebook,
    StoredMainCommit,
)

SCHEMA_VERSION = 2


class RefTip(SQLModel, table=True):
    ref: str = Field(primary_key=True)
    sha: str


class AmendmentRow(SQLModel, table=True):
    id: str = Field(primary_key=True)
    draft: str = Field(index=True)
    kind: str
    paragraph: int | None = None
    title: str
    rationale: str
    proposer: str = Field(index=True)
    group: str = Field(index=True)
    base: str
    head: str
    revision: int
    created_at: int = Field(index=True)
    updated_at: int
    status: str = Field(default="open", index=True)
    merged_by: str | None = None
    merge_commit: str | None = None
    reason: str | None = None


class EventRow(SQLModel, table=True):
    """An event; its id is unique within its amendment (the key is both)."""

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


class MergeRow(SQLModel, table=True):
    """A merge commit on main that carries an ``Amendment-Id`` trailer."""

    amendment: str = Field(primary_key=True)
    commit: str
    merged_by: str
    merged_at: int


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


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


def _amendment_from_row(row: Any) -> Amendment:
    """From a table row or a plain result row (both have the columns as attributes)."""
    return Amendment(
        id=row.id,
        draft=row.draft,
        kind=Kind(row.kind),
        paragraph=row.paragraph,
        title=row.title,
        rationale=row.rationale,
        proposer=row.proposer,
        group=row.group,
        status=Status(row.status),
        base=row.base,
        head=row.head,
        revision=row.revision,
        created_at=row.created_at,
        updated_at=row.updated_at,
        merged_by=row.merged_by,
        merge_commit=row.merge_commit,
        decided_reason=row.reason,
    )


def _event_from_row(row: Any) -> Event:
    return Event(
        id=row.id,
        amendment=row.amendment,
        type=row.type,
        member=row.member,
        group=row.group,
        at=row.at,
        revision=row.revision,
        stance=row.stance,
        text=row.text,
        reply_to=row.reply_to,
    )


def read_amendment_chains(
    book: Rulebook, history: MainHistory, tips: dict[str, str]
) -> list[dict[str, object]]:
    """Index rows of the amendments the rulebook accepts (a forged or malformed one is left out,
    and ``wgtool verify`` reports it). The proposer's group is the roster's."""
    rows: list[dict[str, object]] = []
    for amendment_id, chain in book.amendment_chains(tips, history).items():
        if not chain.valid:
            continue
        first, head = chain.revisions[0], chain.revisions[-1]
        paragraph = head.trailer(PARAGRAPH) or ""
        rows.append(
            {
                "id": amendment_id,
                "draft": chain.draft,
                "kind": head.trailer(KIND) or Kind.DOCUMENT.value,
                "paragraph": int(paragraph) if paragraph.isdigit() else None,
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
    return rows


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _upsert(model: type[SQLModel]) -> Insert:
    return _table(model).insert().prefix_with("OR REPLACE")


class Index:
    """The index of one repository."""

    def __init__(self, store: GitStore) -> None:
        self.store = store
        self.directory = store.git_dir / "wgtool"
        self.path = self.directory / "index.sqlite"
        self._engine: Engine | None = None

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            self.directory.mkdir(parents=True, exist_ok=True)
            engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": 60})

            @sa_event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

            with self._lock():
                SQLModel.metadata.create_all(engine)
                with Session(engine) as session:
                    version = session.get(Meta, "schema")
                    if version is not None and version.value != str(SCHEMA_VERSION):
                        SQLModel.metadata.drop_all(engine)
                        SQLModel.metadata.create_all(engine)
                    session.merge(Meta(key="schema", value=str(SCHEMA_VERSION)))
                    session.commit()
            self._engine = engine
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One refresher at a time per repository; readers are never blocked (WAL)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / "index.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # -- refreshing ----------------------------------------------------------------------------

    def rebuild(self) -> None:
        """Forget everything and read all refs again."""
        engine = self.engine
        with self._lock(), engine.begin() as conn:
            for table in (RefTip, AmendmentRow, EventRow, MergeRow, MainRow, Meta):
                conn.execute(_table(table).delete())
        self.refresh()

    def refresh(self) -> None:
        """Read what changed in the refs since the last refresh (only new commits are read)."""
        listing = self.store.run(
            [
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                MAIN_REF,
                AMENDMENTS_PREFIX.rstrip("/"),
                EVENTS_PREFIX.rstrip("/"),
            ]
        ).stdout.decode()
        fingerprint = hashlib.sha1(listing.encode()).hexdigest()
        engine = self.engine
        with engine.connect() as conn:
            stored = conn.execute(select(Meta.value).where(Meta.key == "refs")).scalar()
        if stored == fingerprint:
            return
        current: dict[str, str] = {}
        for line in listing.splitlines():
            sha, name = line.split(" ", 1)
            current[name] = sha
        with self._lock(), engine.begin() as conn:
            known = dict(conn.execute(select(RefTip.ref, RefTip.sha)).all())
            touched: set[str] = set()
            for ref in set(known) - set(current):
                conn.execute(delete(RefTip).where(col(RefTip.ref) == ref))
                if ref.startswith(AMENDMENTS_PREFIX):
                    conn.execute(
                        delete(AmendmentRow).where(
                            col(AmendmentRow.id) == ref[len(AMENDMENTS_PREFIX) :]
                        )
                    )
                elif ref.startswith(EVENTS_PREFIX):
                    amendment_id = ref[len(EVENTS_PREFIX) :]
                    conn.execute(delete(EventRow).where(col(EventRow.amendment) == amendment_id))
                    touched.add(amendment_id)
            changed = {ref: sha for ref, sha in current.items() if known.get(ref) != sha}
            book = Rulebook(self.store, audit=False)
            history = self._main_history(conn, book, current.get(MAIN_REF))
            if known.get(MAIN_REF) is not None and history.position(known[MAIN_REF]) is None:
                # main was set back or rewritten: what was made against it is judged again.
                changed, known = dict(current), {}
            if MAIN_REF in changed:
                touched |= self._read_main(conn, history, known.get(MAIN_REF))
            amendment_tips = {
                ref[len(AMENDMENTS_PREFIX) :]: sha
                for ref, sha in changed.items()
                if ref.startswith(AMENDMENTS_PREFIX)
            }
            conn.execute(delete(AmendmentRow).where(col(AmendmentRow.id).in_(list(amendment_tips))))
            rows = read_amendment_chains(book, history, amendment_tips)
            if rows:
                conn.execute(_upsert(AmendmentRow), rows)
            touched |= set(amendment_tips)
            # Events are read again when their amendment changed too (a withdrawal is valid
            # only from the amendment's proposer).
            event_tips = {
                ref[len(EVENTS_PREFIX) :]: sha
                for ref, sha in current.items()
                if ref.startswith(EVENTS_PREFIX)
                and (ref in changed or ref[len(EVENTS_PREFIX) :] in amendment_tips)
            }
            # A chain that only grew is read from its previous tip on.
            since = {
                amendment_id: known[EVENTS_PREFIX + amendment_id]
                for amendment_id in event_tips
                if EVENTS_PREFIX + amendment_id in known and amendment_id not in amendment_tips
            }
            if event_tips:
                self._read_events(conn, book, history, event_tips, since)
            touched |= set(event_tips)
            if changed:
                conn.execute(_upsert(RefTip), [{"ref": r, "sha": s} for r, s in changed.items()])
            self._update_status(conn, touched)
            conn.execute(_upsert(Meta), [{"key": "refs", "value": fingerprint}])

    def _main_history(self, conn: Connection, book: Rulebook, main: str | None) -> MainHistory:
        """Main's judged history: as stored, extended by what main gained since, or read anew."""
        stored = self._stored_history(conn, book)
        history = book.history(main, since=stored)
        if history is stored:
            return history
        kept = 0
        if stored is not None and stored.tip is not None:
            position = history.position(stored.tip)
            if position is not None and position == len(stored.commits) - 1:
                kept = len(stored.commits)
        conn.execute(delete(MainRow).where(col(MainRow.position) >= kept))
        rows = [
            {"position": commit.position, **vars(commit.stored())}
            for commit in history.commits[kept:]
        ]
        if rows:
            conn.execute(_table(MainRow).insert(), rows)
        return history

    def _stored_history(self, conn: Connection, book: Rulebook) -> MainHistory | None:
        rows = conn.execute(sa_select(_table(MainRow)).order_by(col(MainRow.position))).all()
        if not rows:
            return None
        stored = [
            StoredMainCommit(**{k: v for k, v in row._mapping.items() if k != "position"})
            for row in rows
        ]
        return book.restored_history(stored[-1].sha, stored)

    def stored_history(self, book: Rulebook, main: str) -> MainHistory | None:
        """Main's judged history as the last refresh stored it, if main has not moved since."""
        with self.engine.connect() as conn:
            history = self._stored_history(conn, book)
        return history if history is not None and history.tip == main else None

    def _read_main(self, conn: Connection, history: MainHistory, old: str | None) -> set[str]:
        """Merges on main's first-parent history that the rulebook accepts."""
        after = history.position(old)
        touched: set[str] = set()
        if after is None:
            # main is new or was rewritten: read all of its merges again.
            touched = set(conn.execute(select(MergeRow.amendment)).scalars())
            conn.execute(delete(MergeRow))
            after = -1
        rows = [
            {
                "amendment": commit.amendment,
                "commit": commit.sha,
                "merged_by": commit.member or "",
                "merged_at": commit.record.committed_at,
            }
            for commit in history.commits[after + 1 :]
            if commit.valid and commit.kind == MERGE and commit.amendment
        ]
        touched |= {str(row["amendment"]) for row in rows}
        if rows:
            conn.execute(_upsert(MergeRow), rows)
        return touched

    def _read_events(
        self,
        conn: Connection,
        book: Rulebook,
        history: MainHistory,
        tips: dict[str, str],
        since: dict[str, str],
    ) -> None:
        """The events the rulebook accepts, each with its member's group from the roster.

        An event's key is (amendment, id), and a row is never replaced: what one member wrote
        cannot take the place of what another wrote.
        """
        proposers = dict(
            conn.execute(
                select(AmendmentRow.id, AmendmentRow.proposer).where(
                    col(AmendmentRow.id).in_(list(tips))
                )
            ).all()
        )
        chains = book.event_chains(tips, history, proposers, since=since)
        anew = [amendment for amendment, chain in chains.items() if not chain.partial]
        conn.execute(delete(EventRow).where(col(EventRow.amendment).in_(anew)))
        rows = [
            {"stance": None, "reply_to": None, **event.to_dict()}
            for chain in chains.values()
            for event in chain.events
        ]
        if rows:
            conn.execute(_table(EventRow).insert().prefix_with("OR IGNORE"), rows)

    def _update_status(self, conn: Connection, touched: set[str]) -> None:
        """Status follows from main's merges and the first reject/withdraw event."""
        if not touched:
            return
        ids = list(touched)
        merges = {
            m.amendment: m
            for m in conn.execute(select(MergeRow).where(col(MergeRow.amendment).in_(ids)))
        }
        # The index holds only events the rulebook accepts: a rejection is the chair's and a
        # withdrawal the proposer's, so the first of them decides.
        decisions: dict[str, tuple[str, str]] = {}
        for amendment, type_, text in conn.execute(
            select(EventRow.amendment, EventRow.type, EventRow.text)
            .where(col(EventRow.amendment).in_(ids))
            .where(col(EventRow.type).in_(("reject", "withdraw")))
            .order_by(col(EventRow.at), col(EventRow.id))
        ):
            decisions.setdefault(amendment, (type_, text))
        updates = []
        values: tuple[str, str | None, str | None, str | None]
        for amendment_id in ids:
            merge = merges.get(amendment_id)
            decision = decisions.get(amendment_id)
            if merge is not None:
                values = (Status.MERGED.value, merge.merged_by, merge.commit, None)
            elif decision is not None:
                status = Status.REJECTED if decision[0] == "reject" else Status.WITHDRAWN
                values = (status.value, None, None, decision[1] or None)
            else:
                values = (Status.OPEN.value, None, None, None)
            updates.append(
                dict(
                    zip(
                        ("b_status", "b_merged_by", "b_merge_commit", "b_reason"),
                        values,
                        strict=True,
                    ),
                    b_id=amendment_id,
                )
            )
        table = _table(AmendmentRow)
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(
                status=bindparam("b_status"),
                merged_by=bindparam("b_merged_by"),
                merge_commit=bindparam("b_merge_commit"),
                reason=bindparam("b_reason"),
            ),
            updates,
        )

    # -- queries -------------------------------------------------------------------------------

    def amendment_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(select(AmendmentRow.id)))

    def amendment(self, amendment_id: str) -> Amendment | None:
        with Session(self.engine) as session:
            row = session.get(AmendmentRow, amendment_id)
            return None if row is None else _amendment_from_row(row)

    def amendments(
        self,
        *,
        draft: str | None = None,
        status: str | None = None,
        group: str | None = None,
        proposer: str | None = None,
        text: str | None = None,
        ids: Sequence[str] | None = None,
    ) -> list[Amendment]:
        with self.engine.connect() as conn:
            # Plain rows, not ORM objects: listing thousands of amendments stays fast.
            query = sa_select(_table(AmendmentRow))
            if draft:
                query = query.where(col(AmendmentRow.draft) == draft)
            if status:
                query = query.where(col(AmendmentRow.status) == status)
            if group:
                query = query.where(col(AmendmentRow.group) == group)
            if proposer:
                query = query.where(col(AmendmentRow.proposer) == proposer)
            if ids is not None:
                query = query.where(col(AmendmentRow.id).in_(list(ids)))
            if text:
                pattern = f"%{text}%"
                query = query.where(
                    or_(
                        col(AmendmentRow.title).like(pattern),
                        col(AmendmentRow.rationale).like(pattern),
                        col(AmendmentRow.id).like(pattern),
                        col(AmendmentRow.proposer).like(pattern),
                    )
                )
            query = query.order_by(col(AmendmentRow.created_at), col(AmendmentRow.id))
            return [_amendment_from_row(r) for r in conn.execute(query)]

    def events(self, amendment_id: str) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(EventRow)
                .where(EventRow.amendment == amendment_id)
                .order_by(col(EventRow.at), col(EventRow.id))
            )
            return [_event_from_row(r) for r in rows]

    def positions_for(self, amendment_ids: Sequence[str] | None = None) -> dict[str, list[Event]]:
        """Position events per amendment, oldest first (for consensus summaries in listings)."""
        with self.engine.connect() as conn:
            query = sa_select(_table(EventRow)).where(col(EventRow.type) == "position")
            if amendment_ids is not None:
                query = query.where(col(EventRow.amendment).in_(list(amendment_ids)))
            query = query.order_by(col(EventRow.at), col(EventRow.id))
            result: dict[str, list[Event]] = {}
            for row in conn.execute(query):
                result.setdefault(row.amendment, []).append(_event_from_row(row))
            return result

    def open_counts(self, draft: str) -> dict[int, int]:
        """Open amendments per target paragraph of a draft."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(AmendmentRow.paragraph, func.count())
                .where(AmendmentRow.draft == draft)
                .where(AmendmentRow.status == Status.OPEN.value)
                .group_by(col(AmendmentRow.paragraph))
            )
            return {p: n for p, n in rows if p is not None}

    def resolve_prefix(self, prefix: str) -> list[str]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(AmendmentRow.id).where(col(AmendmentRow.id).startswith(prefix)).limit(10)
                )
            )
