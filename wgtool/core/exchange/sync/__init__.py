"""Sync with a git remote: fetch, join, fast-forward, push.

The remote is any ordinary git remote (a bare repository over SSH, GitHub, GitLab, a folder).
One sync runs in rounds:

1. **fetch** the remote's ``main``, ``refs/wg/*`` and tags into remote-tracking refs under
   ``refs/remotes/<remote>/`` (never straight into local refs);
2. **join** them into the local refs, each with a compare-and-swap so that members writing in
   the same repository at the same moment lose nothing:

   * an amendment is created, fast-forwarded, or kept when the local one is ahead; revisions made
     on two machines (a diverged amendment) are reported;
   * an event chain is created or fast-forwarded; two chains that both grew are joined by a merge
     commit (event files have unique names, so the trees never conflict). The join commit is
     deterministic — sorted parents, a fixed identity, the later parent's time — so two machines
     that join the same pair of chains write the same commit and the joins converge;
   * ``main`` first, and it only fast-forwards, over commits the rulebook accepts (each judged
     by the settings and roster in force at its first parent). A diverged main, or one with a
     commit that breaks the rules, is reported and main stays where it was;
   * new tags are taken when the rulebook accepts them; a tag that exists on both sides with
     different targets is reported.

   Everything is judged by :mod:`wgtool.core.record.rulebook` against main as it is here after the
   first step. What breaks a rule is **quarantined**: reported (ref, reason, author) and left
   out, while everything else still comes in;
3. **push** what the remote lacks with explicit, non-forced refspecs: ``<sha>:refs/heads/main``
   first when main is ahead, then ``refs/wg/*:refs/wg/*`` and ``<sha>:refs/tags/<name>`` for new
   tags, each judged against main as the remote then has it (so that a guarded remote accepts
   them; what depends on main commits the remote lacks waits). When the remote moved in the
   meantime a push is rejected; the next round fetches, joins and pushes again (up to
   ``MAX_ROUNDS``).

The working tree follows main only when it was clean (as for every write to main). Afterwards
``.git`` is tidied (loose refs packed when there are many, no reflogs for wg refs: see
:mod:`wgtool.core.exchange.sync.tidy`) and the index is refreshed. A :class:`SyncReport` says what
came in and went out (and, per amendment, what arrived: see :mod:`wgtool.core.inbox`) and lists
every problem in one line.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

from wgtool.core import glance_inbox
from wgtool.core.desks.parts import Desks
from wgtool.core.exchange.fetch_start import FetchStart
from wgtool.core.exchange.sync import pushing
from wgtool.core.exchange.sync.joining import join, join_commit, quarantine_line
from wgtool.core.exchange.sync.remote import (
    check_fetched,
    check_remote,
    configure_remote,
    fetch,
    fetch_refspecs,
    tracking_prefix,
)
from wgtool.core.exchange.sync.replay import replay_local_main
from wgtool.core.exchange.sync.report import MAX_ROUNDS, Progress, Round, SyncReport, Traffic
from wgtool.core.exchange.sync.tidy import tidy
from wgtool.core.numbering import renumbering_notes
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import Rulebook

# -- the use case ------------------------------------------------------------------------------


def sync(
    wg: Desks,
    remote: str = "origin",
    progress: Progress | None = None,
    *,
    news: bool = True,
    replay_merges: bool = False,
    push: bool = True,
) -> SyncReport:
    """Exchange work with ``remote``: fetch, join, fast-forward main, push; retry on races.
    Without ``push``, only take what the remote has (a follower that sends nothing).
    With ``news``, the report says per amendment what arrived (:attr:`SyncReport.arrived`).
    With ``replay_merges``, a main that diverged from the remote's is made again on top of it
    first (see :mod:`wgtool.core.exchange.sync.replay`)."""
    say: Progress = progress or (lambda _line: None)
    store = wg.record.store
    # The fetch the entry point may have started for this sync, with the sync's lock.
    with FetchStart.take(store.git_dir, remote) or nullcontext() as started:
        return _sync(wg, remote, say, started, news, replay_merges, push)


def _sync(
    wg: Desks,
    remote: str,
    say: Progress,
    started: FetchStart | None,
    news: bool,
    replay_merges: bool,
    push: bool,
) -> SyncReport:
    store = wg.record.store
    remote = check_remote(store, remote)
    report = SyncReport(remote)
    with started.holding() if started else _sync_lock(store), _ref_snapshots(store):
        configure_remote(store, remote)
        say(f"Fetching from {remote}…")
        # While git fetches (a process of its own), what the member has seen is read here: the
        # fetch writes remote-tracking refs only, never what that reads.
        with _fetching(store, remote, started):
            before = wg.inbox.seen_now() if news else None
            numbers = _numbers(wg) if news else {}
        outcome = Round()
        for round_number in range(1, MAX_ROUNDS + 1):
            report.rounds = round_number
            outcome = Round()
            if round_number > 1:
                say(f"Fetching from {remote}…")
                fetch(store, remote)
            book = Rulebook(store, kept=True)
            if replay_merges and round_number == 1:
                say(f"Making the changes of main here again on {remote}'s main…")
                replayed = replay_local_main(wg, book, remote)
                report.notes += replayed.lines
                if replayed.kept:
                    report.notes.append(f"Main as it was here is kept as {replayed.kept}")
                book = Rulebook(store, kept=True)
            say("Joining…")
            join(wg, book, remote, report, outcome)
            if not push:
                break
            say(f"Pushing to {remote}…")
            pushing.push(wg, book, remote, report, outcome)
            if not outcome.retry:
                break
            say(f"{remote} changed while pushing; trying again")
        else:
            outcome.problems.append(
                f"{remote} kept changing while pushing: some work was not sent; sync again"
            )
        report.problems = outcome.problems
        report.remedies = outcome.remedies
        report.notes += [n for n in outcome.notes if n not in report.notes]
        tidy(store, remote)
    say("Updating the index…")
    if before is None:
        wg.record.refresh()
    else:
        report.arrived = wg.inbox.news(before, wg.inbox.seen_now())
        report.notes += renumbering_notes(numbers, _numbers(wg))
    return report


def _numbers(wg: Desks) -> dict[str, tuple[str, int]]:
    """Every amendment's draft and official number, by id, as the index has them (read at a
    glance while the index file is current: no SQLAlchemy to import)."""
    found = glance_inbox.numbers(wg.record.store)
    return wg.record.index.numbers() if found is None else found


@contextmanager
def _fetching(store: GitStore, remote: str, started: FetchStart | None) -> Iterator[None]:
    """Fetch from ``remote`` in a thread of its own (it waits on git) while the block runs, or
    wait there for the fetch ``started``; the block's own error first, else the fetch's. Ref
    listings taken meanwhile are not reused after it (the store's generation moves on)."""
    failed: list[BaseException] = []

    def fetching() -> None:
        try:
            if started is None:
                fetch(store, remote)
            else:
                check_fetched(store, remote, *started.outcome())
        except BaseException as error:  # re-raised below, in the sync's own thread
            failed.append(error)

    thread = threading.Thread(target=fetching, name="wgtool-fetch", daemon=True)
    thread.start()
    try:
        yield
    finally:
        thread.join()
        store.generation += 1
    if failed:
        raise failed[0]


@contextmanager
def _ref_snapshots(store: GitStore) -> Iterator[None]:
    """Ref listings read once per generation while syncing (see GitStore.snapshot_refs)."""
    store.snapshot_refs = True
    try:
        yield
    finally:
        store.snapshot_refs = False


def _sync_lock(store: GitStore) -> AbstractContextManager[None]:
    """One sync at a time per repository (writers are not blocked: they use compare-and-swap)."""
    return store.locked("sync.lock")


__all__ = [
    "SyncReport",
    "Traffic",
    "check_remote",
    "configure_remote",
    "fetch_refspecs",
    "join_commit",
    "quarantine_line",
    "sync",
    "tracking_prefix",
]
