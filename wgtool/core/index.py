"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.
"""

from __future__ import annotations

import fcntl
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import event as sa_event
from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Field, Session, SQLModel, create_engine, delete, select

from wgtool.core.gitstore import GitStore, parse_message
from wgtool.core.model import Amendment, Event, Kind, Status

MAIN_REF = "refs/heads/main"
AMENDMENTS_PREFIX = "refs/wg/amendments/"
EVENTS_PREFIX = "refs/wg/events/"
SCHEMA_VERSION = 1


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
    id: str = Field(primary_key=True)
    amendment: str = Field(index=True)
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


class Meta(SQLModel, table=True):
    key: str = Field(primary_key=True)
    value: str


def _amendment_from_row(row: AmendmentRow) -> Amendment:
    return Amendment(
        id=row.id, draft=row.draft, kind=Kind(row.kind), paragraph=row.paragraph,
        title=row.title, rationale=row.rationale, proposer=row.proposer, group=row.group,
        status=Status(row.status), base=row.base, head=row.head, revision=row.revision,
        created_at=row.created_at, updated_at=row.updated_at, merged_by=row.merged_by,
        merge_commit=row.merge_commit, decided_reason=row.reason,
    )


def _event_from_row(row: EventRow) -> Event:
    return Event(
        id=row.id, amendment=row.amendment, type=row.type, member=row.member, group=row.group,
        at=row.at, revision=row.revision, stance=row.stance, text=row.text, reply_to=row.reply_to,
    )


def read_amendment_chain(store: GitStore, amendment_id: str, tip: str) -> AmendmentRow | None:
    """Read an amendment's revisions from its ref tip back to the main commit it was based on."""
    chain = []
    sha: str | None = tip
    while sha is not None:
        info = store.commit(sha)
        _, _, trailers = parse_message(info.message)
        if trailers.get("Amendment-Id", [None])[-1] != amendment_id or not trailers.get("Revision"):
            break
        chain.append((info, trailers))
        sha = info.parents[0] if info.parents else None
    if not chain:
        return None
    head_info, head_trailers = chain[0]
    first_info, first_trailers = chain[-1]
    title, body, _ = parse_message(head_info.message)
    paragraph = head_trailers.get("Paragraph", [""])[-1]
    return AmendmentRow(
        id=amendment_id,
        draft=head_trailers.get("Draft", [""])[-1],
        kind=head_trailers.get("Kind", ["document"])[-1],
        paragraph=int(paragraph) if paragraph.isdigit() else None,
        title=title,
        rationale=body,
        proposer=first_trailers.get("Member", [""])[-1],
        group=first_trailers.get("Stakeholder-Group", [""])[-1],
        base=first_info.parents[0] if first_info.parents else "",
        head=head_info.sha,
        revision=len(chain),
        created_at=first_info.authored_at,
        updated_at=head_info.authored_at,
    )


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
            def _pragmas(dbapi_connection, _record):  # type: ignore[no-untyped-def]
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
        engine = self.engine
        with self._lock(), Session(engine) as session:
            for table in (RefTip, AmendmentRow, EventRow, MergeRow):
                session.exec(delete(table))  # type: ignore[call-overload]
            session.commit()
        self.refresh()

    def refresh(self) -> None:
        """Read what changed in the refs since the last refresh."""
        current = self.store.refs(MAIN_REF, AMENDMENTS_PREFIX.rstrip("/"), EVENTS_PREFIX.rstrip("/"))
        engine = self.engine
        with self._lock(), Session(engine) as session:
            known = {row.ref: row.sha for row in session.exec(select(RefTip))}
            if known == current:
                return
            touched: set[str] = set()
            for ref in set(known) - set(current):
                session.exec(delete(RefTip).where(RefTip.ref == ref))  # type: ignore[call-overload]
                if ref.startswith(AMENDMENTS_PREFIX):
                    amendment_id = ref[len(AMENDMENTS_PREFIX):]
                    session.exec(delete(AmendmentRow).where(AmendmentRow.id == amendment_id))  # type: ignore[call-overload]
                elif ref.startswith(EVENTS_PREFIX):
                    amendment_id = ref[len(EVENTS_PREFIX):]
                    session.exec(delete(EventRow).where(EventRow.amendment == amendment_id))  # type: ignore[call-overload]
                    touched.add(amendment_id)
            for ref, sha in current.items():
                if known.get(ref) == sha:
                    continue
                if ref == MAIN_REF:
                    touched |= self._read_main(session, known.get(ref), sha)
                elif ref.startswith(AMENDMENTS_PREFIX):
                    amendment_id = ref[len(AMENDMENTS_PREFIX):]
                    row = read_amendment_chain(self.store, amendment_id, sha)
                    if row is not None:
                        old = session.get(AmendmentRow, amendment_id)
                        if old is not None:
                            row.status, row.merged_by, row.merge_commit, row.reason = (
                                old.status, old.merged_by, old.merge_commit, old.reason)
                        session.merge(row)
                    touched.add(amendment_id)
                elif ref.startswith(EVENTS_PREFIX):
                    amendment_id = ref[len(EVENTS_PREFIX):]
                    self._read_events(session, amendment_id, sha)
                    touched.add(amendment_id)
                session.merge(RefTip(ref=ref, sha=sha))
            session.flush()
            for amendment_id in touched:
                self._update_status(session, amendment_id)
            session.commit()

    def _read_main(self, session: Session, old: str | None, new: str) -> set[str]:
        rev_range = [new] if old is None or not self.store.is_ancestor(old, new) else [f"{old}..{new}"]
        if rev_range == [new]:
            # main was rewritten or is new: read all of its merges again.
            session.exec(delete(MergeRow))  # type: ignore[call-overload]
        output = self.store.run(
            ["log", "--merges", "--format=%H%x00%ct%x00%B%x1e", *rev_range, "--"]
        ).stdout.decode("utf-8", "replace")
        touched = {row.amendment for row in session.exec(select(MergeRow))} if rev_range == [new] else set()
        for record in output.split("\x1e"):
            record = record.strip("\n")
            if not record:
                continue
            sha, committed, message = record.split("\x00", 2)
            _, _, trailers = parse_message(message)
            amendment_id = trailers.get("Amendment-Id", [None])[-1]
            if not amendment_id:
                continue
            session.merge(MergeRow(amendment=amendment_id, commit=sha,
                                   merged_by=trailers.get("Merged-by", [""])[-1],
                                   merged_at=int(committed)))
            touched.add(amendment_id)
        return touched

    def _read_events(self, session: Session, amendment_id: str, tip: str) -> None:
        known = set(session.exec(select(EventRow.id).where(EventRow.amendment == amendment_id)))
        for name, blob in self.store.list_dir(tip, "events"):
            event_id = name.removesuffix(".json")
            if event_id in known:
                continue
            try:
                data = json.loads(self.store.read_blob(blob).decode("utf-8"))
                ev = Event.from_dict(data)
            except (ValueError, KeyError, TypeError):
                continue  # a malformed event file is skipped, not fatal; verify reports it
            if ev.amendment != amendment_id or ev.id != event_id:
                continue
            session.merge(EventRow(**ev.to_dict()))

    def _update_status(self, session: Session, amendment_id: str) -> None:
        row = session.get(AmendmentRow, amendment_id)
        if row is None:
            return
        merge = session.get(MergeRow, amendment_id)
        row.merged_by = row.merge_commit = row.reason = None
        if merge is not None:
            row.status = Status.MERGED.value
            row.merged_by = merge.merged_by
            row.merge_commit = merge.commit
        else:
            row.status = Status.OPEN.value
            decisions = session.exec(
                select(EventRow)
                .where(EventRow.amendment == amendment_id)
                .where(or_(EventRow.type == "reject", EventRow.type == "withdraw"))
                .order_by(EventRow.at, EventRow.id)  # type: ignore[arg-type]
            ).all()
            if decisions:
                first = decisions[0]
                row.status = Status.REJECTED.value if first.type == "reject" else Status.WITHDRAWN.value
                row.reason = first.text or None
        session.add(row)

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
        with Session(self.engine) as session:
            query = select(AmendmentRow)
            if draft:
                query = query.where(AmendmentRow.draft == draft)
            if status:
                query = query.where(AmendmentRow.status == status)
            if group:
                query = query.where(AmendmentRow.group == group)
            if proposer:
                query = query.where(AmendmentRow.proposer == proposer)
            if ids is not None:
                query = query.where(AmendmentRow.id.in_(list(ids)))  # type: ignore[attr-defined]
            if text:
                pattern = f"%{text}%"
                query = query.where(or_(
                    AmendmentRow.title.like(pattern),  # type: ignore[attr-defined]
                    AmendmentRow.rationale.like(pattern),  # type: ignore[attr-defined]
                    AmendmentRow.id.like(pattern),  # type: ignore[attr-defined]
                    AmendmentRow.proposer.like(pattern),  # type: ignore[attr-defined]
                ))
            query = query.order_by(AmendmentRow.created_at, AmendmentRow.id)  # type: ignore[arg-type]
            return [_amendment_from_row(r) for r in session.exec(query)]

    def events(self, amendment_id: str) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(EventRow).where(EventRow.amendment == amendment_id)
                .order_by(EventRow.at, EventRow.id)  # type: ignore[arg-type]
            )
            return [_event_from_row(r) for r in rows]

    def positions_for(self, amendment_ids: Sequence[str] | None = None) -> dict[str, list[Event]]:
        """Position events per amendment, oldest first (for consensus summaries in listings)."""
        with Session(self.engine) as session:
            query = select(EventRow).where(EventRow.type == "position")
            if amendment_ids is not None:
                query = query.where(EventRow.amendment.in_(list(amendment_ids)))  # type: ignore[attr-defined]
            query = query.order_by(EventRow.at, EventRow.id)  # type: ignore[arg-type]
            result: dict[str, list[Event]] = {}
            for row in session.exec(query):
                result.setdefault(row.amendment, []).append(_event_from_row(row))
            return result

    def open_counts(self, draft: str) -> dict[int, int]:
        """Open amendments per target paragraph of a draft."""
        with Session(self.engine) as session:
            rows = session.exec(
                select(AmendmentRow.paragraph, func.count())
                .where(AmendmentRow.draft == draft)
                .where(AmendmentRow.status == Status.OPEN.value)
                .group_by(AmendmentRow.paragraph)
            )
            return {p: n for p, n in rows if p is not None}

    def resolve_prefix(self, prefix: str) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(
                select(AmendmentRow.id).where(AmendmentRow.id.startswith(prefix))  # type: ignore[attr-defined]
                .limit(10)
            ))
