"""Reading what changed in the refs into the index (only what moved since last time)."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from typing import Any

from wgtool.core.documents.attribution import DraftStep, draft_steps, stored_steps
from wgtool.core.glance import (
    FINGERPRINTS,
    fingerprints,
    indexed_listing,
    listing_of,
    tips_of,
)
from wgtool.core.indexing.consensus_rows import update_consensus
from wgtool.core.indexing.drafts import update_drafts, update_versions, versions_moved
from wgtool.core.indexing.lapsed import GoneParagraphs
from wgtool.core.indexing.rows import (
    AMENDMENTS,
    DECIDED_COLUMNS,
    EVENTS,
    IN_LIST,
    MAIN_ROWS,
    MERGES,
    META,
    REF_TIPS,
    REVERTS,
    dicts,
    event_row,
    in_list,
    insert,
    read_amendment_chains,
    sha_bytes,
    sha_hex,
    transaction,
    update,
    upsert,
)
from wgtool.core.indexing.subs import update_sub_amendments
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

Connect = Callable[[], AbstractContextManager[sqlite3.Connection]]


def _fingerprints(db: sqlite3.Connection) -> dict[str, str]:
    """The fingerprints of the refs its last refresh read (see :func:`.glance.fingerprints`)."""
    query = f"SELECT key, value FROM {META} WHERE key IN ({', '.join('?' * len(FINGERPRINTS))})"
    return {key: value for key, value in db.execute(query, FINGERPRINTS)}


class _CommitReader:
    """Commits read in one git process per batch, each once per refresh (the merges' trailers
    serve both the merges table and the drafts' steps); none that the rulebook read already
    (after a clone or a sync, main's every new commit)."""

    def __init__(self, store: GitStore, known: Mapping[str, CommitInfo]) -> None:
        self.store = store
        self.known = known
        self.read: dict[str, CommitInfo] = {}

    def __call__(self, shas: list[str]) -> dict[str, CommitInfo]:
        for sha in shas:
            if sha in self.known:
                self.read[sha] = self.known[sha]
        self.read.update(self.store.commits([sha for sha in shas if sha not in self.read]))
        return {sha: self.read[sha] for sha in shas if sha in self.read}


class Refresher:
    """Refreshing the index file of ``store`` from the refs: ``connect`` gives a connection to
    the file (its tables made), ``lock`` holds the one refresher's lock (creating, healing and
    replacing the file is the caller's: see :class:`wgtool.core.index.base.IndexFile`)."""

    def __init__(
        self, store: GitStore, connect: Connect, lock: Callable[[], AbstractContextManager[None]]
    ) -> None:
        self.store = store
        self.connect = connect
        self.lock = lock

    # -- refreshing ----------------------------------------------------------------------------

    def _listing(self) -> str:
        return indexed_listing(self.store)

    def refresh(self, *, stale: bool = False) -> dict[str, str]:
        """Read the refs that moved since the last refresh into the index (only new commits are
        read), in one transaction under the lock. ``stale``: the caller has just seen that
        the file is not current (the glance), so the refs are listed under the lock only.

        Returns the ref tips (main, amendments, events, tags) the index now reflects: a write whose
        preconditions were read from the index can compare-and-swap against them.
        """
        with self.connect() as db:
            seen: dict[str, str] | None = None
            listing: str | None = None
            if not stale:  # else a refresh was just seen to be needed: list under the lock only
                seen = _fingerprints(db)
                listing = self._listing()
                if seen == fingerprints(listing):
                    return tips_of(listing)
            with self.lock(), transaction(db):
                stored = _fingerprints(db)
                if listing is None or stored != seen:
                    # Another process refreshed since: the listing, made before its refresh, may
                    # be older than what it stored, and would drop the refs written in between.
                    # Listed again under the lock (otherwise one listing serves).
                    listing = self._listing()
                if stored == fingerprints(listing):
                    return tips_of(listing)
                return self._read(db, listing, stored)

    def _read(self, db: sqlite3.Connection, listing: str, stored: dict[str, str]) -> dict[str, str]:
        """Read what moved since the refresh that stored ``stored`` up to the refs as
        ``listing`` lists them; long because each kind of ref (gone, amendments, events, main)
        is one step of it."""
        fingerprint = fingerprints(listing)
        current = tips_of(listing)
        known = {ref: sha_hex(sha) for ref, sha in db.execute(f"SELECT ref, sha FROM {REF_TIPS}")}
        if set(stored) == set(FINGERPRINTS) and fingerprints(listing_of(known)) != stored:
            # Tips edited by hand: what moved cannot be told; a ValueError rebuilds it.
            raise ValueError("its ref tips are not those of its last refresh")
        touched: set[str] = set()
        gone = set(known) - set(current)
        db.executemany(f"DELETE FROM {REF_TIPS} WHERE ref = ?", [(ref,) for ref in gone])
        gone_amendments = [
            r[len(AMENDMENTS_PREFIX) :] for r in gone if r.startswith(AMENDMENTS_PREFIX)
        ]
        db.executemany(f"DELETE FROM {AMENDMENTS} WHERE id = ?", [(a,) for a in gone_amendments])
        gone_chains = [r[len(EVENTS_PREFIX) :] for r in gone if r.startswith(EVENTS_PREFIX)]
        db.executemany(f"DELETE FROM {EVENTS} WHERE amendment = ?", [(a,) for a in gone_chains])
        touched.update(gone_chains)
        changed = {ref: sha for ref, sha in current.items() if known.get(ref) != sha}
        book = Rulebook(self.store, audit=False)
        history = self._main_history(db, book, current.get(MAIN_REF))
        if known.get(MAIN_REF) is not None and history.position(known[MAIN_REF]) is None:
            # main was set back or rewritten: what was made against it is judged again.
            changed, known = dict(current), {}
        moved = gone | set(changed)
        if MAIN_REF in moved:
            update_drafts(db, self.store, current.get(MAIN_REF))
        if versions_moved(moved):
            update_versions(db, book, history, current)
        if MAIN_REF in changed:
            commits = _CommitReader(self.store, book.commits_read)
            touched |= self._read_main(db, history, known.get(MAIN_REF), commits)
            self._read_draft_steps(db, history, commits)
        amendment_tips = {
            ref[len(AMENDMENTS_PREFIX) :]: sha
            for ref, sha in changed.items()
            if ref.startswith(AMENDMENTS_PREFIX)
        }
        db.execute(f"DELETE FROM {AMENDMENTS} WHERE id IN {IN_LIST}", (in_list(amendment_tips),))
        upsert(db, AMENDMENTS, read_amendment_chains(book, history, amendment_tips))
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
            self._read_events(db, book, history, event_tips, since)
        touched |= set(event_tips)
        upsert(db, REF_TIPS, ({"ref": r, "sha": sha_bytes(s)} for r, s in changed.items()))
        self._update_status(db, touched)
        if touched:
            self._update_alternatives(db)
        # Whether a paragraph is still there depends on main and on the amendment's base.
        lapsing = None if MAIN_REF in changed else list(amendment_tips)
        self._update_lapsed(db, current.get(MAIN_REF), lapsing)
        update_sub_amendments(db)
        update_consensus(db, self.store, current.get(MAIN_REF), touched)
        upsert(db, META, ({"key": k, "value": v} for k, v in fingerprint.items()))
        return current

    def _main_history(
        self, db: sqlite3.Connection, book: Rulebook, main: str | None
    ) -> MainHistory:
        """Main's judged history: as stored, extended by what main gained since, or read anew."""
        stored = self._stored_history(db, book)
        history = book.history(main, since=stored)
        if history is stored:
            return history
        kept = 0
        if stored is not None and stored.tip is not None:
            position = history.position(stored.tip)
            if position is not None and position == len(stored.commits) - 1:
                kept = len(stored.commits)
        db.execute(f"DELETE FROM {MAIN_ROWS} WHERE position >= ?", (kept,))
        rows = (
            {"position": commit.position, **vars(commit.stored())}
            for commit in history.commits[kept:]
        )
        insert(db, MAIN_ROWS, rows)
        return history

    def _stored_history(self, db: sqlite3.Connection, book: Rulebook) -> MainHistory | None:
        return self._history_of(_main_rows(db), book)

    def _history_of(self, rows: Sequence[dict[str, Any]], book: Rulebook) -> MainHistory | None:
        if not rows:
            return None
        stored = [StoredMainCommit(**_judged(row)) for row in rows]
        return book.restored_history(stored[-1].sha, stored)

    def _read_draft_steps(
        self, db: sqlite3.Connection, history: MainHistory, commits: _CommitReader
    ) -> None:
        """The steps each main commit not read yet made in the drafts (see
        :mod:`.attribution`), from the first such commit on."""
        query = f"SELECT min(position) FROM {MAIN_ROWS} WHERE draft_steps IS NULL"
        start = db.execute(query).fetchone()[0]
        if start is None:
            return
        made = draft_steps(self.store, history, start, commits)
        updates = (
            (
                json.dumps(
                    {slug: step.stored(slug) for slug, step in made.get(position, {}).items()},
                    separators=(",", ":"),
                ),
                position,
            )
            for position in range(start, len(history.commits))
        )
        update(db, MAIN_ROWS, ["draft_steps"], updates, key="position")

    def stored_history(self, book: Rulebook, main: str) -> MainHistory | None:
        """Main's judged history as the last refresh stored it, if main has not moved since."""
        with self.connect() as db:
            history = self._stored_history(db, book)
        return history if history is not None and history.tip == main else None

    def stored_steps(
        self, book: Rulebook, main: str, slug: str
    ) -> tuple[MainHistory, list[DraftStep]] | None:
        """Main's judged history and the steps draft ``slug`` took on it, as the last refresh
        stored them (read together), if main has not moved since and every commit's steps
        were read."""
        with self.connect() as db:  # one query: one state of the file
            rows = _main_rows(db)
        history = self._history_of(rows, book)
        if history is None or history.tip != main or any(r["draft_steps"] is None for r in rows):
            return None
        steps = stored_steps(((r["position"], r["draft_steps"]) for r in rows), slug)
        return None if steps is None else (history, steps)

    def _read_main(
        self, db: sqlite3.Connection, history: MainHistory, old: str | None, commits: _CommitReader
    ) -> set[str]:
        """Merges and reverts on main's first-parent history that the rulebook accepts, with
        the consensus each merge records."""
        after = history.position(old)
        touched: set[str] = set()
        if after is None:
            # main is new or was rewritten: read all of its merges and reverts again.
            for table in (MERGES, REVERTS):
                touched.update(a for (a,) in db.execute(f"SELECT amendment FROM {table}"))
                db.execute(f"DELETE FROM {table}")
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
        upsert(db, MERGES, merges)
        upsert(db, REVERTS, reverts)
        return touched

    def _read_events(
        self,
        db: sqlite3.Connection,
        book: Rulebook,
        history: MainHistory,
        tips: dict[str, str],
        since: dict[str, str],
    ) -> None:
        """The events the rulebook accepts, each with its member's group from the roster.

        An event's key is (amendment, id), and a row is never replaced: what one member wrote
        cannot take the place of what another wrote.
        """
        query = f"SELECT id, proposer FROM {AMENDMENTS} WHERE id IN {IN_LIST}"
        proposers = dict(db.execute(query, (in_list(tips),)).fetchall())
        chains = book.event_chains(tips, history, proposers, since=since)
        anew = [amendment for amendment, chain in chains.items() if not chain.partial]
        db.execute(f"DELETE FROM {EVENTS} WHERE amendment IN {IN_LIST}", (in_list(anew),))
        rows = (event_row(event) for chain in chains.values() for event in chain.events)
        insert(db, EVENTS, rows, verb="INSERT OR IGNORE")

    def _update_status(self, db: sqlite3.Connection, touched: set[str]) -> None:
        """Status follows from main's merges and the first reject/withdraw event (one pass
        over the touched amendments, so long: every status has its rule here)."""
        if not touched:
            return
        ids = sorted(touched)
        listed = (in_list(ids),)
        query = f"SELECT * FROM {MERGES} WHERE amendment IN {IN_LIST}"
        merges = {m["amendment"]: m for m in dicts(db.execute(query, listed))}
        # The index holds only events the rulebook accepts: a rejection is the chair's and a
        # withdrawal the proposer's, so the first of them decides.
        decisions: dict[str, tuple[str, str]] = {}
        query = (
            f"SELECT amendment, type, text FROM {EVENTS} WHERE amendment IN {IN_LIST}"
            " AND type IN ('reject', 'withdraw') ORDER BY at, id"
        )
        for amendment, type_, text in db.execute(query, listed):
            decisions.setdefault(amendment, (type_, text))
        query = f"SELECT * FROM {REVERTS} WHERE amendment IN {IN_LIST}"
        reverts = {r["amendment"]: r for r in dicts(db.execute(query, listed))}
        # Lapsed is derived from main by _update_lapsed; an undecided amendment keeps it here.
        query = f"SELECT id FROM {AMENDMENTS} WHERE id IN {IN_LIST} AND status = ?"
        lapsed = {i for (i,) in db.execute(query, (*listed, Status.LAPSED.value))}
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
                    merged_by=merge["merged_by"],
                    merge_commit=merge["commit"],
                    consensus=merge["consensus"],
                    supporting=merge["supporting"],
                    objecting=merge["objecting"],
                    not_heard=merge["not_heard"],
                    override_reason=merge["override_reason"],
                    silence=merge["silence"],
                    reverted_by=revert["reverted_by"] if revert else None,
                    revert_commit=revert["commit"] if revert else None,
                )
            elif decision is not None:
                status = Status.REJECTED if decision[0] == "reject" else Status.WITHDRAWN
                row.update(status=status.value, reason=decision[1] or None)
            updates.append((*(row[c] for c in DECIDED_COLUMNS), amendment_id))
        update(db, AMENDMENTS, DECIDED_COLUMNS, updates)

    def _update_alternatives(self, db: sqlite3.Connection) -> None:
        """Alternatives for one passage: once one of them is merged, the others that are still
        undecided are not adopted (and open again should that merge be reverted)."""
        query = f"SELECT id, alternative_to FROM {AMENDMENTS} WHERE alternative_to IS NOT NULL"
        linked = db.execute(query).fetchall()
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
        query = f"SELECT id, status FROM {AMENDMENTS} WHERE id IN {IN_LIST}"
        rows = db.execute(query, (in_list(sorted(members)),)).fetchall()
        merged: dict[str, str] = {}
        for amendment_id, status in sorted(rows):
            if status == Status.MERGED.value:
                merged.setdefault(find(amendment_id), amendment_id)
        updates: list[tuple[str, str | None, str]] = []
        for amendment_id, status in rows:
            chosen = merged.get(find(amendment_id))
            if chosen and status in (Status.OPEN.value, Status.LAPSED.value):
                reason = f"alternative {chosen} was adopted instead"
                updates.append((Status.NOT_ADOPTED.value, reason, amendment_id))
            elif not chosen and status == Status.NOT_ADOPTED.value:
                updates.append((Status.OPEN.value, None, amendment_id))
        update(db, AMENDMENTS, ["status", "reason"], updates)

    def _update_lapsed(
        self, db: sqlite3.Connection, main: str | None, ids: Sequence[str] | None
    ) -> None:
        """Mark open amendments whose paragraph main (at ``main``, as listed) no longer has as
        lapsed (and back).

        Derived from main: an amendment that replaces or deletes paragraph N of its base lapses
        when main has removed that paragraph (or the whole draft). One alignment of each base
        with main serves every amendment made against it.
        """
        query = (
            f"SELECT id, draft, base, paragraph, status FROM {AMENDMENTS}"
            " WHERE status IN (?, ?) AND kind IN (?, ?) AND paragraph IS NOT NULL"
        )
        values: tuple[object, ...] = (
            Status.OPEN.value,
            Status.LAPSED.value,
            Kind.REPLACE.value,
            Kind.DELETE.value,
        )
        if ids is not None:
            query += f" AND id IN {IN_LIST}"
            values += (in_list(ids),)
        rows = db.execute(query, values).fetchall()
        if not rows or main is None:
            return
        gone = GoneParagraphs(self.store, main)
        # Only the rows whose status changes are written: a merge leaves most of thousands of
        # open amendments as they were, and writing each costs more than judging it.
        updates = [
            (status, amendment_id)
            for amendment_id, draft, base, paragraph, was in rows
            if (status := (Status.LAPSED if gone(draft, base, paragraph) else Status.OPEN).value)
            != was
        ]
        update(db, AMENDMENTS, ["status"], updates)


def _judged(row: dict[str, Any]) -> dict[str, Any]:
    """The columns of a main row that are the rulebook's verdict (SQLite keeps a boolean as 0
    or 1)."""
    judged = {k: v for k, v in row.items() if k not in _NOT_JUDGED}
    judged["founded"] = bool(judged["founded"])
    return judged


def _main_rows(db: sqlite3.Connection) -> list[dict[str, Any]]:
    return dicts(db.execute(f"SELECT * FROM {MAIN_ROWS} ORDER BY position"))
