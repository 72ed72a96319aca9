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

   Everything is judged by :mod:`wgtool.core.rulebook` against main as it is here after the
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
:mod:`wgtool.core.sync.tidy`) and the index is refreshed. A :class:`SyncReport` says what came
in and went out (and, per amendment, what arrived: see :mod:`wgtool.core.inbox`) and lists
every problem in one line.
"""

from __future__ import annotations

import shutil
from contextlib import AbstractContextManager
from pathlib import Path

from wgtool.core.errors import InvalidInput, SyncError, WgError
from wgtool.core.gitstore import GitStore
from wgtool.core.rulebook import MAIN_REF, Rulebook
from wgtool.core.sync import pushing
from wgtool.core.sync.joining import join, join_commit, quarantine_line
from wgtool.core.sync.remote import (
    check_remote,
    configure_remote,
    fetch,
    fetch_refspecs,
    git_reason,
    tracking_prefix,
)
from wgtool.core.sync.report import MAX_ROUNDS, Progress, Round, SyncReport, Traffic
from wgtool.core.sync.tidy import tidy
from wgtool.core.transport import run_git
from wgtool.core.workgroup import WorkingGroup

# -- the use case ------------------------------------------------------------------------------


def sync(
    wg: WorkingGroup,
    remote: str = "origin",
    progress: Progress | None = None,
    *,
    news: bool = True,
) -> SyncReport:
    """Exchange work with ``remote``: fetch, join, fast-forward main, push; retry on races.
    With ``news``, the report says per amendment what arrived (:attr:`SyncReport.arrived`)."""
    say: Progress = progress or (lambda _line: None)
    store = wg.store
    remote = check_remote(store, remote)
    report = SyncReport(remote)
    with _sync_lock(store):
        before = wg.seen_now() if news else None
        configure_remote(store, remote)
        outcome = Round()
        for round_number in range(1, MAX_ROUNDS + 1):
            report.rounds = round_number
            outcome = Round()
            say(f"Fetching from {remote}…")
            fetch(store, remote)
            book = Rulebook(store)
            say("Joining…")
            join(wg, book, remote, report, outcome)
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
        report.notes += [n for n in outcome.notes if n not in report.notes]
        tidy(store, remote)
    say("Updating the index…")
    if before is None:
        wg.refresh()
    else:
        report.arrived = wg.news(before, wg.seen_now())
    return report


def _sync_lock(store: GitStore) -> AbstractContextManager[None]:
    """One sync at a time per repository (writers are not blocked: they use compare-and-swap)."""
    return store.locked("sync.lock")


def clone(url: str, path: Path) -> tuple[WorkingGroup, SyncReport]:
    """Join a working group: clone its repository from ``url`` and fetch every wg ref."""
    if not url or url.startswith("-"):
        raise InvalidInput(f"invalid repository address {url!r}")
    if path.exists() and any(path.iterdir()):
        raise InvalidInput(f"{path} exists and is not empty: choose a new folder")
    created = not path.exists()
    try:
        result = run_git(
            # No tags: they come in with the wg refs, judged like them (see _join_tags).
            [
                "clone",
                "--quiet",
                "--no-tags",
                "--origin",
                "origin",
                "--branch",
                "main",
                "--",
                url,
                str(path),
            ],
            network=True,
        )
    except SyncError:
        # Stopped (timed out), git could not clean up: leave the folder as it was before.
        leftovers = [path] if created else list(path.iterdir()) if path.is_dir() else []
        for leftover in leftovers:
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
            else:
                leftover.unlink(missing_ok=True)
        raise
    if result.returncode != 0:
        raise SyncError(f"cannot clone {url}: {git_reason(result.stderr)}")
    store = GitStore.open(path, search_parents=False)
    try:
        # The deliberation first: main's merges are judged by the events they name.
        configure_remote(store, "origin")
        fetch(store, "origin")
        _settle_cloned_main(store)
    except WgError:
        shutil.rmtree(path, ignore_errors=True)
        raise
    finally:
        store.close()
    wg = WorkingGroup.open(path)
    try:
        report = sync(wg, "origin", news=False)
    except WgError:
        wg.close()
        raise
    return wg, report


def _settle_cloned_main(store: GitStore) -> None:
    """Bring a fresh clone's main back to the last commit before any that breaks the rules.

    ``git clone`` takes the remote's main as it is; the rest of wgtool takes main only from
    the rulebook, so the clone starts from what is valid and its first sync reports the rest.
    """
    main = store.resolve(MAIN_REF)
    history = Rulebook(store).history(main)
    broken = history.invalid()
    if not broken:
        return
    if broken[0].position == 0:
        raise SyncError(
            "the remote's main does not start with a valid working group: " + broken[0].problems[0]
        )
    valid = history.commits[broken[0].position - 1].sha
    store.update_ref(MAIN_REF, valid, main, "wgtool clone: main as far as it is valid")
    store.run(["read-tree", "--reset", "-u", valid])


__all__ = [
    "SyncReport",
    "Traffic",
    "check_remote",
    "clone",
    "configure_remote",
    "fetch_refspecs",
    "join_commit",
    "quarantine_line",
    "sync",
    "tracking_prefix",
]
