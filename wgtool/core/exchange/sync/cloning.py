"""Joining a working group: one ``git clone`` of everything, judged before anyone reads it.

``git clone`` writes the refs of its first fetch in one ``packed-refs`` file, where a fetch into
an existing repository writes a file per ref (and thousands of them cost more than the rest of
a clone). So the clone takes main, the amendments, the events and the tags in that one fetch,
as remote-tracking refs and as local refs at once, into a folder beside ``path`` that nothing
else uses. There the rulebook judges all of it: main goes back to its last valid commit, and
each amendment, event chain or tag that breaks a rule is left out (or kept as far as it is
honest), in one ``update-ref`` transaction. Only then does the folder become ``path``: a clone
that dies half-way leaves no working group that holds anything unjudged.
:meth:`WorkingGroup.clone <wgtool.core.desks.WorkingGroup.clone>` then opens it.
"""

from __future__ import annotations

import os
from pathlib import Path

from wgtool.core.errors import SyncError
from wgtool.core.exchange.clone_start import DIRECT_PATTERN, REMOTE, CloneStart
from wgtool.core.exchange.sync.joining import broken_main, join_commit, quarantine_line
from wgtool.core.exchange.sync.report import SyncReport
from wgtool.core.exchange.sync.tidy import tidy
from wgtool.core.record import faults
from wgtool.core.record.gitstore import GitStore
from wgtool.core.record.rulebook import (
    AMENDMENTS_PREFIX,
    EVENTS_DIR,
    EVENTS_PREFIX,
    MAIN_REF,
    TAGS_PREFIX,
    WG_PREFIX,
    Rulebook,
)


def clone(
    url: str, path: Path, started: CloneStart | None = None
) -> tuple[SyncReport, dict[str, object]]:
    """Clone the working group's repository from ``url`` into ``path``, with every wg ref and
    version, as far as the rulebook accepts them; the report says what came and what not, and
    what judging it read of commits and events (it never changes: the index reads it again
    from memory, not from git). ``started``: its ``git clone``, already running (see
    :mod:`wgtool.core.exchange.clone_start`)."""
    started = started or CloneStart(url, path)
    try:
        started.wait()
        report, read = _judge_clone(started.staging)
        faults.crash_point("clone-before-rename")
        if started.path.exists():
            started.path.rmdir()  # empty (checked before): the staging folder takes its place
        os.rename(started.staging, started.path)
    finally:
        started.discard()
    return report, read


def _judge_clone(folder: Path) -> tuple[SyncReport, dict[str, object]]:
    """Judge the clone in ``folder``; the report, and what was read."""
    store = GitStore.open(folder, search_parents=False)
    try:
        # Later fetches go to remote-tracking refs only, as every sync's (the clone was given
        # those refspecs too): the direct ones are removed, in one process.
        store.run(["config", "--unset-all", f"remote.{REMOTE}.fetch", DIRECT_PATTERN], check=False)
        report = SyncReport(REMOTE, rounds=1)
        _judge_everything(store, report)
        tidy(store, REMOTE)
        return report, store.memo
    finally:
        store.close()


def _judge_everything(store: GitStore, report: SyncReport) -> None:
    """Main back to its last valid commit; every wg ref and tag judged, what breaks a rule
    left out (kept as far as it is honest), all in one transaction; the report's counts."""
    book = Rulebook(store, kept=True)
    main = store.resolve(MAIN_REF)
    history = book.history(main)
    broken = history.invalid()
    if broken:
        if broken[0].position == 0:
            raise SyncError(
                "the remote's main does not start with a valid working group: "
                + broken[0].problems[0]
            )
        report.problems.append(broken_main(f"main on {REMOTE}", broken) + ": main was not updated")
        valid = history.commits[broken[0].position - 1].sha
        store.update_ref(MAIN_REF, valid, main, "wgtool clone: main as far as it is valid")
        store.run(["read-tree", "--reset", "-u", valid])
        history = book.history(valid)
    report.received.main_commits = len(history.commits)
    refs = store.refs(WG_PREFIX.rstrip("/"), TAGS_PREFIX.rstrip("/"))
    verdicts = book.judge_refs(refs, history)
    moves: dict[str, tuple[str | None, str | None]] = {}
    for ref in sorted(refs):
        if not verdicts[ref]:
            continue
        honest = [] if ref.startswith(TAGS_PREFIX) else book.honest_part(ref, refs[ref], history)
        if len(honest) > 1:
            tip = honest[0]
            for other in honest[1:]:
                tip = join_commit(store, ref[len(EVENTS_PREFIX) :], tip, other)
            honest = [tip]
        around = "; what it holds of others' work was" if honest else ""
        report.problems.append(quarantine_line(verdicts[ref], f"not taken from {REMOTE}{around}"))
        moves[ref] = (honest[0] if honest else None, refs[ref])
    if moves and not store.update_refs(moves, "wgtool clone: what breaks the rules left out"):
        raise SyncError("the new clone changed while it was judged: clone again")
    kept = {ref: moves[ref][0] if ref in moves else sha for ref, sha in refs.items()}
    taken = {ref: sha for ref, sha in kept.items() if sha is not None}
    report.received.new_amendments = sum(1 for r in taken if r.startswith(AMENDMENTS_PREFIX))
    report.received.versions = sum(1 for r in taken if r.startswith(TAGS_PREFIX))
    events = [sha for ref, sha in taken.items() if ref.startswith(EVENTS_PREFIX)]
    names = store.file_names(events, EVENTS_DIR)
    report.received.events = sum(len(names[sha]) for sha in events)
