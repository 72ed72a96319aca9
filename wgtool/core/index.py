"""The SQLModel index: a projection of the refs for fast queries, never the truth.

It lives in ``.git/wgtool/index.sqlite`` and remembers which ref tips it has read. ``refresh``
reads only refs whose tip moved; ``rebuild`` deletes everything and reads all refs again, with
the same result. Deleting the file loses nothing.
"""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar, cast

from sqlalchemy import Table, bindparam, func, or_
from sqlalchemy import event as sa_event
from sqlalchemy import exc as sa_exc
from sqlalchemy import select as sa_select
from sqlalchemy import text as sa_text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import StaticPool
from sqlalchemy.sql.dml import Insert
from sqlmodel import Field, Session, SQLModel, col, create_engine, delete, select

from wgtool.core import document
from wgtool.core.gitstore import GitStore, parse_message
from wgtool.core.model import Adoption, Amendment, Event, Kind, Status
from wgtool.core.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS_PREFIX,
    KIND,
    MAIN_REF,
    MERGE,
    PARAGRAPH,
    REVERT,
    MainHistory,
    Rulebook,
    StoredMainCommit,
)
from wgtool.core.text.engine import align, split_units

SCHEMA_VERSION = 3


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


# -- a file that heals itself --------------------------------------------------------------------

F = TypeVar("F", bound=Callable[..., Any])


def _unusable(error: BaseException) -> bool:
    """An error that says the index file cannot be used (damaged, foreign, unwritable), as
    opposed to a mistake in a query, which must surface."""
    if isinstance(error, OSError):
        return True
    if isinstance(error, (sa_exc.IntegrityError, sa_exc.ProgrammingError, sa_exc.DataError)):
        return False
    return isinstance(error, (sa_exc.DatabaseError, sqlite3.DatabaseError))


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or type(error).__name__
    original = getattr(error, "orig", None) or error
    return " ".join(str(original).split()) or type(error).__name__


def _healing(method: F) -> F:
    """Run an index method; when the index file proves unusable, heal it and run it again."""

    @functools.wraps(method)
    def wrapper(self: Index, *args: Any, **kwargs: Any) -> Any:
        for attempt in range(3):
            try:
                self._open()  # opening may heal the file, and then it must be filled first
                if self._needs_fill and method.__name__ not in ("refresh", "rebuild"):
                    self._refresh()
                    self._needs_fill = False
                result = method(self, *args, **kwargs)
                if method.__name__ in ("refresh", "rebuild"):
                    self._needs_fill = False
                return result
            except Exception as error:
                if attempt == 2 or not _unusable(error):
                    raise
                self._recover(error, attempt)
        raise AssertionError("unreachable")

    return cast(F, wrapper)


def _create_schema(engine: Engine) -> None:
    """The tables, stamped with the schema version (a file that has them is left as it is)."""
    with engine.begin() as conn:
        if conn.execute(sa_text("SELECT count(*) FROM sqlite_master WHERE type='table'")).scalar():
            return
        SQLModel.metadata.create_all(conn)
        conn.execute(_upsert(Meta), [{"key": "schema", "value": str(SCHEMA_VERSION)}])


def _schema_problem(connection: sqlite3.Connection, *, thorough: bool) -> str | None:
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


def _fingerprint(listing: str) -> str:
    return hashlib.sha1(listing.encode()).hexdigest()


def _tips(listing: str) -> dict[str, str]:
    tips: dict[str, str] = {}
    for line in listing.splitlines():
        sha, name = line.split(" ", 1)
        tips[name] = sha
    return tips


