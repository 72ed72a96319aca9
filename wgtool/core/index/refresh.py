"""Reading what changed in the refs into the index (only what moved since last time)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Connection

from wgtool.core.documents.attribution import DraftStep, draft_steps, stored_steps
from wgtool.core.glance import (
    FINGERPRINTS,
    fingerprints,
    indexed_listing,
    listing_of,
    tips_of,
)
from wgtool.core.index.base import IndexFile
from wgtool.core.index.consensus_rows import update_consensus
from wgtool.core.index.drafts import update_drafts, update_versions, versions_moved
from wgtool.core.index.lapsed import GoneParagraphs
from wgtool.core.index.rows import (
    AMENDMENTS,
    DECIDED_COLUMNS,
    EVENTS,
    MAIN_ROWS,
    MERGES,
    META,
    REF_TIPS,
    REVERTS,
    event_row,
    execute_many,
    read_amendment_chains,
    sha_bytes,
    sha_hex,
    upsert,
)
from wgtool.core.index.subs import update_sub_amendments
from wgtool.core.model import Adoption, Kind, Status
from wgtool.core.record.gitstore import CommitInfo, GitStore
from wgtool.core.record.messages import parse_message
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS_PREFIX,
    MAIN_REF,
    MERGE,
    REVERT,
    MainHistory,
    Rulebook,
    StoredMainCommit,
)

# The columns of main's rows that are not the rulebook's verdict on the commit.
_NOT_JUDGED = ("position", "draft_steps")


def _fingerprints(conn: Connection) -> dict[str, str]:
    """The fingerprints of the refs its last refresh read (see :func:`.glance.fingerprints`)."""
    rows = conn.execute(sa_select(META.c.key, META.c.value).where(META.c.key.in_(FINGERPRINTS)))
    return {key: value for key, value in rows}


class _CommitReader:
    """Commits read in one git process per batch, each once per refresh (the merges' trailers
    serve both the merges table and the drafts' steps)."""

    def __init__(self, store: GitStore) -> None:
        self.store = store
        self.read: dict[str, CommitInfo] = {}

    def __call__(self, shas: list[str]) -> dict[str, CommitInfo]:
        self.read.update(self.store.commits([sha for sha in shas if sha not in self.read]))
        return {sha: self.read[sha] for sha in shas if sha in self.read}


class Refresher:
    """Refreshing and rebuilding the index ``file`` from the refs (healing the file, should it
    prove unusable, is the caller's: see :meth:`IndexFile.healed`)."""

    def __init__(self, file: IndexFile) -> None:
        self.file = file
        self.store = file.store

    # -- refreshing ----------------------------------------------------------------------------

    def _listing(self) -> str:
        return indexed_listing(self.store)

    def rebuild(self) -> dict[str, str]:
        """Forget everything and read all refs again, into a new file whatever the old one held."""
        self.file.close()
        with self.file.lock():
            if not self.file.in_memory:
                self.file.remove_files()
        return self.refresh()

    def refresh(self, *, stale: bool = False) -> dict[str, str]:
        """Read the refs that moved since the last refresh into the index (only new commits are
        read), in one transaction under the lock; long because each kind of ref (gone,
        amendments, events, main) is one step of it. ``stale``: the caller has just seen that
        the file is not current (the glance), so the refs are listed under the lock only.

        Returns the ref tips (main, amendments, events, tags) the index now reflects: a write whose
        preconditions were read from the index can compare-and-swap against them.
        """
        engine = self.file.engine
        seen: dict[str, str] | None = None
        listing: str | None = None
        if not stale:  # else a refresh was just seen to be needed: list under the lock only
            with engine.connect() as conn:
                seen = _fingerprints(conn)
            listing = self._listing()
            if seen == fingerprints(listing):
                return tips_of(listing)
        with self.file.lock(), engine.begin() as conn:
            stored = _fingerprints(conn)
            if listing is None or stored != seen:
                # Another process refreshed since: the listing, made before its refresh, may be
                # older than what it stored, and would drop the refs written in between. Listed
                # again under the lock (otherwise one listing serves: nothing was stored since).
                listing = self._listing()
            fingerprint = fingerprints(listing)
            current = tips_of(listing)
            if stored == fingerprint:
                return current
            known = {
                ref: sha_hex(sha)
                for ref, sha in conn.execute(sa_select(REF_TIPS.c.ref, REF_TIPS.c.sha))
            }
            if set(stored) == set(FINGERPRINTS) and fingerprints(listing_of(known)) != stored:
                # Tips edited by hand: what moved cannot be told; a ValueError rebuilds it.
                raise ValueError("its ref tips are not those of its last refresh")
            touched: set[str] = set()
            gone = set(known) - set(current)
            for ref in gone:
                conn.execute(delete(REF_TIPS).where(REF_TIPS.c.ref == ref))
                if ref.startswith(AMENDMENTS_PREFIX):
                    conn.execute(
                        delete(AMENDMENTS).where(AMENDMENTS.c.id == ref[len(AMENDMENTS_PREFIX) :])
                    )
                elif ref.startswith(EVENTS_PREFIX):
                    amendment_id = ref[len(EVENTS_PREFIX) :]
                    conn.execute(delete(EVENTS).where(EVENTS.c.amendment == amendment_id))
                    touched.add(amendment_id)
            changed = {ref: sha for ref, sha in current.items() if known.get(ref) != sha}
            book = Rulebook(self.store, audit=False)
            history = self._main_history(conn, book, current.get(MAIN_REF))
            if known.get(MAIN_REF) is not None and history.position(known[MAIN_REF]) is None:
                # main was set back or rewritten: what was made against it is judged again.
                changed, known = dict(current), {}
            moved = gone | set(changed)
            if MAIN_REF in moved:
                update_drafts(conn, self.store, current.get(MAIN_REF))
            if versions_moved(moved):
                update_versions(conn, book, history, current)
            if MAIN_REF in changed:
                commits = _CommitReader(self.store)
                touched |= self._read_main(conn, history, known.get(MAIN_REF), commits)
                self._read_draft_steps(conn, history, commits)
            amendment_tips = {
                ref[len(AMENDMENTS_PREFIX) :]: sha
                for ref, sha in changed.items()
                if ref.startswith(AMENDMENTS_PREFIX)
            }
            conn.execute(delete(AMENDMENTS).where(AMENDMENTS.c.id.in_(list(amendment_tips))))
            rows = read_amendment_chains(book, history, amendment_tips)
            execute_many(conn, upsert(AMENDMENTS), rows)
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
                execute_many(
                    conn,
                    upsert(REF_TIPS),
                    ({"ref": r, "sha": sha_bytes(s)} for r, s in changed.items()),
                )
            self._update_status(conn, touched)
            if touched:
                self._update_alternatives(conn)
            # Whether a paragraph is still there depends on main and on the amendment's base.
            lapsing = None if MAIN_REF in changed else list(amendment_tips)
            self._update_lapsed(conn, current.get(MAIN_REF), lapsing)
            update_sub_amendments(conn)
            update_consensus(conn, self.store, current.get(MAIN_REF), touched)
            conn.execute(upsert(META), [{"key": k, "value": v} for k, v in fingerprint.items()])
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
        conn.execute(delete(MAIN_ROWS).where(MAIN_ROWS.c.position >= kept))
        rows = [
            {"position": commit.position, **vars(commit.stored())}
            for commit in history.commits[kept:]
        ]
        if rows:
            execute_many(conn, MAIN_ROWS.insert(), rows)
        return history

    def _stored_history(self, conn: Connection, book: Rulebook) -> MainHistory | None:
        rows = conn.execute(sa_select(MAIN_ROWS).order_by(MAIN_ROWS.c.position)).all()
        return self._history_of(rows, book)

    def _history_of(self, rows: Sequence[Any], book: Rulebook) -> MainHistory | None:
        if not rows:
            return None
        stored = [
            StoredMainCommit(**{k: v for k, v in row._mapping.items() if k not in _NOT_JUDGED})
            for row in rows
        ]
        return book.restored_history(stored[-1].sha, stored)

    def _read_draft_steps(
        self, conn: Connection, history: MainHistory, commits: _CommitReader
    ) -> None:
        """The steps each main commit not read yet made in the drafts (see
        :mod:`.attribution`), from the first such commit on."""
        table = MAIN_ROWS
        start = conn.execute(
            sa_select(func.min(table.c.position)).where(table.c.draft_steps.is_(None))
        ).scalar()
        if start is None:
            return
        made = draft_steps(self.store, history, start, commits)
        updates = [
            {
                "b_position": position,
                "b_steps": json.dumps(
                    {slug: step.stored(slug) for slug, step in made.get(position, {}).items()},
                    separators=(",", ":"),
                ),
            }
            for position in range(start, len(history.commits))
        ]
        conn.execute(
            table.update()
            .where(table.c.position == bindparam("b_position"))
            .values(draft_steps=bindparam("b_steps")),
            updates,
        )

    def stored_history(self, book: Rulebook, main: str) -> MainHistory | None:
        """Main's judged history as the last refresh stored it, if main has not moved since."""
        with self.file.engine.connect() as conn:
            history = self._stored_history(conn, book)
        return history if history is not None and history.tip == main else None

    def stored_steps(
        self, book: Rulebook, main: str, slug: str
    ) -> tuple[MainHistory, list[DraftStep]] | None:
        """Main's judged history and the steps draft ``slug`` took on it, as the last refresh
        stored them (read together), if main has not moved since and every commit's steps
        were read."""
        with self.file.engine.connect() as conn:  # one query: one state of the file
            rows = conn.execute(sa_select(MAIN_ROWS).order_by(MAIN_ROWS.c.position)).all()
        history = self._history_of(rows, book)
        if history is None or history.tip != main or any(r.draft_steps is None for r in rows):
            return None
        steps = stored_steps(((r.position, r.draft_steps) for r in rows), slug)
        return None if steps is None else (history, steps)

    def _read_main(
        self, conn: Connection, history: MainHistory, old: str | None, commits: _CommitReader
    ) -> set[str]:
        """Merges and reverts on main's first-parent history that the rulebook accepts, with
        the consensus each merge records."""
        after = history.position(old)
        touched: set[str] = set()
        if after is None:
            # main is new or was rewritten: read all of its merges and reverts again.
            touched = set(conn.execute(sa_select(MERGES.c.amendment)).scalars())
            touched |= set(conn.execute(sa_select(REVERTS.c.amendment)).scalars())
            conn.execute(delete(MERGES))
            conn.execute(delete(REVERTS))
            after = -1
        decided = [
            commit
            for commit in history.commits[after + 1 :]
            if commit.valid and commit.kind in (MERGE, REVERT) and commit.amendment
        ]
        # One git process for the messages (a judged history restored from the index keeps no
        # message; the merges' trailers hold the consensus they were taken on).
        infos = commits([commit.sha for commit in decided])
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
                    "silence": adoption.silence,
                }
            )
        if merges:
            execute_many(conn, upsert(MERGES), merges)
        if reverts:
            execute_many(conn, upsert(REVERTS), reverts)
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
                sa_select(AMENDMENTS.c.id, AMENDMENTS.c.proposer).where(
                    AMENDMENTS.c.id.in_(list(tips))
                )
            ).all()
        )
        chains = book.event_chains(tips, history, proposers, since=since)
        anew = [amendment for amendment, chain in chains.items() if not chain.partial]
        conn.execute(delete(EVENTS).where(EVENTS.c.amendment.in_(anew)))
        rows = (event_row(event) for chain in chains.values() for event in chain.events)
        execute_many(conn, EVENTS.insert().prefix_with("OR IGNORE"), rows)

    def _update_status(self, conn: Connection, touched: set[str]) -> None:
        """Status follows from main's merges and the first reject/withdraw event (one pass
        over the touched amendments, so long: every status has its rule here)."""
        if not touched:
            return
        ids = list(touched)
        merges = {
            m.amendment: m
            for m in conn.execute(sa_select(MERGES).where(MERGES.c.amendment.in_(ids)))
        }
        # The index holds only events the rulebook accepts: a rejection is the chair's and a
        # withdrawal the proposer's, so the first of them decides.
        decisions: dict[str, tuple[str, str]] = {}
        for amendment, type_, text in conn.execute(
            sa_select(EVENTS.c.amendment, EVENTS.c.type, EVENTS.c.text)
            .where(EVENTS.c.amendment.in_(ids))
            .where(EVENTS.c.type.in_(("reject", "withdraw")))
            .order_by(EVENTS.c.at, EVENTS.c.id)
        ):
            decisions.setdefault(amendment, (type_, text))
        reverts = {
            r.amendment: r
            for r in conn.execute(sa_select(REVERTS).where(REVERTS.c.amendment.in_(ids)))
        }
        # Lapsed is derived from main by _update_lapsed; an undecided amendment keeps it here.
        lapsed = set(
            conn.execute(
                sa_select(AMENDMENTS.c.id)
                .where(AMENDMENTS.c.id.in_(ids))
                .where(AMENDMENTS.c.status == Status.LAPSED.value)
            ).scalars()
        )
        updates = []
        for amendment_id in ids:
            merge = merges.get(amendment_id)
            decision = decisions.get(amendment_id)
            row: dict[str, object] = dict.fromkeys(DECIDED_COLUMNS)
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
                    silence=merge.silence,
                    reverted_by=revert.reverted_by if revert else None,
                    revert_commit=revert.commit if revert else None,
                )
            elif decision is not None:
                status = Status.REJECTED if decision[0] == "reject" else Status.WITHDRAWN
                row.update(status=status.value, reason=decision[1] or None)
            updates.append({f"b_{k}": v for k, v in row.items()} | {"b_id": amendment_id})
        table = AMENDMENTS
        execute_many(
            conn,
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values({column: bindparam(f"b_{column}") for column in DECIDED_COLUMNS}),
            updates,
        )

    def _update_alternatives(self, conn: Connection) -> None:
        """Alternatives for one passage: once one of them is merged, the others that are still
        undecided are not adopted (and open again should that merge be reverted)."""
        table = AMENDMENTS
        linked = conn.execute(
            sa_select(table.c.id, table.c.alternative_to).where(table.c.alternative_to.is_not(None))
        ).all()
        if not linked:
            return
        root: dict[str, str] = {}

        def find(a: str) -> str:
            while root.get(a, a) != a:
                a = root[a]
            return a

        for amendment_id, other in linked:
            root[find(amendment_id)] = find(other)
        members = set(root) | set(root.values())
        rows = conn.execute(
            sa_select(table.c.id, table.c.status).where(table.c.id.in_(list(members)))
        ).all()
        merged: dict[str, str] = {}
        for amendment_id, status in sorted(rows):
            if status == Status.MERGED.value:
                merged.setdefault(find(amendment_id), amendment_id)
        updates: list[tuple[str, str, str | None]] = []
        for amendment_id, status in rows:
            chosen = merged.get(find(amendment_id))
            if chosen and status in (Status.OPEN.value, Status.LAPSED.value):
                reason = f"alternative {chosen} was adopted instead"
                updates.append((amendment_id, Status.NOT_ADOPTED.value, reason))
            elif not chosen and status == Status.NOT_ADOPTED.value:
                updates.append((amendment_id, Status.OPEN.value, None))
        if updates:
            execute_many(
                conn,
                table.update()
                .where(table.c.id == bindparam("b_id"))
                .values(status=bindparam("b_status"), reason=bindparam("b_reason")),
                ({"b_id": i, "b_status": st, "b_reason": r} for i, st, r in updates),
            )

    def _update_lapsed(self, conn: Connection, main: str | None, ids: Sequence[str] | None) -> None:
        """Mark open amendments whose paragraph main (at ``main``, as listed) no longer has as
        lapsed (and back).

        Derived from main: an amendment that replaces or deletes paragraph N of its base lapses
        when main has removed that paragraph (or the whole draft). One alignment of each base
        with main serves every amendment made against it.
        """
        table = AMENDMENTS
        query = (
            sa_select(table.c.id, table.c.draft, table.c.base, table.c.paragraph, table.c.status)
            .where(table.c.status.in_((Status.OPEN.value, Status.LAPSED.value)))
            .where(table.c.kind.in_((Kind.REPLACE.value, Kind.DELETE.value)))
            .where(table.c.paragraph.is_not(None))
        )
        if ids is not None:
            query = query.where(table.c.id.in_(list(ids)))
        rows = conn.execute(query).all()
        if not rows or main is None:
            return
        gone = GoneParagraphs(self.store, main)
        # Only the rows whose status changes are written: a merge leaves most of thousands of
        # open amendments as they were, and writing each costs more than judging it.
        updates = [
            {"b_id": amendment_id, "b_status": status}
            for amendment_id, draft, base, paragraph, was in rows
            if (status := (Status.LAPSED if gone(draft, base, paragraph) else Status.OPEN).value)
            != was
        ]
        if not updates:
            return
        execute_many(
            conn,
            table.update()
            .where(table.c.id == bindparam("b_id"))
            .values(status=bindparam("b_status")),
            updates,
        )
