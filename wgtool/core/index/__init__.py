"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.

The package: :mod:`.rows` (tables and row conversions), :mod:`.healing` (what an error says of
the file), and the :class:`Index`, which composes two parts, each given what it needs: the file
(:class:`~.base.IndexFile`: opening, healing and replacing it, one refresher at a time) and the
:class:`~wgtool.core.indexing.refresh.Refresher` (reading the refs into it through ``sqlite3``,
as a command that never opens the index does), and answers the queries here. No part reaches
into another's underscored names.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any, TypeVar, cast

from sqlalchemy import bindparam, func, or_
from sqlalchemy import select as sa_select
from sqlalchemy import text as sa_text
from sqlalchemy.engine import Connection, Engine

from wgtool.core.consensus import as_position
from wgtool.core.documents.attribution import DraftStep
from wgtool.core.glance import CONSENSUS_SQL
from wgtool.core.index.base import IndexFile
from wgtool.core.index.rows import (
    AMENDMENTS,
    EVENTS,
    SCHEMA_VERSION,
    amendments_from,
    event_from_row,
)
from wgtool.core.indexed import group_states
from wgtool.core.indexing.refresh import Refresher
from wgtool.core.model import Amendment, Event, Status
from wgtool.core.numbering import NUMBER_OF_SQL, PLACES_SQL, numbered
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import MainHistory, Rulebook

GroupStates = tuple[str, tuple[tuple[str, str], ...]]  # a verdict, and (group, state) pairs
F = TypeVar("F", bound=Callable[..., Any])


def healing(query: F) -> F:
    """An index query that heals the file when it proves unusable, and fills a healed file
    before it answers (see :meth:`IndexFile.healed`)."""

    @functools.wraps(query)
    def healed(index: Index, *args: Any, **kwargs: Any) -> Any:
        return index.file.healed(lambda: query(index, *args, **kwargs), index.refresher.refresh)

    return cast(F, healed)


