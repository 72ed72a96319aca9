"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.

The package: :mod:`.rows` (tables and row conversions), :mod:`.lapsed`, :mod:`.healing`, and
the :class:`Index` class in layers, :mod:`.base` (the file) and :mod:`.refresh` (reading the
refs), with the queries here. The layers share the class's underscored methods; nothing
outside the package uses them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from wgtool.core.consensus import as_position
from wgtool.core.index.healing import healing
from wgtool.core.index.refresh import Refresher
from wgtool.core.index.rows import (
    SCHEMA_VERSION,
    AmendmentRow,
    EventRow,
    amendment_from_row,
    event_from_row,
    table_of,
)
from wgtool.core.model import Amendment, Event, Status


class Index(Refresher):
    """The index of one repository.

    The file heals itself: a damaged, foreign or outdated file (or anything else in its place)
    is replaced and rebuilt from the refs, and when the index cannot be written at all the refs
    are read into memory for the life of this object. Each time, ``notify`` gets one line.
    """

    # -- queries -------------------------------------------------------------------------------

    @healing
    def amendment_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(select(AmendmentRow.id)))

    @healing
    def amendment(self, amendment_id: str) -> Amendment | None:
        with Session(self.engine) as session:
            row = session.get(AmendmentRow, amendment_id)
            return None if row is None else amendment_from_row(row)

    @healing
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
            query = sa_select(table_of(AmendmentRow))
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
            return [amendment_from_row(r) for r in conn.execute(query)]

    @healing
    def events(self, amendment_id: str) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(EventRow)
                .where(EventRow.amendment == amendment_id)
                .order_by(col(EventRow.at), col(EventRow.id))
            )
            return [event_from_row(r) for r in rows]

    def positions_for(self, amendment_ids: Sequence[str] | None = None) -> dict[str, list[Event]]:
        """Position events per amendment, oldest first (for consensus summaries in listings);
        a broken silence counts as its breaker's objection."""
        result: dict[str, list[Event]] = {}
        for event in self.chain_events(amendment_ids, ("position", "silence-break")):
            result.setdefault(event.amendment, []).append(as_position(event))
        return result

    @healing
    def events_for(
        self,
        amendment_ids: Sequence[str] | None = None,
        *,
        types: Sequence[str] | None = None,
        member: str | None = None,
    ) -> dict[str, list[Event]]:
        """Events per chain (an amendment's, or a draft's), oldest first: of these chains
        (default: all), of these types (default: all), by this member (default: anyone)."""
        result: dict[str, list[Event]] = {}
        for event in self.chain_events(amendment_ids, types, member=member):
            result.setdefault(event.amendment, []).append(event)
        return result

    @healing
    def chain_events(
        self,
        keys: Sequence[str] | None = None,
        types: Sequence[str] | None = None,
        *,
        member: str | None = None,
    ) -> list[Event]:
        """The events of some chains (all: None), of some types, by a member, oldest first."""
        with self.engine.connect() as conn:
            query = sa_select(table_of(EventRow))
            if keys is not None:
                query = query.where(col(EventRow.amendment).in_(list(keys)))
            if types is not None:
                query = query.where(col(EventRow.type).in_(list(types)))
            if member is not None:
                query = query.where(col(EventRow.member) == member)
            query = query.order_by(col(EventRow.at), col(EventRow.id))
            return [event_from_row(row) for row in conn.execute(query)]

    @healing
    def events_by_prefix(self, prefix: str, types: Sequence[str]) -> list[Event]:
        """The events of some types whose id starts with ``prefix`` (at most ten)."""
        with self.engine.connect() as conn:
            query = (
                sa_select(table_of(EventRow))
                .where(col(EventRow.id).startswith(prefix))
                .where(col(EventRow.type).in_(list(types)))
                .limit(10)
            )
            return [event_from_row(row) for row in conn.execute(query)]

    @healing
    def states(self) -> dict[str, tuple[int, str]]:
        """Every amendment's revision and status, by id (what an inbox remembers of it)."""
        with self.engine.connect() as conn:
            query = sa_select(
                col(AmendmentRow.id), col(AmendmentRow.revision), col(AmendmentRow.status)
            )
            return {row.id: (row.revision, row.status) for row in conn.execute(query)}

    @healing
    def event_keys(self) -> dict[str, set[str]]:
        """The ids of every amendment's events, by amendment."""
        with self.engine.connect() as conn:
            query = sa_select(col(EventRow.amendment), col(EventRow.id))
            result: dict[str, set[str]] = {}
            for row in conn.execute(query):
                result.setdefault(row.amendment, set()).add(row.id)
            return result

    @healing
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

    @healing
    def resolve_prefix(self, prefix: str) -> list[str]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(AmendmentRow.id).where(col(AmendmentRow.id).startswith(prefix)).limit(10)
                )
            )


__all__ = ["SCHEMA_VERSION", "Index"]
