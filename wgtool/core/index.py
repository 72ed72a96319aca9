"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Table, bindparam, func, or_
from sqlalchemy import event as sa_event
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.sql.dml import Insert
from sqlmodel import Field, Session, SQLModel, col, create_engine, delete, select

from wgtool.core import config, document
from wgtool.core.gitstore import CommitInfo, GitStore, parse_message
from wgtool.core.model import Adoption, Amendment, Event, Kind, Role, Stance, Status
from wgtool.core.text.engine import align, split_units
from wgtool.core.validate import NAME_RE

MAIN_REF = "refs/heads/main"
AMENDMENTS_PREFIX = "refs/wg/amendments/"
EVENTS_PREFIX = "refs/wg/events/"
SCHEMA_VERSION = 2
KINDS = frozenset(k.value for k in Kind)


class RefTip(SQLModel, table=True):
    ref: str = Field(primary_key=True)
    sha: str


class AdoptionColumns(SQLModel):
    """The consensus a merge was taken on, as its merge commit's trailers record it."""

    consensus: str | None = None  # reached | overridden | unrecorded; None: not merged
    supporting: str = ""  # group slugs, comma-separated
    objecting: str = ""
    not_heard: str = ""
    override_reason: str | None = None


class AmendmentRow(AdoptionColumns, table=True):
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
    reverted_by: str | None = None
    revert_commit: str | None = None


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
        adoption=None
        if row.consensus is None
        else Adoption(
            consensus=row.consensus,
            supporting=_split(row.supporting),
            objecting=_split(row.objecting),
            not_heard=_split(row.not_heard),
            reason=row.override_reason,
        ),
        reverted_by=row.reverted_by,
        revert_commit=row.revert_commit,
    )


def _last_trailer(trailers: dict[str, list[str]], name: str) -> str:
    return trailers.get(name, [""])[-1]


def _split(value: str) -> tuple[str, ...]:
    return tuple(v for v in value.split(",") if v)


# The columns a decision (merge, revert, reject, withdraw) sets on an amendment's row.
_DECIDED_COLUMNS = (
    "status",
    "merged_by",
    "merge_commit",
    "reason",
    "consensus",
    "supporting",
    "objecting",
    "not_heard",
    "override_reason",
    "reverted_by",
    "revert_commit",
)


class _GoneParagraphs:
    """Which paragraphs of a base text main no longer has; memoised per draft and base."""

    def __init__(self, store: GitStore, main: str) -> None:
        self.store, self.main = store, main
        self._main_units: dict[str, list[str] | None] = {}
        self._gone: dict[tuple[str, str], set[int] | None] = {}

    def __call__(self, draft: str, base: str, paragraph: int) -> bool:
        key = (draft, base)
        if key not in self._gone:
            self._gone[key] = self._compute(draft, base)
        gone = self._gone[key]
        return gone is None or paragraph in gone

    def _text(self, commit: str, draft: str) -> str | None:
        data = self.store.read_file(commit, f"drafts/{draft}.md")
        return None if data is None else data.decode("utf-8", "replace")

    def _compute(self, draft: str, base: str) -> set[int] | None:
        """Paragraph numbers of the base that main removed; None when the draft is gone."""
        if draft not in self._main_units:
            text = self._text(self.main, draft)
            self._main_units[draft] = None if text is None else split_units(text)
        main_units = self._main_units[draft]
        if main_units is None:
            return None
        base_text = self._text(base, draft) if base else None
        if base_text is None:
            return set()
        base_units = split_units(base_text)
        removed = {
            unit
            for edit in align(base_units, main_units)
            if not edit.paired
            for unit in range(edit.lo, edit.hi)
        }
        numbers = {i: b.number for i, b in enumerate(document.blocks(base_text)) if b.number}
        return {numbers[u] for u in removed if u in numbers}


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