class Index:
    """The index of one repository.

    The file heals itself: a damaged, foreign or outdated file (or anything else in its place)
    is replaced and rebuilt from the refs, and when the index cannot be written at all the refs
    are read into memory for the life of this object. Each time, ``notify`` gets one line.
    """

    def __init__(self, store: GitStore, notify: Callable[[str], object] | None = None) -> None:
        self.store = store
        self.file = IndexFile(store, notify)
        self.refresher = Refresher(store, self.file.connection, self.file.lock)

    @property
    def engine(self) -> Engine:
        return self.file.engine

    def close(self) -> None:
        self.file.close()

    # -- refreshing ----------------------------------------------------------------------------

    def refresh(self, *, stale: bool = False) -> dict[str, str]:
        """Read what changed in the refs since the last refresh (only new commits are read);
        ``stale``: the caller has just seen that the file is not current (see
        :meth:`Refresher.refresh`).

        Returns the ref tips (main, amendments, events, tags) the index now reflects: a write whose
        preconditions were read from the index can compare-and-swap against them.
        """
        refresher = self.refresher
        return self.file.healed(
            lambda: refresher.refresh(stale=stale), refresher.refresh, fills=True
        )

    def rebuild(self) -> dict[str, str]:
        """Forget everything and read all refs again, into a new file whatever the old one held."""
        return self.file.healed(self._rebuilt, self.refresher.refresh, fills=True)

    def _rebuilt(self) -> dict[str, str]:
        self.file.close()
        with self.file.lock():
            if not self.file.in_memory:
                self.file.remove_files()
        return self.refresher.refresh()

    def stored_history(self, book: Rulebook, main: str) -> MainHistory | None:
        """Main's judged history as the last refresh stored it, if main has not moved since."""
        return self.refresher.stored_history(book, main)

    @healing
    def stored_steps(
        self, book: Rulebook, main: str, slug: str
    ) -> tuple[MainHistory, list[DraftStep]] | None:
        """Main's judged history and the steps draft ``slug`` took on it, as the last refresh
        stored them, if main has not moved since and every commit's steps were read."""
        return self.refresher.stored_steps(book, main, slug)

    # -- queries -------------------------------------------------------------------------------

    @healing
    def amendment_ids(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.execute(sa_select(AMENDMENTS.c.id)).scalars())

    @healing
    def amendment(self, amendment_id: str) -> Amendment | None:
        with self.engine.connect() as conn:
            query = sa_select(AMENDMENTS).where(AMENDMENTS.c.id == amendment_id)
            number: int = conn.execute(sa_text(NUMBER_OF_SQL), {"id": amendment_id}).scalar_one()
            found = amendments_from(conn.execute(query), lambda _: {amendment_id: ("", number)})
            return found[0] if found else None

    @healing
    def numbers(self) -> dict[str, tuple[str, int]]:
        """Every amendment's draft and official number, by id."""
        with self.engine.connect() as conn:
            return _numbers(conn, None)

    @healing
    def numbered(self, draft: str, number: int) -> str | None:
        """The id of the amendment numbered ``number`` in draft ``draft``, or None."""
        with self.engine.connect() as conn:
            found = _numbers(conn, {draft})
        return next((i for i, (_, n) in found.items() if n == number), None)

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
        family: str | None = None,
        amends: str | None = None,
    ) -> list[Amendment]:
        """Amendments matching every filter given; ``family``: that amendment and the ones
        tabled as alternatives to it; ``amends``: the sub-amendments to that amendment."""
        with self.engine.connect() as conn:
            # Plain rows, not ORM objects: listing thousands of amendments stays fast.
            query = sa_select(AMENDMENTS)
            if draft:
                query = query.where(AMENDMENTS.c.draft == draft)
            if status:
                query = query.where(AMENDMENTS.c.status == status)
            if group:
                query = query.where(AMENDMENTS.c.group == group)
            if proposer:
                query = query.where(AMENDMENTS.c.proposer == proposer)
            if ids is not None:
                query = query.where(AMENDMENTS.c.id.in_(list(ids)))
            if family is not None:
                query = query.where(
                    or_(AMENDMENTS.c.id == family, AMENDMENTS.c.alternative_to == family)
                )
            if amends is not None:
                query = query.where(AMENDMENTS.c.amends == amends)
            if text:
                pattern = f"%{text}%"
                query = query.where(
                    or_(
                        AMENDMENTS.c.title.like(pattern),
                        AMENDMENTS.c.rationale.like(pattern),
                        AMENDMENTS.c.id.like(pattern),
                        AMENDMENTS.c.proposer.like(pattern),
                    )
                )
            query = query.order_by(AMENDMENTS.c.created_at, AMENDMENTS.c.id)
            return amendments_from(conn.execute(query), lambda drafts: _numbers(conn, drafts))

    @healing
    def consensus_states(
        self, amendment_ids: Sequence[str] | None = None
    ) -> dict[str, GroupStates]:
        """The consensus each refresh keeps per amendment (of these, default all): the verdict
        and each stakeholder group's state, in the settings' order. Amendments in the same
        state share one answer (a few dozen different ones among thousands)."""
        with self.engine.connect() as conn:
            query = sa_text(f"SELECT a.id, {CONSENSUS_SQL}")
            values: dict[str, list[str]] = {}
            if amendment_ids is not None:
                query = sa_text(f"SELECT a.id, {CONSENSUS_SQL} WHERE a.id IN :ids").bindparams(
                    bindparam("ids", expanding=True)
                )
                values = {"ids": list(amendment_ids)}
            parsed: dict[tuple[str, str], GroupStates] = {}
            result = {}
            for amendment_id, verdict, raw in conn.execute(query, values):
                key = (verdict, raw)
                if key not in parsed:
                    parsed[key] = (verdict, group_states(raw))
                result[amendment_id] = parsed[key]
            return result

    @healing
    def events(self, amendment_id: str) -> list[Event]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa_select(EVENTS)
                .where(EVENTS.c.amendment == amendment_id)
                .order_by(EVENTS.c.at, EVENTS.c.id)
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
            query = sa_select(EVENTS)
            if keys is not None:
                query = query.where(EVENTS.c.amendment.in_(list(keys)))
            if types is not None:
                query = query.where(EVENTS.c.type.in_(list(types)))
            if member is not None:
                query = query.where(EVENTS.c.member == member)
            query = query.order_by(EVENTS.c.at, EVENTS.c.id)
            return [event_from_row(row) for row in conn.execute(query)]

    @healing
    def events_by_prefix(self, prefix: str, types: Sequence[str]) -> list[Event]:
        """The events of some types whose id starts with ``prefix`` (at most ten)."""
        with self.engine.connect() as conn:
            query = (
                sa_select(EVENTS)
                .where(EVENTS.c.id.startswith(prefix))
                .where(EVENTS.c.type.in_(list(types)))
                .limit(10)
            )
            return [event_from_row(row) for row in conn.execute(query)]

    @healing
    def states(self) -> dict[str, tuple[int, str]]:
        """Every amendment's revision and status, by id (what an inbox remembers of it)."""
        with self.engine.connect() as conn:
            query = sa_select(AMENDMENTS.c.id, AMENDMENTS.c.revision, AMENDMENTS.c.status)
            return {row.id: (row.revision, row.status) for row in conn.execute(query)}

    @healing
    def event_keys(self) -> dict[str, set[str]]:
        """The ids of every amendment's events, by amendment."""
        with self.engine.connect() as conn:
            query = sa_select(EVENTS.c.amendment, EVENTS.c.id)
            result: dict[str, set[str]] = {}
            for row in conn.execute(query):
                result.setdefault(row.amendment, set()).add(row.id)
            return result

    @healing
    def open_counts(self, draft: str) -> dict[int, int]:
        """Open amendments per target paragraph of a draft."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa_select(AMENDMENTS.c.paragraph, func.count())
                .where(AMENDMENTS.c.draft == draft)
                .where(AMENDMENTS.c.status == Status.OPEN.value)
                .group_by(AMENDMENTS.c.paragraph)
            )
            return {p: n for p, n in rows if p is not None}

    @healing
    def resolve_prefix(self, prefix: str) -> list[str]:
        with self.engine.connect() as conn:
            query = sa_select(AMENDMENTS.c.id).where(AMENDMENTS.c.id.startswith(prefix)).limit(10)
            return list(conn.execute(query).scalars())


def _numbers(conn: Connection, drafts: set[str] | None) -> dict[str, tuple[str, int]]:
    """The official numbers of the amendments of one draft of ``drafts`` (several or None:
    of every draft), by id."""
    if drafts is not None and len(drafts) == 1:
        query = sa_text(f"{PLACES_SQL} WHERE a.draft = :draft")
        places = conn.execute(query, {"draft": next(iter(drafts))})
    else:
        places = conn.execute(sa_text(PLACES_SQL))
    return numbered((i, d, p, c) for i, d, p, c in places)


__all__ = ["SCHEMA_VERSION", "Index"]