class Index:
    """The index of one repository.

    The file heals itself: a damaged, foreign or outdated file (or anything else in its place)
    is replaced and rebuilt from the refs, and when the index cannot be written at all the refs
    are read into memory for the life of this object. Each time, ``notify`` gets one line.
    """

    def __init__(self, store: GitStore, notify: Callable[[str], object] | None = None) -> None:
        self.store = store
        self.directory = store.wgtool_dir
        self.path = self.directory / "index.sqlite"
        self.notify: Callable[[str], object] = notify or (lambda _message: None)
        self._engine: Engine | None = None
        self._in_memory = False
        self._needs_fill = False  # set after a heal: read every ref before answering a query

    # -- plumbing ------------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        return self._open()

    def _open(self) -> Engine:
        if self._engine is None:
            self._engine = self._open_memory() if self._in_memory else self._open_file()
        return self._engine

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def _open_file(self) -> Engine:
        with self._lock():
            problem = self._file_problem(thorough=False)
            if problem is not None:
                self._remove_files()
                self.notify(f"the index {self.path} was {problem}: rebuilding it from the refs")
                self._needs_fill = True
            engine = create_engine(f"sqlite:///{self.path}", connect_args={"timeout": 60})

            @sa_event.listens_for(engine, "connect")
            def _pragmas(dbapi_connection, _record):
                cursor = dbapi_connection.cursor()
                cursor.execute("PRAGMA journal_mode=WAL")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.close()

            try:
                _create_schema(engine)
            except BaseException:
                engine.dispose()
                raise
        return engine

    def _open_memory(self) -> Engine:
        # One shared connection: an in-memory database exists only inside its connection.
        engine = create_engine(
            "sqlite://", poolclass=StaticPool, connect_args={"check_same_thread": False}
        )
        _create_schema(engine)
        return engine

    def _file_problem(self, *, thorough: bool) -> str | None:
        """What makes the index file unusable, or None (it is ours, or absent, or empty)."""
        if self.path.is_symlink():
            return "a symbolic link"
        if not os.path.lexists(self.path):
            return None
        if not self.path.is_file():
            return "not a file"
        try:
            connection = sqlite3.connect(self.path, timeout=60)
            try:
                return _schema_problem(connection, thorough=thorough)
            finally:
                connection.close()
        except sqlite3.DatabaseError as error:
            return f"damaged ({error})"

    def _remove_files(self) -> None:
        """Remove the index and its journals; a link is removed, never what it points at."""
        for path in (self.path, *(Path(f"{self.path}{s}") for s in ("-wal", "-shm", "-journal"))):
            if path.is_dir() and not path.is_symlink():
                shutil.rmtree(path)
            elif os.path.lexists(path):
                path.unlink()

    def _recover(self, error: Exception, attempt: int) -> None:
        """After ``error`` from the index: heal the file (first time), else work in memory."""
        self.close()
        if self._in_memory:
            raise error
        self._needs_fill = True
        if attempt == 0:
            try:
                with self._lock():
                    problem = self._file_problem(thorough=True)
                    if problem is not None:
                        self._remove_files()
                        self.notify(
                            f"the index {self.path} was {problem}: rebuilding it from the refs"
                        )
                return
            except Exception as again:
                if not _unusable(again):
                    raise
                error = again
        self._in_memory = True
        self.notify(
            f"cannot use the index {self.path} ({_reason(error)}): "
            "reading the refs in memory instead"
        )

    @contextmanager
    def _lock(self) -> Iterator[None]:
        """One refresher at a time per repository; readers are never blocked (WAL)."""
        if self._in_memory:
            yield
            return
        with self.store.locked("index.lock"):
            yield

    # -- refreshing ----------------------------------------------------------------------------

    def _listing(self) -> str:
        return self.store.run(
            [
                "for-each-ref",
                "--format=%(objectname) %(refname)",
                MAIN_REF,
                AMENDMENTS_PREFIX.rstrip("/"),
                EVENTS_PREFIX.rstrip("/"),
            ]
        ).stdout.decode()

    @_healing
    def rebuild(self) -> dict[str, str]:
        """Forget everything and read all refs again, into a new file whatever the old one held."""
        self.close()
        with self._lock():
            if not self._in_memory:
                self._remove_files()
        return self._refresh()

    @_healing
    def refresh(self) -> dict[str, str]:
        """Read what changed in the refs since the last refresh (only new commits are read).

        Returns the ref tips (main, amendments, events) the index now reflects: a write whose
        preconditions were read from the index can compare-and-swap against them.
        """
        return self._refresh()

    def _refresh(self) -> dict[str, str]:
        listing = self._listing()
        engine = self.engine
        with engine.connect() as conn:
            stored = conn.execute(select(Meta.value).where(Meta.key == "refs")).scalar()
        if stored == _fingerprint(listing):
            return _tips(listing)
        with self._lock(), engine.begin() as conn:
            # Listed again under the lock: a listing made before another process's refresh would
            # be older than what that one stored, and would drop the refs written in between.
            listing = self._listing()
            fingerprint = _fingerprint(listing)
            current = _tips(listing)
            stored = conn.execute(select(Meta.value).where(Meta.key == "refs")).scalar()
            if stored == fingerprint:
                return current
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
            # Whether a paragraph is still there depends on main and on the amendment's base.
            self._update_lapsed(conn, None if MAIN_REF in changed else list(amendment_tips))
            conn.execute(_upsert(Meta), [{"key": "refs", "value": fingerprint}])
        return current

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
        """Merges and reverts on main's first-parent history that the rulebook accepts, with
        the consensus each merge records."""
        after = history.position(old)
        touched: set[str] = set()
        if after is None:
            # main is new or was rewritten: read all of its merges and reverts again.
            touched = set(conn.execute(select(MergeRow.amendment)).scalars())
            touched |= set(conn.execute(select(RevertRow.amendment)).scalars())
            conn.execute(delete(MergeRow))
            conn.execute(delete(RevertRow))
            after = -1
        decided = [
            commit
            for commit in history.commits[after + 1 :]
            if commit.valid and commit.kind in (MERGE, REVERT) and commit.amendment
        ]
        # One git process for the messages (a judged history restored from the index keeps no
        # message; the merges' trailers hold the consensus they were taken on).
        infos = self.store.commits([commit.sha for commit in decided])
        merges: list[dict[str, object]] = []
        reverts: list[dict[str, object]] = []
        for commit in decided:
            amendment = str(commit.amendment)
            touched.add(amendment)
            if commit.kind == REVERT:
                reverts.append(
                    {
                        "amendment": amendment,
                        "commit": commit.sha,
                        "reverted_by": commit.member or "",
                        "reverted_at": commit.record.committed_at,
                    }
                )
                continue
            adoption = Adoption.from_trailers(parse_message(infos[commit.sha].message)[2])
            merges.append(
                {
                    "amendment": amendment,
                    "commit": commit.sha,
                    "merged_by": commit.member or "",
                    "merged_at": commit.record.committed_at,
                    "consensus": adoption.consensus,
                    "supporting": ",".join(adoption.supporting),
                    "objecting": ",".join(adoption.objecting),
                    "not_heard": ",".join(adoption.not_heard),
                    "override_reason": adoption.reason,
                }
            )
        if merges:
            conn.execute(_upsert(MergeRow), merges)
        if reverts:
            conn.execute(_upsert(RevertRow), reverts)
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

    @_healing
    def amendment_ids(self) -> list[str]:
        with Session(self.engine) as session:
            return list(session.exec(select(AmendmentRow.id)))

    @_healing
    def amendment(self, amendment_id: str) -> Amendment | None:
        with Session(self.engine) as session:
            row = session.get(AmendmentRow, amendment_id)
            return None if row is None else _amendment_from_row(row)

    @_healing
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

    @_healing
    def events(self, amendment_id: str) -> list[Event]:
        with Session(self.engine) as session:
            rows = session.exec(
                select(EventRow)
                .where(EventRow.amendment == amendment_id)
                .order_by(col(EventRow.at), col(EventRow.id))
            )
            return [_event_from_row(r) for r in rows]

    @_healing
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

    @_healing
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

    @_healing
    def resolve_prefix(self, prefix: str) -> list[str]:
        with Session(self.engine) as session:
            return list(
                session.exec(
                    select(AmendmentRow.id).where(col(AmendmentRow.id).startswith(prefix)).limit(10)
                )
            )