def read_amendment_chains(store: GitStore, tips: dict[str, str]) -> list[dict[str, object]]:
    """Index rows of amendments, read from their ref tips back to the main commit they were
    based on. Commits are read in batches (one git process per revision depth), not one by one."""
    chains: dict[str, list[tuple[CommitInfo, dict[str, list[str]]]]] = {a: [] for a in tips}
    pending = dict(tips)
    while pending:
        infos = store.commits(list(pending.values()))
        next_pending: dict[str, str] = {}
        for amendment_id, sha in pending.items():
            info = infos[sha]
            _, _, trailers = parse_message(info.message)
            if trailers.get("Amendment-Id", [None])[-1] != amendment_id or not trailers.get(
                "Revision"
            ):
                continue
            chains[amendment_id].append((info, trailers))
            if trailers["Revision"][-1] != "1" and info.parents:
                next_pending[amendment_id] = info.parents[0]
        pending = next_pending
    rows: list[dict[str, object]] = []
    for amendment_id, chain in chains.items():
        if not chain:
            continue
        head_info, head_trailers = chain[0]
        first_info, first_trailers = chain[-1]
        title, body, _ = parse_message(head_info.message)
        paragraph = head_trailers.get("Paragraph", [""])[-1]
        names = (
            head_trailers.get("Draft", [""])[-1],
            first_trailers.get("Member", [""])[-1],
            first_trailers.get("Stakeholder-Group", [""])[-1],
        )
        if head_trailers.get("Kind", ["document"])[-1] not in KINDS or not all(
            NAME_RE.match(n) for n in names
        ):
            continue  # not a well-formed amendment (hand-made or forged): skipped, not fatal
        rows.append(
            {
                "id": amendment_id,
                "draft": head_trailers.get("Draft", [""])[-1],
                "kind": head_trailers.get("Kind", ["document"])[-1],
                "paragraph": int(paragraph) if paragraph.isdigit() else None,
                "title": title,
                "rationale": body,
                "proposer": first_trailers.get("Member", [""])[-1],
                "group": first_trailers.get("Stakeholder-Group", [""])[-1],
                "base": first_info.parents[0] if first_info.parents else "",
                "head": head_info.sha,
                "revision": len(chain),
                "created_at": first_info.authored_at,
                "updated_at": head_info.authored_at,
                "status": Status.OPEN.value,
                "merged_by": None,
                "merge_commit": None,
                "reason": None,
            }
        )
    return rows


EVENT_TYPES = frozenset({"comment", "position", "reject", "withdraw"})
STANCES = frozenset(s.value for s in Stance)


def _well_formed(ev: Event) -> bool:
    """An event wgtool could have written (a hand-made or forged one is skipped, not fatal)."""
    if ev.type not in EVENT_TYPES or not NAME_RE.match(ev.member) or not NAME_RE.match(ev.group):
        return False
    return (ev.stance in STANCES) if ev.type == "position" else ev.stance is None


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
            for table in (RefTip, AmendmentRow, EventRow, MergeRow, RevertRow, Meta):
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
            if MAIN_REF in changed:
                touched |= self._read_main(conn, known.get(MAIN_REF), changed[MAIN_REF])
                # The roster may have changed who is chair: rejections are weighed again.
                touched |= set(
                    conn.execute(
                        select(EventRow.amendment).where(EventRow.type == "reject")
                    ).scalars()
                )
            amendment_tips = {
                ref[len(AMENDMENTS_PREFIX) :]: sha
                for ref, sha in changed.items()
                if ref.startswith(AMENDMENTS_PREFIX)
            }
            rows = read_amendment_chains(self.store, amendment_tips)
            if rows:
                conn.execute(_upsert(AmendmentRow), rows)
            touched |= set(amendment_tips)
            event_tips = {
                ref[len(EVENTS_PREFIX) :]: sha
                for ref, sha in changed.items()
                if ref.startswith(EVENTS_PREFIX)
            }
            if event_tips:
                self._read_events(conn, event_tips)
            touched |= set(event_tips)
            if changed:
                conn.execute(_upsert(RefTip), [{"ref": r, "sha": s} for r, s in changed.items()])
            self._update_status(conn, touched)
            # Whether a paragraph is still there depends on main and on the amendment's base.
            self._update_lapsed(conn, None if MAIN_REF in changed else list(amendment_tips))
            conn.execute(_upsert(Meta), [{"key": "refs", "value": fingerprint}])

    def _chairs(self) -> set[str]:
        """Handles of the chairs in the roster on main (who may reject)."""
        main = self.store.resolve(MAIN_REF)
        roster = config.roster_at(self.store, main) if main else None
        if roster is None:
            return set()
        return {m.handle for m in roster if m.has(Role.CHAIR)}

    def _read_main(self, conn: Connection, old: str | None, new: str) -> set[str]:
        """Read main's first-parent history since ``old``: merges and reverts of amendments."""
        incremental = old is not None and self.store.is_ancestor(old, new)
        touched: set[str] = set()
        if not incremental:
            # main is new or was rewritten: read all of its merges and reverts again.
            touched = set(conn.execute(select(MergeRow.amendment)).scalars())
            touched |= set(conn.execute(select(RevertRow.amendment)).scalars())
            conn.execute(delete(MergeRow))
            conn.execute(delete(RevertRow))
        rev_range = f"{old}..{new}" if incremental else new
        merges, reverts = [], []
        for sha, parents, committed, message in self.store.records(
            ["log", "--first-parent", rev_range, "--"], ["%H", "%P", "%ct", "%B"]
        ):
            _, _, trailers = parse_message(message)
            last = functools.partial(_last_trailer, trailers)
            if len(parents.split()) == 2 and last("Amendment-Id"):
                adoption = Adoption.from_trailers(trailers)
                merges.append(
                    {
                        "amendment": last("Amendment-Id"),
                        "commit": sha,
                        "merged_by": last("Merged-by"),
                        "merged_at": int(committed),
                        "consensus": adoption.consensus,
                        "supporting": ",".join(adoption.supporting),
                        "objecting": ",".join(adoption.objecting),
                        "not_heard": ",".join(adoption.not_heard),
                        "override_reason": adoption.reason,
                    }
                )
                touched.add(last("Amendment-Id"))
            elif last("Action") == "revert" and last("Reverts-Amendment"):
                reverts.append(
                    {
                        "amendment": last("Reverts-Amendment"),
                        "commit": sha,
                        "reverted_by": last("Reverted-by"),
                        "reverted_at": int(committed),
                    }
                )
                touched.add(last("Reverts-Amendment"))
        if merges:
            conn.execute(_upsert(MergeRow), merges)
        if reverts:
            conn.execute(_upsert(RevertRow), reverts)
        return touched

    def _read_events(self, conn: Connection, tips: dict[str, str]) -> None:
        known = set(
            conn.execute(
                select(EventRow.id).where(col(EventRow.amendment).in_(list(tips)))
            ).scalars()
        )
        rows = []
        for amendment_id, tip in tips.items():
            for name, blob in self.store.list_dir(tip, "events"):
                event_id = name.removesuffix(".json")
                if event_id in known:
                    continue
                try:
                    ev = Event.from_dict(json.loads(self.store.read_blob(blob).decode("utf-8")))
                except (ValueError, KeyError, TypeError):
                    continue  # a malformed event file is skipped, not fatal
                if ev.amendment != amendment_id or ev.id != event_id or not _well_formed(ev):
                    continue
                known.add(event_id)
                rows.append({"stance": None, "reply_to": None, **ev.to_dict()})
        if rows:
            conn.execute(_upsert(EventRow), rows)

    def _update_status(self, conn: Connection, touched: set[str]) -> None:
        """Status follows from main's merges and the first reject/withdraw event."""
        if not touched:
            return
        ids = list(touched)
        merges = {
            m.amendment: m
            for m in conn.execute(select(MergeRow).where(col(MergeRow.amendment).in_(ids)))
        }
        proposers = dict(
            conn.execute(
                select(AmendmentRow.id, AmendmentRow.proposer).where(col(AmendmentRow.id).in_(ids))
            ).all()
        )
        chairs: set[str] | None = None  # read from the roster only if a rejection needs it
        decisions: dict[str, tuple[str, str]] = {}
        for amendment, type_, member, text in conn.execute(
            select(EventRow.amendment, EventRow.type, EventRow.member, EventRow.text)
            .where(col(EventRow.amendment).in_(ids))
            .where(col(EventRow.type).in_(("reject", "withdraw")))
            .order_by(col(EventRow.at), col(EventRow.id))
        ):
            # A decision counts only from someone entitled to it: a hand-made event pushed by
            # another machine cannot close an amendment.
            if type_ == "reject" and chairs is None:
                chairs = self._chairs()
            entitled = (
                member in (chairs or set())
                if type_ == "reject"
                else member == proposers.get(amendment)
            )
            if entitled:
                decisions.setdefault(amendment, (type_, text))
        reverts = {
            r.amendment: r
            for r in conn.execute(select(RevertRow).where(col(RevertRow.amendment).in_(ids)))
        }
        # Lapsed is derived from main by _update_lapsed; an undecided amendment keeps it here.
        lapsed = set(
            conn.execute(
                select(AmendmentRow.id)
                .where(col(AmendmentRow.id).in_(ids))
                .where(AmendmentRow.status == Status.LAPSED.value)
            ).scalars()
        )
        updates = []
        for amendment_id in ids:
            merge = merges.get(amendment_id)
            decision = decisions.get(amendment_id)
            row: dict[str, object] = dict.fromkeys(_DECIDED_COLUMNS)
            undecided = Status.LAPSED if amendment_id in lapsed else Status.OPEN
            row.update(supporting="", objecting="", not_heard="", status=undecided.value)
            if merge is not None:
                revert = reverts.get(amendment_id)
                row.update(
                    status=(Status.REVERTED if revert else Status.MERGED).value,
                    merged_by=merge.merged_by,
                    merge_commit=merge.commit,
                    consensus=merge.consensus,
                    supporting=merge.supporting,
                    objecting=merge.objecting,
                    not_heard=merge.not_heard,
                    override_reason=merge.override_reason,
                    reverted_by=revert.reverted_by if revert else None,
                    revert_commit=revert.commit if revert else None,
                )
            elif decision is not None:
                status = Status.REJECTED if decision[0] == "reject" else Status.WITHDRAWN
                row.update(status=status.value, reason=decision[1] or None)
            updates.append({f"b_{k}": v for k, v in row.items()} | {"b_id": amendment_id})
        table = _table(AmendmentRow)
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam(f"b_{column}") for column in _DECIDED_COLUMNS}),
            updates,
        )

    def _update_lapsed(self, conn: Connection, ids: Sequence[str] | None) -> None:
        """Mark open amendments whose paragraph main no longer has as lapsed (and back).

        Derived from main: an amendment that replaces or deletes paragraph N of its base lapses
        when main has removed that paragraph (or the whole draft). One alignment of each base
        with main serves every amendment made against it.
        """
        table = _table(AmendmentRow)
        query = (
            sa_select(table.c.id, table.c.draft, table.c.base, table.c.paragraph)
            .where(table.c.status.in_((Status.OPEN.value, Status.LAPSED.value)))
            .where(table.c.kind.in_((Kind.REPLACE.value, Kind.DELETE.value)))
            .where(table.c.paragraph.is_not(None))
        )
        if ids is not None:
            query = query.where(table.c.id.in_(list(ids)))
        rows = conn.execute(query).all()
        main = self.store.resolve(MAIN_REF)
        if not rows or main is None:
            return
        gone = _GoneParagraphs(self.store, main)
        updates = [
            {
                "b_id": amendment_id,
                "b_status": (Status.LAPSED if gone(draft, base, paragraph) else Status.OPEN).value,
            }
            for amendment_id, draft, base, paragraph in rows
        ]
        conn.execute(
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status")),
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
